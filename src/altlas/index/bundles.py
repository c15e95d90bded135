"""Export, retention and bundles (``.tar.zst``: a manifest plus the originals, byte for byte).

Prune is archive-first: the bundle is written to a temporary name, fsynced, renamed, read
back and checked against every hash before the first deletion. Deletion itself is ordered so
that a crash leaves rows in state ``pruning``, which ``verify --repair`` finishes.
"""

from __future__ import annotations

import io
import os
import secrets
import sqlite3
import tarfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from altlas.errors import (
    ArchiveConflictError,
    ArchiveCorruptError,
    ArchiveInputError,
    ArchiveNotFoundError,
)
from altlas.index.extract import sha256_hex, stored_name
from altlas.index.models import AddReport, ExportReport, Filters, PruneReport
from altlas.index.timeparse import parse_age, to_micros

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts

__all__ = ["export", "finish_pruning", "import_bundle", "prune", "read_bundle", "write_bundle"]

BUNDLE_FORMAT = "altlas.bundle"
MANIFEST = "manifest.json"


def is_bundle_name(path: Path) -> bool:
    return path.name.lower().endswith((".tar.zst", ".tzst"))


def _member_name(row: sqlite3.Row) -> str:
    return f"originals/{row['id']}/{stored_name(row['name'], row['id'], row['container'])}"


