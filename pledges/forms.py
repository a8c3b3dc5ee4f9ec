import functools
import re
import time
import unicodedata

import disposable_email_domains
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from publicsuffixlist import PublicSuffixList

from campaign.models import SourceCode
from pledges.addresses import domain_and_parents
from pledges.consent import UPDATES_WORDING
from pledges.models import BlockedDomain, Industry

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


# Joiners that Persian, Indic and other scripts need inside a word (ZWNJ, ZWJ):
# the only format characters a name may hold, and only between two letters.
_JOINERS = {"\u200c", "\u200d"}
# Letters and marks that show nothing: Hangul fillers, the combining grapheme
# joiner, the Braille blank (a name made of U+3164 is blank on the wall).
_BLANK_CHARACTERS = set("\u115f\u1160\u3164\uffa0\u034f\u2800\u17b4\u17b5")
# A link, as people and spammers write one: a scheme, or www.
_LINK = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*://|\bwww\.)")
# A word shaped like a host name: labels joined by dots, no space between.
_HOST_SHAPED = re.compile(r"(?<![\w.-])[\w-]{2,}(?:\.[\w-]+)+")


@functools.cache
def _public_suffixes():
    # The Public Suffix List as the package ships it: never fetched at run time.
    return PublicSuffixList(accept_unknown=False)


def names_a_host(text):
    """Whether `text` holds a word shaped like a host name under a public
    suffix (pharma.shop, win.com, a.b.co.uk): "Dr.Smith" and "J. Li" do not."""
    suffixes = _public_suffixes()
    return any(
        suffixes.privatesuffix(word.lower().strip("-")) is not None
        for word in _HOST_SHAPED.findall(text)
    )


_NAME_MESSAGES = {
    "invisible": _("Please remove the invisible characters from your name."),
    "separators": _("Please use plain spaces between the parts of your name."),
    "blank": _("Please write your name in letters."),
}
_COMMENT_MESSAGES = {
    "invisible": _("Please remove the invisible characters from your comment."),
    "separators": _("Please use spaces and line breaks between the words of your comment."),
    "blank": _("Please write your comment so that people can read it, or leave it empty."),
}


def validate_readable(text, messages, *, is_comment=False):
    """Text people can read on the wall: no invisible or reordering
    characters, no blank letters, and something visible. A name keeps to
    plain spaces, and its joiners (ZWNJ, ZWJ) stand between two letters; a
    comment may break lines and use any visible space (the no-break spaces
    French puts before its punctuation, the ideographic one), and its joiners
    stand between two visible characters (emoji sequences)."""
    for i, char in enumerate(text):
        category = unicodedata.category(char)
        if (category == "Cf" or char in _BLANK_CHARACTERS) and not (
            char in _JOINERS
            and 0 < i < len(text) - 1
            and _joins(text[i - 1], text[i + 1], is_comment)
        ):
            raise ValidationError(messages["invisible"], code="invisible")
        if char == " " or (is_comment and (char in "\n\r\t" or category == "Zs")):
            continue
        if category in ("Zl", "Zp", "Zs"):
            raise ValidationError(messages["separators"], code="separators")
    if text and not any(
        not unicodedata.category(char).startswith(("Z", "C")) and char not in _BLANK_CHARACTERS
        for char in text
    ):
        raise ValidationError(messages["blank"], code="blank")


def _joins(before, after, is_comment):
    if is_comment:
        return not before.isspace() and not after.isspace()
    return before.isalpha() and after.isalpha()


def validate_name(name):
    """A name people can read on the wall: a visible letter at least, no
    invisible or reordering characters, plain spaces only, and no link."""
    validate_readable(name, _NAME_MESSAGES)
    if not any(
        unicodedata.category(char).startswith("L") and char not in _BLANK_CHARACTERS
        for char in name
    ):
        raise ValidationError(_("Please write your name in letters."), code="no_letters")
    if _LINK.search(name) or names_a_host(name):
        raise ValidationError(_("Your name can't contain links."), code="link")


