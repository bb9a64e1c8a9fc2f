"""The Board's efficacy report (policy 4132: "accurate reporting of the efficacy of the program ... to the Board
of Education at appropriate intervals throughout the school year"; policy 4300.2: "continuously evaluated").

One HTML document, built from the published evaluations of every program in the catalog (never a person's
record), served at ``GET /reports/board`` and turned into PDF by WeasyPrint for ``lrs report board``:

- a cover summary (one line of figures per program, and participation by program);
- one section per program: the plain-language paragraph (``projections.evaluation.narrative``), participation
  by building, hours by delivery model, each Guskey level over time, the figures as tables beside the charts;
- required-training completion by building (from the compliance read model, see :func:`compliance_by_building`);
- a methods note: sources, counting rules, suppression, and the log position the report was computed at, so
  ``known_at`` reproduces it.

Charts are Vega-Lite (Altair) rendered to SVG on the server (:mod:`lrs.charts`), drawn from published figures only:
a suppressed cell is not a point on any chart.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import Markup

from lrs.charts import bar_chart, grouped_bar_chart, rasterize, small_multiples
from lrs.times import format_time, utc_now
from projections.evaluation import queries as ev_q
from projections.evaluation.memo import Memo
from projections.evaluation.narrative import fmt_hours, fmt_int, fmt_money, fmt_pct, methods_note, narrative
from projections.evaluation.periods import resolve_period
from projections.evaluation.suppression import publish_table
from projections.evaluation.trends import buckets
from projections.scope import ReadScope

STATIC = Path(__file__).resolve().parent / "static"
# The base URL the PDF renderer resolves the page's own links against; nothing else is ever fetched.
PDF_BASE = "https://lrs.invalid/"

#: Read models the compliance section needs besides the evaluation's (the compliance read model's name goes here
#: when :func:`compliance_by_building` is wired to it).
COMPLIANCE_READ_MODELS: tuple[str, ...] = ()


def compliance_by_building(scope: ReadScope, as_of: date) -> list[dict[str, Any]]:
    """Required-training completion on ``as_of``, one row per requirement and building:
    ``{"requirement": id, "title": str, "building": str, "people": int, "complete": int, "overdue": int}`` where
    ``people`` are the staff the requirement applies to on that date (every status but ``not_applicable``),
    ``complete`` those ``compliant`` or ``exempt``, ``overdue`` those ``overdue``; counts only, never a person.

    Returns no rows until the compliance read model exists (it is built in its own branch); the report then says
    the section is not available. Wiring it: read the compliance read model through ``scope`` (add its name to
    :data:`COMPLIANCE_READ_MODELS` so as-of builds include it) and return these rows.
    """
    return []


def resolve(version: ev_q.CatalogVersion | None, settings: Mapping[str, Any], name: str | None,
            from_: str | None, to: str | None, *, today: date | None = None) -> tuple[date, date, str]:
    """The period a request names (``period`` or ``from``/``to``; none: the school year containing today), with the
    catalog's semester split and named periods. Raises ``PeriodError``."""
    start = str(settings.get("SCHOOL_YEAR_START") or "07-01")
    if version is not None:
        return version.catalog.resolve(name, from_, to, school_year_start=start, today=today)
    return resolve_period(name, from_, to, start, today=today)


# ---------------------------------------------------------------------------------------------------------------
# Charts (published figures only)
# ---------------------------------------------------------------------------------------------------------------

def _shown(cell: Any) -> bool:
    return isinstance(cell, Mapping) and cell.get("suppressed") is False


def _label(text: str) -> str:
    return text.replace("_", " ")


