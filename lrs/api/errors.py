"""Every failure becomes a JSON error with the right status; nothing escapes as an HTML 500."""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from lrs.web import DeadlineThreadWorker, RequestReadTimeout
from lrs.xapi.errors import TooManyRequests, XAPIError

log = logging.getLogger("lrs.api")


def _error(status: int, message: str) -> Response:
    resp = jsonify({"error": {"status": status, "message": message}})
    resp.status_code = status
    return resp


def register_error_handlers(app: Flask) -> None:
    """Map xAPI errors, HTTP errors and anything unexpected to JSON responses."""

    @app.errorhandler(XAPIError)
    def _xapi(e: XAPIError) -> Response:
        resp = _error(e.status, e.message)
        if e.status == 401:
            resp.headers["WWW-Authenticate"] = 'Basic realm="LRS"'
        if isinstance(e, TooManyRequests):
            resp.headers["Retry-After"] = str(e.retry_after)
        return resp

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> Response:
        status = e.code or 500
        if status == 413:
            return _error(413, f"the request body is larger than this LRS accepts "
                               f"({app.config.get('MAX_CONTENT_LENGTH')} bytes)")
        return _error(status, e.description or e.name)

    @app.errorhandler(RequestReadTimeout)
    def _slow(e: RequestReadTimeout) -> Response:
        # The client stopped sending its body; it may not be listening either, but say what happened.
        resp = _error(408, f"the request body did not arrive within {DeadlineThreadWorker.read_timeout:.0f} s")
        resp.headers["Connection"] = "close"
        return resp

    @app.errorhandler(OperationalError)
    def _db(e: OperationalError) -> Response:
        # Lock timeouts and a database that is down are the server's problem, not the client's; they
        # are retryable, so say so rather than answering 500.
        log.warning("database unavailable on %s %s: %s", request.method, request.path, e.orig)
        resp = _error(503, "the store is busy or unavailable; retry the request")
        resp.headers["Retry-After"] = "1"
        return resp

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal error; it has been logged")
