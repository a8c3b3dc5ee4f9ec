"""Each letter's public, append-only log of its count (issue 26: a count anyone
can audit), written here alone.

Every change to what counts appends an entry, in the same transaction as the
change to the kept count (pledges/counting.py): a signature confirmed appends
"add <digest>" (the digest of a secret the signer is given once, as her
receipt, and the site does not keep); one that stops counting (withdrawn,
hidden, marked as spam) appends "remove <its index>"; one that counts again
appends "restore <its index>". So adds - removes + restores is always the
kept count, which `check_against_count` verifies hourly.

Appending gives an entry its index at once (the receipt names it); the
worker then hashes the new entries into the tree's tiles and signs a
checkpoint, at most every LOG_CHECKPOINT_SECONDS (`publish`). The tree, the
tiles and the formats are pledges/transparency/verify.py's, the verifier
anyone can run.
"""

import base64
import binascii
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from pledges.transparency import verify
from timesup.infrastructure.batched_tasks import BatchedTask
from timesup.infrastructure.writes import one_writer_at_a_time

logger = logging.getLogger(__name__)

SECRET_BYTES = 16  # C2SP tlog-addenda: at least 16 random bytes behind each digest


def _models():
    # Looked up, not imported: pledges.models imports this module.
    return (
        apps.get_model("pledges", "SignatureLog"),
        apps.get_model("pledges", "LogEntry"),
        apps.get_model("pledges", "LogTile"),
        apps.get_model("pledges", "Checkpoint"),
        apps.get_model("pledges", "LogKey"),
    )


def origin(campaign):
    """The log's name in its checkpoints: the site's host and the letter's path."""
    return f"{urlsplit(settings.SITE_URL).netloc}/log/{campaign.slug}"


@dataclass(frozen=True)
class Receipt:
    """What a signer keeps: her entry's index and the secret whose digest it holds."""

    origin: str
    index: int
    secret: bytes

    @property
    def text(self):
        return verify.receipt_text(self.origin, self.index, self.secret)

    @property
    def code(self):
        return verify.receipt_code(self.index, self.secret)

    @property
    def data_url(self):
        """The receipt as a file to save, from the page itself: nothing stored."""
        return "data:text/plain;base64," + base64.b64encode(self.text.encode()).decode()


# Appending -------------------------------------------------------------------------


def _append(campaign_id, datas, adds=0, removes=0, restores=0):
    """Append `datas` (entry texts) to the letter's log; the index of the first.
    The log's row is locked until the caller's transaction ends, so indices
    follow one another however many confirm at once."""
    SignatureLog, LogEntry, *_ = _models()
    with transaction.atomic():
        log, _ = SignatureLog.objects.select_for_update().get_or_create(campaign_id=campaign_id)
        start = log.size
        _insert_entries(LogEntry, log.pk, start, datas)
        SignatureLog.objects.filter(pk=log.pk).update(
            size=F("size") + len(datas),
            adds=F("adds") + adds,
            removes=F("removes") + removes,
            restores=F("restores") + restores,
        )
    transaction.on_commit(checkpoints.queue)
    return start


