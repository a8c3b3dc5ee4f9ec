from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedText:
    """A campaign text in the visitor's language: `local_letter_text` reads
    `letter_text_es` for a Spanish page, and falls back to `letter_text` (English) where staff have
    not written the translation yet."""

    def __init__(self, field):
        self.field = field

    def __get__(self, campaign, owner=None):
        if campaign is None:
            return self
        language = get_language() or settings.LANGUAGE_CODE
        if language != settings.LANGUAGE_CODE:
            translation = getattr(campaign, f"{self.field}_{language}", "")
            if translation.strip():
                return translation
        return getattr(campaign, self.field)


def spanish_twin(field, help_text=None, **options):
    """The Spanish twin of an English text field, blank until staff translate
    it (TranslatedText then reads the English one): a campaign's texts, an
    update's."""
    return type(field)(
        format_lazy("{} (español)", field.verbose_name),
        blank=True,
        help_text=help_text or _("Leave blank to show the English text on Spanish pages."),
        **options,
    )


# The rule's one statement: the check constraint featured_campaign_is_published,
# whose message Campaign.feature() raises and the admin shows.
DRAFT_CANNOT_BE_FEATURED = _("Publish the letter before featuring it.")


# The goal is shown once the count is this share of it; a milestone before.
GOAL_SHOWN_FROM_PERCENT = 10


def _milestones():
    """10, 25, 50, 100, 250, 500, 1,000…: the round numbers a count passes."""
    scale = 1
    while True:
        for step in (10, 25, 50):
            yield step * scale
        scale *= 10


class CampaignQuerySet(models.QuerySet):
    def featured(self):
        """The campaign served at `/` (at most one: a constraint sees to it)."""
        return self.filter(is_featured=True)

    def published(self):
        """Letters with a public page; drafts have none until staff publish them."""
        return self.filter(published_at__isnull=False)

    def for_page(self, slug=None):
        """The letter a public page is for: the featured one at the site's
        root (slug None), else the published one with this slug (a draft has
        no public page). A queryset of one at most, for get_object_or_404."""
        if slug is None:
            return self.featured()
        return self.published().filter(slug=slug)

    def publish(self):
        """Publish the selected drafts; returns how many were."""
        return self.filter(published_at__isnull=True).update(published_at=timezone.now())

    def open_signing(self):
        """Open signing on the selected letters; returns how many were closed."""
        return self._set_signing_open(True)

    def close_signing(self):
        """Close signing on the selected letters; returns how many were open."""
        return self._set_signing_open(False)

    def _set_signing_open(self, signing_open):
        # Through Campaign.save, the one place closed_at follows signing_open:
        # a handful of letters, never a bulk update that could skip it.
        changing = list(self.exclude(signing_open=signing_open))
        for campaign in changing:
            campaign.signing_open = signing_open
            campaign.save(update_fields=["signing_open", "closed_at", "updated_at"])
        return len(changing)


