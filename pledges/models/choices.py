"""The fixed choices of a signature, and the rules that name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    """Where a signer works: "from movie sets to farm fields to boardrooms"."""

    ENTERTAINMENT = "entertainment", _("Film, TV, music and entertainment")
    MEDIA = "media", _("Media, journalism and publishing")
    AGRICULTURE = "agriculture", _("Agriculture and farm work")
    BUSINESS = "business", _("Business, finance and management")
    TECHNOLOGY = "technology", _("Technology")
    HEALTH = "health", _("Health and care")
    EDUCATION = "education", _("Education and research")
    HOSPITALITY = "hospitality", _("Hospitality, restaurants and food service")
    RETAIL = "retail", _("Retail and sales")
    DOMESTIC = "domestic", _("Domestic work and cleaning")
    MANUFACTURING = "manufacturing", _("Manufacturing and construction")
    TRANSPORT = "transport", _("Transport and logistics")
    LAW = "law", _("Law and justice")
    PUBLIC = "public", _("Government and public service")
    NONPROFIT = "nonprofit", _("Non-profit and advocacy")
    SPORTS = "sports", _("Sports")
    OTHER = "other", _("Other")
    # The form's preselected answer: nobody has to say where they work to
    # sign, and those who don't are counted as such in the statistics.
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class ModerationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    HIDDEN = "hidden", _("Hidden")
    SPAM = "spam", _("Spam")


# Hidden and spam signatures leave the wall and the count; pending ones stay,
# so signing is never held up by a moderation queue. Only approved ones show
# their comment. And only confirmed ones count at all.
COUNTED_STATUSES = (ModerationStatus.PENDING, ModerationStatus.APPROVED)
COUNTED = models.Q(status__in=COUNTED_STATUSES, confirmed_at__isnull=False)

# What a signer chooses of her signature: kept from each form sent in a
# Submission of its own, and taken on by the signature only when the
# mailbox's owner confirms (Signature.confirm). Nobody else sets them.
PUBLIC_CHOICES = ["name", "country", "industry", "comment", "show_name", "wants_updates"]


UNNAMED = "Signature #"


def signature_number(pk):
    """How a signature without a name (anonymised, withdrawn) is named."""
    return f"{UNNAMED}{pk}"
