"""Work done outside the request, by `manage.py db_worker` (Django's tasks API)."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from pledges.mail import signature_email
from pledges.models import Signature

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@task()
def send_signature_email(signature_id, kind, base_url, attempt=1, language=None):
    """Send the confirmation (or already-signed) email, in the language the
    signer signed in; on a mail-server failure, queue a retry with a growing
    delay. The signature is never touched by a failure."""
    signature = Signature.objects.select_related("campaign").filter(pk=signature_id).first()
    if signature is None:
        return "withdrawn"  # withdrawn or purged while the email waited
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            message = signature_email(signature, kind, base_url)
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
        ).enqueue(signature_id, kind, base_url, attempt + 1, language=language)
        return "retry queued"
    return "sent"
