"""The gunicorn settings of ``lrs serve``, shared with the benchmark's baseline server so both run one stack."""
from __future__ import annotations

from typing import Any


def gunicorn_settings(host: str, port: int, workers: int, threads: int, access_log: str | None = None
                      ) -> dict[str, Any]:
    """gunicorn configuration: pre-forked processes × threads (gthread), bounded request reading.

    ``timeout`` is how long a worker may be silent before the master restarts it; ``keepalive`` how long an idle
    keep-alive connection is held.
    """
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": 120,
        "keepalive": 30,
        "accesslog": access_log,
    }


def run_gunicorn(app_factory: Any, options: dict[str, Any], on_starting: Any = None) -> None:
    """Run ``app_factory()`` under gunicorn's arbiter with ``options`` (blocks until the server stops)."""
    from gunicorn.app.base import BaseApplication

    class App(BaseApplication):
        def load_config(self) -> None:
            for k, v in options.items():
                self.cfg.set(k, v)
            if on_starting is not None:
                self.cfg.set("on_starting", on_starting)

        def load(self) -> Any:
            return app_factory()

    App().run()
