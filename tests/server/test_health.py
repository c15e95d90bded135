"""/health, /ready, /metrics and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from altlas.server.routes import health as health_routes


def test_health_is_public_and_says_ok(client) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["uptime_seconds"] >= 0 and body["version"]


def test_ready_checks_its_parts(client) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"accounts": "ok", "queue": "ok", "archive": "ok"},
    }


def test_ready_is_503_when_the_queue_is_down(client) -> None:
    client.app.state["ctx"].queue.close()
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"].startswith("error")


def _real_archive(client) -> Path:
    """A real altlas.db with results in it, closed so its header is up to date."""
    from altlas import index
    from altlas.index.synthetic import synthetic_result

    home = client.app.state["ctx"].home
    with index.Archive(home) as archive:
        for i in range(20):
            archive.add_result(synthetic_result(i))
    return home / "altlas.db"


def test_ready_is_ok_with_a_sound_archive(client) -> None:
    _real_archive(client)
    response = client.get("/ready")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["archive"] == "ok"


def test_ready_is_503_with_a_one_line_reason_when_the_archive_header_is_damaged(client) -> None:
    db = _real_archive(client)
    with db.open("r+b") as fh:
        fh.write(b"\0" * 100)
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["reason"] == "archive: error: altlas.db is not a SQLite database (bad header)"
    assert "\n" not in body["reason"]


def test_ready_is_503_when_the_archive_is_cut_short(client) -> None:
    db = _real_archive(client)
    size = db.stat().st_size
    assert size > 4096  # more than one page, so the cut leaves a readable header
    with db.open("r+b") as fh:
        fh.truncate(size // 2)
    response = client.get("/ready")
    assert response.status_code == 503
    assert "truncated" in response.json()["reason"]


def test_ready_reuses_the_archive_verdict_for_a_few_seconds(client) -> None:
    db = _real_archive(client)
    assert client.get("/ready").status_code == 200
    db.write_bytes(b"not a database" * 10)
    # Probes inside the window do not open the file again...
    assert client.get("/ready").status_code == 200
    # ...and the next look after it sees the damage.
    health_routes._archive_verdicts.clear()
    assert client.get("/ready").status_code == 503


def test_metrics_count_requests_by_route_template(client, auth) -> None:
    client.get("/v1/runs/run_a", headers=auth["viewer"])
    client.get("/v1/runs/run_b", headers=auth["viewer"])
    text = client.get("/metrics", headers=auth["operator"]).text
    assert "altlas_requests_total" in text
    assert 'path="/v1/runs/{run_id}"' in text
    assert "run_a" not in text


def test_openapi_document_describes_routes_security_and_errors(client) -> None:
    doc = client.get("/schema/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert "/v1/runs" in doc["paths"] and "/v1/segment" in doc["paths"]
    schemes = doc["components"]["securitySchemes"]
    assert {"BearerToken", "ApiKey"} <= set(schemes)
    submit = doc["paths"]["/v1/runs"]["post"]
    assert {"202", "401", "403", "422", "429"} <= set(submit["responses"])
    validate = doc["paths"]["/v1/plans/validate"]["post"]
    assert "application/octet-stream" in validate["requestBody"]["content"]
    token = doc["paths"]["/v1/auth/token"]["post"]
    assert token.get("security") == []
