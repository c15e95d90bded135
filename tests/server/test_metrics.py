"""The lean Prometheus layer exposes the same series as Litestar's plugin did."""

from __future__ import annotations

import re


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name) : line.rindex("}") + 1]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_counts_durations_and_in_progress_per_route_template_and_status(client, auth) -> None:
    viewer, operator = auth["viewer"], auth["operator"]
    before = client.get("/metrics", headers=operator).text
    for _ in range(3):
        client.get("/v1/runs/run_x", headers=viewer)  # 404, by template
    client.get("/v1/archive/search?q=a", headers=viewer)
    text = client.get("/metrics", headers=operator).text
    route = {"method": "GET", "path": "/v1/runs/{run_id}", "app_name": "altlas"}
    grown = _sample(text, "altlas_requests_total", status_code="404", **route) - _sample(
        before, "altlas_requests_total", status_code="404", **route
    )
    assert grown == 3
    search = {"method": "GET", "path": "/v1/archive/search", "status_code": "200"}
    assert _sample(text, "altlas_requests_total", **search) >= 1
    assert _sample(text, "altlas_request_duration_seconds_count", **search) >= 1
    assert _sample(text, "altlas_request_duration_seconds_sum", **search) > 0
    # Nothing is left counted as running once the answers are out.
    assert _sample(text, "altlas_requests_in_progress", path="/v1/runs/{run_id}") == 0
    assert "run_x" not in text
