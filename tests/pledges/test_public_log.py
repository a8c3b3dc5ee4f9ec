"""Each letter's count in a public, append-only log (RFC 9162's Merkle tree,
C2SP checkpoints and tiles), checked by the verifier anyone can run
(pledges/transparency/verify.py), fed here by the test client as if over HTTP."""

import base64
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from campaign.models import Campaign
from pledges import tokens
from pledges.management.commands.generate_signatures import generate
from pledges.models import Checkpoint, LogEntry, LogKey, LogTile, Signature, SignatureLog
from pledges.transparency import log, verify
from tests.conftest import confirm_as_shown
from tests.factories import make_signature, make_submission

pytestmark = pytest.mark.django_db

# transparency-dev/merkle's test vectors (testdata/): RFC 6962's eight test
# leaves, roots of the first 1, 5, 6 and 8, and proofs between them.
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
ROOTS = {
    1: "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
    5: "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=",
    6: "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
    8: "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
}
INCLUSION = {  # (leaf index, tree size): proof
    (0, 8): [
        "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
        "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
        "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
    ],
    (1, 5): [
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
        "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
        "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
    ],
}
CONSISTENCY = {  # (old size, new size): proof
    (1, 8): INCLUSION[(0, 8)],
    (6, 8): [
        "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
        "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
        "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
    ],
}


def b64(text):
    return base64.b64decode(text)


def in_memory_tree(hashes):
    def read(level, index, width):
        assert level == 0
        return b"".join(hashes[index * 256 : index * 256 + width])

    return verify.Tree(len(hashes), read)


def test_hashes_and_proofs_match_the_transparency_dev_test_vectors():
    hashes = [verify.leaf_hash(leaf) for leaf in LEAVES]

    for size, root in ROOTS.items():
        assert verify.root_of(hashes[:size]) == b64(root)
        assert in_memory_tree(hashes[:size]).root() == b64(root)
    for (index, size), proof in INCLUSION.items():
        assert in_memory_tree(hashes[:size]).inclusion_proof(index) == [b64(p) for p in proof]
        assert verify.verify_inclusion(
            index, size, hashes[index], [b64(p) for p in proof], b64(ROOTS[size])
        )
        # A proof with one bit changed proves nothing.
        bent = [b64(p) for p in proof]
        bent[1] = bytes([bent[1][0] ^ 1]) + bent[1][1:]
        assert not verify.verify_inclusion(index, size, hashes[index], bent, b64(ROOTS[size]))
    for (old, new), proof in CONSISTENCY.items():
        assert in_memory_tree(hashes[:new]).consistency_proof(old) == [b64(p) for p in proof]
        assert verify.verify_consistency(
            old, new, b64(ROOTS[old]), b64(ROOTS[new]), [b64(p) for p in proof]
        )
        assert not verify.verify_consistency(
            old, new, b64(ROOTS[5]), b64(ROOTS[new]), [b64(p) for p in proof]
        )


def test_tile_paths_are_written_as_c2sp_tlog_tiles_writes_them():
    assert verify.tile_path(0, 1234067, 256) == "tile/0/x001/x234/067"
    assert verify.tile_path("entries", 5, 3) == "tile/entries/005.p/3"
    assert verify.parse_tile_path("tile/1/x001/000.p/17") == (1, 1000, 17)
    for wrong in ["tile/0/1", "tile/0/x000/005", "tile/0/005.p/256", "tile/0/005.p/0", "x/0/000"]:
        assert verify.parse_tile_path(wrong) is None


# The site's log, through the verifier ------------------------------------------------


class Fetcher:
    """The verifier's HTTP, answered by the test client."""

    def __init__(self, client):
        self.client = client

    def __call__(self, url):
        response = self.client.get(urlsplit(url).path)
        assert response.status_code == 200, (url, response.status_code)
        return response.content


def site_key():
    return log.current_verifier_key()


def run_verifier(client, campaign, *extra):
    out = io.StringIO()
    status = verify.main(
        ["https://testserver", campaign.slug, "--key", site_key(), *extra],
        fetch=Fetcher(client),
        out=out,
    )
    return status, out.getvalue()


def confirm(client, signature):
    """Her confirmation through the page, as she does it: the page with her receipt."""
    submission = make_submission(signature)
    path = reverse("pledges:confirm", args=[tokens.confirmation_token(signature, submission)])
    return confirm_as_shown(client, path)


