"""The logs, published: each letter's latest checkpoint, any earlier one, the
tiles and entry bundles (C2SP tlog-tiles), a consistency proof between two
checkpoints, and the keys that sign them. Read from the database (the worker
that appends may run on another host); full tiles never change, so shared
caches may keep them for ever."""

import base64

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from pledges.models import Checkpoint, LogEntry, LogKey, LogTile, SignatureLog
from pledges.transparency import verify
from pledges.transparency.log import tree
from timesup.infrastructure.resource_policy import shared_with_other_sites

FOREVER = 365 * 24 * 3600
# The newest checkpoint and the partial right edge: a few seconds, as the pages.
BRIEFLY = 5


def _text(body, max_age, immutable=False, content_type="text/plain; charset=utf-8"):
    response = HttpResponse(body, content_type=content_type)
    if immutable:
        patch_cache_control(response, public=True, max_age=max_age, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    return response


def _log(slug):
    return get_object_or_404(SignatureLog.objects.select_related("campaign"), campaign__slug=slug)


@shared_with_other_sites
@require_safe
def checkpoint(request, slug):
    """The newest signed checkpoint."""
    latest = Checkpoint.objects.filter(log=_log(slug)).order_by("-size").first()
    if latest is None:
        raise Http404("No checkpoint yet.")
    return _text(latest.note, BRIEFLY)


@shared_with_other_sites
@require_safe
def checkpoint_at(request, slug, size):
    """The checkpoint signed at `size` entries: every one is kept."""
    kept = get_object_or_404(Checkpoint, log=_log(slug), size=size)
    return _text(kept.note, FOREVER, immutable=True)


@shared_with_other_sites
@require_safe
def consistency(request, slug, old, new):
    """RFC 9162's consistency proof from the checkpoint at `old` entries to
    the one at `new`: one base64 hash a line (verify.verify_consistency)."""
    log = _log(slug)
    if not Checkpoint.objects.filter(log=log, size=new).exists() or not 0 <= old <= new:
        raise Http404("No such pair of checkpoints.")
    proof = tree(log, new).consistency_proof(old)
    return _text("".join(base64.b64encode(h).decode() + "\n" for h in proof), FOREVER)


@shared_with_other_sites
@require_safe
def tile(request, slug, path):
    """tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>], up to the newest checkpoint."""
    place = verify.parse_tile_path("tile/" + path)
    if place is None:
        raise Http404("Not a tile.")
    level, index, width = place
    log = _log(slug)
    published = log.checkpoints.order_by("-size").values_list("size", flat=True).first() or 0
    # The tile must exist, with this width, in the tree as last signed: a
    # partial tile is the right edge of one checkpoint (or of an older one).
    if level == "entries":
        start = index * verify.TILE_WIDTH
        if start + width > published:
            raise Http404("Not in a checkpoint yet.")
        entries = LogEntry.objects.filter(log=log, index__gte=start, index__lt=start + width)
        data = verify.entry_bundle(
            [d.encode() for d in entries.order_by("index").values_list("data", flat=True)]
        )
    else:
        if verify.tile_width(published, level, index) < width:
            raise Http404("Not in a checkpoint yet.")
        hashes = (
            LogTile.objects.filter(log=log, level=level, index=index)
            .values_list("hashes", flat=True)
            .first()
        )
        data = bytes(hashes or b"")[: width * verify.HASH_SIZE]
    full = width == verify.TILE_WIDTH
    return _text(
        data, FOREVER if full else BRIEFLY, immutable=full, content_type="application/octet-stream"
    )


@shared_with_other_sites
@require_safe
def keys(request):
    """Every key that signs or signed the site's checkpoints, one verifier key a line."""
    listed = LogKey.objects.order_by("first_used_at").values_list("verifier_key", flat=True)
    return _text("".join(key + "\n" for key in listed), BRIEFLY)
