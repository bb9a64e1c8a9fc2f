"""The district roster as the importers' :class:`adapters.people.RosterLookup`."""
from __future__ import annotations

from adapters.people import InMemoryRoster
from lrs.eventlog.store import EventStore
from lrs.roster.importer import load_state


def roster_lookup(store: EventStore) -> InMemoryRoster:
    """Every roster person (their latest record) and the identifiers linked to them, as the log records it.

    Rows match by e-mail, case-insensitively (the roster's address, or an ``mbox`` linked with ``lrs roster
    link``), or by employee id. Inactive people are matched too: an export may list someone who has left since.
    The statements' actor is the person's roster ``account`` when the roster gives one, else their ``mbox``.
    """
    state = load_state(store)
    return InMemoryRoster.from_people({eid: person for eid, (_eff, _pos, person) in state.people.items()},
                                      state.links)
