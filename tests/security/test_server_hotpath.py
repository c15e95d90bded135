"""The request-path caches (issue 12 item 8) keep every security rule they short-cut.

* A checked access token is remembered, but never past its own expiry, and a token with a
  changed signature or claims is checked from scratch (the cache is keyed on the exact text).
* An API key revoked by another process (the CLI) stops working within
  ``principal_cache_seconds``.
* The permission check moved from a Litestar guard to router middleware: still 401 without
  credentials, 403 for a role without the permission, and a route without a permission is
  refused to everyone.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from altlas.server.accounts import AccountStore
from altlas.server.principals import Principal
from altlas.server.roles import Role
from altlas.server.security import AUTHENTICATED, PermissionMiddleware

from ._server_support import PASSWORD, auth, client, keys, make_client, settings

__all__ = ["auth", "client", "keys", "make_client", "settings"]


@pytest.fixture
def users(settings: Any) -> None:
    with AccountStore(settings.home) as store:
        store.add_user("ada", PASSWORD, "viewer")


def _me(client: Any, token: str) -> int:
    return int(client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code)


def _short_token(client: Any, seconds: float) -> str:
    """A real access token of a real login, but one that lives ``seconds``."""
    service = client.app.state["auth"]
    login = client.post("/v1/auth/token", json={"username": "ada", "password": PASSWORD})
    access = service.decode(login.json()["access_token"])
    return str(
        service._encode(
            "ada", timedelta(seconds=seconds), "access", role="viewer", sid=access.extras["sid"]
        )
    )


def test_a_remembered_token_still_expires(client: Any, users: None) -> None:
    token = _short_token(client, 2)
    assert _me(client, token) == 200  # checked, and now remembered
    assert _me(client, token) == 200
    time.sleep(2.6)  # exp has one-second resolution
    assert _me(client, token) == 401


def test_a_changed_token_is_checked_afresh(client: Any, users: None) -> None:
    token = _short_token(client, 600)
    assert _me(client, token) == 200
    head, payload, signature = token.split(".")
    forged_signature = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert _me(client, f"{head}.{payload}.{forged_signature}") == 401
    assert _me(client, f"{head}.{payload[:-2]}xx.{signature}") == 401
    assert _me(client, token) == 200


def test_logout_beats_a_remembered_token(client: Any, users: None) -> None:
    login = client.post("/v1/auth/token", json={"username": "ada", "password": PASSWORD}).json()
    assert _me(client, login["access_token"]) == 200
    client.post("/v1/auth/logout", json={"refresh_token": login["refresh_token"]})
    assert _me(client, login["access_token"]) == 401


def test_a_key_revoked_by_another_process_stops_within_the_cache_time(
    make_client: Any, settings: Any
) -> None:
    client = make_client(principal_cache_seconds=0.3)
    with AccountStore(settings.home) as store:
        record, secret = store.create_key("ci", "viewer")
    headers = {"X-API-Key": secret}
    assert client.get("/v1/auth/me", headers=headers).status_code == 200
    with AccountStore(settings.home) as other:  # what `altlas keys revoke` does
        other.revoke_key(record.id)
    time.sleep(0.4)
    assert client.get("/v1/auth/me", headers=headers).status_code == 401
    assert (
        client.get("/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_the_router_middleware_still_checks_permissions(client: Any, auth: Any) -> None:
    body = {"text": "Summarize the report"}
    assert client.post("/v1/segment", json=body).status_code == 401
    assert client.post("/v1/segment", json=body, headers=auth["viewer"]).status_code == 403
    assert client.post("/v1/segment", json=body, headers=auth["operator"]).status_code == 200
    assert client.get("/v1/archive/search?q=x").status_code == 401


def _through(opt: dict[str, Any], user: object) -> bool:
    reached: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    scope = {"type": "http", "route_handler": SimpleNamespace(opt=opt), "user": user}
    asyncio.run(PermissionMiddleware(app)(scope, None, None))  # type: ignore[arg-type]
    return bool(reached)


def test_a_route_without_a_permission_is_refused_to_everyone() -> None:
    admin = Principal("key", "k1", Role.ADMIN)
    with pytest.raises(PermissionDeniedException):
        _through({}, admin)
    with pytest.raises(NotAuthorizedException):
        _through({"permission": AUTHENTICATED}, None)
    assert _through({"permission": AUTHENTICATED}, admin)
    assert _through({"exclude_from_auth": True}, None)


def test_a_cached_answer_carries_none_of_the_first_callers_headers(client: Any, auth: Any) -> None:
    """Litestar stores the response-start message it passed outward, and the outer layers
    (request id, version, rate limit) add their headers to that very message: without a copy
    every later caller got the first caller's request id and rate-limit counters, twice."""
    first = client.get("/v1/archive/search?q=shared", headers=auth["viewer"])
    second = client.get("/v1/archive/search?q=shared", headers=auth["admin"])
    assert first.status_code == second.status_code == 200
    assert first.content == second.content  # the same cached answer ...
    for name in ("x-request-id", "api-version", "ratelimit-remaining", "etag", "last-modified"):
        assert len(second.headers.get_list(name)) == 1, (name, second.headers.get_list(name))
    # ... but the request id and the rate-limit counter are the second caller's own
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    assert second.headers["ratelimit-remaining"] == first.headers["ratelimit-remaining"]
