"""/health, /ready, /metrics and the OpenAPI document."""

from __future__ import annotations


def test_health_is_public_and_says_ok(client) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["uptime_seconds"] >= 0 and body["version"]


def test_ready_checks_its_parts(client) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"accounts": "ok", "queue": "ok"}}


def test_ready_is_503_when_the_queue_is_down(client) -> None:
    client.app.state["ctx"].queue.close()
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"].startswith("error")


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
