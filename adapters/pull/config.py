"""The pull-sources file: which check-in systems to pull, with which token variable, into which activities.

``load_sources(text, env)`` parses the YAML, checks every key (every problem is reported at once, each named by
its path, e.g. ``sources[1].events[0].activity``) and reads each source's token from the environment variable
the file names. The token itself never appears in the file: a file with a ``token`` key (or another obvious
secret key) is refused. Every key is documented in docs/pull-sources.md.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

KINDS = ("zoom", "eventbrite", "graph")
DEFAULT_BASE_URLS = {
    "zoom": "https://api.zoom.us/v2",
    "eventbrite": "https://www.eventbriteapi.com/v3",
    "graph": "https://graph.microsoft.com/v1.0",
}
# The list of session mappings each kind takes, and the key naming the session at the API.
MAPPING_LIST = {"zoom": "meetings", "eventbrite": "events", "graph": "meetings"}
MAPPING_ID = {"zoom": "meeting_id", "eventbrite": "event_id", "graph": "meeting_id"}
MEETING_TYPE = "http://adlnet.gov/expapi/activities/meeting"

# Keys that would hold a secret. The file is meant to be committed and shared; secrets belong in the
# environment, so these are refused wherever they appear rather than silently ignored.
SECRET_KEYS = {"token", "access_token", "api_key", "apikey", "secret", "client_secret", "password", "bearer"}

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
URL_RE = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")

TOP_KEYS = {"version", "http", "sources"}
HTTP_KEYS = {"timeout_seconds", "max_attempts", "backoff_seconds", "max_backoff_seconds", "max_retry_after_seconds",
             "max_pages"}
SOURCE_KEYS = {"name", "kind", "base_url", "token_env", "page_size", "http", "meetings", "events"}
MAPPING_KEYS = {
    "zoom": {"meeting_id", "activity", "name", "parent", "activity_type"},
    "eventbrite": {"event_id", "activity", "name", "parent", "activity_type", "minutes"},
    "graph": {"meeting_id", "organizer", "user_id", "activity", "name", "parent", "activity_type"},
}
PAGE_SIZE_LIMITS = {"zoom": 300, "eventbrite": 0, "graph": 0}  # 0: the API fixes the page size


class ConfigError(ValueError):
    """The pull-sources file (or the environment it needs) is not usable. ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("pull sources: " + "; ".join(self.problems))


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts, retries and paging limits for one source's requests."""

    timeout_seconds: float = 30.0  # connect and read timeout of every request
    max_attempts: int = 5  # attempts of one request, the first included
    backoff_seconds: float = 1.0  # first back-off; doubled after each failed attempt
    max_backoff_seconds: float = 60.0  # cap of the exponential back-off
    max_retry_after_seconds: float = 300.0  # a Retry-After longer than this fails the pull instead of waiting
    max_pages: int = 1000  # pages followed for one list before the pull is judged to be looping


@dataclass(frozen=True)
class SessionMapping:
    """One configured meeting or event and the activity its attendance is recorded against."""

    external_id: str  # Zoom meeting id, Eventbrite event id, Graph onlineMeeting id
    activity: str
    name: str | None = None
    parent: str | None = None
    activity_type: str = MEETING_TYPE
    organizer: str | None = None  # Graph: the organizer's user id or UPN (the /users/{id} path segment)
    minutes: float | None = None  # Eventbrite: minutes credited for a check-in (default: the event's length)


@dataclass(frozen=True)
class SourceConfig:
    """One configured source, token resolved from the environment."""

    name: str
    kind: str
    base_url: str
    token_env: str
    mappings: tuple[SessionMapping, ...]
    token: str = field(default="", repr=False)  # never printed: repr/str of a config may end up in logs
    page_size: int | None = None
    http: HttpSettings = field(default_factory=HttpSettings)

    def mapping(self, external_id: str) -> SessionMapping | None:
        """The mapping configured for a meeting/event id, if any."""
        for m in self.mappings:
            if m.external_id == external_id:
                return m
        return None


