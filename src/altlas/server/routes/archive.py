"""``/v1/archive``: upload a ``.last``, search, one record (and its original), statistics.

Search and statistics answers are kept in the response cache; the bus's ``archive.`` events
clear it, so an upload or a finished run is visible to the very next search.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter

from altlas.index.filters import Filters
from altlas.index.filterspec import FILTER_PARAMS, FilterKind, FilterParam, SearchSort
from altlas.index.models import ArchiveRecord, ArchiveStats, FileOutcome, SearchResults
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

__all__ = ["FILTERS", "FiltersDep", "make_routes"]

_READ_SEARCH = route_opt(Permission.ARCHIVE_READ, "search")
_WRITE = route_opt(Permission.ARCHIVE_WRITE, "archive")
_CREATED = ("added", "restored")


def _query_type(param: FilterParam) -> Any:
    if param.kind is FilterKind.RATE:
        return Annotated[float | None, QueryParameter(ge=0, le=1, description=param.help)]
    if param.kind is FilterKind.TIME:
        return Annotated[str | None, QueryParameter(max_length=64, description=param.help)]
    return Annotated[list[str] | None, QueryParameter(max_items=20, description=param.help)]


def _filters_dependency() -> Any:
    """A dependency whose query parameters are the archive filters, declared in ``Filters``."""

    def filters(**values: Any) -> Filters:
        return Filters.of(values)  # a bad value is a FilterError: 400 naming the parameter

    parameters = [
        inspect.Parameter(
            p.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_query_type(p)
        )
        for p in FILTER_PARAMS
    ]
    filters.__signature__ = inspect.Signature(parameters, return_annotation=Filters)  # type: ignore[attr-defined]
    filters.__annotations__ = {**{p.name: p.annotation for p in parameters}, "return": Filters}
    return filters


FILTERS = Provide(_filters_dependency(), sync_to_thread=False)
"""``dependencies={"filters": FILTERS}`` and a ``filters: FiltersDep`` parameter: the handler
gets one validated ``Filters``."""
FiltersDep = NamedDependency[Filters]


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

    def add() -> FileOutcome:
        result = load_result(body, limits=ctx.read_limits)
        with ctx.archive.lock:
            return ctx.archive.get().add_result(result, raw=body, name=name)

    outcome = await asyncio.to_thread(add)
    if outcome.status == "failed":
        from altlas.errors import ArchiveInputError

        raise ArchiveInputError(outcome.message or "the archive refused the result")
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
        dependencies={"filters": FILTERS},
    )
    def search(
        request: Request[Any, Any, Any],
        filters: FiltersDep,
        q: Annotated[str, QueryParameter(max_length=1000, description="tantivy syntax")] = "*",
        sort: FromQuery[SearchSort] = SearchSort.RELEVANCE,
        ascending: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
        snippets: FromQuery[bool] = True,
    ) -> Response[bytes]:
        """Full-text search with filters, sorting and paging (answers are cached)."""
        with ctx.archive.lock:
            found = ctx.archive.get().search(
                q, filters, sort=sort, ascending=ascending, limit=limit, offset=offset,
                snippets=snippets,
            )  # fmt: skip
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
        dependencies={"filters": FILTERS},
    )
    def stats(request: Request[Any, Any, Any], filters: FiltersDep) -> Response[bytes]:
        """Success rates by task type, handler, mode, persona, language and day."""
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
