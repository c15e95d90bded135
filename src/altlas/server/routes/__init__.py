"""Route groups, one module each; :func:`v1_routes` assembles the ``/v1`` router's handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from altlas.server.context import ServerContext

__all__ = ["v1_routes"]


def v1_routes(ctx: ServerContext) -> list[Any]:
    from altlas.server.routes import (
        analytics,
        archive,
        atlas,
        auth,
        do,
        keys,
        llm,
        plans,
        runs,
        segment,
        workspaces,
    )

    return [
        *auth.ROUTES,
        *keys.ROUTES,
        *analytics.ROUTES,
        *segment.ROUTES,
        *plans.ROUTES,
        *runs.ROUTES,
        *workspaces.ROUTES,
        *do.ROUTES,
        *archive.make_routes(ctx),
        *atlas.ROUTES,
        *llm.ROUTES,
    ]
