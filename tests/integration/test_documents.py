"""State, Activity Profile and Agent Profile resources over HTTP, on the backend under test."""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from sqlalchemy import delete, select

from lrs.times import format_time
from lrs.store import documents as docs
from lrs.store.tables import documents
from tests.conftest import basic_auth

STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"
ACTIVITY = "https://district.example/pd/classroom-management"
AGENT = {"objectType": "Agent", "mbox": "mailto:teacher@district.example"}
OTHER_AGENT = {"objectType": "Agent", "account": {"homePage": "https://sis.district.example", "name": "E1042"}}


def params(resource: str, doc_id: str | None = "doc-1", **extra: Any) -> dict[str, str]:
    """Query parameters addressing one document (or, with ``doc_id=None``, the whole context)."""
    p: dict[str, Any] = {}
    if resource in (STATE, ACTIVITY_PROFILE):
        p["activityId"] = ACTIVITY
    if resource in (STATE, AGENT_PROFILE):
        p["agent"] = AGENT
    if doc_id is not None:
        p["stateId" if resource == STATE else "profileId"] = doc_id
    p.update(extra)
    return {k: json.dumps(v) if isinstance(v, dict) else v for k, v in p.items()}


ALL_RESOURCES = [STATE, ACTIVITY_PROFILE, AGENT_PROFILE]


@pytest.fixture(params=["1.0.3", "2.0.0"])
def hv(request: Any) -> dict[str, str]:
    """Headers for both versions."""
    return {"Authorization": basic_auth(), "X-Experience-API-Version": request.param}


def put(client: Any, resource: str, q: dict[str, str], body: Any, headers: dict[str, str], **hdrs: str) -> Any:
    if isinstance(body, (dict, list)):
        return client.put(resource, query_string=q, json=body, headers={**headers, **hdrs})
    return client.put(resource, query_string=q, data=body, headers={**headers, **hdrs})


def post(client: Any, resource: str, q: dict[str, str], body: Any, headers: dict[str, str], **hdrs: str) -> Any:
    if isinstance(body, (dict, list)):
        return client.post(resource, query_string=q, json=body, headers={**headers, **hdrs})
    return client.post(resource, query_string=q, data=body, headers={**headers, **hdrs})


def create(client: Any, resource: str, q: dict[str, str], body: Any, headers: dict[str, str]) -> str:
    """Create a document (If-None-Match: * works on every resource and version); return its ETag header."""
    r = put(client, resource, q, body, headers, **{"If-None-Match": "*"})
    assert r.status_code == 204, r.data
    g = client.get(resource, query_string=q, headers=headers)
    assert g.status_code == 200
    return str(g.headers["ETag"])


# --- single documents --------------------------------------------------------------------------------------

@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_put_then_get_returns_document_with_sha1_etag_and_last_modified(client: Any, hv: dict[str, str],
                                                                       resource: str) -> None:
    q = params(resource)
    create(client, resource, q, {"progress": 0.5, "bookmark": "p3"}, hv)
    r = client.get(resource, query_string=q, headers=hv)
    assert r.status_code == 200
    assert r.get_json() == {"progress": 0.5, "bookmark": "p3"}
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["ETag"] == '"' + hashlib.sha1(r.data).hexdigest() + '"'
    lm = parsedate_to_datetime(r.headers["Last-Modified"])
    assert r.headers["Last-Modified"].endswith(" GMT") and lm.tzinfo is not None
    assert r.headers["X-Experience-API-Version"] == hv["X-Experience-API-Version"]


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_head_answers_like_get_without_body(client: Any, xapi_headers: dict[str, str], resource: str) -> None:
    q = params(resource)
    etag = create(client, resource, q, {"a": 1}, xapi_headers)
    r = client.head(resource, query_string=q, headers=xapi_headers)
    assert r.status_code == 200 and r.data == b""
    assert r.headers["ETag"] == etag and "Last-Modified" in r.headers
    ids = client.head(resource, query_string=params(resource, None), headers=xapi_headers)
    assert ids.status_code == 200 and ids.data == b""


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_get_missing_document_is_404(client: Any, hv: dict[str, str], resource: str) -> None:
    r = client.get(resource, query_string=params(resource, "never-stored"), headers=hv)
    assert r.status_code == 404
    assert r.get_json()["error"]["message"]


def test_binary_document_round_trips_byte_for_byte(client: Any, xapi2_headers: dict[str, str]) -> None:
    blob = bytes(range(256)) * 40 + b"\x00\xff"
    q = params(AGENT_PROFILE, "avatar")
    r = put(client, AGENT_PROFILE, q, blob, xapi2_headers, **{"Content-Type": "image/png"})
    assert r.status_code == 204
    g = client.get(AGENT_PROFILE, query_string=q, headers=xapi2_headers)
    assert g.status_code == 200
    assert g.data == blob
    assert g.headers["Content-Type"] == "image/png"
    assert g.headers["ETag"] == f'"{hashlib.sha1(blob).hexdigest()}"'


