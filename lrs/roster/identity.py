"""Agent identifiers as the projections key them.

The public form is the project's (``mbox:mailto:a@b.org``, ``mbox_sha1sum:HEX``, ``openid:URL``,
``account:HOMEPAGE|NAME``). Read models store the *match key*: the same text with a whole ``mbox`` address
lowercased, because districts' rosters and vendors' statements disagree on the case of e-mail addresses far more
often than two people own addresses that differ only by case.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

PREFIXES = ("mbox:", "mbox_sha1sum:", "openid:", "account:")


def match_key(agent: Any) -> str | None:
    """The match key of an Agent or identified Group, or None when it has no inverse functional identifier."""
    if not isinstance(agent, dict):
        return None
    mbox = agent.get("mbox")
    if isinstance(mbox, str) and mbox:
        return "mbox:" + mbox.strip().lower()
    sha1 = agent.get("mbox_sha1sum")
    if isinstance(sha1, str) and sha1:
        return "mbox_sha1sum:" + sha1.strip().lower()
    openid = agent.get("openid")
    if isinstance(openid, str) and openid:
        return "openid:" + openid
    account = agent.get("account")
    if isinstance(account, dict):
        home, name = account.get("homePage"), account.get("name")
        if isinstance(home, str) and isinstance(name, str) and home:
            return f"account:{home}|{name}"
    return None


def normalize_key(key: str) -> str:
    """Turn a public identifier (possibly URL-encoded, any mbox case) into a match key."""
    key = key.strip()
    if "%" in key and not key.startswith(PREFIXES):
        key = unquote(key)
    if key.startswith("mbox:"):
        addr = key[5:]
        if not addr.lower().startswith("mailto:"):
            addr = "mailto:" + addr
        return "mbox:" + addr.lower()
    if key.startswith("mbox_sha1sum:"):
        return key.lower()
    return key


def is_agent_key(text: str) -> bool:
    """True when ``text`` has the shape of an agent identifier rather than an employee id."""
    return text.startswith(PREFIXES)


def key_to_agent(key: str) -> dict[str, Any]:
    """The xAPI Agent object (identifier only) for a key; raises ``ValueError`` for anything else."""
    key = normalize_key(key)
    if key.startswith("mbox:"):
        return {"objectType": "Agent", "mbox": key[5:]}
    if key.startswith("mbox_sha1sum:"):
        return {"objectType": "Agent", "mbox_sha1sum": key[13:]}
    if key.startswith("openid:"):
        return {"objectType": "Agent", "openid": key[7:]}
    if key.startswith("account:") and "|" in key:
        home, name = key[8:].split("|", 1)
        return {"objectType": "Agent", "account": {"homePage": home, "name": name}}
    raise ValueError(f"not an agent identifier: {key!r}")


def email_keys(email: str) -> list[str]:
    """Every key a statement may use for this address: the ``mbox`` and its ``mbox_sha1sum`` forms.

    The SHA-1 is over ``mailto:`` + address exactly as written (xAPI-Data 2.4.2.3), so both the lowercased and
    the as-written spelling are registered.
    """
    email = email.strip()
    keys = ["mbox:mailto:" + email.lower()]
    for spelled in dict.fromkeys([email.lower(), email]):
        keys.append("mbox_sha1sum:" + hashlib.sha1(("mailto:" + spelled).encode()).hexdigest())
    return keys


def credited_agents(actor: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(key, agent) for everyone a statement's actor credits: the Agent, or each member of a Group.

    A Group's learning is its members' learning (a PLC team that attended a meeting): an identified Group
    credits its listed members, not the group itself, and a Group without members credits nobody.
    """
    if not isinstance(actor, dict):
        return
    if actor.get("objectType") == "Group":
        for member in actor.get("member") or []:
            k = match_key(member)
            if k:
                yield k, member
        return
    k = match_key(actor)
    if k:
        yield k, actor
