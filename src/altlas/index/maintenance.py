"""verify / repair and reindex (dictionary training is ``dictionary.py``).

The blobs are the source of truth: the database can be rebuilt from them (each file's name,
source path and added time come back from ``blobs/names.jsonl``), and the index from the
database plus the blobs. A database that passes ``integrity_check`` is never rebuilt.
"""

from __future__ import annotations

import shutil
import time
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.errors import AltlasError
from altlas.index.extract import record_id, sha256_hex
from altlas.index.models import (
    ReindexReport,
    VerifyProblem,
    VerifyReport,
)
from altlas.index.rebuild import adopt_orphans, confirm_damage, rebuild_database
from altlas.index.search import IndexMissing, SearchIndex
from altlas.index.store import DatabaseDamaged

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts

__all__ = ["confirm_damage", "rebuild_database", "reindex", "verify"]


def _check_blobs(archive: ArchiveParts, report: VerifyReport, repair: bool, full: bool) -> None:
    rows = archive.store.blob_rows()
    report.records = len(rows)
    on_disk = set(archive.blobs.iter_shas())
    report.blobs = len(on_disk)
    _check_pruning(archive, report, repair, [r["rid"] for r in rows if r["state"] == "pruning"])
    fixes: list[tuple[str, int]] = []
    for row in rows:
        if row["state"] != "active":
            continue
        sha = row["sha256"]
        if sha not in on_disk:
            state = "missing"
        else:
            state = (archive.blobs.check(sha) if full else None) or "ok"
        if state == "ok":
            if row["blob_state"] != "ok":
                fixes.append(("ok", row["rid"]))
            continue
        problem = VerifyProblem(
            kind="missing_blob" if state == "missing" else "damaged_blob",
            id=row["id"],
            sha256=sha,
            message=f"the original of {row['id']} is {state}",
        )
        report.problems.append(problem)
        if repair:
            fixes.append((_restore(archive, row, state, problem), row["rid"]))
    if fixes and repair:
        archive.store.set_blob_states(fixes)
    _check_leftovers(archive, report, repair, sorted(on_disk - archive.store.known_shas()))


def _check_pruning(
    archive: ArchiveParts, report: VerifyReport, repair: bool, pruning: list[int]
) -> None:
    from altlas.index.bundles import finish_pruning

    if not pruning:
        return
    report.problems.append(
        VerifyProblem(
            kind="pruning",
            fixed=repair,
            message=f"{len(pruning)} result(s) were being pruned when a process stopped"
            + ("; finished pruning them" if repair else ""),
        )
    )
    if repair:
        finish_pruning(archive, pruning)


def _restore(archive: ArchiveParts, row: Any, state: str, problem: VerifyProblem) -> str:
    """Write a lost original back from its source file if that still has the same bytes;
    the row's blob state after trying."""
    sha = row["sha256"]
    source = Path(row["source"]) if row["source"] else None
    if state == "damaged":
        archive.blobs.quarantine(sha)
    if source is not None and source.is_file() and sha256_hex(source.read_bytes()) == sha:
        frame, _ = archive.blobs.compress(source.read_bytes())
        archive.blobs.rewrite(sha, frame)
        problem.message += f"; restored from {source}"
        problem.fixed = True
        return "ok"
    hint = f"add {source} again" if source else "add the original file again"
    problem.message += f"; cannot be restored here ({hint} to restore it)"
    return state


def _check_leftovers(
    archive: ArchiveParts, report: VerifyReport, repair: bool, orphans: list[str]
) -> None:
    """Blobs no row owns (adopted on repair) and temporary files (deleted on repair)."""
    if repair:
        adopt_orphans(archive, orphans, report)
        report.records = archive.store.count()
    else:
        report.problems.extend(
            VerifyProblem(
                kind="orphan_blob",
                id=record_id(s),
                sha256=s,
                message=f"blob {s} has no database row",
            )
            for s in orphans
        )
    for tmp in archive.blobs.temp_files():
        report.problems.append(
            VerifyProblem(
                kind="temp_file", fixed=repair, message=f"left-over temporary file {tmp.name}"
            )
        )
        if repair:
            tmp.unlink(missing_ok=True)


