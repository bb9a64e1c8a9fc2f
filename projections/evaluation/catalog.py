"""The program catalog: which learning makes up each professional-learning program, who it is for, what it
aims at and costs (``lrs programs load FILE``; every key is documented in docs/programs.md).

The file is validated whole: :func:`parse_programs` raises :class:`CatalogError` carrying every problem, each
named by its path (``programs[2].eligible.roles: must be a list of role names``); unknown keys are errors, so a
misspelt key is never silently ignored. :meth:`ProgramCatalog.to_json` gives the canonical form (every default
spelt out) that is stored in the log event, and :meth:`ProgramCatalog.from_json` reads it back.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.evaluation.digests import DELIVERY_MODELS
from projections.evaluation.periods import PeriodError, parse_date, parse_month_day, resolve_period

__all__ = ["CatalogError", "ProgramCatalog", "Program", "Eligibility", "Alignment", "Costs", "CostItem",
           "NamedPeriod", "parse_programs", "resolve_period"]

DEFAULT_JOB_EMBEDDED = ("plc", "coaching", "instructional_rounds")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
_BUILTIN_PERIOD = re.compile(r"^(\d{4}(-(\d{2}|\d{4})(-(S1|S2))?)?)$", re.IGNORECASE)


class CatalogError(ValueError):
    """An invalid catalog; ``problems`` lists every problem, each starting with its path."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Eligibility:
    """Who a program is for: any of ``roles`` (empty = every role), in any of ``buildings`` (empty = all), and
    ``certified`` True/False (None = certified and non-certified staff alike). Only active staff are eligible."""

    roles: tuple[str, ...] = ()
    buildings: tuple[str, ...] = ()
    certified: bool | None = None


@dataclass(frozen=True)
class Alignment:
    """What a program supports (policy 4300.2 "Content"): the strategic plan, site plans, the instructional
    model, the leadership framework, a legal mandate."""

    strategic_plan_goal: str | None = None
    site_plans: tuple[str, ...] = ()
    instructional_model: str | None = None
    leadership_framework: str | None = None
    legal_mandate: str | None = None


@dataclass(frozen=True)
class CostItem:
    item: str
    amount: float


@dataclass(frozen=True)
class Costs:
    """A program's costs for the period it is evaluated over: a total, items, or both (then they must agree)."""

    total: float
    items: tuple[CostItem, ...] = ()
    currency: str = "USD"


@dataclass(frozen=True)
class NamedPeriod:
    name: str
    from_: date
    to: date


@dataclass(frozen=True)
class Program:
    """One program. Learning belongs to it when the statement's object is one of ``activities``, its type one of
    ``activity_types``, it carries one of ``tags``, or one of ``grouping`` is in its ``contextActivities``
    grouping or parent."""

    id: str
    title: str
    description: str | None = None
    activities: tuple[str, ...] = ()
    activity_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    grouping: tuple[str, ...] = ()
    eligible: Eligibility = Eligibility()
    goals: tuple[str, ...] = ()
    alignment: Alignment = Alignment()
    costs: Costs | None = None
    target_practices: tuple[str, ...] = ()
    proficient_level: float = 3.0
    rubric_scale_max: float = 4.0
    periods: tuple[NamedPeriod, ...] = ()
    outcome_measures: tuple[str, ...] = ()
    support_scope: str = "program"

    def belongs(self, activity: str | None, activity_type: str | None = None, tags: Sequence[str] = (),
                context_ids: Sequence[str] = ()) -> bool:
        """Whether learning with these identifiers belongs to the program."""
        if activity is not None and activity in self.activities:
            return True
        if activity_type is not None and activity_type in self.activity_types:
            return True
        if self.tags and any(t.lower() in self.tags for t in tags):
            return True
        return bool(self.grouping) and any(c in self.grouping for c in context_ids)


