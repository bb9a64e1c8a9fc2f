"""``lrs pull SOURCE`` and ``lrs pull --all``: attendance from check-in systems (docs/pull-sources.md)."""
from __future__ import annotations

import os

import click
import requests
import yaml

from adapters.pull import ConfigError, PullError, SourceConfig, load_sources
from lrs.cli import fail, services
from lrs.imports.pull import pull_source
from lrs.imports.roster import roster_lookup
from lrs.xapi.errors import XAPIError


def _source_names(text: str) -> list[str]:
    """The names the file gives its sources (only called once the whole file is known to be well formed)."""
    doc = yaml.safe_load(text)
    return [str(s["name"]) for s in doc["sources"]]


def _configs(text: str, only: str | None) -> tuple[list[SourceConfig], dict[str, str]]:
    """The sources to pull, and those that cannot be pulled (a token variable unset) with the reason.

    A malformed file refuses the whole command. A missing token only stops its own source under ``--all``.
    """
    try:
        return load_sources(text, os.environ, only=only), {}
    except ConfigError as exc:
        if only is not None or not all("the environment variable" in p for p in exc.problems):
            fail(str(exc))
    configs: list[SourceConfig] = []
    broken: dict[str, str] = {}
    for name in _source_names(text):
        try:
            configs += load_sources(text, os.environ, only=name)
        except ConfigError as exc:
            broken[name] = "; ".join(exc.problems)
    return configs, broken


@click.command("pull")
@click.argument("source", required=False)
@click.option("--all", "everything", is_flag=True, help="pull every source in the file")
@click.option("--sources", "sources_file", metavar="FILE", help="the pull-sources YAML (default: LRS_PULL_SOURCES)")
@click.option("--dry-run", is_flag=True, help="fetch and print what would be stored; store nothing, keep the cursor")
def pull_cmd(source: str | None, everything: bool, sources_file: str | None, dry_run: bool) -> None:
    """Fetch new attendance from a check-in system (Zoom reports, Eventbrite attendees, Teams attendance reports
    through Graph) and store it as statements, with the source's cursor, in one append. With --all, a source that
    fails does not stop the others; the exit status is 1 when any failed."""
    if (source is None) == (not everything):
        fail("name one SOURCE, or pass --all (not both)")
    svc = services()
    try:
        path = sources_file or svc.settings.get("PULL_SOURCES")
        if not path:
            fail("no pull-sources file: pass --sources FILE or set LRS_PULL_SOURCES")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read the pull-sources file {path}: {getattr(exc, 'strerror', None) or exc}")
        configs, broken = _configs(text, source)
        failed = len(broken)
        for name, why in broken.items():
            click.echo(f"error: {name}: {why}; not pulled", err=True)
        roster = roster_lookup(svc.store)
        with requests.Session() as http:
            for cfg in configs:
                try:
                    outcome = pull_source(svc, cfg, roster, dry_run=dry_run, session=http)
                except PullError as exc:
                    failed += 1
                    click.echo(f"error: {exc}; nothing stored, the cursor is unchanged", err=True)
                    continue
                except XAPIError as exc:
                    failed += 1
                    click.echo(f"error: {cfg.kind} source {cfg.name!r}: nothing stored: {exc.message}", err=True)
                    continue
                click.echo(outcome.render(), nl=False)
    finally:
        svc.close()
    raise SystemExit(1 if failed else 0)


COMMANDS = (pull_cmd,)
