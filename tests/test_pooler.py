"""Past what one PostgreSQL's connections allow, hosts reach it through
PgBouncer in transaction mode (docs/deploy.md, "More than one machine"): with
DB_POOLER=true the site signs, counts and exports through it, each of its
transactions on whichever server connection PgBouncer gives."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from pledges.models import Signature
from tests.conftest import ROOT, Signer, _free_port, required_program, serve_with_gunicorn
from tests.factories import make_featured_campaign

pytestmark = [
    pytest.mark.slow,
    pytest.mark.live,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
        reason="PgBouncer pools PostgreSQL (make test with DATABASE_URL=postgres://…)",
    ),
]


SIGNATURES = 64


@pytest.fixture
def pgbouncer():
    return required_program("pgbouncer")


@contextmanager
def pooled(pgbouncer, database):
    """PgBouncer in transaction mode in front of the test database, two server
    connections for every client: yields its DATABASE_URL."""
    settings = connection.settings_dict
    # PgBouncer will not run as root: it drops to the database's own user,
    # who must read its files.
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o755)
    port = _free_port()
    (folder / "users.txt").write_text(f'"{settings["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{database} = host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
        f"dbname={database} user={settings['USER']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder}/users.txt\n"
        "pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 200\n"
        f"logfile = {folder}/pgbouncer.log\npidfile = {folder}/pgbouncer.pid\n"
    )
    shutil.chown(folder, user="postgres")
    process = subprocess.Popen(
        [pgbouncer, "-u", "postgres", str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, (folder / "pgbouncer.log").read_text()
                assert time.monotonic() < deadline, "PgBouncer did not start"
                time.sleep(0.1)
        yield f"postgres://{settings['USER']}@127.0.0.1:{port}/{database}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_site_signs_counts_and_exports_through_pgbouncer_in_transaction_mode(
    transactional_db, pgbouncer, tmp_path
):
    campaign = make_featured_campaign(slug="timesup")
    database = connection.settings_dict["NAME"]
    with pooled(pgbouncer, database) as pooled_url:
        with serve_with_gunicorn(
            tmp_path / "gunicorn.log",
            DATABASE_URL=pooled_url,
            DB_POOLER="true",
            TASKS_IMMEDIATE="true",
            EMAIL_URL=f"filemail:///{tmp_path / 'mail'}",
            SIGNING_MIN_FILL_SECONDS="0",
            SIGNING_RATE_LIMIT="1000",
            PAGE_CACHE_SECONDS="0",
            WEB_CONCURRENCY="2",
        ) as site:
            # Eight signers at once, eight times each: many more transactions
            # than server connections, each on whichever PgBouncer gives.
            results = []

            def sign(n):
                for k in range(SIGNATURES // 8):
                    status, _ = Signer(site.base_url).sign(f"pooled{n}-{k}@example.org")
                    results.append(status)

            threads = [threading.Thread(target=sign, args=(n,)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            log = site.log.read_text()

        assert results == [200] * SIGNATURES, log  # the thanks page, after the redirect
        assert Signature.objects.filter(campaign=campaign).count() == SIGNATURES
        # The export reads every row in chunks, as a million would be read.
        export = subprocess.run(
            [sys.executable, "manage.py", "export_signatures", "timesup"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": pooled_url, "DB_POOLER": "true"},
            capture_output=True,
            text=True,
            check=False,
        )
    assert export.returncode == 0, export.stderr
    assert export.stdout.count("@example.org") == SIGNATURES
    assert "Traceback" not in log
