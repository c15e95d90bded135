"""``POST /v1/do``: a command and a workspace in, the answer (or a job) out; honest refusals."""

from __future__ import annotations

import time
from typing import Any

from litestar.testing import TestClient

from .conftest import error_of

CSV = b"name,price\nb,2\na,1\nc,3\n"
# a one-letter column ("by y") is not grounded by altlas.do yet: a real column name here
SORT = "Sort x.csv by price and save it as out/z.csv"


def _space_with(client: TestClient[Any], headers: dict[str, str], **files: bytes) -> str:
    space_id: str = client.post("/v1/workspaces", headers=headers).json()["id"]
    for name, content in files.items():
        put = client.put(
            f"/v1/workspaces/{space_id}/files/{name}", content=content, headers=headers
        )
        assert put.status_code == 201, put.text
    return space_id


def test_do_answers_and_lists_the_artifact(client: TestClient[Any], auth: dict[str, Any]) -> None:
    op = auth["operator"]
    space_id = _space_with(client, op, **{"x.csv": CSV})
    response = client.post(
        "/v1/do", json={"command": SORT, "workspace": space_id, "wait_seconds": 60}, headers=op
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "done" and body["ok"] is True, body
    assert body["answer"] and "z.csv" in body["answer"]
    assert body["plan"]["tasks"], body
    assert body["result_id"] == body["id"]
    assert [a["path"] for a in body["artifacts"]] == ["out/z.csv"]
    got = client.get(body["artifacts"][0]["url"], headers=op)
    assert got.status_code == 200
    assert got.content.decode().splitlines()[1:] == ["a,1", "b,2", "c,3"]
    assert client.get(f"/v1/do/{body['id']}", headers=op).json()["answer"] == body["answer"]
    result = client.get(f"/v1/do/{body['id']}/result", headers=op)
    assert result.status_code == 200 and result.json()["answer"] == body["answer"]


def test_a_refused_command_is_422_with_the_reason(
    client: TestClient[Any], auth: dict[str, Any]
) -> None:
    op = auth["operator"]
    space_id = _space_with(client, op)
    response = client.post("/v1/do", json={"command": SORT, "workspace": space_id}, headers=op)
    assert response.status_code == 422, response.text
    message = error_of(response)["message"]
    assert message.startswith("Not done:") and "x.csv" in message
    listed = client.get(f"/v1/workspaces/{space_id}", headers=op).json()["files"]
    assert listed == []


def test_exec_and_overwrite_only_as_the_server_permits(
    make_client: Any, auth: dict[str, Any]
) -> None:
    client = make_client(allow_overwrite=False)
    op = auth["operator"]
    space_id = _space_with(client, op, **{"x.csv": CSV})
    for flag, key in (("allow_exec", "allow_exec"), ("overwrite", "allow_overwrite")):
        body = {"command": SORT, "workspace": space_id, flag: True}
        response = client.post("/v1/do", json=body, headers=op)
        assert response.status_code == 422, response.text
        assert f"[server] {key}" in error_of(response)["message"]


def test_long_work_answers_202_with_a_job(make_client: Any, auth: dict[str, Any]) -> None:
    client = make_client()
    op = auth["operator"]
    space_id = _space_with(client, op, **{"x.csv": CSV})
    body = {"command": SORT, "workspace": space_id, "wait_seconds": 0}
    response = client.post("/v1/do", json=body, headers=op)
    if response.status_code == 200:  # a worker was quicker than the zero wait
        assert response.json()["state"] == "done"
        return
    assert response.status_code == 202, response.text
    url = response.headers["location"]
    deadline = time.monotonic() + 60
    job = client.get(url, headers=op).json()
    while job["state"] not in ("done", "failed", "cancelled") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(url, headers=op).json()
    assert job["state"] == "done" and job["ok"] is True, job


def test_do_jobs_are_owned(client: TestClient[Any], auth: dict[str, Any]) -> None:
    op = auth["operator"]
    space_id = _space_with(client, op, **{"x.csv": CSV})
    other_space = client.post(
        "/v1/do", json={"command": SORT, "workspace": space_id}, headers=auth["admin"]
    )
    assert other_space.status_code == 200  # an admin may use any workspace
    job_id = other_space.json()["id"]
    assert client.get(f"/v1/do/{job_id}", headers=op).status_code == 404
    assert client.get(f"/v1/runs/{job_id}", headers=auth["admin"]).status_code == 404
    viewer = client.post(
        "/v1/do", json={"command": SORT, "workspace": space_id}, headers=auth["viewer"]
    )
    assert viewer.status_code == 403
