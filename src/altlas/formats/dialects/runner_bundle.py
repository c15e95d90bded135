"""The runner's on-disk ``.last`` variants: ``last_<id>.json``, ``.json.gz`` and the zip bundle.

Each holds the L1 JSON of :mod:`altlas.formats.dialects.runner_last`. The bundle adds the
artifact files as ``artifacts/<basename>``, as the original ``writer.rs`` did. Reading needs
nothing from here: :func:`altlas.formats.io.read` finds the document in all three by content.
"""

from __future__ import annotations

import gzip
import io as _bytes_io
import os
import zipfile
from pathlib import Path

from altlas.formats import io
from altlas.formats.result import Result

__all__ = ["bundle_name", "write_runner_bundle", "write_runner_gzip", "write_runner_json"]

_MODE = 0o755
"""The unix mode the original runner gave every zip entry."""


def bundle_name(result: Result) -> str:
    """``last_<execution_id>``: the stem of every file the runner writes for a result."""
    return f"last_{result.run_id}"


def _target(path: str | os.PathLike[str], result: Result, suffix: str) -> Path:
    target = Path(path)
    return target / f"{bundle_name(result)}{suffix}" if target.is_dir() else target


def write_runner_json(result: Result, path: str | os.PathLike[str]) -> Path:
    """Pretty L1 JSON; a directory gets ``last_<execution_id>.json``."""
    return io.atomic_write_bytes(
        _target(path, result, ".json"),
        io.to_bytes(result, dialect="runner-last"),
    )


def write_runner_gzip(result: Result, path: str | os.PathLike[str]) -> Path:
    """Compact L1 JSON, gzip at the default level (``read_compressed_last_file`` reads it)."""
    body = io.to_bytes(result, dialect="runner-last", pretty=False)
    return io.atomic_write_bytes(
        _target(path, result, ".json.gz"),
        gzip.compress(body, compresslevel=6, mtime=0),
    )


def write_runner_bundle(
    result: Result,
    path: str | os.PathLike[str],
    artifact_root: str | os.PathLike[str] | None = None,
) -> Path:
    """A zip with ``last_<execution_id>.json`` and ``artifacts/<basename>`` per artifact file.

    Relative artifact paths are taken from ``artifact_root`` (default: the current directory).
    Artifacts whose file does not exist are left out, as the original did; of two artifacts
    with the same file name only the first is stored.
    """
    stem = bundle_name(result)
    root = Path(artifact_root) if artifact_root is not None else Path()
    buffer = _bytes_io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        _add(zf, f"{stem}.json", io.to_bytes(result, dialect="runner-last"))
        stored: set[str] = set()
        for artifact in result.artifacts:
            source = Path(artifact.path)
            if not source.is_absolute():
                source = root / source
            member = f"artifacts/{source.name}"
            if member in stored or not source.is_file():
                continue
            stored.add(member)
            _add(zf, member, source.read_bytes())
    return io.atomic_write_bytes(_target(path, result, ".zip"), buffer.getvalue())


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name)  # fixed 1980 date: the same result gives the same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (_MODE | 0o100000) << 16
    zf.writestr(info, data)