def load_sources(text: str, env: Mapping[str, str], *, only: str | None = None) -> list[SourceConfig]:
    """Parse and check a pull-sources YAML document; return its sources with tokens read from ``env``.

    The whole file is always checked. With ``only``, just that source is returned and just its token is
    needed (so ``lrs pull NAME`` works while another source's variable is unset). Raises ConfigError.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([f"not valid YAML: {exc}"]) from None
    problems: list[str] = []
    sources = _parse_document(doc, problems)
    if problems:
        raise ConfigError(problems)
    if only is not None:
        chosen = [s for s in sources if s.name == only]
        if not chosen:
            names = ", ".join(s.name for s in sources) or "none"
            raise ConfigError([f"no source named {only!r} (configured: {names})"])
        sources = chosen
    resolved: list[SourceConfig] = []
    for s in sources:
        token = env.get(s.token_env, "")
        if not token.strip():
            state = "is empty" if s.token_env in env else "is not set"
            problems.append(f"{s.kind} source {s.name!r}: the environment variable {s.token_env} {state}; "
                            f"it must hold the API token")
            continue
        resolved.append(_replace_token(s, token.strip()))
    if problems:
        raise ConfigError(problems)
    return resolved


def _replace_token(s: SourceConfig, token: str) -> SourceConfig:
    return SourceConfig(name=s.name, kind=s.kind, base_url=s.base_url, token_env=s.token_env,
                        mappings=s.mappings, token=token, page_size=s.page_size, http=s.http)


def _secret_keys(node: Any, path: str, problems: list[str]) -> None:
    """Report every secret-looking key anywhere in the document."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and key.strip().lower() in SECRET_KEYS:
                problems.append(f"{sub}: tokens and secrets must not be written in this file; put the token in "
                                f"an environment variable and name it with token_env")
            _secret_keys(value, sub, problems)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _secret_keys(item, f"{path}[{i}]", problems)


def _parse_document(doc: Any, problems: list[str]) -> list[SourceConfig]:
    if doc is None:
        problems.append("the file is empty; it needs a 'sources' list")
        return []
    if not isinstance(doc, Mapping):
        problems.append("the top level must be a mapping with a 'sources' list")
        return []
    _secret_keys(doc, "", problems)
    _unknown_keys(doc, TOP_KEYS, "", problems)
    if "version" in doc and doc["version"] != 1:
        problems.append(f"version: only version 1 is known (got {doc['version']!r})")
    defaults = _parse_http(doc.get("http"), "http", HttpSettings(), problems)
    raw_sources = doc.get("sources")
    if raw_sources is None:
        problems.append("sources: missing; list at least one source")
        return []
    if not isinstance(raw_sources, list) or not raw_sources:
        problems.append("sources: must be a non-empty list")
        return []
    out: list[SourceConfig] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(raw_sources):
        path = f"sources[{i}]"
        parsed = _parse_source(raw, path, defaults, problems)
        if parsed is None:
            continue
        if parsed.name in seen:
            problems.append(f"{path}.name: {parsed.name!r} is already the name of {seen[parsed.name]}")
        else:
            seen[parsed.name] = path
        out.append(parsed)
    return out


def _unknown_keys(node: Mapping[str, Any], allowed: set[str], path: str, problems: list[str]) -> None:
    for key in node:
        if isinstance(key, str) and key.strip().lower() in SECRET_KEYS:
            continue  # already reported as a secret
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            problems.append(f"{where}: unknown key (known: {', '.join(sorted(allowed))})")


