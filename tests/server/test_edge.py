"""The edge: request ids, security headers, CORS off by default, analytics for every request."""

from __future__ import annotations

import sqlite3
import time


def test_security_headers_everywhere(client, auth) -> None:
    for response in (
        client.get("/v1/runs", headers=auth["viewer"]),
        client.get("/v1/nope"),
        client.get("/health"),
    ):
        h = response.headers
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "no-referrer"
        assert h["content-security-policy"].startswith("default-src 'none'")
        assert h["x-request-id"].startswith("req_")
        assert "strict-transport-security" not in h  # no TLS here
        assert "server" not in h or "uvicorn" not in h["server"]


def test_docs_are_not_locked_by_the_api_csp(client) -> None:
    page = client.get("/schema/swagger")
    assert page.status_code == 200
    assert "content-security-policy" not in page.headers
    assert client.get("/schema/openapi.json").status_code == 200


def test_request_ids_are_unique(client) -> None:
    ids = {client.get("/health").headers["x-request-id"] for _ in range(20)}
    assert len(ids) == 20


def test_cors_is_off_unless_configured(make_client) -> None:
    closed = make_client()
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
    response = closed.options("/v1/runs", headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    assert (
        "access-control-allow-origin"
        not in closed.get("/health", headers={"Origin": "https://app.example"}).headers
    )
    opened = make_client(cors_origins=["https://app.example"])
    allowed = opened.get("/health", headers={"Origin": "https://app.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    other = opened.get("/health", headers={"Origin": "https://evil.example"})
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_every_request_is_recorded_with_its_route_template(client, auth, settings) -> None:
    client.get("/v1/runs/run_missing", headers=auth["viewer"])
    client.get("/v1/keys", headers=auth["viewer"])
    client.get("/v1/does/not/exist", headers=auth["viewer"])
    client.post("/v1/keys", json={"name": "k", "role": "viewer"}, headers=auth["admin"])
    time.sleep(0.05)
    recorder = client.app.state["ctx"].recorder
    recorder.flush()
    conn = sqlite3.connect(settings.home / "analytics.db")
    rows = conn.execute(
        "SELECT route, method, status, principal, bytes_in, bytes_out, latency_ms FROM requests"
    ).fetchall()
    conn.close()
    by_route = {(r[0], r[1]): r for r in rows}
    missing = by_route[("/v1/runs/{run_id}", "GET")]
    assert missing[2] == 404 and missing[3].startswith("key:")
    assert by_route[("/v1/keys", "GET")][2] == 403
    assert by_route[("<unmatched>", "GET")][2] == 404
    created = by_route[("/v1/keys", "POST")]
    assert created[2] == 201 and created[4] > 0 and created[5] > 0
    assert all(r[6] >= 0 for r in rows)
