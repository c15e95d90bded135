"""End to end against a real ``altlas serve`` process: the whole pipeline, with auth."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from altlas.formats.io import load_plan, load_result
from altlas.server.accounts import AccountStore
from altlas.server.process import ServerProcess

from .conftest import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def server(altlas_home: Path):
    with AccountStore(altlas_home) as store:
        store.add_user("ada", PASSWORD, "operator")
        store.add_user("vic", PASSWORD, "viewer")
    with ServerProcess(altlas_home) as running:
        yield running


def token(client: httpx.Client, name: str) -> dict[str, str]:
    response = client.post("/v1/auth/token", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def wait_for_run(client: httpx.Client, run_id: str, headers: dict, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/v1/runs/{run_id}", headers=headers).json()
        if status["state"] in ("done", "failed", "cancelled"):
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.1)


def search_until(client: httpx.Client, query: str, headers: dict, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        found = client.get("/v1/archive/search", params={"q": query}, headers=headers).json()
        assert "total" in found, found
        if found["total"]:
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.1)


def test_segment_run_result_archive_search(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        operator, viewer = token(client, "ada"), token(client, "vic")
        # A viewer may read but not segment or run.
        refused = client.post("/v1/segment", json={"text": "list files"}, headers=viewer)
        assert refused.status_code == 403
        segmented = client.post(
            "/v1/segment",
            json={"text": "Summarize the quarterly report and then translate it to Turkish"},
            headers=operator,
        )
        assert segmented.status_code == 200, segmented.text
        plan = load_plan(segmented.content)
        assert plan.tasks
        submitted = client.post(
            "/v1/runs",
            # Shared with viewers, who read its progress and result below.
            json={
                "plan": segmented.json(),
                "options": {"continue_on_error": True},
                "share": ["role:viewer"],
            },
            headers=operator,
        )
        assert submitted.status_code == 202, submitted.text
        location = submitted.headers["location"]
        run_id = submitted.json()["id"]
        final = wait_for_run(client, run_id, viewer)
        assert final["state"] == "done", final
        result = client.get(f"{location}/result", headers=viewer)
        assert result.status_code == 200
        last = load_result(result.content)
        assert last.run_id == run_id and len(last.tasks) == len(plan.tasks)
        found = search_until(client, f'"{last.run_id}" OR quarterly', viewer)
        assert any(hit["result_id"] == last.id for hit in found["hits"])


def test_plan_run_sse_archive_search_over_http(server: ServerProcess) -> None:
    plan = {
        "format": "altlas.alt",
        "id": "plan_e2e",
        "title": "Flamingo census",
        "tasks": [
            {"id": "count", "type": "echo", "parameters": {"message": "flamingo census"}},
            {
                "id": "wait",
                "type": "delay",
                "parameters": {"seconds": 0.2},
                "dependencies": ["count"],
            },
        ],
    }
    with httpx.Client(base_url=server.url, timeout=30) as client:
        operator, viewer = token(client, "ada"), token(client, "vic")
        request = {"plan": plan, "share": ["role:viewer"]}
        submitted = client.post("/v1/runs", json=request, headers=operator)
        assert submitted.status_code == 202
        run_id = submitted.json()["id"]
        with client.stream("GET", f"/v1/runs/{run_id}/events", headers=viewer) as stream:
            text = "".join(stream.iter_text())
        assert "event: run.started" in text and "event: job.finished" in text
        assert text.count("event: task.finished") == 2
        assert wait_for_run(client, run_id, viewer)["status"] == "success"
        found = search_until(client, "flamingo", viewer)
        record = client.get(f"/v1/archive/{found['hits'][0]['id']}", headers=viewer)
        assert record.status_code == 200
        etag = record.headers["etag"]
        again = client.get(
            f"/v1/archive/{found['hits'][0]['id']}",
            headers={**viewer, "If-None-Match": etag},
        )
        assert again.status_code == 304
        analytics = client.get("/v1/analytics", headers=operator)
        assert analytics.status_code == 403  # admins only
