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
    """Drop ``context.platform``/``revision`` when the object is not an Activity (xAPI allows them only then).

    Early versions of ``lrs.demo`` kept them on "mentored" statements (Agent object) and the LRS rightly
    answered 400; the generator no longer does, so this is a no-op there, kept for older checkouts."""
    obj = stmt.get("object") or {}
    if obj.get("objectType", "Activity") != "Activity":
        ctx = stmt.get("context") or {}
        ctx.pop("platform", None)
        ctx.pop("revision", None)
    return stmt


RARE_ACTIVITY = "https://district.example/pd/rare-course"


def _rare(s: dict[str, Any]) -> dict[str, Any]:
    s = dict(s)
    s["object"] = {"objectType": "Activity", "id": RARE_ACTIVITY,
                   "definition": {"name": {"en-US": "A course few people take"},
                                  "type": "https://w3id.org/xapi/cmi5/activitytype/course"}}
    s["verb"] = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}}
    ctx = dict(s.get("context") or {})
    ctx.pop("contextActivities", None)
    ctx["platform"] = "district-lms"
    s["context"] = ctx
    return s


def statements(n: int, *, seed: int, people: int = PEOPLE, pool: int = POOL,
               rare_every: int | None = None) -> Iterator[dict[str, Any]]:
    """``n`` valid demo statements with unique ids; with ``rare_every``, every rare_every-th is about
    :data:`RARE_ACTIVITY` instead (a rarely used activity, for selective-filter queries)."""
    rng = random.Random(seed * 7919 + 1)
    base: list[dict[str, Any]] = []
    i = 0
    for s in generate_statements(min(n, pool), people=people, seed=seed):
        s = fix_demo(s)
        base.append(s)
        yield _rare(s) if rare_every and i % rare_every == rare_every // 2 else s
        i += 1
    while i < n:
        s = dict(base[i % len(base)])
        s["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        yield _rare(s) if rare_every and i % rare_every == rare_every // 2 else s
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
