"""The outcomes file (``lrs import outcomes FILE``): de-identified student-outcome aggregates for Guskey level 5.

The LRS holds no student-level data (FERPA; domain.md section 2): the district imports one figure per measure,
period and group of students (a building, a grade, a section cohort), with the number of students behind it.
The file is CSV with a header row (or JSON: a list of objects with the same keys)::

    measure,period,group,group_type,cohort,value,n,program
    MAP reading growth,2025-26,Lincoln grade 3,grade,participants,0.62,42,literacy
    MAP reading growth,2025-26,Jefferson grade 3,grade,others,0.47,38,literacy

- ``measure``: the outcome's name, as a program's ``outcome_measures`` names it; ``period``: a label such as
  ``2025-26`` (the trend is ordered by it); ``group``: the students' group; ``group_type``: ``building``,
  ``grade``, ``cohort`` or ``section``;
- ``cohort``: ``participants`` when the group is taught by the program's participants, else ``others``;
- ``value``: the figure (a share 0..1, a mean scale score...); ``n``: students in the group, at least the
  minimum group size (``LRS_OUTCOME_MIN_N``, default 10);
- ``program`` (optional): the program the cohort split is about (empty: any program measuring it).

:func:`parse_outcomes` validates the whole file and raises :class:`OutcomesError` with every problem. It refuses
anything that looks student-level: a column naming a student (``student_id``, ``student_name``, ``sis_id``,
``date_of_birth``...), any column it does not know (it could hold anything), a group smaller than the minimum,
and the same group listed twice for one measure and period (which is what a row per student looks like).
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

COLUMNS = ("measure", "period", "group", "group_type", "cohort", "value", "n")
OPTIONAL = ("program",)
GROUP_TYPES = ("building", "grade", "cohort", "section")
COHORTS = {"participants": True, "participant": True, "yes": True, "true": True,
           "others": False, "other": False, "non_participants": False, "no": False, "false": False}
DEFAULT_MIN_N = 10
MAX_ROWS = 100_000

# Column names that identify a student (or a student record): the file is refused outright.
_STUDENT_COLUMN = re.compile(
    r"(^|_)(student|pupil|learner|child)s?(_|$)|(^|_)(sis|lasid|sasid|nssrs|ssn|dob|birth(_?date)?|"
    r"first_?name|last_?name|surname|given_?name|full_?name|name|gender|sex|ethnicity|race|iep|ell|frl|"
    r"lunch|address|email|phone|guardian|parent)(_|$)|^(id|student_?id|sid|uid)$")


class OutcomesError(ValueError):
    """An outcomes file that cannot be imported; ``problems`` lists every problem (each names its line)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class OutcomeRow:
    """One validated aggregate (``program`` is '' for any program)."""

    measure: str
    period: str
    group: str
    group_type: str
    participants: bool
    value: float
    n: int
    program: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.measure, self.period, self.group, self.program)

    def to_json(self) -> dict[str, Any]:
        return {"measure": self.measure, "period": self.period, "group": self.group, "group_type": self.group_type,
                "cohort": "participants" if self.participants else "others", "value": self.value, "n": self.n,
                "program": self.program}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> OutcomeRow:
        return cls(measure=d["measure"], period=d["period"], group=d["group"], group_type=d["group_type"],
                   participants=d["cohort"] == "participants", value=float(d["value"]), n=int(d["n"]),
                   program=d.get("program") or "")