def receipt_on(page):
    match = re.search(r'<code class="receipt-code">([^<]+)</code>', page)
    assert match, "no receipt on the page"
    return match.group(1)


def test_a_signer_gets_a_receipt_that_verifies_before_and_after_later_adds_and_removes(
    client, campaign, tmp_path
):
    ana = make_signature(campaign, confirmed_at=None, email="ana@example.org")
    page = confirm(client, ana).content.decode()
    code = receipt_on(page)
    ana.refresh_from_db()
    # Her entry: the digest of the receipt's secret, at the index it names.
    _, index, secret = verify.parse_receipt(code)
    assert index == ana.log_index
    entry = LogEntry.objects.get(log__campaign=campaign, index=index)
    assert entry.data == verify.add_entry(verify.secret_digest(secret)).decode()
    # As a file to keep, from the page itself.
    saved = re.search(r'href="data:text/plain;base64,([^"]+)" download', page).group(1)
    assert verify.parse_receipt(base64.b64decode(saved).decode()) == (
        log.origin(campaign),
        index,
        secret,
    )
    log.publish(campaign.pk)
    first = tmp_path / "checkpoint.txt"

    status, report = run_verifier(client, campaign, "--receipt", code, "--save", str(first))
    assert status == 0, report
    assert f"your signature: entry {index}, in the signed tree and counted" in report

    # Others sign, one withdraws: her receipt still verifies, and the new
    # checkpoint extends the one she kept.
    others = [make_signature(campaign, confirmed_at=None) for _ in range(300)]
    for other in others[:5]:
        confirm(client, other)
    generate(campaign, 280)  # a bulk load: its entries in one batch
    others[0].refresh_from_db()
    others[0].withdraw()
    log.publish(campaign.pk)

    status, report = run_verifier(client, campaign, "--receipt", code, "--previous", str(first))
    assert status == 0, report
    assert "consistent with your earlier checkpoint" in report
    assert SignatureLog.objects.get(campaign=campaign).tree_size > 256  # a second tile level


def test_the_receipt_is_shown_once_the_site_keeps_no_copy_of_its_secret(client, campaign):
    ana = make_signature(campaign, confirmed_at=None)
    submission = make_submission(ana)
    path = reverse("pledges:confirm", args=[tokens.confirmation_token(ana, submission)])
    code = receipt_on(confirm_as_shown(client, path).content.decode())
    _, index, secret = verify.parse_receipt(code)

    again = client.get(path).content.decode()

    assert "receipt-code" not in again and code not in again
    assert f"entry {index} of this letter" in again
    assert not any(
        secret.hex() in str(value) or code.split(".")[1] in str(value)
        for row in Signature.objects.values()
        for value in row.values()
    )


def test_a_withdrawal_leaves_a_visible_remove_and_no_personal_trace(client, campaign):
    ana = make_signature(campaign, confirmed_at=None, name="Ana Lucía", email="ana@example.org")
    confirm(client, ana)
    ana.refresh_from_db()
    index = ana.log_index

    ana.withdraw()
    log.publish(campaign.pk)

    entries = list(LogEntry.objects.filter(log__campaign=campaign).values_list("data", flat=True))
    assert entries[-1] == f"remove {index}"
    everything = " ".join(entries) + " ".join(c.note for c in Checkpoint.objects.all())
    assert "ana" not in everything.lower() and "Lucía" not in everything
    assert SignatureLog.objects.get(campaign=campaign).count == 0
    status, report = run_verifier(client, campaign)
    assert status == 0, report


def test_moderation_removes_and_restores_and_the_log_keeps_the_kept_count(admin_client, campaign):
    signatures = [make_signature(campaign) for _ in range(4)]
    hidden = Signature.objects.filter(pk__in=[s.pk for s in signatures[:2]])

    hidden.moderate(Signature.Status.HIDDEN)
    Signature.objects.filter(pk=signatures[0].pk).moderate(Signature.Status.APPROVED)
    signatures[3].refresh_from_db()
    signatures[3].status = Signature.Status.SPAM
    signatures[3].save()

    data = list(LogEntry.objects.filter(log__campaign=campaign).values_list("data", flat=True))
    indices = [Signature.objects.get(pk=s.pk).log_index for s in signatures]
    assert data[4:] == [
        f"remove {min(indices[:2])}",
        f"remove {max(indices[:2])}",
        f"restore {indices[0]}",
        f"remove {indices[3]}",
    ]
    campaign.refresh_from_db()
    assert SignatureLog.objects.get(campaign=campaign).count == campaign.signature_total == 2


