"""The API docs UI served from the package, so ``/schema/swagger`` works air-gapped.

Swagger UI's files come from the ``swagger-ui-bundle`` package (Apache-2.0, its licence
ships with it) and are served under ``/schema/assets/``; the page Litestar renders points
there instead of at a CDN, and its favicon is the bundle's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["ASSETS", "assets_router", "render_plugins"]

ASSETS = "/schema/assets"
_FILES = (
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-ui.css",
    "favicon-32x32.png",
)


def _bundle_dir() -> Path:
    import swagger_ui_bundle  # type: ignore[import-untyped]

    return Path(swagger_ui_bundle.swagger_ui_path)


def render_plugins() -> list[Any]:
    from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin

    swagger = SwaggerRenderPlugin(
        js_url=f"{ASSETS}/swagger-ui-bundle.js",
        css_url=f"{ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
    )
    return [swagger, JsonRenderPlugin(), YamlRenderPlugin()]


def assets_router(opt: dict[str, Any]) -> Any:
    """The static files of the docs UI (public, cached for a day, never in the schema)."""
    from litestar.datastructures import CacheControlHeader
    from litestar.static_files import create_static_files_router

    return create_static_files_router(
        path=ASSETS,
        directories=[_bundle_dir()],
        name="docs-assets",
        opt=opt,
        cache_control=CacheControlHeader(max_age=86_400, public=True),
        include_in_schema=False,
    )


def asset_names() -> tuple[str, ...]:
    """The files the docs page loads (for tests and the health of a packaged install)."""
    return _FILES
