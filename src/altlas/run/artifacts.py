"""Artifacts: files a handler produced, described by size, MIME type and sha256."""

from __future__ import annotations

import hashlib
import mimetypes
from datetime import UTC, datetime
from pathlib import Path

from altlas.formats.common import ArtifactKind
from altlas.formats.result import Artifact

__all__ = ["describe_file", "sha256_file"]

_KINDS = {
    ".png": ArtifactKind.IMAGE,
    ".jpg": ArtifactKind.IMAGE,
    ".jpeg": ArtifactKind.IMAGE,
    ".gif": ArtifactKind.IMAGE,
    ".webp": ArtifactKind.IMAGE,
    ".svg": ArtifactKind.IMAGE,
    ".json": ArtifactKind.JSON,
    ".txt": ArtifactKind.TEXT,
    ".md": ArtifactKind.TEXT,
    ".html": ArtifactKind.TEXT,
    ".csv": ArtifactKind.TEXT,
    ".log": ArtifactKind.LOG,
}
_EXTRA_TYPES = {
    ".md": "text/markdown",
    ".ndjson": "application/x-ndjson",
    ".parquet": "application/vnd.apache.parquet",
}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_file(path: Path, task_id: str, workspace: Path) -> Artifact:
    """An :class:`Artifact` for ``path``; its id is stable for the same task and path."""
    path = path.resolve()
    suffix = path.suffix.lower()
    stat = path.stat()
    mime = (
        _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    try:
        relative = str(path.relative_to(workspace.resolve()))
    except ValueError:
        relative = None
    ident = hashlib.sha256(f"{task_id}\0{path}".encode()).hexdigest()[:32]
    return Artifact(
        id=f"art_{ident}",
        name=path.name,
        kind=_KINDS.get(suffix, ArtifactKind.FILE),
        task_id=task_id,
        path=str(path),
        created_at=datetime.fromtimestamp(stat.st_mtime, UTC),
        size_bytes=stat.st_size,
        mime_type=mime,
        sha256=sha256_file(path),
        metadata={"workspace_path": relative} if relative else {},
    )
