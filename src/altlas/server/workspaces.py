"""Workspaces: folders a client fills with files, runs plans in, and downloads artifacts from.

Each lives under ``ALTLAS_HOME/spaces/<id>/``: ``files/`` is the folder plans see, and
``meta.json`` (outside it, so no plan can rewrite it) records the owner and the share list.
Visibility follows the runs' rule: the owner, the audiences it is shared with, and admins.

File names are confined to ``files/``: relative, no ``..``, no backslashes or control
characters, and nothing is read or written through a symbolic link (a plan could have left
one), so a name can never reach outside the workspace.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from altlas.errors import NotFoundError, TooLargeError, UnprocessableError

__all__ = [
    "FileEntry",
    "FileNameError",
    "Workspace",
    "WorkspaceFullError",
    "WorkspaceNotFoundError",
    "WorkspaceStore",
    "check_name",
]

_MAX_NAME = 255
_MAX_DEPTH = 16
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


class FileNameError(UnprocessableError):
    """A file name that would leave the workspace or cannot be stored."""


class WorkspaceNotFoundError(NotFoundError):
    pass


class WorkspaceFullError(TooLargeError):
    """Too many files or too many bytes for the workspace limits."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    size_bytes: int
    modified_at: str


@dataclass(slots=True)
class Workspace:
    id: str
    owner: str
    share: list[str]
    created_at: str
    root: Path = field(repr=False)

    def visible_to(self, audience: Collection[str] | None) -> bool:
        if audience is None:
            return True
        return self.owner in audience or any(name in audience for name in self.share)


