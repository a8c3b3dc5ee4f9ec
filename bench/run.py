"""`make bench`: the site under load, at a million signatures, on SQLite and PostgreSQL.

For each database: a fresh database, the Time's Up campaign and N generated
signatures; gunicorn with the production settings and config; wrk (from a
separate process) on each page for a few seconds, and on signing for a
minute; then the CSV export. Every figure sits beside the bare Django view
measured in the same run, on the same gunicorn. The table is printed and
written into docs/benchmarks.md; no figure is typed by hand.

    make bench
    make bench BENCH_ARGS="--signatures 100000 --seconds 5 --sign-seconds 20"
"""

import argparse
import datetime
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "timesup_bench"
STAFF_PASSWORD = "bench-" + secrets.token_hex(8)


@dataclass
class Measure:
    name: str
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    note: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Run:
    backend: str
    measures: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# The site


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_environment(backend, var_dir, port):
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CACHE_URL"}
    }
    env.update(
        {
            # Production settings: DEBUG off, HTTPS on (wrk says X-Forwarded-Proto:
            # https, which gunicorn trusts from 127.0.0.1), emails queued for a worker.
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "VAR_DIR": str(var_dir),
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
            "TASKS_IMMEDIATE": "false",
            # A load test is one client signing thousands of times a minute:
            # the limits meant for people are raised, the checks stay on.
            "SIGNING_RATE_LIMIT": "1000000000",
            "EMAIL_RATE_LIMIT": "1000000000",
            "SIGNING_MIN_FILL_SECONDS": "0",
            "BENCH_REFERENCE_VIEW": "true",
            "DJANGO_SUPERUSER_USERNAME": "bench",
            "DJANGO_SUPERUSER_EMAIL": "bench@example.org",
            "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD,
        }
    )
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'db.sqlite3'}"
    else:
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    return env


def fresh_database(backend, var_dir):
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {PG_DATABASE}")


