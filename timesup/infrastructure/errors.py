"""Failure pages: on-brand, short, and never a traceback. (The 404 page,
under the featured letter's name, is campaign/views.py's.)"""

import sys

from django.db import InterfaceError, OperationalError
from django.shortcuts import render

# Seconds a browser or proxy should wait before retrying while the database is away.
RETRY_AFTER_SECONDS = 30


def csrf_failure(request, reason=""):
    """A form sent with a stale or missing security token: usually an old tab."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """handler500. A database that cannot be reached is not our bug but an outage:
    answer 503 with Retry-After, so browsers, proxies and monitors know to come back."""
    error = sys.exc_info()[1]
    # OperationalError covers refused connections, timeouts and a server that
    # went away (PostgreSQL) or an unreadable file (SQLite); InterfaceError a
    # dropped connection.
    if isinstance(error, OperationalError | InterfaceError):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return render(request, "500.html", status=500)