def check_name(name: str) -> PurePosixPath:
    """``name`` as a safe relative path inside a workspace, or :class:`FileNameError`."""
    if not name or len(name) > 1024:
        raise FileNameError(f"file name {name[:80]!r} must be 1 to 1024 characters")
    if "\\" in name or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise FileNameError(f"file name {name[:80]!r} has a backslash or a control character")
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("/"):
        raise FileNameError(f"file name {name[:80]!r} is absolute; name a file in the workspace")
    parts = path.parts
    if not parts or len(parts) > _MAX_DEPTH:
        raise FileNameError(f"file name {name[:80]!r} is empty or nested too deeply")
    for part in parts:
        if part in ("..", ".") or len(part) > _MAX_NAME:
            raise FileNameError(f"file name {name[:80]!r} leaves the workspace or is too long")
    return path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Regular files under ``root`` (never following links), as relative POSIX paths."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        dirnames.sort()
        for name in sorted(filenames):
            info = os.lstat(base / name)
            if stat.S_ISREG(info.st_mode):
                yield (base / name).relative_to(root).as_posix(), info


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Path -> (size, mtime_ns) of every file, to tell what a run wrote."""
    if not root.is_dir():
        return {}
    return {name: (info.st_size, info.st_mtime_ns) for name, info in _walk(root)}


class WorkspaceStore:
    """The workspaces of one ``ALTLAS_HOME``; every method is blocking (call off the loop)."""

    def __init__(self, home: Path, *, max_files: int, max_bytes: int) -> None:
        self.base = home / "spaces"
        self.max_files = max_files
        self.max_bytes = max_bytes
        self._lock = threading.RLock()

    def create(self, owner: str, share: list[str]) -> Workspace:
        from altlas.formats.common import new_id

        space_id = new_id("ws")
        folder = self.base / space_id
        (folder / "files").mkdir(parents=True, mode=0o700)
        meta = {"id": space_id, "owner": owner, "share": share, "created_at": _now()}
        tmp = folder / "meta.json.tmp"
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        tmp.replace(folder / "meta.json")
        return self._from_meta(meta)

    def _from_meta(self, meta: dict[str, Any]) -> Workspace:
        space_id = str(meta["id"])
        return Workspace(
            id=space_id,
            owner=str(meta["owner"]),
            share=[str(s) for s in meta.get("share", [])],
            created_at=str(meta["created_at"]),
            root=self.base / space_id / "files",
        )

    def get(self, space_id: str, audience: Collection[str] | None) -> Workspace:
        """The workspace if the caller may see it; another's is exactly like a missing one."""
        missing = WorkspaceNotFoundError(f"no workspace with id {space_id[:80]}")
        if not space_id.startswith("ws_") or not set(space_id) <= _ID_CHARS:
            raise missing
        try:
            meta = json.loads((self.base / space_id / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise missing from None
        space = self._from_meta(meta)
        if not space.visible_to(audience):
            raise missing
        return space

    def visible(self, audience: Collection[str] | None, limit: int) -> list[Workspace]:
        found: list[Workspace] = []
        if not self.base.is_dir():
            return found
        for entry in sorted(self.base.iterdir(), key=lambda p: p.name):
            try:
                space = self.get(entry.name, audience)
            except WorkspaceNotFoundError:
                continue
            found.append(space)
        found.sort(key=lambda s: s.created_at, reverse=True)
        return found[:limit]

    def delete(self, space: Workspace) -> None:
        shutil.rmtree(self.base / space.id, ignore_errors=True)

    def files(self, space: Workspace) -> list[FileEntry]:
        return [
            FileEntry(
                path=name,
                size_bytes=info.st_size,
                modified_at=datetime.fromtimestamp(info.st_mtime, UTC)
                .isoformat(timespec="seconds")
                .replace("+00:00", "Z"),
            )
            for name, info in _walk(space.root)
        ]

    def _safe_parent(self, space: Workspace, rel: PurePosixPath, *, create: bool) -> Path:
        """The real folder holding ``rel``; no component may be a link or a non-folder."""
        folder = space.root
        for part in rel.parts[:-1]:
            folder = folder / part
            try:
                info = os.lstat(folder)
            except FileNotFoundError:
                if not create:
                    raise WorkspaceNotFoundError(f"no file {rel} in workspace {space.id}") from None
                folder.mkdir(mode=0o700)
                continue
            if not stat.S_ISDIR(info.st_mode):
                raise FileNameError(f"file name {rel}: {part} is not a folder in the workspace")
        return folder

    def write_many(self, space: Workspace, files: list[tuple[str, bytes]]) -> list[FileEntry]:
        """Store several files, or none: names and limits are checked before the first write."""
        names = [str(check_name(name)) for name, _ in files]
        with self._lock:
            current = snapshot(space.root)
            after = {k: size for k, (size, _) in current.items()}
            after.update({name: len(data) for name, (_, data) in zip(names, files, strict=True)})
            if len(after) > self.max_files:
                raise WorkspaceFullError(
                    f"workspace {space.id} would hold {len(after)} files, more than allowed "
                    "([server] workspace_max_files)"
                )
            if sum(after.values()) > self.max_bytes:
                raise WorkspaceFullError(
                    f"workspace {space.id} would hold more than {self.max_bytes} bytes "
                    "([server] workspace_max_bytes)"
                )
            budget = self.max_bytes  # the total was checked above
            return [
                self._put(space, PurePosixPath(name), data, budget)
                for name, (_, data) in zip(names, files, strict=True)
            ]

    def write(self, space: Workspace, name: str, chunks: Iterator[bytes] | bytes) -> FileEntry:
        """Store a file (replacing one of that name); nothing half-written on failure."""
        rel = check_name(name)
        with self._lock:
            current = snapshot(space.root)
            if str(rel) not in current and len(current) >= self.max_files:
                raise WorkspaceFullError(
                    f"workspace {space.id} holds {len(current)} files, the most allowed "
                    "([server] workspace_max_files)"
                )
            budget = self.max_bytes - sum(
                size for path, (size, _) in current.items() if path != str(rel)
            )
            return self._put(space, rel, chunks, budget)

    def _put(
        self, space: Workspace, rel: PurePosixPath, chunks: Iterator[bytes] | bytes, budget: int
    ) -> FileEntry:
        """Write ``rel`` through a temporary name (the caller holds the lock, checked room)."""
        with self._lock:
            folder = self._safe_parent(space, rel, create=True)
            target = folder / rel.name
            if os.path.lexists(target) and not stat.S_ISREG(os.lstat(target).st_mode):
                raise FileNameError(f"file name {rel} names a folder or a link in the workspace")
            tmp = folder / f".{rel.name}.upload-{os.getpid()}-{threading.get_ident()}"
            written = 0
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as out:
                    for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                        written += len(chunk)
                        if written > budget:
                            raise WorkspaceFullError(
                                f"workspace {space.id} would hold more than {self.max_bytes} "
                                "bytes ([server] workspace_max_bytes)"
                            )
                        out.write(chunk)
                tmp.replace(target)
            finally:
                if os.path.lexists(tmp):
                    tmp.unlink()
        info = os.lstat(target)
        return FileEntry(str(rel), info.st_size, _now())

    def open(self, space: Workspace, name: str) -> tuple[int, int]:
        """A read-only descriptor of the regular file ``name`` and its size (never via a link)."""
        rel = check_name(name)
        folder = self._safe_parent(space, rel, create=False)
        try:
            fd = os.open(folder / rel.name, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            raise WorkspaceNotFoundError(f"no file {rel} in workspace {space.id}") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise WorkspaceNotFoundError(f"no file {rel} in workspace {space.id}")
        return fd, info.st_size

    def remove(self, space: Workspace, name: str) -> None:
        rel = check_name(name)
        folder = self._safe_parent(space, rel, create=False)
        target = folder / rel.name
        if not os.path.lexists(target) or stat.S_ISDIR(os.lstat(target).st_mode):
            raise WorkspaceNotFoundError(f"no file {rel} in workspace {space.id}")
        target.unlink()


def space_root(home: Path, space_id: str) -> Path:
    """The folder a run in workspace ``space_id`` works in."""
    return home / "spaces" / space_id / "files"


def file_url(space_id: str, name: str) -> str:
    from urllib.parse import quote

    return f"/v1/workspaces/{space_id}/files/{quote(name)}"


def artifacts_between(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], space_id: str
) -> list[dict[str, Any]]:
    """The files a run created or changed, each with its download URL."""
    return [
        {"path": name, "size_bytes": size, "url": file_url(space_id, name)}
        for name, (size, mtime) in sorted(after.items())
        if before.get(name) != (size, mtime)
    ]
