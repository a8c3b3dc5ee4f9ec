"""`make bench`: the site under load, at a million signatures, on SQLite and PostgreSQL.

For each database: first a minimal Django project (bench/minimal/: four
standard middlewares, a short page, a POST that validates a three-field form
and inserts one row) on the same gunicorn config, measured with wrk; then a
fresh database with the Time's Up campaign and N generated signatures, the
site on gunicorn with the production settings (on PostgreSQL with Redis as
the shared cache, as docs/deploy.md sets up production), and wrk (from a
separate process) on each page for a few seconds and on signing for a
minute; then the shared-address phase (a crowd behind one address who
confirm, and one client flooding addresses nobody confirms, at the default
limits) and the CSV export. Every figure sits beside the minimal Django's
and beside the site's own middleware around an empty view (/bench/bare/),
measured in the same run. The table is printed and written into
docs/benchmarks.md; no figure is typed by hand.

    make bench
    make bench BENCH_ARGS="--signatures 100000 --seconds 5 --sign-seconds 20"
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from harness import (
    CROWD_ADDRESS,
    DOCS,
    FLOOD_ADDRESS,
    IN_SITE_BARE,
    MINIMAL_GET,
    MINIMAL_POST,
    PG_DATABASE,
    PG_SERVER,
    PYTHON,
    ROOT,
    SHARED_LINKS,
    SIGNING,
    SIGNING_ALONE,
    SIGNING_RATE_LIMIT_DEFAULT,
    STAFF_PASSWORD,
    MailServer,
    Run,
    Site,
    TaskWorker,
    cookie,
    fetch,
    form_field,
    free_port,
    fresh_database,
    manage,
    minimal_environment,
    parse_wrk,
    percentile,
    postgres_cpu_seconds,
    site_environment,
    staff_session,
    wrk,
)
from report import judge, table, write_docs


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
        "from pledges.models import Signature as S; from pledges.views import wall_cursor; "
        f"print(wall_cursor(S.objects.wall()[{depth}]))"
    )
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def export_csv(env):
    """(seconds, peak resident memory in MB) of exporting every signature to CSV.

    The peak is the export's own (VmHWM, read from /proc while it runs): the
    rusage of a child counts the memory it shared with this process before
    its exec, which grew with the bench's own (the mail server's log)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "export_signatures", "timesup", "--output", os.devnull],
        cwd=ROOT,
        env=env,
    )
    status = Path(f"/proc/{process.pid}/status")
    peak_kb = 0
    while process.poll() is None:
        try:
            found = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
        except OSError:  # it ended meanwhile
            found = None
        if found:
            peak_kb = max(peak_kb, int(found.group(1)))
        time.sleep(0.05)
    if process.returncode:
        sys.exit("export_signatures failed")
    return time.monotonic() - started, peak_kb / 1024


# ---------------------------------------------------------------------------
# A run


def measure_minimal(backend, var_dir, args, run):
    """The minimal Django's GET and POST + insert, on this database, alone on the machine."""
    env = minimal_environment(backend, var_dir, free_port())
    manage(env, "migrate", "--run-syncdb", "--noinput")
    if backend == "postgresql":
        import psycopg

        # Dropping the last run's million rows leaves writes to flush: flush them first.
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute("CHECKPOINT")
    site = Site(env, var_dir / "minimal.log", application="bench.minimal.wsgi")
    try:
        for name, path, script in [
            (MINIMAL_GET, "/", None),
            (MINIMAL_POST, "/post/", ROOT / "bench" / "minimal_post.lua"),
        ]:
            wrk(site, path, min(2, args.seconds), args.connections, script=script)  # warm up
            output = wrk(site, path, args.seconds, args.connections, script=script)
            run.measures.append(parse_wrk(name, output))
    finally:
        site.stop()


FORGET_OWED_EMAILS = """
from pledges.models import Submission
Submission.objects.filter(email_requested_at__isnull=False).update(email_requested_at=None)
"""

