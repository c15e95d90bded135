"""One error envelope for every failure status; bad input is never a 500."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from altlas.index import Archive
from altlas.run.journal import Journal
from altlas.server.errors import exception_handlers

from .conftest import error_of


def test_404_for_unknown_route_and_unknown_version(client, auth) -> None:
    missing = client.get("/v1/nothing-here", headers=auth["admin"])
    assert missing.status_code == 404
    assert error_of(missing)["type"] == "not_found"
    v2 = client.get("/v2/runs", headers=auth["admin"])
    assert v2.status_code == 404
    assert error_of(v2)["message"] == ("API version v2 is not supported; supported versions: v1")


def test_405_for_a_wrong_method(client, auth) -> None:
    response = client.put("/v1/runs", headers=auth["admin"])
    assert response.status_code == 405
    assert error_of(response)["type"] == "method_not_allowed"


def test_400_for_malformed_json(client, auth) -> None:
    response = client.post(
        "/v1/keys",
        content=b'{"name": ',
        headers={**auth["admin"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_of(response)["type"] == "bad_request"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x"},
        {"name": "x", "role": "superuser"},
        {"name": "", "role": "viewer"},
        {"name": "x", "role": "viewer", "unexpected": 1},
        [1, 2, 3],
        "just a string",
    ],
)
def test_422_for_bodies_that_break_the_model(client, auth, body) -> None:
    response = client.post("/v1/keys", json=body, headers=auth["admin"])
    assert response.status_code == 422
    error = error_of(response)
    assert error["type"] == "validation_failed"
    assert error.get("details"), error


def test_422_for_bad_query_parameters(client, auth) -> None:
    response = client.get("/v1/runs?limit=0", headers=auth["viewer"])
    assert response.status_code == 422
    assert error_of(response)["type"] == "validation_failed"


def test_413_for_oversized_bodies(make_client, auth) -> None:
    client = make_client(max_body_bytes=2048)
    response = client.post(
        "/v1/plans/validate",
        content=b"x" * 5000,
        headers=auth["viewer"],
    )
    assert response.status_code == 413
    assert error_of(response)["type"] == "payload_too_large"


def test_403_names_the_missing_permission(client, auth) -> None:
    response = client.get("/v1/keys", headers=auth["operator"])
    assert response.status_code == 403
    error = error_of(response)
    assert error["type"] == "forbidden"
    assert "keys:admin" in error["message"]


def test_409_for_a_state_conflict(make_client, auth) -> None:
    client = make_client(queue_workers=0)  # nothing executes: the run stays queued
    plan = {"format": "altlas.alt", "id": "p1", "tasks": [{"id": "t1", "type": "echo"}]}
    run_id = client.post("/v1/runs", json={"plan": plan}, headers=auth["operator"]).json()["id"]
    early = client.get(f"/v1/runs/{run_id}/result", headers=auth["operator"])
    assert early.status_code == 409
    assert error_of(early)["type"] == "conflict"
    assert client.delete(f"/v1/runs/{run_id}", headers=auth["operator"]).status_code == 202
    again = client.delete(f"/v1/runs/{run_id}", headers=auth["operator"])
    assert again.status_code == 409
    assert "already ended" in error_of(again)["message"]


def test_429_envelope_and_headers(make_client, auth) -> None:
    client = make_client(rate_limits={"admin": "2/hour"})
    for _ in range(2):
        assert client.get("/v1/keys", headers=auth["admin"]).status_code == 200
    response = client.get("/v1/keys", headers=auth["admin"])
    assert response.status_code == 429
    assert error_of(response)["type"] == "rate_limited"
    assert int(response.headers["retry-after"]) >= 1


def test_plan_that_breaks_the_rules_is_422_with_diagnostics(client, auth) -> None:
    plan = {
        "format": "altlas.alt",
        "id": "p1",
        "tasks": [
            {"id": "a", "type": "echo", "dependencies": ["b"]},
            {"id": "b", "type": "echo", "dependencies": ["a"]},
        ],
    }
    response = client.post("/v1/runs", json={"plan": plan}, headers=auth["operator"])
    assert response.status_code == 422
    error = error_of(response)
    assert error["details"] and all("message" in d for d in error["details"])


def test_unreadable_document_is_400(client, auth) -> None:
    response = client.post(
        "/v1/plans/convert",
        content=b"\x28\xb5\x2f\xfd garbage",
        headers=auth["viewer"],
    )
    assert response.status_code == 400
    assert error_of(response)["type"] == "bad_request"


def test_a_missing_run_is_404(client, auth) -> None:
    response = client.get("/v1/runs/run_nothing", headers=auth["operator"])
    assert response.status_code == 404
    assert error_of(response)["type"] == "not_found"


def test_a_damaged_archive_is_500_without_its_path(make_client, auth, altlas_home) -> None:
    client = make_client()
    with Archive(altlas_home):
        pass  # create it, then damage it the way a bad disk would
    (altlas_home / "altlas.db").write_bytes(b"this is not a database" * 400)
    response = client.get("/v1/archive/search", params={"q": "x"}, headers=auth["viewer"])
    assert response.status_code == 500, response.text
    message = error_of(response)["message"]
    assert "damaged" in message and "\n" not in message
    assert str(altlas_home) not in response.text


def _locked_journal_app(home: Path) -> Litestar:
    """A real app with the real error handlers and one route that reads the real journal."""

    @get("/runs-in-journal", sync_to_thread=True)
    def runs_in_journal() -> list[str]:
        with Journal.open(home) as journal:
            return [r.id for r in journal.list_runs()]

    return Litestar([runs_in_journal], exception_handlers=exception_handlers())


def test_a_locked_journal_is_503_with_retry_after(
    altlas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from altlas.storage import sqlite as storage_sqlite

    # wait 0.2 s for the lock instead of the default 30 s; everything else is real
    monkeypatch.setitem(storage_sqlite.connect.__kwdefaults__, "timeout", 0.2)
    Journal.open(altlas_home).close()
    holder = sqlite3.connect(altlas_home / "runs.db", timeout=0)
    holder.execute("PRAGMA journal_mode=DELETE").fetchall()
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with TestClient(_locked_journal_app(altlas_home)) as client:
            response = client.get("/runs-in-journal")
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    message = error_of_plain(response)
    assert "run journal" in message and "locked" in message
    assert str(altlas_home) not in response.text


def error_of_plain(response: Any) -> str:
    """The message of an envelope from an app without the request-id middleware."""
    body = response.json()
    assert body["error"]["status"] == response.status_code
    message: str = body["error"]["message"]
    assert "\n" not in message
    return message
