"""verify / repair, reindex and optimize.

The blobs are the source of truth: the database can be rebuilt from them (each file's name,
source path and added time come back from ``blobs/names.jsonl``), and the index from the
database plus the blobs. A database that passes ``integrity_check`` is never rebuilt.
"""

from __future__ import annotations

import shutil
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from altlas.errors import AltlasError, ArchiveConflictError
from altlas.index.extract import record_id, sha256_hex
from altlas.index.models import (
    OptimizeReport,
    ReindexReport,
    VerifyProblem,
    VerifyReport,
)
from altlas.index.rebuild import adopt_orphans, confirm_damage, rebuild_database
from altlas.index.search import IndexMissing, SearchIndex
from altlas.index.store import DatabaseDamaged

if TYPE_CHECKING:
    from altlas.index.archive import Archive

__all__ = ["confirm_damage", "optimize", "rebuild_database", "reindex", "verify"]

_DICT_SIZE = 112_640


def _check_blobs(archive: Archive, report: VerifyReport, repair: bool, full: bool) -> None:
    from altlas.index.bundles import finish_pruning

    rows = archive.store.query(
        "SELECT rid, id, sha256, blob_state, state, source FROM results ORDER BY rid"
    )
    report.records = len(rows)
    on_disk = set(archive.blobs.iter_shas())
    report.blobs = len(on_disk)
    pruning = [r["rid"] for r in rows if r["state"] == "pruning"]
    if pruning:
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
    fixes: list[tuple[str, int]] = []
    for row in rows:
        if row["state"] != "active":
            continue
        sha = row["sha256"]
        if sha not in on_disk:
            state = "missing"
        elif full:
            state = archive.blobs.check(sha) or "ok"
        else:
            state = "ok"
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
        if not repair:
            continue
        source = Path(row["source"]) if row["source"] else None
        if state == "damaged":
            archive.blobs.quarantine(sha)
        if source is not None and source.is_file() and sha256_hex(source.read_bytes()) == sha:
            frame, _ = archive.blobs.compress(source.read_bytes())
            archive.blobs.rewrite(sha, frame)
            problem.message += f"; restored from {source}"
            problem.fixed = True
            fixes.append(("ok", row["rid"]))
        else:
            hint = f"add {source} again" if source else "add the original file again"
            problem.message += f"; cannot be restored here ({hint} to restore it)"
            fixes.append((state, row["rid"]))
    if fixes and repair:
        with archive.store.transaction() as conn:
            conn.executemany(
                "UPDATE results SET blob_state = ? WHERE rid = ?", [(s, rid) for s, rid in fixes]
            )
    known = {r["sha256"] for r in rows}
    known.update(r["sha256"] for r in archive.store.query("SELECT sha256 FROM atlases"))
    orphans = sorted(on_disk - known)
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


def _check_index(archive: Archive, report: VerifyReport, repair: bool) -> None:
    from altlas.index.ingest import catch_up

    try:
        index_rids = archive.index.all_rids()
    except IndexMissing as exc:
        report.problems.append(VerifyProblem(kind="index", message=exc.message, fixed=repair))
        if repair:
            reindex(archive)
        return
    report.index_docs = len(index_rids)
    everything = archive.store.query("SELECT rid, id, indexed, state, blob_state FROM results")
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
    with archive.store.transaction() as conn:
        conn.executemany("UPDATE results SET indexed = 0 WHERE rid = ?", [(r,) for r in redo])
    catch_up(archive)


def verify(archive: Archive, *, repair: bool, full: bool) -> VerifyReport:
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


def _database_sound(archive: Archive, report: VerifyReport, repair: bool) -> bool:
    """``quick_check`` when open did not run it; False when verify must stop here."""
    from altlas.index.health import integrity_problems, summarise_problems

    problems = integrity_problems(archive.store.conn)
    if not problems:
        return True
    reason = f"the archive database failed its check: {summarise_problems(problems)}"
    if not repair:
        report.problems.append(VerifyProblem(kind="database", message=reason))
        return False
    problem = rebuild_database(archive, reason)
    report.problems.append(problem)
    return problem.fixed