def write_bundle(archive: ArchiveParts, rows: Sequence[sqlite3.Row], dest: Path) -> int:
    """Write, fsync, rename and re-check a bundle of ``rows``; returns its size in bytes."""
    if dest.exists():
        raise ArchiveConflictError("bundle already exists; choose another name", file=str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    entries = [_manifest_entry(r) for r in rows]
    tmp = dest.parent / f".{dest.name}.{secrets.token_hex(4)}.tmp"
    try:
        _write_tar(archive, rows, entries, tmp)
        tmp.replace(dest)
        if os.name != "nt":
            fd = os.open(dest.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    expected = {e["path"]: e["sha256"] for e in entries}
    seen = {member: sha256_hex(raw) for member, raw, _ in read_bundle(dest)}
    if seen != expected:
        dest.unlink(missing_ok=True)
        raise ArchiveCorruptError(
            "bundle did not read back intact; nothing was deleted", file=str(dest)
        )
    return dest.stat().st_size


def _manifest_entry(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "path": _member_name(row),
        "id": row["id"],
        "sha256": row["sha256"],
        "result_id": row["result_id"],
        "name": stored_name(row["name"], row["id"], row["container"]),
        "source": row["source"],
        "added_at": row["added_at"],
        "size": row["raw_size"],
    }


def _write_tar(
    archive: ArchiveParts, rows: Sequence[sqlite3.Row], entries: list[dict[str, Any]], tmp: Path
) -> None:
    """The manifest, then every original, into a zstd-compressed tar at ``tmp`` (fsynced)."""
    import zstandard

    manifest = orjson.dumps(
        {
            "format": BUNDLE_FORMAT,
            "format_version": 1,
            "created_at": datetime.now(UTC).isoformat(),
            "entries": entries,
        },
        option=orjson.OPT_INDENT_2,
    )
    with tmp.open("wb") as fh:
        cctx = zstandard.ZstdCompressor(level=9, write_checksum=True)
        with (
            cctx.stream_writer(fh, closefd=False) as zw,
            tarfile.open(fileobj=zw, mode="w|", format=tarfile.PAX_FORMAT) as tar,
        ):
            _add_member(tar, MANIFEST, manifest, datetime.now(UTC).timestamp())
            for row, entry in zip(rows, entries, strict=True):
                raw = archive.blobs.get(row["sha256"])
                added = datetime.fromisoformat(row["added_at"].replace("Z", "+00:00"))
                _add_member(tar, entry["path"], raw, added.timestamp())
        fh.flush()
        os.fsync(fh.fileno())


def _add_member(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _open_stream(path: Path) -> BinaryIO:
    fh = path.open("rb")
    head = fh.read(4)
    fh.seek(0)
    if head == b"\x28\xb5\x2f\xfd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(fh, closefd=True)
    if head[:2] == b"\x1f\x8b":
        import gzip

        return gzip.GzipFile(fileobj=fh)  # type: ignore[return-value]
    return fh


def read_bundle(path: Path) -> Iterator[tuple[str, bytes, dict[str, Any] | None]]:
    """``(member path, bytes, manifest entry or None)`` for every regular file of a bundle."""
    manifest: dict[str, dict[str, Any]] = {}
    try:
        stream = _open_stream(path)
    except OSError as exc:
        raise ArchiveInputError(f"cannot read bundle: {exc.strerror}", file=str(path)) from None
    try:
        with stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                fh = tar.extractfile(member)
                data = fh.read() if fh is not None else b""
                if member.name == MANIFEST:
                    try:
                        parsed = orjson.loads(data)
                        manifest = {e["path"]: e for e in parsed.get("entries", [])}
                    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError):
                        raise ArchiveInputError(
                            "bundle manifest is damaged", file=str(path)
                        ) from None
                    continue
                yield member.name, data, manifest.get(member.name)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveInputError(
            f"bundle is damaged or not a tar archive: {exc}", file=str(path)
        ) from None
    except Exception as exc:
        if type(exc).__name__ == "ZstdError":
            raise ArchiveInputError(f"bundle is damaged: {exc}", file=str(path)) from None
        raise


def import_bundle(archive: ArchiveParts, path: Path, *, batch_size: int | None = None) -> AddReport:
    from altlas.index.ingest import add_staged
    from altlas.index.staging import Staged, stage_bytes

    if not path.is_file():
        raise ArchiveNotFoundError("no such bundle", file=str(path))
    report = AddReport()
    size = batch_size or archive.settings.batch_size
    started = time.perf_counter()

    def batches() -> Iterator[list[Staged]]:
        batch: list[Staged] = []
        for member, raw, entry in read_bundle(path):
            display = f"{path}:{member}"
            sha = sha256_hex(raw)
            meta = entry or {}
            if entry is not None and meta.get("sha256") != sha:
                failure = f"{display}: damaged in the bundle (hash mismatch)"
                batch.append(Staged(display, None, sha, len(raw), failure=failure))
                continue
            added = meta.get("added_at")
            batch.append(
                stage_bytes(
                    raw,
                    display=display,
                    source=meta.get("source"),
                    compressor=archive.blobs,
                    sha=sha,
                    name=meta.get("name") or Path(member).name,
                    added_at=datetime.fromisoformat(str(added).replace("Z", "+00:00"))
                    if added
                    else None,
                )
            )
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    add_staged(archive, batches(), report, purpose="altlas archive import-bundle")
    report.seconds = time.perf_counter() - started
    return report


def _rows_for(
    archive: ArchiveParts, ids: Sequence[str] | None, filters: Filters
) -> list[sqlite3.Row]:
    if ids:
        return archive.store.bundle_rows_by_rid([archive.store.find(key)["rid"] for key in ids])
    return archive.store.bundle_rows(filters)


def export(
    archive: ArchiveParts, dest: Path, *, ids: Sequence[str] | None, filters: Filters
) -> ExportReport:
    from altlas.formats.io import atomic_write_bytes

    rows = _rows_for(archive, ids, filters)
    report = ExportReport(dest=str(dest))
    if is_bundle_name(dest):
        report.bytes = write_bundle(archive, rows, dest)
        report.count = len(rows)
        return report
    if dest.exists() and not dest.is_dir():
        raise ArchiveConflictError("export target exists and is not a directory", file=str(dest))
    dest.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for row in rows:
        name = stored_name(row["name"], row["id"], row["container"])
        if name in used or (dest / name).exists():
            name = f"{row['id']}-{name}"
        used.add(name)
        raw = archive.blobs.get(row["sha256"])
        atomic_write_bytes(dest / name, raw)
        report.count += 1
        report.bytes += len(raw)
    return report


def finish_pruning(archive: ArchiveParts, rids: Sequence[int]) -> int:
    """Delete rows marked ``pruning``: index documents, then blobs, then rows."""
    if not rids:
        return 0
    rows = archive.store.pruning_rows(rids)
    if not rows:
        return 0
    archive.ensure_index_for_write()
    with archive.index.writer() as writer:
        archive.index.delete_rids(writer, [r["rid"] for r in rows])
        writer.commit()
    freed = archive.blobs.delete_many([r["sha256"] for r in rows])
    archive.blobs.packs.compact()
    archive.store.delete_pruned([r["rid"] for r in rows])
    return freed


def prune(
    archive: ArchiveParts,
    older_than: str | timedelta,
    *,
    filters: Filters,
    archive_to: Path | None,
    dry_run: bool,
) -> PruneReport:
    age = parse_age(older_than)
    cutoff = datetime.now(UTC) - age
    report = PruneReport(dry_run=dry_run, bundle=str(archive_to) if archive_to else None)
    with archive.lock.held("altlas archive prune"):
        rows = archive.store.bundle_rows(filters, before_micros=to_micros(cutoff))
        report.matched = len(rows)
        report.ids = [r["id"] for r in rows]
        if dry_run or not rows:
            return report
        if archive_to is not None:
            write_bundle(archive, rows, archive_to)
        rids = [r["rid"] for r in rows]
        archive.store.begin_pruning(rids)
        report.bytes_freed = finish_pruning(archive, rids)
        report.pruned = len(rows)
    return report
