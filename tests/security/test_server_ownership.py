"""Run ownership (issue 9 item 11): a run belongs to the principal that submitted it.

Viewers and operators see and act on their own runs and on runs shared with their role or
one of their groups; admins see all. Someone else's run is a 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

import pytest

from altlas.server.accounts import AccountStore, parse_api_key

from ._server_support import error_of, make_client, settings

__all__ = ["make_client", "settings"]

PLAN = {"format": "altlas.alt", "id": "p", "tasks": [{"id": "t1", "type": "echo"}]}
NAMES = ("admin", "ops1", "ops2", "viewer1", "viewer2")
ROLE = {"admin": "admin", "ops1": "operator", "ops2": "operator"}


@pytest.fixture
def people(settings: Any) -> dict[str, dict[str, str]]:
    """Headers per person; each has an API key of their own."""
    headers = {}
    with AccountStore(settings.home) as store:
        for name in NAMES:
            key = store.create_key(name, ROLE.get(name, "viewer"))[1]
            headers[name] = {"X-API-Key": key}
    return headers


def principal(headers: dict[str, str]) -> str:
    parsed = parse_api_key(headers["X-API-Key"])
    assert parsed is not None
    return f"key:{parsed[0]}"


@pytest.fixture
def client(make_client: Any, people: dict[str, dict[str, str]]) -> Any:
    # No workers: runs stay queued, so cancelling one is possible at any point of the test;
    # the event stream of a queued run then ends after sse_max_seconds.
    team = [principal(people["viewer2"]), principal(people["ops2"])]
    return make_client(queue_workers=0, sse_max_seconds=0.1, groups={"team": team})


def submit(client: Any, headers: dict[str, str], **extra: Any) -> str:
    response = client.post("/v1/runs", json={"plan": PLAN, **extra}, headers=headers)
    assert response.status_code == 202, response.text
    run_id: str = response.json()["id"]
    return run_id


def listed(client: Any, headers: dict[str, str]) -> set[str]:
    response = client.get("/v1/runs", headers=headers)
    assert response.status_code == 200
    return {run["id"] for run in response.json()["runs"]}


def reads(client: Any, headers: dict[str, str], run_id: str) -> list[int]:
    base = f"/v1/runs/{run_id}"
    return [
        client.get(base, headers=headers).status_code,
        client.get(f"{base}/result", headers=headers).status_code,
        client.get(f"{base}/events", headers=headers).status_code,
    ]


HIDDEN = [404, 404, 404]


def test_a_run_is_private_to_its_owner_and_admins(client, people) -> None:
    run_id = submit(client, people["ops1"])
    assert run_id in listed(client, people["ops1"])
    assert run_id in listed(client, people["admin"])
    for other in ("ops2", "viewer1", "viewer2"):
        assert run_id not in listed(client, people[other]), other
        assert reads(client, people[other], run_id) == HIDDEN, other
    assert reads(client, people["ops1"], run_id) == [200, 409, 200]
    assert reads(client, people["admin"], run_id) == [200, 409, 200]


def test_another_run_looks_exactly_like_a_missing_one(client, people) -> None:
    run_id = submit(client, people["ops1"])
    hidden = client.get(f"/v1/runs/{run_id}", headers=people["ops2"])
    missing = client.get("/v1/runs/run_doesnotexist", headers=people["ops2"])
    assert hidden.status_code == missing.status_code == 404
    assert error_of(hidden)["message"].replace(run_id, "X") == error_of(missing)["message"].replace(
        "run_doesnotexist", "X"
    )


def test_an_operator_cannot_cancel_an_admins_run(client, people) -> None:
    run_id = submit(client, people["admin"])
    refused = client.delete(f"/v1/runs/{run_id}", headers=people["ops1"])
    assert refused.status_code == 404
    state = client.get(f"/v1/runs/{run_id}", headers=people["admin"]).json()["state"]
    assert state == "queued"
    assert client.delete(f"/v1/runs/{run_id}", headers=people["admin"]).status_code == 202


def test_admins_act_on_every_run(client, people) -> None:
    run_id = submit(client, people["ops1"])
    assert client.delete(f"/v1/runs/{run_id}", headers=people["admin"]).status_code == 202


def test_sharing_with_a_role(client, people) -> None:
    run_id = submit(client, people["ops1"], share=["role:viewer"])
    for viewer in ("viewer1", "viewer2"):
        assert run_id in listed(client, people[viewer])
        assert reads(client, people[viewer], run_id) == [200, 409, 200]
    assert run_id not in listed(client, people["ops2"])
    body = client.get(f"/v1/runs/{run_id}", headers=people["viewer1"]).json()
    assert body["owner"] == principal(people["ops1"]) and body["share"] == ["role:viewer"]


def test_sharing_with_a_group_lets_its_members_act(client, people) -> None:
    run_id = submit(client, people["ops1"], share=["group:team"])
    assert run_id in listed(client, people["viewer2"])
    assert run_id not in listed(client, people["viewer1"])
    assert reads(client, people["viewer1"], run_id) == HIDDEN
    assert client.delete(f"/v1/runs/{run_id}", headers=people["ops2"]).status_code == 202


def test_the_list_limit_counts_visible_runs(client, people) -> None:
    mine = submit(client, people["ops2"])
    for _ in range(3):
        submit(client, people["ops1"])
    response = client.get("/v1/runs?limit=1", headers=people["ops2"])
    assert [run["id"] for run in response.json()["runs"]] == [mine]


@pytest.mark.parametrize("share", [["everyone"], ["role:root"], ["group:"], ["user:ada"]])
def test_unknown_audiences_are_refused(client, people, share) -> None:
    response = client.post("/v1/runs", json={"plan": PLAN, "share": share}, headers=people["ops1"])
    assert response.status_code == 422
