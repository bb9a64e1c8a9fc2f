"""Errors raised by the xAPI layer, each carrying the HTTP status the API answers with."""
from __future__ import annotations


class XAPIError(Exception):
    """Base class: ``status`` is the HTTP status, ``message`` says what is wrong."""

    status: int = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(XAPIError):
    """400: the request or a statement in it is invalid."""

    status = 400


class ValidationError(BadRequest):
    """400: a statement (or an agent/activity parameter) breaks an xAPI rule.

    The message names the offending field with a path such as ``statement.context.instructor.mbox``.
    """


class Unauthorized(XAPIError):
    status = 401


class Forbidden(XAPIError):
    status = 403


class NotFound(XAPIError):
    status = 404


class Conflict(XAPIError):
    status = 409


class PreconditionFailed(XAPIError):
    status = 412


class PayloadTooLarge(XAPIError):
    status = 413


class TooManyRequests(XAPIError):
    """429: the caller has used up its attempts for now; ``retry_after`` says when to try again (seconds)."""

    status = 429

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnsupportedMediaType(XAPIError):
    status = 415


class InvalidField(ValidationError):
    """400: a ValidationError that also records which field broke which rule.

    ``path`` is the field's path (``statement.actor.mbox``) and ``detail`` the bare reason; the message
    is ``"<path>: <detail>"``, so code that only knows ValidationError keeps working.
    """

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}" if path else detail)
        self.path = path
        self.detail = detail
