import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from campaign.models import Campaign
from pledges.forms import SignatureForm
from pledges.models import Signature

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(\d{1,17})\.(\d{1,18})", re.ASCII)


@require_http_methods(["GET", "POST"])
def sign(request):
    campaign = get_object_or_404(Campaign, is_featured=True)
    context = {"campaign": campaign, "signature_count": campaign.signature_count()}
    if not campaign.signing_open:
        status = 200 if request.method == "GET" else 403
        return render(request, "pledges/closed.html", context, status=status)

    form = SignatureForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        # The same answer whether this address is new or has signed already:
        # the page must not reveal who has signed.
        Signature.objects.sign(campaign, **form.cleaned_data)
        return redirect("pledges:thanks")
    return render(request, "pledges/sign.html", {**context, "form": form})


def thanks(request):
    campaign = get_object_or_404(Campaign, is_featured=True)
    return render(
        request,
        "pledges/thanks.html",
        {
            "campaign": campaign,
            "signature_count": campaign.signature_count(),
            "share_message": campaign.share_message(
                request.build_absolute_uri(reverse("pledges:sign"))
            ),
        },
    )


def wall(request):
    """The public wall, newest first, a page at a time.

    Pages are keyed by the last signature shown (`?after=<microseconds>.<id>`),
    not by page number, so a deep page costs what the first one does.
    """
    campaign = get_object_or_404(Campaign, is_featured=True)
    signatures = Signature.objects.filter(campaign=campaign).wall()
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
            "campaign": campaign,
            "signature_count": campaign.signature_count(),
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
