"""The RFC 9162 Merkle tree over the event log: leaf encoding, storage scheme, proofs and their verification.

A tree of size ``n`` covers log positions ``1..n``; leaf index ``i`` is position ``i + 1``. Hashing is RFC 9162
section 2.1: ``leaf = SHA-256(0x00 || bytes)``, ``node = SHA-256(0x01 || left || right)``, and the root of the
empty tree is ``SHA-256("")``.

Storage scheme (what the database layer keeps). Every *complete* subtree (level ``k``, index ``j``, covering leaves
``[j * 2**k, (j + 1) * 2**k)``) is stored exactly once, in the row of its last leaf ``(j + 1) * 2**k - 1`` at entry
``k``. The row of leaf ``i`` therefore holds ``1 + trailing_ones(i)`` hashes: entry 0 is the leaf hash, entry ``k``
the subtree of the ``2**k`` leaves ending at ``i``. These are exactly the nodes that become complete when leaf ``i``
is appended, so :meth:`CompactRange.append` returns the row, and a row never changes once written (append-only).
Total storage is below ``2n`` hashes. Any proof or historical root needs only complete subtrees: an incomplete
right-hand range is hashed from its binary decomposition into complete subtrees, all of which are stored.

Proof functions take a ``get_nodes(list[(level, index)]) -> dict[(level, index), bytes]`` callback. Each proof
plans every node it needs first and asks for them in ONE call, so the database layer can answer with one query
(``WHERE leaf_index IN (...)``, then pick the entries; see :func:`node_location`).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeRef = tuple[int, int]
"""A complete subtree ``(level, index)``: it covers leaves ``[index * 2**level, (index + 1) * 2**level)``."""

GetNodes = Callable[[list[NodeRef]], "dict[NodeRef, bytes]"]

_sha256 = hashlib.sha256


class MissingNodeError(LookupError):
    """``get_nodes`` did not return a node a computation needs (the store is incomplete or the size too large)."""


# --- hashing ---------------------------------------------------------------------------------------------------


def leaf_bytes(position: int, event_id: str, type_: str, stream: str, recorded_at: str, payload: str) -> bytes:
    """The canonical bytes of one event: its JSON header line, a newline, then the stored payload text.

    The header is the hash chain's (``integrity.chain_hash``) without ``prev_hash``, so a leaf depends only on its
    own event and the tree does not inherit the chain's sequential dependency.
    """
    header = json.dumps([position, event_id, type_, stream, recorded_at], ensure_ascii=False, separators=(",", ":"))
    return header.encode() + b"\n" + payload.encode()


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: ``SHA-256(0x00 || data)``."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: ``SHA-256(0x01 || left || right)``."""
    return _sha256(b"\x01" + left + right).digest()


# --- storage scheme --------------------------------------------------------------------------------------------


def node_location(level: int, index: int) -> tuple[int, int]:
    """Where node ``(level, index)`` is stored: ``(leaf_index, entry)`` of the row of its last leaf."""
    if level < 0 or index < 0:
        raise ValueError(f"no node at level {level}, index {index}")
    return ((index + 1) << level) - 1, level


def row_nodes(leaf_index: int) -> list[NodeRef]:
    """The nodes stored in the row of ``leaf_index``, entry 0 first (the inverse of :func:`node_location`)."""
    if leaf_index < 0:
        raise ValueError(f"no leaf index {leaf_index}")
    out: list[NodeRef] = []
    level, n = 0, leaf_index + 1
    while True:
        out.append((level, (n >> level) - 1))
        level += 1
        if n & ((1 << level) - 1):
            return out


