"""The SQLite side: damage detection from the header, filters as parameters, lookups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from altlas.errors import ArchiveError, NotFoundError
from altlas.index import Archive, Filters
from altlas.index.repository import filter_sql
from altlas.index.store import check_database_file


def test_check_database_file(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert check_database_file(db) is None  # absent: a new archive
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("y" * 500,)] * 200)
    conn.commit()
    conn.close()
    assert check_database_file(db) is None
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.truncate(size - 4096)
    assert "truncated" in (check_database_file(db) or "")
    db.write_bytes(b"hello")
    assert "not a SQLite database" in (check_database_file(db) or "")


def test_filters_become_parameters_only() -> None:
    hostile = "x'); DROP TABLE results; --"
    where, params = filter_sql(
        Filters(status="failure", tag=[hostile, "b"], task_type="t", lang="EN", mode="x")
    )
    assert hostile not in where and hostile in params
    assert where.count("?") == len(params)
    assert "en" in params


def test_find_by_id_prefix_sha_and_result_id(archive: Archive, mkresult) -> None:
    archive.add_result(mkresult("last_one", ["completed"]))
    archive.add_result(mkresult("last_two", ["failed"]))
    record = archive.record("last_one")
    assert archive.record(record.id) == record
    assert archive.record(record.sha256) == record
    assert archive.record(record.id[:8]) == record
    with pytest.raises(NotFoundError, match="no archived result"):
        archive.record("nothing-like-this")
    with pytest.raises(NotFoundError):
        archive.record("last")


def test_ambiguous_prefix(archive: Archive, mkresult) -> None:
    archive.add_result(mkresult("r1", ["completed"]))
    record = archive.record("r1")
    twin_id = record.id[:6] + ("0" if record.id[6] != "0" else "1") + record.id[7:]
    with archive.store.transaction() as conn:
        conn.execute(
            "INSERT INTO results (sha256, result_id, status, success_rate, ts, raw_size, "
            "stored_size, added_at) VALUES (?, 'r2', 'success', 1, 0, 1, 1, '2025-01-01')",
            (bytes.fromhex(twin_id + "0" * 48),),
        )
    with pytest.raises(ArchiveError, match="ambiguous"):
        archive.record(record.id[:6])
    assert archive.record(record.id[:7]).id == record.id


def test_a_name_that_ends_its_source_is_stored_once(
    archive: Archive, write_results, mkresult, tmp_path: Path
) -> None:
    """``name`` is NULL in the row when it is the last part of ``source``; every reader gets
    it back, and a name with no source to come from (``add_result``) is kept as it is.
    (Other containers and dialects keep their names: tests/index/test_ingest.py.)"""
    files = write_results(3)
    assert archive.add(files).added == 3
    archive.add_result(mkresult("r1", ["completed"]))
    stored = {r[0]: r[1] for r in archive.store.query("SELECT source, name FROM results")}
    assert [stored[str(f.resolve())] for f in files] == [None, None, None]
    kept = stored[None]
    assert kept and kept.endswith(".last")
    names = {r.source: r.name for r in archive.records(limit=None)}
    assert names == {**{str(f.resolve()): f.name for f in files}, None: kept}
    assert archive.store.find(files[0].stem)["name"] == files[0].name
    # the usual dialect and container are NULL too, and read back
    stored_kinds = set(archive.store.query("SELECT dialect, container FROM results"))
    assert {tuple(r) for r in stored_kinds} == {(None, None)}
    kinds = {(r.dialect, r.container) for r in archive.records(limit=None)}
    assert kinds == {("canonical-last", "plain")}
    assert archive.store.plain_count() == 4
    out = tmp_path / "out"
    report = archive.export(out)
    assert report.count == 4
    exported = {p.name for p in out.rglob("*") if p.is_file()}
    assert {f.name for f in files} | {kept} <= exported, exported


def test_marking_rows_indexed_touches_exactly_those_rows(archive: Archive, write_results) -> None:
    """Rows are marked by runs of consecutive rids: gaps and stray rids must stay as they are."""
    archive.add(write_results(9))
    store = archive.store
    rids = [r[0] for r in store.conn.execute("SELECT rid FROM results ORDER BY rid")]
    assert len(rids) == 9
    store.mark_indexed(rids, 0)
    chosen = [rids[0], rids[1], rids[2], rids[4], rids[7], rids[8], rids[4]]
    store.mark_indexed(chosen)
    marked = {r[0]: r[1] for r in store.conn.execute("SELECT rid, indexed FROM results")}
    assert {rid for rid, v in marked.items() if v == 1} == set(chosen)
    store.record_index_outcome([rids[5], rids[3]], [])
    marked = {r[0]: r[1] for r in store.conn.execute("SELECT rid, indexed FROM results")}
    assert {rid for rid, v in marked.items() if v == 0} == {rids[6]}
