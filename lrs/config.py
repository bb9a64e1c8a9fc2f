"""Settings, declared once: every ``LRS_*`` variable with its type, default and meaning.

Values come from the defaults, overridden by ``LRS_*`` environment variables, overridden by ``create_app(config)``
(or the ``overrides`` of :func:`load_settings`). A value that does not parse as its type is a
:class:`SettingsError` naming the variable; an ``LRS_`` variable nobody declared is reported by
:func:`unknown_variables` (a start-up warning: a typo such as ``LRS_DATABSE_URL`` must not pass silently).
The README's configuration table is this list.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "LRS_"


class SettingsError(ValueError):
    """A setting whose value is not of its type (the message names the variable)."""


@dataclass(frozen=True)
class Setting:
    """One setting: its name without the ``LRS_`` prefix, its type, its default and what it means."""

    name: str
    type: type
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    # --- storage ---------------------------------------------------------------------------------------------
    Setting("DATABASE_URL", str, None, "SQLAlchemy URL of the event log and every table (default: lrs.db here)"),
    # --- credentials and tokens ------------------------------------------------------------------------------
    Setting("API_KEY", str, None, "with API_SECRET: a Basic-auth credential with scope all exists from start-up"),
    Setting("API_SECRET", str, None, "see API_KEY"),
    Setting("SECRET_KEY", str, None, "a fixed key that signs the LRS's own JWTs and cursors (no rotation)"),
    Setting("SECRET_KEY_FILE", str, None, "file of signing keys, newest first, 0600 (default: beside the SQLite "
                                          "database, else ./lrs-signing.keys); lrs keys rotate adds one"),
    Setting("SCRYPT_N", int, 2 ** 14, "scrypt cost of newly stored secrets (tests lower it)"),
    Setting("AUTH_FAILURES_PER_KEY", str, "10/minute", "failed sign-ins allowed per key before 429 (limits syntax)"),
    Setting("AUTH_FAILURES_PER_ADDRESS", str, "30/minute", "failed sign-ins allowed per client address before 429"),
    Setting("RATE_LIMIT_STORAGE", str, "memory://", "where the counts live: memory:// (per process) or redis://…"),
    Setting("PROXY_HOPS", int, 0, "reverse proxies in front (1 behind nginx): client addresses from X-Forwarded-For"),
    # --- the district's identity provider (optional) -----------------------------------------------------------
    Setting("OIDC_ISSUER", str, None, "issuer of the district IdP's tokens (OpenID Connect); unset: none accepted"),
    Setting("OIDC_AUDIENCE", str, None, "the audience those tokens must name (this LRS's client id)"),
    Setting("OIDC_JWKS_URL", str, None, "where the IdP publishes its keys (default: from its discovery document)"),
    Setting("OIDC_ALGORITHMS", str, "RS256", "the signature algorithms accepted (space separated; pinned)"),
    Setting("OIDC_PERSON_CLAIM", str, "employee_id", "the claim naming the person (a roster employee id)"),
    Setting("OIDC_SCOPES", str, "reports/read/mine", "scopes every IdP user gets (space separated)"),
    Setting("OIDC_GROUPS_CLAIM", str, "groups", "the claim listing the user's groups"),
    Setting("OIDC_GROUP_SCOPES", str, None, "more scopes for groups: 'pd-office=reports/read;board=reports/aggregate'"),
    # --- xAPI ------------------------------------------------------------------------------------------------
    Setting("XAPI_VERSION", str, "2.0.0", "newest xAPI version served: 2.0.0 (1.0.3 and 2.0.0) or 1.0.3"),
    Setting("MAX_BODY_BYTES", int, 50 * 1024 * 1024, "larger request bodies are answered 413"),
    Setting("MAX_BATCH", int, 10000, "most statements accepted in one POST"),
    Setting("STATEMENT_PAGE_LIMIT", int, 500, "most statements one GET returns; the rest via more"),
    Setting("BASE_URL", str, None, "public base URL used in authorities and links (default: from each request)"),
    # --- the district ----------------------------------------------------------------------------------------
    Setting("SCHOOL_YEAR_START", str, "07-01", "month-day the school year starts"),
    Setting("DISTRICT_IRI", str, "https://district.example/xapi/", "base IRI of the district's extensions"),
    Setting("TIME_ZONE", str, None, "IANA time zone dates are taken in, e.g. America/Chicago (default: UTC)"),
    # --- program evaluation (docs/programs.md) ------------------------------------------------------------------
    Setting("CERTIFIED_ROLES", str, None, "comma-separated roles counted as certified staff when the roster has "
                                         "no certified column (default: teacher, principal, counselor, coach...)"),
    Setting("OUTCOME_MIN_N", int, 10, "smallest group of students an imported outcome aggregate may describe"),
    Setting("DISTRICT_NAME", str, None, "the district's name on the Board's efficacy report"),
    Setting("BOARD_PRECOMPUTE", bool, False, "keep the Board report of this school year, this semester and the "
                                             "periods asked for lately made ahead of the request (web process)"),
    Setting("BOARD_PRECOMPUTE_INTERVAL", float, 30.0, "seconds of a quiet log before the Board report is remade"),
    # --- attendance imports and pulls -----------------------------------------------------------------------
    Setting("PULL_SOURCES", str, None, "path of the pull-sources YAML lrs pull reads (docs/pull-sources.md)"),
    # --- processes -------------------------------------------------------------------------------------------
    Setting("WORKER", bool, True, "false: lrs serve does not run the projection workers in-process"),
    Setting("WORKER_LEASE_TTL", float, 15.0, "seconds a SQLite worker's lease on a projection lasts"),
    Setting("WEB_WORKERS", int, 2, "gunicorn worker processes of lrs serve"),
    Setting("WEB_THREADS", int, 8, "threads per gunicorn worker process"),
    Setting("ACCESS_LOG", str, None, "gunicorn access log file (- for standard output)"),
    Setting("REQUEST_READ_TIMEOUT", float, 60.0, "seconds a client has to send a request's headers and body"),
    Setting("LOG_LEVEL", str, "INFO", "log level of lrs worker"),
    # --- test-only (read by tests/conftest.py, declared so they are not reported as unknown) -------------------
    Setting("TEST_DATABASE", str, "sqlite", "tests: sqlite or postgres"),
    Setting("TEST_PG_URL", str, None, "tests: the PostgreSQL server tests create their databases on"),
    Setting("CTS_DIR", str, None, "tests: a checkout of the ADL conformance suite"),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def parse_value(setting: Setting, raw: str) -> Any:
    """``raw`` (an environment string) as the setting's type; :class:`SettingsError` if it is not one."""
    text = raw.strip()
    if setting.type is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SettingsError(f"{PREFIX}{setting.name} must be true or false, not {raw!r}")
    if setting.type in (int, float):
        try:
            return setting.type(text)
        except ValueError:
            kind = "an integer" if setting.type is int else "a number"
            raise SettingsError(f"{PREFIX}{setting.name} must be {kind}, not {raw!r}") from None
    return raw


def load_settings(env: Mapping[str, str], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, the declared ``LRS_*`` variables of ``env`` (parsed by type) and explicit overrides."""
    out = dict(DEFAULTS)
    for name, raw in env.items():
        if name.startswith(PREFIX) and name[len(PREFIX):] in BY_NAME:
            out[name[len(PREFIX):]] = parse_value(BY_NAME[name[len(PREFIX):]], raw)
    if overrides:
        out.update(overrides)
    return out


def unknown_variables(env: Mapping[str, str]) -> list[str]:
    """``LRS_*`` variables in ``env`` that no setting declares (to warn about at start-up)."""
    return sorted(n for n in env if n.startswith(PREFIX) and n[len(PREFIX):] not in BY_NAME)