def test_a_signature_hidden_before_it_is_confirmed_is_added_and_removed_at_once(client, campaign):
    held = make_signature(campaign, confirmed_at=None, status=Signature.Status.HIDDEN)

    confirm(client, held)

    held.refresh_from_db()
    data = list(LogEntry.objects.filter(log__campaign=campaign).values_list("data", flat=True))
    assert data[-1] == f"remove {held.log_index}"
    assert SignatureLog.objects.get(campaign=campaign).count == 0


@pytest.mark.parametrize("tamper", ["entry", "tile", "checkpoint", "shown count"])
def test_the_verifier_catches_each_kind_of_rewrite(client, campaign, tamper):
    for _ in range(3):
        make_signature(campaign)
    generate(campaign, 300)
    log.publish(campaign.pk)
    assert run_verifier(client, campaign)[0] == 0

    if tamper == "entry":
        entry = LogEntry.objects.get(log__campaign=campaign, index=1)
        entry.data = verify.add_entry(verify.secret_digest(b"x" * 16)).decode()
        entry.save()
    elif tamper == "tile":
        tile = LogTile.objects.get(log__campaign=campaign, level=0, index=0)
        tile.hashes = bytes(32) + bytes(tile.hashes)[32:]
        tile.save()
    elif tamper == "checkpoint":
        latest = Checkpoint.objects.get()
        latest.note = latest.note.replace("\n303\n", "\n302\n")
        latest.save()
    else:
        Campaign.objects.filter(pk=campaign.pk).update(signature_total=F("signature_total") + 1)

    status, report = run_verifier(client, campaign)
    assert status == 1
    assert "FAILED" in report


