"""Authentication over HTTP: password login, JWTs, refresh rotation, API keys, cookies + CSRF."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from altlas.server.accounts import AccountStore
from altlas.server.signing import signing_key

from .conftest import PASSWORD, error_of


@pytest.fixture
def users(settings):
    with AccountStore(settings.home) as store:
        store.add_user("ada", PASSWORD, "admin")
        store.add_user("vic", PASSWORD, "viewer")


def login(client, name: str = "ada", **extra):
    return client.post("/v1/auth/token", json={"username": name, "password": PASSWORD, **extra})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_issues_access_and_refresh_tokens(client, users) -> None:
    response = login(client)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["role"] == "admin"
    assert body["expires_in"] == 15 * 60
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "ada" and claims["typ"] == "access"
    assert claims["iss"] == "altlas" and claims["aud"] == "altlas-api"
    me = client.get("/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.json() == {"principal": "user:ada", "kind": "user", "id": "ada", "role": "admin"}


def test_wrong_password_and_unknown_user_look_the_same(client, users) -> None:
    wrong = client.post("/v1/auth/token", json={"username": "ada", "password": "nope-nope"})
    unknown = client.post("/v1/auth/token", json={"username": "zed", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong)["message"] == error_of(unknown)["message"]
    assert wrong.headers["www-authenticate"].startswith("Bearer")


def test_missing_and_garbage_credentials_are_401(client) -> None:
    for headers in ({}, bearer("garbage"), bearer("a.b.c"), {"X-API-Key": "altk_nope"}):
        response = client.get("/v1/runs", headers=headers)
        assert response.status_code == 401, headers
        assert error_of(response)["type"] == "unauthorized"


def test_expired_and_foreign_tokens_are_401(client, users, settings) -> None:
    secret = signing_key(settings.home)
    past = datetime.now(UTC) - timedelta(hours=1)
    claims = {
        "sub": "ada",
        "iat": int((past - timedelta(minutes=15)).timestamp()),
        "exp": int(past.timestamp()),
        "iss": "altlas",
        "aud": "altlas-api",
        "typ": "access",
    }
    expired = jwt.encode(claims, secret, algorithm="HS256")
    assert client.get("/v1/auth/me", headers=bearer(expired)).status_code == 401
    fresh = {**claims, "exp": int(time.time()) + 600}
    forged = jwt.encode(fresh, "another-secret-of-sufficient-length!!", algorithm="HS256")
    assert client.get("/v1/auth/me", headers=bearer(forged)).status_code == 401
    wrong_audience = jwt.encode({**fresh, "aud": "someone-else"}, secret, algorithm="HS256")
    assert client.get("/v1/auth/me", headers=bearer(wrong_audience)).status_code == 401
    # Correctly signed, but naming no login: every access token belongs to a session.
    sessionless = jwt.encode(fresh, secret, algorithm="HS256")
    assert client.get("/v1/auth/me", headers=bearer(sessionless)).status_code == 401
    issued = jwt.decode(login(client).json()["access_token"], options={"verify_signature": False})
    genuine = jwt.encode({**fresh, "sid": issued["sid"]}, secret, algorithm="HS256")
    assert client.get("/v1/auth/me", headers=bearer(genuine)).status_code == 200


def test_refresh_token_is_not_an_access_token(client, users) -> None:
    body = login(client).json()
    assert client.get("/v1/auth/me", headers=bearer(body["refresh_token"])).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_login(client, users) -> None:
    first = login(client).json()
    second = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"]
    assert client.get("/v1/auth/me", headers=bearer(new["access_token"])).status_code == 200
    replay = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    # The replay revoked the family, so the newest refresh token is dead too.
    again = client.post("/v1/auth/refresh", json={"refresh_token": new["refresh_token"]})
    assert again.status_code == 401


def test_logout_revokes_refresh(client, users) -> None:
    body = login(client).json()
    out = client.post("/v1/auth/logout", json={"refresh_token": body["refresh_token"]})
    assert out.status_code == 204
    refused = client.post("/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refused.status_code == 401


def test_removed_user_token_stops_working(make_client, users, settings) -> None:
    client = make_client(principal_cache_seconds=0.2)
    token = login(client, "vic").json()["access_token"]
    assert client.get("/v1/auth/me", headers=bearer(token)).status_code == 200
    with AccountStore(settings.home) as store:
        store.remove_user("vic")
    time.sleep(0.3)  # the principal cache holds an answer for principal_cache_seconds
    assert client.get("/v1/auth/me", headers=bearer(token)).status_code == 401


def test_api_key_in_either_header_and_revocation(client, auth, keys) -> None:
    key = keys["viewer"]
    assert client.get("/v1/auth/me", headers={"X-API-Key": key}).status_code == 200
    me = client.get("/v1/auth/me", headers=bearer(key))
    assert me.status_code == 200 and me.json()["kind"] == "key"
    key_id = me.json()["id"]
    revoked = client.delete(f"/v1/keys/{key_id}", headers=auth["admin"])
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert client.get("/v1/auth/me", headers={"X-API-Key": key}).status_code == 401


def test_key_created_over_http_is_shown_once(client, auth) -> None:
    created = client.post(
        "/v1/keys", json={"name": "bot", "role": "operator"}, headers=auth["admin"]
    )
    assert created.status_code == 201
    body = created.json()
    assert created.headers["location"] == f"/v1/keys/{body['id']}"
    assert body["key"].startswith(body["prefix"]) and body["created_by"].startswith("key:")
    listed = client.get("/v1/keys", headers=auth["admin"]).json()["keys"]
    assert all("key" not in k for k in listed)
    one = client.get(f"/v1/keys/{body['id']}", headers=auth["admin"]).json()
    assert "key" not in one and one["role"] == "operator"
    assert (
        client.get("/v1/auth/me", headers={"X-API-Key": body["key"]}).json()["role"] == "operator"
    )


def test_cookie_session_needs_csrf_token_for_writes(client, users) -> None:
    response = login(client, cookie=True)
    assert response.status_code == 200
    csrf = response.json()["csrf_token"]
    set_cookie = response.headers.get_list("set-cookie")
    token_cookie = next(c for c in set_cookie if c.startswith("altlas_token="))
    assert "HttpOnly" in token_cookie and "samesite=strict" in token_cookie.lower()
    # The client now holds the cookies: reads work without any header.
    assert client.get("/v1/auth/me").status_code == 200
    forged = client.post("/v1/keys", json={"name": "x", "role": "viewer"})
    assert forged.status_code == 403
    assert "CSRF" in error_of(forged)["message"]
    allowed = client.post(
        "/v1/keys", json={"name": "x", "role": "viewer"}, headers={"X-CSRF-Token": csrf}
    )
    assert allowed.status_code == 201


def test_explicit_credentials_need_no_csrf_even_with_cookies(client, users, auth) -> None:
    login(client, cookie=True)
    created = client.post("/v1/keys", json={"name": "y", "role": "viewer"}, headers=auth["admin"])
    assert created.status_code == 201


def test_key_use_is_recorded_off_the_request_path(make_client, settings) -> None:
    with AccountStore(settings.home) as store:
        record, secret = store.create_key("ci", "viewer")
    client = make_client()
    assert client.get("/v1/auth/me", headers={"X-API-Key": secret}).status_code == 200
    client.app.state["auth"].close()  # what shutdown does: wait for the pending writes
    with AccountStore(settings.home) as store:
        key = store.get_key(record.id)
    assert key is not None and key.last_used_at is not None
