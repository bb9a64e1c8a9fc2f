"""The pull-sources file: parsing, defaults, every problem named by its path, tokens only from the environment."""
from __future__ import annotations

from pathlib import Path

import pytest

from adapters.pull import ConfigError, HttpSettings, SessionMapping, load_sources

ENV = {"ZOOM_TOKEN": "z-secret", "EVENTBRITE_TOKEN": "e-secret", "GRAPH_TOKEN": "g-secret"}

FULL = """
version: 1
http:
  timeout_seconds: 20
  max_attempts: 4
sources:
  - name: district-zoom
    kind: zoom
    token_env: ZOOM_TOKEN
    page_size: 100
    meetings:
      - meeting_id: "857 4606 5432"
        activity: https://pd.example.org/activities/algebra-plc
        name: Algebra PLC
        parent: https://pd.example.org/series/math
  - name: district-eventbrite
    kind: eventbrite
    base_url: http://127.0.0.1:9000/v3/
    token_env: EVENTBRITE_TOKEN
    http: {max_attempts: 2}
    events:
      - event_id: 717926867587
        activity: https://pd.example.org/activities/literacy
        minutes: 90
  - name: district-teams
    kind: graph
    token_env: GRAPH_TOKEN
    meetings:
      - user_id: coach@district.example.org
        meeting_id: MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZ
        activity: https://pd.example.org/activities/seminar
        activity_type: http://id.tincanapi.com/activitytype/webinar
"""