def _shorten(text: str, limit: int = 30) -> str:
    """A chart label short enough that no renderer's font overflows the axis."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def participation_chart(ev: Mapping[str, Any]) -> Markup | None:
    rows = [{"building": c["building"], "share": c["rate"]} for c in ev["participation"].get("by_building", [])
            if _shown(c) and c.get("rate") is not None]
    if not rows:
        return None
    return bar_chart(rows, "building", "share", title="Participation by building (share of eligible staff)",
                     value_title="share of eligible staff", value_format=".0%", domain_max=1.0)


def hours_chart(ev: Mapping[str, Any]) -> Markup | None:
    rows = [{"delivery model": _label(c["delivery_model"]), "hours": c["hours"]}
            for c in ev["hours"].get("delivery_models", []) if _shown(c) and c.get("hours")]
    if not rows:
        return None
    return bar_chart(rows, "delivery model", "hours", title="Hours by delivery model", value_title="hours",
                     value_format=",.0f")


def level_panels(ev: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The series of the levels-over-time chart (published points only; a panel with no point is left out)."""
    tr, lv = ev.get("trends") or {}, ev["levels"]
    panels: list[dict[str, Any]] = []

    def add(title: str, rows: list[dict[str, Any]], y: str = "value", y_format: str = ".0%",
            series: str | None = None, domain: Sequence[float] | None = (0, 1), **extra: Any) -> None:
        if rows:
            panels.append({"title": title, "rows": rows, "y": y, "y_format": y_format, "series": series,
                           "domain": domain, **extra})

    add("Taking part (share of eligible staff)",
        [{"period": c["period"], "value": c["rate"]} for c in tr.get("participation", [])
         if _shown(c) and c.get("participants")])
    add("L1 Reactions: answers agreeing",
        [{"period": c["period"], "value": c["agree_share"]} for c in tr.get("reactions", [])
         if _shown(c) and c.get("agree_share") is not None])
    add("L2 Learning: mean pre/post score",
        [{"period": c["period"], "value": c[k], "test": name} for c in tr.get("learning", [])
         if _shown(c) and c.get("pairs") for k, name in (("mean_pre", "pretest"), ("mean_post", "posttest"))],
        series="test")
    add("L3 Support: coaching h per coached teacher",
        [{"period": c["period"], "value": c["hours_per_coached_teacher"]} for c in tr.get("coaching", [])
         if _shown(c) and c.get("hours_per_coached_teacher") is not None], y_format=",.1f", domain=None)
    add("L3 Support: PLC minutes a week per member",
        [{"period": c["period"], "value": c["minutes_per_week_per_member"]} for c in tr.get("plc", [])
         if _shown(c) and c.get("minutes_per_week_per_member") is not None], y_format=",.0f", domain=None)
    use_rows = []
    for cohort, name in (("participants", "participants"), ("non_participants", "other eligible staff")):
        block = lv["use"].get(cohort) or {}
        use_rows += [{"period": c["period"], "value": c["proficient_share"], "cohort": name}
                     for c in block.get("by_period", []) if _shown(c) and c.get("proficient_share") is not None]
    add("L4 Use: observed practice at proficient", use_rows, series="cohort")
    for m in lv["outcomes"].get("measures", []):
        rows = []
        for t in m["trend"]:
            for key, name in (("participants", "participants' cohorts"), ("others", "other cohorts")):
                c = t.get(key)
                if _shown(c):
                    rows.append({"period": t["period"], "value": c["value"], "cohort": name})
        share = all(0 <= r["value"] <= 1 for r in rows)
        # Outcomes run by the outcome file's own periods (school years), not by month.
        add(f"L5 Outcomes: {m['measure']}", rows, series="cohort", y_format=".0%" if share else ",.1f",
            domain=None, x_domain=sorted({r["period"] for r in rows}))
    return panels


def levels_chart(ev: Mapping[str, Any]) -> Markup | None:
    panels = level_panels(ev)
    if not panels:
        return None
    period = ev["period"]
    months = [label for label, _, _ in buckets(date.fromisoformat(period["from"]), date.fromisoformat(period["to"]),
                                               ev["settings"].get("granularity", "month"))]
    return small_multiples(panels, title="Guskey's levels over time", x_domain=months)


