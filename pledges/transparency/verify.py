#!/usr/bin/env python3
"""Check a letter's count yourself: this file alone (Python's standard library
and `cryptography`, for Ed25519) fetches a site's signed checkpoint and its
log's tiles, and checks that

- the checkpoint is signed by a key you were given (not one the site sends),
- the tiles and every entry hash up to the checkpoint's root (RFC 9162 §2.1),
- an earlier checkpoint you kept is consistent with it (the log was only
  appended to, never rewritten),
- adds minus removes plus restores is the count the site publishes,
- and, given a receipt, that its entry is in the tree and still counted
  (and, with --save-proof, keeps a C2SP tlog-proof of it to check offline,
  later, with --proof).

    python verify.py https://example.org timesup --key 'example.org/log+1a2b3c4d+AT…'
        [--previous checkpoint.txt] [--save checkpoint.txt]
        [--receipt receipt.txt [--save-proof mine.tlog-proof]]
    python verify.py --key '…' --proof mine.tlog-proof --receipt receipt.txt

The site imports the same functions (pledges/transparency/): there is one
statement of the tree, the tiles and the formats, and it is this file.

Formats: the tree is RFC 9162's (SHA-256, 0x00 leaf and 0x01 node prefixes);
checkpoints are C2SP tlog-checkpoint signed as a C2SP signed-note (Ed25519);
tiles are C2SP tlog-tiles (height 8). An entry is one line of ASCII:
"add <hex SHA-256 of the receipt's secret>", "remove <index>" or
"restore <index>".
"""

import argparse
import base64
import binascii
import hashlib
import json
import os
import sys
import urllib.request

HASH_SIZE = 32
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
EMPTY_ROOT = hashlib.sha256(b"").digest()
RECEIPT_HEADER = "timesup-receipt/v1"
ED25519 = 0x01  # the signature type of C2SP signed-note's Ed25519 keys


class VerificationError(Exception):
    """What the site published does not check out."""


# The tree (RFC 9162 §2.1) -----------------------------------------------------


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_of(hashes):
    """The Merkle tree hash of a list of leaf (or equal-level) hashes, in one
    pass: perfect subtrees are merged as they complete, then folded from the right."""
    stack = []
    for size, node in enumerate(hashes, start=1):
        while size % 2 == 0:  # each trailing zero of the new size completes a subtree
            node = node_hash(stack.pop(), node)
            size //= 2
        stack.append(node)
    if not stack:
        return EMPTY_ROOT
    root = stack.pop()
    while stack:
        root = node_hash(stack.pop(), root)
    return root


def _split(size):
    """The largest power of two below `size` (> 1): where RFC 9162 splits a tree."""
    return 1 << ((size - 1).bit_length() - 1)


def tile_width(tree_size, level, index):
    """How many hashes tile (level, index) holds in a tree of `tree_size`
    (TILE_WIDTH when full, 0 when it does not exist yet)."""
    nodes = tree_size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, nodes - index * TILE_WIDTH))


