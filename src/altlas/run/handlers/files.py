"""The ``files`` handler: read, write, append, list, delete, copy, move and back up files.

Everything is confined to the workspace. Writes follow the overwrite rule of
:func:`~altlas.run.handlers.base.write_workspace_file`: an existing file with different content
is replaced only when ``parameters.overwrite`` is true. Operations and their parameters:

* ``read`` / ``delete`` ``path``; ``write`` (alias ``create``) ``path`` [``content``];
* ``append`` ``path`` ``content`` (as is) or ``line`` (on a line of its own);
* ``copy`` / ``move`` (alias ``rename``) ``source`` ``dest``: a ``dest`` that is a folder (or
  ends in ``/``) receives the file under its own name;
* ``list`` [``path``] [``pattern``] [``recursive``]: the matching files, as the answer;
* ``backup`` [``dest``]: every workspace file copied into a new folder; nothing is deleted.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import (
    Handler,
    HandlerContext,
    PermanentError,
    file_stamp,
    unknown_operation,
    write_workspace_file,
)

__all__ = ["FilesHandler", "read_file"]

OPERATIONS = (
    "read",
    "write",
    "create",
    "append",
    "list",
    "delete",
    "copy",
    "move",
    "rename",
    "backup",
)
_PATH_KEYS = ("path", "file_path", "file", "target")
_WITHOUT_PATH = ("list", "copy", "move", "rename", "backup")


def _path_param(params: Mapping[str, Any]) -> tuple[str, Any] | None:
    for key in _PATH_KEYS:
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            if key == "target" and not _looks_like_path(value):
                continue
            return key, value
    return None


def _looks_like_path(value: str) -> bool:
    """``target`` from segmentation may be a file ("notes.txt") or not ("the browser")."""
    text = value.strip()
    return " " not in text and ("/" in text or "." in text.lstrip("."))


def _operation(task: Task, params: Mapping[str, Any]) -> str:
    op = params.get("operation")
    if isinstance(op, str) and op.strip():
        return op.strip().lower()
    if task.type == "create":
        return "write"
    if task.type == "open":
        return "read"
    return "write" if "content" in params else "read"


class FilesHandler(Handler):
    name = "files"
    description = "read, write, append, list or delete files inside the workspace"

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        op = _operation(task, params)
        refused = unknown_operation(op, OPERATIONS)
        if refused is not None:
            return refused
        if op not in _WITHOUT_PATH and _path_param(params) is None:
            return "needs parameters.path (or file_path)"
        if op in ("copy", "move", "rename") and not (params.get("source") and params.get("dest")):
            return f"{op} needs parameters.source and parameters.dest"
        if task.type == "create" and op == "write" and "content" not in params:
            # without content a create task is a report over its dependencies
            return "needs parameters.content"
        return None

    def is_cacheable(self, params: Mapping[str, Any]) -> bool:
        op = str(params.get("operation", "read")).lower()
        return op in ("read", "list")

    def cache_salt(self, params: Mapping[str, Any], workspace: Path) -> Any:
        found = _path_param(params)
        return file_stamp(workspace, found[1] if found else ".")

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        found = _path_param(params)
        return f"{_operation(task, params)} {found[1] if found else '.'}"

    async def run(self, ctx: HandlerContext) -> Any:
        op = _operation(ctx.task, ctx.params)
        refused = unknown_operation(op, OPERATIONS)
        if refused is not None:
            raise PermanentError(f"parameters.{refused}")
        return await asyncio.to_thread(_do, ctx, op)


def _content(ctx: HandlerContext) -> str:
    value = ctx.params.get("content")
    if value is None:
        if not ctx.inputs:
            raise PermanentError("parameters.content is required to write")
        return ctx.input_text() + "\n"
    if isinstance(value, str):
        return value
    import orjson

    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n"


def _do(ctx: HandlerContext, op: str) -> dict[str, Any]:
    found = _path_param(ctx.params)
    if op == "list":
        return _list(ctx, ctx.path(found[1] if found else ".", what=found[0] if found else "path"))
    if op in ("copy", "move", "rename", "backup"):
        from altlas.run.handlers.files_copy import backup, copy_or_move

        return backup(ctx) if op == "backup" else copy_or_move(ctx, op)
    if found is None:
        raise PermanentError(f"files {op} needs parameters.path")
    key, raw = found
    path = ctx.path(raw, what=key)
    shown = str(raw)
    encoding = str(ctx.params.get("encoding", "utf-8"))
    with _file_errors(shown, encoding):
        if op == "read":
            return _read(ctx, path, shown, encoding)
        if op == "delete":
            if not path.is_file():
                raise PermanentError(f"cannot delete {shown}: no such file", error_type="NotFound")
            path.unlink()
            return {"file_path": shown, "operation": op, "deleted": True}
        if op == "append":
            return _append(ctx, path, shown, encoding)
        data = _content(ctx).encode(encoding)
        overwrite = bool(ctx.params.get("overwrite", False))
        write_workspace_file(ctx, raw, data, overwrite)
        return {"bytes_written": len(data), "file_path": shown, "operation": op}


def _append(ctx: HandlerContext, path: Path, shown: str, encoding: str) -> dict[str, Any]:
    line = ctx.params.get("line")
    if isinstance(line, str):
        # a line of its own: it must not glue onto a last line without a newline
        text = line if line.endswith("\n") else line + "\n"
        if path.is_file() and path.stat().st_size:
            with path.open("rb") as fh:
                fh.seek(-1, 2)
                if fh.read(1) != b"\n":
                    text = "\n" + text
    else:
        text = _content(ctx)
    data = text.encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    # created like write_workspace_file's files: 0o644 & ~umask, never executable
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644), "ab") as fh:
        fh.write(data)
    ctx.add_artifact(path)
    out: dict[str, Any] = {"bytes_written": len(data), "file_path": shown, "operation": "append"}
    if isinstance(line, str):
        out["answer"] = f"Added to {shown}: {text.strip()}"
    return out


@contextmanager
def _file_errors(shown: str, encoding: str) -> Iterator[None]:
    """File-system failures as the permanent task errors users see."""
    try:
        yield
    except LookupError:
        raise PermanentError(f"parameters.encoding: unknown encoding '{encoding}'") from None
    except IsADirectoryError:
        raise PermanentError(f"{shown} is a directory", error_type="IsADirectory") from None
    except PermissionError as exc:
        raise PermanentError(f"{shown}: {exc.strerror}", error_type="PermissionDenied") from None


def read_file(
    ctx: HandlerContext, raw: str, *, what: str = "path", encoding: str = "utf-8"
) -> dict[str, Any]:
    """Read a workspace file exactly as the files handler does: confined, capped, typed errors."""
    with _file_errors(raw, encoding):
        return _read(ctx, ctx.path(raw, what=what), raw, encoding)


def _read(ctx: HandlerContext, path: Path, shown: str, encoding: str) -> dict[str, Any]:
    if not path.exists():
        raise PermanentError(f"cannot read {shown}: no such file", error_type="NotFound")
    limit = ctx.config.max_output_bytes
    size = path.stat().st_size
    with path.open("rb") as fh:
        raw = fh.read(limit)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        if size > limit:
            # the cut may have split a multi-byte character
            text = raw.decode(encoding, errors="ignore")
        else:
            raise PermanentError(f"{shown} is not {encoding} text", error_type="NotText") from None
    return {
        "content": text,
        "file_path": shown,
        "operation": "read",
        "size_bytes": size,
        "truncated": size > limit,
    }


def _list(ctx: HandlerContext, root: Path) -> dict[str, Any]:
    if not root.is_dir():
        raise PermanentError(f"cannot list {root}: not a directory", error_type="NotFound")
    pattern = str(ctx.params.get("pattern", "*"))
    if pattern.startswith(("/", "\\")) or ".." in PurePosixPath(pattern).parts:
        raise PermanentError(
            f"cannot list '{pattern}': the pattern must be relative to the folder, without '..'"
        )
    recursive = bool(ctx.params.get("recursive", False))
    base = ctx.workspace.resolve()
    limit = ctx.config.max_output_rows
    entries: list[dict[str, Any]] = []
    # the limit applies while walking: a huge tree is never collected whole
    for item in root.rglob(pattern) if recursive else root.glob(pattern):
        if len(entries) >= limit:
            break
        if not item.resolve().is_relative_to(base):
            continue
        is_dir = item.is_dir()
        entries.append(
            {
                "path": str(item.relative_to(base)),
                "is_dir": is_dir,
                "size_bytes": None if is_dir else item.stat().st_size,
            }
        )
    entries.sort(key=lambda e: str(e["path"]))
    names = [str(e["path"]) for e in entries]
    where = f"{root.relative_to(base).as_posix()}/" if root != base else "the workspace"
    noun = "entry" if len(names) == 1 else "entries"
    found = f"{len(names)} {noun} matching '{pattern}' in {where}"
    return {
        "files": entries,
        "count": len(entries),
        "operation": "list",
        "text": "\n".join(names),
        "answer": f"{found}:\n" + "\n".join(names) if names else f"No files {found}",
    }
