"""Small factories for tests: a valid object by default, any field overridable."""

import time
from itertools import count

from django.utils import timezone

from campaign.models import Campaign
from pledges.consent import CONSENT_VERSION
from pledges.forms import SignatureForm
from pledges.models import Industry, Signature, Submission

_sequence = count(1)


def make_campaign(**fields):
    n = next(_sequence)
    defaults = {
        "title": f"Campaign {n}",
        "slug": f"campaign-{n}",
        "statement": "The clock has run out on sexual assault, harassment and inequality.",
        "letter_text": "I stand with all women across every industry.",
        "hashtag": "#TIMESUP",
        "signature_goal": 1000,
        "donation_label": "Donate to the Legal Defense Fund",
        "donation_url": "https://example.org/donate",
        "signing_open": True,
        "is_featured": False,
        "published_at": timezone.now(),
    }
    return Campaign.objects.create(**{**defaults, **fields})


def make_featured_campaign(**fields):
    return make_campaign(is_featured=True, **fields)


def make_signature(campaign, **fields):
    n = next(_sequence)
    defaults = {
        "name": f"Signer {n}",
        "email": f"signer{n}@example.org",
        "country": "US",
        "industry": Industry.ENTERTAINMENT,
        "comment": "",
        "show_name": True,
        "status": Signature.Status.PENDING,
        "confirmed_at": timezone.now(),
        "consent_version": CONSENT_VERSION,
    }
    signature = Signature.objects.create(campaign=campaign, **{**defaults, **fields})
    # The model keeps the count in the database; bring this copy of the campaign up to date.
    campaign.refresh_from_db(fields=["signature_total"])
    return signature


def make_submission(signature, **fields):
    """A form sent for `signature`'s address, with its own choices (the row's by default)."""
    defaults = {**signature.choices, "language": "en"}
    return Submission.objects.create(signature=signature, **{**defaults, **fields})


def signing_form(**fields):
    """The POST body of a valid signature, as a person sends it a minute
    after the form was served, with any field overridden."""
    return {
        "name": "Ana Lucía Pérez",
        "email": "ana@example.org",
        "country": "MX",
        "industry": "agriculture",
        "comment": "",
        "website": "",
        "started": SignatureForm.started_token(at=time.time() - 60),
        **fields,
    }
