"""Hostile request bodies and parameters: deep nesting (issue 9 item 5) and overflowing
times (item 6) are a 400 in the error envelope, never a 500; the CLI exits 2."""

from __future__ import annotations

from typing import Any

import pytest

from altlas.errors import AltlasError, InvalidInputError
from altlas.index.timeparse import parse_age, parse_when

from ._server_support import auth, client, error_of, keys, make_client, settings

__all__ = ["auth", "client", "keys", "make_client", "settings"]

DEPTH = 1000


def _deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def _deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


JSON_ROUTES: dict[str, str] = {
    "/v1/auth/token": '{"username": "ada", "password": "password!", "x": %s}',
    "/v1/auth/refresh": '{"refresh_token": "x", "x": %s}',
    "/v1/auth/logout": '{"refresh_token": "x", "x": %s}',
    "/v1/keys": '{"name": "k", "role": "viewer", "x": %s}',
    "/v1/segment": '{"text": "list the files", "x": %s}',
    "/v1/runs": '{"plan": %s}',
    "/v1/atlas": '{"since": %s}',
}


@pytest.mark.parametrize("path", sorted(JSON_ROUTES))
@pytest.mark.parametrize("nest", [_deep_list, _deep_object])
def test_deep_json_is_a_400_on_every_json_route(client, auth, path: str, nest: Any) -> None:
    body = JSON_ROUTES[path] % nest(DEPTH)
    headers = {**auth["admin"], "Content-Type": "application/json"}
    if path.startswith("/v1/auth"):
        headers = {"Content-Type": "application/json"}  # before any login
    response = client.post(path, content=body.encode(), headers=headers)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["type"] == "bad_request"
    assert "nested" in error["message"], error


def test_moderate_nesting_still_parses(client, auth) -> None:
    body = f'{{"name": "k", "role": "viewer", "x": {_deep_list(20)}}}'
    response = client.post(
        "/v1/keys",
        content=body.encode(),
        headers={**auth["admin"], "Content-Type": "application/json"},
    )
    assert response.status_code == 422  # parsed, then refused by the model (extra field)


OVERFLOWING = [
    "99999999d",
    "99999999999999999999y",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
]


@pytest.mark.parametrize("value", OVERFLOWING)
@pytest.mark.parametrize("path", ["/v1/archive/search", "/v1/archive/stats", "/v1/analytics"])
def test_overflowing_since_is_a_400_naming_the_value(client, auth, path: str, value: str) -> None:
    response = client.get(path, params={"since": value}, headers=auth["admin"])
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert value in error["message"]


@pytest.mark.parametrize("value", OVERFLOWING)
def test_timeparse_names_the_overflowing_value(value: str) -> None:
    with pytest.raises(AltlasError, match="out of range") as caught:
        parse_when(value)
    assert value in str(caught.value)
    assert isinstance(caught.value, InvalidInputError)  # exit 2 / HTTP 400 by its group


def test_an_overflowing_age_is_an_error() -> None:
    with pytest.raises(AltlasError, match="99999999999d"):
        parse_age("99999999999d")


def test_cli_archive_search_exits_2_naming_the_value(cli) -> None:
    result = cli("archive", "search", "report", "--since", "99999999d")
    assert result.exit_code == 2, result.output
    assert "99999999d" in result.output
    assert "Traceback" not in result.output


def test_a_large_json_body_is_refused_before_it_is_decoded(client) -> None:
    """Model-bound JSON is decoded on the event loop, so such routes take small bodies only
    (the global limit is for documents, which are read in worker processes)."""
    padding = "x" * 200_000
    body = f'{{"username": "ada", "password": "password!", "x": "{padding}"}}'
    response = client.post(
        "/v1/auth/token", content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert error_of(response)["type"] == "payload_too_large"
