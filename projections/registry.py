"""The named, versioned projections this product maintains.

A projection's name carries its version (``transcript@v1``): a change to what a projection computes gets a new
version, which the worker builds from position zero beside the old one (see ``projections.replay``). Other
packages add theirs with :func:`register` (e.g. a compliance read model) before the worker starts.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from projections.engine import Projection
from projections.evaluation.projection import EvaluationProjection
from projections.people.projection import PeopleProjection
from projections.transcript.projection import TranscriptProjection

Factory = Callable[[Mapping[str, Any] | None], Projection]

_FACTORIES: dict[str, Factory] = {
    PeopleProjection.name: PeopleProjection,
    TranscriptProjection.name: TranscriptProjection,
    EvaluationProjection.name: EvaluationProjection,
}


def register(name: str, factory: Factory) -> None:
    """Add (or replace) a projection; ``name`` must be ``base@vN``."""
    if "@" not in name:
        raise ValueError(f"projection names carry a version, like 'transcript@v1' (got {name!r})")
    _FACTORIES[name] = factory


def names() -> list[str]:
    """Every registered projection name, sorted."""
    return sorted(_FACTORIES)


def resolve_name(name: str) -> str:
    """``transcript`` or ``transcript@v1`` -> ``transcript@v1`` (the newest version when none is given)."""
    if name in _FACTORIES:
        return name
    matches = sorted((n for n in _FACTORIES if n.split("@", 1)[0] == name),
                     key=lambda n: int(n.rsplit("@v", 1)[1]) if n.rsplit("@v", 1)[1].isdigit() else 0)
    if not matches:
        raise KeyError(f"unknown projection {name!r} (known: {', '.join(names())})")
    return matches[-1]


def get(name: str, settings: Mapping[str, Any] | None = None) -> Projection:
    """A projection instance by (possibly unversioned) name."""
    return _FACTORIES[resolve_name(name)](settings)


def all_projections(settings: Mapping[str, Any] | None = None) -> list[Projection]:
    """One instance of every registered projection."""
    return [_FACTORIES[n](settings) for n in names()]
