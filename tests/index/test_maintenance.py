"""verify / repair, reindex and optimize, against real damage on disk."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from altlas.errors import ArchiveError
from altlas.index import Archive


def test_a_clean_archive_verifies(archive: Archive, write_results) -> None:
    archive.add(write_results(12))
    report = archive.verify()
    assert report.ok and report.problems == []
    assert (report.records, report.blobs, report.index_docs) == (12, 12, 12)


def test_corrupt_blob_clear_message_and_restored_from_source(
    archive, write_results, damage_blob
) -> None:
    files = write_results(5)
    archive.add(files)
    record = archive.record(archive.records(limit=1)[0].id)
    damage_blob(archive.blobs.root, record.sha256)
    with pytest.raises(ArchiveError, match=f"original of {record.id} is damaged.*add the file"):
        archive.show(record.id)
    report = archive.verify()
    assert not report.ok
    assert [(p.kind, p.id) for p in report.lost] == [("damaged_blob", record.id)]
    fixed = archive.verify(repair=True)
    assert fixed.ok and "restored from" in fixed.problems[0].message
    assert archive.show(record.id) == Path(record.source or "").read_bytes()
    assert any(archive.blobs.quarantine_dir.iterdir())  # the damaged copy is kept aside


def test_corrupt_blob_without_source_stays_noticed_until_readded(
    archive, write_results, damage_blob
) -> None:
    files = write_results(3)
    archive.add(files)
    record = archive.record(archive.records(limit=1)[0].id)
    saved = Path(record.source or "").read_bytes()
    Path(record.source or "").unlink()
    damage_blob(archive.blobs.root, record.sha256)
    report = archive.verify(repair=True)
    assert not report.ok and report.lost[0].kind == "damaged_blob"
    assert "cannot be restored here" in report.lost[0].message
    assert archive.record(record.id).blob_state == "damaged"
    assert not archive.verify().ok  # still reported on every run: never unnoticed
    Path(record.source or "").write_bytes(saved)
    again = archive.add([record.source or ""])
    assert again.restored == 1
    assert archive.show(record.id) == saved
    assert archive.verify().ok


def test_missing_blob_is_reported(archive, write_results, drop_blob) -> None:
    archive.add(write_results(2))
    record = archive.records(limit=1)[0]
    drop_blob(archive.blobs.root, record.sha256)
    report = archive.verify(full=False)
    assert [p.kind for p in report.lost] == ["missing_blob"]
    with pytest.raises(ArchiveError, match="is missing: add the file again"):
        archive.show(record.id)


def test_truncated_database_clear_message_and_rebuild(altlas_home, write_results) -> None:
    files = write_results(30)
    with Archive(altlas_home) as arch:
        arch.add(files)
        arch.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = altlas_home / "altlas.db"
    with db.open("r+b") as fh:
        fh.truncate(db.stat().st_size // 2)
    with Archive(altlas_home) as arch:
        with pytest.raises(ArchiveError, match=r"truncated.*verify --repair"):
            arch.records()
        report = arch.verify()
        assert not report.ok and report.problems[0].kind == "database"
    with Archive(altlas_home) as arch:
        fixed = arch.verify(repair=True)
        assert fixed.ok, [p.message for p in fixed.problems if not p.fixed]
        assert len(arch.records(limit=None)) == 30
        assert arch.search("*").total == 30
        for path in files[:5]:
            from altlas.formats.io import load_result

            assert arch.show(load_result(path).id) == path.read_bytes()
    assert list(altlas_home.glob("altlas.db.damaged-*"))


def test_garbage_database_and_deleted_database(altlas_home, write_results) -> None:
    files = write_results(4)
    with Archive(altlas_home) as arch:
        arch.add(files)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{altlas_home / 'altlas.db'}{suffix}").unlink(missing_ok=True)
    with Archive(altlas_home) as arch, pytest.raises(ArchiveError, match="missing or empty"):
        arch.records()
    (altlas_home / "altlas.db").write_bytes(b"this is not sqlite" * 10)
    with Archive(altlas_home) as arch, pytest.raises(ArchiveError, match="not a SQLite database"):
        arch.search("x")
    with Archive(altlas_home) as arch:
        assert arch.verify(repair=True).ok
        assert len(arch.records()) == 4


def test_index_disagreements_are_found_and_fixed(archive: Archive, write_results) -> None:
    archive.add(write_results(6))
    rows = archive.records(limit=None)
    # A document lost from the index, and a row that says it was never indexed.
    with archive.index.writer() as writer:
        rid = archive.store.query("SELECT rid FROM results WHERE id = ?", [rows[0].id])[0][0]
        archive.index.delete_rids(writer, [rid])
        writer.commit()
    report = archive.verify()
    assert [p.kind for p in report.problems] == ["not_indexed"]
    assert report.lost == []
    assert archive.verify(repair=True).ok
    assert archive.search("*").total == 6
    shutil.rmtree(archive.index.path)
    archive.close()
    broken = archive.verify()
    assert [p.kind for p in broken.problems] == ["index"]
    assert archive.verify(repair=True).ok
    assert archive.search("*").total == 6


def test_orphan_blobs_and_temp_files_are_adopted_or_removed(altlas_home, write_results) -> None:
    files = write_results(4)
    with Archive(altlas_home) as arch:
        arch.add(files)
        victim = arch.records(limit=1)[0]
        with arch.store.transaction() as conn:
            conn.execute("DELETE FROM results WHERE id = ?", (victim.id,))
        arch.blobs.dicts_dir.mkdir(parents=True, exist_ok=True)
        tmp = arch.blobs.dicts_dir / ".1234.zdict.5678.tmp"
        tmp.write_bytes(b"partial")
        report = arch.verify()
        assert {p.kind for p in report.problems} == {"orphan_blob", "temp_file", "stale_index_doc"}
        fixed = arch.verify(repair=True)
        assert fixed.ok
        assert not tmp.exists()
        assert arch.record(victim.result_id).sha256 == victim.sha256
        assert arch.search("*").total == 4


def test_reindex_rebuilds_the_same_answers(archive: Archive, write_results) -> None:
    archive.add(write_results(20))
    before = [h.id for h in archive.search("backup OR report", limit=50)]
    report = archive.reindex()
    assert report.documents == 20 and report.skipped == []
    assert [h.id for h in archive.search("backup OR report", limit=50)] == before
    assert not (archive.home / "index.new").exists() and not (archive.home / "index.old").exists()


def test_optimize_trains_a_dictionary_and_old_blobs_stay_readable(archive, write_results):
    files = write_results(60)
    archive.add(files[:40])
    before = {r.id: r.stored_size for r in archive.records(limit=None)}
    report = archive.optimize()
    assert report.dict_id and report.ratio_after < report.ratio_before
    archive.add(files[40:])
    new = [r for r in archive.records(limit=None) if r.id not in before]
    dict_ids = {row["dict_id"] for row in archive.store.query("SELECT dict_id FROM results")}
    assert dict_ids == {0, report.dict_id}
    assert len(new) == 20
    for record in archive.records(limit=None):
        assert archive.show(record.id) == Path(record.source or "").read_bytes()
    again = archive.optimize(recompress=True)
    assert again.recompressed == 60
    after = {r.id: r.stored_size for r in archive.records(limit=None) if r.id in before}
    assert sum(after.values()) < sum(before.values())
    fresh = Archive(archive.home)
    assert fresh.verify().ok
    fresh.close()


def test_recompress_level_is_harder_than_add_and_originals_stay_exact(
    archive: Archive, write_results
) -> None:
    files = write_results(60)
    archive.add(files)
    archive.optimize(recompress=True, level=archive.settings.zstd_level)
    at_add_level = sum(r.stored_size for r in archive.records(limit=None))
    report = archive.optimize(recompress=True)  # the recompress_level setting (15)
    assert report.recompressed == 60
    harder = sum(r.stored_size for r in archive.records(limit=None))
    assert harder < 0.9 * at_add_level, (harder, at_add_level)
    for record in archive.records(limit=None):
        assert archive.show(record.id) == Path(record.source or "").read_bytes()
    fresh = Archive(archive.home)
    assert fresh.verify().ok
    fresh.close()


def test_optimize_needs_enough_results(archive: Archive, write_results) -> None:
    archive.add(write_results(5))
    with pytest.raises(ArchiveError, match="too few results"):
        archive.optimize()


def test_newer_database_is_refused(altlas_home: Path) -> None:
    with Archive(altlas_home) as arch:
        arch.open()
    conn = sqlite3.connect(altlas_home / "altlas.db")
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        ("altlas.archive", "m999_future", "2030-01-01"),
    )
    conn.commit()
    conn.close()
    with Archive(altlas_home) as arch, pytest.raises(ArchiveError, match="newer altlas"):
        arch.records()


def test_pruning_interrupted_is_finished_by_repair(archive: Archive, write_results) -> None:
    archive.add(write_results(5))
    victim = archive.records(limit=1)[0]
    with archive.store.transaction() as conn:
        conn.execute("UPDATE results SET state = 'pruning' WHERE id = ?", (victim.id,))
    assert [p.kind for p in archive.verify().problems] == ["pruning"]
    assert archive.verify(repair=True).ok
    assert len(archive.records(limit=None)) == 4
    assert not archive.blobs.exists(victim.sha256)
    assert os.path.exists(archive.home / "altlas.db")


def test_add_trains_a_dictionary_by_itself(altlas_home: Path, write_results, monkeypatch) -> None:
    """Past ``auto_dictionary_after`` results, add trains one and recompresses what is there."""
    monkeypatch.setenv("ALTLAS_ARCHIVE__AUTO_DICTIONARY_AFTER", "30")
    files = write_results(50)
    with Archive(altlas_home, batch_size=10) as arch:
        arch.add(files)
        trained = arch.blobs.current_dict_id
        counts = dict(arch.store.query("SELECT dict_id, count(*) FROM results GROUP BY dict_id"))
        # Everything there at training time was recompressed; batches staged ahead of it
        # may still use no dictionary (old blobs stay readable).
        assert trained != 0 and counts[trained] >= 30 and set(counts) <= {0, trained}
        for record in arch.records(limit=None):
            assert arch.show(record.id) == Path(record.source or "").read_bytes()
    monkeypatch.setenv("ALTLAS_ARCHIVE__AUTO_DICTIONARY", "false")
    with Archive(altlas_home.parent / "other") as arch:
        arch.add(files)
        assert {r[0] for r in arch.store.query("SELECT dict_id FROM results")} == {0}


def test_the_staging_worker_trains_the_dictionary_off_the_writer(
    altlas_home: Path, write_results, monkeypatch
) -> None:
    """A large add past the threshold: the worker trains on the batch it stages; no stall after.

    The batches staged while it trains are re-encoded with its dictionary before the add
    returns, so every blob uses it.
    """
    monkeypatch.setenv("ALTLAS_ARCHIVE__AUTO_DICTIONARY_AFTER", "30")
    files = write_results(75)
    phases: list[str] = []
    with Archive(altlas_home, batch_size=25) as arch:
        assert arch.add(files, phase=phases.append).added == 75
        trained = arch.blobs.current_dict_id
        counts = dict(arch.store.query("SELECT dict_id, count(*) FROM results GROUP BY dict_id"))
        assert trained != 0 and counts == {trained: 75}
        assert "training a compression dictionary" not in phases
        (row,) = arch.store.query("SELECT dict_id, current FROM dictionaries")
        assert tuple(row) == (trained, 1)
        assert arch.verify().ok
        for record in arch.records(limit=None):
            assert arch.show(record.id) == Path(record.source or "").read_bytes()
        arch.optimize(recompress=True)
        assert {r[0] for r in arch.store.query("SELECT dict_id FROM results")} == {
            arch.blobs.current_dict_id
        }


def test_prune_drops_task_types_and_optimize_leaves_no_free_pages(
    archive: Archive, write_results
) -> None:
    from altlas.index.taskpack import task_types, unpack_tasks

    archive.add(write_results(80))
    ids = [r.id for r in archive.records({"status": ["success"]}, limit=None)]
    doomed = {archive.store.find(i)["rid"] for i in ids}
    assert 10 < len(doomed) < 60
    assert archive.prune("1d", {"status": ["success"]}).pruned == len(doomed)
    expected = {
        (kind, rid)
        for rid, pack in archive.store.query("SELECT rid, task_pack FROM results")
        for kind in task_types(unpack_tasks(pack))
    }
    found = {
        tuple(r)
        for r in archive.store.query(
            "SELECT n.type, t.rid FROM task_types t JOIN task_type_names n USING (code)"
        )
    }
    assert found == expected and not {rid for _, rid in found} & doomed
    assert archive.records({"task_types": [next(iter(expected))[0]]}, limit=None)
    archive.store.tidy()  # before: what prune freed stays in the file as free pages
    conn = sqlite3.connect(archive.home / "altlas.db")
    try:
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    finally:
        conn.close()