def test_the_hourly_safety_net_reports_a_count_the_log_disagrees_with_and_mends_nothing(
    campaign,
):
    for _ in range(2):
        make_signature(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(signature_total=7)
    errors = io.StringIO()

    call_command("hourly_upkeep", stdout=io.StringIO(), stderr=errors)

    # The recount mended the kept count from the rows; the log was right all along.
    campaign.refresh_from_db()
    assert campaign.signature_total == 2
    assert SignatureLog.objects.get(campaign=campaign).count == 2
    Campaign.objects.filter(pk=campaign.pk).update(signature_total=7)
    call_command("publish_logs", stdout=io.StringIO(), stderr=errors)
    assert "counts 2" in errors.getvalue() and "letter counts 7" in errors.getvalue()
    assert LogEntry.objects.filter(log__campaign=campaign).count() == 2


def test_tiles_are_served_cacheable_for_ever_when_full_and_briefly_at_the_edge(client, campaign):
    generate(campaign, 300)
    log.publish(campaign.pk)
    base = f"/log/{campaign.slug}/"

    full = client.get(base + "tile/0/000")
    edge = client.get(base + "tile/0/001.p/44")
    entries = client.get(base + "tile/entries/001.p/44")

    assert len(full.content) == 256 * 32 and "immutable" in full["Cache-Control"]
    assert len(edge.content) == 44 * 32 and "immutable" not in edge["Cache-Control"]
    assert len(verify.read_entry_bundle(entries.content)) == 44
    assert client.get(base + "tile/0/001.p/45").status_code == 404  # past the checkpoint
    assert client.get(base + "tile/0/1").status_code == 404
    assert client.get(base + "checkpoint").content.decode().startswith("testserver/log/")


def test_a_new_key_takes_over_and_checkpoints_signed_before_stay_verifiable(client, campaign):
    make_signature(campaign)
    log.publish(campaign.pk)
    old_key = site_key()
    old_note = Checkpoint.objects.get().note

    call_command("make_log_key", replace=True, stdout=io.StringIO())
    make_signature(campaign)
    log.publish(campaign.pk)

    new_key = site_key()
    assert new_key != old_key
    listed = client.get("/log/keys").content.decode().split()
    assert listed == [old_key, new_key]
    assert verify.open_note(old_note, [old_key])
    with pytest.raises(verify.VerificationError):
        verify.open_note(old_note, [new_key])
    status, report = run_verifier(client, campaign)
    assert status == 0, report
    assert LogKey.objects.count() == 2


def test_a_consistency_proof_is_served_between_any_two_checkpoints(client, campaign):
    make_signature(campaign)
    log.publish(campaign.pk)
    generate(campaign, 40)
    log.publish(campaign.pk)
    old, new = Checkpoint.objects.order_by("size")

    proof = client.get(f"/log/{campaign.slug}/consistency/{old.size}/{new.size}")

    hashes = [base64.b64decode(line) for line in proof.content.decode().split()]
    assert verify.verify_consistency(old.size, new.size, bytes(old.root), bytes(new.root), hashes)


def test_the_log_begins_with_every_signature_that_counted_before_it_in_one_batch(campaign):
    """Migration 0016 on a site that has signatures: an "add" for each that
    counts, in the order signed, their rows told their index (no receipts)."""
    from importlib import import_module

    from django.apps import apps

    counted = [make_signature(campaign) for _ in range(3)]
    make_signature(campaign, confirmed_at=None)  # not counted: no entry
    counted.append(make_signature(campaign))
    make_signature(campaign, status=Signature.Status.SPAM)
    SignatureLog.objects.all().delete()  # as before the log existed
    Signature.objects.update(log_index=None)

    import_module("pledges.migrations.0016_signature_log").start_logs(apps, None)

    started = SignatureLog.objects.get(campaign=campaign)
    assert (started.size, started.count) == (4, 4)
    assert [Signature.objects.get(pk=s.pk).log_index for s in counted] == [0, 1, 2, 3]
    assert all(
        data.startswith("add ") and len(data) == 68
        for data in LogEntry.objects.filter(log=started).values_list("data", flat=True)
    )
    assert log.publish(campaign.pk).count == campaign.signature_total == 4


def test_a_receipt_s_offline_proof_verifies_without_the_site_then_and_later(
    client, campaign, tmp_path
):
    ana = make_signature(campaign, confirmed_at=None)
    code = receipt_on(confirm(client, ana).content.decode())
    log.publish(campaign.pk)
    first, later = tmp_path / "first.tlog-proof", tmp_path / "later.tlog-proof"
    assert run_verifier(client, campaign, "--receipt", code, "--save-proof", str(first))[0] == 0
    generate(campaign, 500)
    log.publish(campaign.pk)
    assert run_verifier(client, campaign, "--receipt", code, "--save-proof", str(later))[0] == 0

    assert first.read_text().startswith("c2sp.org/tlog-proof@v1\nindex ")
    for proof in (first, later):
        out = io.StringIO()
        status = verify.main(
            ["--key", site_key(), "--proof", str(proof), "--receipt", code], out=out
        )
        assert status == 0, out.getvalue()
    assert "signed tree of 501 entries" in out.getvalue()
    # Someone else's receipt does not pass with her proof.
    other = make_signature(campaign, confirmed_at=None)
    other_code = receipt_on(confirm(client, other).content.decode())
    status = verify.main(
        ["--key", site_key(), "--proof", str(later), "--receipt", other_code], out=io.StringIO()
    )
    assert status == 1


def test_a_signature_that_never_counted_gets_its_add_when_staff_approve_it(campaign):
    held = [make_signature(campaign, status=Signature.Status.HIDDEN) for _ in range(3)]
    assert not LogEntry.objects.filter(log__campaign=campaign).exists()

    Signature.objects.filter(pk__in=[s.pk for s in held[:2]]).moderate(Signature.Status.APPROVED)
    held[2].status = Signature.Status.APPROVED
    held[2].save()

    indices = sorted(
        Signature.objects.filter(campaign=campaign).values_list("log_index", flat=True)
    )
    assert indices == [0, 1, 2]
    assert all(
        data.startswith("add ")
        for data in LogEntry.objects.filter(log__campaign=campaign).values_list("data", flat=True)
    )
    campaign.refresh_from_db()
    assert SignatureLog.objects.get(campaign=campaign).count == campaign.signature_total == 3


@pytest.mark.parametrize(
    "path",
    [
        "tile/garbage",
        "tile/0/000.p/999",
        "tile/99/000",
        "tile/0/x001/000",
        "tile/entries/000.p/9",
        "checkpoint/77",
        "checkpoint/99999999999999999999999",
        "consistency/5/3",
        "consistency/2/99999999999999999999999",
    ],
)
def test_an_address_of_the_log_that_does_not_exist_is_a_404_never_an_error(client, campaign, path):
    make_signature(campaign)
    log.publish(campaign.pk)

    assert client.get(f"/log/{campaign.slug}/{path}").status_code == 404
    assert client.get(f"/log/no-such-letter/{path}").status_code == 404