def _check_index(archive: ArchiveParts, report: VerifyReport, repair: bool) -> None:
    try:
        index_rids = archive.index.all_rids()
    except IndexMissing as exc:
        report.problems.append(VerifyProblem(kind="index", message=exc.message, fixed=repair))
        if repair:
            reindex(archive)
        return
    report.index_docs = len(index_rids)
    everything = archive.store.index_rows()
    rows = [r for r in everything if r["state"] == "active" and r["blob_state"] == "ok"]
    # Rows being pruned, or whose original is lost, may keep their document or not.
    either = {r["rid"] for r in everything if r["state"] != "active" or r["blob_state"] != "ok"}
    want = {r["rid"]: r for r in rows if r["indexed"] != -1}
    have = set(index_rids)
    duplicates = len(index_rids) - len(have)
    missing = [rid for rid in want if rid not in have]
    stale = sorted(have - set(want) - either)
    for rid in missing:
        report.problems.append(
            VerifyProblem(
                kind="not_indexed",
                id=want[rid]["id"],
                fixed=repair,
                message=f"{want[rid]['id']} is not in the index",
            )
        )
    if stale or duplicates:
        report.problems.append(
            VerifyProblem(
                kind="stale_index_doc",
                fixed=repair,
                message=f"the index holds {len(stale)} document(s) with no active record"
                + (f" and {duplicates} duplicate(s)" if duplicates else ""),
            )
        )
    for row in rows:
        if row["indexed"] == -1:
            report.problems.append(
                VerifyProblem(
                    kind="not_indexed",
                    id=row["id"],
                    message=f"{row['id']} cannot be indexed (its original no longer parses)",
                )
            )
    if not repair or not (missing or stale or duplicates):
        return
    with archive.index.writer() as writer:
        archive.index.delete_rids(writer, stale + [r for r in have if duplicates and r in want])
        writer.commit()
    redo = missing + ([r for r in have if r in want] if duplicates else [])
    archive.store.mark_indexed(redo, 0)
    archive.catch_up_index()


def verify(archive: ArchiveParts, *, repair: bool, full: bool) -> VerifyReport:
    started = time.perf_counter()
    report = VerifyReport(repaired=repair)
    try:
        archive.open()  # StoreUnavailable (disk full, read-only, permission) is not damage: raised
    except DatabaseDamaged as exc:
        if not repair:
            report.problems.append(VerifyProblem(kind="database", message=exc.message))
            return report
        with archive.lock.held("altlas archive verify --repair"):
            problem = rebuild_database(archive, exc.message)
        report.problems.append(problem)
        if not problem.fixed:
            return report
    if repair:
        archive.store.require_writable()
    # A store opened read-only (read-only mount) has no writer to keep out, and no lock file
    # can be created there: checking it needs no lock.
    held = (
        nullcontext()
        if archive.store.read_only
        else archive.lock.held("altlas archive verify" + (" --repair" if repair else ""))
    )
    with held:
        checked = archive.store.check_on_open
        if full and not checked and not _database_sound(archive, report, repair):
            return report
        if repair:
            archive.ensure_index_for_write()
        _check_blobs(archive, report, repair, full)
        _check_index(archive, report, repair)
    report.seconds = time.perf_counter() - started
    return report


def _database_sound(archive: ArchiveParts, report: VerifyReport, repair: bool) -> bool:
    """``quick_check`` when open did not run it; False when verify must stop here."""
    from altlas.storage.health import summarise_problems

    problems = archive.store.integrity_problems()
    if not problems:
        return True
    reason = f"the archive database failed its check: {summarise_problems(problems)}"
    if not repair:
        report.problems.append(VerifyProblem(kind="database", message=reason))
        return False
    problem = rebuild_database(archive, reason)
    report.problems.append(problem)
    return problem.fixed


def reindex(archive: ArchiveParts) -> ReindexReport:
    """Build a new index beside the old one, then swap them."""
    from altlas.index.blobs import BlobDamaged, BlobMissing
    from altlas.index.extract import prepare
    from altlas.index.ingest import document_for

    started = time.perf_counter()
    report = ReindexReport()
    with archive.lock.held("altlas archive reindex"):
        fresh = SearchIndex(archive.home / "index.new")
        fresh.create()
        rows = archive.store.indexable_rows()
        done: list[int] = []
        broken: list[tuple[str, int]] = []
        with fresh.writer() as writer:
            for row in rows:
                try:
                    raw = archive.blobs.get(row["sha256"])
                    item = prepare(raw, display=row["id"], source=None, sha=row["sha256"])
                except BlobMissing:
                    broken.append(("missing", row["rid"]))
                    report.skipped.append(f"{row['id']}: original missing")
                    continue
                except BlobDamaged:
                    broken.append(("damaged", row["rid"]))
                    report.skipped.append(f"{row['id']}: original damaged")
                    continue
                except AltlasError as exc:
                    broken.append(("unparsable", row["rid"]))
                    report.skipped.append(f"{row['id']}: {exc.message}")
                    continue
                added = datetime.fromisoformat(row["added_at"].replace("Z", "+00:00"))
                writer.add_document(document_for(archive, row["rid"], item.result, added))
                done.append(row["rid"])
            writer.commit()
        fresh.close()
        archive.index.close()
        old = archive.home / "index.old"
        if old.exists():
            shutil.rmtree(old)
        if archive.index.path.exists():
            archive.index.path.replace(old)
        fresh.path.replace(archive.index.path)
        shutil.rmtree(old, ignore_errors=True)
        archive.store.record_index_outcome(done, broken, replace=True)
    report.documents = len(done)
    report.seconds = time.perf_counter() - started
    return report
