"""``/v1/atlas``: distil the archive into an ``.atlas`` (recorded), list them, fetch one."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody

from altlas.formats.atlas import Atlas
from altlas.server.caching import resource_response
from altlas.server.context import ctx_of
from altlas.server.models import AtlasRequest
from altlas.server.responses import AtlasList
from altlas.server.roles import Permission
from altlas.server.routes._common import PROTECTED, errors, ok, route_opt
from altlas.server.routes.archive import FILTERS, FiltersDep

__all__ = ["ROUTES"]

_READ = route_opt(Permission.ARCHIVE_READ, "search")
_WRITE = route_opt(Permission.ATLAS_WRITE, "atlas")


@post(
    "/atlas",
    opt=_WRITE,
    status_code=201,
    tags=["atlas"],
    responses=errors(*PROTECTED),
    dependencies={"filters": FILTERS},
)
async def build(
    request: Request[Any, Any, Any],
    filters: FiltersDep,
    data: JSONBody[AtlasRequest | None] = None,
) -> Response[dict[str, Any]]:
    """Build an atlas from the archive and record it; the query narrows it as in search,
    and the body's ``since`` (if any) overrides the query's."""
    ctx = ctx_of(request)
    since = data.since if data is not None else None

    def run() -> Any:
        with ctx.archive.lock:
            archive = ctx.archive.get()
            return archive.record_atlas(archive.build_atlas(since, filters=filters))

    entry = await asyncio.to_thread(run)
    ctx.bus.publish("atlas.built", {"id": entry.id, "results": entry.results})
    return Response(
        entry.as_dict(),
        status_code=201,
        headers={"Location": f"/v1/atlas/{entry.id}"},
    )


@get(
    "/atlas",
    opt=_READ,
    sync_to_thread=True,
    tags=["atlas"],
    responses={**ok(AtlasList), **errors(*PROTECTED)},
)
def list_atlases(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Every recorded atlas, oldest first."""
    ctx = ctx_of(request)
    with ctx.archive.lock:
        entries = ctx.archive.get().list_atlases()
    latest = max((e.recorded_at for e in entries), default=None)
    return resource_response({"atlases": [e.as_dict() for e in entries]}, last_modified=latest)


@get(
    "/atlas/{atlas_id:str}",
    opt=_READ,
    sync_to_thread=True,
    tags=["atlas"],
    responses={**ok(Atlas, "The .atlas document"), **errors(*PROTECTED, 404)},
)
def fetch(request: Request[Any, Any, Any], atlas_id: FromPath[str]) -> Response[bytes]:
    """One recorded atlas as a canonical ``.atlas`` document."""
    from altlas.formats.io import to_bytes

    ctx = ctx_of(request)
    with ctx.archive.lock:
        atlas = ctx.archive.get().atlas(atlas_id)
    return resource_response(to_bytes(atlas, pretty=False), last_modified=atlas.created_at)


ROUTES = [build, list_atlases, fetch]