def manage(env, *args):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Site:
    def __init__(self, env, log_path):
        self.base = f"http://127.0.0.1:{env['PORT']}"
        # What the browser sees behind the TLS proxy; CSRF checks the Referer against it.
        self.https_base = self.base.replace("http://", "https://")
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.server = subprocess.Popen(
            [GUNICORN, "--config", "timesup/gunicorn.conf.py", "timesup.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    sys.exit(f"gunicorn did not start; see {log_path}")
                time.sleep(0.3)

    def workers(self):
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_memory_per_worker_mb(self):
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return max(peaks), len(peaks)

    def stop(self):
        self.server.terminate()
        self.server.wait(timeout=60)
        self.log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(site, path, data=None, cookies="", referer=None):
    """(status, headers, body) over 'HTTPS' (as gunicorn sees it behind a proxy)."""
    headers = {"X-Forwarded-Proto": "https", "Cookie": cookies}
    if referer:
        headers["Referer"] = referer
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(site.base + path, data=body, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
    return response.status, response.headers, response.read().decode()


def cookie(headers, name):
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.split(";", 1)[0]
    raise SystemExit(f"no {name} cookie")


def form_field(page, name):
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def staff_session(site):
    _, headers, page = fetch(site, "/admin/login/")
    csrf = cookie(headers, "__Host-csrftoken")
    status, headers, _ = fetch(
        site,
        "/admin/login/",
        {
            "csrfmiddlewaretoken": form_field(page, "csrfmiddlewaretoken"),
            "username": "bench",
            "password": STAFF_PASSWORD,
            "next": "/admin/",
        },
        cookies=csrf,
        referer=site.https_base + "/admin/login/",
    )
    if status != 302:
        sys.exit(f"staff login failed: {status}")
    return cookie(headers, "__Host-sessionid")


# ---------------------------------------------------------------------------
# Load


def wrk(site, path, seconds, connections, cookies="", script=None, script_args=()):
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "--header",
        "X-Forwarded-Proto: https",
    ]
    if cookies:
        command += ["--header", f"Cookie: {cookies}"]
    if script:
        command += ["--script", str(script)]
    command.append(site.base + path)
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return output


def parse_wrk(name, output):
    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    measure = Measure(name)
    measure.requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    measure.p50_ms, measure.p99_ms = latency(50), latency(99)
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    measure.errors = int(non_success.group(1)) if non_success else 0
    if socket_errors:
        measure.errors += sum(int(n) for n in socket_errors.groups())
    return measure


def count_rows(env):
    return int(
        manage(
            env,
            "shell",
            "-c",
            "from pledges.models import Signature as S; print(S.objects.count())",
        )
        .strip()
        .splitlines()[-1]
    )


def deep_wall_cursor(env, depth):
    code = (
        "from pledges.models import Signature as S; from pledges.views import _cursor; "
        f"print(_cursor(S.objects.wall()[{depth}]))"
    )
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def export_csv(env):
    """(seconds, peak resident memory in MB) of exporting every signature to CSV."""
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "export_signatures", "timesup", "--output", os.devnull],
        cwd=ROOT,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        sys.exit("export_signatures failed")
    return time.monotonic() - started, usage.ru_maxrss / 1024


# ---------------------------------------------------------------------------
# A run


def bench(backend, args):
    var_dir = Path(args.workdir).resolve() / backend
    if not args.reuse:
        fresh_database(backend, var_dir)
    env = site_environment(backend, var_dir, free_port())
    run = Run(backend)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    if args.reuse:
        # The last run's database as it is; only the staff password is new.
        code = (
            "from django.contrib.auth.models import User; u = User.objects.get(username='bench'); "
            f"u.set_password('{STAFF_PASSWORD}'); u.save()"
        )
        manage(env, "shell", "-c", code)
        run.facts["generate_seconds"] = 0.0
    else:
        manage(env, "load_default_campaign")
        manage(env, "createsuperuser", "--noinput")
        started = time.monotonic()
        manage(env, "generate_signatures", "timesup", "--count", str(args.signatures))
        run.facts["generate_seconds"] = time.monotonic() - started
    deep_cursor = deep_wall_cursor(env, int(args.signatures * 0.9))
    code = "from pledges.models import Signature as S; print(S.objects.order_by('pk')[0].email)"
    sample_email = urllib.parse.quote(manage(env, "shell", "-c", code).strip().splitlines()[-1])

    site = Site(env, var_dir / "gunicorn.log")
    try:
        session = staff_session(site)
        pages = [
            ("bare Django view (reference)", "/bench/bare/", ""),
            ("/ (campaign page)", "/en/", ""),
            ("/sign/ GET", "/en/sign/", ""),
            ("/signatures/ first page", "/en/signatures/", ""),
            ("/signatures/ deep page (90%)", f"/en/signatures/?after={deep_cursor}", ""),
            ("/stats/ (statistics)", "/en/stats/", ""),
            ("/api/campaigns/timesup/", "/api/campaigns/timesup/", ""),
            ("/embed/ (widget)", "/embed/", ""),
            ("admin signature list", "/admin/pledges/signature/", session),
            ("admin search by name", "/admin/pledges/signature/?q=Signer+123456", session),
            ("admin search by email", f"/admin/pledges/signature/?q={sample_email}", session),
        ]
        for name, path, cookies in pages:
            # Visitors arrive by the thousand; staff work a few at a time.
            connections = args.admin_connections if cookies else args.connections
            wrk(site, path, min(2, args.seconds), connections, cookies)  # warm up
            output = wrk(site, path, args.seconds, connections, cookies)
            run.measures.append(parse_wrk(name, output))

        before = count_rows(env)
        _, headers, page = fetch(site, "/en/sign/")
        output = wrk(
            site,
            "/en/sign/",
            args.sign_seconds,
            args.connections,
            script=ROOT / "bench" / "sign.lua",
            script_args=[
                form_field(page, "csrfmiddlewaretoken"),
                cookie(headers, "__Host-csrftoken"),
                form_field(page, "started"),
                f"bench-{secrets.token_hex(3)}",
                site.https_base + "/en/sign/",
            ],
        )
        signing = parse_wrk("signing (POST, email queued)", output)
        counts = re.search(r"BENCH accepted=(\d+) server_errors=(\d+) other=(\d+)", output)
        accepted, server_errors, other = (int(n) for n in counts.groups())
        stored = count_rows(env) - before
        signing.requests_per_second = accepted / args.sign_seconds
        signing.errors = server_errors + other
        signing.note = f"{accepted} accepted, {stored} stored, {server_errors} server errors"
        run.measures.append(signing)
        run.facts.update(accepted=accepted, stored=stored, server_errors=server_errors)
        run.facts["worker_peak_mb"], run.facts["workers"] = site.peak_memory_per_worker_mb()
        queued = manage(
            env,
            "shell",
            "-c",
            "from django_tasks_db.models import DBTaskResult as T; print(T.objects.count())",
        )
        run.facts["emails_queued"] = int(queued.strip().splitlines()[-1])
        if "database is locked" in (var_dir / "gunicorn.log").read_text():
            run.facts["database_locked"] = True
    finally:
        site.stop()

    run.facts["export_seconds"], run.facts["export_peak_mb"] = export_csv(env)
    judge(run, args)
    return run


def judge(run, args):
    reference = run.measures[0].requests_per_second
    sign_target = 1000 if run.backend == "postgresql" else 500
    targets = {
        "/ (campaign page)": (
            "≥ 70% of reference",
            lambda m: m.requests_per_second >= 0.7 * reference,
        ),
        "/signatures/ first page": ("p99 < 50 ms", lambda m: m.p99_ms < 50),
        "/signatures/ deep page (90%)": ("p99 < 50 ms", lambda m: m.p99_ms < 50),
        "/stats/ (statistics)": ("p99 < 50 ms", lambda m: m.p99_ms < 50),
        "/api/campaigns/timesup/": ("p99 < 50 ms", lambda m: m.p99_ms < 50),
        "/embed/ (widget)": ("p99 < 50 ms", lambda m: m.p99_ms < 50),
        "admin signature list": ("p99 < 500 ms", lambda m: m.p99_ms < 500),
        "admin search by name": ("p99 < 500 ms", lambda m: m.p99_ms < 500),
        "admin search by email": ("p99 < 500 ms", lambda m: m.p99_ms < 500),
        "signing (POST, email queued)": (
            f"≥ {sign_target}/s, 0 errors, every accepted one stored",
            lambda m: (
                m.requests_per_second >= sign_target
                and run.facts["server_errors"] == 0
                and 0 <= run.facts["stored"] - run.facts["accepted"] <= args.connections
            ),
        ),
    }
    for measure in run.measures:
        if measure.name in targets:
            measure.target, check = targets[measure.name]
            completed = measure.requests_per_second > 0
            measure.met = completed and bool(check(measure)) and measure.errors == 0
    run.facts["export_met"] = run.facts["export_peak_mb"] < 150 and run.facts["export_seconds"] < 60


# ---------------------------------------------------------------------------
# The table


def machine():
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return (
        f"{os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )


def table(runs, args):
    lines = [
        f"Machine: {machine()}. Signatures: {args.signatures:,}. wrk: 2 threads, "
        f"{args.connections} connections ({args.admin_connections} for admin pages), "
        f"{args.seconds} s a page, "
        f"{args.sign_seconds} s of signing. "
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "| Database | Measure | Requests/s | vs reference | p50 ms | p99 ms | Errors "
        "| Target | Met |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for run in runs:
        reference = run.measures[0].requests_per_second
        for m in run.measures:
            met = "" if m.met is None else ("yes" if m.met else "**no**")
            lines.append(
                f"| {run.backend} | {m.name} | {m.requests_per_second:,.0f} | "
                f"{m.requests_per_second / reference:.0%} | {m.p50_ms:.1f} | {m.p99_ms:.1f} | "
                f"{m.errors} | {m.target} | {met} |"
            )
    lines += ["", "| Database | Fact | Value | Target | Met |", "|---|---|---|---|---|"]
    for run in runs:
        f = run.facts
        in_flight = f["stored"] - f["accepted"]
        signing_kept = 0 <= in_flight <= args.connections and not f["server_errors"]
        facts = [
            (
                f"generate {args.signatures:,} signatures",
                f"{f['generate_seconds']:.1f} s",
                "well under 60 s",
                f["generate_seconds"] < 60,
            ),
            (
                "signing: accepted / stored / server errors",
                f"{f['accepted']:,} / {f['stored']:,} / {f['server_errors']}",
                "every accepted one stored once, 0 errors",
                signing_kept,
            ),
            (
                "confirmation emails queued (no worker running)",
                f"{f['emails_queued']:,}",
                "one per stored signature",
                f["emails_queued"] == f["stored"],
            ),
            (
                f"peak memory per gunicorn worker ({f['workers']} workers)",
                f"{f['worker_peak_mb']:.0f} MB",
                "",
                None,
            ),
            (
                "CSV export of every signature",
                f"{f['export_seconds']:.1f} s, peak {f['export_peak_mb']:.0f} MB",
                "< 60 s, < 150 MB",
                f["export_met"],
            ),
            (
                '"database is locked" in the server log',
                "**yes**" if f.get("database_locked") else "never",
                "never",
                not f.get("database_locked"),
            ),
        ]
        for fact, value, target, met in facts:
            verdict = "" if met is None else ("yes" if met else "**no**")
            lines.append(f"| {run.backend} | {fact} | {value} | {target} | {verdict} |")
    lines += [
        "",
        "Signing: wrk counts a response only if it arrives within the run; the requests "
        "still in flight when it stops (at most one per connection) are stored but not "
        "counted as accepted, so stored may exceed accepted by up to "
        f"{args.connections}. Every address is unique, and the database refuses a second "
        "signature per address, so none is stored twice.",
    ]
    return "\n".join(lines)


def write_docs(text, command):
    document = DOCS.read_text()
    block = f"{START}\nMade by `{command}`.\n\n{text}\n{END}"
    document = re.sub(
        rf"{re.escape(START)}.*?{re.escape(END)}", lambda _: block, document, flags=re.DOTALL
    )
    DOCS.write_text(document)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="of load on each page")
    parser.add_argument("--sign-seconds", type=int, default=60, help="of sustained signing")
    parser.add_argument("--connections", type=int, default=32, help="for public pages")
    parser.add_argument("--admin-connections", type=int, default=2, help="for admin pages")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--workdir", default=str(ROOT / "var" / "bench"), help="its databases and logs"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave docs/benchmarks.md"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the last run's databases again, as they are"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    runs = []
    for backend in args.backends.split(","):
        print(f"== {backend}: {args.signatures:,} signatures", flush=True)
        runs.append(bench(backend, args))
    text = table(runs, args)
    print(text)
    if not args.no_write:
        arguments = " ".join(sys.argv[1:])
        write_docs(text, f'make bench BENCH_ARGS="{arguments}"' if arguments else "make bench")
        print(f"\nWritten to {DOCS.relative_to(ROOT)}")
    # Slow is reported in the table; a lost signature or a server error fails the run.
    lost = [r for r in runs if r.facts["server_errors"] or r.facts["stored"] < r.facts["accepted"]]
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