LOG_CHECKPOINTS = """
import json, time
from campaign.models import Campaign
from pledges.management.commands.generate_signatures import generate
from pledges.transparency import log
campaign = Campaign.objects.get(slug="timesup")
started = time.monotonic()
first = log.publish(campaign.pk, force=True)
first_seconds = time.monotonic() - started
generate(campaign, 1000)
started = time.monotonic()
log.publish(campaign.pk, force=True)
print(json.dumps({"log_size": first.size, "log_first_checkpoint_seconds": first_seconds,
                  "log_next_checkpoint_seconds": time.monotonic() - started}))
"""


def sign_for(site, args, name, prefix):
    """wrk signing the form for --sign-seconds, every address new (`prefix`):
    the measure, named `name`, counting the signatures accepted, and how many
    were accepted and how many were answered with a server error."""
    _, _, page = fetch(site, "/en/sign/")
    output = wrk(
        site,
        "/en/sign/",
        args.sign_seconds,
        args.connections,
        script=ROOT / "bench" / "sign.lua",
        script_args=[form_field(page, "started"), prefix, site.https_base],
    )
    measure = parse_wrk(name, output)
    counts = re.search(r"BENCH accepted=(\d+) server_errors=(\d+) other=(\d+)", output)
    accepted, server_errors, other = (int(n) for n in counts.groups())
    measure.requests_per_second = accepted / args.sign_seconds
    measure.errors = server_errors + other
    return measure, accepted, server_errors


def log_checkpoint_times(env):
    """The letter's log at the bench's size: its first checkpoint (every entry
    hashed into the tiles), then one after 1,000 more entries (the worker's
    usual work, every LOG_CHECKPOINT_SECONDS)."""
    return json.loads(manage(env, "shell", "-c", LOG_CHECKPOINTS).strip().splitlines()[-1])


