import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pledges.models import Signature

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
    """The solidarity letter's signing form: field names are part of the public contract."""

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

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # A prompt in place of Django's "---------" as the blank first choice.
        for field, prompt in [("industry", _("Choose one")), ("country", _("Choose your country"))]:
            _blank, *choices = self.fields[field].choices
            self.fields[field].choices = [("", prompt), *choices]

    def clean_name(self):
        name = self.cleaned_data["name"]
        reject_control_characters(name)
        return name

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        reject_control_characters(comment, allowed="\n\r\t")
        return comment

    def clean_email(self):
        return Signature.normalize_email(self.cleaned_data["email"])

    def validate_unique(self):
        # Never tell a visitor that an address has signed already: signing a
        # political letter is sensitive. Signature.objects.sign() lets the
        # database turn the duplicate away, silently.
        pass
