"""Small-cell suppression for published evaluation tables (FERPA, Neb. 79-8,109 personnel privacy).

The rule, as statistical agencies apply it to frequency tables (threshold rule plus complementary suppression):

1. **Primary suppression.** A cell is suppressed when any of its people counts (``people`` fields: participants,
   eligible staff, respondents, teachers observed...) is between 1 and ``min_cell - 1``. Figures computed from
   those people (rates, means, hours, statement counts) go with it: a suppressed cell keeps only its label and
   ``"suppressed": true``, so no count or rate can be read from it.
2. **Zero cells are published.** A cell whose people counts are all 0 describes nobody, so it discloses nothing
   about a person; it is shown as 0 (its rates are null). For the same reason a zero cell is never chosen as the
   complementary cell: hiding a cell that everyone can tell is empty (a building with no eligible staff)
   protects nothing.
3. **Complementary suppression.** When the table's total is published, a single suppressed cell could be worked
   out as ``total - the others``; so a second cell is suppressed, the next smallest (by the first people field,
   ties by label), never the total. Two or more suppressed cells need nothing extra, with one exception: if the
   suppressed cells' values of an additive field sum to 0 while the total is not 0, each of them is pinned to 0,
   so another cell with a non-zero value in that field is added. Only when no cell can serve (one non-zero cell
   in the table) is the total suppressed instead.
4. **Small totals.** A total with a small people count is itself suppressed (then nothing can be subtracted
   from it); its small cells are suppressed by rule 1.

This protects one-way tables (one dimension plus its total) against exact derivation by subtraction. It is not
interval protection: bounds such as "participants <= eligible" can still narrow a suppressed value, as with any
threshold rule. Two-way tables (building x role) need the rule on every row and column at once and are not
published; the evaluation publishes one-way tables only. A quantity published in two tables of the same
dimension must be suppressed in both at once: :func:`suppress_linked`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional

Cell = dict[str, Any]

_EPS = 1e-9


def is_small(value: Any, min_cell: int) -> bool:
    """True for a people count from 1 to ``min_cell - 1`` (0 is not small: see rule 2)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < min_cell


def _num(cell: Mapping[str, Any], f: str) -> float:
    v = cell.get(f)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def _zero(cell: Mapping[str, Any], people: Sequence[str]) -> bool:
    return all(_num(cell, f) == 0 for f in people)


def _small(cell: Mapping[str, Any], people: Sequence[str], min_cell: int) -> bool:
    return any(is_small(cell.get(f), min_cell) for f in people)


def plan_suppression(cells: Sequence[Mapping[str, Any]], total: Mapping[str, Any] | None, min_cell: int, *,
                     key: str, people: Sequence[str], additive: Sequence[str] | None = None,
                     force: Iterable[Any] = ()) -> tuple[set[Any], bool]:
    """Which cells (by their ``key`` value) to suppress, and whether the total must be suppressed too."""
    additive = list(additive if additive is not None else people)
    by_key = {c[key]: c for c in cells}
    chosen = {k for k, c in by_key.items() if _small(c, people, min_cell)} | {k for k in force if k in by_key}
    total_hidden = total is not None and _small(total, people, min_cell)
    if total is None or total_hidden:
        return chosen, total_hidden
    while True:
        hidden = [c for k, c in by_key.items() if k in chosen and not _zero(c, people)]
        if not hidden:
            break
        # Fields whose hidden values would all be pinned to 0 (the total says there is something, yet every
        # published cell already adds up to it).
        pinned = [f for f in additive if abs(_num(total, f)) > _EPS and abs(sum(_num(c, f) for c in hidden)) <= _EPS]
        if len(hidden) >= 2 and not pinned:
            break
        candidates = [c for k, c in by_key.items() if k not in chosen and not _zero(c, people)]
        fixing = [c for c in candidates if all(_num(c, f) > 0 for f in pinned)]
        pool = fixing or (candidates if len(hidden) == 1 else [])
        if not pool:
            if len(hidden) == 1:
                total_hidden = True  # the only way left to keep the hidden cell hidden
            break
        best = min(pool, key=lambda c: (_num(c, people[0]), str(c[key])))
        chosen.add(best[key])
    return chosen, total_hidden


