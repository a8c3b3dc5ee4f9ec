"""The in-process cost of one request: wall time and this process's CPU time per
request, through the whole WSGI application (every middleware), with no
server and no network. What `make bench` measures under load, taken apart.

    .venv/bin/python bench/probe.py /en/sign/                      # the site, GET
    .venv/bin/python bench/probe.py /en/sign/ --post               # a signature each time
    .venv/bin/python bench/probe.py / --settings bench.minimal.settings
    .venv/bin/python bench/probe.py /en/sign/ --post --profile 30  # cProfile on CPU time

The database and cache are the environment's (DATABASE_URL, CACHE_URL), as
for manage.py; --post signs with a fresh address each time, so run it against
a database you can fill (`make bench` leaves its own in var/bench/).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--settings", default="timesup.settings")
    parser.add_argument("--post", action="store_true", help="POST a signing form")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", type=int, metavar="ROWS", help="print a CPU profile")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    # One client signing thousands of times: the limit meant for people is raised.
    os.environ.setdefault("SIGNING_RATE_LIMIT", "1000000000")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    body = _signing_body if args.post else (lambda n: b"")
    if args.post and args.settings == "bench.minimal.settings":

        def body(n):
            return f"name=Probe&country=US&email=probe-{time.time_ns()}-{n}%40example.org".encode()

    def request(n):
        data = body(n)
        environ = {
            "REQUEST_METHOD": "POST" if args.post else "GET",
            "PATH_INFO": args.path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "443",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "https",  # as behind the TLS proxy
            "wsgi.input": io.BytesIO(data),
            "wsgi.errors": sys.stderr,
            "HTTP_ORIGIN": "https://127.0.0.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(data)),
        }
        statuses = []
        response = application(
            environ, lambda status, headers, exc_info=None: statuses.append(status)
        )
        b"".join(response)
        response.close()
        return statuses[0]

    for n in range(200):  # warm up: imports, templates, connections, the page cache
        request(n)
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(args.requests):
        status = request(n)
    wall = (time.perf_counter() - started) / args.requests
    cpu = (time.process_time() - cpu) / args.requests
    method = "POST" if args.post else "GET"
    print(
        f"{args.settings} {method} {args.path}: {wall * 1e6:,.0f} µs a request, "
        f"{cpu * 1e6:,.0f} µs of this process's CPU (last answer {status})"
    )
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.runcall(lambda: [request(n) for n in range(args.requests)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)


def _signing_body(n):
    from pledges.forms import SignatureForm

    started = SignatureForm.started_token(time.time() - 60)
    return (
        f"started={started}&name=Probe+Signer"
        f"&country=US&industry=law&email=probe-{time.time_ns()}-{n}%40example.org"
    ).encode()


if __name__ == "__main__":
    main()
