"""Workspaces (issue 11) cannot be used to reach outside themselves or into another's.

Names are confined (no traversal, no absolute paths, links never followed), and a workspace
is owned like a run: anyone else gets the same 404 as for a missing one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from tests.server.workspace_support import COPY_PLAN, post_workspace

from altlas.config import Settings
from altlas.server.accounts import AccountStore
from altlas.server.workspaces import FileNameError, check_name

from ._server_support import auth, client, error_of, keys, make_client, settings

__all__ = ["auth", "client", "keys", "make_client", "settings"]


def _create(client: TestClient[Any], headers: dict[str, str], **body: Any) -> dict[str, Any]:
    return post_workspace(client, headers, **body).json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "name",
    ["../escape.txt", "a/../../escape.txt", "%2E%2E/escape.txt", "/etc/passwd", "a\\b.txt"],
)
def test_names_are_confined(
    client: TestClient[Any], auth: dict[str, Any], settings: Settings, name: str
) -> None:
    op = auth["operator"]
    space = _create(client, op)
    response = client.put(f"/v1/workspaces/{space['id']}/files/{name}", content=b"x", headers=op)
    if response.status_code == 201:  # routing folds '//' in a URL: the name stays inside
        stored = response.json()["path"]
        assert not stored.startswith("/") and ".." not in stored.split("/")
        client.delete(f"/v1/workspaces/{space['id']}/files/{stored}", headers=op)
    else:
        assert response.status_code in (404, 422), response.text
    assert not (settings.home / "spaces" / "escape.txt").exists()
    assert not (settings.home / "spaces" / space["id"] / "escape.txt").exists()
    form = client.post(
        f"/v1/workspaces/{space['id']}/files",
        files=[("file", (name.replace("%2E", "."), b"x", "text/plain"))],
        headers=op,
    )
    assert form.status_code == 422, form.text
    assert "file name" in error_of(form)["message"]
    assert client.get(f"/v1/workspaces/{space['id']}", headers=op).json()["files"] == []


def test_symlinks_are_never_followed(
    client: TestClient[Any], auth: dict[str, Any], settings: Settings, tmp_path: Any
) -> None:
    op = auth["operator"]
    space = _create(client, op)
    root = settings.home / "spaces" / space["id"] / "files"
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, root / "link.txt")
    os.symlink(tmp_path, root / "linkdir")
    base = f"/v1/workspaces/{space['id']}/files"
    assert client.get(f"{base}/link.txt", headers=op).status_code == 404
    assert client.get(f"{base}/linkdir/secret.txt", headers=op).status_code in (404, 422)
    assert client.put(f"{base}/link.txt", content=b"x", headers=op).status_code == 422
    assert client.put(f"{base}/linkdir/new.txt", content=b"x", headers=op).status_code == 422
    assert secret.read_text() == "top secret"
    assert not (tmp_path / "new.txt").exists()
    listed = client.get(f"/v1/workspaces/{space['id']}", headers=op).json()["files"]
    assert listed == []


def test_owned_like_runs(client: TestClient[Any], auth: dict[str, Any], settings: Settings) -> None:
    with AccountStore(settings.home) as store:
        other = {"X-API-Key": store.create_key("second operator", "operator")[1]}
    mine = _create(client, auth["operator"])
    shared = _create(client, auth["operator"], share=["role:viewer"])
    for space_id in (mine["id"], "ws_" + "0" * 32):
        for path in ("", "/files/x.csv"):
            response = client.get(f"/v1/workspaces/{space_id}{path}", headers=other)
            assert response.status_code == 404
            assert "no workspace with id" in error_of(response)["message"]
    assert (
        client.put(f"/v1/workspaces/{mine['id']}/files/x", content=b"x", headers=other).status_code
        == 404
    )
    assert client.delete(f"/v1/workspaces/{mine['id']}", headers=other).status_code == 404
    assert client.get(f"/v1/workspaces/{shared['id']}", headers=auth["viewer"]).status_code == 200
    assert client.get(f"/v1/workspaces/{mine['id']}", headers=auth["admin"]).status_code == 200
    seen = {s["id"] for s in client.get("/v1/workspaces", headers=other).json()["workspaces"]}
    assert not seen & {mine["id"], shared["id"]}
    # a viewer may read what is shared with it, never write
    put = client.put(f"/v1/workspaces/{shared['id']}/files/x", content=b"x", headers=auth["viewer"])
    assert put.status_code == 403
    run = client.post(
        "/v1/runs",
        json={"plan": COPY_PLAN, "workspace": mine["id"]},
        headers=other,
    )
    assert run.status_code == 404, run.text


_NAME_PARTS = st.sampled_from(["..", ".", "", "a", "b.csv", "/", "\\", "\x00", "~", "%2e", " "])


@fuzz_settings(max_examples=300, deadline=None)
@given(st.lists(_NAME_PARTS, min_size=1, max_size=6).map("/".join) | st.text(max_size=40))
def test_an_accepted_name_stays_inside(name: str) -> None:
    """Whatever a client sends, a name ``check_name`` accepts resolves inside the root."""
    root = Path("/srv/space/files")
    try:
        rel = check_name(name)
    except FileNameError:
        return
    resolved = Path(os.path.normpath(root / rel))
    assert resolved.is_relative_to(root) and resolved != root, name
