"""The signer's pages: signing, the links in her emails (confirm, change her
choices, withdraw), the wall, the statistics, the widget and the privacy
notice. The campaign's own pages are campaign/views.py's."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from csp.decorators import csp_replace
from django.conf import settings
from django.core.cache import caches
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_cookie

from campaign.models import Campaign, SourceCode
from pledges import charts, clients, receipts, throttle, tokens
from pledges.addresses import webmail_inbox
from pledges.consent import CONSENT_VERSION, CONSENT_WORDING, UPDATES_WORDING
from pledges.forms import ChoicesForm, ConfirmationForm, SignatureForm
from pledges.models import Signature
from pledges.services import confirm_signature, sign_letter
from pledges.statistics import (
    campaign_statistics,
    country_name,
    industry_name,
    signed_last_day,
)
from timesup.infrastructure.caching import cache_public_page
from timesup.infrastructure.origin import require_same_origin
from timesup.infrastructure.resource_policy import shared_with_other_sites

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(\d{1,17})\.([0-9a-f]{32})", re.ASCII)


def _campaign(slug):
    return get_object_or_404(Campaign.objects.for_page(slug))


def _campaign_to_sign(slug):
    """The letter, kept in this process as long as a page is
    (PAGE_CACHE_SECONDS): each signature spared the query, and the form it
    came from is as old. Closing signing takes effect within those seconds."""
    seconds = settings.PAGE_CACHE_SECONDS
    key = f"campaign-to-sign:{slug or ''}"
    campaign = caches["local"].get(key) if seconds else None
    if campaign is None:
        campaign = _campaign(slug)
        if seconds:
            caches["local"].set(key, campaign, seconds)
    return campaign


# The empty form is the same for every visitor, its fill-time token included
# (it names the page's time window, not the visitor): any cache may keep it
# whole. So it carries no CSRF token (the origin check stands in for it) and
# uses no session.
@require_same_origin
@cache_public_page(query={"source": SourceCode.objects.normalise})
@require_http_methods(["GET", "HEAD", "POST"])
def sign(request, slug=None):
    campaign = _campaign_to_sign(slug)
    if not campaign.signing_open:
        status = 403 if request.method == "POST" else 200
        return render(request, "pledges/closed.html", {"campaign": campaign}, status=status)
    if request.method != "POST":
        source = SourceCode.objects.normalise(request.GET.get("source"))
        return _sign_page(request, campaign, SignatureForm(), source)
    client = clients.client_hash(request)
    form = SignatureForm(request.POST)
    if form.is_valid():
        details = form.signature_details()
        try:
            sign_letter(campaign, details, client)
        except throttle.RateLimited as limited:
            return _sign_page(request, campaign, form, details["source"], limited=limited)
        # The same answer whether this address is new, unconfirmed or
        # confirmed: the page must not reveal who has signed.
        response = redirect(campaign.page_url("pledges:thanks"))
        receipts.keep_receipt(response, campaign, details)
        return response
    if form.is_bot:
        # Nothing stored; nothing for the bot to learn.
        return redirect(campaign.page_url("pledges:thanks"))
    source = SourceCode.objects.normalise(request.POST.get("source"))
    return _sign_page(request, campaign, form, source)


def _sign_page(request, campaign, form, source, limited=None):
    """The signing page: empty, or with what the person typed and why it came
    back (never kept by any cache: see cache_public_page); `source`, the
    normalised code the form carries to the signature."""
    context = {
        "campaign": campaign,
        "source": source,
        "form": form,
        "started_token": SignatureForm.started_token(),
        "consent_wording": CONSENT_WORDING,
    }
    return _render_page(request, "pledges/sign.html", context, limited)


# The one page after signing that is this browser's own (the address the
# email went to, from its receipt): kept by no cache.
@require_same_origin
@never_cache
@vary_on_cookie
@require_http_methods(["GET", "HEAD", "POST"])
def thanks(request, slug=None):
    """After signing: the signature does not count yet. POST sends the email
    again ("Send it again"): the same work, limits and answer as signing with
    the same details, so it tells nobody whether the address had signed."""
    campaign = _campaign(slug)
    details = receipts.receipt_for(request, campaign)
    if request.method == "POST":
        if details is None or not campaign.signing_open:
            return redirect(campaign.page_url() + "#sign")
        try:
            sign_letter(campaign, details, clients.client_hash(request))
        except throttle.RateLimited as limited:
            return _thanks_page(request, campaign, details, limited=limited)
        return redirect(campaign.page_url("pledges:thanks") + "?sent=again")
    return _thanks_page(request, campaign, details, sent_again=request.GET.get("sent") == "again")


def _thanks_page(request, campaign, details, sent_again=False, limited=None):
    email = details["email"] if details else None
    context = {
        "campaign": campaign,
        # Its share links keep the code the signer came through.
        "source": details.get("source", "") if details else "",
        "email": email,
        "inbox": webmail_inbox(email) if email else None,
        "sent_again": sent_again,
    }
    return _render_page(request, "pledges/thanks.html", context, limited)


def _render_page(request, template, context, limited=None):
    """The page; with `limited` (throttle.RateLimited), a 429 that says when to
    try again, in minutes for the person and in Retry-After for the browser."""
    if limited is None:
        return render(request, template, context)
    context["retry_minutes"] = -(-limited.retry_after // 60)  # rounded up
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def signature_from_link(request, token, purpose):
    """(signature, None), or (None, the page that explains what is wrong with
    the link): for every view a link in an email opens."""
    try:
        return tokens.signature_from_token(token, purpose), None
    except (tokens.ExpiredLink, tokens.InvalidLink) as error:
        return None, _link_problem(request, error)


def _link_problem(request, error):
    """The page that explains what is wrong with a link."""
    if isinstance(error, tokens.ExpiredLink):
        template, status = "pledges/link_expired.html", 410
    else:
        template, status = "pledges/link_invalid.html", 404
    context = {"campaign": Campaign.objects.featured().first()}
    return render(request, template, context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The link in the confirmation email. GET shows what will be published,
    as the form that brought the email asked, for the mailbox's owner to keep
    or change; POST confirms what she sends. Mail scanners that open every
    link must not sign on someone's behalf, and nobody but her sets what is
    published."""
    try:
        signature, submission = tokens.confirmation_from_token(token)
    except (tokens.ExpiredLink, tokens.InvalidLink) as error:
        return _link_problem(request, error)
    if signature.is_undeliverable:
        # Its email bounced or was reported as spam: it can never count.
        return _link_problem(request, tokens.ExpiredLink())
    campaign = signature.campaign
    if signature.too_late_to_confirm:
        context = {"campaign": campaign, "grace_hours": settings.CONFIRMATION_GRACE_HOURS}
        return render(request, "pledges/confirm_too_late.html", context, status=410)
    if signature.is_confirmed:
        asks_for_updates = request.method == "POST" and request.POST.get("updates") == "yes"
        if asks_for_updates:
            signature.ask_for_updates()
        return _confirmed_page(request, signature, token, asked_now=asks_for_updates)
    asked_for = (submission or signature).choices
    form = ConfirmationForm(request.POST if request.method == "POST" else None, initial=asked_for)
    if form.is_valid():
        choices = {**form.cleaned_data, "language": get_language()}
        receipt = confirm_signature(signature, choices)
        return _confirmed_page(
            request, signature, token, asked_now=choices["wants_updates"], receipt=receipt
        )
    context = {
        "campaign": campaign,
        "token": token,
        "form": form,
        "asked_for": asked_for,
        "country_name": country_name(asked_for["country"]),
        "industry_name": industry_name(asked_for["industry"]),
        "consent_wording": CONSENT_WORDING,
    }
    return render(request, "pledges/confirm.html", context)


