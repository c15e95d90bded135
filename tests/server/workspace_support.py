"""What the workspace tests share (tests/server and tests/security): a plan that copies one
file inside its workspace, and creating a workspace over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
from litestar.testing import TestClient

COPY_PLAN = {
    "format": "altlas.alt",
    "id": "plan_copy",
    "tasks": [
        {
            "id": "t1",
            "type": "files",
            "parameters": {"operation": "copy", "source": "in.txt", "dest": "out.txt"},
        }
    ],
}


def post_workspace(client: TestClient[Any], headers: dict[str, str], **body: Any) -> httpx.Response:
    """``POST /v1/workspaces``, which must create one (201)."""
    response = client.post("/v1/workspaces", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response
