"""Matching the people an export names to the district roster.

The importers never guess who someone is: a row matches a roster person by e-mail (case-insensitively) or by
employee id, or it is rejected with its line number. ``RosterLookup`` is the protocol planning needs; the lead's
implementation sits over the real roster (``lrs.roster``), and ``InMemoryRoster`` serves tests and benchmarks.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


@dataclass(frozen=True)
class PersonMatch:
    """A roster person: their employee id (the person key of imported statements), name, and xAPI actor."""

    employee_id: str
    name: str | None
    agent: Mapping[str, Any]


class RosterLookup(Protocol):
    """Finds roster people. ``email`` is passed lower-cased; implementations compare case-insensitively."""

    def by_email(self, email: str) -> PersonMatch | None: ...

    def by_employee_id(self, employee_id: str) -> PersonMatch | None: ...


def normalise_email(value: str | None) -> str | None:
    """``Ana.Lopez@District.ORG `` -> ``ana.lopez@district.org``; None for an empty value."""
    if value is None:
        return None
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.lower() or None


def is_email(value: str) -> bool:
    """True for something shaped like an e-mail address."""
    return _EMAIL.fullmatch(value) is not None


def make_agent(*, name: str | None, email: str | None = None, account_homepage: str | None = None,
               account_name: str | None = None) -> dict[str, Any]:
    """The actor for a roster person: an ``account`` {homePage, name} when the roster has one, else ``mbox``.

    Accounts are preferred because they survive a change of e-mail address (domain notes, "Identity").
    """
    agent: dict[str, Any] = {"objectType": "Agent"}
    if name:
        agent["name"] = name
    if account_homepage and account_name:
        agent["account"] = {"homePage": account_homepage, "name": account_name}
    elif email:
        agent["mbox"] = f"mailto:{email}"
    else:
        raise ValueError("a roster person needs an account or an e-mail address to be an xAPI actor")
    return agent


class InMemoryRoster:
    """A RosterLookup over roster rows (dicts with the roster CSV's columns).

    ``links`` are identifiers linked to employees (``lrs.roster``'s ``person.identifier_linked``: agent key ->
    employee id); those of the form ``mbox:mailto:<address>`` also match by e-mail, so a teacher who joined
    Zoom from a personal address that the district has linked is found.
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]] = (), links: Mapping[str, str] | None = None) -> None:
        self._by_email: dict[str, PersonMatch] = {}
        self._by_id: dict[str, PersonMatch] = {}
        for row in rows:
            self.add(row)
        for agent_key, employee_id in (links or {}).items():
            if agent_key.lower().startswith("mbox:mailto:") and employee_id in self._by_id:
                self._by_email.setdefault(agent_key[12:].strip().lower(), self._by_id[employee_id])

    @classmethod
    def from_people(cls, people: Mapping[str, Mapping[str, Any]], links: Mapping[str, str] | None = None
                    ) -> InMemoryRoster:
        """From {employee id: person record} (``RosterState.people`` values' records) and identifier links."""
        return cls(({**person, "employee_id": eid} for eid, person in people.items()), links)

    def add(self, row: Mapping[str, Any]) -> PersonMatch:
        """Add one person: ``employee_id``, ``name``, ``email``, optional ``account_homepage``/``account_name``."""
        eid = str(row["employee_id"]).strip()
        email = normalise_email(row.get("email"))
        match = PersonMatch(eid, row.get("name"), make_agent(
            name=row.get("name"), email=email, account_homepage=row.get("account_homepage"),
            account_name=row.get("account_name")))
        self._by_id[eid] = match
        if email:
            self._by_email[email] = match
        return match

    def by_email(self, email: str) -> PersonMatch | None:
        return self._by_email.get(email.strip().lower())

    def by_employee_id(self, employee_id: str) -> PersonMatch | None:
        return self._by_id.get(employee_id.strip())
