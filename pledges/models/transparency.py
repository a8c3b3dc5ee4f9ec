"""Each letter's public, append-only log of its count (pledges/transparency/):
its entries, the tiles of its Merkle tree, its signed checkpoints and the
keys that signed them. Nothing here names a person: an entry is a digest of
a secret only the signer was given, or the index of an entry it removes."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign


class SignatureLog(models.Model):
    """One letter's log. `size` entries are appended (an index is given as a
    signature is confirmed); `tree_size` of them are in the tiles and the
    latest checkpoint (the worker adds the rest every few seconds). The three
    counters are the entries' own, so that adds - removes + restores is read,
    not counted, and checked against the letter's kept count."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="log"
    )
    size = models.PositiveBigIntegerField(_("entries"), default=0)
    tree_size = models.PositiveBigIntegerField(_("entries in the tree"), default=0)
    adds = models.PositiveBigIntegerField(default=0)
    removes = models.PositiveBigIntegerField(default=0)
    restores = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(_("started"), default=timezone.now)

    class Meta:
        verbose_name = _("signature log")
        verbose_name_plural = _("signature logs")

    def __str__(self):
        return f"{self.campaign}: {self.size} entries"

    @property
    def count(self):
        return self.adds - self.removes + self.restores


class LogEntry(models.Model):
    """One entry: "add <digest>", "remove <index>" or "restore <index>"."""

    log = models.ForeignKey(SignatureLog, on_delete=models.CASCADE, related_name="entries")
    index = models.PositiveBigIntegerField()
    data = models.CharField(max_length=80)
    appended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "index"], name="one_entry_per_index"),
        ]

    def __str__(self):
        return f"{self.index}: {self.data}"


class LogTile(models.Model):
    """A tile of the tree (C2SP tlog-tiles, height 8): up to 256 hashes of one
    level. The last tile of a level grows until it is full; a full one never
    changes again."""

    log = models.ForeignKey(SignatureLog, on_delete=models.CASCADE, related_name="tiles")
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hashes = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "level", "index"], name="one_tile_per_place"),
        ]

    def __str__(self):
        return f"tile {self.level}/{self.index} ({len(self.hashes) // 32})"


class Checkpoint(models.Model):
    """The log at one size, signed (a C2SP signed note): kept, every one, so
    that anyone can ask for a consistency proof between any two."""

    log = models.ForeignKey(SignatureLog, on_delete=models.CASCADE, related_name="checkpoints")
    size = models.PositiveBigIntegerField()
    count = models.PositiveBigIntegerField()
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        get_latest_by = "size"
        constraints = [
            models.UniqueConstraint(fields=["log", "size"], name="one_checkpoint_per_size"),
        ]

    def __str__(self):
        return f"{self.log.campaign}: {self.size} entries, {self.count} counted"


class LogKey(models.Model):
    """A public key that signs, or signed, the site's checkpoints (its
    verifier key text): listed at /log/keys, old ones too, so that checkpoints
    signed before a new key took over stay verifiable."""

    verifier_key = models.CharField(max_length=200, unique=True)
    first_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("log signing key")
        verbose_name_plural = _("log signing keys")

    def __str__(self):
        return self.verifier_key
