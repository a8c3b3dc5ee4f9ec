"""Where a request's CPU goes under load: each group of processes' CPU time
(gunicorn's workers, the task worker, PostgreSQL, Redis, and this process,
which runs the SMTP server with --worker) during a wrk run, divided by the
requests answered. The in-process cost of the same request is
bench/probe.py's; under load, on shared cores, it is higher.

    .venv/bin/python bench/cpu_share.py                        # signing, SQLite
    .venv/bin/python bench/cpu_share.py --minimal              # the minimal Django's POST
    .venv/bin/python bench/cpu_share.py --backend postgresql --worker

Against the databases the last `make bench` left under var/bench/ (run it
first; or its --workdir); each run adds its signatures to them. WEB_CONCURRENCY and
GUNICORN_THREADS in the environment reach gunicorn, as in production.
"""

import argparse
import os
import re
import resource
import secrets
import subprocess
import sys
import time
from pathlib import Path

from harness import (
    ROOT,
    MailServer,
    Site,
    TaskWorker,
    fetch,
    form_field,
    free_port,
    minimal_environment,
    site_environment,
)

TICK = os.sysconf("SC_CLK_TCK")


def group_of(pid):
    """Which group a process belongs to, or None."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None
    if "gunicorn" in command:
        return "gunicorn"
    if "db_worker" in command:
        return "task worker"
    if name.startswith("postgres"):
        return "postgresql"
    if name.startswith("redis"):
        return "redis"
    return None


def cpu_seconds_by_group():
    """CPU seconds (user and system) each group's running processes have used."""
    totals = {}
    for entry in Path("/proc").iterdir():
        group = group_of(entry.name) if entry.name.isdigit() else None
        if group is None:
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        totals[group] = totals.get(group, 0) + (int(fields[11]) + int(fields[12])) / TICK
    usage = resource.getrusage(resource.RUSAGE_SELF)
    totals["this process (SMTP server)"] = usage.ru_utime + usage.ru_stime
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--minimal", action="store_true", help="the minimal Django's POST")
    parser.add_argument("--worker", action="store_true", help="the task worker sending beside")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench"), help="make bench's")
    args = parser.parse_args()
    var_dir = Path(args.workdir).resolve() / args.backend
    if not (var_dir / "log-signing.key").exists():
        sys.exit(f"No bench database under {var_dir}: run `make bench` first.")
    port = free_port()
    mail_server = worker = None
    if args.minimal:
        env = minimal_environment(args.backend, var_dir, port)
        site = Site(env, var_dir / "cpu-share-minimal.log", "bench.minimal.wsgi")
    else:
        env = site_environment(args.backend, var_dir, port)
        if args.worker:
            mail_server = MailServer()
            env["EMAIL_URL"] = mail_server.url
        site = Site(env, var_dir / "cpu-share.log")
    try:
        if args.minimal:
            script = ["--script", str(ROOT / "bench" / "minimal_post.lua"), site.base + "/post/"]
        else:
            if args.worker:
                worker = TaskWorker(env, var_dir / "cpu-share-worker.log")
            _, _, page = fetch(site, "/en/sign/")
            started = form_field(page, "started")
            prefix = f"cpu-{secrets.token_hex(3)}"
            script = ["--script", str(ROOT / "bench" / "sign.lua"), site.base + "/en/sign/"]
            script += ["--", started, prefix, site.https_base]
        before, started_at = cpu_seconds_by_group(), time.monotonic()
        command = ["wrk", "--threads", "2", "--connections", str(args.connections)]
        command += ["--duration", f"{args.seconds}s", "--timeout", "10s"]
        command += ["--header", "X-Forwarded-Proto: https", *script]
        output = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        elapsed = time.monotonic() - started_at
        after = cpu_seconds_by_group()
    finally:
        if worker:
            worker.stop()
        site.stop()
        if mail_server:
            mail_server.stop()
    answered = int(re.search(r"(\d+) requests in", output).group(1))
    what = "minimal POST" if args.minimal else "signing"
    print(f"{args.backend}, {what}: {answered / elapsed:,.0f} requests/s; CPU ms a request:")
    for group in sorted(after):
        used = after[group] - before.get(group, 0)
        if used > 0.005:
            print(f"  {group:28s} {1000 * used / answered:6.2f}")


if __name__ == "__main__":
    main()
