"""An independent RFC 9162 (section 2.1) reference, written straight from the RFC's definitions.

It shares no code with ``lrs.eventlog.merkle`` on purpose: the product's storage-backed, iterative algorithms are
checked against these recursive definitions, which are short enough to compare with the RFC text line by line.
``Tree`` memoises MTH over index ranges only so that exhaustive tests stay fast; the recursion is the RFC's.
"""
from __future__ import annotations

from functools import lru_cache
from hashlib import sha256


def HASH(data: bytes) -> bytes:
    return sha256(data).digest()


def leaf(data: bytes) -> bytes:
    """MTH({d}) = HASH(0x00 || d)."""
    return HASH(b"\x00" + data)


def largest_power_of_two_below(n: int) -> int:
    """``k``: the largest power of two smaller than ``n`` (``k < n <= 2k``), for n > 1."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    """D_n = {d[0], ..., d[n-1]} given as leaf inputs (not hashes)."""

    def __init__(self, entries: list[bytes]) -> None:
        self.d = list(entries)
        self.mth = lru_cache(maxsize=None)(self._mth)

    def _mth(self, a: int, b: int) -> bytes:
        """MTH(D[a:b])."""
        n = b - a
        if n == 0:
            return HASH(b"")
        if n == 1:
            return HASH(b"\x00" + self.d[a])
        k = largest_power_of_two_below(n)
        return HASH(b"\x01" + self.mth(a, a + k) + self.mth(a + k, b))

    def path(self, m: int, a: int, b: int) -> list[bytes]:
        """PATH(m, D[a:b]) for 0 <= m < b - a (m relative to a)."""
        n = b - a
        if n == 1:
            return []
        k = largest_power_of_two_below(n)
        if m < k:
            return self.path(m, a, a + k) + [self.mth(a + k, b)]
        return self.path(m - k, a + k, b) + [self.mth(a, a + k)]

    def subproof(self, m: int, a: int, b: int, flag: bool) -> list[bytes]:
        """SUBPROOF(m, D[a:b], b) (m relative to a)."""
        n = b - a
        if m == n:
            return [] if flag else [self.mth(a, b)]
        k = largest_power_of_two_below(n)
        if m <= k:
            return self.subproof(m, a, a + k, flag) + [self.mth(a + k, b)]
        return self.subproof(m - k, a + k, b, False) + [self.mth(a, a + k)]

    def root(self, n: int) -> bytes:
        return self.mth(0, n)

    def inclusion(self, m: int, n: int) -> list[bytes]:
        return self.path(m, 0, n)

    def consistency(self, m: int, n: int) -> list[bytes]:
        """PROOF(m, D_n) = SUBPROOF(m, D_n, true), defined for 0 < m < n."""
        assert 0 < m < n
        return self.subproof(m, 0, n, True)


def node(left: bytes, right: bytes) -> bytes:
    return HASH(b"\x01" + left + right)


def verify_inclusion(hash_: bytes, leaf_index: int, tree_size: int, inclusion_path: list[bytes],
                     root_hash: bytes) -> bool:
    """RFC 9162 section 2.1.3.2, step by step."""
    # 1.
    if leaf_index >= tree_size:
        return False
    # 2., 3.
    fn, sn = leaf_index, tree_size - 1
    r = hash_
    # 4.
    for p in inclusion_path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            if fn % 2 == 0:
                while not (fn % 2 == 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    # 5.
    return sn == 0 and r == root_hash


def verify_consistency(first: int, second: int, first_hash: bytes, second_hash: bytes,
                       consistency_path: list[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2, step by step (0 < first < second)."""
    assert 0 < first < second
    path = list(consistency_path)
    # 1.
    if not path:
        return False
    # 2.
    if first & (first - 1) == 0:
        path = [first_hash] + path
    # 3.
    fn, sn = first - 1, second - 1
    # 4.
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if fn % 2 == 0:
                while not (fn % 2 == 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    return fr == first_hash and sr == second_hash and sn == 0
