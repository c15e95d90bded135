"""The API docs work air-gapped, and every response in the OpenAPI document is typed."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from altlas.server.docs_ui import ASSETS, asset_names

_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
TEXT_MEDIA = {"text/event-stream", "text/plain", "application/octet-stream"}
"""Routes that really answer text or bytes: SSE, the Prometheus exposition, file downloads."""


def test_swagger_page_and_assets_come_from_the_app(client: TestClient[Any]) -> None:
    page = client.get("/schema/swagger")
    assert page.status_code == 200
    head = page.text.split("<body", 1)[0]
    referenced = _REFERENCE.findall(head)
    assert referenced, head
    assert {f"{ASSETS}/{name}" for name in asset_names()} <= set(referenced)
    for url in referenced:
        assert url.startswith("/"), f"docs page loads {url} from outside the server"
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url
        if url.endswith(".css"):
            # a stylesheet could pull fonts or images from elsewhere
            assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", asset.text), url
    # nothing in the page loads from another host (the inline spec may mention URLs)
    assert not re.search(r"""<(?:script|link|img)[^>]+(?:src|href)=["'](?:https?:)?//""", page.text)
    assert "cdn.jsdelivr.net" not in page.text


def test_assets_need_no_credentials_but_the_api_does(client: TestClient[Any]) -> None:
    assert client.get(f"{ASSETS}/swagger-ui.css").status_code == 200
    assert client.get("/v1/workspaces").status_code == 401


def _responses(doc: dict[str, Any]) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    found = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                for media, entry in (response.get("content") or {}).items():
                    found.append((method.upper(), path, status, media, entry.get("schema") or {}))
    return found


def test_no_json_response_is_a_bare_string(client: TestClient[Any]) -> None:
    doc = client.get("/schema/openapi.json").json()
    components = doc.get("components", {}).get("schemas", {})
    bare = []
    for method, path, status, media, schema in _responses(doc):
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        if media in TEXT_MEDIA:
            continue
        if not schema or schema.get("type") == "string":
            bare.append(f"{method} {path} {status} {media}")
    assert not bare, bare
    # and the text ones are exactly the routes that answer text or bytes
    texts = {(m, p) for m, p, s, media, _ in _responses(doc) if media in TEXT_MEDIA}
    assert texts == {
        ("GET", "/metrics"),
        ("GET", "/v1/runs/{run_id}/events"),
        ("GET", "/v1/workspaces/{space_id}/files/{name}"),
        ("GET", "/v1/archive/{record_id}/original"),
    }


def test_success_responses_name_their_models(client: TestClient[Any]) -> None:
    doc = client.get("/schema/openapi.json").json()
    by_route = {(m, p, s): schema for m, p, s, media, schema in _responses(doc)}
    for route in [
        ("GET", "/v1/runs/{run_id}", "200"),
        ("GET", "/v1/runs", "200"),
        ("POST", "/v1/do", "200"),
        ("GET", "/v1/workspaces/{space_id}", "200"),
        ("GET", "/v1/archive/search", "200"),
        ("GET", "/v1/keys", "200"),
    ]:
        assert "$ref" in by_route[route], (route, by_route[route])
