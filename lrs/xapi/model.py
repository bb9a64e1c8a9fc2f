"""Pure helpers on xAPI statement dicts, in one namespace: identifiers (:mod:`lrs.xapi.agents`), normalisation
(:mod:`lrs.xapi.normalize`), comparison (:mod:`lrs.xapi.compare`), GET formats (:mod:`lrs.xapi.render`) and index
keys (:mod:`lrs.xapi.index_keys`).

Everything works on plain JSON-shaped data (dicts, lists, strings, numbers) and never mutates its input. Functions
that return a modified statement copy only the containers on the modified paths and share every untouched
sub-object with the input, because a deep copy would cost more than the rest of the work; callers must treat both
the input and the result as read-only below the top level.
"""
from __future__ import annotations

from lrs.times import try_parse_timestamp
from lrs.xapi.agents import IFI_KEYS, VOIDED_VERB_ID, agent_key
from lrs.xapi.compare import statements_equivalent
from lrs.xapi.index_keys import referenced_activities, referenced_agents
from lrs.xapi.normalize import normalize_statement, parse_timestamp, truncate_duration
from lrs.xapi.render import format_statement, parse_accept_language, pick_language

__all__ = [
    "IFI_KEYS",
    "VOIDED_VERB_ID",
    "agent_key",
    "parse_timestamp",
    "try_parse_timestamp",
    "truncate_duration",
    "normalize_statement",
    "statements_equivalent",
    "format_statement",
    "parse_accept_language",
    "pick_language",
    "referenced_agents",
    "referenced_activities",
]
