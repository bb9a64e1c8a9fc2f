"""Which generation of each read model a request reads: the active ones, or as-of builds ("what the LRS knew").

Open the scope's connection in one transaction so a concurrent replay swap is never seen half-way.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from projections.engine import active_generation


@dataclass
class ReadScope:
    conn: Connection
    gens: dict[str, int]

    def gen(self, name: str) -> int:
        """The generation to read for ``name``; -1 (no rows) before the projection first ran."""
        return self.gens.get(name, -1)


def active_scope(conn: Connection, names: Iterable[str]) -> ReadScope:
    """Read the active generations."""
    gens = {}
    for n in names:
        g = active_generation(conn, n)
        if g is not None:
            gens[n] = g
    return ReadScope(conn, gens)


def as_of_scope(conn: Connection, builds: Mapping[str, Any]) -> ReadScope:
    """Read as-of builds (``projections.replay.build_all_as_of`` results)."""
    return ReadScope(conn, {name: b.gen for name, b in builds.items()})
