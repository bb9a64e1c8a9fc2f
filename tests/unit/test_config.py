"""Settings: defaults, then ``LRS_*`` environment variables (typed like the default), then overrides."""
from __future__ import annotations

import pytest

from lrs.config import DEFAULTS, SETTINGS, SettingsError, load_settings, unknown_variables


def test_no_environment_gives_the_defaults() -> None:
    assert load_settings({}) == DEFAULTS
    assert load_settings({})["DATABASE_URL"] is None
    assert load_settings({})["WORKER"] is True


def test_the_defaults_are_not_modified() -> None:
    before = dict(DEFAULTS)
    s = load_settings({"LRS_MAX_BATCH": "5"}, {"WORKER": False})
    s["API_KEY"] = "changed"
    assert DEFAULTS == before


def test_only_lrs_variables_count() -> None:
    s = load_settings({"DATABASE_URL": "sqlite:///other.db", "PATH": "/bin", "lrs_api_key": "lower",
                       "XLRS_API_KEY": "x"})
    assert s == DEFAULTS


def test_string_settings_stay_text_even_when_they_look_like_json() -> None:
    s = load_settings({"LRS_DATABASE_URL": "postgresql://db/lrs", "LRS_API_KEY": "12345",
                       "LRS_API_SECRET": "true", "LRS_SECRET_KEY": "[1]", "LRS_XAPI_VERSION": "1.0.3",
                       "LRS_SCHOOL_YEAR_START": "08-15", "LRS_BASE_URL": "https://lrs.district.example"})
    assert s["DATABASE_URL"] == "postgresql://db/lrs"
    assert s["API_KEY"] == "12345"
    assert s["API_SECRET"] == "true"
    assert s["SECRET_KEY"] == "[1]"
    assert s["XAPI_VERSION"] == "1.0.3"
    assert s["SCHOOL_YEAR_START"] == "08-15"
    assert s["BASE_URL"] == "https://lrs.district.example"


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_true_booleans(raw: str) -> None:
    assert load_settings({"LRS_WORKER": raw})["WORKER"] is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", ""])
def test_false_booleans(raw: str) -> None:
    assert load_settings({"LRS_WORKER": raw})["WORKER"] is False


def test_a_boolean_that_is_neither_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="LRS_WORKER must be true or false, not 'nope'"):
        load_settings({"LRS_WORKER": "nope"})


def test_integers_are_parsed() -> None:
    s = load_settings({"LRS_MAX_BATCH": "50", "LRS_MAX_BODY_BYTES": " 1024 ", "LRS_STATEMENT_PAGE_LIMIT": "7"})
    assert (s["MAX_BATCH"], s["MAX_BODY_BYTES"], s["STATEMENT_PAGE_LIMIT"]) == (50, 1024, 7)


def test_a_malformed_number_is_an_error_not_a_silent_default() -> None:
    with pytest.raises(SettingsError, match="LRS_MAX_BATCH must be an integer, not 'lots'"):
        load_settings({"LRS_MAX_BATCH": "lots"})
    with pytest.raises(SettingsError, match="LRS_WORKER_LEASE_TTL must be a number"):
        load_settings({"LRS_WORKER_LEASE_TTL": "soon"})


def test_web_settings_are_typed_too() -> None:
    assert load_settings({"LRS_WEB_WORKERS": "4"})["WEB_WORKERS"] == 4


def test_unknown_lrs_variables_are_reported_not_used() -> None:
    env = {"LRS_DATABSE_URL": "sqlite:///typo.db", "LRS_WORKER": "1", "PATH": "/bin"}
    assert unknown_variables(env) == ["LRS_DATABSE_URL"]
    assert "DATABSE_URL" not in load_settings(env)


def test_every_setting_is_declared_once_with_a_default_of_its_type() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for s in SETTINGS:
        assert s.default is None or isinstance(s.default, s.type), s.name
        assert s.help, s.name


def test_overrides_beat_the_environment() -> None:
    s = load_settings({"LRS_DATABASE_URL": "sqlite:///env.db", "LRS_WORKER": "1"},
                      {"DATABASE_URL": "sqlite:///explicit.db", "WORKER": False, "EXTRA": 1})
    assert s["DATABASE_URL"] == "sqlite:///explicit.db"
    assert s["WORKER"] is False
    assert s["EXTRA"] == 1
