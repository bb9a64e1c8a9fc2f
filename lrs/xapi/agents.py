"""Agent identifiers (xAPI-Data 2.4.2): the stable key of an Agent or identified Group."""
from __future__ import annotations

from typing import Any

#: The inverse functional identifier properties, in the order agent_key prefers them.
IFI_KEYS: tuple[str, ...] = ("mbox", "mbox_sha1sum", "openid", "account")

#: The reserved verb that voids another statement (xAPI-Data 2.3.2).
VOIDED_VERB_ID = "http://adlnet.gov/expapi/verbs/voided"

CONTEXT_ACTIVITY_KEYS: tuple[str, ...] = ("parent", "grouping", "category", "other")


def agent_key(agent: object) -> str | None:
    """Return the stable identifier string of an Agent or identified Group, or None if it has no IFI.

    The forms are ``mbox:mailto:a@b.org``, ``mbox_sha1sum:HEX``, ``openid:URL`` and
    ``account:HOMEPAGE|NAME`` (the project's public person identifier format). The domain part of
    an mbox and the sha1 hex are lowercased because the spec makes them case-insensitive
    (xAPI-Data 2.3.1, 2.4.2.3); everything else is kept exactly.
    """
    if not isinstance(agent, dict):
        return None
    mbox = agent.get("mbox")
    if isinstance(mbox, str):
        return "mbox:" + _normalize_mbox(mbox)
    sha1 = agent.get("mbox_sha1sum")
    if isinstance(sha1, str):
        return "mbox_sha1sum:" + sha1.lower()
    openid = agent.get("openid")
    if isinstance(openid, str):
        return "openid:" + openid
    account = agent.get("account")
    if isinstance(account, dict):
        home, name = account.get("homePage"), account.get("name")
        if isinstance(home, str) and isinstance(name, str):
            return f"account:{home}|{name}"
    return None


def _normalize_mbox(mbox: str) -> str:
    # Only the domain of an e-mail address is case-insensitive; the local part may legally differ.
    local, sep, domain = mbox.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else mbox


def as_list(value: Any) -> list[Any]:
    """A contextActivities value as a list (1.0.x allowed a single object)."""
    if isinstance(value, list):
        return value
    return [value]