def problems(text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_sources(text, ENV if env is None else env)
    return err.value.problems


def test_a_full_file_with_defaults() -> None:
    zoom, eventbrite, graph = load_sources(FULL, ENV)
    assert (zoom.name, zoom.kind, zoom.base_url, zoom.token_env, zoom.token) == (
        "district-zoom", "zoom", "https://api.zoom.us/v2", "ZOOM_TOKEN", "z-secret")
    assert zoom.page_size == 100
    # The file-level http block applies to every source; a source's own block overrides single keys.
    assert zoom.http == HttpSettings(timeout_seconds=20.0, max_attempts=4)
    assert eventbrite.http == HttpSettings(timeout_seconds=20.0, max_attempts=2)
    assert zoom.mappings == (SessionMapping(
        external_id="85746065432", activity="https://pd.example.org/activities/algebra-plc", name="Algebra PLC",
        parent="https://pd.example.org/series/math", activity_type="http://adlnet.gov/expapi/activities/meeting"),)
    assert eventbrite.base_url == "http://127.0.0.1:9000/v3"  # trailing slash dropped
    [event] = eventbrite.mappings
    assert (event.external_id, event.minutes, event.name, event.parent) == ("717926867587", 90.0, None, None)
    assert graph.base_url == "https://graph.microsoft.com/v1.0"
    [meeting] = graph.mappings
    assert (meeting.organizer, meeting.external_id, meeting.activity_type) == (
        "coach@district.example.org", "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZ", "http://id.tincanapi.com/activitytype/webinar")
    assert zoom.mapping("85746065432") is zoom.mappings[0] and zoom.mapping("1") is None


def test_the_token_never_shows_in_repr() -> None:
    zoom = load_sources(FULL, ENV)[0]
    assert "z-secret" not in repr(zoom) and "z-secret" not in str(zoom)


def test_a_token_in_the_file_is_refused() -> None:
    text = """
sources:
  - name: district-zoom
    kind: zoom
    token_env: ZOOM_TOKEN
    token: eyJhbGciOiJIUzUxMiJ9.secret
    http: {api_key: abc}
    meetings:
      - {meeting_id: "85746065432", activity: "https://pd.example.org/a"}
"""
    assert problems(text) == [
        "sources[0].token: tokens and secrets must not be written in this file; put the token in an environment "
        "variable and name it with token_env",
        "sources[0].http.api_key: tokens and secrets must not be written in this file; put the token in an "
        "environment variable and name it with token_env",
    ]


def test_every_problem_is_named_by_its_path() -> None:
    text = """
version: 2
colour: blue
sources:
  - name: Zoom Main
    kind: zoom
    token_env: zoom-token
    page_size: 500
    meetings:
      - meeting_id: abc
        activity: not an iri
      - meeting_id: "85746065432"
        activity: https://pd.example.org/a
        parent: parent-without-scheme
        colour: red
      - meeting_id: "857 4606 5432"
        activity: https://pd.example.org/b
  - name: eb
    kind: eventbrite
    token_env: EVENTBRITE_TOKEN
    base_url: ftp://eventbrite.example
    page_size: 10
    meetings: []
    http: {max_attempts: 0, timeout_seconds: fast}
  - name: eb
    kind: teams
    token_env: T
  - name: teams
    kind: graph
    token_env: GRAPH_TOKEN
    meetings:
      - meeting_id: MSpk
        activity: https://pd.example.org/c
      - organizer: a@b.org
        user_id: a@b.org
        meeting_id: MSpl
        activity: https://pd.example.org/d
        minutes: 30
"""
    assert problems(text) == [
        "colour: unknown key (known: http, sources, version)",
        "version: only version 1 is known (got 2)",
        "sources[0].name: use lowercase letters, digits, '.', '_' or '-' (got 'Zoom Main')",
        "sources[0].token_env: must be an environment variable name such as ZOOM_TOKEN (got 'zoom-token'); the "
        "token itself goes in that variable",
        "sources[0].page_size: must be a whole number from 1 to 300 (got 500)",
        "sources[0].meetings[0].meeting_id: must be the numeric Zoom meeting id (got 'abc')",
        "sources[0].meetings[0].activity: must be an absolute IRI such as https://pd.example.org/... "
        "(got 'not an iri')",
        "sources[0].meetings[1].colour: unknown key (known: activity, activity_type, meeting_id, name, parent)",
        "sources[0].meetings[1].parent: must be an absolute IRI such as https://pd.example.org/... "
        "(got 'parent-without-scheme')",
        "sources[0].meetings[2].meeting_id: '85746065432' is already configured at sources[0].meetings[1]",
        "sources[1].meetings: unknown key (known: base_url, events, http, kind, name, page_size, token_env)",
        "sources[1].base_url: must be an http(s) URL (got 'ftp://eventbrite.example')",
        "sources[1].page_size: eventbrite fixes its own page size; remove this key",
        "sources[1].http.timeout_seconds: must be a positive number of seconds (got 'fast')",
        "sources[1].http.max_attempts: must be a whole number of at least 1 (got 0)",
        "sources[1].events: missing or empty; list the events to pull",
        "sources[2].kind: must be one of zoom, eventbrite, graph (got 'teams')",
        "sources[3].meetings[0].organizer: missing (the organizer's user id or UPN; Graph reads meetings as "
        "/users/{organizer}/onlineMeetings/...)",
        "sources[3].meetings[1].minutes: unknown key (known: activity, activity_type, meeting_id, name, organizer, "
        "parent, user_id)",
        "sources[3].meetings[1]: give organizer or user_id, not both (they are the same thing)",
    ]


def test_duplicate_source_names_are_named() -> None:
    text = """
sources:
  - {name: a, kind: zoom, token_env: ZOOM_TOKEN, meetings: [{meeting_id: "1", activity: "https://x.org/1"}]}
  - {name: a, kind: zoom, token_env: ZOOM_TOKEN, meetings: [{meeting_id: "2", activity: "https://x.org/2"}]}
"""
    assert problems(text) == ["sources[1].name: 'a' is already the name of sources[0]"]


def test_a_missing_token_variable_names_the_source_and_the_variable() -> None:
    assert problems(FULL, {"ZOOM_TOKEN": "z", "GRAPH_TOKEN": " "}) == [
        "eventbrite source 'district-eventbrite': the environment variable EVENTBRITE_TOKEN is not set; it must "
        "hold the API token",
        "graph source 'district-teams': the environment variable GRAPH_TOKEN is empty; it must hold the API token",
    ]


def test_only_one_source_needs_only_its_own_token() -> None:
    [zoom] = load_sources(FULL, {"ZOOM_TOKEN": "z"}, only="district-zoom")
    assert zoom.name == "district-zoom" and zoom.token == "z"
    with pytest.raises(ConfigError) as err:
        load_sources(FULL, ENV, only="district-webex")
    assert err.value.problems == [
        "no source named 'district-webex' (configured: district-zoom, district-eventbrite, district-teams)"]


def test_only_still_checks_the_whole_file() -> None:
    broken = FULL.replace("kind: graph", "kind: webex")
    with pytest.raises(ConfigError, match=r"sources\[2\]\.kind"):
        load_sources(broken, ENV, only="district-zoom")


@pytest.mark.parametrize(("text", "expected"), [
    ("", ["the file is empty; it needs a 'sources' list"]),
    ("- a\n- b\n", ["the top level must be a mapping with a 'sources' list"]),
    ("version: 1\n", ["sources: missing; list at least one source"]),
    ("sources: []\n", ["sources: must be a non-empty list"]),
    ("sources: [42]\n", ["sources[0]: must be a mapping"]),
])
def test_document_shape_problems(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_invalid_yaml() -> None:
    [message] = problems("sources: [\n")
    assert message.startswith("not valid YAML:")


def test_the_example_file_loads() -> None:
    example = Path(__file__).resolve().parents[3] / "examples" / "pull-sources.yaml"
    sources = load_sources(example.read_text(encoding="utf-8"),
                           {"ZOOM_TOKEN": "z", "EVENTBRITE_TOKEN": "e", "GRAPH_TOKEN": "g"})
    assert [s.kind for s in sources] == ["zoom", "eventbrite", "graph"]
