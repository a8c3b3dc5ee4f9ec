"""The container's health check: GET /healthz from gunicorn where it listens
(GUNICORN_BIND: a TCP address, or a unix socket as compose.yaml binds it for
the proxy), under the host the site answers to. Exits 0 when the site and its
database answer, 1 otherwise.

    python deploy/healthcheck.py
"""

import http.client
import os
import socket
import sys


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def healthy(bind, host, timeout=4):
    if bind.startswith("unix:"):
        connection = UnixConnection(bind.removeprefix("unix:"), timeout)
    else:
        # Asked on the loopback, whatever address gunicorn listens on (the
        # image's default, 0.0.0.0:8000, takes it too).
        connection = http.client.HTTPConnection(
            "127.0.0.1", int(bind.rpartition(":")[2]), timeout=timeout
        )
    try:
        connection.request("GET", "/healthz", headers={"Host": host})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


if __name__ == "__main__":
    # timesup/gunicorn.conf.py's default: 127.0.0.1 and the site's PORT.
    bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
    sys.exit(0 if healthy(bind, host) else 1)
