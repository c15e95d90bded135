"""Every earlier schema version, with rows in it, upgrades to the current one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from altlas.formats import io
from altlas.formats.common import to_rfc3339
from altlas.index import Archive
from altlas.index.blobs import BlobStore
from altlas.index.extract import (
    RESULT_COLUMNS,
    Prepared,
    record_id,
    result_row,
    sha256_hex,
    task_rows,
)
from altlas.index.migrations import MIGRATION_NAMES, MIGRATIONS
from altlas.index.synthetic import synthetic_result

# Columns each version's results table has (the builders write rows in that shape): up to
# m005 ``id`` was stored and ``sha256`` was hex text.
_LEGACY = ("id", *RESULT_COLUMNS)
_V1 = _LEGACY[: _LEGACY.index("indexed")]
_V2 = _LEGACY[: _LEGACY.index("dict_id")]
_V3 = _LEGACY[: _LEGACY.index("task_pack")]
VERSION_COLUMNS = {1: _V1, 2: _V2, 3: _V3, 4: _V3, 5: _LEGACY, 6: RESULT_COLUMNS}


def _rfc3339(micros: int | None) -> str | None:
    if micros is None:
        return None
    return to_rfc3339(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros))


def _by_number(
    conn: sqlite3.Connection, names: str, column: str, table: str, values: Iterable[str], rid: int
) -> None:
    """Rows of a table keyed by a name's number (task types since m005, tags since m006)."""
    for value in values:
        conn.execute(f"INSERT OR IGNORE INTO {names} ({column}) VALUES (?)", (value,))
        conn.execute(
            f"INSERT INTO {table} (code, rid) SELECT code, ? FROM {names} WHERE {column} = ?",
            (rid, value),
        )