def compliance_section(rows: Sequence[Mapping[str, Any]], min_cell: int) -> dict[str, Any]:
    """Completion by building for each requirement, as one-way tables with small-cell and complementary
    suppression (the district total of each requirement is published), and a chart of the published rates."""
    by_req: dict[str, list[Mapping[str, Any]]] = {}
    titles: dict[str, str] = {}
    for r in rows:
        by_req.setdefault(str(r["requirement"]), []).append(r)
        titles[str(r["requirement"])] = str(r.get("title") or r["requirement"])
    tables = []
    chart_rows = []
    for req in sorted(by_req):
        cells: list[dict[str, Any]] = [
            {"building": str(r["building"]), "people": int(r["people"]), "complete": int(r["complete"]),
             "overdue": int(r.get("overdue") or 0)} for r in sorted(by_req[req], key=lambda r: str(r["building"]))]
        for c in cells:
            c["rate"] = round(c["complete"] / c["people"], 4) if c["people"] else None
        total: dict[str, Any] = {"people": sum(c["people"] for c in cells),
                                 "complete": sum(c["complete"] for c in cells),
                                 "overdue": sum(c["overdue"] for c in cells)}
        total["rate"] = round(total["complete"] / total["people"], 4) if total["people"] else None
        pub_total, pub_cells = publish_table(cells, total, min_cell, key="building", people=("people",),
                                             additive=("people", "complete", "overdue"))
        tables.append({"requirement": req, "title": titles[req], "total": pub_total, "cells": pub_cells})
        chart_rows += [{"requirement": titles[req], "building": c["building"], "rate": c["rate"]}
                       for c in pub_cells if _shown(c) and c.get("rate") is not None]
    chart = (grouped_bar_chart(chart_rows, "requirement", "building", "rate",
                               title="Required-training completion by building", value_title="complete")
             if chart_rows else None)
    return {"available": bool(rows), "tables": tables, "chart": chart}


# ---------------------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------------------

def _pct(v: Any) -> str:
    return fmt_pct(v) if isinstance(v, (int, float)) else "—"


