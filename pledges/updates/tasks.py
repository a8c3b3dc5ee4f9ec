"""The worker's part of an update: its batches, a minute apart (Django's tasks API)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import default_task_backend, task

from pledges.delivery import SEND_ERRORS
from pledges.models import EmailKind, EmailTally, SuppressedAddress
from pledges.models.update import Update, UpdateDelivery
from pledges.updates import mail

logger = logging.getLogger(__name__)


@task()
def send_update(update_id):
    """Send an update to its recipients, UPDATE_EMAILS_PER_MINUTE at a time:
    one batch, then this task again a minute after the batch began, until
    none is left or staff pause it. A worker that runs tasks as they are
    queued (TASKS_IMMEDIATE, tests) sends every batch at once."""
    deferred = default_task_backend.supports_defer
    while True:
        started = timezone.now()
        outcome = send_update_batch(update_id, pace=BATCH_PACE if deferred else timedelta(0))
        if outcome != MORE_TO_SEND:
            return outcome
        if deferred:
            send_update.using(run_after=started + BATCH_INTERVAL).enqueue(update_id)
            return outcome


MORE_TO_SEND = "more to send"
BATCH_INTERVAL = timedelta(minutes=1)
# The least time between two batches, however many tasks try: a little under
# the interval, for the worker's polling.
BATCH_PACE = BATCH_INTERVAL - timedelta(seconds=10)


def send_update_batch(update_id, pace=timedelta(0)):
    """One batch of an update that is being sent. Each recipient's row is
    claimed before the email leaves and never claimed again: a recipient gets
    it at most once, even if two workers run it or one stops mid-batch. Those
    no longer eligible (unsubscribed, hidden, withdrawn since) are skipped.

    At most one batch per `pace`: a task that finds the last batch more
    recent stops, ending its chain, so a resume while the chain's next task
    still waits leaves one chain, at the configured pace."""
    update = Update.objects.select_related("campaign").filter(pk=update_id).first()
    if update is None or update.state != Update.State.SENDING:
        return "not sending"
    now = timezone.now()
    took_the_batch = (
        Update.objects.filter(pk=update.pk, state=Update.State.SENDING)
        .filter(Q(last_batch_at__isnull=True) | Q(last_batch_at__lte=now - pace))
        .update(last_batch_at=now)
    )
    if not took_the_batch:
        return "batch taken by another task"
    if update.recipients_listed_at is None:
        list_recipients(update)
    with transaction.atomic():
        batch = list(
            UpdateDelivery.objects.filter(update=update, claimed_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("id")[: settings.UPDATE_EMAILS_PER_MINUTE]
            .values_list("pk", "signature_id")
        )
        UpdateDelivery.objects.filter(pk__in=[pk for pk, _ in batch]).update(
            claimed_at=timezone.now()
        )
    if not batch:
        return _finish(update)
    recipients = list(
        update.campaign.signatures.filter(
            pk__in=[signature for _, signature in batch]
        ).update_recipients()
    )
    # Nobody whose address bounced or complained (pledges/delivery.py).
    suppressed = SuppressedAddress.objects.among({signature.email for signature in recipients})
    sent = []
    for signature in recipients:
        if signature.email in suppressed:
            continue
        try:
            mail.update_email(update, signature).send()
        except SEND_ERRORS as error:
            # Not retried: a retry could send it twice if the server took it.
            logger.warning(
                "Update %s to signature %s failed: %s",
                update.pk,
                signature.pk,
                type(error).__name__,
            )
            continue
        sent.append(signature.pk)
    UpdateDelivery.objects.filter(update=update, signature__in=sent).update(sent_at=timezone.now())
    Update.objects.filter(pk=update.pk).update(sent_count=F("sent_count") + len(sent))
    EmailTally.objects.add(update.campaign_id, EmailKind.UPDATE, sent=len(sent))
    if UpdateDelivery.objects.filter(update=update, claimed_at__isnull=True).exists():
        return MORE_TO_SEND
    return _finish(update)


def _finish(update):
    finished = Update.objects.filter(pk=update.pk, state=Update.State.SENDING).update(
        state=Update.State.SENT, finished_at=timezone.now()
    )
    return "sent" if finished else "not sending"


def list_recipients(update):
    """The update's recipients as sending starts, one row each (UpdateDelivery),
    written by the database in one statement: no million objects in memory.
    Listing again (a restarted worker) adds no one twice."""
    recipients = update.recipients().order_by().values("id")
    sql, params = recipients.query.sql_with_params()
    table = connection.ops.quote_name(UpdateDelivery._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Our table's name and Django's own SQL; every value is a parameter.
            # "WHERE true" lets SQLite tell the SELECT from the ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {table} (update_id, signature_id) "  # noqa: S608
                f"SELECT %s, recipient.id FROM ({sql}) recipient WHERE true "
                "ON CONFLICT (update_id, signature_id) DO NOTHING",
                [update.pk, *params],
            )
        total = UpdateDelivery.objects.filter(update=update).count()
        Update.objects.filter(pk=update.pk).update(
            recipient_total=total, recipients_listed_at=timezone.now()
        )
    update.recipient_total = total


@task()
def send_update_test(update_id, address, language):
    """The update as a recipient in `language` will get it, to a staff member's `address`."""
    update = Update.objects.select_related("campaign").get(pk=update_id)
    mail.update_email(update, to=address, language=language).send()
    return "sent"
