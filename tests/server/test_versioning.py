"""Versioning: the /v1 prefix, API-Version, 404 naming supported versions, deprecation headers."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from altlas.server.versioning import Deprecation, VersionPolicy

from .conftest import error_of


def test_api_version_header_on_v1_responses_only(client, auth) -> None:
    assert client.get("/v1/runs", headers=auth["viewer"]).headers["api-version"] == "v1"
    assert client.get("/v1/runs").headers["api-version"] == "v1"  # errors too
    assert "api-version" not in client.get("/health").headers


def test_unknown_versions_name_the_supported_ones(client, auth) -> None:
    for path in ("/v0/runs", "/v2/segment", "/v10"):
        response = client.get(path, headers=auth["admin"])
        assert response.status_code == 404
        assert "supported versions: v1" in error_of(response)["message"]


def test_no_deprecation_headers_by_default(client, auth) -> None:
    response = client.get("/v1/runs", headers=auth["viewer"])
    assert "deprecation" not in response.headers and "sunset" not in response.headers


def test_deprecated_version_sends_deprecation_sunset_and_link(make_client, auth) -> None:
    client = make_client(
        deprecations={
            "v1": {
                "at": "2026-01-01T00:00:00Z",
                "sunset": "2027-01-01T00:00:00Z",
                "successor": "https://example.invalid/v2",
            },
        },
    )
    response = client.get("/v1/runs", headers=auth["viewer"])
    assert (
        response.headers["deprecation"] == f"@{int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())}"
    )
    assert parsedate_to_datetime(response.headers["sunset"]) == datetime(2027, 1, 1, tzinfo=UTC)
    assert response.headers["link"] == '<https://example.invalid/v2>; rel="successor-version"'


def test_route_level_deprecation_from_handler_opt() -> None:
    policy = VersionPolicy(("v1", "v2"))
    dep = Deprecation(datetime(2026, 6, 1, tzinfo=UTC))

    class Handler:
        def __init__(self) -> None:
            self.opt = {"deprecation": dep}

    headers = dict(policy.route_headers({"route_handler": Handler()}))
    assert headers[b"deprecation"] == f"@{int(dep.at.timestamp())}".encode()
    assert policy.route_headers({}) == []
    assert policy.unknown_version_message("/v3/x") == (
        "API version v3 is not supported; supported versions: v1, v2"
    )
    assert policy.unknown_version_message("/v2/x") is None
    assert policy.unknown_version_message("/health") is None