def _insert_entries(LogEntry, log_id, start, datas):
    """One INSERT statement, run for every entry (executemany): a batch of a
    million entries costs the database's time, not a million model objects."""
    quote = connection.ops.quote_name
    table = quote(LogEntry._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        # Our table's and columns' names; every value a parameter.
        cursor.executemany(
            f"INSERT INTO {table} (log_id, {quote('index')}, data, appended_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            [(log_id, start + n, data, now) for n, data in enumerate(datas)],
        )


def _new_add():
    secret = secrets.token_bytes(SECRET_BYTES)
    return secret, verify.add_entry(verify.secret_digest(secret)).decode()


def add(signature):
    """`signature` was just confirmed: its "add" entry, its index kept on the
    row, and her receipt (the only copy of its secret). If it does not count
    (staff hid it before it was confirmed), its entry is removed in the same
    breath, so the log's count stays the kept one; the receipt then shows it
    removed."""
    Signature = apps.get_model("pledges", "Signature")
    secret, data = _new_add()
    with transaction.atomic():
        index = _append(signature.campaign_id, [data], adds=1)
        Signature.objects.filter(pk=signature.pk).update(log_index=index)
        signature.log_index = index
        if not signature.counts:
            remove(signature.campaign_id, [index])
    return Receipt(origin(signature.campaign), index, secret)


def add_without_receipt(signature):
    """A counted signature stored without being confirmed through its link (a
    founding signer, a row staff made): its "add", whose secret nobody keeps."""
    Signature = apps.get_model("pledges", "Signature")
    with transaction.atomic():
        index = add_many(signature.campaign_id, 1)
        Signature.objects.filter(pk=signature.pk).update(log_index=index)
        signature.log_index = index


def remove(campaign_id, indices):
    """These entries' signatures stopped counting (withdrawn, hidden, spam)."""
    indices = sorted(i for i in indices if i is not None)
    if indices:
        _append(
            campaign_id, [verify.remove_entry(i).decode() for i in indices], removes=len(indices)
        )


def restore(campaign_id, indices):
    """These entries' signatures count again (staff approved them after all)."""
    indices = sorted(i for i in indices if i is not None)
    if indices:
        _append(
            campaign_id, [verify.restore_entry(i).decode() for i in indices], restores=len(indices)
        )


def follow_change(before, after):
    """After a signature's save (pledges.models.Signature.save): it started or
    stopped counting, or a counted one was stored without an entry (a founding
    signer, a row staff made): the entries that say so."""
    was = before is not None and before.counts
    if after.counts and after.log_index is None:
        add_without_receipt(after)
    elif was and not after.counts:
        remove(after.campaign_id, [after.log_index])
    elif after.counts and not was and before is not None:
        restore(after.campaign_id, [after.log_index])


def add_many(campaign_id, count):
    """`count` "add" entries for signatures about to be stored in bulk (an
    import, `generate_signatures`), in one batch, their secrets dropped (no
    receipts): the index of the first, for the rows to be stored with."""
    return _append(campaign_id, [_new_add()[1] for _ in range(count)], adds=count)


def follow_rows(counted_before, counted_after):
    """After a bulk change (moderation, deletion): each argument maps the
    signatures that counted before it, and after, to (campaign id, log index).
    Those that left get "remove", those that came back "restore", those that
    count for the first time without an entry an "add" (no receipt)."""
    changes = {}
    for pk, (campaign_id, index) in counted_before.items():
        if pk not in counted_after:
            changes.setdefault(campaign_id, ([], [], []))[0].append(index)
    for pk, (campaign_id, index) in counted_after.items():
        if pk not in counted_before:
            _, restored, unlogged = changes.setdefault(campaign_id, ([], [], []))
            if index is None:
                unlogged.append(pk)
            else:
                restored.append(index)
    for campaign_id, (removed, restored, unlogged) in changes.items():
        remove(campaign_id, removed)
        restore(campaign_id, restored)
        if unlogged:
            add_unlogged(campaign_id, unlogged)


def add_unlogged(campaign_id, pks):
    """The signatures `pks` of the letter count and have no entry (hidden
    before the log began, approved since): their "add" entries in one batch,
    no receipts (each secret dropped at once), their rows told their index."""
    Signature = apps.get_model("pledges", "Signature")
    ids = sorted(pks)
    with transaction.atomic():
        start = add_many(campaign_id, len(ids))
        # One UPDATE per run of consecutive ids: each row's index is its id
        # plus the run's offset.
        for first, last, offset in _runs(ids, start):
            Signature.objects.filter(pk__gte=first, pk__lte=last).update(log_index=F("pk") + offset)


def _runs(ids, start):
    """(first id, last id, index - id) of each run of consecutive `ids` (sorted),
    the first of them taking index `start`."""
    run_first = previous = ids[0]
    position = 0
    for n, pk in enumerate(ids[1:], start=1):
        if pk != previous + 1:
            yield run_first, previous, start + position - run_first
            run_first, position = pk, n
        previous = pk
    yield run_first, previous, start + position - run_first


# The tree and its checkpoints ---------------------------------------------------------


def _tile_reader(log):
    _, _, LogTile, _, _ = _models()

    def read(level, index, width):
        data = (
            LogTile.objects.filter(log=log, level=level, index=index)
            .values_list("hashes", flat=True)
            .first()
        )
        data = bytes(data or b"")
        if len(data) < width * verify.HASH_SIZE:
            raise verify.VerificationError(f"tile {level}/{index} is not made yet")
        return data[: width * verify.HASH_SIZE]

    return read


def tree(log, size=None):
    """The log's tree at `size` entries (its tree_size by default), read from its tiles."""
    return verify.Tree(log.tree_size if size is None else size, _tile_reader(log))


def _hash_in(log, level, start, hashes):
    """Add `hashes` to level `level`'s tiles from position `start`; each tile
    they fill adds its root to the level above."""
    _, _, LogTile, _, _ = _models()
    width = verify.TILE_WIDTH * verify.HASH_SIZE
    index, offset = divmod(start, verify.TILE_WIDTH)
    partial = None
    if offset:
        partial = LogTile.objects.get(log=log, level=level, index=index)
    data = bytes(partial.hashes) if partial else b""
    new_tiles, completed, first_completed = [], [], None
    data += b"".join(hashes[: verify.TILE_WIDTH - offset])
    rest = hashes[verify.TILE_WIDTH - offset :]
    while True:
        if partial is not None:
            partial.hashes = data
            partial.save(update_fields=["hashes"])
            partial = None
        else:
            new_tiles.append(LogTile(log=log, level=level, index=index, hashes=data))
        if len(data) == width:
            first_completed = index if first_completed is None else first_completed
            completed.append(
                verify.root_of(
                    [data[n : n + verify.HASH_SIZE] for n in range(0, width, verify.HASH_SIZE)]
                )
            )
        if not rest:
            break
        index += 1
        data, rest = b"".join(rest[: verify.TILE_WIDTH]), rest[verify.TILE_WIDTH :]
    LogTile.objects.bulk_create(new_tiles, batch_size=500)
    if completed:
        _hash_in(log, level + 1, first_completed, completed)


def publish(campaign_id, force=False):
    """Hash the letter's new entries into its tiles and, if the last checkpoint
    is LOG_CHECKPOINT_SECONDS old or `force`, sign a new one. Returns the
    newest checkpoint."""
    SignatureLog, LogEntry, _, Checkpoint, _ = _models()
    with one_writer_at_a_time(), transaction.atomic():
        log = (
            SignatureLog.objects.select_for_update()
            .select_related("campaign")
            .get(campaign_id=campaign_id)
        )
        latest = Checkpoint.objects.filter(log=log).order_by("-size").first()
        recent = latest is not None and latest.made_at > timezone.now() - timedelta(
            seconds=settings.LOG_CHECKPOINT_SECONDS
        )
        if (latest is not None and latest.size == log.size) or (recent and not force):
            return latest
        if log.size > log.tree_size:
            datas = LogEntry.objects.filter(
                log=log, index__gte=log.tree_size, index__lt=log.size
            ).order_by("index")
            hashes = [
                verify.leaf_hash(data.encode()) for data in datas.values_list("data", flat=True)
            ]
            _hash_in(log, 0, log.tree_size, hashes)
            log.tree_size = log.size
            SignatureLog.objects.filter(pk=log.pk).update(tree_size=log.size)
        root = tree(log).root()
        body = verify.checkpoint_body(origin(log.campaign), log.size, root)
        return Checkpoint.objects.create(
            log=log, size=log.size, count=log.count, root=root, note=sign(body)
        )


def publish_all(force=False):
    SignatureLog, *_ = _models()
    return [
        publish(campaign_id, force)
        for campaign_id in SignatureLog.objects.values_list("campaign_id", flat=True)
    ]


def check_against_count(campaign):
    """The hourly safety net: adds - removes + restores against the letter's
    kept count. A disagreement is reported (logged as an error, returned),
    never mended here: a recount may correct the kept count, never the log."""
    SignatureLog, *_ = _models()
    Campaign = apps.get_model("campaign", "Campaign")
    with one_writer_at_a_time(), transaction.atomic():
        log = SignatureLog.objects.select_for_update().filter(campaign=campaign).first()
        total = Campaign.objects.filter(pk=campaign.pk).values_list("signature_total", flat=True)[0]
    if log is None or log.count == total:
        return None
    problem = (
        f"The log of “{campaign.slug}” counts {log.count} (adds {log.adds}, removes "
        f"{log.removes}, restores {log.restores}) but the letter counts {total}."
    )
    logger.error(problem)
    return problem


# The signing key -----------------------------------------------------------------------


def _key_file_text():
    """The signing key's file (LOG_SIGNING_KEY_PATH); made on first use where
    none exists, as `manage.py make_log_key` would, readable by its owner only."""
    path = Path(settings.LOG_SIGNING_KEY_PATH)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    text = new_signing_key(f"{urlsplit(settings.SITE_URL).netloc}/log")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile: use theirs
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
    logger.warning("Made a new log signing key at %s: publish its verifier key.", path)
    return text


def new_signing_key(name):
    """A new Ed25519 signing key, as the text of its file: PRIVATE+KEY+<name>+<id>+<key>."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes_raw()
    encoded = base64.b64encode(bytes([verify.ED25519]) + seed).decode()
    return f"PRIVATE+KEY+{name}+{verify.key_id(name, public).hex()}+{encoded}"


def _signing_key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    text = _key_file_text()
    prefix = "PRIVATE+KEY+"
    try:
        # As Go's note package reads it: the name and the id hold no "+", the key may.
        name, _, encoded = text.removeprefix(prefix).split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error) as error:
        raise ValueError(f"{settings.LOG_SIGNING_KEY_PATH} holds no log signing key") from error
    if not text.startswith(prefix) or len(raw) != 33 or raw[0] != verify.ED25519:
        raise ValueError(f"{settings.LOG_SIGNING_KEY_PATH} holds no Ed25519 log signing key")
    private = Ed25519PrivateKey.from_private_bytes(raw[1:])
    return name, private


def current_verifier_key():
    name, private = _signing_key()
    return verify.verifier_key(name, private.public_key().public_bytes_raw())


def sign(body):
    """`body` as a signed note: its signature line by the site's key, whose
    verifier key is listed (LogKey) from its first use on."""
    _, _, _, _, LogKey = _models()
    name, private = _signing_key()
    public = private.public_key().public_bytes_raw()
    LogKey.objects.get_or_create(verifier_key=verify.verifier_key(name, public))
    signature = verify.key_id(name, public) + private.sign(body.encode())
    return f"{body}\n\u2014 {name} {base64.b64encode(signature).decode()}\n"


# The worker's task that hashes new entries in and signs checkpoints: at most
# one queued every LOG_CHECKPOINT_SECONDS from this process.
checkpoints = BatchedTask("pledges.transparency.tasks.publish_logs", "LOG_CHECKPOINT_SECONDS")
