"""Work done outside the request, by `manage.py db_worker` (Django's tasks API)."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from pledges import mail
from pledges.models import Signature

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@task()
def send_signature_email(signature_id, language=None, attempt=1):
    """Email the signer who just sent the form: the confirmation link, or, if
    the signature is confirmed already, a note saying so with its withdrawal
    link. In the language they signed in. An address gets at most
    1 + CONFIRMATION_RESENDS_PER_DAY of these a day, however often the form is
    sent with it. On a mail-server failure, a retry is queued with a growing
    delay; the signature is never touched by a failure."""
    signature = Signature.objects.select_related("campaign").filter(pk=signature_id).first()
    if signature is None:
        return "withdrawn"  # withdrawn or purged while the email waited
    if attempt == 1 and not signature.reserve_email(
        limit=1 + settings.CONFIRMATION_RESENDS_PER_DAY
    ):
        return "enough sent today"
    kind = mail.ALREADY_SIGNED if signature.is_confirmed else mail.CONFIRMATION_REQUEST
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            message = mail.signature_email(signature, kind)
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        # Logged by id and error class only: the message names the address.
        logger.warning(
            "Email %s for signature %s failed (attempt %d): %s",
            kind,
            signature_id,
            attempt,
            type(error).__name__,
        )
        if attempt >= MAX_ATTEMPTS or not default_task_backend.supports_defer:
            raise
        send_signature_email.using(
            run_after=timezone.now() + timedelta(minutes=2**attempt)
        ).enqueue(signature_id, language=language, attempt=attempt + 1)
        return "retry queued"
    return "sent"