def _confirmed_page(request, signature, token, asked_now=False, receipt=None):
    """`receipt`: the signer's receipt, shown this once (the site keeps no copy
    of its secret: pledges/transparency/log.py)."""
    campaign = signature.campaign
    context = {
        "receipt": receipt,
        "campaign": campaign,
        # Its share links keep the code the signer came through.
        "source": signature.source or "",
        "signature": signature,
        "token": token,
        "asked_now": asked_now,
        "updates_wording": UPDATES_WORDING,
    }
    return render(request, "pledges/confirmed.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def choices(request, token):
    """The link in the email a confirmed address gets when it signs again:
    its owner, and nobody else, sets whether her name is shown and whether
    she gets updates."""
    signature, problem = signature_from_link(request, token, tokens.CHOICES)
    if problem:
        return problem
    initial = {"show_name": signature.show_name, "wants_updates": signature.wants_updates}
    form = ChoicesForm(request.POST if request.method == "POST" else None, initial=initial)
    saved = False
    if form.is_valid():
        signature.set_public_choices(**form.cleaned_data)
        saved = True
    context = {"campaign": signature.campaign, "token": token, "form": form, "saved": saved}
    return render(request, "pledges/choices.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, token):
    """The link in every email: after one more click, the signature and its data are deleted."""
    signature, problem = signature_from_link(request, token, tokens.WITHDRAWAL)
    if problem:
        return problem
    campaign = signature.campaign
    if request.method == "POST":
        signature.withdraw()
        return render(request, "pledges/withdrawn.html", {"campaign": campaign})
    return render(request, "pledges/withdraw.html", {"campaign": campaign, "token": token})


def privacy(request):
    return render(
        request,
        "pledges/privacy.html",
        {
            "campaign": Campaign.objects.featured().first(),
            "consent_wording": CONSENT_WORDING,
            "consent_version": CONSENT_VERSION,
            "confirmation_days": settings.CONFIRMATION_DAYS,
            "retention_days": settings.RETENTION_DAYS_AFTER_CLOSE,
            "suppression_days": settings.EMAIL_SUPPRESSION_DAYS,
            "operator": settings.SITE_OPERATOR.strip(),
            "operator_contact": settings.SITE_OPERATOR_CONTACT.strip(),
            "from_address": parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        },
    )


@cache_public_page
def stats(request, slug=None):
    """Who has signed, in numbers: charts drawn on the server, each with its table."""
    campaign = _campaign(slug)
    statistics = campaign_statistics(campaign)
    by_industry = [(industry_name(code), n) for code, n in statistics["by_industry"]]
    by_country = [(country_name(code), n) for code, n in statistics["by_country"]]
    industry_bars, industry_height = charts.horizontal_bars(by_industry, limit=len(by_industry))
    country_bars, country_height = charts.horizontal_bars(by_country)
    opened = campaign.published_at and timezone.localdate(campaign.published_at)
    days = charts.day_bars(statistics["per_day"], since=opened)
    return render(
        request,
        "pledges/stats.html",
        {
            "campaign": campaign,
            "statistics": statistics,
            "cache_seconds": settings.STATS_CACHE_SECONDS + settings.PAGE_CACHE_SECONDS,
            "chart_width": charts.CHART_WIDTH,
            "by_industry": by_industry,
            "industry_bars": industry_bars,
            "industry_height": industry_height,
            "by_country": by_country,
            "country_bars": country_bars,
            "country_height": country_height,
            "day_bars": days,
            "last_day_bar": days[-1] if days else None,
            "day_chart_height": charts.DAY_CHART_HEIGHT,
            "day_axis_y": charts.DAY_CHART_HEIGHT - charts.DAY_LABELS_HEIGHT,
            "chart_middle": charts.CHART_WIDTH // 2,
        },
    )


@cache_public_page(query={"after": lambda value: value if _parse_cursor(value) else ""})
def wall(request, slug=None):
    """The public wall, newest first, a page at a time.

    Pages are keyed by the last signature shown (`?after=<microseconds>.<id>`),
    not by page number, so a deep page costs what the first one does.
    """
    campaign = _campaign(slug)
    signatures = Signature.objects.filter(campaign=campaign).wall()
    after = _parse_cursor(request.GET.get("after", ""))
    if after:
        signatures = signatures.older_than(*after)
    page_size = settings.WALL_PAGE_SIZE
    page = list(signatures[: page_size + 1])
    next_cursor = wall_cursor(page[page_size - 1]) if len(page) > page_size else None
    return render(
        request,
        "pledges/wall.html",
        {
            "campaign": campaign,
            "signatures": page[:page_size],
            "next_cursor": next_cursor,
            "is_first_page": after is None,
        },
    )


def wall_cursor(signature):
    """The `?after=` value of the wall page that follows `signature`: its time
    and its public id, which tells nothing of how many rows there are."""
    micros = (signature.created_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{signature.public_id.hex}"


def _parse_cursor(value):
    """(created_at, public id) from a cursor, or None for the first page (or a
    mangled cursor)."""
    match = _CURSOR.fullmatch(value)
    if not match:
        return None
    micros, public_id = match.groups()
    try:
        return _EPOCH + timedelta(microseconds=int(micros)), public_id
    except OverflowError:  # past the year 9999
        return None


# The widget partners put in an iframe: the one page any site may frame.
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@cache_public_page
@shared_with_other_sites
def embed(request, slug=None):
    campaign = _campaign(slug)
    context = {"campaign": campaign, "signed_last_day": signed_last_day(campaign)}
    return render(request, "pledges/embed.html", context)
