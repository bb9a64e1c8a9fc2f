"""The empty-endpoint baseline: the server stack of ``lrs serve`` with no product code behind it.

It reads the whole request body (as the LRS must) and answers 200 with a fixed JSON list of one statement id,
the shape of a POST /xapi/statements answer. Served by gunicorn with the very settings ``lrs serve`` uses
(``lrs.web.gunicorn_settings``). ``--flavour flask`` puts the same handler behind a one-route Flask app, to show the framework's share.

    python bench/empty_app.py --port 8001 --workers 2 --threads 8
"""
from __future__ import annotations

import argparse
from typing import Any, Callable, Iterable

BODY = b'["00000000-0000-4000-8000-000000000000"]'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY))),
           ("X-Experience-API-Version", "1.0.3")]


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Drain the body, answer the fixed JSON."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    while length > 0:
        chunk = stream.read(min(length, 1 << 16))
        if not chunk:
            break
        length -= len(chunk)
    start_response("200 OK", HEADERS)
    return [BODY]


def flask_app() -> Any:
    from flask import Flask, Response, request

    app = Flask("empty")

    @app.route("/health")
    @app.route("/xapi/statements", methods=["GET", "POST", "PUT"])
    def empty() -> Response:
        request.get_data()
        return Response(BODY, mimetype="application/json", headers={"X-Experience-API-Version": "1.0.3"})

    return app


def serve(host: str, port: int, workers: int, threads: int, flavour: str) -> None:
    from lrs.web import gunicorn_settings, run_gunicorn

    run_gunicorn(lambda: flask_app() if flavour == "flask" else wsgi_app,
                 gunicorn_settings(host, port, workers, threads))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--flavour", choices=["wsgi", "flask"], default="wsgi")
    a = ap.parse_args()
    serve(a.host, a.port, a.workers, a.threads, a.flavour)
