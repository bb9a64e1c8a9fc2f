"""Request bodies from the demo generator (``lrs.demo.generate_statements``): realistic people, verbs, activities.

Large stores reuse a pool of generated statements with fresh ids (drawn from a seeded RNG, so a run is
repeatable): generating is ~15k statements/s on one core, which would otherwise dominate a 1M-statement load.
The mix (people, verbs, activities, registrations, durations) is the generator's.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import orjson

from lrs.demo import generate_statements

PEOPLE = 5000  # many people, so that an agent filter selects ~1/5000 of the store
POOL = 50_000


def fix_demo(stmt: dict[str, Any]) -> dict[str, Any]:
    """Work around a bug in ``lrs.demo``: "mentored" statements have an Agent object but keep
    ``context.platform``, which xAPI allows only when the object is an Activity (the LRS rightly answers 400)."""
    obj = stmt.get("object") or {}
    if obj.get("objectType", "Activity") != "Activity":
        ctx = stmt.get("context") or {}
        ctx.pop("platform", None)
        ctx.pop("revision", None)
    return stmt


def statements(n: int, *, seed: int, people: int = PEOPLE, pool: int = POOL) -> Iterator[dict[str, Any]]:
    """``n`` valid demo statements with unique ids."""
    rng = random.Random(seed * 7919 + 1)
    base: list[dict[str, Any]] = []
    for s in generate_statements(min(n, pool), people=people, seed=seed):
        s = fix_demo(s)
        base.append(s)
        yield s
    i = len(base)
    while i < n:
        s = dict(base[i % len(base)])
        s["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        yield s
        i += 1


def single_bodies(n: int, *, seed: int, people: int = PEOPLE) -> list[bytes]:
    """``n`` single-statement POST bodies."""
    return [orjson.dumps(s) for s in statements(n, seed=seed, people=people)]


def batch_bodies(batches: int, size: int, *, seed: int, people: int = PEOPLE) -> list[bytes]:
    """``batches`` POST bodies of ``size`` statements each (a JSON array)."""
    out: list[bytes] = []
    buf: list[dict[str, Any]] = []
    for s in statements(batches * size, seed=seed, people=people):
        buf.append(s)
        if len(buf) == size:
            out.append(orjson.dumps(buf))
            buf = []
    return out
