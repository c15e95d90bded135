"""Sessions and client addresses (issue 9 items 9 and 10).

* An access token dies with its login: after logout, or after a refresh token of the same
  login is replayed, the old access token is refused at once (not 15 minutes later).
* ``X-Forwarded-For`` counts only from ``[server] trusted_proxies``: a loopback client that
  invents a new address on every try still shares one login-rate bucket.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from altlas.server.accounts import AccountStore
from altlas.server.process import ServerProcess
from altlas.server.signing import signing_key

from ._server_support import PASSWORD, client, error_of, keys, make_client, settings

__all__ = ["client", "keys", "make_client", "settings"]


@pytest.fixture
def users(settings: Any) -> None:
    with AccountStore(settings.home) as store:
        store.add_user("ada", PASSWORD, "admin")


def _login(client: Any) -> dict[str, Any]:
    response = client.post("/v1/auth/token", json={"username": "ada", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _me(client: Any, token: str) -> Any:
    return client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_logout_kills_the_access_token_at_once(client, users) -> None:
    pair = _login(client)
    assert _me(client, pair["access_token"]).status_code == 200
    out = client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    refused = _me(client, pair["access_token"])
    assert refused.status_code == 401
    assert "revoked" in error_of(refused)["message"]


def test_refresh_reuse_kills_every_access_token_of_the_login(client, users) -> None:
    first = _login(client)
    second = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    newest = second.json()
    assert _me(client, first["access_token"]).status_code == 200
    assert _me(client, newest["access_token"]).status_code == 200
    replay = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert _me(client, first["access_token"]).status_code == 401
    assert _me(client, newest["access_token"]).status_code == 401


def test_other_logins_of_the_same_user_survive(client, users) -> None:
    kept, dropped = _login(client), _login(client)
    client.post("/v1/auth/logout", json={"refresh_token": dropped["refresh_token"]})
    assert _me(client, dropped["access_token"]).status_code == 401
    assert _me(client, kept["access_token"]).status_code == 200


def test_logout_in_another_process_is_seen_within_the_cache_time(
    make_client, users, settings
) -> None:
    here = make_client(principal_cache_seconds=0.2)
    there = make_client(principal_cache_seconds=0.2)
    pair = _login(here)
    assert _me(here, pair["access_token"]).status_code == 200
    there.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    time.sleep(0.3)
    assert _me(here, pair["access_token"]).status_code == 401


def test_a_signed_access_token_without_a_session_is_refused(client, users, settings) -> None:
    claims = jwt.decode(_login(client)["access_token"], options={"verify_signature": False})
    claims.pop("sid")
    token = jwt.encode(claims, signing_key(settings.home), algorithm="HS256")
    assert _me(client, token).status_code == 401


# -- X-Forwarded-For -------------------------------------------------------------------------


def _away_from_a_window_edge(window_s: int = 60, margin_s: float = 15.0) -> None:
    """Rate-limit windows are aligned to the clock: attempts that straddle a minute boundary
    would land in two windows, so start them where the whole burst fits in one."""
    left = window_s - time.time() % window_s
    if left < margin_s:
        time.sleep(left + 0.1)


def _attempts(server: ServerProcess, count: int) -> list[int]:
    _away_from_a_window_edge()
    statuses = []
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for n in range(count):
            response = http.post(
                "/v1/auth/token",
                json={"username": "nobody", "password": "wrong password"},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            statuses.append(response.status_code)
    return statuses


@pytest.mark.slow
def test_forwarded_for_from_an_untrusted_peer_shares_one_bucket(tmp_path: Path) -> None:
    env = {"ALTLAS_SERVER__RATE_LIMITS": '{"auth": "3/minute"}'}
    with ServerProcess(tmp_path / "home", env=env) as server:
        statuses = _attempts(server, 5)
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]


@pytest.mark.slow
def test_forwarded_for_from_a_trusted_proxy_is_the_client(tmp_path: Path) -> None:
    env = {
        "ALTLAS_SERVER__RATE_LIMITS": '{"auth": "3/minute"}',
        "ALTLAS_SERVER__TRUSTED_PROXIES": '["127.0.0.1"]',
    }
    with ServerProcess(tmp_path / "home", env=env) as server:
        statuses = _attempts(server, 5)
    assert statuses == [401] * 5


def test_a_locked_account_store_never_stalls_other_requests(client, users, settings) -> None:
    """Refresh, logout and the key routes wait for auth.db's lock (up to its busy timeout)
    when another process writes it; on the event loop that wait stopped every request."""
    import sqlite3
    import threading

    refresh_token = _login(client)["refresh_token"]
    holder = sqlite3.connect(settings.home / "auth.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # what `altlas users add` does for a moment, held long
    answers: list[int] = []
    waiting = threading.Thread(
        target=lambda: answers.append(
            client.post("/v1/auth/logout", json={"refresh_token": refresh_token}).status_code
        )
    )
    try:
        waiting.start()
        time.sleep(0.3)  # time for the logout to reach the lock (it then waits up to 10 s)
        started = time.monotonic()
        assert client.get("/health").status_code == 200
        assert time.monotonic() - started < 2.0  # the busy timeout is 10 s
    finally:
        holder.close()
        waiting.join(30)
    assert answers == [204]  # and once the lock is gone the logout goes through


def test_a_write_waiting_for_auth_db_never_blocks_the_credential_checks(
    client, users, settings
) -> None:
    """Reads shared the one connection's lock with writes: a write waiting for another
    process's lock (a logout, or the background last_used_at writer) held it for up to the
    busy timeout, and a credential check on the event loop waited behind it."""
    import sqlite3
    import threading

    refresh_token = _login(client)["refresh_token"]
    with AccountStore(settings.home) as store:
        _, secret = store.create_key("fresh", "viewer")  # never seen: its check reads auth.db
    holder = sqlite3.connect(settings.home / "auth.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    waiting = threading.Thread(
        target=client.post,
        args=("/v1/auth/logout",),
        kwargs={"json": {"refresh_token": refresh_token}},
    )
    try:
        waiting.start()
        time.sleep(0.3)  # time for the logout to hold the connection, waiting for the lock
        started = time.monotonic()
        me = client.get("/v1/auth/me", headers={"X-API-Key": secret})
        assert time.monotonic() - started < 2.0  # the busy timeout is 10 s
        assert me.status_code == 200
    finally:
        holder.close()
        waiting.join(30)
