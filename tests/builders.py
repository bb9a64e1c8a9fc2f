"""Builders for xAPI test data: valid statements, agents, activities ... with random identifiers.

Every builder returns a fresh, valid (xAPI 1.0.3 and 2.0) JSON-shaped dict. Keyword overrides
replace top-level properties; pass ``DROP`` to remove one::

    make_statement(verb=make_verb("passed"), result={"success": True})
    make_statement(timestamp=DROP)            # no timestamp
    make_agent("account", name=DROP)          # account Agent without a name
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "DROP",
    "random_uuid",
    "random_email",
    "random_iri",
    "make_agent",
    "make_group",
    "make_verb",
    "make_activity",
    "make_statement_ref",
    "make_substatement",
    "make_attachment",
    "make_statement",
    "now_timestamp",
]


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


#: Override value meaning "remove this property".
DROP: Any = _Drop()


def _apply(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for key, value in overrides.items():
        if value is DROP:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def random_uuid() -> str:
    """A random (version 4) UUID string."""
    return str(uuid.uuid4())


def random_email(domain: str = "example.org") -> str:
    """A random e-mail address."""
    return f"user-{uuid.uuid4().hex[:12]}@{domain}"


def random_iri(kind: str = "activities") -> str:
    """A random absolute IRI under http://example.org/<kind>/."""
    return f"http://example.org/{kind}/{uuid.uuid4().hex[:12]}"


def now_timestamp() -> str:
    """The current time as an xAPI timestamp (UTC, milliseconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_agent(ifi: str = "mbox", **overrides: Any) -> dict[str, Any]:
    """An Agent identified by ``ifi`` (mbox, mbox_sha1sum, openid or account) with random values."""
    agent: dict[str, Any] = {"objectType": "Agent", "name": "Test Learner"}
    if ifi == "mbox":
        agent["mbox"] = f"mailto:{random_email()}"
    elif ifi == "mbox_sha1sum":
        agent["mbox_sha1sum"] = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    elif ifi == "openid":
        agent["openid"] = random_iri("openid")
    elif ifi == "account":
        agent["account"] = {"homePage": "http://lms.example.org", "name": uuid.uuid4().hex[:10]}
    else:
        raise ValueError(f"unknown IFI kind {ifi!r}")
    return _apply(agent, overrides)


def make_group(members: list[dict[str, Any]] | None = None, ifi: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A Group: anonymous with two random members by default, identified by ``ifi`` if given."""
    group: dict[str, Any] = {"objectType": "Group", "name": "Test Group"}
    group["member"] = members if members is not None else [make_agent(), make_agent()]
    if ifi is not None:
        identified = make_agent(ifi)
        for key in ("mbox", "mbox_sha1sum", "openid", "account"):
            if key in identified:
                group[key] = identified[key]
    return _apply(group, overrides)


def make_verb(name: str = "completed", **overrides: Any) -> dict[str, Any]:
    """An ADL verb such as http://adlnet.gov/expapi/verbs/completed with an en-US display."""
    return _apply({"id": f"http://adlnet.gov/expapi/verbs/{name}", "display": {"en-US": name}}, overrides)


def make_activity(
    activity_id: str | None = None, *, name: str | None = "Test Activity", **overrides: Any
) -> dict[str, Any]:
    """An Activity with a random id (unless given) and a definition with an en-US name."""
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id or random_iri()}
    if name is not None:
        activity["definition"] = {
            "name": {"en-US": name},
            "type": "http://adlnet.gov/expapi/activities/course",
        }
    return _apply(activity, overrides)


def make_statement_ref(statement_id: str | None = None) -> dict[str, Any]:
    """A StatementRef object pointing at ``statement_id`` (random if not given)."""
    return {"objectType": "StatementRef", "id": statement_id or random_uuid()}


def make_substatement(**overrides: Any) -> dict[str, Any]:
    """A SubStatement object (actor, verb, Activity object)."""
    sub: dict[str, Any] = {
        "objectType": "SubStatement",
        "actor": make_agent(),
        "verb": make_verb("attempted"),
        "object": make_activity(),
    }
    return _apply(sub, overrides)


def make_attachment(**overrides: Any) -> dict[str, Any]:
    """Attachment metadata for a 27-byte text file (the CTS's example)."""
    attachment: dict[str, Any] = {
        "usageType": "http://example.org/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": "text/plain; charset=ascii",
        "length": 27,
        "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
    }
    return _apply(attachment, overrides)


def make_statement(**overrides: Any) -> dict[str, Any]:
    """A valid statement: random id, mbox Agent actor, ``completed`` verb, random Activity, timestamp now."""
    stmt: dict[str, Any] = {
        "id": random_uuid(),
        "actor": make_agent(),
        "verb": make_verb(),
        "object": make_activity(),
        "timestamp": now_timestamp(),
    }
    return _apply(stmt, overrides)
