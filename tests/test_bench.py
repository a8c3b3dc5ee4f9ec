"""A small smoke run of `make bench`, so the harness keeps working (the real run is not a test)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def wrk():
    if not shutil.which("wrk"):
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is missing (apt-get install wrk): in CI the smoke run must run.")
        pytest.skip("wrk is missing (apt-get install wrk)")


def test_the_benchmark_harness_runs_end_to_end_and_prints_its_table(wrk, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--signatures",
            "2000",
            "--seconds",
            "1",
            "--sign-seconds",
            "2",
            "--backends",
            "sqlite",
            "--workdir",
            str(tmp_path),
            "--no-write",
            "--crowd",
            "40",
            "--flood",
            "35",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout
    for measure in [
        "minimal Django: GET of a short page",
        "minimal Django: POST, validate a form, insert a row",
        "our middleware around an empty view",
        "/ (campaign page)",
        "/ through shared links (?source=, made-up codes, fbclid)",
        "/signatures/ deep page (90%)",
        "/stats/ (statistics)",
        "/api/campaigns/timesup/",
        "/embed/ (widget)",
        "admin search by email",
        "signing (POST; no worker running: the request's own cost)",
        "signing (POST; the worker sending emails beside it)",
        "CSV export of every signature",
    ]:
        assert f"| sqlite | {measure} |" in table
    assert "| sqlite | signing: accepted / stored / server errors |" in table
    # Every signature's email arrived at a real SMTP server, once, and its lag is measured.
    delivered = re.search(
        r"\| sqlite \| emails \(the worker .*? \| ([\d,]+) / ([\d,]+) / 0 \|", table
    )
    assert delivered and delivered.group(1) == delivered.group(2), table
    assert re.search(r"\| sqlite \| email lag, .* \| [\d.]+ s / [\d.]+ s / [\d.]+ s \|", table)
    assert re.search(
        r"\| sqlite \| 40 people behind one address.* \| 40 / 40 \| .* \| yes \|", table
    )
    assert re.search(r"\| sqlite \| one client sending 35 .* \| 30 / 5 / 30 \| .* \| yes \|", table)
    assert '| sqlite | "database is locked" in the server log | never | never | yes |' in table
    # The letter's public log at the bench's size: appended in one batch, then checkpointed.
    assert re.search(r"\| sqlite \| public log: entries appended .* \| 2,003 in [\d.]+ s", table)
    assert re.search(r"\| sqlite \| public log: a checkpoint after 1,000 more .* \| yes \|", table)

    # Where a signature's CPU goes under load, against the databases the run left.
    shares = subprocess.run(
        [sys.executable, "bench/cpu_share.py", "--seconds", "1", "--workdir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shares.returncode == 0, shares.stdout + shares.stderr
    assert re.search(r"sqlite, signing: [\d,]+ requests/s", shares.stdout), shares.stdout
    assert re.search(r"gunicorn +\d+\.\d\d", shares.stdout), shares.stdout