def _parse_http(raw: Any, path: str, base: HttpSettings, problems: list[str]) -> HttpSettings:
    if raw is None:
        return base
    if not isinstance(raw, Mapping):
        problems.append(f"{path}: must be a mapping")
        return base
    _unknown_keys(raw, HTTP_KEYS, path, problems)
    values: dict[str, Any] = {}
    for key in ("timeout_seconds", "backoff_seconds", "max_backoff_seconds", "max_retry_after_seconds"):
        if key in raw:
            v = raw[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or (key == "timeout_seconds" and v == 0):
                problems.append(f"{path}.{key}: must be a positive number of seconds (got {v!r})")
            else:
                values[key] = float(v)
    for key, low in (("max_attempts", 1), ("max_pages", 1)):
        if key in raw:
            v = raw[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                problems.append(f"{path}.{key}: must be a whole number of at least {low} (got {v!r})")
            else:
                values[key] = v
    merged = {**base.__dict__, **values}
    return HttpSettings(**merged)


def _text(raw: Mapping[str, Any], key: str, path: str, problems: list[str], *, required: bool) -> str | None:
    if key not in raw or raw[key] is None:
        if required:
            problems.append(f"{path}.{key}: missing")
        return None
    v = raw[key]
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        problems.append(f"{path}.{key}: must be a string (got {type(v).__name__})")
        return None
    text = str(v).strip()
    if not text:
        problems.append(f"{path}.{key}: must not be empty")
        return None
    return text


def _iri(raw: Mapping[str, Any], key: str, path: str, problems: list[str], *, required: bool) -> str | None:
    text = _text(raw, key, path, problems, required=required)
    if text is not None and not IRI_RE.match(text):
        problems.append(f"{path}.{key}: must be an absolute IRI such as https://pd.example.org/... (got {text!r})")
        return None
    return text


def _parse_source(raw: Any, path: str, defaults: HttpSettings, problems: list[str]) -> SourceConfig | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{path}: must be a mapping")
        return None
    before = len(problems)
    name = _text(raw, "name", path, problems, required=True)
    if name is not None and not NAME_RE.match(name):
        problems.append(f"{path}.name: use lowercase letters, digits, '.', '_' or '-' (got {name!r})")
    kind = _text(raw, "kind", path, problems, required=True)
    if kind is not None and kind not in KINDS:
        problems.append(f"{path}.kind: must be one of {', '.join(KINDS)} (got {kind!r})")
        kind = None
    allowed = SOURCE_KEYS - ({"meetings", "events"} - {MAPPING_LIST[kind]} if kind else set())
    _unknown_keys(raw, allowed, path, problems)
    token_env = _text(raw, "token_env", path, problems, required=True)
    if token_env is not None and not ENV_RE.match(token_env):
        problems.append(f"{path}.token_env: must be an environment variable name such as ZOOM_TOKEN "
                        f"(got {token_env!r}); the token itself goes in that variable")
    base_url = _text(raw, "base_url", path, problems, required=False)
    if base_url is not None and not URL_RE.match(base_url):
        problems.append(f"{path}.base_url: must be an http(s) URL (got {base_url!r})")
    page_size: int | None = None
    if "page_size" in raw:
        v = raw["page_size"]
        limit = PAGE_SIZE_LIMITS.get(kind or "", 0)
        if kind is not None and limit == 0:
            problems.append(f"{path}.page_size: {kind} fixes its own page size; remove this key")
        elif isinstance(v, bool) or not isinstance(v, int) or v < 1 or (limit and v > limit):
            problems.append(f"{path}.page_size: must be a whole number from 1 to {limit or 'the API maximum'} "
                            f"(got {v!r})")
        else:
            page_size = v
    http = _parse_http(raw.get("http"), f"{path}.http", defaults, problems)
    mappings: list[SessionMapping] = []
    if kind is not None:
        list_key = MAPPING_LIST[kind]
        items = raw.get(list_key)
        if not isinstance(items, list) or not items:
            problems.append(f"{path}.{list_key}: missing or empty; list the {list_key} to pull")
        else:
            seen: dict[str, str] = {}
            for j, item in enumerate(items):
                external_id, m = _parse_mapping(kind, item, f"{path}.{list_key}[{j}]", problems)
                # Checked even when the entry has other problems, so that one run names them all.
                if external_id is not None and external_id in seen:
                    problems.append(f"{path}.{list_key}[{j}].{MAPPING_ID[kind]}: {external_id!r} is already "
                                    f"configured at {seen[external_id]}")
                elif external_id is not None:
                    seen[external_id] = f"{path}.{list_key}[{j}]"
                if m is not None:
                    mappings.append(m)
    if len(problems) > before or name is None or kind is None or token_env is None:
        return None
    return SourceConfig(name=name, kind=kind, base_url=(base_url or DEFAULT_BASE_URLS[kind]).rstrip("/"),
                        token_env=token_env, mappings=tuple(mappings), page_size=page_size, http=http)


def _parse_mapping(kind: str, raw: Any, path: str,
                   problems: list[str]) -> tuple[str | None, SessionMapping | None]:
    """The entry's (normalised) meeting/event id, and the mapping if the entry has no problem."""
    if not isinstance(raw, Mapping):
        problems.append(f"{path}: must be a mapping")
        return None, None
    before = len(problems)
    _unknown_keys(raw, MAPPING_KEYS[kind], path, problems)
    id_key = MAPPING_ID[kind]
    external_id = _text(raw, id_key, path, problems, required=True)
    if kind == "zoom" and external_id is not None:
        # A numeric meeting id (spaces allowed, as Zoom prints them). A meeting UUID would name one instance,
        # but a pull lists a meeting's past instances, which needs the meeting id.
        digits = external_id.replace(" ", "")
        if not digits.isdigit():
            problems.append(f"{path}.meeting_id: must be the numeric Zoom meeting id (got {external_id!r})")
        external_id = digits
    activity = _iri(raw, "activity", path, problems, required=True)
    name = _text(raw, "name", path, problems, required=False)
    parent = _iri(raw, "parent", path, problems, required=False)
    activity_type = _iri(raw, "activity_type", path, problems, required=False) or MEETING_TYPE
    organizer: str | None = None
    if kind == "graph":
        if "organizer" in raw and "user_id" in raw:
            problems.append(f"{path}: give organizer or user_id, not both (they are the same thing)")
        key = "organizer" if "organizer" in raw else "user_id"
        organizer = _text(raw, key, path, problems, required=False)
        if organizer is None and key not in raw:
            problems.append(f"{path}.organizer: missing (the organizer's user id or UPN; Graph reads meetings "
                            f"as /users/{{organizer}}/onlineMeetings/...)")
    minutes: float | None = None
    if "minutes" in raw:
        v = raw["minutes"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
            problems.append(f"{path}.minutes: must be a positive number of minutes (got {v!r})")
        else:
            minutes = float(v)
    if len(problems) > before or external_id is None or activity is None:
        return external_id, None
    return external_id, SessionMapping(external_id=external_id, activity=activity, name=name, parent=parent,
                          activity_type=activity_type, organizer=organizer, minutes=minutes)