def _schema(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(
            conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchall()
        )
    finally:
        conn.close()


def build_version(home: Path, version: int, count: int = 3) -> list[bytes]:
    """An archive as altlas wrote it at schema ``version``: rows, tasks, tags and blobs."""
    home.mkdir(parents=True, exist_ok=True)
    db = Database(home / "altlas.db")
    if version < len(MIGRATION_NAMES):
        MIGRATIONS.apply(db, stop_before=MIGRATION_NAMES[version])
    else:
        MIGRATIONS.apply(db)
    blobs = BlobStore(home / "blobs")
    originals = []
    columns = VERSION_COLUMNS[version]
    for i in range(count):
        result = synthetic_result(i, seed=version)
        raw = io.to_bytes(result)
        item = Prepared(
            path=f"r{i}.last",
            source=None if i % 2 else f"/data/in/r{i}.last",
            name=f"r{i}.last",
            raw=raw,
            sha=sha256_hex(raw),
            result=result,
            dialect="canonical-last",
            container="plain",
            added_at=datetime(2025, 1, 2, tzinfo=UTC),
        )
        item.blob, _ = blobs.compress(raw)
        blobs.put_many([(item.sha, item.blob)])
        values = result_row(item)
        if version < 6:  # id stored, sha256 and times as text
            times = [RESULT_COLUMNS.index(c) for c in ("started_at", "finished_at", "added_at")]
            text = [_rfc3339(v) if n in times else v for n, v in enumerate(values)]
            values = (record_id(item.sha), item.sha, *text[1:])[: len(columns)]
        cur = db.conn.execute(
            f"INSERT INTO results ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            values,
        )
        rid = cur.lastrowid
        if version < 5:
            db.conn.executemany(
                "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                task_rows(rid, result),
            )
        else:
            kinds = dict.fromkeys(t.type for t in result.tasks if t.type)
            _by_number(db.conn, "task_type_names", "type", "task_types", kinds, rid)
        tags = dict.fromkeys(result.tags)
        if version < 6:
            db.conn.executemany("INSERT INTO tags VALUES (?, ?)", [(rid, t) for t in tags])
        else:
            _by_number(db.conn, "tag_names", "tag", "tags", tags, rid)
        originals.append(raw)
    db.conn.commit()
    db.conn.close()
    return originals


@pytest.mark.parametrize("version", range(1, len(MIGRATION_NAMES)))
def test_upgrade_from_every_earlier_version(version: int, tmp_path: Path) -> None:
    old = tmp_path / f"v{version}"
    originals = build_version(old, version)
    applied = [
        r[0]
        for r in sqlite3.connect(old / "altlas.db").execute(
            "SELECT name FROM _sqlite_migrations ORDER BY id"
        )
    ]
    assert applied == list(MIGRATION_NAMES[:version])
    with Archive(old) as arch:
        records = arch.records(limit=None, sort="added", ascending=True)
        assert [arch.show(r.id) for r in records] == originals
        assert all(r.blob_state == "ok" for r in records)
        assert {r.added_at for r in records} == {datetime(2025, 1, 2, tzinfo=UTC)}
        assert [(r.name, r.source) for r in records] == [
            ("r0.last", "/data/in/r0.last"), ("r1.last", None), ("r2.last", "/data/in/r2.last")
        ]  # fmt: skip
        arch.reindex()
        assert arch.search("*").total == 3
        assert arch.verify().ok
        assert arch.stats().results == 3
        upgraded = _task_views(arch)
    same = tmp_path / "same"
    for n, raw in enumerate(originals):
        (same / "in").mkdir(parents=True, exist_ok=True)
        (same / "in" / f"r{n}.last").write_bytes(raw)
    with Archive(same / "home") as arch:
        assert arch.add([same / "in"]).added == 3
        assert _task_views(arch) == upgraded
    fresh = tmp_path / "fresh"
    with Archive(fresh) as arch:
        arch.open()
    assert _schema(old / "altlas.db") == _schema(fresh / "altlas.db")


def _task_views(arch: Archive) -> dict[str, object]:
    """What the task rows feed: statistics by task type/handler/status, task durations, the
    task-type filter (by result id), and the atlas's failure reasons."""
    stats = arch.stats()
    kinds = sorted({r.value for r in stats.success_by["task_type"]})
    assert kinds, "the synthetic results have typed tasks"
    atlas = arch.build_atlas()
    return {
        "tasks": stats.tasks,
        "success_by": {k: stats.success_by[k] for k in ("task_type", "handler")},
        "durations": stats.task_durations_ms,
        "by_type": {
            k: sorted(r.result_id for r in arch.records({"task_types": [k]}, limit=None))
            for k in kinds
        },
        "failures": atlas.model_dump(mode="json")["failures"],
        "records": [
            r.model_dump(exclude={"rid", "added_at", "source", "name", "stored_size", "dict_id"})
            for r in arch.records(limit=None, sort="time")
        ],
        "found": [arch.record(r.id[:7]).sha256 for r in arch.records(limit=None)],
    }


def test_current_version_builder_matches_a_new_archive(tmp_path: Path) -> None:
    """The builder for the latest version writes what Archive itself would read."""
    home = tmp_path / "latest"
    build_version(home, len(MIGRATION_NAMES))
    with Archive(home) as arch:
        arch.reindex()
        assert arch.verify().ok


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    home = tmp_path / "h"
    for _ in range(2):
        with Archive(home) as arch:
            arch.open()
    rows = (
        sqlite3.connect(home / "altlas.db")
        .execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id")
        .fetchall()
    )
    assert rows == [("altlas.archive", name) for name in MIGRATION_NAMES]


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2025, 1, 1, 0, 0, 37, 154816, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1901, 6, 1, 12, 0, 0, 500000, tzinfo=UTC),
        datetime(999, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_times_read_back_as_the_text_they_were(moment: datetime, tmp_path: Path) -> None:
    """m006 keeps times as microseconds; the repository gives callers the RFC 3339 text of
    earlier versions, character for character (what upgraded and new rows must agree on)."""
    from altlas.index.repository import _iso
    from altlas.index.timeparse import to_micros

    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (added_at INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(to_micros(moment),), ("not a time",)])
    got = [r[0] for r in conn.execute(f"SELECT {_iso('added_at')} FROM t ORDER BY rowid")]
    conn.close()
    assert got == [to_rfc3339(moment), "not a time"]


def test_a_rid_is_never_used_twice_across_the_rebuild(tmp_path: Path) -> None:
    """m006 copies ``results`` into a new table; AUTOINCREMENT's high mark comes along, so a
    row added after the upgrade never takes a pruned row's rid (a stale index document)."""
    home = tmp_path / "v5"
    originals = build_version(home, 5)
    conn = sqlite3.connect(home / "altlas.db")
    conn.execute("DELETE FROM results WHERE rid = 3")
    conn.commit()
    conn.close()
    new = tmp_path / "new.last"
    new.write_bytes(io.to_bytes(synthetic_result(7, seed=99)))
    with Archive(home) as arch:
        assert arch.add([new]).added == 1
        rids = [r[0] for r in arch.store.query("SELECT rid FROM results ORDER BY rid")]
    assert rids == [1, 2, 4]
    assert len(originals) == 3