def _normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _records(text: str, filename: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """(header, [(line, record)]) from CSV or JSON text."""
    if filename.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise OutcomesError([f"{filename}: not valid JSON: {exc}"]) from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise OutcomesError([f"{filename}: must be a JSON list of objects (one per group)"])
        header: list[str] = []
        for r in data:
            header.extend(k for k in r if k not in header)
        return header, [(i + 1, dict(r)) for i, r in enumerate(data)]
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    try:
        head = next(reader)
    except StopIteration:
        raise OutcomesError([f"{filename}: empty file (expected a header row: {', '.join(COLUMNS)})"]) from None
    except csv.Error as exc:
        raise OutcomesError([f"{filename}: not valid CSV: {exc}"]) from None
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(head):
                rows.append((reader.line_num, {"__extra__": values[len(head):]}))
                continue
            rows.append((reader.line_num, dict(zip(head, values))))
    except csv.Error as exc:
        raise OutcomesError([f"{filename}: not valid CSV at line {reader.line_num}: {exc}"]) from None
    return head, rows


def parse_outcomes(text: str, filename: str = "outcomes.csv", *, min_n: int = DEFAULT_MIN_N) -> list[OutcomeRow]:
    """Validate an outcomes file (see the module docstring); raises :class:`OutcomesError` with every problem."""
    header, records = _records(text, filename)
    names = {h: _normalise_header(h) for h in header}
    student = [h for h, n in names.items() if _STUDENT_COLUMN.search(n)]
    if student:
        raise OutcomesError([
            f"{filename}: looks like student-level data: column(s) {', '.join(repr(s) for s in student)} "
            "identify students. Import de-identified aggregates only: one row per measure, period and group "
            f"with the number of students (columns {', '.join(COLUMNS)}[, program])."])
    problems: list[str] = []
    known = set(COLUMNS) | set(OPTIONAL)
    unknown = [h for h, n in names.items() if n not in known]
    if unknown:
        problems.append(f"{filename}: unknown column(s) {', '.join(repr(u) for u in unknown)} (an outcomes file "
                        f"holds only {', '.join(COLUMNS)} and optionally program, so nothing else can slip in)")
    missing = [c for c in COLUMNS if c not in names.values()]
    if missing:
        problems.append(f"{filename}: missing column(s) {', '.join(missing)}")
    if problems:
        raise OutcomesError(problems)
    if len(records) > MAX_ROWS:
        raise OutcomesError([f"{filename}: {len(records)} rows; an aggregate file has at most {MAX_ROWS:,}"])
    out: list[OutcomeRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for line, raw in records:
        where = f"line {line}" if not filename.lower().endswith(".json") else f"[{line - 1}]"
        if "__extra__" in raw:
            problems.append(f"{where}: more fields than header columns")
            continue
        rec = {names.get(k, k): v for k, v in raw.items()}
        row_problems: list[str] = []

        def text_of(col: str, required: bool = True) -> str:
            v = rec.get(col)
            s = "" if v is None else str(v).strip()
            if required and not s:
                row_problems.append(f"{col} is empty")
            elif len(s) > 200:
                row_problems.append(f"{col} is longer than 200 characters")
            return s

        measure, period, group = text_of("measure"), text_of("period"), text_of("group")
        gtype = text_of("group_type").lower()
        if gtype and gtype not in GROUP_TYPES:
            row_problems.append(f"group_type {gtype!r} must be one of {', '.join(GROUP_TYPES)}")
        cohort_text = text_of("cohort").lower().replace("-", "_").replace(" ", "_")
        cohort = COHORTS.get(cohort_text)
        if cohort_text and cohort is None:
            row_problems.append(f"cohort {cohort_text!r} must be participants or others")
        value = _number(rec.get("value"))
        if value is None:
            row_problems.append(f"value {rec.get('value')!r} is not a number")
        n = _whole(rec.get("n"))
        if n is None:
            row_problems.append(f"n {rec.get('n')!r} is not a whole number of students")
        elif n < min_n:
            row_problems.append(f"n = {n} is below the minimum group size {min_n} (LRS_OUTCOME_MIN_N): a group "
                                "this small can identify students; merge it into a larger group or leave it out")
        program = text_of("program", required=False)
        key = (measure, period, group, program)
        if measure and period and group and key in seen:
            row_problems.append(f"the group {group!r} appears twice for {measure!r} in {period!r} (also "
                                f"{'line' if not filename.endswith('.json') else 'item'} {seen[key]}): one row per "
                                "group, never one per student")
        if row_problems:
            problems.extend(f"{where}: {p}" for p in row_problems)
            continue
        seen[key] = line
        assert value is not None and n is not None and cohort is not None
        out.append(OutcomeRow(measure, period, group, gtype, cohort, value, n, program))
    if problems:
        raise OutcomesError(problems)
    if not out:
        raise OutcomesError([f"{filename}: no rows (expected one row per measure, period and group)"])
    return out


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        f = float(v)
    else:
        try:
            f = float(str(v).strip().rstrip("%")) / (100 if str(v).strip().endswith("%") else 1)
        except ValueError:
            return None
    return f if math.isfinite(f) else None


def _whole(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    s = str(v).strip()
    return int(s) if re.fullmatch(r"\d{1,9}", s) else None
