"""``/v1/archive``: upload a ``.last``, search, one record (and its original), statistics.

Search and statistics answers are kept in the response cache; the bus's ``archive.`` events
clear it, so an upload or a finished run is visible to the very next search.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter

from altlas.index.models import ArchiveRecord, ArchiveStats, SearchResults
from altlas.server.caching import resource_response
from altlas.server.context import ServerContext, ctx_of
from altlas.server.documents import check_result
from altlas.server.roles import Permission
from altlas.server.routes._common import (
    PROTECTED,
    RawBodyOperation,
    errors,
    ok,
    read_body,
    route_opt,
)

__all__ = ["make_routes"]

_READ_SEARCH = route_opt(Permission.ARCHIVE_READ, "search")
_WRITE = route_opt(Permission.ARCHIVE_WRITE, "archive")
_CREATED = ("added", "restored")

Multi = Annotated[list[str] | None, QueryParameter(max_items=20)]
Rate = Annotated[float | None, QueryParameter(ge=0, le=1)]
When = Annotated[
    str | None,
    QueryParameter(description="ISO time or a duration back from now (7d, 24h)", max_length=64),
]


def _filters(
    status: list[str] | None,
    tag: list[str] | None,
    min_success: float | None,
    max_success: float | None,
    since: str | None,
    until: str | None,
    task_type: list[str] | None,
    mode: list[str] | None,
    lang: list[str] | None,
) -> dict[str, Any]:
    return {
        "status": status,
        "tag": tag,
        "min_success": min_success,
        "max_success": max_success,
        "since": since,
        "until": until,
        "task_type": task_type,
        "mode": mode,
        "lang": lang,
    }


@post(
    "/archive",
    opt=_WRITE,
    status_code=201,
    operation_class=RawBodyOperation,
    tags=["archive"],
    responses=errors(*PROTECTED),
)
async def upload(
    request: Request[Any, Any, Any],
    name: Annotated[str | None, QueryParameter(max_length=255)] = None,
) -> Response[dict[str, Any]]:
    """Archive a result (``.last`` in any dialect or container). Adding the same bytes again
    answers 200 with the existing record; a new record is 201 with its ``Location``."""
    import asyncio

    from altlas.formats.io import load_result

    ctx = ctx_of(request)
    body = await read_body(request)
    # Read first in a document worker: a bomb or a too-large result fails there, in its
    # own process, before this process spends anything on it.
    await ctx.documents.call(check_result, body, ctx.read_limits)

    def add() -> Any:
        result = load_result(body, limits=ctx.read_limits)
        with ctx.archive.lock:
            return ctx.archive.get().add_result(result, raw=body, name=name)

    outcome = await asyncio.to_thread(add)
    if outcome.status == "failed":
        from altlas.errors import ArchiveError

        raise ArchiveError(outcome.message or "the archive refused the result")
    if outcome.status in _CREATED:
        ctx.bus.publish("archive.added", {"id": outcome.id, "source": "upload"})
    return Response(
        outcome.as_dict(),
        status_code=201 if outcome.status in _CREATED else 200,
        headers={"Location": f"/v1/archive/{outcome.id}"},
    )


def _search_handler(ctx: ServerContext) -> Any:
    @get(
        "/archive/search",
        opt=_READ_SEARCH,
        sync_to_thread=True,
        tags=["archive"],
        responses={**ok(SearchResults), **errors(*PROTECTED)},
        cache=ctx.config.search_cache_seconds or False,
        cache_key_builder=ctx.search_cache.key,
    )
    def search(
        request: Request[Any, Any, Any],
        q: Annotated[str, QueryParameter(max_length=1000, description="tantivy syntax")] = "*",
        status: Multi = None,
        tag: Multi = None,
        min_success: Rate = None,
        max_success: Rate = None,
        since: When = None,
        until: When = None,
        task_type: Multi = None,
        mode: Multi = None,
        lang: Multi = None,
        sort: FromQuery[Literal["relevance", "time", "success"]] = "relevance",
        ascending: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
        snippets: FromQuery[bool] = True,
    ) -> Response[bytes]:
        """Full-text search with filters, sorting and paging (answers are cached)."""
        filters = _filters(status, tag, min_success, max_success, since, until, task_type,
                           mode, lang)  # fmt: skip
        with ctx.archive.lock:
            found = ctx.archive.get().search(
                q,
                sort=sort,
                ascending=ascending,
                limit=limit,
                offset=offset,
                snippets=snippets,
                **filters,
            )
        return resource_response(found.as_dict(), last_modified=None)

    return search


def _stats_handler(ctx: ServerContext) -> Any:
    @get(
        "/archive/stats",
        opt=_READ_SEARCH,
        sync_to_thread=True,
        tags=["archive"],
        responses={**ok(ArchiveStats), **errors(*PROTECTED)},
        cache=ctx.config.search_cache_seconds or False,
        cache_key_builder=ctx.search_cache.key,
    )
    def stats(
        request: Request[Any, Any, Any],
        status: Multi = None,
        tag: Multi = None,
        since: When = None,
        until: When = None,
    ) -> Response[bytes]:
        """Success rates by task type, handler, mode, persona, language and day."""
        from altlas.index.models import Filters

        filters = Filters.build(status=status, tag=tag, since=since, until=until)
        with ctx.archive.lock:
            report = ctx.archive.get().stats(filters)
        return resource_response(report.as_dict(), last_modified=None)

    return stats


@get(
    "/archive/{record_id:str}",
    opt=_READ_SEARCH,
    sync_to_thread=True,
    tags=["archive"],
    responses={**ok(ArchiveRecord), **errors(*PROTECTED, 404)},
)
def record(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
    """One archived result's record (by id, sha256, result id or a unique id prefix)."""
    ctx = ctx_of(request)
    with ctx.archive.lock:
        found = ctx.archive.get().record(record_id)
    return resource_response(found.as_dict(), last_modified=found.added_at)


@get(
    "/archive/{record_id:str}/original",
    opt=_READ_SEARCH,
    sync_to_thread=True,
    tags=["archive"],
    responses={
        **ok(bytes, "The bytes as added", media_type="application/octet-stream"),
        **errors(*PROTECTED, 404),
    },
)
def original(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
    """The result's bytes exactly as they were added."""
    ctx = ctx_of(request)
    with ctx.archive.lock:
        archive = ctx.archive.get()
        found = archive.record(record_id)
        body = archive.show(found.id, raw=True)
    return resource_response(
        body,
        last_modified=found.added_at,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{found.id}.last"'},
    )


def make_routes(ctx: ServerContext) -> list[Any]:
    return [upload, _search_handler(ctx), _stats_handler(ctx), record, original]
