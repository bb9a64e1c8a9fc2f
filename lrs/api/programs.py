"""``/api/v1/programs``, ``/api/v1/programs/{program}/evaluation`` and the Board's report page ``/reports/board``.

Everything here is an aggregate: the program catalog, and evaluations published with small-cell and
complementary suppression (``projections.evaluation``). So the Board's scope ``reports/aggregate`` may read it, as
may everyone who reads everyone (:func:`lrs.api.access.require_aggregates`); no name and no person-level record
is ever in an answer, so no disclosure is recorded.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from lrs.api import access
from lrs.api.context import lrs_services
from lrs.api.listing import csv_response, cursor_param, filters, limit_param, list_response, principal, read_scope, wants_csv
from lrs.api.openapi import FORMAT, KNOWN_AT, OK, PAGING, add_paths, path_param, q
from lrs.board import board_document, read_models, resolve
from lrs.board_warm import warmer_for
from lrs.xapi.errors import BadRequest, NotFound
from projections.evaluation import queries as ev_q
from projections.evaluation.periods import PeriodError

bp = Blueprint("programs", __name__, url_prefix="/api/v1")
pages = Blueprint("board", __name__)

GRANULARITIES = ("month", "quarter")
PROGRAM_COLUMNS = ("program", "title", "description", "roles", "buildings", "certified", "activities",
                   "activity_types", "tags", "grouping", "goals", "strategic_plan_goal", "site_plans",
                   "instructional_model", "leadership_framework", "legal_mandate", "cost_total", "currency",
                   "target_practices", "outcome_measures")
EVALUATION_COLUMNS = ("program", "period_from", "period_to", "section", "dimension", "key", "metric", "value",
                      "suppressed")
# Top-level parts of an evaluation that describe it rather than measure it (not rows of its CSV).
_ABOUT = ("program", "title", "description", "period", "eligibility", "goals", "alignment", "suppression",
          "settings", "source")


def _period_args() -> tuple[str | None, str | None, str | None]:
    wanted = filters("from", "to")
    period = request.args.get("period") or None
    if period is not None and (len(period) > 100 or "\x00" in period):
        raise BadRequest("period must be a period name such as 2026-27 or 2026-27-S1")
    return period, wanted.get("from"), wanted.get("to")


def _granularity() -> str:
    g = request.args.get("granularity") or "month"
    if g not in GRANULARITIES:
        raise BadRequest(f"granularity must be month or quarter, not {g[:40]!r}")
    return g


def _program_row(item: Mapping[str, Any]) -> dict[str, Any]:
    el, al, cost = item["eligible"], item["alignment"], item.get("costs") or {}
    return {**item, "roles": el["roles"], "buildings": el["buildings"], "certified": el["certified"],
            "strategic_plan_goal": al["strategic_plan_goal"], "site_plans": al["site_plans"],
            "instructional_model": al["instructional_model"], "leadership_framework": al["leadership_framework"],
            "legal_mandate": al["legal_mandate"], "cost_total": cost.get("total"), "currency": cost.get("currency")}


@bp.get("/programs")
def programs_list() -> Response:
    """The programs of the catalog in force (``known_at``: as it was then)."""
    access.require_aggregates(principal(), "the program catalog")
    with read_scope((ev_q.EVALUATION,), request.args.get("known_at")) as scope:
        version = ev_q.current_catalog(scope)
        items, cursor = ev_q.list_programs(version, cursor_param(), limit_param())
    # CSV flattens eligibility, alignment and cost into columns; JSON keeps the catalog's shape.
    rows = [_program_row(i) for i in items] if wants_csv() else items
    return list_response(rows, cursor, PROGRAM_COLUMNS, "programs.csv")


def _key_field(cell: Mapping[str, Any]) -> str | None:
    return next((k for k, v in cell.items() if isinstance(v, str) and k != "suppressed"), None)


def _rows(section: str, block: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The long-format rows of one block: its figures (dimension ``total``), then each table's cells."""
    hidden = block.get("suppressed") is True
    if hidden:
        yield {"section": section, "dimension": "total", "key": "", "metric": "", "value": "", "suppressed": True}
    for k, v in block.items():
        if k == "suppressed":
            continue
        if isinstance(v, (int, float, str)) or v is None:
            yield {"section": section, "dimension": "total", "key": "", "metric": k, "value": v, "suppressed": False}
        elif isinstance(v, list) and v and all(isinstance(c, dict) for c in v):
            for cell in v:
                key = _key_field(cell)
                if key is None:
                    continue
                if cell.get("suppressed"):
                    yield {"section": section, "dimension": key, "key": cell[key], "metric": "", "value": "",
                           "suppressed": True}
                    continue
                for m, val in cell.items():
                    if m not in (key, "suppressed") and not isinstance(val, (dict, list)):
                        yield {"section": section, "dimension": key, "key": cell[key], "metric": m, "value": val,
                               "suppressed": False}
        elif isinstance(v, list):
            yield {"section": section, "dimension": "total", "key": "", "metric": k,
                   "value": ";".join(str(x) for x in v), "suppressed": False}
        elif isinstance(v, dict):
            yield from _rows(f"{section}.{k}", v)


