"""gunicorn settings, read from the environment (`make run` uses this file).

gunicorn --config timesup/gunicorn.conf.py timesup.wsgi
"""

import multiprocessing
import os
import sys
from pathlib import Path

# The port and the proxies in front are the site's settings (timesup/settings.py,
# from the environment or .env), read here as the site reads them: one owner.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timesup.settings")
from django.conf import settings

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{settings.PORT}")


# The site tells clients apart by their address (signing budgets, the admin's
# lockout). Through a unix socket there is none (REMOTE_ADDR is empty): only
# the proxy in front knows it, and TRUSTED_PROXY_COUNT must say it is there.
# gunicorn runs no Django system checks, so the check is here, at start.
if bind.startswith("unix:") and settings.TRUSTED_PROXY_COUNT < 1:
    sys.exit(
        f"Refusing to start: gunicorn is bound to {bind}, where the client's address "
        "is unknown, and TRUSTED_PROXY_COUNT is 0. Set TRUSTED_PROXY_COUNT to the "
        "number of proxies in front (1 for nginx on this host, docs/deploy.md), so "
        "that the site can tell clients apart."
    )

# Several processes, so one slow request never holds the site, each with a
# few threads. Slow clients are not stopped here: gunicorn has no timeout for
# reading a request's headers, so it listens on 127.0.0.1 (or a socket) only,
# with nginx in front reading whole requests first (docs/deploy.md).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request that takes longer than this is killed and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGHUP or SIGTERM, workers finish what they are doing for this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5

# Refuse oversized requests before Django sees them: no page here needs a URL
# or headers anywhere near these (Django refuses bodies over 256 KB itself).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Recycle workers now and then, so a slow leak cannot grow without bound. Not
# often: a fresh worker answers its first requests slowly (imports, templates),
# which `make bench` saw as p99 spikes when workers recycled every 20,000.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10

# Only the proxy on this host may tell us the client's scheme (X-Forwarded-Proto).
# The client's address is read by the site itself, from TRUSTED_PROXY_COUNT.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


# Access and error log on stdout/stderr, one line per request. The request
# line holds no personal data: signing is a POST, its fields are in the body.
# Link tokens are cut out and the client's address is cut to its network
# (timesup/infrastructure/logs.py).
logger_class = "timesup.infrastructure.logs.GunicornLogger"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn's run-time control socket sits at one path per user by default, so
# two instances on a host (a test run beside `make run`) would fight over it.
# Signals (HUP to reload, TERM to stop) do what we need.
control_socket_disable = True
