"""The hash chain's link function: deterministic, sensitive to every field, unambiguous."""
from __future__ import annotations

import hashlib
import re

import pytest

from lrs.eventlog.integrity import GENESIS, chain_hash

ARGS = dict(prev_hash=GENESIS, position=1, event_id="6f1c2b1e-0000-4000-8000-000000000001",
            type_="statements.stored", stream="statements", recorded_at="2024-01-02T03:04:05.123456Z",
            payload='{"id":"x"}')


def link(**changes: object) -> str:
    args = {**ARGS, **changes}
    return chain_hash(args["prev_hash"], args["position"], args["event_id"], args["type_"], args["stream"],
                      args["recorded_at"], args["payload"])


def test_genesis_is_sixty_four_zeros() -> None:
    assert GENESIS == "0" * 64


def test_a_link_is_a_sha256_hex_digest_and_deterministic() -> None:
    h = link()
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert h == link()
    assert h != GENESIS


def test_the_link_function_is_pinned() -> None:
    """Stored chains are verified with this function, so it must never change silently."""
    header = ('["' + GENESIS + '",1,"6f1c2b1e-0000-4000-8000-000000000001","statements.stored","statements",'
              '"2024-01-02T03:04:05.123456Z"]')
    assert link() == hashlib.sha256((header + "\n" + '{"id":"x"}').encode()).hexdigest()
    assert link() == "8579f56c0eff56e7a1c52b260107cb0df90f573597975f3b38df2e7d6b9d6928"


def test_non_ascii_text_is_hashed_as_utf8() -> None:
    h = link(stream="agent:account:https://d.example|José", payload='{"name":"José ☕"}')
    assert h == link(stream="agent:account:https://d.example|José", payload='{"name":"José ☕"}')
    assert h != link(stream="agent:account:https://d.example|Jose", payload='{"name":"José ☕"}')


@pytest.mark.parametrize("field, value", [
    ("prev_hash", "1" * 64), ("position", 2), ("event_id", "6f1c2b1e-0000-4000-8000-000000000002"),
    ("type_", "statements.voided"), ("stream", "statements2"), ("recorded_at", "2024-01-02T03:04:05.123457Z"),
    ("payload", '{"id":"y"}'), ("payload", '{"id":"x"} '),
])
def test_every_field_changes_the_link(field: str, value: object) -> None:
    assert link(**{field: value}) != link()


@pytest.mark.parametrize("a, b", [
    # Text moved across a field boundary must not give the same hash: streams hold agent keys such as
    # "account:HOMEPAGE|NAME", so a plain "|" join would let a tamperer shift text between fields unseen.
    (dict(type_="a|b", stream="c"), dict(type_="a", stream="b|c")),
    (dict(stream="s|2024-01-02T03:04:05.123456Z", recorded_at="x"),
     dict(stream="s", recorded_at="2024-01-02T03:04:05.123456Z|x")),
    (dict(recorded_at="t|{", payload="}"), dict(recorded_at="t", payload="{}")),
])
def test_fields_cannot_be_re_split(a: dict[str, str], b: dict[str, str]) -> None:
    assert link(**a) != link(**b)


def test_a_chain_depends_on_its_whole_prefix() -> None:
    h1 = link()
    h2 = link(prev_hash=h1, position=2)
    h1_forged = link(payload='{"id":"forged"}')
    assert link(prev_hash=h1_forged, position=2) != h2