def evaluation_rows(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An evaluation flattened for a spreadsheet: one row per published figure (``section``, ``dimension``,
    ``key``, ``metric``, ``value``), a suppressed cell as one row with ``suppressed`` true and no value."""
    out: list[dict[str, Any]] = []
    lv = body["levels"]
    parts: list[tuple[str, Mapping[str, Any]]] = [("participation", body["participation"]), ("hours", body["hours"])]
    for name in ("reactions", "learning"):
        parts.append((f"levels.{name}", lv[name]))
    for name in ("coaching", "plc"):
        parts.append((f"levels.support.{name}", lv["support"][name]))
    for name in ("participants", "non_participants"):
        parts.append((f"levels.use.{name}", lv["use"][name]))
    for section, block in parts:
        out.extend(_rows(section, {k: v for k, v in block.items() if k != "by_delivery_model" or section != "hours"}))
    for m in lv["outcomes"]["measures"]:
        for t in m["trend"]:
            for cohort in ("participants", "others"):
                c = t.get(cohort)
                key = f"{m['measure']} | {t['period']} | {cohort}"
                if c is None:
                    continue
                if c.get("suppressed"):
                    out.append({"section": "levels.outcomes", "dimension": "measure_period_cohort", "key": key,
                                "metric": "", "value": "", "suppressed": True})
                    continue
                out.extend({"section": "levels.outcomes", "dimension": "measure_period_cohort", "key": key,
                            "metric": f, "value": c[f], "suppressed": False} for f in ("value", "n", "groups"))
    if body.get("cost"):
        out.extend(_rows("cost", {k: v for k, v in body["cost"].items() if k != "items"}))
    for name, cells in (body.get("trends") or {}).items():
        if isinstance(cells, list):
            out.extend(_rows(f"trends.{name}", {"by_period": cells}))
    for r in out:
        r.update(program=body["program"], period_from=body["period"]["from"], period_to=body["period"]["to"])
    return out


@bp.get("/programs/<program>/evaluation")
def program_evaluation(program: str) -> Response:
    """One program's published evaluation over a period (``period=NAME`` or ``from``/``to``; ``known_at``)."""
    access.require_aggregates(principal(), "program evaluation")
    period, from_, to = _period_args()
    granularity = _granularity()
    known_at = request.args.get("known_at") or None
    as_csv = wants_csv()
    settings = lrs_services().settings
    with read_scope(ev_q.READ_MODELS, known_at) as scope:
        version = ev_q.current_catalog(scope)
        if version is None:
            raise NotFound("no program catalog is loaded (lrs programs load FILE)")
        prog = version.catalog.program(program)
        if prog is None:
            raise NotFound(f"no program {program[:100]!r} in the catalog (GET /api/v1/programs lists them)")
        try:
            lo, hi, label = version.catalog.resolve(period, from_, to, program=prog,
                                                    school_year_start=str(settings.get("SCHOOL_YEAR_START")
                                                                          or "07-01"))
        except PeriodError as e:
            raise BadRequest(str(e)) from None
        data = ev_q.load_data(scope, lo, hi, roles_certified=ev_q.certified_roles(settings))
        body = ev_q.evaluate(scope, version, prog, data, lo, hi, label, granularity=granularity, known_at=known_at)
    if as_csv:
        return csv_response(evaluation_rows(body), EVALUATION_COLUMNS, f"evaluation-{prog.id}-{lo}-{hi}.csv")
    return jsonify(body)


@pages.get("/reports/board")
def board_page() -> Response:
    """The Board's efficacy report for a period, as HTML (``format=pdf``: the same page as PDF)."""
    access.require_aggregates(principal(), "the Board's efficacy report")
    fmt = request.args.get("format") or "html"
    if fmt not in ("html", "pdf"):
        raise BadRequest(f"format must be html or pdf, not {fmt[:40]!r}")
    period, from_, to = _period_args()
    granularity = _granularity()
    known_at = request.args.get("known_at") or None
    settings = lrs_services().settings
    with read_scope(read_models(), known_at) as scope:
        try:
            lo, hi, label = resolve(ev_q.current_catalog(scope), settings, period, from_, to)
        except PeriodError as e:
            raise BadRequest(str(e)) from None
        warmer = warmer_for(current_app) if not known_at else None
        if warmer is not None:
            warmer.want(lo, hi, label, granularity)
        _, body = board_document(scope, settings, lo, hi, label, pdf=fmt == "pdf", known_at=known_at,
                                 granularity=granularity)
    if fmt == "pdf":
        resp = Response(body, mimetype="application/pdf")
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"board-report-{label}.pdf")
        resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp
    return Response(body, mimetype="text/html")


_PERIOD = [q("period", "a school year (2026-27), semester (2026-27-S1), calendar year or named period"),
           q("from", "date YYYY-MM-DD (with to)"), q("to", "date YYYY-MM-DD (with from)"),
           q("granularity", "month | quarter: the trends' and level 4's time buckets"), KNOWN_AT]
add_paths({
    "/api/v1/programs": {"get": {
        "summary": "The programs of the catalog in force: {items: [{program, title, ...}], next}",
        "description": "reports/aggregate, or any scope that reads everyone", "parameters": [KNOWN_AT, FORMAT, *PAGING],
        "responses": OK}},
    "/api/v1/programs/{program}/evaluation": {"get": {
        "summary": "A program's evaluation over a period: participation, hours, Guskey's five levels, cost, trends "
                   "(suppressed: no cell of fewer than min_cell people, none derivable by subtraction)",
        "description": "JSON (docs/programs.md), or CSV in long form: program, period_from, period_to, section, "
                       "dimension, key, metric, value, suppressed",
        "parameters": [path_param("program", "program id from the catalog"), *_PERIOD, FORMAT],
        "responses": {**OK, "404": {"description": "no catalog, or no such program"}}}},
})
