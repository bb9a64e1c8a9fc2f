"""Micro-benchmark of the Merkle core (``lrs.eventlog.merkle``), in memory, no database. Not a test.

Prints: the CompactRange.append rate (building every storage row), the full recompute rate for 1,000,000 events
(leaf encoding + leaf hash + tree, what ``lrs audit verify`` does per event), and the p50/p95 time to build an
inclusion and a consistency proof at size 1,000,000 with a dict/list-backed ``get_nodes``.

    python bench/merkle_bench.py [--size N] [--proofs K]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from lrs.eventlog import merkle as M


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--proofs", type=int, default=2000)
    args = ap.parse_args()
    n = args.size

    # A payload of the size of a stored xAPI statement (~700 bytes of canonical JSON).
    payload = json.dumps({"actor": {"mbox": "mailto:teacher@district.example", "name": "A Teacher"},
                          "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "x"}},
                          "object": {"id": "https://lrs.district.example/activities/" + "c" * 300},
                          "result": {"completion": True, "duration": "PT1H"}}, sort_keys=True,
                         separators=(",", ":"))
    leaves = [M.leaf_hash(b"leaf %d" % i) for i in range(n)]

    rows: list[bytes] = []
    t = time.perf_counter()
    cr = M.CompactRange()
    for h in leaves:
        rows.append(M.pack_row(cr.append(h)))
    dt = time.perf_counter() - t
    print(f"CompactRange.append (+ pack row): {n / dt:,.0f} leaves/s ({dt:.2f} s for {n:,})")
    root = cr.root()

    t = time.perf_counter()
    assert M.root_from_leaves(leaves) == root
    dt = time.perf_counter() - t
    print(f"root_from_leaves (hashes given):  {n / dt:,.0f} leaves/s")

    t = time.perf_counter()
    full = M.CompactRange()
    lb, lh = M.leaf_bytes, M.leaf_hash
    full.extend(lh(lb(p, f"{p:032x}", "statement.stored", "actor:mailto:teacher@district.example",
                      "2024-01-02T03:04:05.123456Z", payload)) for p in range(1, n + 1))
    dt = time.perf_counter() - t
    print(f"full recompute (encode+hash+tree): {n / dt:,.0f} events/s ({dt:.2f} s for {n:,}, "
          f"payload {len(payload)} bytes)")

    calls = 0

    def get_nodes(refs: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        nonlocal calls
        calls += 1
        out = {}
        for ref in refs:
            leaf, entry = M.node_location(*ref)
            out[ref] = M.row_entry(rows[leaf], entry)
        return out

    rng = random.Random(1)
    inc: list[float] = []
    for _ in range(args.proofs):
        i = rng.randrange(n)
        t = time.perf_counter()
        path = M.inclusion_proof(i, n, get_nodes)
        inc.append((time.perf_counter() - t) * 1000)
        assert M.verify_inclusion(leaves[i], i, n, path, root)
    con: list[float] = []
    for _ in range(args.proofs):
        m = rng.randrange(1, n)
        t = time.perf_counter()
        M.consistency_proof(m, n, get_nodes)
        con.append((time.perf_counter() - t) * 1000)
    print(f"inclusion proof at size {n:,}: p50 {pct(inc, 50):.3f} ms, p95 {pct(inc, 95):.3f} ms "
          f"({calls / (2 * args.proofs):.0f} get_nodes call per proof)")
    print(f"consistency proof at size {n:,}: p50 {pct(con, 50):.3f} ms, p95 {pct(con, 95):.3f} ms")
    t = time.perf_counter()
    for _ in range(args.proofs):
        i = rng.randrange(n)
        M.verify_inclusion(leaves[i], i, n, M.inclusion_proof(i, n, get_nodes), root)
    print(f"inclusion proof + verification: {args.proofs / (time.perf_counter() - t):,.0f}/s")


if __name__ == "__main__":
    main()
