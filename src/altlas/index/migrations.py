"""The archive's SQLite schema, as numbered migrations (sqlite-utils ``Migrations``).

Never edit a migration that has shipped: add the next one. Each is recorded in
``_sqlite_migrations`` and applied on open; ``tests/index/test_migrations.py`` builds a
database at every earlier version, with rows, and upgrades it.

* 001 results, their tasks and tags;
* 002 saga state: ``indexed`` (the index document is committed), ``blob_state``
  (``ok``/``missing``/``damaged``), ``state`` (``active``/``pruning``);
* 003 zstd dictionaries, and the dictionary each blob was compressed with;
* 004 recorded atlases;
* 005 each result's task rows packed into ``results.task_pack`` (``index/taskpack.py``) and
  its distinct task types, by number, in ``task_types`` (the type filter), instead of the ``tasks``
  table and its type index: 4.4% of the raw JSON became 2.2%;
* 006 ``results.sha256`` as its 32 bytes, ``id`` (its first 16 hex digits) computed from it
  instead of stored and indexed, ``started_at``/``finished_at``/``added_at`` as microseconds
  since the epoch (the repository gives callers the same RFC 3339 text), ``name`` NULL
  where it is the last part of ``source``, ``dialect``/``container`` NULL where they are
  ``canonical-last``/``plain`` (all read back so), and ``tags``
  keyed (tag number, rid) only: -2.2% of the raw JSON.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils.migrations import Migrations

__all__ = ["MIGRATIONS", "MIGRATION_NAMES", "SET_NAME"]

SET_NAME = "altlas.archive"
MIGRATIONS = Migrations(SET_NAME)


@MIGRATIONS(name="m001_results")
def m001_results(db: Any) -> None:
    db.execute(
        """
        CREATE TABLE results (
            rid INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            sha256 TEXT NOT NULL UNIQUE,
            result_id TEXT NOT NULL,
            run_id TEXT,
            plan_id TEXT,
            title TEXT,
            command TEXT,
            language TEXT,
            mode TEXT,
            persona TEXT,
            status TEXT NOT NULL,
            success_rate REAL NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            ts INTEGER NOT NULL,
            duration_ms REAL,
            task_count INTEGER NOT NULL DEFAULT 0,
            completed_count INTEGER NOT NULL DEFAULT 0,
            tags TEXT NOT NULL DEFAULT '[]',
            dialect TEXT,
            container TEXT,
            source TEXT,
            name TEXT,
            raw_size INTEGER NOT NULL,
            stored_size INTEGER NOT NULL,
            added_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_results_result_id ON results(result_id)")
    db.execute("CREATE INDEX idx_results_ts ON results(ts)")
    db.execute("CREATE INDEX idx_results_status ON results(status, ts)")
    db.execute(
        """
        CREATE TABLE tasks (
            rid INTEGER NOT NULL REFERENCES results(rid) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            task_id TEXT NOT NULL,
            type TEXT,
            handler TEXT,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            duration_ms REAL,
            error_type TEXT,
            error_message TEXT,
            cached INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (rid, seq)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_tasks_type ON tasks(type, rid)")
    db.execute(
        """
        CREATE TABLE tags (
            rid INTEGER NOT NULL REFERENCES results(rid) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (rid, tag)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_tags_tag ON tags(tag, rid)")


@MIGRATIONS(name="m002_saga_state")
def m002_saga_state(db: Any) -> None:
    # Rows written before this migration were indexed in the same step, so they start as 1.
    db.execute("ALTER TABLE results ADD COLUMN indexed INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE results ADD COLUMN blob_state TEXT NOT NULL DEFAULT 'ok'")
    db.execute("ALTER TABLE results ADD COLUMN state TEXT NOT NULL DEFAULT 'active'")
    db.execute("CREATE INDEX idx_results_unindexed ON results(rid) WHERE indexed = 0")
    db.execute("CREATE INDEX idx_results_attention ON results(rid) WHERE state != 'active'")


@MIGRATIONS(name="m003_dictionaries")
def m003_dictionaries(db: Any) -> None:
    db.execute(
        """
        CREATE TABLE dictionaries (
            dict_id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            size INTEGER NOT NULL,
            samples INTEGER NOT NULL,
            current INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("ALTER TABLE results ADD COLUMN dict_id INTEGER NOT NULL DEFAULT 0")


@MIGRATIONS(name="m004_atlases")
def m004_atlases(db: Any) -> None:
    db.execute(
        """
        CREATE TABLE atlases (
            id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            path TEXT,
            created_at TEXT NOT NULL,
            results INTEGER NOT NULL DEFAULT 0,
            since TEXT,
            until TEXT,
            recorded_at TEXT NOT NULL
        )
        """
    )


@MIGRATIONS(name="m005_packed_tasks")
def m005_packed_tasks(db: Any) -> None:
    from altlas.index.taskpack import pack_tasks, task_types

    db.execute("ALTER TABLE results ADD COLUMN task_pack BLOB")
    # No foreign key: a cascade on rid would scan the table per deleted row (its key starts
    # with type); the repository deletes a pruned result's rows itself.
    # The types by number: a row is then a few bytes (about 0.25% of the raw JSON, not 0.6%).
    db.execute("CREATE TABLE task_type_names (code INTEGER PRIMARY KEY, type TEXT NOT NULL UNIQUE)")
    db.execute(
        "CREATE TABLE task_types (code INTEGER NOT NULL, rid INTEGER NOT NULL, "
        "PRIMARY KEY (code, rid)) WITHOUT ROWID"
    )
    conn = db.conn
    rids = [r[0] for r in conn.execute("SELECT rid FROM results ORDER BY rid")]
    for at in range(0, len(rids), 500):
        chunk = rids[at : at + 500]
        by_rid: dict[int, list[tuple[Any, ...]]] = {rid: [] for rid in chunk}
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT rid, task_id, type, handler, status, attempts, duration_ms, error_type, "  # noqa: S608
            f"error_message, cached FROM tasks WHERE rid IN ({marks}) ORDER BY rid, seq",
            chunk,
        )
        for rid, *values in rows:
            by_rid[rid].append(tuple(values))
        conn.executemany(
            "UPDATE results SET task_pack = ? WHERE rid = ?",
            [(pack_tasks(tasks), rid) for rid, tasks in by_rid.items() if tasks],
        )
        pairs = [(kind, rid) for rid, tasks in by_rid.items() for kind in task_types(tasks)]
        conn.executemany(
            "INSERT OR IGNORE INTO task_type_names (type) VALUES (?)", [(k,) for k, _ in pairs]
        )
        conn.executemany(
            "INSERT OR IGNORE INTO task_types (code, rid) "
            "SELECT code, ? FROM task_type_names WHERE type = ?",
            [(rid, kind) for kind, rid in pairs],
        )
    db.execute("DROP INDEX idx_tasks_type")
    db.execute("DROP TABLE tasks")


_RESULTS_V6 = """
    CREATE TABLE results_v6 (
        rid INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256 BLOB NOT NULL UNIQUE,
        id TEXT GENERATED ALWAYS AS (lower(hex(substr(sha256, 1, 8)))) VIRTUAL,
        result_id TEXT NOT NULL,
        run_id TEXT,
        plan_id TEXT,
        title TEXT,
        command TEXT,
        language TEXT,
        mode TEXT,
        persona TEXT,
        status TEXT NOT NULL,
        success_rate REAL NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        ts INTEGER NOT NULL,
        duration_ms REAL,
        task_count INTEGER NOT NULL DEFAULT 0,
        completed_count INTEGER NOT NULL DEFAULT 0,
        tags TEXT NOT NULL DEFAULT '[]',
        dialect TEXT,
        container TEXT,
        source TEXT,
        name TEXT,
        raw_size INTEGER NOT NULL,
        stored_size INTEGER NOT NULL,
        added_at INTEGER NOT NULL,
        indexed INTEGER NOT NULL DEFAULT 1,
        blob_state TEXT NOT NULL DEFAULT 'ok',
        state TEXT NOT NULL DEFAULT 'active',
        dict_id INTEGER NOT NULL DEFAULT 0,
        task_pack BLOB
    )
"""
_MOVED = (
    "rid, result_id, run_id, plan_id, title, command, language, mode, persona, status, "
    "success_rate, started_at, finished_at, ts, duration_ms, task_count, completed_count, "
    "tags, dialect, container, source, name, raw_size, stored_size, added_at, indexed, "
    "blob_state, state, dict_id, task_pack"
)


def _digest(value: Any) -> bytes:
    """A stored sha256 as its 32 bytes (hex text before m006); anything else is kept as is,
    so a damaged row stays visible to verify instead of failing the upgrade."""
    if isinstance(value, str):
        try:
            return bytes.fromhex(value)
        except ValueError:
            return value.encode()
    return bytes(value)


def _micros(value: Any) -> Any:
    """RFC 3339 text as written by ``to_rfc3339`` -> microseconds since the epoch; any other
    value is kept as it is (INTEGER affinity keeps text), and read back unchanged."""
    from datetime import datetime

    from altlas.formats.common import to_rfc3339
    from altlas.index.timeparse import to_micros

    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None or to_rfc3339(moment) != value:
        return value
    return to_micros(moment)


_NAME_AT, _SOURCE_AT = (_MOVED.split(", ").index(c) + 1 for c in ("name", "source"))


# Frozen here (not imported): what m006 wrote must not change with later code.
_USUAL_AT = {
    _MOVED.split(", ").index(c) + 1: v
    for c, v in (("dialect", "canonical-last"), ("container", "plain"))
}


def _basename_as_null(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``name`` NULL where it is the last part of ``source``, ``dialect`` and ``container``
    NULL where they are the usual ones (the repository reads them back so)."""
    out = list(row)
    for at, usual in _USUAL_AT.items():
        if out[at] == usual:
            out[at] = None
    name, source = row[_NAME_AT], row[_SOURCE_AT]
    if isinstance(source, str) and name == source.rsplit("/", 1)[-1]:
        out[_NAME_AT] = None
    return tuple(out)


_TIMES = {_MOVED.split(", ").index(c) + 1: c for c in ("started_at", "finished_at", "added_at")}


@MIGRATIONS(name="m006_compact_keys")
def m006_compact_keys(db: Any) -> None:
    conn = db.conn
    # tags first: its foreign key would empty it when the old results table is dropped. Only
    # the (tag, rid) order is read (the tag filter), tags by number as task types; a pruned
    # result's rows are deleted by the repository from the result's own ``tags`` column.
    conn.execute("CREATE TABLE tag_names (code INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE)")
    conn.execute(
        "CREATE TABLE tags_v6 (code INTEGER NOT NULL, rid INTEGER NOT NULL, "
        "PRIMARY KEY (code, rid)) WITHOUT ROWID"
    )
    conn.execute("INSERT OR IGNORE INTO tag_names (tag) SELECT tag FROM tags ORDER BY rid, tag")
    conn.execute(
        "INSERT OR IGNORE INTO tags_v6 (code, rid) "
        "SELECT n.code, t.rid FROM tags t JOIN tag_names n ON n.tag = t.tag"
    )
    conn.execute("DROP TABLE tags")
    conn.execute("ALTER TABLE tags_v6 RENAME TO tags")
    seq = conn.execute("SELECT max(seq) FROM sqlite_sequence WHERE name = 'results'").fetchone()
    conn.execute(_RESULTS_V6)
    rows = conn.execute(f"SELECT sha256, {_MOVED} FROM results ORDER BY rid")  # noqa: S608
    marks = ", ".join("?" * (_MOVED.count(",") + 2))
    while chunk := rows.fetchmany(1000):
        conn.executemany(
            f"INSERT INTO results_v6 (sha256, {_MOVED}) VALUES ({marks})",  # noqa: S608
            [
                _basename_as_null(
                    (
                        _digest(r[0]),
                        *(_micros(v) if n in _TIMES else v for n, v in enumerate(r[1:], 1)),
                    )
                )
                for r in chunk
            ],
        )
    conn.execute("DROP TABLE results")
    conn.execute("ALTER TABLE results_v6 RENAME TO results")
    # AUTOINCREMENT's promise (no rid is used twice) must survive the copy: a pruned row's
    # stale index document must never be taken for a new row's.
    if seq[0] is not None:
        conn.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'results'", (seq[0],)
        )
        if not conn.execute("SELECT 1 FROM sqlite_sequence WHERE name = 'results'").fetchone():
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('results', ?)", seq)
    conn.execute("CREATE INDEX idx_results_result_id ON results(result_id)")
    conn.execute("CREATE INDEX idx_results_ts ON results(ts)")
    conn.execute("CREATE INDEX idx_results_status ON results(status, ts)")
    conn.execute("CREATE INDEX idx_results_unindexed ON results(rid) WHERE indexed = 0")
    conn.execute("CREATE INDEX idx_results_attention ON results(rid) WHERE state != 'active'")


MIGRATION_NAMES: tuple[str, ...] = tuple(m.name for m in MIGRATIONS._migrations)
"""In order; ``MIGRATIONS.apply(db, stop_before=name)`` builds each earlier version."""
