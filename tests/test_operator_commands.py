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

import pytest

from tests.conftest import ROOT, run_django


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.live
def test_make_run_serves_with_gunicorn_and_its_task_worker_sends_the_emails(tmp_path):
    port = _free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path), "PORT": str(port)}
    env.pop("DATABASE_URL", None)  # its own SQLite database under VAR_DIR
    env["SIGNING_MIN_FILL_SECONDS"] = "0"  # this test is quicker than a person
    log = (tmp_path / "run.log").open("w")
    server = subprocess.Popen(
        [shutil.which("make"), "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                form = urllib.request.urlopen(f"{base}/en/sign/", timeout=5).read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail((tmp_path / "run.log").read_text())
                time.sleep(0.5)
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
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert "Starting worker" in (tmp_path / "run.log").read_text()


@pytest.mark.live
def test_make_dev_serves_the_site_with_reload_and_debug_on(tmp_path):
    port = _free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path), "PORT": str(port)}
    env.pop("DATABASE_URL", None)  # its own SQLite database under VAR_DIR
    log = (tmp_path / "dev.log").open("w")
    server = subprocess.Popen(
        [shutil.which("make"), "--no-print-directory", "dev"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # runserver's reloader runs a child: stop them all
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                home = urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail((tmp_path / "dev.log").read_text())
                time.sleep(0.5)
        page = home.read().decode()
        assert "Time&#x27;s Up" in page  # the campaign make dev loaded
        assert "Strict-Transport-Security" not in home.headers  # plain HTTP, as make run
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    output = (tmp_path / "dev.log").read_text()
    assert "Watching for file changes with StatReloader" in output  # reload on change
    assert "Starting development server" in output


@pytest.mark.slow
def test_management_commands_print_no_library_noise(tmp_path):
    result = run_django(["manage.py", "check"], tmp_path, LOG_LEVEL="INFO")

    assert result.returncode == 0, result.stderr
    assert "AXES" not in result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