def _hide(cell: Mapping[str, Any], key: str, keep: Sequence[str]) -> Cell:
    out: Cell = {key: cell[key]} if key in cell else {}
    out.update({k: cell[k] for k in keep if k in cell})
    out["suppressed"] = True
    return out


def _show(cell: Mapping[str, Any]) -> Cell:
    out = dict(cell)
    out["suppressed"] = False
    return out


def suppress_table(cells: Sequence[Mapping[str, Any]], total: Mapping[str, Any] | None, min_cell: int, *,
                   key: str = "building", people: Sequence[str] = ("participants", "eligible"),
                   additive: Sequence[str] | None = None, keep: Sequence[str] = (),
                   force: Iterable[Any] = ()) -> list[Cell]:
    """The cells as they may be published: each gets ``suppressed``; a suppressed one keeps only ``key`` (and
    the label fields in ``keep``). ``total`` is the table's total cell (None when no total is published).
    Use :func:`publish_table` to get the total's published form as well."""
    return publish_table(cells, total, min_cell, key=key, people=people, additive=additive, keep=keep,
                         force=force)[1]


def publish_table(cells: Sequence[Mapping[str, Any]], total: Mapping[str, Any] | None, min_cell: int, *,
                  key: str = "building", people: Sequence[str] = ("participants", "eligible"),
                  additive: Sequence[str] | None = None, keep: Sequence[str] = (), total_keep: Sequence[str] = (),
                  force: Iterable[Any] = ()) -> tuple[Cell | None, list[Cell]]:
    """``(published total, published cells)`` for a one-way table (see the module docstring for the rule)."""
    chosen, total_hidden = plan_suppression(cells, total, min_cell, key=key, people=people, additive=additive,
                                            force=force)
    out_cells = [_hide(c, key, keep) if c[key] in chosen else _show(c) for c in cells]
    out_total: Cell | None = None
    if total is not None:
        out_total = _hide(total, "", total_keep) if total_hidden else _show(total)
    return out_total, out_cells


LinkedTable = tuple[Sequence[Mapping[str, Any]], Optional[Mapping[str, Any]], Sequence[str], Optional[Sequence[str]]]


def suppress_linked(tables: Sequence[LinkedTable], min_cell: int, *,
                    key: str) -> list[tuple[Cell | None, list[Cell]]]:
    """Publish several tables of one dimension that share a quantity (e.g. eligible staff by building in two
    views). Each table is ``(cells, total, people fields, additive fields or None)``; a cell suppressed in one is
    suppressed in all, and each still satisfies the complementary rule."""
    chosen: set[Any] = set()
    while True:
        grown = set(chosen)
        for cells, total, people, additive in tables:
            s, _ = plan_suppression(cells, total, min_cell, key=key, people=people, additive=additive,
                                    force=grown)
            grown |= s
        if grown == chosen:
            break
        chosen = grown
    return [publish_table(cells, total, min_cell, key=key, people=people, additive=additive, force=chosen)
            for cells, total, people, additive in tables]


def no_derivable_cells(published: Sequence[Mapping[str, Any]], total: Mapping[str, Any] | None, *,
                       fields: Sequence[str] | None = None) -> bool:
    """True when no suppressed cell of a published one-way table can be worked out from the published total and
    the published cells: not exactly one suppressed cell, and no additive field whose suppressed values are
    pinned (the published cells already add up to a non-zero total, or exceed it). ``fields`` defaults to the
    total's whole-number fields."""
    if total is None or total.get("suppressed"):
        return True
    hidden = [c for c in published if c.get("suppressed")]
    if not hidden:
        return True
    if len(hidden) == 1:
        return False
    if fields is None:
        fields = [f for f, v in total.items() if isinstance(v, int) and not isinstance(v, bool)]
    shown = [c for c in published if not c.get("suppressed")]
    for f in fields:
        if f not in total:
            continue
        residual = _num(total, f) - sum(_num(c, f) for c in shown)
        if residual < -_EPS or (abs(residual) <= _EPS and abs(_num(total, f)) > _EPS):
            return False
    return True


def carries_no_counts(cell: Mapping[str, Any]) -> bool:
    """True when a suppressed cell shows no figure at all (only labels and ``suppressed``)."""
    return cell.get("suppressed") is True and not any(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in cell.values())
