"""check_storable's fast path (no paths built) finds exactly what the detailed walk finds."""
from __future__ import annotations

import random
from typing import Any

import pytest

from lrs.xapi import limits
from lrs.xapi.errors import XAPIError


def walk_finds(value: Any) -> bool:
    try:
        limits._walk(value, "statement", 1)
    except XAPIError:
        return True
    return False


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth < 70 and roll < 0.3:
        return {rng.choice(["a", "b", "c\x00", "d e", "é"]) + str(i): random_value(rng, depth + 1)
                for i in range(rng.randint(0, 3))}
    if depth < 70 and roll < 0.5:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice(["x", "nul\x00here", 1, 2.5, True, None, "y" * 10])


@pytest.mark.parametrize("seed", range(300))
def test_fast_path_agrees_with_the_walk(seed: int) -> None:
    rng = random.Random(seed)
    value = {"actor": random_value(rng, 2), "object": random_value(rng, 2)}
    assert limits._fine(value, 1) is not walk_finds(value)
    if limits._surely_fine(value):                                 # conservative: never misses what the walk finds
        assert not walk_finds(value)


def test_depth_long_strings_and_nul_keys() -> None:
    deep: Any = "leaf"
    for _ in range(limits.MAX_DEPTH):
        deep = [deep]
    assert limits._fine({"a": deep}, 1) is False and walk_finds({"a": deep})
    assert limits._fine({"a": deep[0]}, 1) is True and not walk_finds({"a": deep[0]})
    assert limits._fine({"a": "x" * (limits.MAX_STRING + 1)}, 1) is False
    assert limits._fine({"a": {"k\x00": 1}}, 1) is False
    assert limits._surely_fine({"a": deep}) is False and limits._surely_fine({"a": ["a\x00"]}) is False
    assert limits._surely_fine({"k\x00": 1}) is False and limits._surely_fine({"a": ["\\u0000"]}) is False
    assert limits._surely_fine({"a": [{"b": "plain"}]}) is True
    with pytest.raises(XAPIError, match=r"statement\.a\[0\]: contains a NUL"):
        limits.check_storable({"a": ["nul\x00"]})
