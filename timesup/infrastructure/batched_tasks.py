"""A worker's task queued after many events, once a batch rather than once an event.

Signing queues the task that sends the emails it is owed; confirming, the
one that publishes the letters' logs. One task row per event was a fifth of
a signing request; instead, each process queues the task at most once every
N seconds (a setting), to run N seconds later. If the task queued last is
still to run, it will find this event's work; otherwise a new one is queued.
So every event has a task that runs after it, within about N seconds.
"""

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.immediate import ImmediateBackend


class BatchedTask:
    def __init__(self, task_path, seconds_setting):
        # Named, not imported: the task's module may import the caller's.
        self._task_path = task_path
        self._seconds_setting = seconds_setting
        self._lock = threading.Lock()
        self._last_runs_at = 0.0  # time.monotonic() of the queued task's start

    def forget(self):
        """Queue a new task after the next event, whatever was queued before."""
        self._last_runs_at = 0.0

    def queue(self):
        """After an event is committed (transaction.on_commit)."""
        task = import_string(self._task_path)
        if isinstance(task.get_backend(), ImmediateBackend):
            task.enqueue()  # TASKS_IMMEDIATE (`make dev`): at once
            return
        seconds = getattr(settings, self._seconds_setting)
        with self._lock:
            now = time.monotonic()
            if now < self._last_runs_at:
                return  # the task queued last has not run yet: it will do this one's work
            self._last_runs_at = now + seconds
        task.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue()