class Tree:
    """A tree of `size` leaves read from its tiles: `read_tile(level, index,
    width)` returns the tile's bytes (width hashes). Gives its root, any
    range's hash, and inclusion and consistency proofs (RFC 9162 §2.1.3, §2.1.4)."""

    def __init__(self, size, read_tile):
        self.size = size
        self._read_tile = read_tile
        self._tiles = {}

    def _hashes(self, level, start, count):
        """`count` hashes of tree level TILE_HEIGHT*level from `start`, within one tile."""
        index, offset = divmod(start, TILE_WIDTH)
        width = tile_width(self.size, level, index)
        key = (level, index, width)
        if key not in self._tiles:
            data = self._read_tile(level, index, width)
            if len(data) != width * HASH_SIZE:
                raise VerificationError(f"tile {level}/{index} has the wrong length")
            self._tiles[key] = data
        data = self._tiles[key]
        return [data[(offset + n) * HASH_SIZE : (offset + n + 1) * HASH_SIZE] for n in range(count)]

    def subtree(self, height, index):
        """The hash of the perfect subtree of 2**height leaves from index * 2**height."""
        level, rest = divmod(height, TILE_HEIGHT)
        return root_of(self._hashes(level, index << rest, 1 << rest))

    def range_hash(self, start, end):
        """MTH(D[start:end]) for the ranges RFC 9162's recursions make."""
        size = end - start
        if size & (size - 1) == 0 and start % size == 0:
            return self.subtree(size.bit_length() - 1, start // size)
        k = _split(size)
        return node_hash(self.range_hash(start, start + k), self.range_hash(start + k, end))

    def root(self):
        return self.range_hash(0, self.size) if self.size else EMPTY_ROOT

    def inclusion_proof(self, index, start=0, end=None):
        end = self.size if end is None else end
        if end - start == 1:
            return []
        k = _split(end - start)
        if index < k:
            return [
                *self.inclusion_proof(index, start, start + k),
                self.range_hash(start + k, end),
            ]
        return [
            *self.inclusion_proof(index - k, start + k, end),
            self.range_hash(start, start + k),
        ]

    def consistency_proof(self, old_size):
        if not 0 < old_size < self.size:
            return []
        return self._subproof(old_size, 0, self.size, True)

    def _subproof(self, m, start, end, whole):
        if m == end - start:
            return [] if whole else [self.range_hash(start, end)]
        k = _split(end - start)
        if m <= k:
            return [*self._subproof(m, start, start + k, whole), self.range_hash(start + k, end)]
        return [
            *self._subproof(m - k, start + k, end, False),
            self.range_hash(start, start + k),
        ]


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2: True if `proof` shows `leaf` at `index` in the tree of `root`."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size, new_size, old_root, new_root, proof):
    """RFC 9162 §2.1.4.2: True if the tree of `new_root` extends that of `old_root`."""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    if old_size & (old_size - 1) == 0:
        proof = [old_root, *proof]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


# Tiles (C2SP tlog-tiles) -------------------------------------------------------


def tile_index_path(index):
    """A tile's index in its path: 1234067 → x001/x234/067."""
    groups = []
    while True:
        index, group = divmod(index, 1000)
        groups.append(f"{group:03d}")
        if index == 0:
            break
    groups.reverse()
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def tile_path(level, index, width):
    """tile/<L>/<N>[.p/<W>], or tile/entries/… for level "entries"."""
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{tile_index_path(index)}{suffix}"


def parse_tile_path(path):
    """(level, index, width) of a tile path (level "entries" for an entry
    bundle), or None if it is not one."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        return None
    level, rest = parts[1], parts[2:]
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        if not rest[-1].isdigit() or rest[-1].startswith("0"):
            return None
        width = int(rest[-1])
        rest = [*rest[:-2], rest[-2][:-2]]
    if not 0 < width <= TILE_WIDTH or (width == TILE_WIDTH and path.count(".p/")):
        return None
    *upper, last = rest
    if not all(len(g) == 4 and g[0] == "x" and g[1:].isdigit() for g in upper):
        return None
    if not (len(last) == 3 and last.isdigit()):
        return None
    index = 0
    for group in [g[1:] for g in upper] + [last]:
        index = index * 1000 + int(group)
    if tile_index_path(index) != "/".join(rest):
        return None  # not the one way to write it
    if level != "entries" and not (
        level.isdigit() and int(level) < 64 and str(int(level)) == level
    ):
        return None
    return (level if level == "entries" else int(level)), index, width


def entry_bundle(entries):
    """An entry bundle: each entry as a big-endian 16-bit length and its bytes."""
    return b"".join(len(entry).to_bytes(2, "big") + entry for entry in entries)


def read_entry_bundle(data):
    entries, offset = [], 0
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 2], "big")
        entries.append(data[offset + 2 : offset + 2 + length])
        offset += 2 + length
        if offset > len(data):
            raise VerificationError("an entry bundle is cut short")
    return entries


# Entries, and the count they make ------------------------------------------------


def add_entry(digest):
    return b"add " + digest.hex().encode()


def remove_entry(index):
    return f"remove {index}".encode()


def restore_entry(index):
    return f"restore {index}".encode()


def secret_digest(secret):
    return hashlib.sha256(secret).digest()


def count_entries(entries):
    """The count the entries make, checking that each remove names a counted
    add and each restore a removed one. Returns (count, {index: counted?})."""
    counted = {}
    for index, entry in enumerate(entries):
        verb, _, argument = entry.decode("ascii", "replace").partition(" ")
        if verb == "add" and len(argument) == 64:
            counted[index] = True
        elif verb in {"remove", "restore"} and argument.isdigit():
            target = int(argument)
            if counted.get(target) is not (verb == "remove"):
                raise VerificationError(f"entry {index} ({verb} {target}) names no such entry")
            counted[target] = verb == "restore"
        else:
            raise VerificationError(f"entry {index} is not an entry: {entry[:40]!r}")
    return sum(counted.values()), counted


# Checkpoints and signed notes (C2SP tlog-checkpoint, signed-note) -----------------


def checkpoint_body(origin, size, root):
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def parse_checkpoint(body):
    """(origin, size, root) of a checkpoint's text (its signatures removed)."""
    lines = body.split("\n")
    try:
        origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    except (IndexError, ValueError, binascii.Error) as error:
        raise VerificationError("not a checkpoint") from error
    if not origin or len(root) != HASH_SIZE or size < 0 or lines[1] != str(size):
        raise VerificationError("not a checkpoint")
    return origin, size, root


def key_id(name, public_key):
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def verifier_key(name, public_key):
    """The text that names a public key: <name>+<key id>+<base64 type and key>."""
    encoded = base64.b64encode(bytes([ED25519]) + public_key).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def parse_verifier_key(text):
    try:
        # The name and the id hold no "+"; base64 may.
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error) as error:
        raise VerificationError(f"not a verifier key: {text!r}") from error
    if len(raw) != 33 or raw[0] != ED25519 or key_id(name, raw[1:]).hex() != hex_id:
        raise VerificationError(f"not an Ed25519 verifier key: {text!r}")
    return name, raw[1:]


