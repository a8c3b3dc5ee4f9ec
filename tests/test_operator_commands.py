"""What operators run by hand: `make run`, `make dev`, and commands that say only what matters."""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest

from tests.conftest import ROOT, run_django


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served_by_make(target, var_dir, **environ):
    """`make <target>` serving the site on a free port with its own SQLite
    database under `var_dir`; yields its base URL once `/en/` answers, and
    stops it, with every process it started, at the end."""
    port = _free_port()
    env = {**os.environ, "VAR_DIR": str(var_dir), "PORT": str(port), **environ}
    env.pop("DATABASE_URL", None)
    log_path = var_dir / f"{target}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [shutil.which("make"), "--no-print-directory", target],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # gunicorn's, the worker's, runserver's reloader's
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/en/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(log_path.read_text())
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.live
def test_make_run_serves_with_gunicorn_and_its_task_worker_sends_the_emails(tmp_path):
    # SIGNING_MIN_FILL_SECONDS: this test is quicker than a person.
    with served_by_make("run", tmp_path, SIGNING_MIN_FILL_SECONDS="0") as base:
        form = urllib.request.urlopen(f"{base}/en/sign/", timeout=5).read().decode()
        started = re.search(r'name="started" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode(
            {
                "started": started,
                "name": "Operator",
                "email": "operator@example.org",
                "country": "US",
                "industry": "law",
            }
        ).encode()
        request = urllib.request.Request(f"{base}/en/sign/", data=body, headers={"Origin": base})
        assert urllib.request.urlopen(request, timeout=10).url == f"{base}/en/sign/thanks/"
        # Not sent in the request: the worker beside gunicorn sends it, within seconds.
        deadline = time.monotonic() + 30
        while not any(
            "To: operator@example.org" in path.read_text()
            for path in (tmp_path / "mail").glob("*.log")
        ):
            assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()
            time.sleep(0.5)
    assert "Starting worker" in (tmp_path / "run.log").read_text()


@pytest.mark.live
def test_make_dev_serves_the_site_with_reload_and_debug_on(tmp_path):
    with served_by_make("dev", tmp_path) as base:
        home = urllib.request.urlopen(f"{base}/en/", timeout=5)
        page = home.read().decode()
        assert "Time&#x27;s Up" in page  # the campaign make dev loaded
        assert "Strict-Transport-Security" not in home.headers  # plain HTTP, as make run
    output = (tmp_path / "dev.log").read_text()
    assert "Watching for file changes with StatReloader" in output  # reload on change
    assert "Starting development server" in output


@pytest.mark.slow
def test_management_commands_print_no_library_noise(tmp_path):
    result = run_django(["manage.py", "check"], tmp_path, LOG_LEVEL="INFO")

    assert result.returncode == 0, result.stderr
    assert "AXES" not in result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
