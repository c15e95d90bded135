"""Every route refuses the roles that must not use it (and only those).

The expectations are written out here, not read from the application, so a route whose
permission changes by accident makes this test fail.
"""

from __future__ import annotations

import pytest

from .conftest import ROLES, error_of

ALL = frozenset(ROLES)
WRITERS = frozenset({"admin", "operator"})
ADMIN = frozenset({"admin"})
PUBLIC = None

EXPECTED: dict[tuple[str, str], frozenset[str] | None] = {
    ("POST", "/v1/auth/token"): PUBLIC,
    ("POST", "/v1/auth/refresh"): PUBLIC,
    ("POST", "/v1/auth/logout"): PUBLIC,
    ("GET", "/v1/auth/me"): ALL,
    ("POST", "/v1/keys"): ADMIN,
    ("GET", "/v1/keys"): ADMIN,
    ("GET", "/v1/keys/{key_id}"): ADMIN,
    ("DELETE", "/v1/keys/{key_id}"): ADMIN,
    ("GET", "/v1/analytics"): ADMIN,
    ("POST", "/v1/segment"): WRITERS,
    ("POST", "/v1/plans/validate"): ALL,
    ("POST", "/v1/plans/convert"): ALL,
    ("POST", "/v1/runs"): WRITERS,
    ("GET", "/v1/runs"): ALL,
    ("GET", "/v1/runs/{run_id}"): ALL,
    ("GET", "/v1/runs/{run_id}/result"): ALL,
    ("GET", "/v1/runs/{run_id}/events"): ALL,
    ("DELETE", "/v1/runs/{run_id}"): WRITERS,
    ("POST", "/v1/archive"): WRITERS,
    ("GET", "/v1/archive/search"): ALL,
    ("GET", "/v1/archive/stats"): ALL,
    ("GET", "/v1/archive/{record_id}"): ALL,
    ("GET", "/v1/archive/{record_id}/original"): ALL,
    ("POST", "/v1/atlas"): WRITERS,
    ("GET", "/v1/atlas"): ALL,
    ("GET", "/v1/atlas/{atlas_id}"): ALL,
    ("POST", "/v1/workspaces"): WRITERS,
    ("GET", "/v1/workspaces"): ALL,
    ("GET", "/v1/workspaces/{space_id}"): ALL,
    ("DELETE", "/v1/workspaces/{space_id}"): WRITERS,
    ("POST", "/v1/workspaces/{space_id}/files"): WRITERS,
    ("PUT", "/v1/workspaces/{space_id}/files/{name}"): WRITERS,
    ("GET", "/v1/workspaces/{space_id}/files/{name}"): ALL,
    ("DELETE", "/v1/workspaces/{space_id}/files/{name}"): WRITERS,
    ("POST", "/v1/do"): WRITERS,
    ("GET", "/v1/do/{job_id}"): ALL,
    ("GET", "/v1/do/{job_id}/result"): ALL,
    ("POST", "/v1/llm/chat"): WRITERS,
    ("GET", "/metrics"): WRITERS,
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
}

BODIES = {
    "/v1/keys": {"name": "k", "role": "viewer"},
    "/v1/segment": {"text": "list the files"},
    "/v1/runs": {"plan": {"format": "altlas.alt", "id": "p", "tasks": []}},
    "/v1/auth/token": {"username": "nobody", "password": "password!"},
}


def concrete(path: str) -> str:
    return (
        path.replace("{key_id}", "nosuchkey0")
        .replace("{run_id}", "run_missing")
        .replace("{record_id}", "missing")
        .replace("{atlas_id}", "missing")
        .replace("{space_id}", "ws_missing")
        .replace("{job_id}", "run_missing")
        .replace("{name}", "x.csv")
    )


def app_routes(client) -> set[tuple[str, str]]:
    found = set()
    for route in client.app.routes:
        if route.path.startswith("/schema"):
            continue
        for method in getattr(route, "methods", ()):
            if method not in ("OPTIONS", "HEAD"):
                found.add((method, route.path_format))
    return found


def test_the_table_covers_every_route(client) -> None:
    assert app_routes(client) == set(EXPECTED)


def call(client, method: str, path: str, headers: dict[str, str]):
    url = concrete(path)
    if method == "POST":
        return client.post(url, json=BODIES.get(path, {}), headers=headers)
    return client.request(method, url, headers=headers)


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_route_refuses_the_roles_it_must(client, auth, method: str, path: str) -> None:
    allowed = EXPECTED[(method, path)]
    for role in ROLES:
        response = call(client, method, path, auth[role])
        if allowed is None:
            # Public: no role is refused (the auth routes may still say 401 to bad passwords).
            assert response.status_code != 403, (role, response.text)
        elif role in allowed:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.status_code, response.text)
            assert error_of(response)["type"] == "forbidden"


@pytest.mark.parametrize(
    ("method", "path"),
    sorted(k for k, v in EXPECTED.items() if v is not None),
)
def test_protected_route_refuses_anonymous(client, method: str, path: str) -> None:
    response = call(client, method, path, {})
    assert response.status_code == 401
    error = error_of(response)
    assert error["type"] == "unauthorized"
    assert error["message"].startswith("authentication required")


def test_public_metrics_when_configured(make_client) -> None:
    assert make_client(metrics_public=True).get("/metrics").status_code == 200


# Run ownership: what each role gets for a run that another principal submitted and did not
# share (a run shared with the role or a group behaves like the caller's own). 404, not
# 403: another's run is indistinguishable from a missing one.
OTHERS_RUN: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/v1/runs/{run_id}"): {"admin": 200, "operator": 404, "viewer": 404},
    ("GET", "/v1/runs/{run_id}/result"): {"admin": 409, "operator": 404, "viewer": 404},
    ("GET", "/v1/runs/{run_id}/events"): {"admin": 200, "operator": 404, "viewer": 404},
    ("DELETE", "/v1/runs/{run_id}"): {"admin": 202, "operator": 404, "viewer": 403},
}


def test_the_ownership_table_covers_every_route_of_one_run(client) -> None:
    one_run = {route for route in app_routes(client) if "{run_id}" in route[1]}
    assert one_run == set(OTHERS_RUN)


@pytest.mark.parametrize(("method", "path"), sorted(OTHERS_RUN))
def test_another_principals_run(make_client, keys, auth, method: str, path: str) -> None:
    from altlas.server.accounts import AccountStore

    client = make_client(queue_workers=0, sse_max_seconds=0.1)
    with AccountStore(client.app.state["ctx"].home) as store:
        other = {"X-API-Key": store.create_key("someone else", "operator")[1]}
    plan = BODIES["/v1/runs"]
    for role, expected in OTHERS_RUN[(method, path)].items():
        run_id = client.post("/v1/runs", json=plan, headers=other).json()["id"]
        response = client.request(method, path.replace("{run_id}", run_id), headers=auth[role])
        assert response.status_code == expected, (role, response.text)
