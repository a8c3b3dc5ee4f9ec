import time
import unicodedata

import disposable_email_domains
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pledges.addresses import domain_and_parents
from pledges.models import BlockedDomain, Industry, Signature

_STARTED_SALT = "pledges.sign-form-started"

# Characters that can't be typed into a form by a person but can hide or
# reorder text on the wall: control characters (except line breaks in a
# comment), and the bidirectional overrides used to spoof names.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def reject_control_characters(value, allowed=""):
    for char in value:
        if char in allowed:
            continue
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            raise ValidationError(
                _("Please remove the invisible control characters from this field."),
                code="control_characters",
            )


class SignatureForm(forms.ModelForm):
    """The solidarity letter's signing form: field names are part of the public contract.

    Two quiet checks turn simple bots away without troubling people: a
    honeypot field people never see (`website`), and the time since the form
    was served (`started`, a signed timestamp), which no person fills in
    within SIGNING_MIN_FILL_SECONDS.
    """

    # Hidden from people by CSS and from assistive technology by aria-hidden;
    # bots that fill every field fill this one too.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Signature
        fields = ["name", "email", "country", "industry", "comment", "show_name"]
        labels = {
            "name": _("Your name"),
            "email": _("Your email address"),
            "country": _("Country"),
            "industry": _("Where you work"),
            "comment": _("A few words (optional)"),
            "show_name": _("Show my name on the public list of signatures"),
        }
        help_texts = {
            "email": _("Never shown publicly. One signature per address."),
            "comment": _("Up to 500 characters. Shown publicly once our team has read it."),
            "show_name": _(
                "Unless you tick this, your signature counts but your name stays private."
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    # A prompt in place of Django's "---------" as the blank first choice; set
    # here once, not per form (re-setting choices re-reads all 250 countries).
    industry = forms.ChoiceField(
        label=_("Where you work"), choices=[("", _("Choose one")), *Industry.choices]
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def signer_fields(self):
        """The fields a person fills in, in order (not the honeypot)."""
        return [self[name] for name in self._meta.fields]

    def signature_data(self):
        """What is stored of the signer's answers."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    @staticmethod
    def started_token(at=None):
        """A signed timestamp of when the form was served, for the hidden `started` field."""
        return signing.dumps(at if at is not None else time.time(), salt=_STARTED_SALT)

    @property
    def is_bot(self):
        return bool(self.data.get("website"))

    def clean(self):
        cleaned_data = super().clean()
        if self.is_bot:
            raise ValidationError("honeypot", code="honeypot")
        if self._errors:
            return cleaned_data  # the form comes back anyway; one message at a time
        try:
            started = float(signing.loads(self.data.get("started", ""), salt=_STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            raise ValidationError(
                _(
                    "Something went wrong with the form. "
                    "Please check your details and send it again."
                ),
                code="no_start_time",
            ) from None
        if time.time() - started < settings.SIGNING_MIN_FILL_SECONDS:
            raise ValidationError(
                _("That was quicker than we expected. Please check your details and send again."),
                code="too_fast",
            )
        return cleaned_data

    def clean_name(self):
        name = self.cleaned_data["name"]
        reject_control_characters(name)
        return name

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        reject_control_characters(comment, allowed="\n\r\t")
        return comment

    def clean_email(self):
        email = Signature.normalize_email(self.cleaned_data["email"])
        domains = domain_and_parents(email.rpartition("@")[2])
        blocked = BlockedDomain.objects.filter(domain__in=domains).exists() or (
            settings.BLOCK_DISPOSABLE_EMAIL_DOMAINS
            and any(domain in disposable_email_domains.blocklist for domain in domains)
        )
        if blocked:
            raise ValidationError(
                _("We can't accept addresses at this domain. Please sign with another address."),
                code="blocked_domain",
            )
        return email

    def validate_unique(self):
        # Never tell a visitor that an address has signed already: signing a
        # political letter is sensitive. Signature.objects.sign() lets the
        # database turn the duplicate away, silently.
        pass
