"""One writer at a time for SQLite, queued by the kernel rather than by SQLite's sleeps.

SQLite lets one transaction write at a time. The others wait in its busy
handler, which sleeps and retries (1 ms, 2, 5, … up to 100 ms between tries):
with twenty gunicorn threads signing at once, a writer could lose the race
again and again, and the slowest signatures took seconds. Around a write
transaction, `one_writer_at_a_time()` takes an exclusive lock on a file beside
the database (flock): waiters sleep in the kernel and the next one wakes the
moment it is released. On PostgreSQL, which has real concurrent writers, it
does nothing.
"""

import fcntl
import os
import threading
from contextlib import contextmanager
from functools import cache

from django.db import connection

# How deep in one_writer_at_a_time() each thread is: a write that starts
# another while holding the lock (the email task that TASKS_IMMEDIATE runs
# inside a signature's request) is already first in the queue.
_held = threading.local()


@contextmanager
def one_writer_at_a_time():
    if connection.vendor != "sqlite" or getattr(_held, "depth", 0):
        _held.depth = getattr(_held, "depth", 0) + 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    thread_lock, descriptor = _locks(str(connection.settings_dict["NAME"]))
    # The threads of this process queue on a lock of their own first: a flock
    # belongs to the open file, which they share, so it would not part them.
    with thread_lock:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(descriptor, fcntl.LOCK_UN)


@cache
def _locks(database):
    """This process's thread lock and lock file for `database`, kept open."""
    descriptor = os.open(f"{database}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
    return threading.Lock(), descriptor
