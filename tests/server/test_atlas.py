"""Atlas routes: build and record, list, fetch the .atlas."""

from __future__ import annotations

from altlas.formats.io import load_atlas, to_bytes

from .conftest import error_of
from .test_archive import make_result


def test_build_list_and_fetch(client, auth, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for n in range(2):
        body = to_bytes(make_result(f"ibis {n}", plan_id=f"plan_{n}"))
        assert client.post("/v1/archive", content=body, headers=auth["operator"]).status_code == 201
    built = client.post("/v1/atlas", json={}, headers=auth["operator"])
    assert built.status_code == 201, built.text
    entry = built.json()
    assert entry["results"] == 2
    assert built.headers["location"] == f"/v1/atlas/{entry['id']}"
    listed = client.get("/v1/atlas", headers=auth["viewer"]).json()["atlases"]
    assert [a["id"] for a in listed] == [entry["id"]]
    fetched = client.get(built.headers["location"], headers=auth["viewer"])
    assert fetched.status_code == 200
    atlas = load_atlas(fetched.content)
    assert atlas.id == entry["id"]
    assert fetched.headers["etag"] and fetched.headers["last-modified"]


def test_build_without_body_and_since_in_the_future(client, auth) -> None:
    assert client.post("/v1/atlas", headers=auth["operator"]).status_code == 201
    later = client.post(
        "/v1/atlas", json={"since": "2999-01-01T00:00:00Z"}, headers=auth["operator"]
    )
    assert later.status_code == 201 and later.json()["results"] == 0


def test_unknown_atlas_is_404(client, auth) -> None:
    response = client.get("/v1/atlas/atlas_missing", headers=auth["viewer"])
    assert response.status_code == 404
    error_of(response)


def test_build_takes_the_archive_filters_as_query_parameters(
    client, auth, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    body = to_bytes(make_result("heron", plan_id="plan_h"))
    assert client.post("/v1/archive", content=body, headers=auth["operator"]).status_code == 201
    for query, expected in (("status=failure", 0), ("status=success&min_success=1", 1)):
        built = client.post(f"/v1/atlas?{query}", headers=auth["operator"])
        assert built.status_code == 201 and built.json()["results"] == expected, query
    bad = client.post("/v1/atlas?until=someday", headers=auth["operator"])
    assert bad.status_code == 400
    assert error_of(bad)["message"].startswith("until: invalid time 'someday'")
