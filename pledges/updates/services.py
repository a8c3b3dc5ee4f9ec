"""What staff press in the admin, and the worker's task it queues: each
transition is the model's (Update.start_sending, pause, resume); the task is
queued once the transition is committed."""

from django.db import transaction

from pledges.updates.tasks import send_update, send_update_test


def start_sending_update(update):
    """Queue a draft update for the worker to send. False, with nothing
    queued, if it is sent or being sent already: pressing the action twice
    sends nobody anything twice."""
    started = update.start_sending()
    if started:
        transaction.on_commit(lambda: send_update.enqueue(update.pk))
    return started


def pause_update(update):
    """Stop after the batch being sent; False if it was not being sent."""
    return update.pause()


def resume_update(update):
    """Send the rest of a paused update, or of one whose worker stopped
    mid-send (Update.objects.stalled()): those already sent to are not sent
    to again. False for one whose worker is still sending it. If the paused
    update's next batch is still queued, the worker sends one batch a minute
    all the same (tasks.send_update_batch)."""
    resumed = update.resume()
    if resumed:
        transaction.on_commit(lambda: send_update.enqueue(update.pk))
    return resumed


def send_test_of_update(update, address, language):
    """The update, as a recipient in `language` gets it, to a staff member's address."""
    transaction.on_commit(lambda: send_update_test.enqueue(update.pk, address, language))