def open_note(note, keys):
    """The body of a signed note, if one of `keys` (verifier key texts) signed
    it; VerificationError otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    body, separator, signatures = note.rpartition("\n\n")
    if not separator:
        raise VerificationError("the checkpoint is not signed")
    body += "\n"
    known = {}
    for key in keys:
        name, public = parse_verifier_key(key)
        known[(name, key_id(name, public))] = public
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            raise VerificationError("a signature line is malformed")
        name, _, encoded = line[2:].rpartition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue
        public = known.get((name, raw[:4]))
        if public is None:
            continue  # another signer's (a witness's): not one we were given
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], body.encode())
        except InvalidSignature as error:
            raise VerificationError(f"the signature of {name} does not verify") from error
        return body
    raise VerificationError("no key you gave signed this checkpoint")


# Receipts ------------------------------------------------------------------------


def receipt_text(origin, index, secret):
    encoded = base64.urlsafe_b64encode(secret).decode().rstrip("=")
    return f"{RECEIPT_HEADER}\n{origin}\n{index}\n{encoded}\n"


def receipt_code(index, secret):
    """The short form of a receipt: <index>.<secret>, to copy by hand."""
    return f"{index}.{base64.urlsafe_b64encode(secret).decode().rstrip('=')}"


def parse_receipt(text):
    """(origin or None, index, secret) of a receipt file or a short code."""
    lines = text.strip().splitlines()
    if lines and lines[0] == RECEIPT_HEADER and len(lines) == 4:
        origin, index, encoded = lines[1], lines[2], lines[3]
    elif len(lines) == 1 and "." in lines[0]:
        origin, (index, encoded) = None, lines[0].split(".", 1)
    else:
        raise VerificationError("not a receipt")
    try:
        secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError) as error:
        raise VerificationError("not a receipt") from error
    if not index.isdigit() or len(secret) < 16:
        raise VerificationError("not a receipt")
    return origin, int(index), secret


# Offline proofs (C2SP tlog-proof) -------------------------------------------------

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"


def tlog_proof(index, proof, note):
    """A proof that entry `index` is in the tree `note` (a signed checkpoint)
    commits to, to keep and check offline (C2SP tlog-proof)."""
    hashes = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    return f"{TLOG_PROOF_HEADER}\nindex {index}\n{hashes}\n{note}"


def parse_tlog_proof(text):
    """(index, proof hashes, signed checkpoint) of a C2SP tlog-proof."""
    head, separator, note = text.partition("\n\n")
    lines = head.split("\n")
    if not separator or lines[0] != TLOG_PROOF_HEADER:
        raise VerificationError("not a tlog-proof")
    if len(lines) > 1 and lines[1].startswith("extra "):
        lines.pop(1)  # opaque, and not trusted: unused here
    if len(lines) < 2 or not lines[1].startswith("index ") or not lines[1][6:].isdigit():
        raise VerificationError("not a tlog-proof")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[2:]]
    except binascii.Error as error:
        raise VerificationError("not a tlog-proof") from error
    return int(lines[1][6:]), proof, note


def check_offline(proof_text, receipt, keys):
    """Without the site: the receipt's entry is in the tree that the proof's
    checkpoint, signed by one of `keys`, commits to. Returns (origin, size)."""
    index, proof, note = parse_tlog_proof(proof_text)
    origin, size, root = parse_checkpoint(open_note(note, keys))
    receipt_origin, receipt_index, secret = parse_receipt(receipt)
    if receipt_origin not in (None, origin) or receipt_index != index:
        raise VerificationError("the proof is for another entry than the receipt's")
    leaf = leaf_hash(add_entry(secret_digest(secret)))
    if not verify_inclusion(index, size, leaf, proof, root):
        raise VerificationError(f"entry {index} is not in the signed tree of {size} entries")
    return origin, size


# Checking a site -----------------------------------------------------------------


class Site:
    """A letter's log as a site publishes it, fetched over HTTP (`fetch(url)` → bytes)."""

    def __init__(self, base_url, letter, fetch=None):
        self.base = base_url.rstrip("/")
        self.letter = letter
        self.fetch = fetch or _fetch

    def log_url(self, path):
        return f"{self.base}/log/{self.letter}/{path}"

    def api(self):
        return json.loads(self.fetch(f"{self.base}/api/campaigns/{self.letter}/"))

    def checkpoint(self, size=None):
        """The newest checkpoint, or the one signed at `size` entries."""
        path = "checkpoint" if size is None else f"checkpoint/{size}"
        return self.fetch(self.log_url(path)).decode()

    def tile(self, level, index, width):
        return self.fetch(self.log_url(tile_path(level, index, width)))

    def entries(self, size):
        out = []
        for index in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
            width = min(TILE_WIDTH, size - index * TILE_WIDTH)
            bundle = read_entry_bundle(self.tile("entries", index, width))
            if len(bundle) != width:
                raise VerificationError(f"entry bundle {index} holds {len(bundle)} entries")
            out.extend(bundle)
        return out