def test_text_document_keeps_its_content_type_and_bytes(client: Any, xapi_headers: dict[str, str]) -> None:
    q = params(STATE, "notes")
    text = "Reflexión: ¿qué funcionó?\n".encode()
    r = put(client, STATE, q, text, xapi_headers, **{"Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 204
    g = client.get(STATE, query_string=q, headers=xapi_headers)
    assert g.data == text and g.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_put_without_content_type_is_stored_as_octet_stream(client: Any, xapi2_headers: dict[str, str]) -> None:
    q = params(STATE, "raw")
    r = client.put(STATE, query_string=q, data=b"abc", headers=xapi2_headers)
    assert r.status_code == 204
    g = client.get(STATE, query_string=q, headers=xapi2_headers)
    assert g.data == b"abc" and g.headers["Content-Type"] == "application/octet-stream"


def test_json_document_is_served_byte_for_byte_as_sent(client: Any, hv: dict[str, str], app: Any) -> None:
    q = params(STATE, "bookmark")
    body = b'{ "page": 3,\n  "chapter": "Intro" }'
    assert put(client, STATE, q, body, hv, **{"Content-Type": "application/json"}).status_code == 204
    g = client.get(STATE, query_string=q, headers=hv)
    assert g.data == body and g.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'
    ev = app.extensions["lrs"].store.read(types=["document.put"])[-1]
    assert ev.payload["encoding"] == "json" and ev.payload["content"] == {"page": 3, "chapter": "Intro"}
    assert ev.payload["text"] == body.decode()


def test_json_put_that_is_not_json_is_rejected(client: Any, hv: dict[str, str]) -> None:
    q = params(STATE, "bad")
    r = put(client, STATE, q, b'{"a": 1', hv, **{"Content-Type": "application/json"})
    assert r.status_code == 400
    assert client.get(STATE, query_string=q, headers=hv).status_code == 404


def test_json_integers_beyond_64_bits_are_kept_exactly(client: Any, xapi2_headers: dict[str, str]) -> None:
    q = params(STATE, "big")
    body = b'{"n": 123456789012345678901234567890}'
    assert put(client, STATE, q, body, xapi2_headers, **{"Content-Type": "application/json"}).status_code == 204
    g = client.get(STATE, query_string=q, headers=xapi2_headers)
    assert json.loads(g.data) == {"n": 123456789012345678901234567890}


# --- concurrency (xAPI 1.0.3 Communication 3.1; 2.0 §4.1.4) -------------------------------------------------

CONFLICT_CASES = [(r, "2.0.0") for r in ALL_RESOURCES] + [(ACTIVITY_PROFILE, "1.0.3"), (AGENT_PROFILE, "1.0.3")]


@pytest.mark.parametrize("resource,version", CONFLICT_CASES)
def test_put_without_precondition_on_existing_document_is_409_and_changes_nothing(
        client: Any, resource: str, version: str) -> None:
    h = {"Authorization": basic_auth(), "X-Experience-API-Version": version}
    q = params(resource)
    etag = create(client, resource, q, {"v": 1}, h)
    r = put(client, resource, q, {"v": 2}, h)
    assert r.status_code == 409
    assert "If-Match" in r.get_json()["error"]["message"]
    g = client.get(resource, query_string=q, headers=h)
    assert g.get_json() == {"v": 1} and g.headers["ETag"] == etag


def test_state_put_without_precondition_overwrites_under_103(client: Any, xapi_headers: dict[str, str]) -> None:
    """1.0.3 Communication 3.1: "The State Resource will permit PUT, POST and DELETE requests without
    concurrency headers" - 1.0.x libraries such as TinCanPython overwrite State blindly."""
    q = params(STATE)
    create(client, STATE, q, {"v": 1}, xapi_headers)
    assert put(client, STATE, q, {"v": 2}, xapi_headers).status_code == 204
    assert client.get(STATE, query_string=q, headers=xapi_headers).get_json() == {"v": 2}
    # Preconditions, when sent, still hold.
    assert put(client, STATE, q, {"v": 3}, xapi_headers, **{"If-Match": '"0"'}).status_code == 412
    assert put(client, STATE, q, {"v": 3}, xapi_headers, **{"If-None-Match": "*"}).status_code == 412
    assert client.get(STATE, query_string=q, headers=xapi_headers).get_json() == {"v": 2}


@pytest.mark.parametrize("resource", [ACTIVITY_PROFILE, AGENT_PROFILE])
def test_put_without_precondition_on_new_profile_is_400_under_103(client: Any, xapi_headers: dict[str, str],
                                                                 resource: str) -> None:
    q = params(resource, "new-doc")
    r = put(client, resource, q, {"v": 1}, xapi_headers)
    assert r.status_code == 400
    assert client.get(resource, query_string=q, headers=xapi_headers).status_code == 404


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_put_without_precondition_on_new_document_creates_it_under_20(client: Any, xapi2_headers: dict[str, str],
                                                                      resource: str) -> None:
    q = params(resource, "new-doc")
    assert put(client, resource, q, {"v": 1}, xapi2_headers).status_code == 204
    assert client.get(resource, query_string=q, headers=xapi2_headers).get_json() == {"v": 1}


def test_state_put_without_precondition_on_new_document_creates_it_under_103(
        client: Any, xapi_headers: dict[str, str]) -> None:
    q = params(STATE, "new-state")
    assert put(client, STATE, q, {"v": 1}, xapi_headers).status_code == 204
    assert client.get(STATE, query_string=q, headers=xapi_headers).get_json() == {"v": 1}


@pytest.mark.parametrize("resource", ALL_RESOURCES)
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_wrong_if_match_is_412_and_changes_nothing(client: Any, hv: dict[str, str], resource: str,
                                                   method: str) -> None:
    q = params(resource)
    etag = create(client, resource, q, {"v": 1}, hv)
    wrong = {"If-Match": '"' + "1" * 40 + '"'}
    if method == "DELETE":
        r = client.delete(resource, query_string=q, headers={**hv, **wrong})
    else:
        r = client.open(resource, method=method, query_string=q, json={"v": 2}, headers={**hv, **wrong})
    assert r.status_code == 412
    g = client.get(resource, query_string=q, headers=hv)
    assert g.status_code == 200 and g.get_json() == {"v": 1} and g.headers["ETag"] == etag


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_correct_if_match_allows_put_post_and_delete(client: Any, hv: dict[str, str], resource: str) -> None:
    q = params(resource)
    etag = create(client, resource, q, {"v": 1}, hv)
    assert put(client, resource, q, {"v": 2}, hv, **{"If-Match": etag}).status_code == 204
    g = client.get(resource, query_string=q, headers=hv)
    assert g.get_json() == {"v": 2}
    etag2 = g.headers["ETag"]
    assert etag2 != etag
    # A stale tag no longer matches.
    assert put(client, resource, q, {"v": 3}, hv, **{"If-Match": etag}).status_code == 412
    assert post(client, resource, q, {"w": 1}, hv, **{"If-Match": etag2}).status_code == 204
    g = client.get(resource, query_string=q, headers=hv)
    assert g.get_json() == {"v": 2, "w": 1}
    # Weak and list forms are understood too.
    listed = f'"0000", W/{g.headers["ETag"]}'
    assert client.delete(resource, query_string=q, headers={**hv, "If-Match": listed}).status_code == 204
    assert client.get(resource, query_string=q, headers=hv).status_code == 404


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_if_none_match_star(client: Any, hv: dict[str, str], resource: str) -> None:
    q = params(resource)
    assert put(client, resource, q, {"v": 1}, hv, **{"If-None-Match": "*"}).status_code == 204
    assert put(client, resource, q, {"v": 2}, hv, **{"If-None-Match": "*"}).status_code == 412
    assert post(client, resource, q, {"v": 3}, hv, **{"If-None-Match": "*"}).status_code == 412
    assert client.get(resource, query_string=q, headers=hv).get_json() == {"v": 1}


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_if_match_on_missing_document_is_412(client: Any, hv: dict[str, str], method: str) -> None:
    q = params(ACTIVITY_PROFILE, "absent")
    h = {**hv, "If-Match": '"' + "a" * 40 + '"'}
    r = client.open(ACTIVITY_PROFILE, method=method, query_string=q,
                    **({} if method == "DELETE" else {"json": {"v": 1}}), headers=h)
    assert r.status_code == 412
    assert client.get(ACTIVITY_PROFILE, query_string=q, headers=hv).status_code == 404


def test_get_with_matching_if_none_match_is_304(client: Any, xapi2_headers: dict[str, str]) -> None:
    q = params(STATE)
    etag = create(client, STATE, q, {"v": 1}, xapi2_headers)
    r = client.get(STATE, query_string=q, headers={**xapi2_headers, "If-None-Match": etag})
    assert r.status_code == 304 and r.headers["ETag"] == etag
    r = client.get(STATE, query_string=q, headers={**xapi2_headers, "If-None-Match": '"other"'})
    assert r.status_code == 200


def test_post_and_delete_without_preconditions_proceed(client: Any, hv: dict[str, str]) -> None:
    q = params(AGENT_PROFILE)
    assert post(client, AGENT_PROFILE, q, {"a": 1}, hv).status_code == 204
    assert post(client, AGENT_PROFILE, q, {"b": 2}, hv).status_code == 204
    assert client.get(AGENT_PROFILE, query_string=q, headers=hv).get_json() == {"a": 1, "b": 2}
    assert client.delete(AGENT_PROFILE, query_string=q, headers=hv).status_code == 204
    assert client.get(AGENT_PROFILE, query_string=q, headers=hv).status_code == 404
    # Deleting what is not there is still a success.
    assert client.delete(AGENT_PROFILE, query_string=q, headers=hv).status_code == 204


def test_concurrent_writers_with_the_same_etag_exactly_one_wins(app: Any, xapi2_headers: dict[str, str]) -> None:
    """The ETag check runs inside the write transaction, so two clients updating from the same version
    cannot both succeed (no lost update)."""
    q = params(STATE, "race")
    etag = create(app.test_client(), STATE, q, {"n": 0}, xapi2_headers)
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def writer(i: int) -> None:
        c = app.test_client()
        barrier.wait()
        r = c.put(STATE, query_string=q, json={"n": i}, headers={**xapi2_headers, "If-Match": etag})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=writer, args=(i + 1,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [204] + [412] * 5


# --- POST merge (xAPI 1.0.3 Communication 2.2) ---------------------------------------------------------------

@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_post_merges_top_level_properties(client: Any, hv: dict[str, str], resource: str) -> None:
    q = params(resource)
    assert post(client, resource, q, {"x": "foo", "y": "bar", "car": {"make": "Ford", "model": "Escape"}},
                hv).status_code == 204
    assert post(client, resource, q, {"x": "bash", "z": "faz", "car": {"make": "Dodge"}}, hv).status_code == 204
    g = client.get(resource, query_string=q, headers=hv)
    # Only top-level properties merge: "car" is replaced whole.
    assert g.get_json() == {"x": "bash", "y": "bar", "z": "faz", "car": {"make": "Dodge"}}
    assert g.headers["ETag"] == f'"{hashlib.sha1(g.data).hexdigest()}"'


def test_post_creates_missing_document_of_any_type(client: Any, hv: dict[str, str]) -> None:
    q = params(STATE, "csv")
    r = post(client, STATE, q, b"a,b\n1,2\n", hv, **{"Content-Type": "text/csv"})
    assert r.status_code == 204
    assert client.get(STATE, query_string=q, headers=hv).data == b"a,b\n1,2\n"


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_post_non_json_onto_json_document_is_400_and_changes_nothing(client: Any, hv: dict[str, str],
                                                                    resource: str) -> None:
    q = params(resource)
    create(client, resource, q, {"v": 1}, hv)
    r = post(client, resource, q, b"abcdefg", hv, **{"Content-Type": "application/octet-stream"})
    assert r.status_code == 400
    r = post(client, resource, q, b"a=b", hv, **{"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert client.get(resource, query_string=q, headers=hv).get_json() == {"v": 1}


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_post_json_onto_non_json_document_is_400_and_changes_nothing(client: Any, hv: dict[str, str],
                                                                    resource: str) -> None:
    q = params(resource)
    r = put(client, resource, q, b"/ asdf / undefined", hv,
            **{"Content-Type": "application/octet-stream", "If-None-Match": "*"})
    assert r.status_code == 204
    assert post(client, resource, q, {"v": 1}, hv).status_code == 400
    assert client.get(resource, query_string=q, headers=hv).data == b"/ asdf / undefined"


def test_post_json_onto_stored_json_array_is_400(client: Any, xapi2_headers: dict[str, str]) -> None:
    q = params(STATE)
    assert put(client, STATE, q, [1, 2], xapi2_headers).status_code == 204
    assert post(client, STATE, q, {"v": 1}, xapi2_headers).status_code == 400
    assert client.get(STATE, query_string=q, headers=xapi2_headers).get_json() == [1, 2]


@pytest.mark.parametrize("body", [b'{"a": 1}{', b"[1, 2]", b'"text"', b""])
def test_post_of_application_json_that_is_not_an_object_is_400(client: Any, hv: dict[str, str],
                                                                body: bytes) -> None:
    q = params(ACTIVITY_PROFILE)
    create(client, ACTIVITY_PROFILE, q, {"v": 1}, hv)
    r = post(client, ACTIVITY_PROFILE, q, body, hv, **{"Content-Type": "application/json"})
    assert r.status_code == 400
    assert client.get(ACTIVITY_PROFILE, query_string=q, headers=hv).get_json() == {"v": 1}
    # The same body to a document that does not exist yet is rejected too, and creates nothing.
    q2 = params(ACTIVITY_PROFILE, "fresh")
    assert post(client, ACTIVITY_PROFILE, q2, body, hv, **{"Content-Type": "application/json"}).status_code == 400
    assert client.get(ACTIVITY_PROFILE, query_string=q2, headers=hv).status_code == 404


def test_last_modified_and_etag_change_when_document_changes(client: Any, xapi2_headers: dict[str, str],
                                                             app: Any) -> None:
    q = params(ACTIVITY_PROFILE)
    etag = create(client, ACTIVITY_PROFILE, q, {"v": 1}, xapi2_headers)
    # Age the stored row by a day rather than sleeping: Last-Modified has one-second resolution.
    with app.extensions["lrs"].engine.begin() as conn:
        conn.execute(documents.update().values(updated="2020-01-01T00:00:00.000000Z"))
    before = client.get(ACTIVITY_PROFILE, query_string=q, headers=xapi2_headers)
    assert before.headers["Last-Modified"] == "Wed, 01 Jan 2020 00:00:00 GMT"
    assert post(client, ACTIVITY_PROFILE, q, {"w": 2}, xapi2_headers).status_code == 204
    after = client.get(ACTIVITY_PROFILE, query_string=q, headers=xapi2_headers)
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(
        before.headers["Last-Modified"])
    assert after.headers["ETag"] != etag


# --- id lists, since, registration, delete-all -------------------------------------------------------------

def _updated(app: Any, doc_id: str) -> str:
    with app.extensions["lrs"].engine.connect() as conn:
        return str(conn.execute(select(documents.c.updated).where(documents.c.doc_id == doc_id)).scalar_one())


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_ids_listing_with_since(client: Any, hv: dict[str, str], resource: str, app: Any) -> None:
    for name in ("first", "second", "third"):
        assert post(client, resource, params(resource, name), {"n": name}, hv).status_code == 204
    ctx = params(resource, None)
    r = client.get(resource, query_string=ctx, headers=hv)
    assert r.status_code == 200 and r.get_json() == ["first", "second", "third"]
    assert "Last-Modified" in r.headers
    since = _updated(app, "first")  # exclusive: "first" itself is not listed
    r = client.get(resource, query_string={**ctx, "since": since}, headers=hv)
    assert r.get_json() == ["second", "third"]
    # Any offset is understood: the same instant written as +01:00.
    shifted = since[:11] + f"{(int(since[11:13]) + 1) % 24:02d}" + since[13:-1] + "+01:00"
    if int(since[11:13]) < 23:
        assert client.get(resource, query_string={**ctx, "since": shifted}, headers=hv).get_json() == [
            "second", "third"]
    assert client.get(resource, query_string={**ctx, "since": "2999-01-01T00:00:00Z"},
                      headers=hv).get_json() == []
    assert client.get(resource, query_string={**ctx, "since": "2000-01-01T00:00:00Z"},
                      headers=hv).get_json() == ["first", "second", "third"]


def test_ids_are_scoped_to_their_context(client: Any, hv: dict[str, str]) -> None:
    post(client, STATE, params(STATE, "mine"), {"a": 1}, hv)
    post(client, STATE, {**params(STATE, "theirs"), "agent": json.dumps(OTHER_AGENT)}, {"a": 1}, hv)
    post(client, STATE, {**params(STATE, "elsewhere"), "activityId": ACTIVITY + "/other"}, {"a": 1}, hv)
    post(client, ACTIVITY_PROFILE, params(ACTIVITY_PROFILE, "profile-doc"), {"a": 1}, hv)
    assert client.get(STATE, query_string=params(STATE, None), headers=hv).get_json() == ["mine"]
    assert client.get(ACTIVITY_PROFILE, query_string=params(ACTIVITY_PROFILE, None),
                      headers=hv).get_json() == ["profile-doc"]
    assert client.get(AGENT_PROFILE, query_string=params(AGENT_PROFILE, None), headers=hv).get_json() == []


def test_registration_separates_state_documents(client: Any, hv: dict[str, str]) -> None:
    reg1, reg2 = str(uuid.uuid4()), str(uuid.uuid4())
    assert post(client, STATE, params(STATE, "s", registration=reg1), {"r": 1}, hv).status_code == 204
    assert post(client, STATE, params(STATE, "s", registration=reg2.upper()), {"r": 2}, hv).status_code == 204
    assert post(client, STATE, params(STATE, "only-2", registration=reg2), {"r": 2}, hv).status_code == 204
    assert post(client, STATE, params(STATE, "s"), {"r": 0}, hv).status_code == 204
    get = lambda q: client.get(STATE, query_string=q, headers=hv)  # noqa: E731
    assert get(params(STATE, "s", registration=reg1)).get_json() == {"r": 1}
    assert get(params(STATE, "s", registration=reg2)).get_json() == {"r": 2}  # case-insensitive UUID
    assert get(params(STATE, "s")).get_json() == {"r": 0}
    assert get(params(STATE, None, registration=reg2)).get_json() == ["s", "only-2"]
    assert get(params(STATE, None, registration=reg1)).get_json() == ["s"]
    # Without a registration the id list covers every registration, each id once.
    assert sorted(get(params(STATE, None)).get_json()) == ["only-2", "s"]


def test_delete_all_state_for_activity_agent_and_registration(client: Any, hv: dict[str, str]) -> None:
    reg = str(uuid.uuid4())
    for sid in ("a", "b"):
        post(client, STATE, params(STATE, sid), {"v": sid}, hv)
        post(client, STATE, params(STATE, sid, registration=reg), {"v": sid}, hv)
    post(client, STATE, {**params(STATE, "kept"), "agent": json.dumps(OTHER_AGENT)}, {"v": 1}, hv)
    post(client, ACTIVITY_PROFILE, params(ACTIVITY_PROFILE, "kept-profile"), {"v": 1}, hv)

    r = client.delete(STATE, query_string=params(STATE, None, registration=reg), headers=hv)
    assert r.status_code == 204
    assert client.get(STATE, query_string=params(STATE, None, registration=reg), headers=hv).get_json() == []
    assert sorted(client.get(STATE, query_string=params(STATE, None), headers=hv).get_json()) == ["a", "b"]

    assert client.delete(STATE, query_string=params(STATE, None), headers=hv).status_code == 204
    assert client.get(STATE, query_string=params(STATE, None), headers=hv).get_json() == []
    other = {**params(STATE, None), "agent": json.dumps(OTHER_AGENT)}
    assert client.get(STATE, query_string=other, headers=hv).get_json() == ["kept"]
    assert client.get(ACTIVITY_PROFILE, query_string=params(ACTIVITY_PROFILE, "kept-profile"),
                      headers=hv).status_code == 200


@pytest.mark.parametrize("resource", [ACTIVITY_PROFILE, AGENT_PROFILE])
def test_profiles_have_no_delete_all(client: Any, hv: dict[str, str], resource: str) -> None:
    post(client, resource, params(resource), {"v": 1}, hv)
    assert client.delete(resource, query_string=params(resource, None), headers=hv).status_code == 400
    assert client.get(resource, query_string=params(resource), headers=hv).status_code == 200


# --- parameter validation ----------------------------------------------------------------------------------

BAD_PARAMS = [
    (STATE, "GET", {"activityId": None}),
    (STATE, "PUT", {"agent": None}),
    (STATE, "POST", {"stateId": None}),
    (STATE, "PUT", {"stateId": ""}),
    (STATE, "DELETE", {"agent": "not JSON"}),
    (STATE, "GET", {"agent": "true"}),
    (STATE, "POST", {"agent": '{"objectType": "Agent", "name": "no identifier"}'}),
    (STATE, "POST", {"agent": '{"mbox": "teacher@district.example"}'}),
    (STATE, "POST", {"agent": '{"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}]}'}),
    (STATE, "PUT", {"registration": "true"}),
    (STATE, "GET", {"registration": "1234"}),
    (STATE, "DELETE", {"registration": "not-a-uuid"}),
    (STATE, "GET", {"stateId": None, "since": "not a timestamp"}),
    (STATE, "GET", {"stateId": None, "since": "true"}),
    (STATE, "PUT", {"activityId": "not an iri"}),
    (STATE, "PUT", {"since": "2024-01-01T00:00:00Z"}),
    (STATE, "GET", {"profileId": "x"}),
    (STATE, "GET", {"activityID": ACTIVITY}),
    (STATE, "GET", {"unknown": "1"}),
    (ACTIVITY_PROFILE, "GET", {"activityId": None}),
    (ACTIVITY_PROFILE, "PUT", {"profileId": None}),
    (ACTIVITY_PROFILE, "GET", {"agent": json.dumps(AGENT)}),
    (ACTIVITY_PROFILE, "POST", {"activityId": "true"}),
    (ACTIVITY_PROFILE, "GET", {"profileId": None, "since": "true"}),
    (AGENT_PROFILE, "GET", {"agent": None}),
    (AGENT_PROFILE, "POST", {"agent": "true"}),
    (AGENT_PROFILE, "DELETE", {"profileId": None}),
    (AGENT_PROFILE, "GET", {"activityId": ACTIVITY}),
    (AGENT_PROFILE, "PUT", {"registration": str(uuid.uuid4())}),
]


@pytest.mark.parametrize("resource,method,change", BAD_PARAMS)
def test_bad_parameters_are_400_with_a_message(client: Any, hv: dict[str, str], resource: str, method: str,
                                               change: dict[str, Any]) -> None:
    q = params(resource)
    for k, v in change.items():
        if v is None:
            q.pop(k, None)
        else:
            q[k] = v
    kw = {"json": {"v": 1}} if method in ("PUT", "POST") else {}
    r = client.open(resource, method=method, query_string=q, headers={**hv, "If-None-Match": "*"}
                    if method == "PUT" else hv, **kw)
    assert r.status_code == 400, (r.status_code, r.data)
    assert r.get_json()["error"]["message"]
    with client.application.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(select(documents.c.id)).first() is None


def test_broken_agent_encoding_is_400(client: Any, xapi_headers: dict[str, str]) -> None:
    """Conformance XAPI-00235: a percent-encoded agent whose ':' became '"'."""
    agent = json.dumps({"objectType": "Agent", "account": {"homePage": "http://www.example.com/agentId/1",
                                                           "name": "Rick James"}})
    from urllib.parse import quote

    broken = quote(agent, safe="").replace("%3A", "%22", 1)
    url = f"{STATE}?activityId={ACTIVITY}&stateId=s&registration={uuid.uuid4()}&agent={broken}"
    r = client.post(url, json={"a": 1}, headers=xapi_headers)
    assert r.status_code == 400


def test_identified_group_may_own_state(client: Any, xapi2_headers: dict[str, str]) -> None:
    group = {"objectType": "Group", "mbox": "mailto:plc-math@district.example", "name": "Math PLC"}
    q = {**params(STATE, "plc"), "agent": json.dumps(group)}
    assert post(client, STATE, q, {"meeting": 3}, xapi2_headers).status_code == 204
    assert client.get(STATE, query_string=q, headers=xapi2_headers).get_json() == {"meeting": 3}


def test_agent_identity_ignores_name_and_object_type(client: Any, xapi2_headers: dict[str, str]) -> None:
    """Documents belong to the Agent's identifier, however the rest of the Agent object is written."""
    post(client, AGENT_PROFILE, params(AGENT_PROFILE, "prefs"), {"theme": "dark"}, xapi2_headers)
    other_form = {"mbox": "mailto:teacher@DISTRICT.example", "name": "Pat Teacher"}
    q = {**params(AGENT_PROFILE, "prefs"), "agent": json.dumps(other_form)}
    assert client.get(AGENT_PROFILE, query_string=q, headers=xapi2_headers).get_json() == {"theme": "dark"}


def test_missing_version_header_is_400(client: Any) -> None:
    r = client.get(STATE, query_string=params(STATE), headers={"Authorization": basic_auth()})
    assert r.status_code == 400


def test_alternate_request_syntax_reaches_documents_under_103(client: Any) -> None:
    from urllib.parse import urlencode

    q = params(ACTIVITY_PROFILE, "alt")
    form = {**q, "Authorization": basic_auth(), "X-Experience-API-Version": "1.0.3", "If-None-Match": "*",
            "Content-Type": "application/json", "content": json.dumps({"via": "form"})}
    r = client.post(f"{ACTIVITY_PROFILE}?method=PUT", data=urlencode(form),
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 204, r.data
    form = {**q, "Authorization": basic_auth(), "X-Experience-API-Version": "1.0.3"}
    r = client.post(f"{ACTIVITY_PROFILE}?method=GET", data=urlencode(form),
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and r.get_json() == {"via": "form"}


# --- scopes ------------------------------------------------------------------------------------------------

def _credential(app: Any, *scopes: str) -> dict[str, str]:
    key, secret = app.extensions["lrs"].auth.create_credential("scoped", list(scopes))
    return {"Authorization": basic_auth(key, secret), "X-Experience-API-Version": "2.0.0"}


def test_state_scope_reaches_state_only(app: Any, client: Any) -> None:
    h = _credential(app, "state")
    q = params(STATE)
    assert post(client, STATE, q, {"a": 1}, h).status_code == 204
    assert client.get(STATE, query_string=q, headers=h).status_code == 200
    assert client.delete(STATE, query_string=params(STATE, None), headers=h).status_code == 204
    for resource in (ACTIVITY_PROFILE, AGENT_PROFILE):
        assert post(client, resource, params(resource), {"a": 1}, h).status_code == 403
        assert client.get(resource, query_string=params(resource), headers=h).status_code == 403
    assert client.get("/xapi/agents", query_string={"agent": json.dumps(AGENT)}, headers=h).status_code == 403


def test_profile_scope_reaches_profiles_only(app: Any, client: Any) -> None:
    h = _credential(app, "profile")
    for resource in (ACTIVITY_PROFILE, AGENT_PROFILE):
        assert post(client, resource, params(resource), {"a": 1}, h).status_code == 204
        assert client.get(resource, query_string=params(resource, None), headers=h).status_code == 200
    assert post(client, STATE, params(STATE), {"a": 1}, h).status_code == 403
    assert client.get(STATE, query_string=params(STATE), headers=h).status_code == 403


def test_all_read_reads_but_cannot_write(app: Any, client: Any, xapi2_headers: dict[str, str]) -> None:
    for resource in ALL_RESOURCES:
        post(client, resource, params(resource), {"a": 1}, xapi2_headers)
    h = _credential(app, "all/read")
    for resource in ALL_RESOURCES:
        assert client.get(resource, query_string=params(resource), headers=h).status_code == 200
        assert post(client, resource, params(resource), {"b": 1}, h).status_code == 403
        assert put(client, resource, params(resource), {"b": 1}, h).status_code == 403
        assert client.delete(resource, query_string=params(resource), headers=h).status_code == 403
        assert client.get(resource, query_string=params(resource), headers=h).get_json() == {"a": 1}


def test_statement_scopes_cannot_touch_documents(app: Any, client: Any) -> None:
    h = _credential(app, "statements/write", "statements/read")
    for resource in ALL_RESOURCES:
        assert client.get(resource, query_string=params(resource), headers=h).status_code == 403
        assert post(client, resource, params(resource), {"b": 1}, h).status_code == 403


# --- the event log ------------------------------------------------------------------------------------------

def test_every_change_is_an_event_carrying_the_resulting_document(app: Any, client: Any,
                                                                  xapi2_headers: dict[str, str]) -> None:
    store = app.extensions["lrs"].store
    reg = str(uuid.uuid4())
    q = params(STATE, "ev", registration=reg)
    head = store.head()
    assert post(client, STATE, q, {"a": 1}, xapi2_headers).status_code == 204
    assert post(client, STATE, q, {"b": 2}, xapi2_headers).status_code == 204
    blob = b"\x00\x01binary"
    qa = params(AGENT_PROFILE, "bin")
    assert put(client, AGENT_PROFILE, qa, blob, xapi2_headers, **{"Content-Type": "image/gif"}).status_code == 204
    assert client.delete(STATE, query_string=q, headers=xapi2_headers).status_code == 204
    # Rejected requests leave no event.
    assert put(client, AGENT_PROFILE, qa, blob, xapi2_headers).status_code == 409
    assert post(client, STATE, params(STATE, "x"), b"{", xapi2_headers,
                **{"Content-Type": "application/json"}).status_code == 400

    evs = store.read(after=head)
    assert [e.type for e in evs] == ["document.put", "document.merged", "document.put", "document.deleted"]
    # A document's stream is its kind and key hash (its parts are in the payload).
    from lrs.store.documents import DocumentKey

    stream = DocumentKey("state", "ev", ACTIVITY, "mbox:mailto:teacher@district.example", reg).stream()
    profile = DocumentKey("agent_profile", "bin", agent_key="mbox:mailto:teacher@district.example").stream()
    assert stream.startswith("state:") and len(stream) == len("state:") + 64
    assert [e.stream for e in evs] == [stream, stream, profile, stream]
    assert [(e.payload["docId"], e.payload["registration"]) for e in evs] == [("ev", reg), ("ev", reg), ("bin", ""),
                                                                            ("ev", reg)]
    merged = evs[1].payload
    assert merged["content"] == {"a": 1, "b": 2} and merged["encoding"] == "json"
    assert merged["contentType"] == "application/json" and merged["activityId"] == ACTIVITY
    assert merged["registration"] == reg and merged["docId"] == "ev"
    assert merged["etag"] == hashlib.sha1(b'{"a":1,"b":2}').hexdigest()
    binary = evs[2].payload
    assert binary["encoding"] == "base64" and binary["contentType"] == "image/gif"
    import base64

    assert base64.b64decode(binary["content"]) == blob
    assert binary["etag"] == hashlib.sha1(blob).hexdigest()
    assert evs[3].payload["docId"] == "ev" and evs[3].payload["kind"] == "state"


def test_documents_table_rebuilds_from_the_log(app: Any, client: Any, xapi2_headers: dict[str, str]) -> None:
    svc = app.extensions["lrs"]
    for resource in ALL_RESOURCES:
        post(client, resource, params(resource, "one"), {"a": 1}, xapi2_headers)
        post(client, resource, params(resource, "one"), {"b": [1, 2, {"c": None}]}, xapi2_headers)
        put(client, resource, params(resource, "two"), b"\xff\xfe", xapi2_headers,
            **{"Content-Type": "application/octet-stream"})
        put(client, resource, params(resource, "three"), b'{ "z": 1, "a": [1, 2] }', xapi2_headers,
            **{"Content-Type": "application/json"})
        post(client, resource, params(resource, "gone"), {"x": 1}, xapi2_headers)
        client.delete(resource, query_string=params(resource, "gone"), headers=xapi2_headers)
    client.delete(STATE, query_string=params(STATE, None), headers=xapi2_headers)
    cols = [documents.c.kind, documents.c.activity_id, documents.c.agent_key, documents.c.registration,
            documents.c.doc_id, documents.c.content_type, documents.c.content, documents.c.etag,
            documents.c.updated, documents.c.position]
    with svc.engine.connect() as conn:
        live = sorted(tuple(r) for r in conn.execute(select(*cols)))
    assert len(live) == 6  # three per profile resource; State was deleted wholesale
    with svc.engine.begin() as conn:
        conn.execute(delete(documents))
        for ev in svc.store.iter_all():
            if ev.type.startswith("document."):
                docs.apply_document_event(conn, ev)
    with svc.engine.connect() as conn:
        rebuilt = sorted(tuple(r) for r in conn.execute(select(*cols)))
    assert rebuilt == live
    for row in rebuilt:
        assert row[7] == hashlib.sha1(bytes(row[6])).hexdigest()


def test_log_chain_stays_intact(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    from lrs.eventlog.integrity import verify_chain

    for i in range(3):
        post(client, STATE, params(STATE, f"s{i}"), {"i": i}, xapi_headers)
    client.delete(STATE, query_string=params(STATE, None), headers=xapi_headers)
    assert verify_chain(app.extensions["lrs"].engine).ok


# --- store-level units that need no HTTP ---------------------------------------------------------------------

def test_parse_etag_list() -> None:
    assert docs.parse_etag_list(None) is None
    assert docs.parse_etag_list("*") == ("*",)
    assert docs.parse_etag_list('"abc", W/"def" ,"g"') == ("abc", "def", "g")


def test_fixed_width_since_compares_as_time() -> None:
    from datetime import datetime, timezone

    a = format_time(datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc))
    b = format_time(datetime(2024, 1, 2, 3, 4, 5, 7, tzinfo=timezone.utc))
    assert a < b and len(a) == len(b)
