"""Rate limits per principal and route group: headers, 429 + Retry-After, shared via Redis."""

from __future__ import annotations

import pytest
from tests.redis_support import redis_server

from altlas.server.config import ServerConfig, parse_rate

from .conftest import error_of


def test_rate_parsing_and_config_validation() -> None:
    assert parse_rate("10/hour").limit == 10
    assert parse_rate(" 3 / seconds ").unit == "second"
    with pytest.raises(ValueError):
        parse_rate("ten per minute")
    with pytest.raises(ValueError):
        ServerConfig(rate_limits={"nonsense": "1/second"})
    with pytest.raises(ValueError):
        ServerConfig(principal_rate_limits={"alice": {"search": "1/second"}})
    config = ServerConfig(
        rate_limits={"runs": "5/hour"},
        principal_rate_limits={"key:abc": {"runs": "50/hour"}},
    )
    assert config.limit_for("runs", "key:other").limit == 5
    assert config.limit_for("runs", "key:abc").unit == "hour"
    assert config.limit_for("segment").limit == 120  # the default


def test_headers_count_down_then_429_with_retry_after(make_client, auth) -> None:
    client = make_client(rate_limits={"runs": "3/hour"})
    remaining = []
    for _ in range(3):
        response = client.get("/v1/runs", headers=auth["viewer"])
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "3"
        assert response.headers["ratelimit-policy"] == "3;w=3600"
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 3600
        remaining.append(int(response.headers["ratelimit-remaining"]))
    assert remaining == [2, 1, 0]
    refused = client.get("/v1/runs", headers=auth["viewer"])
    assert refused.status_code == 429
    assert refused.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert "runs" in error_of(refused)["message"]


def test_counters_are_per_principal(make_client, auth) -> None:
    client = make_client(rate_limits={"runs": "2/hour"})
    for _ in range(2):
        client.get("/v1/runs", headers=auth["viewer"])
    assert client.get("/v1/runs", headers=auth["viewer"]).status_code == 429
    assert client.get("/v1/runs", headers=auth["operator"]).status_code == 200


def test_counters_are_per_route_group(make_client, auth) -> None:
    client = make_client(rate_limits={"runs": "1/hour", "admin": "5/hour"})
    assert client.get("/v1/runs", headers=auth["admin"]).status_code == 200
    assert client.get("/v1/runs", headers=auth["admin"]).status_code == 429
    keys = client.get("/v1/keys", headers=auth["admin"])
    assert keys.status_code == 200
    assert keys.headers["ratelimit-limit"] == "5"


def test_principal_override(make_client, auth, keys) -> None:
    me = make_client().get("/v1/auth/me", headers=auth["viewer"]).json()["principal"]
    client = make_client(
        rate_limits={"runs": "1/hour"},
        principal_rate_limits={me: {"runs": "4/hour"}},
    )
    statuses = [client.get("/v1/runs", headers=auth["viewer"]).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert client.get("/v1/runs", headers=auth["operator"]).status_code == 200
    assert client.get("/v1/runs", headers=auth["operator"]).status_code == 429


def test_anonymous_auth_routes_are_limited_by_address(make_client) -> None:
    client = make_client(rate_limits={"auth": "2/hour"})
    body = {"username": "nobody", "password": "whatever-password"}
    statuses = [client.post("/v1/auth/token", json=body).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_limits_can_be_switched_off(make_client, auth) -> None:
    client = make_client(rate_limits={"runs": "1/hour"}, rate_limits_enabled=False)
    for _ in range(3):
        response = client.get("/v1/runs", headers=auth["viewer"])
        assert response.status_code == 200
        assert "ratelimit-limit" not in response.headers


def test_health_is_not_limited(make_client) -> None:
    client = make_client(rate_limits={"ops": "1/hour"})
    assert all(client.get("/health").status_code == 200 for _ in range(5))


@pytest.fixture
def redis_url(tmp_path):
    with redis_server(tmp_path) as url:
        yield url


@pytest.mark.slow
def test_redis_store_shares_counters_between_instances(make_client, auth, redis_url) -> None:
    one = make_client(redis=redis_url, rate_limits={"runs": "3/hour"})
    two = make_client(redis=redis_url, rate_limits={"runs": "3/hour"})
    assert one.get("/ready").json()["checks"]["redis"] == "ok"
    statuses = [
        (one if n % 2 else two).get("/v1/runs", headers=auth["viewer"]).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    # Memory-store instances beside them keep their own counts.
    assert (
        make_client(rate_limits={"runs": "3/hour"})
        .get("/v1/runs", headers=auth["viewer"])
        .status_code
        == 200
    )