def _fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the address given
        return response.read()


def check(site, keys, previous=None, receipt=None, report=print):
    """Every check above, against `site`; returns the verified checkpoint (to
    keep for next time) and, given a receipt, its offline proof (C2SP
    tlog-proof). Raises VerificationError at the first failure."""
    # The checkpoint the site's published count stands on (every one is kept).
    api = site.api()
    published = api.get("log", {})
    note = site.checkpoint(published.get("size"))
    origin, size, root = parse_checkpoint(open_note(note, keys))
    report(f"checkpoint: {origin}, {size} entries, signed by a key you gave")
    tree = Tree(size, site.tile)
    if tree.root() != root:
        raise VerificationError("the tiles do not hash to the checkpoint's root")
    entries = site.entries(size)
    leaves = [leaf_hash(entry) for entry in entries]
    if root_of(leaves) != root:
        raise VerificationError("the entries do not hash to the checkpoint's root")
    if size and b"".join(leaves[: TILE_WIDTH * (size // TILE_WIDTH)]) != b"".join(
        site.tile(0, n, TILE_WIDTH) for n in range(size // TILE_WIDTH)
    ):
        raise VerificationError("a leaf tile does not hold its entries' hashes")
    report("tiles and entries: they hash to the checkpoint's root")
    if previous:
        old_origin, old_size, old_root = parse_checkpoint(open_note(previous, keys))
        if old_origin != origin:
            raise VerificationError("the earlier checkpoint is another log's")
        proof = tree.consistency_proof(old_size)
        if not verify_consistency(old_size, size, old_root, root, proof):
            raise VerificationError(
                f"the log of {size} entries does not extend the earlier one of {old_size}"
            )
        report(f"consistent with your earlier checkpoint of {old_size} entries")
    count, counted = count_entries(entries)
    if published.get("size") != size or published.get("count") != count:
        raise VerificationError(
            f"the entries count {count} at size {size}; the site says "
            f"{published.get('count')} at size {published.get('size')}"
        )
    if api.get("count") != count:
        # The count shown moves a few seconds ahead of the checkpoints while
        # people sign: check again once it is still.
        raise VerificationError(
            f"the site shows a count of {api.get('count')}; its log counts {count} "
            f"at its checkpoint of {size} entries"
        )
    report(f"count: {count} (adds minus removes plus restores), as the site shows")
    if receipt is not None:
        receipt_origin, index, secret = parse_receipt(receipt)
        if receipt_origin not in (None, origin):
            raise VerificationError("the receipt is for another log")
        if index >= size:
            raise VerificationError(f"entry {index} is not in the tree yet (size {size})")
        entry = entries[index]
        if entry != add_entry(secret_digest(secret)):
            raise VerificationError(f"entry {index} is not your signature's")
        proof = tree.inclusion_proof(index)
        if not verify_inclusion(index, size, leaf_hash(entry), proof, root):
            raise VerificationError(f"entry {index} is not in the signed tree")
        if not counted.get(index):
            raise VerificationError(f"entry {index} was removed from the count")
        report(f"your signature: entry {index}, in the signed tree and counted")
        return note, tlog_proof(index, proof, note)
    return note, None


def main(argv=None, fetch=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description="Check a letter's signature log yourself.")
    parser.add_argument("site", nargs="?", help="the site's address, e.g. https://example.org")
    parser.add_argument("letter", nargs="?", help="the letter's slug, e.g. timesup")
    parser.add_argument("--key", action="append", required=True, help="the site's verifier key")
    parser.add_argument("--previous", help="a checkpoint you kept from an earlier check")
    parser.add_argument("--save", help="keep the checkpoint checked now in this file")
    parser.add_argument("--receipt", help="your receipt file, or its short code")
    parser.add_argument("--save-proof", help="keep the receipt's offline proof in this file")
    parser.add_argument("--proof", help="check this offline proof (no site needed)")
    args = parser.parse_args(argv)

    def read(path):
        with open(path, encoding="utf-8") as file:
            return file.read()

    def write(path, text):
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)

    # A file's path, or the short code itself.
    receipt = args.receipt and (
        read(args.receipt) if os.path.exists(args.receipt) else args.receipt
    )
    try:
        if args.proof:
            if not receipt:
                parser.error("--proof needs --receipt")
            origin, size = check_offline(read(args.proof), receipt, args.key)
            print(f"your signature is in {origin}'s signed tree of {size} entries", file=out)
        else:
            if not (args.site and args.letter):
                parser.error("give the site and the letter (or --proof)")
            previous = read(args.previous) if args.previous else None
            note, proof = check(
                Site(args.site, args.letter, fetch),
                args.key,
                previous,
                receipt,
                report=lambda line: print(line, file=out),
            )
            if args.save:
                write(args.save, note)
            if args.save_proof and proof:
                write(args.save_proof, proof)
    except VerificationError as error:
        print(f"FAILED: {error}", file=out)
        return 1
    print("OK", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
