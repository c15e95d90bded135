"""Rebuilding ``altlas.db`` from the blobs, and adopting blobs that have no row.

A rebuild happens only when SQLite's own ``integrity_check`` reports damage (or the database
holds no results): a sound database is never moved aside. Each adopted original gets back its
file name, source path and added time from the names sidecar (``blobs/names.jsonl``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.errors import AltlasError
from altlas.index.extract import Prepared, default_name, record_id
from altlas.index.models import AddReport, VerifyProblem, VerifyReport
from altlas.index.repository import confirm_damage, file_has_results

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts

__all__ = ["adopt_orphans", "confirm_damage", "rebuild_database"]


def rebuild_database(archive: ArchiveParts, reason: str) -> VerifyProblem:
    """Move the damaged database aside and start an empty one (blobs are adopted next).

    Refuses, keeping the file, when SQLite's ``integrity_check`` finds it sound and it holds
    results: a repair must never discard a healthy database.
    """
    from altlas.storage.health import summarise_problems

    archive.close()
    path = archive.store.path
    damage = confirm_damage(path)
    if not damage and file_has_results(path):
        return VerifyProblem(
            kind="database",
            message=f"{reason}; but it passes SQLite's integrity check, so it was kept as it "
            "is (not rebuilt)",
            repairable=False,
        )
    if damage and "check" not in reason:
        reason = f"{reason}; integrity check: {summarise_problems(damage)}"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{path}{suffix}")
        if src.exists():
            src.replace(Path(f"{kept}{suffix}"))
    archive.reopened()
    archive.index.create()
    # Dictionaries are files; only their catalogue was in the lost database.
    dicts = sorted(archive.blobs.dicts_dir.glob("*.zdict"), key=lambda p: p.stat().st_mtime)
    archive.store.catalogue_dictionaries(
        [
            (
                int(file.stem),
                datetime.fromtimestamp(file.stat().st_mtime, UTC).isoformat(),
                file.stat().st_size,
                0,
                n == len(dicts) - 1,
            )
            for n, file in enumerate(dicts)
        ]
    )
    if dicts:
        archive.blobs.use_dictionary(int(dicts[-1].stem))
    return VerifyProblem(
        kind="database",
        message=f"{reason}; moved it to {kept.name} and rebuilt the database from the blobs",
        fixed=True,
    )


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _blob_time(archive: ArchiveParts, sha: str) -> datetime:
    """When a blob was written: its own file's time in the earlier layout, else the pack's."""
    for path in (archive.blobs.path_for(sha), archive.blobs.packs.path):
        try:
            return datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            continue
    return datetime.now(UTC)


def adopt_orphans(archive: ArchiveParts, shas: Sequence[str], report: VerifyReport) -> None:
    """Orphan blobs become records again (results) or atlas entries; unreadable ones go aside."""
    from altlas.index.ingest import add_prepared

    batch: list[Prepared] = []
    add_report = AddReport()
    sidecar = archive.blobs.read_names() if shas else {}
    for sha in shas:
        problem = VerifyProblem(
            kind="orphan_blob",
            id=record_id(sha),
            sha256=sha,
            message=f"blob {sha} has no database row",
            fixed=True,
        )
        report.problems.append(problem)
        item = _adopt(archive, sha, sidecar.get(sha, {}), problem)
        if item is not None:
            batch.append(item)
        if len(batch) >= archive.settings.batch_size:
            add_prepared(archive, batch, add_report, keep_copies=True, purpose="verify --repair")
            batch = []
    if batch:
        add_prepared(archive, batch, add_report, keep_copies=True, purpose="verify --repair")


def _adopt(
    archive: ArchiveParts, sha: str, known: dict[str, Any], problem: VerifyProblem
) -> Prepared | None:
    """The orphan as a result to add back; an atlas is recorded at once, anything else is
    quarantined (None). ``problem.message`` says which."""
    from altlas.formats.atlas import Atlas
    from altlas.formats.io import read_bytes
    from altlas.formats.result import Result
    from altlas.index.atlas import insert_atlas_row
    from altlas.index.blobs import BlobDamaged, BlobMissing

    path = archive.blobs.path_for(sha)
    try:
        raw = archive.blobs.get(sha)
        loaded = read_bytes(raw, name=str(path))
    except (BlobDamaged, BlobMissing, AltlasError) as exc:
        archive.blobs.quarantine(sha)
        problem.message += f"; unreadable ({exc.message}), moved to blobs/quarantine"
        return None
    mtime = _blob_time(archive, sha)
    if isinstance(loaded.document, Atlas):
        insert_atlas_row(archive, loaded.document, sha, None, recorded_at=mtime)
        problem.message += "; recorded again as atlas " + loaded.document.id
        return None
    if not isinstance(loaded.document, Result):
        archive.blobs.quarantine(sha)
        problem.message += f"; not a result ({loaded.kind}), moved to blobs/quarantine"
        return None
    problem.message += "; adopted as a record" + (" (name and source restored)" if known else "")
    return Prepared(
        path=str(path),
        source=known.get("source"),
        name=known.get("name") or default_name(record_id(sha), loaded.container),
        raw=raw,
        sha=sha,
        result=loaded.document,
        dialect=loaded.dialect,
        container=loaded.container,
        blob=archive.blobs.read_frame(sha),
        added_at=_parse_time(known.get("added_at")) or mtime,
    )
