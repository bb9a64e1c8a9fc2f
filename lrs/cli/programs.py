"""``lrs programs load|show``, ``lrs import outcomes`` and ``lrs report board``: program evaluation's commands."""
from __future__ import annotations

import json
import os
import time
import click

from lrs.cli import fail, services
from lrs.cli.roster import read_text_file


@click.group("programs")
def programs() -> None:
    """The program catalog (docs/programs.md)."""


@programs.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def programs_load(file: str) -> None:
    """Validate a program catalog (YAML, or JSON for *.json) and load it as one event. Exit 1 with every problem,
    each named by its path; the catalog in force then stays."""
    from lrs.programs import load_programs
    from projections.evaluation.catalog import CatalogError

    text = read_text_file(file, "catalog")
    svc = services()
    try:
        res = load_programs(svc.store, text, os.path.basename(file))
    except CatalogError as e:
        for problem in e.problems:
            click.echo(f"invalid: {problem}", err=True)
        click.echo(f"{len(e.problems)} problem(s); nothing loaded (the catalog in force stays)", err=True)
        raise SystemExit(1) from None
    n = len(res.catalog.programs)
    if res.position is None:
        click.echo(f"unchanged: this catalog ({n} program(s)) is already in force")
    else:
        click.echo(f"loaded {n} program(s) at log position {res.position}: "
                   + ", ".join(p.id for p in res.catalog.programs))


@programs.command("show")
@click.option("--json", "as_json", is_flag=True, help="print the catalog in force as its canonical JSON")
def programs_show(as_json: bool) -> None:
    """The catalog in force (as the log records it): its programs, who each is for, what belongs to it."""
    from lrs.programs import catalog_in_force
    from projections.evaluation.catalog import ProgramCatalog

    svc = services()
    svc.require_database()
    with svc.engine.connect() as conn:
        position, raw = catalog_in_force(conn)
    if raw is None:
        fail("no program catalog is loaded (lrs programs load FILE)")
    if as_json:
        click.echo(json.dumps(raw, indent=2))
        return
    cat = ProgramCatalog.from_json(raw)
    click.echo(f"program catalog (log position {position}): min_cell {cat.min_cell}, series "
               f"{cat.series_min_sessions} sessions over {cat.series_min_weeks} weeks, job-embedded: "
               f"{', '.join(cat.job_embedded_models)}")
    for p in cat.programs:
        who = ", ".join(p.eligible.roles) or "all roles"
        if p.eligible.buildings:
            who += " in " + ", ".join(p.eligible.buildings)
        if p.eligible.certified is not None:
            who += ", certified" if p.eligible.certified else ", non-certified"
        what = [f"{len(v)} {k}" for k, v in (("activities", p.activities), ("activity types", p.activity_types),
                                              ("tags", p.tags), ("groupings", p.grouping)) if v]
        click.echo(f"  {p.id}: {p.title} — for {who}; {', '.join(what)}"
                   + (f"; cost {p.costs.total:,.0f} {p.costs.currency}" if p.costs else ""))


@click.command("outcomes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_outcomes_cmd(file: str) -> None:
    """Import de-identified student-outcome aggregates (CSV, or JSON for *.json: measure, period, group,
    group_type, cohort, value, n[, program]) as one event. Anything that looks student-level is refused; re-importing
    the same figures adds nothing. Exit 1 with every problem."""
    from lrs.programs import import_outcomes, min_group_size
    from projections.evaluation.outcomes import OutcomesError

    text = read_text_file(file, "outcomes file")
    svc = services()
    try:
        res = import_outcomes(svc.store, text, os.path.basename(file), min_n=min_group_size(svc.settings))
    except OutcomesError as e:
        for problem in e.problems:
            click.echo(f"rejected: {problem}", err=True)
        click.echo(f"{len(e.problems)} problem(s); nothing imported", err=True)
        raise SystemExit(1) from None
    where = f" at log position {res.position}" if res.position is not None else ""
    click.echo(f"imported {res.rows} aggregate(s){where}: {res.new} new, {res.changed} changed, "
               f"{res.unchanged} unchanged ({', '.join(res.measures)})")


@click.group("report")
def report() -> None:
    """Reports made from the read models."""


@report.command("board")
@click.option("--period", help="a school year (2026-27), semester (2026-27-S1), calendar year or named period")
@click.option("--from", "from_", metavar="DATE", help="first day (with --to)")
@click.option("--to", metavar="DATE", help="last day (with --from)")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="the file to write")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]),
              help="pdf or html (default: from the output file's extension, else pdf)")
@click.option("--known-at", help="the report as the LRS knew it at a log position or ISO 8601 time")
@click.option("--granularity", type=click.Choice(["month", "quarter"]), default="month", show_default=True)
def report_board(period: str | None, from_: str | None, to: str | None, output: str, fmt: str | None,
                 known_at: str | None, granularity: str) -> None:
    """The Board's efficacy report for a period, as PDF (or HTML): the same document as GET /reports/board."""
    from lrs.app import create_app
    from lrs.api.listing import read_scope
    from lrs.board import board_document, read_models, resolve
    from lrs.xapi.errors import XAPIError
    from projections.evaluation import queries as ev_q
    from projections.evaluation.periods import PeriodError

    fmt = fmt or ("html" if output.lower().endswith((".html", ".htm")) else "pdf")
    started = time.perf_counter()
    svc = services()
    svc.require_database()
    app = create_app(services=svc)
    head = svc.store.head()
    # The page's own template and static links, outside a web request.
    with app.test_request_context("/reports/board"):
        try:
            with read_scope(read_models(), known_at) as scope:
                try:
                    lo, hi, label = resolve(ev_q.current_catalog(scope), svc.settings, period, from_, to)
                except PeriodError as e:
                    fail(str(e))
                ctx, data = board_document(scope, svc.settings, lo, hi, label, pdf=fmt == "pdf", known_at=known_at,
                                           granularity=granularity)
        except XAPIError as e:
            fail(e.message)
    try:
        with open(output, "wb") as f:
            f.write(data)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror}")
    if ctx["catalog"] is None:
        click.echo("warning: no program catalog is loaded (lrs programs load FILE); the report is empty", err=True)
    if not known_at and ctx["position"] is not None and ctx["position"] < head:
        click.echo(f"warning: the read models are at log position {ctx['position']} of {head}; run "
                   "`lrs worker --once` for an up-to-date report", err=True)
    click.echo(f"wrote {output} ({fmt}, {len(data):,} bytes) for {label} ({lo} to {hi}), "
               f"{len(ctx['programs'])} program(s), log position {ctx['position']}, "
               f"in {time.perf_counter() - started:.1f} s")


def register(main: click.Group) -> None:
    """Add ``outcomes`` to the ``import`` group (made here if no other module made it yet)."""
    group = main.commands.get("import")
    if not isinstance(group, click.Group):
        group = click.Group("import", help="Import files as events.")
        main.add_command(group)
    group.add_command(import_outcomes_cmd)


COMMANDS = (programs, report)
