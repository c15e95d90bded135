"""Plans routes: validate any document, convert between dialects."""

from __future__ import annotations

import orjson

from altlas.formats.io import load_plan

PLAN = {
    "format": "altlas.alt",
    "id": "plan_v",
    "tasks": [{"id": "a", "type": "echo"}, {"id": "b", "type": "echo", "dependencies": ["a"]}],
}


def test_validate_reports_a_valid_plan(client, auth) -> None:
    response = client.post("/v1/plans/validate", content=orjson.dumps(PLAN), headers=auth["viewer"])
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["kind"] == "alt" and body["errors"] == []


def test_validate_lists_every_error_with_paths(client, auth) -> None:
    broken = {**PLAN, "tasks": [{"id": "a", "type": "echo", "dependencies": ["zzz"]}, {"id": "a"}]}
    response = client.post(
        "/v1/plans/validate", content=orjson.dumps(broken), headers=auth["viewer"]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert len(body["errors"]) >= 2
    assert all(e["message"] and "path" in e for e in body["errors"])


def test_validate_garbage_is_a_report_not_an_error(client, auth) -> None:
    response = client.post("/v1/plans/validate", content=b"{not json", headers=auth["viewer"])
    assert response.status_code == 200
    assert response.json()["valid"] is False


def test_convert_to_canonical_yaml_round_trips(client, auth) -> None:
    response = client.post(
        "/v1/plans/convert?syntax=yaml", content=orjson.dumps(PLAN), headers=auth["viewer"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert [t.id for t in load_plan(response.content).tasks] == ["a", "b"]


def test_convert_refuses_unknown_targets_and_bad_documents(client, auth) -> None:
    unknown = client.post(
        "/v1/plans/convert?to=latin", content=orjson.dumps(PLAN), headers=auth["viewer"]
    )
    assert unknown.status_code == 422
    bad = client.post("/v1/plans/convert", content=b"[1, 2]", headers=auth["viewer"])
    assert bad.status_code == 400


def test_convert_to_the_legacy_dialects(client, auth) -> None:
    for target, media in (
        ("segmentation-v1", "application/yaml"),
        ("runner-alt", "application/json"),
    ):
        response = client.post(
            f"/v1/plans/convert?to={target}", content=orjson.dumps(PLAN), headers=auth["viewer"]
        )
        assert response.status_code == 200, (target, response.text)
        assert response.headers["content-type"].startswith(media)
        assert [t.id for t in load_plan(response.content).tasks] == ["a", "b"]
    wrong_kind = client.post(
        "/v1/plans/convert?to=runner-last", content=orjson.dumps(PLAN), headers=auth["viewer"]
    )
    assert wrong_kind.status_code == 400