def reindex(archive: Archive) -> ReindexReport:
    """Build a new index beside the old one, then swap them."""
    from altlas.index.blobs import BlobDamaged, BlobMissing
    from altlas.index.ingest import document_for, prepare

    started = time.perf_counter()
    report = ReindexReport()
    with archive.lock.held("altlas archive reindex"):
        fresh = SearchIndex(archive.home / "index.new")
        fresh.create()
        rows = archive.store.query(
            "SELECT rid, id, sha256, added_at FROM results WHERE state = 'active' "
            "AND blob_state = 'ok' ORDER BY rid"
        )
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
        with archive.store.transaction() as conn:
            conn.execute("UPDATE results SET indexed = 0 WHERE indexed = 1")
            conn.executemany("UPDATE results SET indexed = 1 WHERE rid = ?", [(r,) for r in done])
            for state, rid in broken:
                if state == "unparsable":
                    conn.execute("UPDATE results SET indexed = -1 WHERE rid = ?", (rid,))
                else:
                    conn.execute("UPDATE results SET blob_state = ? WHERE rid = ?", (state, rid))
    report.documents = len(done)
    report.seconds = time.perf_counter() - started
    return report


def optimize(archive: Archive, *, recompress: bool, samples: int) -> OptimizeReport:
    import zstandard

    started = time.perf_counter()
    report = OptimizeReport()
    with archive.lock.held("altlas archive optimize"):
        rows = archive.store.query(
            "SELECT sha256, raw_size, stored_size FROM results WHERE state = 'active' "
            "AND blob_state = 'ok' AND container = 'plain' ORDER BY random() LIMIT ?",
            [samples],
        )
        if len(rows) < 20:
            raise ArchiveConflictError(
                f"too few results to train a dictionary (need 20 uncompressed originals, "
                f"have {len(rows)})"
            )
        sample = [archive.blobs.get(r["sha256"]) for r in rows]
        try:
            trained = zstandard.train_dictionary(
                _DICT_SIZE, cast(Any, sample), level=archive.settings.zstd_level
            )
        except zstandard.ZstdError as exc:
            raise ArchiveConflictError(f"dictionary training failed: {exc}") from None
        dict_id = archive.blobs.save_dictionary(trained.as_bytes())
        raw_total = sum(len(s) for s in sample)
        report.ratio_before = sum(r["stored_size"] for r in rows) / raw_total
        report.ratio_after = (
            sum(len(archive.blobs.compress(s, dict_id=dict_id)[0]) for s in sample) / raw_total
        )
        report.dict_id, report.samples, report.dict_size = (
            dict_id,
            len(sample),
            len(trained.as_bytes()),
        )
        now = datetime.now(UTC).isoformat()
        with archive.store.transaction() as conn:
            conn.execute("UPDATE dictionaries SET current = 0")
            conn.execute(
                "INSERT OR REPLACE INTO dictionaries (dict_id, created_at, size, samples, current) "
                "VALUES (?, ?, ?, ?, 1)",
                (dict_id, now, report.dict_size, len(sample)),
            )
        archive.blobs.use_dictionary(dict_id)
        if recompress:
            report.recompressed = _recompress(archive, dict_id)
            archive.blobs.packs.compact()
        with archive.store.errors():
            archive.store.conn.execute("PRAGMA optimize")
            archive.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report.seconds = time.perf_counter() - started
    return report


def _recompress(archive: Archive, dict_id: int) -> int:
    """Re-encode every blob with the new dictionary (atomic per blob; the hash never changes)."""
    done = 0
    last = 0
    while True:
        rows = archive.store.query(
            "SELECT rid, sha256 FROM results WHERE rid > ? AND state = 'active' "
            "AND blob_state = 'ok' AND dict_id != ? AND container = 'plain' ORDER BY rid LIMIT 500",
            [last, dict_id],
        )
        if not rows:
            return done
        updates: list[tuple[Any, ...]] = []
        frames: list[tuple[str, bytes]] = []
        for row in rows:
            raw = archive.blobs.get(row["sha256"])
            frame, used = archive.blobs.compress(raw, dict_id=dict_id)
            frames.append((row["sha256"], frame))
            updates.append((used, len(frame), row["rid"]))
        archive.blobs.put_many(frames, replace=True)
        with archive.store.transaction() as conn:
            conn.executemany(
                "UPDATE results SET dict_id = ?, stored_size = ? WHERE rid = ?", updates
            )
        done += len(rows)
        last = rows[-1]["rid"]
