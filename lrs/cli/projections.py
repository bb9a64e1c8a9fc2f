"""``lrs worker`` and ``lrs replay``: following the log, and rebuilding read models from it."""
from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

import click

from lrs.cli import fail, services
from projections import registry
from projections.replay import build_as_of, rebuild_group, resolve_position
from projections.runner import run_worker, tune_engine, tune_gc

log = logging.getLogger("lrs.worker")


@click.command("worker")
@click.option("--once", is_flag=True, help="catch every projection up to the log's current head, then exit")
@click.option("--batch-size", default=500, show_default=True, type=int, help="events per transaction")
@click.option("--exit-with-parent", type=int, hidden=True,
              help="(used by lrs serve) exit when this process is gone; restart after unexpected errors")
def worker(once: bool, batch_size: int, exit_with_parent: int | None) -> None:
    """Run the projection workers (follow the log until stopped)."""
    if batch_size < 1:
        fail(f"--batch-size must be at least 1, not {batch_size}")
    svc = services(**_worker_engine_kwargs())
    logging.basicConfig(level=str(svc.settings.get("LOG_LEVEL") or "INFO").upper(),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if once or exit_with_parent is None:
        sys.exit(run_worker(svc, once=once, batch_size=batch_size, exit_with_parent=exit_with_parent))
    # Inside `lrs serve` nobody restarts this process: survive the unexpected (the error is logged, the status
    # endpoint shows the lag growing) and try again, until the server goes away.
    while os.getppid() == exit_with_parent:
        try:
            sys.exit(run_worker(svc, batch_size=batch_size, exit_with_parent=exit_with_parent))
        except Exception:  # noqa: BLE001
            log.exception("projection worker failed; restarting in 5 s")
            time.sleep(5)


def _worker_engine_kwargs() -> dict[str, Any]:
    url = os.environ.get("LRS_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql")):
        # Names the worker's sessions in pg_stat_activity (operators, and the SIGKILL test, can see its batches).
        return {"connect_args": {"application_name": f"lrs-worker-tx {os.getpid()}"}}
    return {}


@click.command("replay")
@click.option("--as-of", "as_of", help="a log position or an ISO 8601 time: build the read models as the log "
                                        "stood then, beside the live ones")
@click.option("--projection", "names", multiple=True, help="projection name (repeatable; default: all)")
@click.option("--batch-size", default=2000, show_default=True, type=int, help="events per transaction")
def replay(as_of: str | None, names: tuple[str, ...], batch_size: int) -> None:
    """Rebuild projections from the log (from position zero, switching readers over when caught up)."""
    if batch_size < 1:
        fail(f"--batch-size must be at least 1, not {batch_size}")
    tune_gc()
    svc = services()
    tune_engine(svc.engine)
    try:
        selected = [registry.resolve_name(n) for n in names] or registry.names()
    except KeyError as e:
        fail(str(e.args[0]))
    if as_of:
        try:
            position = resolve_position(svc.store, as_of)
        except ValueError:
            fail(f"--as-of {as_of!r} is neither a log position nor an ISO 8601 time")
        head = svc.store.head()
        if position > head:
            fail(f"--as-of {position} is beyond the log's head ({head})")
        for n in selected:
            b = build_as_of(svc.engine, n, position, store=svc.store, settings=svc.settings, batch_size=batch_size)
            click.echo(f"{b.name}: as-of build at position {b.position} is generation {b.gen}")
        return
    # One pass over the log for all selected projections; readers switch to the new generations together.
    results = rebuild_group(svc.engine, [registry.get(n, svc.settings) for n in selected], store=svc.store,
                            batch_size=batch_size)
    for r in results:  # one pass: every projection shares the same count and time
        click.echo(f"{r.name}: rebuilt {r.events} events in {r.seconds:.2f}s ({r.rate:,.0f} events/s, one pass "
                   f"for {len(results)} projection(s)); generation {r.gen} active at position {r.position}")


COMMANDS = (worker, replay)
