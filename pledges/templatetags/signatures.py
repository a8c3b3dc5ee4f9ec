"""What the campaign's pages show of its signatures, loaded by name
(`{% load signatures %}`), as django-contrib-comments' `{% load comments %}`
is: the campaign app's templates compose them; its Python never imports
pledges."""

from django import template

from pledges.consent import CONSENT_WORDING
from pledges.forms import SignatureForm
from pledges.models import Signature
from pledges.statistics import signed_last_day

register = template.Library()

# Featured voices on the campaign page: a handful, not a second wall.
FEATURED_VOICES_SHOWN = 12
# The newest named signers on the letter's page: one line on a phone.
LATEST_SIGNERS_SHOWN = 5


@register.inclusion_tag("pledges/_count.html")
def signature_progress(campaign):
    """The count toward the goal, with the last day's signatures: how fast the letter grows."""
    return {"campaign": campaign, "signed_last_day": signed_last_day(campaign)}


@register.inclusion_tag("pledges/_featured_voices.html")
def featured_voices(campaign):
    """The signers staff chose to quote, founding signers first."""
    voices = Signature.objects.filter(campaign=campaign).featured_voices()
    return {"voices": voices[:FEATURED_VOICES_SHOWN]}


@register.inclusion_tag("pledges/_latest_signers.html")
def latest_signers(campaign):
    """The newest signers who chose to show their name: people like you sign this."""
    signers = Signature.objects.filter(campaign=campaign).latest_named()
    return {"campaign": campaign, "signers": signers[:LATEST_SIGNERS_SHOWN]}


@register.inclusion_tag("pledges/_sign_form.html")
def signing_form(campaign, source=""):
    """The empty signing form, for the letter's own page: the same for every
    visitor (see SignatureForm.started_token), so the page stays cacheable;
    `source`, the page's normalised source code, goes with the signature."""
    return {
        "campaign": campaign,
        "source": source,
        "form": SignatureForm(),
        "started_token": SignatureForm.started_token(),
        "consent_wording": CONSENT_WORDING,
    }
