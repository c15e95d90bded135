"""Archive routes: upload a .last, search (cached, invalidated by events), record, stats."""

from __future__ import annotations

import pytest

from altlas.formats.io import to_bytes
from altlas.formats.plan import Plan

from .conftest import error_of


def make_result(word: str, plan_id: str = "plan_a"):
    import altlas.run

    plan = Plan.model_validate(
        {"id": plan_id, "tasks": [{"id": "t1", "type": "echo", "parameters": {"message": word}}]}
    )
    return altlas.run(plan, journal=False, handle_signals=False)


@pytest.fixture
def result_bytes(tmp_path, monkeypatch) -> bytes:
    monkeypatch.chdir(tmp_path)
    return to_bytes(make_result("giraffe"))


def test_upload_then_fetch_record_and_original(client, auth, result_bytes) -> None:
    created = client.post("/v1/archive", content=result_bytes, headers=auth["operator"])
    assert created.status_code == 201, created.text
    outcome = created.json()
    assert outcome["status"] == "added"
    assert created.headers["location"] == f"/v1/archive/{outcome['id']}"
    again = client.post("/v1/archive", content=result_bytes, headers=auth["operator"])
    assert again.status_code == 200 and again.json()["status"] == "exists"
    record = client.get(created.headers["location"], headers=auth["viewer"])
    assert record.status_code == 200
    assert record.json()["id"] == outcome["id"]
    assert record.headers["last-modified"] and record.headers["etag"]
    original = client.get(f"{created.headers['location']}/original", headers=auth["viewer"])
    assert original.content == result_bytes


def test_upload_rejects_what_is_not_a_result(client, auth) -> None:
    garbage = client.post(
        "/v1/archive", content=b"\x00\x01 not a document", headers=auth["operator"]
    )
    assert garbage.status_code == 400
    plan = b'{"format": "altlas.alt", "id": "p", "tasks": []}'
    wrong_kind = client.post("/v1/archive", content=plan, headers=auth["operator"])
    assert wrong_kind.status_code in (400, 422)
    error_of(wrong_kind)


def test_search_is_cached_and_an_upload_invalidates_it(
    client, auth, settings, tmp_path, monkeypatch
) -> None:
    from altlas.index import Archive

    monkeypatch.chdir(tmp_path)
    ctx = client.app.state["ctx"]
    url = "/v1/archive/search?q=pelican"
    assert client.get(url, headers=auth["viewer"]).json()["total"] == 0
    # Added behind the server's back (as another process would): no event, so the cached
    # answer is still served.
    with Archive(settings.home) as archive:
        archive.add_result(make_result("pelican one", plan_id="plan_p1"))
    assert client.get(url, headers=auth["viewer"]).json()["total"] == 0
    generation = ctx.search_cache.generation
    body = to_bytes(make_result("pelican two", plan_id="plan_p2"))
    assert client.post("/v1/archive", content=body, headers=auth["operator"]).status_code == 201
    assert ctx.search_cache.generation == generation + 1
    # The upload's archive.added event cleared the cache: both results are found now.
    assert client.get(url, headers=auth["viewer"]).json()["total"] == 2


def test_search_filters_paging_and_validation(client, auth, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for n in range(3):
        body = to_bytes(make_result(f"heron {n}", plan_id=f"plan_{n}"))
        client.post("/v1/archive", content=body, headers=auth["operator"])
    page = client.get("/v1/archive/search?q=heron&limit=2&sort=time", headers=auth["viewer"])
    assert page.json()["total"] == 3 and len(page.json()["hits"]) == 2
    rest = client.get("/v1/archive/search?q=heron&limit=2&offset=2", headers=auth["viewer"])
    assert len(rest.json()["hits"]) == 1
    ok = client.get("/v1/archive/search?q=heron&status=success", headers=auth["viewer"])
    assert ok.json()["total"] == 3
    none = client.get("/v1/archive/search?q=heron&status=failure", headers=auth["viewer"])
    assert none.json()["total"] == 0
    bad = client.get("/v1/archive/search?q=heron&limit=1000", headers=auth["viewer"])
    assert bad.status_code == 422
    bad_status = client.get("/v1/archive/search?status=sideways", headers=auth["viewer"])
    assert bad_status.status_code == 400
    assert error_of(bad_status)["message"].startswith("status: unknown status 'sideways'")
    bad_since = client.get("/v1/archive/stats?since=someday", headers=auth["viewer"])
    assert bad_since.status_code == 400
    assert error_of(bad_since)["message"].startswith("since: invalid time 'someday'")
    bad_sort = client.get("/v1/archive/search?sort=size", headers=auth["viewer"])
    assert bad_sort.status_code == 422 and error_of(bad_sort)


def test_every_filter_is_a_query_parameter_of_search_stats_and_atlas(client, auth) -> None:
    """The query parameters come from the Filters model, on every route that narrows."""
    from altlas.index.filters import filter_params

    schema = client.get("/schema/openapi.json").json()
    routes = [("/v1/archive/search", "get"), ("/v1/archive/stats", "get"), ("/v1/atlas", "post")]
    for path, method in routes:
        names = {p["name"] for p in schema["paths"][path][method].get("parameters", [])}
        assert {p.name for p in filter_params()} <= names, (path, names)


def test_the_same_filter_narrows_search_and_stats(client, auth, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for n in range(2):
        body = to_bytes(make_result(f"ibis {n}", plan_id=f"plan_{n}"))
        client.post("/v1/archive", content=body, headers=auth["operator"])
    for query, expected in (("min_success=1&lang=xx", 0), ("min_success=1", 2)):
        found = client.get(f"/v1/archive/search?q=ibis&{query}", headers=auth["viewer"])
        stats = client.get(f"/v1/archive/stats?{query}", headers=auth["viewer"])
        assert found.json()["total"] == expected == stats.json()["results"], query


def test_stats(client, auth, result_bytes) -> None:
    client.post("/v1/archive", content=result_bytes, headers=auth["operator"])
    stats = client.get("/v1/archive/stats", headers=auth["viewer"])
    assert stats.status_code == 200
    assert stats.json()["results"] == 1


def test_unknown_record_is_404(client, auth) -> None:
    response = client.get("/v1/archive/nothing-like-this", headers=auth["viewer"])
    assert response.status_code == 404
    assert error_of(response)["type"] == "not_found"