class Campaign(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    statement = models.TextField(
        _("statement"),
        help_text=_("The campaign's statement, shown first. Blank lines part paragraphs."),
    )
    # The letter's text; "letter" in the code names the Campaign itself.
    letter_text = models.TextField(
        _("solidarity letter"),
        help_text=_("The text people sign. Blank lines part paragraphs."),
    )
    hashtag = models.CharField(
        _("hashtag"), max_length=50, blank=True, help_text=_("e.g. #TIMESUP")
    )
    signature_goal = models.PositiveIntegerField(_("signature goal"), default=100_000)
    donation_label = models.CharField(
        _("donation call to action"),
        max_length=120,
        blank=True,
        help_text=_("e.g. “Donate to the Legal Defense Fund”"),
    )
    donation_url = models.URLField(_("donation link"), blank=True)
    share_text = models.CharField(
        _("share message"),
        max_length=240,
        blank=True,
        help_text=_(
            "What signers post to ask others to join, before the link to sign; the "
            "hashtag is added if missing. Blank: a message made from the title."
        ),
    )
    signing_open = models.BooleanField(
        _("signing open"),
        default=True,
        help_text=_("Untick to close the letter: its page stays, new signatures are refused."),
    )
    is_featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_("The featured campaign is the one served at the site's home page."),
    )
    # A draft (None) has no public page and cannot be signed; staff preview
    # it, then publish it (the admin's "Publish" action).
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Blank while the letter is a draft: no public page, no signing."),
    )
    # Signatures that count (confirmed, neither hidden nor spam), kept up to
    # date as they change by pledges/counting.py, the one code that writes it,
    # so that no page ever counts a million rows.
    signature_total = models.PositiveIntegerField(_("signatures"), default=0, editable=False)
    closed_at = models.DateTimeField(
        _("closed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When signing closed: signatures are anonymised some time after."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Spanish versions, edited in the admin beside the English ones.
    title_es = spanish_twin(title, max_length=200)
    statement_es = spanish_twin(statement)
    letter_text_es = spanish_twin(letter_text)
    donation_label_es = spanish_twin(donation_label, max_length=120)
    share_text_es = spanish_twin(share_text, max_length=240)

    # The texts in the active language (English where no translation is written).
    local_title = TranslatedText("title")
    local_statement = TranslatedText("statement")
    local_letter_text = TranslatedText("letter_text")
    local_donation_label = TranslatedText("donation_label")
    local_share_text = TranslatedText("share_text")

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-is_featured", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_featured"],
                condition=models.Q(is_featured=True),
                name="one_featured_campaign",
                violation_error_message=_(
                    "Another campaign is already featured. Use the “Feature” action to switch."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(is_featured=False) | models.Q(published_at__isnull=False),
                name="featured_campaign_is_published",
                violation_error_message=DRAFT_CANNOT_BE_FEATURED,
            ),
            models.CheckConstraint(
                condition=models.Q(signing_open=True, closed_at__isnull=True)
                | models.Q(signing_open=False, closed_at__isnull=False),
                name="closed_campaign_has_closed_at",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The one owner of closed_at, which starts the retention clock
        # (RETENTION_DAYS_AFTER_CLOSE): set when signing closes, cleared when
        # it opens (a check constraint holds the two together).
        if self.signing_open:
            self.closed_at = None
        elif self.closed_at is None:
            self.closed_at = timezone.now()
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            # Everything but the count: pledges/counting.py keeps it, and this
            # instance's copy may be older than signatures made since it was
            # read (an admin's form open for a minute on launch day).
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "signature_total"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The letter's own address, /<language>/letters/<slug>/, featured or not."""
        return reverse("campaign:home", kwargs={"slug": self.slug})

    def page_url(self, url_name="campaign:home"):
        """The address of one of the letter's pages, named by its URL pattern
        (every app's letter pages take an optional `slug`: "campaign:home",
        "pledges:sign"…): the featured letter's are the short ones it has
        always had (/en/sign/), so links shared since launch and the pages
        served from cache stay one address; the others' are beneath
        get_absolute_url()."""
        if self.is_featured:
            return reverse(url_name)
        return reverse(url_name, kwargs={"slug": self.slug})

    @property
    def is_draft(self):
        return self.published_at is None

    def feature(self):
        """Make this the campaign served at `/`, in place of the one that was.
        A draft cannot be: the database refuses it (featured_campaign_is_published),
        and this raises ValidationError with the constraint's message."""
        try:
            with transaction.atomic():
                Campaign.objects.filter(is_featured=True).exclude(pk=self.pk).update(
                    is_featured=False
                )
                Campaign.objects.filter(pk=self.pk).update(
                    is_featured=True, updated_at=timezone.now()
                )
        except IntegrityError:
            raise ValidationError(DRAFT_CANNOT_BE_FEATURED, code="draft") from None
        self.is_featured = True

    def confirmations_close_at(self):
        """Until when a signature made while signing was open can still be
        confirmed: CONFIRMATION_GRACE_HOURS after closing (the UK Parliament's
        petitions allow a day), so that a person who signed just before the
        close, and opens the email the next morning, still counts. None while open."""
        if self.signing_open or self.closed_at is None:
            return None
        return self.closed_at + timedelta(hours=settings.CONFIRMATION_GRACE_HOURS)

    def accepts_confirmations(self, now=None):
        closes = self.confirmations_close_at()
        return closes is None or (now or timezone.now()) <= closes

    def signature_count(self):
        """Signatures that count: confirmed, and neither hidden nor marked as spam."""
        return self.signature_total

    def progress_percent(self):
        """How far toward the goal, in whole percent (past 100 once it is passed)."""
        if not self.signature_goal:
            return 0
        return self.signature_total * 100 // self.signature_goal

    def count_target(self):
        """What the count is shown against, as (number, is_the_goal): the goal
        once the count is GOAL_SHOWN_FROM_PERCENT of it or more, the next
        milestone before then ("3 of a goal of 100,000" over an empty bar
        tells a visitor that nobody signs; "3 toward 10" does not). None once
        the goal is reached: the count speaks for itself."""
        total, goal = self.signature_total, self.signature_goal
        if goal and total * 100 >= goal * GOAL_SHOWN_FROM_PERCENT:
            return (goal, True) if total < goal else None
        milestone = next(m for m in _milestones() if m > total)
        if goal and milestone >= goal:
            return goal, True
        return milestone, False

    @property
    def lead(self):
        """The statement's first paragraph: the line the campaign opens with."""
        return self._statement_parts()[0]

    @property
    def statement_body(self):
        """The statement after its lead paragraph."""
        return self._statement_parts()[1]

    def _statement_parts(self):
        lead, _, body = self.local_statement.replace("\r\n", "\n").strip().partition("\n\n")
        return lead, body.strip()

    def share_message(self, sign_url):
        """What a signer posts to ask others to join: the campaign's words, the
        link to sign and the hashtag, in the visitor's language."""
        text = self.local_share_text.strip() or _(
            "I stand with %(title)s. Join me! Sign the letter of solidarity:"
        ) % {"title": self.local_title}
        message = f"{text} {sign_url}"
        if self.hashtag.lower() not in text.lower():
            message = f"{message} {self.hashtag}"
        return message.strip()

    def embed_snippet(self, embed_url):
        """The HTML partner sites paste to show the count and a "Sign" button:
        300 pixels high holds the widget in every language on a 320-pixel phone
        (a browser test measures it)."""
        return format_html(
            '<iframe src="{}" title="{}" width="100%" height="300" loading="lazy" '
            'style="border:0;max-width:28rem"></iframe>',
            embed_url,
            self.title,
        )

    def has_donation_call(self):
        return bool(self.donation_label and self.donation_url)


# Where a signer came from, as `?source=<code>` on a letter's address: the
# channel each of the site's own links names, the codes staff make
# (SourceCode), and, for any other code, "other". Only the code is recorded,
# with the signature, and kept as a count (pledges/models/tally.py:
# SourceTally): nothing about the person, no cookie.
SHARE_CHANNELS = ("share-sheet", "whatsapp", "x", "facebook", "email", "copy")
SITE_CHANNELS = (*SHARE_CHANNELS, "widget", "api")
UNKNOWN_SOURCE = "other"
RESERVED_SOURCE_CODES = frozenset([*SITE_CHANNELS, UNKNOWN_SOURCE])


class SourceCodeQuerySet(models.QuerySet):
    CACHE_KEY = "source-codes"
    # A code staff create is recognised on every host within this long.
    CACHE_SECONDS = 60

    def known(self):
        """The codes staff made, kept in this process's memory (every page
        with a `?source=` asks, before its cached copy is looked up)."""
        codes = caches["local"].get(self.CACHE_KEY)
        if codes is None:
            codes = frozenset(self.values_list("code", flat=True))
            caches["local"].set(self.CACHE_KEY, codes, self.CACHE_SECONDS)
        return codes

    def normalise(self, value):
        """The code a page or a signature is credited to, from what a link
        carried: one of the site's channels or staff's codes, "" for none,
        and "other" for anything else. So a made-up code can neither fill a
        table nor multiply the pages kept in any cache."""
        code = (value or "").strip().lower()
        if not code:
            return ""
        if code in RESERVED_SOURCE_CODES or code in self.known():
            return code
        return UNKNOWN_SOURCE

    @classmethod
    def forget(cls):
        caches["local"].delete(cls.CACHE_KEY)


class SourceCode(models.Model):
    """A code of staff's own for the links they give out (a newsletter, a
    partner): `?source=<code>` on a letter's address credits the signatures
    that come through it (SourceCodeQuerySet.normalise). The site's own share links
    carry the channels' codes, which need no row."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                _("Use lower-case letters and digits, with hyphens between words."),
            )
        ],
        help_text=_(
            "Lower-case letters, digits and hyphens, e.g. partner-newsletter. "
            "It is visible in the links you give out: name the channel, never a person."
        ),
    )
    description = models.CharField(_("what it is for"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SourceCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("source code")
        verbose_name_plural = _("source codes")
        ordering = ["code"]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        SourceCodeQuerySet.forget()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        SourceCodeQuerySet.forget()
        return deleted

    def clean(self):
        super().clean()
        if self.code in RESERVED_SOURCE_CODES:
            raise ValidationError(
                {
                    "code": _("“%(code)s” is one of the site's own codes: choose another.")
                    % {"code": self.code}
                }
            )
