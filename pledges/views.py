import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from campaign.models import Campaign
from pledges import throttle, tokens
from pledges.consent import CONSENT_VERSION, CONSENT_WORDING
from pledges.forms import SignatureForm
from pledges.models import Signature
from pledges.signing import sign as sign_letter
from pledges.statistics import (
    CHART_WIDTH,
    DAY_CHART_HEIGHT,
    campaign_statistics,
    country_name,
    day_bars,
    horizontal_bars,
    industry_name,
)
from timesup.caching import cache_public_page

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(\d{1,17})\.(\d{1,18})", re.ASCII)


def _featured_campaign_context():
    campaign = get_object_or_404(Campaign, is_featured=True)
    return {"campaign": campaign, "signature_count": campaign.signature_count()}


@require_http_methods(["GET", "POST"])
def sign(request):
    context = _featured_campaign_context()
    campaign = context["campaign"]
    if not campaign.signing_open:
        status = 200 if request.method == "GET" else 403
        return render(request, "pledges/closed.html", context, status=status)

    if request.method == "GET":
        # The empty form is built only if its cached HTML has expired (see sign.html).
        return render(request, "pledges/sign.html", _form_context(context, None))
    form = SignatureForm(request.POST)
    if form.is_valid():
        client = throttle.ip_hash(throttle.client_ip(request))
        try:
            sign_letter(campaign, form.signature_data(), client, _base_url(request))
        except throttle.RateLimited:
            response = render(request, "pledges/rate_limited.html", context, status=429)
            response["Retry-After"] = str(throttle.WINDOW_SECONDS)
            return response
        # The same answer whether this address is new, unconfirmed or
        # confirmed: the page must not reveal who has signed.
        return redirect("pledges:thanks")
    if form.is_bot:
        return redirect("pledges:thanks")  # nothing stored; nothing for the bot to learn
    return render(request, "pledges/sign.html", _form_context(context, form))


def _form_context(context, form):
    return {
        **context,
        "form": form,
        "empty_form": SimpleLazyObject(SignatureForm),
        # Fresh at every rendering, so a person sent back by the fill-time check
        # can simply send the form again.
        "started_token": SignatureForm.started_token(),
        "consent_wording": CONSENT_WORDING,
    }


def _base_url(request):
    """https://host, for links in emails (the host is checked against ALLOWED_HOSTS)."""
    return request.build_absolute_uri("/").rstrip("/")


def thanks(request):
    context = _featured_campaign_context()
    return render(request, "pledges/thanks.html", context)


def _signature_from_link(request, token, purpose):
    """(signature, None), or (None, the page that explains what is wrong with the link)."""
    try:
        return tokens.signature_from_token(token, purpose), None
    except tokens.ExpiredLink:
        return None, render(request, "pledges/link_expired.html", status=410)
    except tokens.InvalidLink:
        return None, render(request, "pledges/link_invalid.html", status=404)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link in the confirmation email. GET asks, POST confirms: mail scanners
    that open every link must not sign on someone's behalf."""
    signature, problem = _signature_from_link(request, token, tokens.CONFIRM)
    if problem:
        return problem
    campaign = signature.campaign
    if request.method == "POST" or signature.is_confirmed:
        signature.confirm()
        return render(
            request,
            "pledges/confirmed.html",
            {
                "campaign": campaign,
                "signature_count": campaign.signature_count(),
            },
        )
    return render(request, "pledges/confirm.html", {"campaign": campaign, "token": token})


@require_http_methods(["GET", "POST"])
def withdraw(request, token):
    """The link in every email: after one more click, the signature and its data are deleted."""
    signature, problem = _signature_from_link(request, token, tokens.WITHDRAW)
    if problem:
        return problem
    campaign = signature.campaign
    if request.method == "POST":
        signature.withdraw()
        return render(
            request,
            "pledges/withdrawn.html",
            {"campaign": campaign, "signature_count": campaign.signature_count()},
        )
    return render(request, "pledges/withdraw.html", {"campaign": campaign, "token": token})


def privacy(request):
    return render(
        request,
        "pledges/privacy.html",
        {
            "campaign": Campaign.objects.filter(is_featured=True).first(),
            "consent_wording": CONSENT_WORDING,
            "consent_version": CONSENT_VERSION,
            "confirmation_days": settings.CONFIRMATION_DAYS,
            "retention_days": settings.RETENTION_DAYS_AFTER_CLOSE,
        },
    )


@cache_public_page
def stats(request):
    """Who has signed, in numbers: charts drawn on the server, each with its table."""
    context = _featured_campaign_context()
    statistics = campaign_statistics(context["campaign"])
    by_industry = [(industry_name(code), n) for code, n in statistics["by_industry"]]
    by_country = [(country_name(code), n) for code, n in statistics["by_country"]]
    industry_bars, industry_height = horizontal_bars(by_industry, limit=len(by_industry))
    country_bars, country_height = horizontal_bars(by_country)
    days = day_bars(statistics["per_day"])
    return render(
        request,
        "pledges/stats.html",
        {
            **context,
            "statistics": statistics,
            "cache_seconds": settings.STATS_CACHE_SECONDS + settings.PAGE_CACHE_SECONDS,
            "chart_width": CHART_WIDTH,
            "by_industry": by_industry,
            "industry_bars": industry_bars,
            "industry_height": industry_height,
            "by_country": by_country,
            "country_bars": country_bars,
            "country_height": country_height,
            "day_bars": days,
            "last_day_bar": days[-1] if days else None,
            "day_chart_height": DAY_CHART_HEIGHT,
        },
    )


@cache_public_page
def wall(request):
    """The public wall, newest first, a page at a time.

    Pages are keyed by the last signature shown (`?after=<microseconds>.<id>`),
    not by page number, so a deep page costs what the first one does.
    """
    context = _featured_campaign_context()
    signatures = Signature.objects.filter(campaign=context["campaign"]).wall()
    after = _parse_cursor(request.GET.get("after", ""))
    if after:
        signatures = signatures.older_than(*after)
    page_size = settings.WALL_PAGE_SIZE
    page = list(signatures[: page_size + 1])
    next_cursor = _cursor(page[page_size - 1]) if len(page) > page_size else None
    return render(
        request,
        "pledges/wall.html",
        {
            **context,
            "signatures": page[:page_size],
            "next_cursor": next_cursor,
            "is_first_page": after is None,
        },
    )


def _cursor(signature):
    micros = (signature.created_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{signature.pk}"


def _parse_cursor(value):
    """(created_at, id) from a cursor, or None for the first page (or a mangled cursor)."""
    match = _CURSOR.fullmatch(value)
    if not match:
        return None
    micros, pk = (int(part) for part in match.groups())
    try:
        return _EPOCH + timedelta(microseconds=micros), pk
    except OverflowError:  # past the year 9999
        return None