def level_rows(ev: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per Guskey level (and per outcome measure): the figure in words, the people and statements behind
    it, or that it is not shown."""
    lv = ev["levels"]
    n = ev["suppression"]["min_cell"]
    hidden = f"not shown (fewer than {n} people)"
    rows: list[dict[str, Any]] = []

    def row(level: str, what: str, block: Any, figure: str, people: Any = None, statements: Any = None) -> None:
        if not _shown(block):
            rows.append({"level": level, "what": what, "figure": hidden, "people": "", "statements": ""})
        else:
            rows.append({"level": level, "what": what, "figure": figure,
                         "people": fmt_int(people) if isinstance(people, (int, float)) else "",
                         "statements": fmt_int(statements) if isinstance(statements, (int, float)) else ""})

    r = lv["reactions"]
    row("1 Reactions", "exit-survey answers agreeing (mean on 0-100% of the scale)", r,
        f"{_pct(r.get('agree_share'))} agree of {fmt_int(r.get('answers') or 0)} answers (mean {_pct(r.get('mean'))})"
        if r.get("answers") else "no answers", r.get("people"), r.get("statements"))
    lr = lv["learning"]
    fig = "no pre/post pairs"
    if lr.get("pairs"):
        fig = (f"{_pct(lr.get('mean_pre'))} → {_pct(lr.get('mean_post'))} ({round((lr.get('mean_gain') or 0) * 100):+d} "
               f"points, {fmt_int(lr['pairs'])} pairs)")
    if lr.get("tested"):
        fig += f"; {_pct(lr.get('pass_rate'))} passed"
    row("2 Learning", "pre/post test scores and pass rate", lr, fig, lr.get("people"), lr.get("statements"))
    co, plc = lv["support"]["coaching"], lv["support"]["plc"]
    row("3 Support", "coaching hours per coached teacher", co,
        f"{fmt_hours(co.get('hours_per_coached_teacher') or 0)} h ({fmt_int(co.get('coached') or 0)} coached, "
        f"{fmt_hours(co.get('hours') or 0)} h in all)" if co.get("coached") else "no coaching",
        co.get("coached"), co.get("statements"))
    row("3 Support", "PLC minutes a week per member", plc,
        f"{fmt_int(plc.get('minutes_per_week_per_member') or 0)} min ({fmt_int(plc.get('members') or 0)} members)"
        if plc.get("members") else "no PLC meetings", plc.get("members"), plc.get("statements"))
    up, un = lv["use"]["participants"], lv["use"]["non_participants"]
    fig = (f"{_pct(up.get('proficient_share'))} at proficient ({fmt_int(up.get('observations') or 0)} observations)"
           if up.get("observations") else "no observations")
    if _shown(un) and un.get("observations"):
        fig += f"; other eligible staff {_pct(un.get('proficient_share'))} ({fmt_int(un['observations'])})"
    row("4 Use", "observed target practices at proficient, participants", up, fig, up.get("people"),
        up.get("statements"))
    for m in lv["outcomes"].get("measures", []):
        shown = [t for t in m["trend"] if _shown(t.get("participants")) or _shown(t.get("others"))]
        if not shown:
            rows.append({"level": "5 Outcomes", "what": m["measure"], "figure": "no published aggregates",
                         "people": "", "statements": ""})
            continue
        t = shown[-1]
        parts = []
        for key, name in (("participants", "participants' cohorts"), ("others", "others")):
            c = t.get(key)
            if _shown(c):
                v = c["value"]
                parts.append(f"{name} {_pct(v) if 0 <= v <= 1 else f'{v:,.1f}'} (n={fmt_int(c['n'])} students)")
        rows.append({"level": "5 Outcomes", "what": f"{m['measure']}, {t['period']} ({lv['outcomes']['label']})",
                     "figure": "; ".join(parts), "people": "", "statements": ""})
    return rows


def building_rows(ev: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Participation by building as the table beside its chart."""
    out = []
    for c in ev["participation"].get("by_building", []):
        if _shown(c):
            out.append({"building": c["building"], "eligible": fmt_int(c["eligible"]),
                        "participants": fmt_int(c["participants"]), "rate": _pct(c.get("rate")), "shown": True})
        else:
            out.append({"building": c["building"], "eligible": "", "participants": "", "rate": "", "shown": False})
    return out


def summary_row(ev: Mapping[str, Any]) -> dict[str, Any]:
    """The cover line of one program (published figures; "—" for a hidden or missing one)."""
    p, h, lv, c = ev["participation"], ev["hours"], ev["levels"], ev.get("cost") or {}
    hidden = "not shown"
    r, lr, u = lv["reactions"], lv["learning"], lv["use"]["participants"]
    return {
        "program": ev["program"], "title": ev["title"],
        "eligible": fmt_int(p["eligible"]) if _shown(p) else hidden,
        "participants": fmt_int(p["participants"]) if _shown(p) else hidden,
        "rate": _pct(p.get("rate")) if _shown(p) else "—",
        "hours": fmt_hours(h["total"]) if _shown(h) else "—",
        "job_embedded": _pct(h.get("job_embedded_share")) if _shown(h) else "—",
        "agree": _pct(r.get("agree_share")) if _shown(r) else "—",
        "gain": (f"{round(lr['mean_gain'] * 100):+d} pts" if _shown(lr) and lr.get("mean_gain") is not None else "—"),
        "proficient": _pct(u.get("proficient_share")) if _shown(u) else "—",
        "cost_hour": (fmt_money(c["per_participant_hour"], c["currency"]) if c.get("per_participant_hour") is not None
                      else "—"),
    }


def board_report(scope: ReadScope, settings: Mapping[str, Any], lo: date, hi: date, label: str, *,
                 known_at: str | None = None, granularity: str = "month") -> dict[str, Any]:
    """Everything the report template shows, computed from ``scope`` for ``lo..hi``."""
    version = ev_q.current_catalog(scope)
    reads = ev_q.positions(scope)
    position = min(reads.values()) if reads else None
    out: dict[str, Any] = {
        "district": settings.get("DISTRICT_NAME") or "", "period": {"from": lo.isoformat(), "to": hi.isoformat(),
                                                                     "label": label},
        "computed_at": format_time(utc_now()), "position": position, "known_at": known_at, "read_models": reads,
        "catalog": None, "programs": [], "summary": [], "summary_chart": None, "min_cell": None,
        "compliance": {"available": False, "tables": [], "chart": None}, "methods": None,
        "lagging": len(set(reads.values())) > 1,
    }
    if version is None:
        return out
    out["catalog"] = {"position": version.position, "loaded_at": version.loaded_at, "source": version.source}
    out["min_cell"] = version.catalog.min_cell
    data = ev_q.load_data(scope, lo, hi, roles_certified=ev_q.certified_roles(settings))
    for prog in version.catalog.programs:
        ev = ev_q.evaluate(scope, version, prog, data, lo, hi, label, granularity=granularity, known_at=known_at,
                           reads=reads)
        out["programs"].append({"ev": ev, "narrative": narrative(ev), "methods": methods_note(ev),
                                "levels": level_rows(ev), "buildings": building_rows(ev),
                                "participation_chart": participation_chart(ev), "hours_chart": hours_chart(ev),
                                "levels_chart": levels_chart(ev), "summary": summary_row(ev)})
    out["summary"] = [p["summary"] for p in out["programs"]]
    rows = [{"program": _shorten(p["ev"]["title"]), "share": p["ev"]["participation"]["rate"]} for p in out["programs"]
            if _shown(p["ev"]["participation"]) and p["ev"]["participation"].get("rate") is not None]
    if rows:
        out["summary_chart"] = bar_chart(rows, "program", "share", title="Participation by program "
                                         "(share of eligible staff)", value_title="share of eligible staff",
                                         value_format=".0%", domain_max=1.0)
    as_of = min(hi, date.today())
    out["compliance"] = compliance_section(compliance_by_building(scope, as_of), version.catalog.min_cell)
    out["compliance"]["as_of"] = as_of.isoformat()
    if out["programs"]:
        out["methods"] = out["programs"][0]["methods"]
    return out


# Finished documents by the log state and request they were made for (see projections/evaluation/memo.py).
_DOCUMENTS: Memo[tuple[dict[str, Any], bytes]] = Memo(16)


def board_document(scope: ReadScope, settings: Mapping[str, Any], lo: date, hi: date, label: str, *,
                   pdf: bool = False, known_at: str | None = None, granularity: str = "month"
                   ) -> tuple[dict[str, Any], bytes]:
    """The report as HTML (UTF-8) or PDF bytes, with its context. Needs a Flask app context (the template).

    A document made for one log state is kept and served again while the read models stay there (the warmer of
    :mod:`lrs.board_warm` makes them ahead of the request)."""
    key = (ev_q.state_key(scope), lo, hi, label, pdf, known_at, granularity, date.today(),
           settings.get("DISTRICT_NAME"), ev_q.certified_roles(settings), compliance_by_building)
    return _DOCUMENTS.get(key, lambda: _make_document(scope, settings, lo, hi, label, pdf=pdf, known_at=known_at,
                                                      granularity=granularity))


def _make_document(scope: ReadScope, settings: Mapping[str, Any], lo: date, hi: date, label: str, *, pdf: bool,
                   known_at: str | None, granularity: str) -> tuple[dict[str, Any], bytes]:
    from flask import render_template

    if not pdf:
        report = board_report(scope, settings, lo, hi, label, known_at=known_at, granularity=granularity)
        return report, render_template("board.html", r=report).encode()
    # The PDF is the HTML document itself (made, or taken from what was made for this log state), its charts as
    # images.
    report, html = board_document(scope, settings, lo, hi, label, pdf=False, known_at=known_at,
                                  granularity=granularity)
    return report, html_to_pdf(rasterize(html.decode()))


def read_models() -> tuple[str, ...]:
    """Every read model the report reads (the names to build as of ``known_at``)."""
    return tuple(ev_q.READ_MODELS) + COMPLIANCE_READ_MODELS


# ---------------------------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------------------------

def _own_file(url: str) -> bytes:
    """The bytes of one of the product's stylesheets named by ``url``; anything else is refused (the PDF renderer
    loads nothing from the network or the file system)."""
    prefix = PDF_BASE + "static/"
    if url.startswith(prefix):
        name = url[len(prefix):].split("?", 1)[0]
        path = (STATIC / name).resolve()
        if path.parent == STATIC and path.suffix == ".css" and path.exists():
            return path.read_bytes()
    raise ValueError(f"the report may not load {url[:80]!r}")


def html_to_pdf(html: str) -> bytes:
    """The report's HTML as PDF (WeasyPrint: print stylesheet, page numbers, inline SVG charts as vectors)."""
    import weasyprint  # imported here: only the PDF paths need it (and its system libraries)
    from weasyprint import urls

    fetcher: Any
    if hasattr(urls, "URLFetcherResponse"):  # WeasyPrint 68 and later: a fetcher class
        class OwnFiles(urls.URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                if url.startswith("data:"):  # the charts' images, inside the document itself
                    return super().fetch(url, headers)
                return urls.URLFetcherResponse(url, _own_file(url), {"Content-Type": "text/css"})

        fetcher = OwnFiles(allowed_protocols=("data", "https"))
    else:  # earlier versions: a function returning a dict
        def fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
            if url.startswith("data:"):
                return dict(weasyprint.default_url_fetcher(url))
            return {"string": _own_file(url), "mime_type": "text/css", "redirected_url": url}
    return bytes(weasyprint.HTML(string=html, base_url=PDF_BASE, url_fetcher=fetcher).write_pdf())