def bench(backend, args):
    var_dir = Path(args.workdir).resolve() / backend
    if not args.reuse:
        fresh_database(backend, var_dir)
    run = Run(backend)
    measure_minimal(backend, var_dir, args, run)
    env = site_environment(backend, var_dir, free_port())
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
        run.facts["log_append_seconds"] = None
    else:
        manage(env, "load_default_campaign")
        manage(env, "createsuperuser", "--noinput")
        started = time.monotonic()
        output = manage(env, "generate_signatures", "timesup", "--count", str(args.signatures))
        # Their entries in the letter's public log are appended in the same
        # command, in one batch: reported on their own line.
        logged = float(re.search(r"their log entries: ([\d.]+) s", output).group(1))
        run.facts["generate_seconds"] = time.monotonic() - started - logged
        run.facts["log_append_seconds"] = logged
        if backend == "postgresql":
            # As an operator would after a bulk load: without it, autovacuum
            # works through the new rows during the first measures (the
            # site's own middleware measured at 0.19 of the minimal Django in
            # one run, 0.56 once settled).
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/{PG_DATABASE}", autocommit=True) as connection:
                connection.execute("VACUUM (ANALYZE)")
                # And write the load's pages out now, not in the middle of a measure.
                connection.execute("CHECKPOINT")
    run.facts.update(log_checkpoint_times(env))
    deep_cursor = deep_wall_cursor(env, int(args.signatures * 0.9))
    code = "from pledges.models import Signature as S; print(S.objects.order_by('pk')[0].email)"
    sample_email = urllib.parse.quote(manage(env, "shell", "-c", code).strip().splitlines()[-1])

    mail_server = MailServer()
    env["EMAIL_URL"] = mail_server.url
    site = Site(env, var_dir / "gunicorn.log")
    try:
        session = staff_session(site)
        pages = [
            (IN_SITE_BARE, "/bench/bare/", ""),
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
            if path == "/en/":
                # The same page as shared links bring people to it: every
                # address its own (codes, made-up codes, tracking tags).
                script = ROOT / "bench" / "shared_links.lua"
                wrk(site, path, min(2, args.seconds), connections, script=script)  # warm up
                output = wrk(site, path, args.seconds, connections, script=script)
                run.measures.append(parse_wrk(SHARED_LINKS, output))

        # Signing first with no worker: what the request itself costs (the
        # worker's share comes next). Its signatures' emails are then dropped
        # from the queue, so the next phase's lag is its own signatures'.
        alone, _, _ = sign_for(site, args, SIGNING_ALONE, f"alone-{secrets.token_hex(3)}")
        run.measures.append(alone)
        manage(env, "shell", "-c", FORGET_OWED_EMAILS)

        before = count_rows(env)
        database_cpu = postgres_cpu_seconds()
        prefix = f"bench-{secrets.token_hex(3)}"
        # The task worker sends every email beside gunicorn, as on launch day
        # (`make run`, compose, docs/deploy.md), to a real SMTP server.
        worker = TaskWorker(env, var_dir / "worker.log")
        try:
            signing_started = time.time()
            signing, accepted, server_errors = sign_for(site, args, SIGNING, prefix)
            signing_ended = time.time()
            if backend == "postgresql":
                # Its share of each signature: what one PostgreSQL takes for
                # several app hosts (docs/deploy.md, "More than one machine").
                run.facts["database_cpu_seconds"] = postgres_cpu_seconds() - database_cpu
            stored = count_rows(env) - before
            # The backlog: how long after the load the last email arrives.
            deadline = signing_ended + args.backlog_seconds
            while len(mail_server.received(prefix)) < stored and time.time() < deadline:
                time.sleep(0.2)
        finally:
            worker.stop()
        signing.note = f"{accepted} accepted, {stored} stored, {server_errors} server errors"
        run.measures.append(signing)
        run.facts.update(accepted=accepted, stored=stored, server_errors=server_errors)
        run.facts["worker_peak_mb"], run.facts["workers"] = site.peak_memory_per_worker_mb()
        run.facts.update(
            email_leg(env, mail_server.received(prefix), prefix, signing_started, signing_ended)
        )
        if "database is locked" in (var_dir / "gunicorn.log").read_text():
            run.facts["database_locked"] = True
    finally:
        site.stop()
        mail_server.stop()

    run.facts["export_seconds"], run.facts["export_peak_mb"] = export_csv(env)
    shared_address_phase(backend, var_dir, args, run)
    judge(run, args)
    return run


def email_leg(env, received, prefix, started, ended):
    """What the signers' emails did: each stored signature's email, whether
    it arrived (once), the lag from its POST (the signature's created_at) to
    its arrival at the SMTP server, the pace during the load, and how long
    the backlog took to clear after it."""
    code = (
        "import json; from pledges.models import Signature as S; "
        f"print(json.dumps({{e: t.timestamp() for e, t in S.objects.filter("
        f"email__startswith='{prefix}-').values_list('email', 'created_at')}}))"
    )
    created = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    first_arrivals = {email: min(times) for email, times in received.items()}
    lags = [first_arrivals[email] - at for email, at in created.items() if email in first_arrivals]
    during = sum(1 for at in first_arrivals.values() if started <= at <= ended)
    return {
        "emails_stored": len(created),
        "emails_delivered": sum(1 for email in created if email in first_arrivals),
        "emails_twice": sum(1 for times in received.values() if len(times) > 1),
        "emails_per_second": during / max(ended - started, 1e-9),
        "lag_p50": percentile(lags, 0.50),
        "lag_p99": percentile(lags, 0.99),
        "lag_max": max(lags, default=0.0),
        "backlog_seconds": max(first_arrivals.values(), default=ended) - ended,
    }


def shared_address_phase(backend, var_dir, args, run):
    """At the default limits: `--crowd` people behind one address sign and each
    confirms from the link in their email, a few at a time, as people do; then
    one client behind another address sends `--flood` addresses nobody confirms."""
    env = site_environment(backend, var_dir, free_port(), limits="default")
    # Any email the load test's worker left unsent is not this phase's to send.
    manage(
        env,
        "shell",
        "-c",
        "from pledges.models import Submission as S; "
        "S.objects.filter(email_requested_at__isnull=False).update(email_requested_at=None)",
    )
    mail_dir = var_dir / "shared-address-mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    env.update(
        # Each email written at once, as a file, so the crowd can open its link.
        TASKS_IMMEDIATE="true",
        EMAIL_URL=f"filemail:///{mail_dir}",
        # The addresses the "proxy" saw come in X-Forwarded-For.
        TRUSTED_PROXY_COUNT="1",
        SIGNING_MIN_FILL_SECONDS="0",
    )
    site = Site(env, var_dir / "shared-address.log")
    prefix = f"crowd-{secrets.token_hex(3)}"
    try:
        crowd = [f"{prefix}-{n}@example.org" for n in range(args.crowd)]
        statuses = {}

        def sign(email, client):
            _, _, page = fetch(site, "/en/sign/", client=client)
            data = {
                "started": form_field(page, "started"),
                "name": "Crowd Signer",
                "email": email,
                "country": "US",
                "industry": "education",
            }
            status, _, _ = fetch(
                site, "/en/sign/", data, referer=site.https_base + "/en/sign/", client=client
            )
            return status

        def confirm(email):
            path = confirmation_path(mail_dir, email)
            _, headers, page = fetch(site, path, client=CROWD_ADDRESS)
            csrf = cookie(headers, "__Host-csrftoken")
            # The confirmation page's form, as it comes: what the form sent asked for.
            data = {
                "csrfmiddlewaretoken": form_field(page, "csrfmiddlewaretoken"),
                "name": "Crowd Signer",
                "country": "US",
                "industry": "education",
            }
            fetch(site, path, data, cookies=csrf, referer=site.https_base + path)

        # People confirm a while after signing: 20 wait for their email at any time.
        for n, email in enumerate(crowd):
            statuses[email] = sign(email, CROWD_ADDRESS)
            if n >= 20:
                confirm(crowd[n - 20])
        for email in crowd[-20:]:
            confirm(email)
        flood = [sign(f"{prefix}-flood-{n}@example.org", FLOOD_ADDRESS) for n in range(args.flood)]
    finally:
        site.stop()
    code = (
        "from pledges.models import Signature as S; "
        f"print(S.objects.filter(email__startswith='{prefix}-', confirmed_at__isnull=False)"
        f".exclude(email__contains='-flood-').count(), "
        f"S.objects.filter(email__startswith='{prefix}-flood-').count())"
    )
    counted, flood_stored = manage(env, "shell", "-c", code).strip().splitlines()[-1].split()
    run.facts.update(
        crowd=args.crowd,
        crowd_taken=sum(1 for status in statuses.values() if status == 302),
        crowd_counted=int(counted),
        flood=args.flood,
        flood_taken=sum(1 for status in flood if status == 302),
        flood_refused=sum(1 for status in flood if status == 429),
        flood_stored=int(flood_stored),
        default_limit=SIGNING_RATE_LIMIT_DEFAULT,
    )


