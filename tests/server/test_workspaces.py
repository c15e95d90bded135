"""Workspaces over HTTP: create, upload (raw and multipart), list, download, delete, owners."""

from __future__ import annotations

import time
from typing import Any

from litestar.testing import TestClient

from .conftest import error_of
from .workspace_support import COPY_PLAN, post_workspace

CSV = b"name,y\nb,2\na,1\nc,3\n"


def _create(client: TestClient[Any], headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = post_workspace(client, headers, **body)
    assert response.headers["location"] == f"/v1/workspaces/{response.json()['id']}"
    return response.json()  # type: ignore[no-any-return]


def test_upload_list_download_delete(client: TestClient[Any], auth: dict[str, Any]) -> None:
    op = auth["operator"]
    space = _create(client, op)
    base = f"/v1/workspaces/{space['id']}"
    raw = client.put(f"{base}/files/data/x.csv", content=CSV, headers=op)
    assert raw.status_code == 201, raw.text
    assert raw.json()["url"] == f"{base}/files/data/x.csv"
    form = client.post(
        f"{base}/files",
        files=[("file", ("a.txt", b"hello", "text/plain")), ("file", ("b.bin", b"\0\1", None))],
        headers=op,
    )
    assert form.status_code == 201, form.text
    assert [f["path"] for f in form.json()["files"]] == ["a.txt", "b.bin"]
    listed = client.get(base, headers=op).json()
    assert sorted(f["path"] for f in listed["files"]) == ["a.txt", "b.bin", "data/x.csv"]
    got = client.get(f"{base}/files/data/x.csv", headers=op)
    assert got.status_code == 200 and got.content == CSV
    assert "x.csv" in got.headers["content-disposition"]
    assert space["id"] in [
        s["id"] for s in client.get("/v1/workspaces", headers=op).json()["workspaces"]
    ]
    assert client.delete(f"{base}/files/a.txt", headers=op).status_code == 204
    assert client.get(f"{base}/files/a.txt", headers=op).status_code == 404
    assert client.delete(base, headers=op).status_code == 204
    assert client.get(base, headers=op).status_code == 404


def test_size_and_count_limits(make_client: Any, auth: dict[str, Any]) -> None:
    client = make_client(workspace_max_files=2, workspace_max_bytes=2048)
    op = auth["operator"]
    space = _create(client, op)
    base = f"/v1/workspaces/{space['id']}/files"
    assert client.put(f"{base}/a", content=b"1" * 1000, headers=op).status_code == 201
    big = client.put(f"{base}/b", content=b"1" * 1100, headers=op)
    assert big.status_code == 413, big.text
    assert "workspace_max_bytes" in error_of(big)["message"]
    assert client.put(f"{base}/b", content=b"1", headers=op).status_code == 201
    third = client.put(f"{base}/c", content=b"1", headers=op)
    assert third.status_code == 413 and "workspace_max_files" in error_of(third)["message"]
    # a multipart upload that would pass a limit stores none of its files
    both = client.post(base, files=[("f", ("d", b"1", None)), ("f", ("e", b"1", None))], headers=op)
    assert both.status_code == 413, both.text
    # replacing a file is not one more file
    assert client.put(f"{base}/a", content=b"2", headers=op).status_code == 201
    names = [
        f["path"] for f in client.get(f"/v1/workspaces/{space['id']}", headers=op).json()["files"]
    ]
    assert names == ["a", "b"]


def test_a_run_in_a_workspace_lists_its_artifacts(
    client: TestClient[Any], auth: dict[str, Any]
) -> None:
    op = auth["operator"]
    space = _create(client, op)
    base = f"/v1/workspaces/{space['id']}"
    client.put(f"{base}/files/in.txt", content=b"hello", headers=op)
    body = {"plan": COPY_PLAN, "workspace": space["id"]}
    submitted = client.post("/v1/runs", json=body, headers=op)
    assert submitted.status_code == 202, submitted.text
    url = submitted.headers["location"]
    deadline = time.monotonic() + 30
    body = client.get(url, headers=op).json()
    while body["state"] not in ("done", "failed", "cancelled") and time.monotonic() < deadline:
        time.sleep(0.1)
        body = client.get(url, headers=op).json()
    assert body["state"] == "done", body
    assert body["workspace"] == space["id"]
    assert [a["path"] for a in body["artifacts"]] == ["out.txt"], body
    got = client.get(body["artifacts"][0]["url"], headers=op)
    assert got.status_code == 200 and got.content == b"hello"