def completed_nodes(index: int, leaf: bytes, before: Sequence[bytes]) -> list[bytes]:
    """The row of leaf ``index``: the hashes of the subtrees completed by appending ``leaf`` (its leaf hash).

    ``before`` is the compact range of the tree of size ``index`` (largest subtree first, as
    :attr:`CompactRange.hashes`). Entry 0 is ``leaf``; entry ``k`` joins the ``k``-th smallest existing subtree
    with entry ``k - 1``, once for each trailing one bit of ``index``.
    """
    if len(before) != index.bit_count():
        raise ValueError(f"a compact range for size {index} has {index.bit_count()} hashes, not {len(before)}")
    row = [leaf]
    h, n, pos = leaf, index, len(before) - 1
    while n & 1:
        h = _sha256(b"\x01" + before[pos] + h).digest()
        row.append(h)
        n >>= 1
        pos -= 1
    return row


def pack_row(row: Sequence[bytes]) -> bytes:
    """A row as one blob (entry ``k`` at bytes ``32k .. 32k + 32``), a compact form for a database column."""
    return b"".join(row)


def row_entry(blob: bytes, entry: int) -> bytes:
    """Entry ``entry`` of a blob made by :func:`pack_row`."""
    h = blob[entry * HASH_SIZE:(entry + 1) * HASH_SIZE]
    if len(h) != HASH_SIZE:
        raise MissingNodeError(f"row has no entry {entry}")
    return h


# --- ranges ----------------------------------------------------------------------------------------------------


def range_nodes(start: int, end: int) -> list[NodeRef]:
    """The compact range of ``[start, end)``: the fewest complete subtrees that tile it, left to right."""
    if not 0 <= start <= end:
        raise ValueError(f"bad range [{start}, {end})")
    out: list[NodeRef] = []
    while start < end:
        # The biggest subtree starting at ``start``: limited by the alignment of start and by what is left.
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        out.append((level, start >> level))
        start += 1 << level
    return out


def _mth_nodes(start: int, end: int) -> list[NodeRef]:
    """The subtrees whose right fold is RFC 9162's MTH(D[start:end]); requires the range to be a subtree shape.

    MTH splits at the largest power of two ``k`` < size, so a range is made of aligned subtrees of strictly
    decreasing size only if ``start`` is a multiple of ``k`` (or of the size itself, for a power of two). Every
    range that occurs in PATH / SUBPROOF of a tree starting at leaf 0 has that shape.
    """
    size = end - start
    if size <= 0:
        raise ValueError(f"empty or bad range [{start}, {end})")
    top = 1 << (size.bit_length() - 1)
    if start % top:
        raise ValueError(f"[{start}, {end}) is not a Merkle subtree range")
    return range_nodes(start, end)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of decreasing-size subtree hashes: ``node(h0, node(h1, ... node(h_{n-2}, h_{n-1})))``."""
    r = hashes[-1]
    for h in reversed(hashes[:-1]):
        r = _sha256(b"\x01" + h + r).digest()
    return r


def _fetch(get_nodes: GetNodes, refs: Iterable[NodeRef]) -> dict[NodeRef, bytes]:
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    got = get_nodes(wanted)
    for ref in wanted:
        h = got.get(ref)
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise MissingNodeError(f"node (level {ref[0]}, index {ref[1]}) is not stored")
    return got


def _resolve(plan: list[list[NodeRef]], get_nodes: GetNodes) -> list[bytes]:
    nodes = _fetch(get_nodes, (ref for part in plan for ref in part))
    return [_fold([nodes[ref] for ref in part]) for part in plan]


def range_root(start: int, end: int, get_nodes: GetNodes) -> bytes:
    """MTH(D[start:end]) from stored subtrees (one callback call); ``range_root(0, n, ...)`` is the root at size n."""
    if start == end == 0:
        return EMPTY_ROOT
    return _resolve([_mth_nodes(start, end)], get_nodes)[0]


def _split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (size >= 2), RFC 9162's ``k``."""
    return 1 << ((size - 1).bit_length() - 1)


# --- proof generation ------------------------------------------------------------------------------------------