def confirmation_path(mail_dir, email):
    """The confirmation link's path in the email `email` was sent."""
    # Django's file backend may append several messages to one file, each
    # followed by a line of dashes.
    for file in sorted(mail_dir.glob("*.log")):
        for text in file.read_text().split("-" * 79):
            if not re.search(rf"^To: {re.escape(email)}$", text, re.MULTILINE):
                continue
            return re.search(r"https?://[^/\s]+(/[a-z]{2}/sign/confirm/[^\s]+/)", text).group(1)
    sys.exit(f"no confirmation email for {email}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="of load on each page")
    parser.add_argument("--sign-seconds", type=int, default=60, help="of sustained signing")
    parser.add_argument(
        "--backlog-seconds",
        type=int,
        default=60,
        help="to wait, after signing, for the last emails to arrive",
    )
    parser.add_argument("--connections", type=int, default=32, help="for public pages")
    parser.add_argument("--admin-connections", type=int, default=2, help="for admin pages")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--crowd", type=int, default=200, help="people behind one address who confirm"
    )
    parser.add_argument(
        "--flood", type=int, default=60, help="addresses one client sends that nobody confirms"
    )
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
    lost = [
        r
        for r in runs
        if r.facts["server_errors"]
        or r.facts["stored"] < r.facts["accepted"]
        or r.facts["crowd_counted"] < r.facts["crowd"]
    ]
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