def validate_comment(comment):
    """A comment follows a name's rule of readability, line breaks kept."""
    validate_readable(comment, _COMMENT_MESSAGES, is_comment=True)


class CodeChoiceField(forms.ChoiceField):
    """A choice among fixed codes, named in the reader's language.

    With a list of 250 countries, Django's ChoiceField deep-copied it into
    every form and walked it to check a value: a third of a signing request.
    Given as a function (`choices`), it is copied as one (Django keeps it as
    a CallableChoiceIterator) and called only when the field is drawn; a
    value is checked against a set (valid_value, the field's public hook)."""

    def __init__(self, codes, choices, **kwargs):
        super().__init__(choices=choices, **kwargs)
        self.codes = frozenset(codes)

    def valid_value(self, value):
        return value in self.codes


def _country_choices():
    return [("", _("Choose your country")), *countries]


def _industry_choices():
    # "Prefer not to say" first, and chosen unless the signer picks another.
    undisclosed = (Industry.UNDISCLOSED, Industry.UNDISCLOSED.label)
    return [undisclosed, *(choice for choice in Industry.choices if choice != undisclosed)]


def updates_field():
    """The box that asks for updates: a consent of its own, never ticked for the signer."""
    return forms.BooleanField(
        label=UPDATES_WORDING,
        required=False,
        help_text=_("Now and then. Every email has a link to stop them."),
    )


class SignerDetailsForm(forms.Form):
    """What a signer tells us, and the rules each answer follows: the signing
    form's fields, and an imported row's. The database's constraints (one
    signature per address, known industries) are the last word; this form
    gives the person a message they can act on first."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        error_messages={
            "required": _("Enter your name."),
            "max_length": _("Please shorten your name to 100 characters at most."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("Never shown publicly. One signature per address."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter your email address as name@example.org."),
            "max_length": _("This address is too long: 254 characters at most."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    country = CodeChoiceField(
        codes=[code for code, _name in countries],
        choices=_country_choices,
        label=_("Country"),
        error_messages={
            "required": _("Choose your country."),
            "invalid_choice": _("Choose your country from the list."),
        },
    )
    industry = CodeChoiceField(
        codes=Industry.values,
        choices=_industry_choices,
        label=_("Where you work"),
        initial=Industry.UNDISCLOSED,
        required=False,
        error_messages={"invalid_choice": _("Choose where you work from the list.")},
    )
    comment = forms.CharField(
        label=_("A few words (optional)"),
        max_length=500,
        required=False,
        help_text=_("Up to 500 characters. Shown publicly once our team has read it."),
        error_messages={"max_length": _("Please shorten your comment to 500 characters at most.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    show_name = forms.BooleanField(
        label=_("Show my name on the public list of signatures"),
        required=False,
        help_text=_("Unticked, your signature counts and your name stays private."),
    )

    DETAILS = ["name", "email", "country", "industry", "comment", "show_name"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def signer_fields(self):
        """The fields a person fills in, in order (not the honeypot, nor
        the source code, which the page draws itself)."""
        return [self[name] for name in self.DETAILS if not self[name].is_hidden]

    def signature_details(self):
        """What is stored of the signer's answers."""
        return {name: self.cleaned_data[name] for name in self.DETAILS}

    def clean_name(self):
        name = self.cleaned_data["name"]
        reject_control_characters(name)
        validate_name(name)
        return name

    def clean_industry(self):
        # Left out of the form (a partner's own form, an imported row): not said.
        return self.cleaned_data["industry"] or Industry.UNDISCLOSED

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        reject_control_characters(comment, allowed="\n\r\t")
        validate_comment(comment)
        return comment

    def clean_email(self):
        email = self.cleaned_data["email"]
        reject_control_characters(email)
        local, _at, domain = email.rpartition("@")
        # Django takes "gina"@ and "g\\ina"@, which every mail server delivers
        # to gina@: one mailbox under many spellings, each another signature.
        # Like most large sites, we take the plain form only.
        if local.startswith('"') or "\\" in local:
            raise ValidationError(
                _(
                    "Please write your address without quotation marks or backslashes, "
                    "like name@example.org."
                ),
                code="quoted",
            )
        # Django takes x@[127.0.0.1] and x@localhost; no signer's mailbox is there.
        if domain.startswith("[") or "." not in domain.strip("."):
            raise ValidationError(
                _("Please use an address with a full domain name, like name@example.org."),
                code="no_domain",
            )
        domains = domain_and_parents(domain)
        blocked = BlockedDomain.objects.blocks_any(domains) or (
            settings.BLOCK_DISPOSABLE_EMAIL_DOMAINS
            and any(domain in disposable_email_domains.blocklist for domain in domains)
        )
        if blocked:
            raise ValidationError(
                _("We can't accept addresses at this domain. Please sign with another address."),
                code="blocked_domain",
            )
        return email