@dataclass(frozen=True)
class ProgramCatalog:
    """The whole catalog: district-wide evaluation settings and the programs."""

    programs: tuple[Program, ...] = ()
    min_cell: int = 10
    series_min_sessions: int = 3
    series_min_weeks: int = 4
    job_embedded_models: tuple[str, ...] = DEFAULT_JOB_EMBEDDED
    agree_top_points: int = 2
    rating_agree_share: float = 0.8
    semester_2_start: tuple[int, int] = (1, 1)
    periods: tuple[NamedPeriod, ...] = ()

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)

    def named_periods(self, program: Program | None = None) -> dict[str, tuple[date, date]]:
        """District-wide named periods, overlaid by the program's own."""
        out = {p.name: (p.from_, p.to) for p in self.periods}
        if program is not None:
            out.update({p.name: (p.from_, p.to) for p in program.periods})
        return out

    def resolve(self, name: str | None, from_: str | date | None = None, to: str | date | None = None, *,
                school_year_start: str | tuple[int, int] = (7, 1), program: Program | None = None,
                today: date | None = None) -> tuple[date, date, str]:
        """:func:`resolve_period` with this catalog's semester split and named periods."""
        return resolve_period(name, from_, to, school_year_start, semester_2_start=self.semester_2_start,
                              named=self.named_periods(program), today=today)

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON form: every key present, defaults spelt out, dates as ISO text."""
        return {
            "min_cell": self.min_cell,
            "series": {"min_sessions": self.series_min_sessions, "min_weeks": self.series_min_weeks},
            "job_embedded_models": list(self.job_embedded_models),
            "reactions": {"agree_top_points": self.agree_top_points,
                          "rating_agree_share": self.rating_agree_share},
            "semester_2_start": f"{self.semester_2_start[0]:02d}-{self.semester_2_start[1]:02d}",
            "periods": [_period_json(p) for p in self.periods],
            "programs": [_program_json(p) for p in self.programs],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProgramCatalog:
        """Read back :meth:`to_json` output (or any valid catalog document); raises CatalogError."""
        return _Validator().catalog(data)


def _period_json(p: NamedPeriod) -> dict[str, Any]:
    return {"name": p.name, "from": p.from_.isoformat(), "to": p.to.isoformat()}


def _program_json(p: Program) -> dict[str, Any]:
    return {
        "id": p.id, "title": p.title, "description": p.description,
        "activities": list(p.activities), "activity_types": list(p.activity_types), "tags": list(p.tags),
        "grouping": list(p.grouping),
        "eligible": {"roles": list(p.eligible.roles), "buildings": list(p.eligible.buildings),
                     "certified": "any" if p.eligible.certified is None else p.eligible.certified},
        "goals": list(p.goals),
        "alignment": {"strategic_plan_goal": p.alignment.strategic_plan_goal,
                      "site_plans": list(p.alignment.site_plans),
                      "instructional_model": p.alignment.instructional_model,
                      "leadership_framework": p.alignment.leadership_framework,
                      "legal_mandate": p.alignment.legal_mandate},
        "costs": None if p.costs is None else {
            "total": p.costs.total, "currency": p.costs.currency,
            "items": [{"item": i.item, "amount": i.amount} for i in p.costs.items]},
        "target_practices": list(p.target_practices),
        "proficient_level": p.proficient_level,
        "rubric_scale_max": p.rubric_scale_max,
        "periods": [_period_json(x) for x in p.periods],
        "outcome_measures": list(p.outcome_measures),
        "support_scope": p.support_scope,
    }


def parse_programs(text: str, filename: str = "programs.yaml") -> ProgramCatalog:
    """Parse and validate a catalog file (JSON for ``*.json``, else YAML, which also reads JSON)."""
    try:
        if filename.lower().endswith(".json"):
            data = json.loads(text)
        else:
            import yaml  # PyYAML is a product dependency; imported here so JSON-only callers never need it

            data = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - any parser error becomes one catalog problem
        raise CatalogError([f"{filename}: not valid {'JSON' if filename.endswith('.json') else 'YAML'}: "
                            f"{exc}".splitlines()[0]]) from None
    return _Validator().catalog(data)


# ---------------------------------------------------------------------------------------------------------------
# Validation: every check appends a problem and returns a usable default, so one pass reports everything.
# ---------------------------------------------------------------------------------------------------------------

_TOP_KEYS = ("min_cell", "series", "job_embedded_models", "reactions", "semester_2_start", "periods", "programs")
_PROGRAM_KEYS = ("id", "title", "description", "activities", "activity_types", "tags", "grouping", "eligible",
                 "goals", "alignment", "costs", "target_practices", "proficient_level", "rubric_scale_max",
                 "periods", "outcome_measures", "support_scope")


class _Validator:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def keys(self, obj: Mapping[str, Any], allowed: Sequence[str], path: str) -> None:
        for k in obj:
            if k not in allowed:
                self.fail(f"{path}.{k}" if path else str(k), f"unknown key (known: {', '.join(allowed)})")

    def mapping(self, value: Any, path: str, what: str = "a mapping") -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, f"must be {what}")
            return {}
        return value

    def text(self, value: Any, path: str, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "must be a non-empty string")
            return None
        return value.strip()

    def strings(self, value: Any, path: str, what: str, check: Callable[[str], bool] | None = None,
                why: str = "") -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, list):
            self.fail(path, f"must be a list of {what}")
            return ()
        out: list[str] = []
        for i, v in enumerate(value):
            if not isinstance(v, str) or not v.strip():
                self.fail(f"{path}[{i}]", f"must be a non-empty string ({what})")
            elif check is not None and not check(v.strip()):
                self.fail(f"{path}[{i}]", f"{v!r} {why}")
            else:
                out.append(v.strip())
        return tuple(dict.fromkeys(out))

    def iris(self, value: Any, path: str, what: str) -> tuple[str, ...]:
        return self.strings(value, path, what, lambda s: bool(_IRI.match(s)), "is not an absolute IRI")

    def number(self, value: Any, path: str, default: float, *, minimum: float | None = None,
               maximum: float | None = None, integer: bool = False, exclusive_min: bool = False) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            self.fail(path, "must be a whole number" if integer else "must be a number")
            return default
        if minimum is not None and (value <= minimum if exclusive_min else value < minimum):
            self.fail(path, f"must be {'greater than' if exclusive_min else 'at least'} {minimum:g}")
            return default
        if maximum is not None and value > maximum:
            self.fail(path, f"must be at most {maximum:g}")
            return default
        return value

    def periods(self, value: Any, path: str) -> tuple[NamedPeriod, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(path, "must be a list of {name, from, to}")
            return ()
        out: list[NamedPeriod] = []
        seen: set[str] = set()
        for i, raw in enumerate(value):
            p = f"{path}[{i}]"
            obj = self.mapping(raw, p, "a mapping with name, from and to")
            if not obj:
                continue
            self.keys(obj, ("name", "from", "to"), p)
            name = self.text(obj.get("name"), f"{p}.name", required=True)
            lo = self.date(obj.get("from"), f"{p}.from")
            hi = self.date(obj.get("to"), f"{p}.to")
            if name and _BUILTIN_PERIOD.match(name):
                self.fail(f"{p}.name", f"{name!r} is a built-in period name (school year, semester or year)")
                name = None
            if name and name in seen:
                self.fail(f"{p}.name", f"duplicate period {name!r}")
                name = None
            if lo and hi and lo > hi:
                self.fail(p, f"from {lo.isoformat()} is after to {hi.isoformat()}")
            elif name and lo and hi:
                seen.add(name)
                out.append(NamedPeriod(name, lo, hi))
        return tuple(out)

    def date(self, value: Any, path: str) -> date | None:
        if value is None:
            self.fail(path, "is required")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return parse_date(value)
            except PeriodError:
                pass
        self.fail(path, f"{value!r} is not an ISO 8601 date")
        return None

    # --- the document -----------------------------------------------------------------------------------------

    def catalog(self, data: Any) -> ProgramCatalog:
        if not isinstance(data, dict):
            raise CatalogError(["(document): must be a mapping with a 'programs' list"])
        self.keys(data, _TOP_KEYS, "")
        min_cell = int(self.number(data.get("min_cell"), "min_cell", 10, minimum=1, integer=True))
        series = self.mapping(data.get("series"), "series")
        self.keys(series, ("min_sessions", "min_weeks"), "series")
        min_sessions = int(self.number(series.get("min_sessions"), "series.min_sessions", 3, minimum=2,
                                       integer=True))
        min_weeks = int(self.number(series.get("min_weeks"), "series.min_weeks", 4, minimum=1, integer=True))
        models: tuple[str, ...] = DEFAULT_JOB_EMBEDDED
        if data.get("job_embedded_models") is not None:
            models = self.strings(data.get("job_embedded_models"), "job_embedded_models", "delivery models",
                                  lambda s: s in DELIVERY_MODELS,
                                  f"is not a delivery model ({', '.join(DELIVERY_MODELS)})")
        reactions = self.mapping(data.get("reactions"), "reactions")
        self.keys(reactions, ("agree_top_points", "rating_agree_share"), "reactions")
        top = int(self.number(reactions.get("agree_top_points"), "reactions.agree_top_points", 2, minimum=1,
                              integer=True))
        share = float(self.number(reactions.get("rating_agree_share"), "reactions.rating_agree_share", 0.8,
                                  minimum=0, maximum=1, exclusive_min=True))
        s2: tuple[int, int] = (1, 1)
        if data.get("semester_2_start") is not None:
            try:
                s2 = parse_month_day(str(data["semester_2_start"]))
            except PeriodError as exc:
                self.fail("semester_2_start", str(exc))
        periods = self.periods(data.get("periods"), "periods")
        programs: list[Program] = []
        raw_programs = data.get("programs")
        if raw_programs is None:
            self.fail("programs", "is required (a list of programs)")
        elif not isinstance(raw_programs, list):
            self.fail("programs", "must be a list of programs")
        else:
            ids: set[str] = set()
            for i, raw in enumerate(raw_programs):
                prog = self.program(raw, f"programs[{i}]")
                if prog is None:
                    continue
                if prog.id in ids:
                    self.fail(f"programs[{i}].id", f"duplicate program id {prog.id!r}")
                ids.add(prog.id)
                programs.append(prog)
        if self.problems:
            raise CatalogError(self.problems)
        return ProgramCatalog(programs=tuple(programs), min_cell=min_cell, series_min_sessions=min_sessions,
                              series_min_weeks=min_weeks, job_embedded_models=models, agree_top_points=top,
                              rating_agree_share=share, semester_2_start=s2, periods=periods)

    def program(self, raw: Any, path: str) -> Program | None:
        obj = self.mapping(raw, path, "a mapping (one program)")
        if not obj:
            if isinstance(raw, dict):
                self.fail(path, "is empty")
            return None
        before = len(self.problems)
        self.keys(obj, _PROGRAM_KEYS, path)
        pid = self.text(obj.get("id"), f"{path}.id", required=True)
        if pid and not _ID.match(pid):
            self.fail(f"{path}.id", f"{pid!r} must be lowercase letters, digits, '.', '_' or '-'")
        title = self.text(obj.get("title"), f"{path}.title", required=True)
        description = self.text(obj.get("description"), f"{path}.description")
        activities = self.iris(obj.get("activities"), f"{path}.activities", "activity IRIs")
        types = self.iris(obj.get("activity_types"), f"{path}.activity_types", "activity type IRIs")
        tags = tuple(t.lower() for t in self.strings(obj.get("tags"), f"{path}.tags", "tags"))
        grouping = self.iris(obj.get("grouping"), f"{path}.grouping", "program activity IRIs")
        if not (activities or types or tags or grouping) and len(self.problems) == before:
            self.fail(path, "needs at least one of activities, activity_types, tags or grouping "
                            "(otherwise no learning belongs to it)")
        eligible = self.eligibility(obj.get("eligible"), f"{path}.eligible")
        goals = self.strings(obj.get("goals"), f"{path}.goals", "goal texts")
        alignment = self.alignment(obj.get("alignment"), f"{path}.alignment")
        costs = self.costs(obj.get("costs"), f"{path}.costs")
        practices = self.strings(obj.get("target_practices"), f"{path}.target_practices", "look-for ids")
        scale_max = float(self.number(obj.get("rubric_scale_max"), f"{path}.rubric_scale_max", 4, minimum=1))
        proficient = float(self.number(obj.get("proficient_level"), f"{path}.proficient_level", 3, minimum=0,
                                       exclusive_min=True))
        if proficient > scale_max:
            self.fail(f"{path}.proficient_level", f"{proficient:g} is above rubric_scale_max {scale_max:g}")
        periods = self.periods(obj.get("periods"), f"{path}.periods")
        measures = self.strings(obj.get("outcome_measures"), f"{path}.outcome_measures", "outcome measure names")
        scope = obj.get("support_scope", "program")
        if scope not in ("program", "all"):
            self.fail(f"{path}.support_scope", "must be 'program' or 'all'")
            scope = "program"
        if len(self.problems) > before or pid is None or title is None:
            return None
        return Program(id=pid, title=title, description=description, activities=activities,
                       activity_types=types, tags=tags, grouping=grouping, eligible=eligible, goals=goals,
                       alignment=alignment, costs=costs, target_practices=practices, proficient_level=proficient,
                       rubric_scale_max=scale_max, periods=periods, outcome_measures=measures,
                       support_scope=str(scope))

    def eligibility(self, raw: Any, path: str) -> Eligibility:
        obj = self.mapping(raw, path, "a mapping with roles, buildings and/or certified")
        self.keys(obj, ("roles", "buildings", "certified"), path)
        roles = self.strings(obj.get("roles"), f"{path}.roles", "role names")
        buildings = self.strings(obj.get("buildings"), f"{path}.buildings", "building names")
        cert = obj.get("certified", "any")
        certified: bool | None = None
        if isinstance(cert, bool):
            certified = cert
        elif cert != "any":
            self.fail(f"{path}.certified", "must be true, false or any")
        return Eligibility(roles=roles, buildings=buildings, certified=certified)

    def alignment(self, raw: Any, path: str) -> Alignment:
        obj = self.mapping(raw, path)
        keys = ("strategic_plan_goal", "site_plans", "instructional_model", "leadership_framework",
                "legal_mandate")
        self.keys(obj, keys, path)
        return Alignment(strategic_plan_goal=self.text(obj.get("strategic_plan_goal"), f"{path}.strategic_plan_goal"),
                         site_plans=self.strings(obj.get("site_plans"), f"{path}.site_plans", "site plan names"),
                         instructional_model=self.text(obj.get("instructional_model"), f"{path}.instructional_model"),
                         leadership_framework=self.text(obj.get("leadership_framework"),
                                                        f"{path}.leadership_framework"),
                         legal_mandate=self.text(obj.get("legal_mandate"), f"{path}.legal_mandate"))

    def costs(self, raw: Any, path: str) -> Costs | None:
        if raw is None:
            return None
        if isinstance(raw, list):  # a bare list of items
            raw = {"items": raw}
        obj = self.mapping(raw, path, "a mapping with total and/or items, or a list of {item, amount}")
        if not obj:
            return None
        self.keys(obj, ("total", "items", "currency"), path)
        currency = obj.get("currency", "USD")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
            self.fail(f"{path}.currency", "must be a three-letter currency code such as USD")
            currency = "USD"
        items: list[CostItem] = []
        raw_items = obj.get("items")
        if raw_items is not None and not isinstance(raw_items, list):
            self.fail(f"{path}.items", "must be a list of {item, amount}")
        for i, it in enumerate(raw_items if isinstance(raw_items, list) else []):
            p = f"{path}.items[{i}]"
            o = self.mapping(it, p, "a mapping with item and amount")
            self.keys(o, ("item", "amount"), p)
            name = self.text(o.get("item"), f"{p}.item", required=True)
            if o.get("amount") is None:
                self.fail(f"{p}.amount", "is required")
                continue
            amount = float(self.number(o.get("amount"), f"{p}.amount", -1, minimum=0))
            if name and amount >= 0:
                items.append(CostItem(name, amount))
        total: float | None = None
        if obj.get("total") is not None:
            total = float(self.number(obj.get("total"), f"{path}.total", -1, minimum=0))
            if total < 0:
                return None
        if total is None and not items:
            if raw_items is None:
                self.fail(path, "needs a total or items")
            return None
        item_sum = round(sum(i.amount for i in items), 2)
        if total is not None and items and abs(total - item_sum) > 0.005:
            self.fail(f"{path}.total", f"{total:g} does not equal the sum of the items ({item_sum:g})")
        return Costs(total=total if total is not None else item_sum, items=tuple(items), currency=currency)
