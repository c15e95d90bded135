"""Copy, move and back up for the ``files`` handler, under the overwrite rule."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from altlas.run.handlers.base import HandlerContext, PermanentError, write_workspace_file

__all__ = ["BACKUP_PREFIX", "backup", "copy_or_move"]

BACKUP_PREFIX = "backup-"
_SKIPPED = {".git", ".altlas", "__pycache__", ".venv", "node_modules"}


def _relative(ctx: HandlerContext, path: Path) -> str:
    return path.relative_to(ctx.workspace.resolve()).as_posix()


def _destination(ctx: HandlerContext, source: Path, raw: str) -> Path:
    dest = ctx.path(raw, what="dest")
    if dest.is_dir() or raw.endswith(("/", os.sep)):
        dest = dest / source.name
    return dest


def copy_or_move(ctx: HandlerContext, op: str) -> dict[str, Any]:
    """``copy`` or ``move``/``rename`` ``source`` to ``dest``; the source of a copy is kept.

    With ``pattern``, ``source`` is a folder and every file in it matching the pattern goes
    into the folder ``dest``.
    """
    if ctx.params.get("pattern"):
        return _many(ctx, op)
    raw_source, raw_dest = str(ctx.params.get("source", "")), str(ctx.params.get("dest", ""))
    source = ctx.path(raw_source, what="source")
    if not source.is_file():
        kind = "a folder" if source.is_dir() else "no such file"
        raise PermanentError(f"cannot {op} {raw_source}: {kind}", error_type="NotFound")
    dest = _destination(ctx, source, raw_dest)
    shown = _relative(ctx, dest)
    if dest == source:
        raise PermanentError(f"cannot {op} {raw_source} onto itself")
    data = source.read_bytes()
    write_workspace_file(ctx, shown, data, bool(ctx.params.get("overwrite", False)))
    moved = op in ("move", "rename")
    if moved:
        source.unlink()
    verb = "Moved" if moved else "Copied"
    return {
        "operation": op,
        "source": raw_source,
        "dest": shown,
        "written": shown,
        "bytes": len(data),
        "answer": f"{verb} {raw_source} to {shown}",
    }


def _many(ctx: HandlerContext, op: str) -> dict[str, Any]:
    raw_source = str(ctx.params.get("source") or ".")
    pattern = str(ctx.params["pattern"])
    folder = ctx.path(raw_source, what="source")
    if not folder.is_dir():
        raise PermanentError(f"cannot {op} from {raw_source}: not a folder", error_type="NotFound")
    dest = ctx.path(str(ctx.params.get("dest") or ""), what="dest")
    found = folder.rglob(pattern) if ctx.params.get("recursive") else folder.glob(pattern)
    files = [
        p
        for p in sorted(found)
        if p.is_file() and not p.is_symlink() and not p.is_relative_to(dest)
    ]
    if not files:
        raise PermanentError(
            f"no file in {raw_source} matches {pattern}; nothing to {op}", error_type="NothingFound"
        )
    overwrite = bool(ctx.params.get("overwrite", False))
    written = []
    for path in files:  # checked one by one: a refusal stops before the rest is touched
        target = _relative(ctx, dest / path.name)
        write_workspace_file(ctx, target, path.read_bytes(), overwrite)
        written.append(target)
    if op in ("move", "rename"):
        for path in files:
            path.unlink()
    verb = "Moved" if op in ("move", "rename") else "Copied"
    return {
        "operation": op,
        "source": raw_source,
        "dest": _relative(ctx, dest),
        "count": len(written),
        "written": written,
        "answer": f"{verb} {len(written)} file{'' if len(written) == 1 else 's'} to "
        f"{_relative(ctx, dest)}/: " + ", ".join(written),
    }


def backup(ctx: HandlerContext) -> dict[str, Any]:
    """Every workspace file copied into a new folder; nothing is deleted or replaced."""
    root = ctx.workspace.resolve()
    raw = ctx.params.get("dest")
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    name = str(raw) if raw else BACKUP_PREFIX + stamp
    dest = ctx.path(name, what="dest")
    if dest.exists():
        raise PermanentError(
            f"{name} already exists; a backup goes into a new folder", error_type="WouldOverwrite"
        )
    files = [p for p in _files(root) if not p.is_relative_to(dest)]
    for path in files:
        relative = path.relative_to(root).as_posix()
        write_workspace_file(ctx, f"{_relative(ctx, dest)}/{relative}", path.read_bytes(), False)
    shown = _relative(ctx, dest)
    return {
        "operation": "backup",
        "dest": shown,
        "count": len(files),
        "answer": f"Backed up {len(files)} files into {shown}/ (nothing was deleted)",
    }


def _files(root: Path) -> list[Path]:
    found: list[Path] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in sorted(folder.iterdir()):
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in _SKIPPED and not entry.name.startswith(BACKUP_PREFIX):
                    stack.append(entry)
            elif entry.is_file():
                found.append(entry)
    return found