class SignatureForm(SignerDetailsForm):
    """The solidarity letter's signing form: field names are part of the public contract.

    Two quiet checks turn simple bots away without troubling people: a
    honeypot field people never see (`website`), and the time since the form
    was made (`started`, see started_token), which no person fills in within
    SIGNING_MIN_FILL_SECONDS. Neither is a real guard, and neither needs to
    be: email confirmation and the per-client budget (pledges/throttle.py)
    are.

    It never says that an address has signed already: signing a political
    letter is sensitive. The database turns a second signature away, silently
    (Submission.objects.store()).
    """

    # Hidden from people by CSS and from assistive technology by aria-hidden;
    # bots that fill every field fill this one too.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    # Its own consent, never ticked for the signer (pledges/consent.py).
    wants_updates = updates_field()

    # The page's source code (`?source=`), drawn by the page as a hidden
    # field; any value is taken, as its code or as "other" (clean_source).
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    DETAILS = [*SignerDetailsForm.DETAILS, "wants_updates", "source"]

    @staticmethod
    def started_token(at=None):
        """The `started` value of a form made at `at` (a timestamp; now by
        default): the start of its time window, PAGE_CACHE_SECONDS long.

        The same for every visitor within a window, so that the page is the
        same bytes for everyone, from any process or host, and any cache may
        keep it whole. Signed, so it can't be forged, and it expires
        (SIGNING_FORM_MAX_MINUTES). The minimum fill time is counted from the
        window's start: a copy served late in its window lets its sender be
        that much quicker, which still turns away the bot that posts the
        moment it has the page."""
        window = max(settings.PAGE_CACHE_SECONDS, 1)
        moment = int(time.time() if at is None else at)
        return signing.dumps(moment - moment % window, salt=_STARTED_SALT)

    def clean_source(self):
        return SourceCode.objects.normalise(self.cleaned_data["source"])

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
            started = int(signing.loads(self.data.get("started", ""), salt=_STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            started = None
        if started is None:
            raise ValidationError(
                _(
                    "Something went wrong with the form. "
                    "Please check your details and send it again."
                ),
                code="no_start_time",
            )
        if time.time() - started > settings.SIGNING_FORM_MAX_MINUTES * 60:
            raise ValidationError(
                _(
                    "This form was open for a long time, so we need you to send it "
                    "once more. Please check your details and send it again."
                ),
                code="form_expired",
            )
        if time.time() - started < settings.SIGNING_MIN_FILL_SECONDS:
            raise ValidationError(
                _(
                    "That was quicker than we expected. Please check your details "
                    "and press “Sign the letter” again."
                ),
                code="too_fast",
            )
        return cleaned_data


class ConfirmationForm(SignerDetailsForm):
    """The confirmation page's form: what will be published of the signature
    (and whether its signer gets updates), shown to the mailbox's owner as
    the form she followed asked for it, for her to keep or change before she
    confirms. Whatever she sends here is what is published; the address is
    the link's, not a field."""

    email = None
    wants_updates = updates_field()

    DETAILS = [name for name in SignerDetailsForm.DETAILS if name != "email"] + ["wants_updates"]


class ChoicesForm(forms.Form):
    """A confirmed signer's own choices, from the link in the email her address
    gets when it signs again: her name on the wall or not, and updates."""

    show_name = SignerDetailsForm.base_fields["show_name"]
    wants_updates = updates_field()
