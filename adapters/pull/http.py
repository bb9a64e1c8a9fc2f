"""GET-JSON with a timeout on every request, bounded retries with back-off, and clear errors.

Retried: 429 and 5xx answers (waiting what ``Retry-After`` asks, in seconds or as an HTTP date, otherwise an
exponential back-off with jitter) and connection failures or timeouts. Not retried: 401/403 (the token is
refused; a retry cannot help), 404 (a configured meeting or event does not exist) and other 4xx answers.
Sleeping, the clock and the jitter source are injectable so tests never sleep.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import requests

from .base import PullAuthError, PullError, PullNotFoundError, PullRetriesExhausted
from .config import SourceConfig

USER_AGENT = "district-lrs-pull/1"
DISPLAY_KIND = {"zoom": "zoom", "eventbrite": "eventbrite", "graph": "graph"}


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    # A date already past means "now": wait nothing rather than a negative time.
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float, rand: float) -> float:
    """The wait after failed attempt ``attempt`` (1-based): base * 2**(attempt-1), capped, with jitter.

    "Equal jitter": half the exponential delay is kept and the other half is random (``rand`` in [0, 1)), so a
    retry never comes back sooner than half the delay, yet many clients that failed together spread out.
    """
    delay = min(cap, base * (2 ** (attempt - 1)))
    return delay / 2 + delay / 2 * rand


def same_origin(url: str, base_url: str) -> bool:
    """Whether ``url`` has the scheme and host of ``base_url`` (a next-page link must, to be followed)."""
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme.lower(), a.netloc.lower()) == (b.scheme.lower(), b.netloc.lower())


def _api_message(response: requests.Response) -> str | None:
    """The error text the API put in its JSON body (Zoom, Eventbrite and Graph each have their own shape)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):  # Graph
        return str(error["message"])
    if isinstance(body.get("error_description"), str):  # Eventbrite
        return str(body["error_description"])
    if isinstance(body.get("message"), str):  # Zoom
        return str(body["message"])
    return None


class HttpClient:
    """Sends one source's GET requests and counts them. One client per pull."""

    def __init__(self, source: SourceConfig, session: requests.Session, *,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], datetime] | None = None,
                 rand: Callable[[], float] = random.random) -> None:
        self.source = source
        self.session = session
        self.sleep = sleep
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.rand = rand
        self.requests = 0
        self.retries = 0
        self.pages = 0

    @property
    def label(self) -> str:
        """How messages name the source, e.g. ``zoom source 'district-zoom'``."""
        return f"{DISPLAY_KIND.get(self.source.kind, self.source.kind)} source {self.source.name!r}"

    def error(self, message: str) -> PullError:
        """A PullError naming this source."""
        return PullError(f"{self.label}: {message}", source=self.source.name)

    def url(self, path: str) -> str:
        """``path`` (already percent-encoded where needed) under the source's base URL."""
        return self.source.base_url.rstrip("/") + "/" + path.lstrip("/")

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, *, what: str) -> Any:
        """GET ``url`` and return its JSON body, retrying what may pass; raise PullError otherwise.

        ``what`` names the thing fetched (e.g. "Zoom meeting 85746065432 (Algebra PLC)") for error messages.
        """
        settings = self.source.http
        headers = {"Authorization": f"Bearer {self.source.token}", "Accept": "application/json",
                   "User-Agent": USER_AGENT}
        last_failure = ""
        for attempt in range(1, settings.max_attempts + 1):
            self.requests += 1
            delay: float
            try:
                response = self.session.get(url, params=dict(params or {}), headers=headers,
                                            timeout=settings.timeout_seconds)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                last_failure = f"could not reach the API ({type(exc).__name__})"
                delay = backoff_delay(attempt, settings.backoff_seconds, settings.max_backoff_seconds, self.rand())
            except requests.RequestException as exc:
                raise self.error(f"{what}: the request failed ({type(exc).__name__}: {exc})") from exc
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return self._json(response, what)
                phrase = _phrase(status)
                if status == 429 or status >= 500:
                    last_failure = f"the API answered {status} {phrase}"
                    wait = parse_retry_after(response.headers.get("Retry-After"), self.clock())
                    if wait is None:
                        delay = backoff_delay(attempt, settings.backoff_seconds, settings.max_backoff_seconds,
                                              self.rand())
                    elif wait > settings.max_retry_after_seconds:
                        raise PullRetriesExhausted(
                            f"{self.label}: {what}: the API answered {status} {phrase} and asked to wait "
                            f"{wait:.0f} s (Retry-After), longer than http.max_retry_after_seconds "
                            f"({settings.max_retry_after_seconds:.0f}); try again later", source=self.source.name)
                    else:
                        delay = wait  # the server said how long; jitter would only make it wrong
                elif status in (401, 403):
                    raise self._auth_error(response, status, phrase)
                elif status == 404:
                    said = _api_message(response)
                    raise PullNotFoundError(
                        f"{self.label}: {what} was not found (404 {phrase}); check its id in the pull-sources "
                        f"file" + (f" (the API said: {said})" if said else ""), source=self.source.name)
                else:
                    said = _api_message(response)
                    raise self.error(f"{what}: the API answered {status} {phrase}"
                                     + (f": {said}" if said else ""))
            if attempt == settings.max_attempts:
                break
            self.retries += 1
            self.sleep(delay)
        raise PullRetriesExhausted(
            f"{self.label}: {what}: gave up after {settings.max_attempts} attempts; last: {last_failure}",
            source=self.source.name)

    def _auth_error(self, response: requests.Response, status: int, phrase: str) -> PullAuthError:
        said = _api_message(response)
        hint = f"check {self.source.token_env}"
        if status == 403:
            hint += " and the scopes or permissions granted to it"
        text = f"{self.label}: the API refused the token ({status} {phrase}); {hint}"
        if said:
            text += f" (the API said: {said})"
        return PullAuthError(text, source=self.source.name)

    def _json(self, response: requests.Response, what: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self.error(f"{what}: the API answered {response.status_code} but the body is not JSON") from None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"
