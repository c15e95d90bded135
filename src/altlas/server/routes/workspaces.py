"""``/v1/workspaces``: create, upload (multipart or raw body), list, download, delete.

Owned like runs: the creator, the audiences it is shared with and admins see a workspace;
anyone else gets the same 404 as for a missing one. Files are read and written in threads,
multipart bodies parsed there too, never on the event loop.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Request, Response, delete, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from altlas.errors import DecodeError, TooLargeError
from altlas.server.accounts import Principal
from altlas.server.context import ServerContext, ctx_of
from altlas.server.models import FileInfo, FileList, WorkspaceCreate, WorkspaceInfo, WorkspaceList
from altlas.server.roles import Permission
from altlas.server.routes._common import (
    PROTECTED,
    SMALL_BODY,
    RawBodyOperation,
    audience,
    errors,
    model_body_operation,
    read_body,
    route_opt,
)
from altlas.server.workspaces import FileEntry, FileNameError, Workspace, WorkspaceStore, file_url

__all__ = ["ROUTES", "visible_space"]

_READ = route_opt(Permission.RUNS_READ, "runs")
_WRITE = route_opt(Permission.RUNS_WRITE, "runs")
_CHUNK = 256 * 1024


class BodyTooLargeError(TooLargeError):
    pass


def _store(ctx: ServerContext) -> WorkspaceStore:
    store: WorkspaceStore = ctx.workspaces
    return store


async def visible_space(request: Request[Principal, Any, Any], space_id: str) -> Workspace:
    ctx = ctx_of(request)
    return await asyncio.to_thread(_store(ctx).get, space_id, audience(ctx, request.user))


def _rel(name: str) -> str:
    """The ``{name:path}`` parameter without the one slash routing puts in front."""
    return name[1:] if name.startswith("/") else name


def _file(space: Workspace, entry: FileEntry) -> dict[str, Any]:
    return {
        "path": entry.path,
        "size_bytes": entry.size_bytes,
        "modified_at": entry.modified_at,
        "url": file_url(space.id, entry.path),
    }


def _info(space: Workspace, entries: list[FileEntry] | None = None) -> dict[str, Any]:
    base = f"/v1/workspaces/{space.id}"
    return {
        "id": space.id,
        "owner": space.owner,
        "share": space.share,
        "created_at": space.created_at,
        "files": None if entries is None else [_file(space, e) for e in entries],
        "links": {"self": base, "files": f"{base}/files"},
    }


@post(
    "/workspaces",
    opt=_WRITE,
    status_code=201,
    tags=["workspaces"],
    responses=errors(*PROTECTED),
    operation_class=model_body_operation(WorkspaceCreate),
)
async def create(request: Request[Principal, Any, Any]) -> Response[WorkspaceInfo]:
    """A new, empty workspace owned by the caller (the body may be empty)."""
    import orjson
    import pydantic

    raw = await read_body(request)
    if len(raw) > SMALL_BODY:
        raise BodyTooLargeError(f"the body is larger than {SMALL_BODY} bytes")
    try:
        wanted = WorkspaceCreate.model_validate(orjson.loads(raw) if raw.strip() else {})
    except (orjson.JSONDecodeError, pydantic.ValidationError) as exc:
        raise DecodeError(f"the body is not a workspace request: {exc}".splitlines()[0]) from None
    ctx = ctx_of(request)
    space = await asyncio.to_thread(_store(ctx).create, request.user.key, list(wanted.share))
    body = WorkspaceInfo.model_validate(_info(space, []))
    return Response(body, status_code=201, headers={"Location": f"/v1/workspaces/{space.id}"})


@get("/workspaces", opt=_READ, tags=["workspaces"], responses=errors(*PROTECTED))
async def list_spaces(
    request: Request[Principal, Any, Any],
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> WorkspaceList:
    """The workspaces the caller may see, newest first."""
    ctx = ctx_of(request)
    spaces = await asyncio.to_thread(_store(ctx).visible, audience(ctx, request.user), limit)
    return WorkspaceList.model_validate({"workspaces": [_info(s) for s in spaces]})


@get(
    "/workspaces/{space_id:str}",
    opt=_READ,
    tags=["workspaces"],
    responses=errors(*PROTECTED, 404),
)
async def show(request: Request[Principal, Any, Any], space_id: FromPath[str]) -> WorkspaceInfo:
    """The workspace and its files, each with a download URL."""
    space = await visible_space(request, space_id)
    entries = await asyncio.to_thread(_store(ctx_of(request)).files, space)
    return WorkspaceInfo.model_validate(_info(space, entries))


@delete(
    "/workspaces/{space_id:str}",
    opt=_WRITE,
    tags=["workspaces"],
    responses=errors(*PROTECTED, 404),
)
async def remove(request: Request[Principal, Any, Any], space_id: FromPath[str]) -> None:
    """Delete the workspace and every file in it."""
    space = await visible_space(request, space_id)
    await asyncio.to_thread(_store(ctx_of(request)).delete, space)


@put(
    "/workspaces/{space_id:str}/files/{name:path}",
    opt=_WRITE,
    status_code=201,
    tags=["workspaces"],
    responses=errors(*PROTECTED, 404),
    operation_class=RawBodyOperation,
)
async def upload_raw(
    request: Request[Principal, Any, Any], space_id: FromPath[str], name: FromPath[str]
) -> FileInfo:
    """Store the request body as the file ``name`` (folders are created; a file of that
    name is replaced)."""
    raw = await read_body(request)  # first: an oversized body is a 413 wherever it goes
    space = await visible_space(request, space_id)
    entry = await asyncio.to_thread(_store(ctx_of(request)).write, space, _rel(name), raw)
    return FileInfo.model_validate(_file(space, entry))


def _parts(raw: bytes, boundary: str, max_parts: int) -> list[tuple[str, bytes]]:
    """The files of a multipart body: (file name, content). Fields without a file name are
    refused, so a typo never silently uploads nothing."""
    import multipart  # type: ignore[import-untyped]

    from altlas.server.workspaces import check_name

    found: list[tuple[str, bytes]] = []
    current: list[bytes] = []
    name = ""
    try:
        with multipart.PushMultipartParser(boundary, max_segment_count=max_parts) as parser:
            for result in (*parser.parse(raw), *parser.parse(b"")):
                if isinstance(result, multipart.MultipartSegment):
                    if not result.filename:
                        raise FileNameError(f"form field {result.name!r} has no file name")
                    name, current = result.filename, []
                    check_name(name)
                elif result:
                    current.append(bytes(result))
                else:
                    found.append((name, b"".join(current)))
    except multipart.MultipartError as exc:
        raise DecodeError(f"the multipart body cannot be read: {exc}") from None
    return found


@post(
    "/workspaces/{space_id:str}/files",
    opt=_WRITE,
    status_code=201,
    tags=["workspaces"],
    responses=errors(*PROTECTED, 404),
)
async def upload_form(request: Request[Principal, Any, Any], space_id: FromPath[str]) -> FileList:
    """Store every file of a ``multipart/form-data`` body under its file name
    (``curl -F file=@x.csv``; ``-F 'file=@x.csv;filename=data/x.csv'`` for a folder)."""
    import multipart

    raw = await read_body(request)  # first: an oversized body is a 413 wherever it goes
    space = await visible_space(request, space_id)
    ctx = ctx_of(request)
    kind, options = multipart.parse_options_header(request.headers.get("content-type", ""))
    if kind != "multipart/form-data" or not options.get("boundary"):
        raise DecodeError("send multipart/form-data with a boundary (or PUT the raw file)")
    limit = ctx.config.workspace_max_files
    parts = await asyncio.to_thread(_parts, raw, options["boundary"], limit)
    entries = await asyncio.to_thread(_store(ctx).write_many, space, parts)
    return FileList.model_validate({"files": [_file(space, e) for e in entries]})


async def _chunks(fd: int) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(os.read, fd, _CHUNK):
            yield chunk
    finally:
        os.close(fd)


@get(
    "/workspaces/{space_id:str}/files/{name:path}",
    opt=_READ,
    tags=["workspaces"],
    responses={
        200: ResponseSpec(
            data_container=bytes,
            media_type="application/octet-stream",
            description="The file's bytes",
            generate_examples=False,
        ),
        **errors(*PROTECTED, 404),
    },
)
async def download(
    request: Request[Principal, Any, Any], space_id: FromPath[str], name: FromPath[str]
) -> Stream:
    """The file ``name`` as it is (read-only; links are never followed)."""
    space = await visible_space(request, space_id)
    fd, size = await asyncio.to_thread(_store(ctx_of(request)).open, space, _rel(name))
    from urllib.parse import quote

    base = quote(name.rstrip("/").rsplit("/", 1)[-1])
    return Stream(
        _chunks(fd),
        media_type="application/octet-stream",
        headers={
            "Content-Length": str(size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{base}",
        },
    )


@delete(
    "/workspaces/{space_id:str}/files/{name:path}",
    opt=_WRITE,
    tags=["workspaces"],
    responses=errors(*PROTECTED, 404),
)
async def remove_file(
    request: Request[Principal, Any, Any], space_id: FromPath[str], name: FromPath[str]
) -> None:
    space = await visible_space(request, space_id)
    await asyncio.to_thread(_store(ctx_of(request)).remove, space, _rel(name))


ROUTES = [create, list_spaces, show, remove, upload_raw, upload_form, download, remove_file]