def inclusion_plan(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs make PATH(index, D[0:size]), bottom-up (the order of RFC 9162 section 2.1.3.1)."""
    _check_int(index, "index")
    _check_int(size, "size")
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    parts: list[tuple[int, int]] = []
    start, end = 0, size
    # Walking down from the root: PATH appends the sibling's MTH after the recursive part, so the sibling found
    # first (nearest the root) comes last.
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            parts.append((mid, end))
            end = mid
        else:
            parts.append((start, mid))
            start = mid
    parts.reverse()
    return parts


def consistency_plan(m: int, n: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs make PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) (RFC 9162 section 2.1.4.1).

    Empty for ``m == n`` and for ``m == 0`` (nothing to prove; RFC 9162 defines proofs for ``0 < m < n`` only).
    """
    _check_int(m, "m")
    _check_int(n, "n")
    if not 0 <= m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    if m == 0 or m == n:
        return []
    parts: list[tuple[int, int]] = []
    start, end, known = 0, n, True
    while True:
        size = end - start
        if m - start == size:
            # SUBPROOF(m, D[m], b): nothing if the verifier knows this subtree's root (b true), else that root.
            if not known:
                parts.append((start, end))
            break
        k = _split(size)
        if m - start <= k:
            parts.append((start + k, end))
            end = start + k
        else:
            parts.append((start, start + k))
            start += k
            known = False
    parts.reverse()
    return parts


def inclusion_proof(index: int, size: int, get_nodes: GetNodes) -> list[bytes]:
    """The RFC 9162 inclusion proof (audit path) of leaf ``index`` in the tree of ``size``; one callback call."""
    return _resolve([_mth_nodes(a, b) for a, b in inclusion_plan(index, size)], get_nodes)


def consistency_proof(m: int, n: int, get_nodes: GetNodes) -> list[bytes]:
    """The RFC 9162 consistency proof from size ``m`` to size ``n``; one callback call."""
    return _resolve([_mth_nodes(a, b) for a, b in consistency_plan(m, n)], get_nodes)


def proof_nodes(plan: Iterable[tuple[int, int]]) -> list[NodeRef]:
    """Every stored node a plan needs (for a database layer that prefers to prefetch or to cache)."""
    return sorted({ref for a, b in plan for ref in _mth_nodes(a, b)})


# --- compact range ---------------------------------------------------------------------------------------------


class CompactRange:
    """The roots of the complete subtrees that tile ``[0, size)``, largest first (``popcount(size)`` hashes).

    It is all the appender needs to carry between transactions: appending a leaf yields that leaf's storage row
    and the new root without reading anything else.
    """

    __slots__ = ("_size", "_hashes")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        _check_int(size, "size")
        if size < 0:
            raise ValueError("size must be >= 0")
        hs = list(hashes)
        if len(hs) != size.bit_count():
            raise ValueError(f"a compact range for size {size} has {size.bit_count()} hashes, not {len(hs)}")
        if any(not isinstance(h, bytes) or len(h) != HASH_SIZE for h in hs):
            raise ValueError("compact range hashes must be 32-byte values")
        self._size = size
        self._hashes = hs

    @property
    def size(self) -> int:
        """Number of leaves covered."""
        return self._size

    @property
    def hashes(self) -> list[bytes]:
        """A copy of the subtree roots, largest (leftmost) first."""
        return list(self._hashes)

    def nodes(self) -> list[NodeRef]:
        """The ``(level, index)`` of each hash in :attr:`hashes`."""
        return range_nodes(0, self._size)

    def append(self, leaf: bytes) -> list[bytes]:
        """Add one leaf hash; return its storage row (the newly completed subtrees, level 0 first)."""
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        hs = self._hashes
        row = [leaf]
        h, n = leaf, self._size
        while n & 1:  # each trailing one bit of the old size is a subtree of the same size as h: merge them
            h = _sha256(b"\x01" + hs.pop() + h).digest()
            row.append(h)
            n >>= 1
        hs.append(h)
        self._size += 1
        return row

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add many leaf hashes without building rows (the fast path for full recomputation).

        Unlike :meth:`append` it does not check each value is a 32-byte hash: feed it ``leaf_hash`` output.
        """
        hs, size, sha = self._hashes, self._size, _sha256
        for h in leaves:
            n = size
            while n & 1:
                h = sha(b"\x01" + hs.pop() + h).digest()
                n >>= 1
            hs.append(h)
            size += 1
        self._size = size

    def root(self) -> bytes:
        """MTH of the covered leaves (RFC 9162); ``SHA-256("")`` for the empty tree."""
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT

    def copy(self) -> CompactRange:
        """An independent copy."""
        return CompactRange(self._size, self._hashes)

    def to_hex(self) -> str:
        """The hashes as one lowercase hex string (64 characters each); store it next to :attr:`size`."""
        return "".join(h.hex() for h in self._hashes)

    @classmethod
    def from_hex(cls, size: int, text: str) -> CompactRange:
        """Inverse of :meth:`to_hex`; raises ``ValueError`` if ``text`` does not fit ``size``."""
        if not isinstance(text, str) or len(text) != 64 * size.bit_count():
            raise ValueError(f"a compact range for size {size} is {64 * size.bit_count()} hex characters")
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise ValueError("compact range is not hex") from None
        return cls(size, [raw[i:i + HASH_SIZE] for i in range(0, len(raw), HASH_SIZE)])

    @classmethod
    def from_store(cls, size: int, get_nodes: GetNodes) -> CompactRange:
        """Rebuild the compact range of ``size`` from stored rows (e.g. if the saved state is lost)."""
        refs = range_nodes(0, size)
        nodes = _fetch(get_nodes, refs)
        return cls(size, [nodes[r] for r in refs])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompactRange) and other._size == self._size and other._hashes == self._hashes

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, root={self.root().hex()})"


def root_from_leaves(leaves: Iterable[bytes]) -> bytes:
    """MTH of a stream of leaf hashes, in O(log n) memory."""
    cr = CompactRange()
    cr.extend(leaves)
    return cr.root()


# --- verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2) ------------------------------------------------------


def _check_int(value: object, name: str) -> None:
    # bool is an int subclass; a True index is almost certainly a bug, not leaf 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int")


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to, or None if the proof cannot be valid for ``index`` and ``size``."""
    if not (_is_hash(leaf) and _is_count(index) and _is_count(size)) or index >= size:
        return None
    if not isinstance(path, (list, tuple)) or not all(_is_hash(p) for p in path):
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None  # more nodes than the tree has levels
        if fn & 1 or fn == sn:
            r = _sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                # fn is the right edge of a level with no right sibling: skip the levels where it is promoted.
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """True iff ``path`` proves leaf hash ``leaf`` is at ``index`` in the tree of ``size`` with ``root``."""
    if not _is_hash(root):
        return False
    got = root_from_inclusion_proof(leaf, index, size, path)
    return got is not None and got == root


def verify_consistency(m: int, n: int, m_root: bytes, n_root: bytes, path: Sequence[bytes]) -> bool:
    """True iff ``path`` proves the tree of size ``m`` and ``m_root`` is a prefix of the one of ``n`` / ``n_root``.

    Beyond RFC 9162's ``0 < m < n``: equal sizes need an empty path and equal roots; ``m == 0`` needs an empty
    path and the empty tree's root (the empty tree is a prefix of every tree).
    """
    if not (_is_count(m) and _is_count(n) and _is_hash(m_root) and _is_hash(n_root)) or m > n:
        return False
    if not isinstance(path, (list, tuple)) or not all(_is_hash(p) for p in path):
        return False
    if m == 0:
        return not path and m_root == EMPTY_ROOT
    if m == n:
        return not path and m_root == n_root
    nodes = list(path)
    if not nodes:
        return False
    if m & (m - 1) == 0:  # m is a power of two: the old root is itself a node of the new tree
        nodes.insert(0, m_root)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _sha256(b"\x01" + c + fr).digest()
            sr = _sha256(b"\x01" + c + sr).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _sha256(b"\x01" + sr + c).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == m_root and sr == n_root
