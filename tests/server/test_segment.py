"""POST /v1/segment: the real segmenter behind the API."""

from __future__ import annotations

import yaml

from altlas.formats.io import load_plan

from .conftest import error_of


def test_segment_returns_a_canonical_plan(client, auth) -> None:
    response = client.post(
        "/v1/segment",
        json={"text": "Find flights to Rome, then book the cheapest one"},
        headers=auth["operator"],
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    plan = load_plan(response.content)
    assert len(plan.tasks) >= 2
    assert plan.tasks[1].dependencies == [plan.tasks[0].id]


def test_same_seed_same_plan(client, auth) -> None:
    body = {"text": "Write a poem about the sea and translate it", "mode": "dream", "seed": 7}
    first = client.post("/v1/segment", json=body, headers=auth["operator"]).json()
    second = client.post("/v1/segment", json=body, headers=auth["operator"]).json()
    for doc in (first, second):
        doc.pop("created_at", None)
        doc.pop("id", None)
    assert first["tasks"] == second["tasks"]


def test_segment_in_yaml(client, auth) -> None:
    response = client.post(
        "/v1/segment?syntax=yaml", json={"text": "list the files"}, headers=auth["operator"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(response.content)["tasks"]


def test_bad_options_are_422(client, auth) -> None:
    for body in (
        {"text": ""},
        {"text": "list files", "mode": "sideways"},
        {"text": "list files", "persona": "nobody-like-this"},
        {"text": "list files", "chaos_level": 11},
    ):
        response = client.post("/v1/segment", json=body, headers=auth["operator"])
        assert response.status_code == 422, (body, response.text)
        error_of(response)
