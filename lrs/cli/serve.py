"""``lrs serve`` and ``lrs demo``: the LRS under gunicorn, with the projection workers beside it."""
from __future__ import annotations

import os
from typing import Any

import click

from lrs.cli import fail, services
from lrs.web import gunicorn_settings, run_gunicorn
from projections.runner import start_background_worker


def _serve(host: str, port: int, workers: int | None, threads: int | None, no_worker: bool) -> None:
    if not 0 < port < 65536:
        fail(f"--port must be between 1 and 65535, not {port}")
    svc = services()
    settings = svc.settings
    # The schema and the configured credential are made once, here, before the workers fork.
    from lrs.app import create_app

    create_app(services=svc)
    svc.close()
    workers = workers or int(settings["WEB_WORKERS"])
    threads = threads or int(settings["WEB_THREADS"])
    if workers < 1 or threads < 1:
        fail("--workers and --threads must be at least 1")
    on_starting = None
    if not no_worker and settings.get("WORKER", True):
        def on_starting(_arbiter: Any) -> None:
            start_background_worker()
    click.echo(f"LRS serving http://{host}:{port}/xapi/ (reporting API at /api/v1/)", err=True)
    run_gunicorn(create_app, gunicorn_settings(host, port, workers, threads, settings.get("ACCESS_LOG")),
                 on_starting)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=int, help="gunicorn worker processes (default LRS_WEB_WORKERS, 2)")
@click.option("--threads", type=int, help="threads per worker process (default LRS_WEB_THREADS, 8)")
@click.option("--no-worker", is_flag=True, help="do not run the projection workers in-process")
def serve(host: str, port: int, workers: int | None, threads: int | None, no_worker: bool) -> None:
    """Serve xAPI at /xapi/ and the reporting API at /api/v1/."""
    _serve(host, port, workers, threads, no_worker)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--statements", default=800, show_default=True, type=int, help="demo statements to generate")
@click.option("--no-serve", is_flag=True, help="load the demo data and exit")
def demo(host: str, port: int, statements: int, no_serve: bool) -> None:
    """Load a demo district (roster, statements, credential demo/demo-secret) and serve it."""
    from lrs.app import create_app
    from lrs.demo import DEMO_KEY, DEMO_SECRET, seed

    svc = services()
    result = seed(create_app(services=svc), statements=statements)
    if result.get("seeded"):
        click.echo(f"loaded {result['statements']} demo statements for {result['people']} staff", err=True)
        if result.get("evaluation"):
            e = result["evaluation"]
            click.echo(f"loaded the program evaluation demo: {e['programs']} programs, {e['statements']} statements "
                       f"for {e['staff']} more staff, {e['outcomes']} outcome aggregates", err=True)
    svc.close()
    click.echo(f"demo credential: key={DEMO_KEY} secret={DEMO_SECRET}", err=True)
    click.echo(f"try: curl -u {DEMO_KEY}:{DEMO_SECRET} -H 'X-Experience-API-Version: 1.0.3' "
               f"http://{host}:{port}/xapi/statements?limit=2", err=True)
    click.echo(f"     http://{host}:{port}/people/E1000/transcript (a transcript page; sign in as the demo credential)",
               err=True)
    click.echo(f"     http://{host}:{port}/reports/board?period=2026-27-S1 (the Board's efficacy report)", err=True)
    if not no_serve:
        # The demo's Board report is kept made ahead of the request (computing it takes seconds at 5,000 staff).
        os.environ.setdefault("LRS_BOARD_PRECOMPUTE", "true")
        _serve(host, port, None, None, False)


COMMANDS = (serve, demo)
