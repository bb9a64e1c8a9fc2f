"""Small-cell and complementary suppression on one-way tables."""
from __future__ import annotations

from typing import Any

from projections.evaluation.suppression import (carries_no_counts, no_derivable_cells, publish_table,
                                                suppress_linked, suppress_table)


def cell(b: str, participants: int, eligible: int, statements: int = 0) -> dict[str, Any]:
    return {"building": b, "participants": participants, "eligible": eligible,
            "rate": round(participants / eligible, 4) if eligible else None, "statements": statements}


def total_of(cells: list[dict[str, Any]]) -> dict[str, Any]:
    p = sum(c["participants"] for c in cells)
    e = sum(c["eligible"] for c in cells)
    return {"participants": p, "eligible": e, "rate": round(p / e, 4), "statements": sum(c["statements"] for c in cells)}


def hidden(cells: list[dict[str, Any]]) -> list[str]:
    return [c["building"] for c in cells if c["suppressed"]]


FIELDS = ("participants", "eligible", "statements")


def test_one_small_building_takes_a_second_cell_with_it_and_the_total_stays() -> None:
    cells = [cell("A", 30, 40, 90), cell("B", 20, 25, 41), cell("C", 4, 6, 7), cell("D", 12, 15, 30)]
    total = total_of(cells)  # 66 of 86
    out = suppress_table(cells, total, 10)
    # C has 4 participants and 6 eligible (< 10): suppressed. Alone it would be 66 - (30 + 20 + 12) = 4, so the
    # next smallest cell (D: 12 participants, fewer than B's 20 and A's 30) goes too; the total is kept.
    assert hidden(out) == ["C", "D"]
    assert all(carries_no_counts(c) for c in out if c["suppressed"])
    assert out[2] == {"building": "C", "suppressed": True}
    assert out[0] == {**cells[0], "suppressed": False}
    assert no_derivable_cells(out, total, fields=FIELDS)
    # Without the second cell, C is derivable.
    only_c = [dict(c, suppressed=False) for c in cells[:2]] + [{"building": "C", "suppressed": True},
                                                               dict(cells[3], suppressed=False)]
    assert not no_derivable_cells(only_c, total, fields=FIELDS)
    tot, _ = publish_table(cells, total, 10)
    assert tot == {**total, "suppressed": False}


def test_two_small_buildings_need_nothing_extra() -> None:
    cells = [cell("A", 30, 40), cell("B", 20, 25), cell("C", 4, 6), cell("E", 5, 8)]
    total = total_of(cells)
    out = suppress_table(cells, total, 10)
    # total - published = (4 + 5) participants, (6 + 8) eligible: two unknowns, one equation.
    assert hidden(out) == ["C", "E"]
    assert no_derivable_cells(out, total, fields=FIELDS)


def test_zero_cells_are_published_and_never_used_as_the_complement() -> None:
    cells = [cell("A", 30, 40), cell("C", 4, 6), cell("Z", 0, 0), cell("Y", 0, 30)]
    total = total_of(cells)
    out = suppress_table(cells, total, 10)
    # Z describes nobody (0 eligible) and is shown; Y (0 participants of 30) is not small either. C is small;
    # the complement is the smallest non-zero cell, Y (0 participants), never Z: hiding a cell that is plainly
    # empty protects nothing. Then C + Y = 34 - 30 = 4 participants and 36 eligible, neither known alone.
    assert hidden(out) == ["C", "Y"]
    assert out[2] == {"building": "Z", "participants": 0, "eligible": 0, "rate": None, "statements": 0,
                      "suppressed": False}
    assert no_derivable_cells(out, total, fields=("participants", "eligible"))


def test_a_complement_is_chosen_so_no_field_is_pinned_to_zero() -> None:
    cells = [cell("A", 30, 40), cell("C", 0, 5), cell("D", 0, 12)]
    total = total_of(cells)  # 30 of 57
    out = suppress_table(cells, total, 10)
    # C (5 eligible) is small. D is the smallest by participants, but C and D together would have
    # 30 - 30 = 0 participants: both pinned to 0. So A (participants > 0) is taken instead.
    assert hidden(out) == ["A", "C"]
    assert no_derivable_cells(out, total, fields=("participants", "eligible"))
    pinned = [dict(cells[0], suppressed=False), {"building": "C", "suppressed": True},
              {"building": "D", "suppressed": True}]
    assert not no_derivable_cells(pinned, total, fields=("participants", "eligible"))


def test_a_lone_non_zero_cell_hides_the_total_instead() -> None:
    cells = [cell("A", 30, 40), cell("Z", 0, 0)]
    tot, out = publish_table(cells, total_of(cells), 10, force=["A"])
    # A must be hidden (forced by a linked table) and there is no other non-zero cell: only hiding the total
    # keeps A hidden.
    assert hidden(out) == ["A"] and tot == {"suppressed": True}


def test_a_small_total_is_suppressed_and_large_zero_cells_stay() -> None:
    cells = [cell("A", 5, 40), cell("B", 0, 35), cell("C", 3, 20)]
    tot, out = publish_table(cells, total_of(cells), 10)
    # 8 participants in all (< 10): the total goes. A and C (5 and 3 participants) go; B (0 of 35) stays.
    assert tot == {"suppressed": True}
    assert hidden(out) == ["A", "C"]
    assert no_derivable_cells(out, tot)


def test_custom_people_fields_and_keys() -> None:
    cells = [{"session": "s1", "people": 40, "statements": 80, "agree": 60, "mean": 0.8},
             {"session": "s2", "people": 7, "statements": 7, "agree": 5, "mean": 0.7},
             {"session": "s3", "people": 15, "statements": 15, "agree": 9, "mean": 0.6}]
    total = {"people": 55, "statements": 102, "agree": 74, "mean": 0.75}
    out = suppress_table(cells, total, 10, key="session", people=("people",),
                         additive=("statements", "agree"), keep=())
    assert [c["session"] for c in out if c["suppressed"]] == ["s2", "s3"]
    assert no_derivable_cells(out, total, fields=("statements", "agree"))


def test_linked_tables_hide_the_same_cells() -> None:
    # Two tables on the building dimension publishing the same eligible counts: B is small only in the second
    # (3 coached teachers), so it is hidden in both; its complement there is C (11 coached, the next smallest),
    # which is then hidden in the first table too.
    part = [cell("A", 30, 40), cell("B", 20, 25), cell("C", 12, 30)]
    coach = [{"building": "A", "coached": 12, "eligible": 40}, {"building": "B", "coached": 3, "eligible": 25},
             {"building": "C", "coached": 11, "eligible": 30}]
    pt = total_of(part)
    ct = {"coached": 26, "eligible": 95}
    (t1, o1), (t2, o2) = suppress_linked([(part, pt, ("participants", "eligible"), None),
                                          (coach, ct, ("coached",), ("coached", "eligible"))], 10, key="building")
    assert hidden(o1) == hidden(o2) == ["B", "C"]
    assert no_derivable_cells(o1, t1, fields=("eligible",)) and no_derivable_cells(o2, t2, fields=("eligible",))


def test_checker_without_a_total_or_suppression() -> None:
    shown = [dict(cell("A", 30, 40), suppressed=False)]
    assert no_derivable_cells(shown, None)
    assert no_derivable_cells(shown, {"participants": 30, "eligible": 40})
    # Published cells that add up to more than the total are inconsistent: refuse.
    two = shown + [{"building": "B", "suppressed": True}, {"building": "C", "suppressed": True}]
    assert not no_derivable_cells(two, {"participants": 20, "eligible": 40})
