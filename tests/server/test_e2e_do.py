"""Against a real ``altlas serve`` process: upload files, ask in words, download the artifact;
the docs URL is printed on start and its page loads nothing from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from altlas.server.accounts import AccountStore
from altlas.server.process import ServerProcess

from .conftest import PASSWORD

pytestmark = pytest.mark.slow

CSV = b"name,price\nb,2\na,1\nc,3\n"
COMMAND = "Sort x.csv by price and save it as out/z.csv"


@pytest.fixture
def server(altlas_home: Path):
    with AccountStore(altlas_home) as store:
        store.add_user("ada", PASSWORD, "operator")
    with ServerProcess(altlas_home) as running:
        yield running


def test_upload_do_download(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        login = client.post("/v1/auth/token", json={"username": "ada", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        space = client.post("/v1/workspaces", headers=headers)
        assert space.status_code == 201, space.text
        space_id = space.json()["id"]
        upload = client.post(
            f"/v1/workspaces/{space_id}/files",
            files={"file": ("x.csv", CSV, "text/csv")},
            headers=headers,
        )
        assert upload.status_code == 201, upload.text
        body = {"command": COMMAND, "workspace": space_id, "wait_seconds": 60}
        done = client.post("/v1/do", json=body, headers=headers)
        assert done.status_code == 200, done.text
        answer = done.json()
        assert answer["ok"] is True and "out/z.csv" in answer["answer"], answer
        (artifact,) = answer["artifacts"]
        got = client.get(artifact["url"], headers=headers)
        assert got.status_code == 200
        assert got.text.splitlines() == ["name,price", "a,1", "b,2", "c,3"]
        docs = re.search(r"API docs at (\S+)", server.output())
        assert docs is not None, server.output()
        page = client.get(docs.group(1).removeprefix(server.url))
        assert page.status_code == 200 and "/schema/assets/swagger-ui-bundle.js" in page.text
        assert client.get("/schema/assets/swagger-ui-bundle.js").status_code == 200
