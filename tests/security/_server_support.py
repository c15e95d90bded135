"""Server fixtures: a real app over a fresh ALTLAS_HOME, real accounts and keys per role.

The one copy: the security tests import them from here, and tests/server/conftest.py
re-exports them for the server tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("litestar")

from litestar.testing import TestClient

from altlas.config import Settings, load_settings
from altlas.server import create_app
from altlas.server.accounts import AccountStore

ROLES = ("admin", "operator", "viewer")
PASSWORD = "correct horse battery"


@pytest.fixture
def settings(altlas_home: Any) -> Settings:
    return load_settings()


@pytest.fixture
def keys(settings: Settings) -> dict[str, str]:
    """One API key per role: role -> full key text."""
    with AccountStore(settings.home) as store:
        return {role: store.create_key(f"{role} key", role)[1] for role in ROLES}


@pytest.fixture
def auth(keys: dict[str, str]) -> dict[str, dict[str, str]]:
    """Request headers per role (API keys: fast, no password hashing per test)."""
    return {role: {"X-API-Key": key} for role, key in keys.items()}


@pytest.fixture
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient[Any]]]:
    """``make_client(**server_overrides)``: a started TestClient over a fresh app."""
    opened: list[TestClient[Any]] = []

    def make(**overrides: Any) -> TestClient[Any]:
        client = TestClient(create_app(settings, **overrides), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in reversed(opened):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient[Any]], keys: dict[str, str]) -> TestClient[Any]:
    return make_client()


def error_of(response: Any) -> dict[str, Any]:
    """The envelope's error, after checking the envelope has its one shape."""
    body = response.json()
    assert set(body) == {"error", "request_id"}, body
    assert body["request_id"] == response.headers["x-request-id"]
    error: dict[str, Any] = body["error"]
    assert error["status"] == response.status_code
    assert isinstance(error["message"], str) and error["message"]
    return error
