"""The archive's repository: every SQL statement on ``altlas.db``, behind named methods.

Callers (``Archive``, verify/repair, stats, bundles, atlas, rebuild) ask for rows by what they
mean (``records(filters)``, ``begin_pruning(rids)``), never for a connection; opening,
migrating and turning SQLite failures into one-line errors is :class:`~altlas.index.store.Store`.
:class:`ArchiveRepository` is what callers may rely on, so a Postgres repository can sit
behind the same methods later. Only ingest's hot path (``index/ingest.py`` and its helpers)
still writes whole batches through the connection, for speed.

Every statement is a constant string with ``?`` parameters; filters add constant fragments
and parameters (:func:`filter_sql`), never user text. The module is longer than the house's
~400 lines on purpose: its point is that all of the archive's SQL is here, in one place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from altlas.errors import ArchiveCorruptError, ArchiveInputError, ArchiveNotFoundError
from altlas.index.extract import RESULT_COLUMNS, STORED_DEFAULTS
from altlas.index.filters import Filters, RecordSort
from altlas.index.models import ArchiveRecord
from altlas.index.store import Store
from altlas.index.taskpack import task_types, unpack_tasks

if TYPE_CHECKING:
    from altlas.index.lock import ArchiveLock
from altlas.index.timeparse import to_micros

__all__ = [
    "BUNDLE_COLUMNS",
    "RECORD_COLUMNS",
    "STAT_RESULT_COLUMNS",
    "STAT_TASK_COLUMNS",
    "ArchiveRepository",
    "SqliteArchiveRepository",
    "confirm_damage",
    "file_has_results",
    "filter_sql",
    "open_repository",
    "row_to_record",
]

Row = sqlite3.Row
StatRows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]
"""``(results, tasks)`` rows in ``STAT_RESULT_COLUMNS`` / ``STAT_TASK_COLUMNS`` order."""

_SHA = "lower(hex(sha256)) AS sha256"
"""``results.sha256`` is stored as its 32 bytes (m006); callers see the hex digest."""


def _iso(column: str) -> str:
    """``column`` (microseconds since the epoch since m006) as the RFC 3339 text it was
    before, exactly as ``to_rfc3339`` writes it: seconds, ``.ffffff`` only when not zero,
    ``Z``. A value m006 could not convert is text still, and passes through."""
    frac = f"(({column} % 1000000) + 1000000) % 1000000"
    return (
        f"CASE WHEN typeof({column}) = 'integer' THEN "
        f"strftime('%Y-%m-%dT%H:%M:%S', ({column} - {frac}) / 1000000, 'unixepoch') || "
        f"CASE WHEN {frac} != 0 THEN printf('.%06d', {frac}) ELSE '' END || 'Z' "
        f"ELSE {column} END AS {column}"
    )


_STARTED, _FINISHED, _ADDED = _iso("started_at"), _iso("finished_at"), _iso("added_at")
_NAME = "coalesce(name, replace(source, rtrim(source, replace(source, '/', '')), '')) AS name"
"""A NULL ``name`` is the last part of ``source`` (:func:`altlas.index.extract.stored_row`):
``rtrim`` takes every character but ``/`` off the end, leaving the folder to cut."""
_DIALECT, _CONTAINER = (
    f"coalesce({c}, '{v}') AS {c}" for c, v in STORED_DEFAULTS.items()
)  # NULL is the usual value (m006)
_PLAIN = "coalesce(container, 'plain') = 'plain'"
RECORD_COLUMNS = (
    f"rid, id, {_SHA}, result_id, run_id, plan_id, title, command, status, success_rate, "
    f"{_STARTED}, {_FINISHED}, duration_ms, task_count, completed_count, mode, persona, "
    f"language, tags, source, {_NAME}, {_DIALECT}, {_CONTAINER}, raw_size, stored_size, "
    f"{_ADDED}, "
    "blob_state, indexed, dict_id"
)
BUNDLE_COLUMNS = f"rid, id, {_SHA}, result_id, {_NAME}, source, {_ADDED}, raw_size, {_CONTAINER}"
_RESULT_INSERT = (
    f"INSERT INTO results (rid, {', '.join(RESULT_COLUMNS)}) "  # noqa: S608  (constant names)
    f"VALUES (?, {', '.join('?' * len(RESULT_COLUMNS))})"
)
_RESULT_INSERT_NEW_RID = (
    f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' * len(RESULT_COLUMNS))})"
)
_RECORD_ORDER = {RecordSort.TIME: "ts", RecordSort.SUCCESS: "success_rate", RecordSort.ADDED: "rid"}
STAT_RESULT_COLUMNS = (
    "rid", "id", "result_id", "run_id", "plan_id", "title", "command", "status", "success_rate",
    "started_at", "ts", "duration_ms", "task_count", "completed_count", "mode", "persona",
    "language", "tags", "raw_size", "stored_size",
)  # fmt: skip
STAT_TASK_COLUMNS = (
    "rid", "type", "handler", "status", "duration_ms", "error_type", "error_message",
)  # fmt: skip
_STAT_SELECT = ", ".join(_iso(c) if c == "started_at" else c for c in STAT_RESULT_COLUMNS)
_TAG_CODE = "(SELECT code FROM tag_names WHERE tag = ?)"
_TYPE_CODE = "(SELECT code FROM task_type_names WHERE type = ?)"
"""Tags and task types are stored by number (m005, m006): a name's number, or NULL."""
_ATLAS_COLUMNS = "id, sha256, path, created_at, results, since, until, recorded_at"


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    """A WHERE clause (without the keyword) and its parameters."""
    parts = ["state = 'active'"]
    params: list[Any] = []

    def any_of(column: str, values: Sequence[str]) -> None:
        if values:
            parts.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)

    any_of("status", filters.status)
    any_of("mode", filters.modes)
    any_of("persona", filters.personas)
    any_of("language", filters.languages)
    for column, op, value in (
        ("success_rate", ">=", filters.min_success),
        ("success_rate", "<=", filters.max_success),
        ("ts", ">=", to_micros(filters.since) if filters.since else None),
        ("ts", "<=", to_micros(filters.until) if filters.until else None),
    ):
        if value is not None:
            parts.append(f"{column} {op} ?")
            params.append(value)
    for tag in filters.tags:
        parts.append(f"rid IN (SELECT rid FROM tags WHERE code = {_TAG_CODE})")  # noqa: S608
        params.append(tag)
    for kind in filters.task_types:
        parts.append(f"rid IN (SELECT rid FROM task_types WHERE code = {_TYPE_CODE})")  # noqa: S608
        params.append(kind)
    return " AND ".join(parts), params


def _digest_range(prefix: str) -> list[bytes]:
    """The lowest and highest 32-byte digest that start with the hex ``prefix``."""
    prefix = prefix.lower()
    return [bytes.fromhex(prefix.ljust(64, "0")), bytes.fromhex(prefix.ljust(64, "f"))]


def _dt(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def row_to_record(row: Row) -> ArchiveRecord:
    data = {k: row[k] for k in row.keys() if k in ArchiveRecord.model_fields}  # noqa: SIM118
    data.update(
        started_at=_dt(row["started_at"]),
        finished_at=_dt(row["finished_at"]),
        tags=orjson.loads(row["tags"] or "[]"),
        added_at=_dt(row["added_at"]) or datetime.fromtimestamp(0, UTC),
        indexed=bool(row["indexed"]),
    )
    return ArchiveRecord(**data)


# -- the file, before (or instead of) opening it -----------------------------------------
def confirm_damage(path: Path) -> list[str]:
    """SQLite's own verdict on ``path`` (``integrity_check`` on a read-only connection).

    [] means the database is sound, or holds no results (nothing a rebuild could lose). Only a
    non-empty answer lets repair move the file aside; an environment problem raises instead.
    """
    from altlas.index.store import unavailable
    from altlas.storage.health import (
        integrity_problems,
        is_corruption,
        open_readonly,
        sqlite_cause,
    )

    if not path.is_file() or path.stat().st_size == 0:
        return []
    try:
        conn = open_readonly(path)
    except sqlite3.Error as exc:
        if is_corruption(exc):
            return [str(exc)]
        cause = sqlite_cause(exc, path)
        if cause is not None:
            raise unavailable(path, cause) from None
        return [str(exc)]
    try:
        problems = integrity_problems(conn, full=True)
        if problems:
            return problems
        try:
            conn.execute("SELECT 1 FROM results LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            return [str(exc)] if is_corruption(exc) else []
        return []
    finally:
        conn.close()


def file_has_results(path: Path) -> bool:
    """The database file at ``path`` opens and holds at least one result."""
    from altlas.storage.health import open_readonly

    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        conn = open_readonly(path)
    except sqlite3.Error:
        return False
    try:
        return bool(conn.execute("SELECT 1 FROM results LIMIT 1").fetchall())
    except sqlite3.Error:
        return False
    finally:
        conn.close()


class ArchiveRepository(Protocol):
    """What the archive's callers use (all but ingest's batch path); SQLite implements it today.

    A second backend implements these methods; :func:`open_repository` picks it.
    """

    path: Path
    read_only: bool
    check_on_open: bool

    # lifecycle
    def open(self) -> Any: ...
    def close(self) -> None: ...
    def require_writable(self) -> None: ...
    def damaged(self, reason: str) -> ArchiveCorruptError: ...
    def integrity_problems(self, *, full: bool = False) -> list[str]: ...
    def tidy(self) -> None: ...
    # results
    def count(self) -> int: ...
    def has_active(self) -> bool: ...
    def find(self, key: str) -> Row: ...
    def records(
        self,
        filters: Filters,
        *,
        sort: RecordSort = ...,
        ascending: bool = ...,
        limit: int | None = ...,
        offset: int = ...,
    ) -> list[ArchiveRecord]: ...
    def hit_rows(self, rids: Sequence[int]) -> dict[int, Row]: ...
    def stat_rows(self, filters: Filters) -> StatRows: ...
    # verify, reindex, repair
    def blob_rows(self) -> list[Row]: ...
    def index_rows(self) -> list[Row]: ...
    def indexable_rows(self) -> list[Row]: ...
    def unindexed_rows(self, limit: int) -> list[Row]: ...
    def known_shas(self) -> set[str]: ...
    def set_blob_states(self, states: Iterable[tuple[str, int]]) -> None: ...
    def mark_indexed(self, rids: Sequence[int], value: int = 1) -> None: ...
    def mark_all_unindexed(self) -> None: ...
    def record_index_outcome(
        self, done: Sequence[int], broken: Sequence[tuple[str, int]], *, replace: bool = False
    ) -> None: ...
    # dictionaries
    def current_dict_id(self) -> int: ...
    def plain_count(self) -> int: ...
    def dictionary_samples(self, limit: int) -> list[Row]: ...
    def catalogue_dictionaries(
        self, entries: Sequence[tuple[int, str, int, int, bool]]
    ) -> None: ...
    def not_using_dictionary(self, dict_id: int, after_rid: int, limit: int) -> list[Row]: ...
    def set_encodings(self, updates: Sequence[tuple[int, int, int]]) -> None: ...
    # export, prune
    def bundle_rows(self, filters: Filters, *, before_micros: int | None = None) -> list[Row]: ...
    def bundle_rows_by_rid(self, rids: Sequence[int]) -> list[Row]: ...
    def begin_pruning(self, rids: Sequence[int]) -> None: ...
    def pruning_rows(self, rids: Sequence[int]) -> list[Row]: ...
    def delete_pruned(self, rids: Sequence[int]) -> None: ...
    # atlases
    def insert_atlas(self, entry: dict[str, Any]) -> None: ...
    def atlas_rows(self) -> list[Row]: ...
    def atlas_sha(self, key: str) -> str | None: ...


def open_repository(
    path: Path, lock: ArchiveLock, *, busy_timeout: float, check_on_open: bool
) -> SqliteArchiveRepository:
    """The archive's repository (SQLite in WAL mode: the only backend so far). Not opened yet."""
    return SqliteArchiveRepository(
        path, lock, busy_timeout=busy_timeout, check_on_open=check_on_open
    )


class SqliteArchiveRepository(Store):
    """:class:`ArchiveRepository` on ``altlas.db`` (SQLite, WAL)."""

    # -- results: reading ----------------------------------------------------------------------
    def count(self) -> int:
        return int(self.query("SELECT count(*) FROM results")[0][0])

    def has_active(self) -> bool:
        return bool(self.query("SELECT 1 FROM results WHERE state = 'active' LIMIT 1"))

    def records(
        self,
        filters: Filters,
        *,
        sort: RecordSort = RecordSort.TIME,
        ascending: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArchiveRecord]:
        where, params = filter_sql(filters)
        direction = "ASC" if ascending else "DESC"
        order = f"ORDER BY {_RECORD_ORDER[sort]} {direction}, rid {direction}"
        # The page's rids first: a sort over every match then carries two numbers per row,
        # and the text columns (digest, times) are computed for the page only.
        sql = (
            f"SELECT {RECORD_COLUMNS} FROM results WHERE rid IN "  # noqa: S608
            f"(SELECT rid FROM results WHERE {where} {order} LIMIT ? OFFSET ?) {order}"
        )
        rows = self.query(sql, [*params, -1 if limit is None else limit, offset])
        return [row_to_record(r) for r in rows]

    def find(self, key: str) -> Row:
        """A record by archive id, full sha256, result id, or a unique id prefix (6+ chars)."""
        key = key.strip()
        base = f"SELECT {RECORD_COLUMNS}, state FROM results WHERE "  # noqa: S608
        hexed = all(c in "0123456789abcdef" for c in key.lower())
        # An id is the digest's first 16 hex digits: a range of the digest's index.
        by_digest = " sha256 BETWEEN ? AND ? ORDER BY rid"
        if hexed and len(key) in (16, 64):
            rows = self.query(base + by_digest, _digest_range(key))
            if rows:
                return rows[0]
        rows = self.query(base + "result_id = ? ORDER BY rid", [key])
        if rows:
            return rows[0]
        if hexed and 6 <= len(key) <= 16:
            rows = self.query(base + by_digest + " LIMIT 3", _digest_range(key))
            if len(rows) == 1:
                return rows[0]
            if len(rows) > 1:
                raise ArchiveInputError(f"id prefix {key!r} is ambiguous: give more characters")
        raise ArchiveNotFoundError(f"no archived result {key!r}")

    def hit_rows(self, rids: Sequence[int]) -> dict[int, Row]:
        """What a search hit shows, by rid (rows pruned since the index was read are absent)."""
        rows = self.chunked(
            f"SELECT rid, id, {_SHA}, result_id, title, command, status, success_rate, "  # noqa: S608
            f"{_STARTED}, blob_state FROM results WHERE state = 'active' AND rid IN",
            list(rids),
        )
        return {r["rid"]: r for r in rows}

    def stat_rows(self, filters: Filters) -> StatRows:
        """``(results, tasks)`` rows for statistics, in ``STAT_*_COLUMNS`` order."""
        where, params = filter_sql(filters)
        results = self.query(
            f"SELECT {_STAT_SELECT} FROM results "  # noqa: S608
            f"WHERE {where} ORDER BY ts, rid",
            params,
        )
        packs = self.query(
            f"SELECT rid, task_pack FROM results WHERE {where} "  # noqa: S608
            "AND task_pack IS NOT NULL ORDER BY rid",
            params,
        )
        tasks = [
            (rid, kind, handler, status, duration, etype, emsg)
            for rid, pack in packs
            for _, kind, handler, status, _, duration, etype, emsg, _ in unpack_tasks(pack)
        ]
        return [tuple(r) for r in results], tasks

    # -- verify, reindex, repair ------------------------------------------------------------
    def blob_rows(self) -> list[Row]:
        """Every row with what verify needs to check its original."""
        return self.query(
            f"SELECT rid, id, {_SHA}, blob_state, state, source FROM results ORDER BY rid"  # noqa: S608
        )

    def index_rows(self) -> list[Row]:
        return self.query("SELECT rid, id, indexed, state, blob_state FROM results")

    def indexable_rows(self) -> list[Row]:
        return self.query(
            f"SELECT rid, id, {_SHA}, {_ADDED} FROM results WHERE state = 'active' "  # noqa: S608
            "AND blob_state = 'ok' ORDER BY rid"
        )

    def unindexed_rows(self, limit: int) -> list[Row]:
        """Rows whose index document was never committed (an add stopped early), oldest first."""
        return self.query(
            f"SELECT rid, {_SHA}, {_ADDED} FROM results WHERE indexed = 0 AND state = 'active' "  # noqa: S608
            "AND blob_state = 'ok' ORDER BY rid LIMIT ?",
            [limit],
        )

    def known_shas(self) -> set[str]:
        """Every sha256 a row or a recorded atlas owns (anything else in blobs/ is an orphan)."""
        rows = self.query(f"SELECT {_SHA} FROM results UNION SELECT sha256 FROM atlases")  # noqa: S608
        return {r[0] for r in rows}

    def set_blob_states(self, states: Iterable[tuple[str, int]]) -> None:
        """``(blob_state, rid)`` pairs."""
        with self.transaction() as conn:
            conn.executemany("UPDATE results SET blob_state = ? WHERE rid = ?", list(states))

    def mark_indexed(self, rids: Sequence[int], value: int = 1) -> None:
        """``indexed``: 1 in the index, 0 waiting for it, -1 cannot be indexed."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE results SET indexed = ? WHERE rid BETWEEN ? AND ?",
                [(value, lo, hi) for lo, hi in _runs(rids)],
            )

    def mark_all_unindexed(self) -> None:
        """After a new (empty) index: every active row waits for catch-up."""
        with self.transaction() as conn:
            conn.execute("UPDATE results SET indexed = 0 WHERE state = 'active' AND indexed = 1")

    def record_index_outcome(
        self, done: Sequence[int], broken: Sequence[tuple[str, int]], *, replace: bool = False
    ) -> None:
        """Rows now indexed, and ``(state, rid)`` rows that were not: ``unparsable`` ones get
        ``indexed = -1``, others a blob state. ``replace``: the index was rebuilt whole."""
        with self.transaction() as conn:
            if replace:
                conn.execute("UPDATE results SET indexed = 0 WHERE indexed = 1")
            conn.executemany(
                "UPDATE results SET indexed = 1 WHERE rid BETWEEN ? AND ?", _runs(done)
            )
            conn.executemany(
                "UPDATE results SET indexed = -1 WHERE rid = ?",
                [(rid,) for state, rid in broken if state == "unparsable"],
            )
            conn.executemany(
                "UPDATE results SET blob_state = ? WHERE rid = ?",
                [(state, rid) for state, rid in broken if state != "unparsable"],
            )

    def integrity_problems(self, *, full: bool = False) -> list[str]:
        from altlas.storage.health import integrity_problems

        with self.errors():
            return integrity_problems(self.conn, full=full)

    # -- dictionaries -------------------------------------------------------------------------
    def current_dict_id(self) -> int:
        rows = self.query("SELECT dict_id FROM dictionaries WHERE current = 1")
        return int(rows[0][0]) if rows else 0

    def plain_count(self) -> int:
        """Active results kept as plain JSON: what a dictionary would be trained on."""
        rows = self.query(
            f"SELECT count(*) FROM results WHERE {_PLAIN} AND state = 'active'"  # noqa: S608
        )
        return int(rows[0][0])

    def dictionary_samples(self, limit: int) -> list[Row]:
        return self.query(
            f"SELECT {_SHA}, raw_size, stored_size FROM results WHERE state = 'active' "  # noqa: S608
            f"AND blob_state = 'ok' AND {_PLAIN} ORDER BY random() LIMIT ?",
            [limit],
        )

    def catalogue_dictionaries(self, entries: Sequence[tuple[int, str, int, int, bool]]) -> None:
        """``(dict_id, created_at, size, samples, current)``; one current at most (the last)."""
        with self.transaction() as conn:
            if any(current for *_, current in entries):
                conn.execute("UPDATE dictionaries SET current = 0")
            conn.executemany(
                "INSERT OR REPLACE INTO dictionaries (dict_id, created_at, size, samples, current) "
                "VALUES (?, ?, ?, ?, ?)",
                [(d, at, size, n, int(cur)) for d, at, size, n, cur in entries],
            )

    def not_using_dictionary(self, dict_id: int, after_rid: int, limit: int) -> list[Row]:
        return self.query(
            f"SELECT rid, {_SHA} FROM results WHERE rid > ? AND state = 'active' "  # noqa: S608
            f"AND blob_state = 'ok' AND dict_id != ? AND {_PLAIN} ORDER BY rid LIMIT ?",
            [after_rid, dict_id, limit],
        )

    def set_encodings(self, updates: Sequence[tuple[int, int, int]]) -> None:
        """``(dict_id, stored_size, rid)`` after blobs were re-encoded."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE results SET dict_id = ?, stored_size = ? WHERE rid = ?", updates
            )

    def tidy(self) -> None:
        """Refresh the planner's statistics, rebuild the file packed, fold the WAL back in.

        ``optimize`` only (the background step): indexes keyed by a hash, and the pages
        split while adding, are 10-15% empty; VACUUM writes every table and index again
        full (-0.8% of the raw JSON at 5,000 results).
        """
        with self.errors():
            if self.conn.in_transaction:
                self.conn.commit()
            self.conn.execute("PRAGMA optimize")
            # VACUUM copies the database into a temporary one: on disk, not in memory (the
            # store's temp_store), so a large archive needs no RAM of its size.
            self.conn.execute("PRAGMA temp_store = FILE")
            try:
                self.conn.execute("VACUUM")
            finally:
                self.conn.execute("PRAGMA temp_store = MEMORY")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- export, prune ------------------------------------------------------------------------
    def bundle_rows(self, filters: Filters, *, before_micros: int | None = None) -> list[Row]:
        """Rows to export or prune, oldest first; ``before_micros``: only older ones."""
        where, params = filter_sql(filters)
        if before_micros is not None:
            where, params = f"{where} AND ts < ?", [*params, before_micros]
        return self.query(
            f"SELECT {BUNDLE_COLUMNS} FROM results WHERE {where} ORDER BY ts, rid",  # noqa: S608
            params,
        )

    def bundle_rows_by_rid(self, rids: Sequence[int]) -> list[Row]:
        rows = self.chunked(f"SELECT {BUNDLE_COLUMNS} FROM results WHERE rid IN", list(rids))  # noqa: S608
        order = {rid: n for n, rid in enumerate(rids)}
        return sorted(rows, key=lambda r: order[r["rid"]])

    def begin_pruning(self, rids: Sequence[int]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE results SET state = 'pruning' WHERE rid = ?", [(r,) for r in rids]
            )

    def pruning_rows(self, rids: Sequence[int]) -> list[Row]:
        return self.chunked(
            f"SELECT rid, {_SHA} FROM results WHERE state = 'pruning' AND rid IN",  # noqa: S608
            list(rids),
        )

    def delete_pruned(self, rids: Sequence[int]) -> None:
        # task_types and tags are keyed for the filters (type or tag first), with no foreign
        # key to cascade on rid: their rows are named from the result's own columns.
        rows = self.chunked(
            "SELECT rid, task_pack, tags FROM results WHERE state = 'pruning' AND rid IN",
            list(rids),
        )
        types = [(k, r["rid"]) for r in rows for k in task_types(unpack_tasks(r["task_pack"]))]
        tags = [(t, r["rid"]) for r in rows for t in set(orjson.loads(r["tags"] or "[]"))]
        with self.transaction() as conn:
            conn.executemany(
                f"DELETE FROM task_types WHERE code = {_TYPE_CODE} AND rid = ?",  # noqa: S608
                types,
            )
            conn.executemany(
                f"DELETE FROM tags WHERE code = {_TAG_CODE} AND rid = ?",  # noqa: S608
                tags,
            )
            conn.executemany(
                "DELETE FROM results WHERE rid = ? AND state = 'pruning'", [(r,) for r in rids]
            )

    # -- atlases ------------------------------------------------------------------------------
    def insert_atlas(self, entry: dict[str, Any]) -> None:
        """An :class:`AtlasEntry` as JSON data (times as ISO text)."""
        with self.transaction() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO atlases ({_ATLAS_COLUMNS}) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                tuple(entry[k] for k in _ATLAS_COLUMNS.split(", ")),
            )

    def atlas_rows(self) -> list[Row]:
        return self.query(
            f"SELECT {_ATLAS_COLUMNS} FROM atlases ORDER BY created_at DESC, id"  # noqa: S608
        )

    def atlas_sha(self, key: str) -> str | None:
        rows = self.query("SELECT sha256 FROM atlases WHERE id = ?", [key])
        return str(rows[0][0]) if rows else None

    # -- ingest's batches (the hot path: one statement per table per batch) -------------------
    def next_rid(self, conn: sqlite3.Connection) -> int:
        """The first free rid, read inside the batch's transaction: past every rid ever used
        (sqlite_sequence), as AUTOINCREMENT promises, so a pruned row's stale index document
        can never be mistaken for a new row's."""
        row = conn.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'results'), 0), "
            "coalesce((SELECT max(rid) FROM results), 0)) + 1"
        ).fetchone()
        return int(row[0])

    def insert_results(self, conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> None:
        """``(rid, *RESULT_COLUMNS)`` rows."""
        conn.executemany(_RESULT_INSERT, rows)

    def insert_result(self, conn: sqlite3.Connection, row: Sequence[Any]) -> int:
        """One ``RESULT_COLUMNS`` row; SQLite picks its rid (the per-file path)."""
        cur = conn.execute(_RESULT_INSERT_NEW_RID, tuple(row))
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    def insert_task_types(self, conn: sqlite3.Connection, rows: Sequence[tuple[str, int]]) -> None:
        """``(type, rid)``: the distinct task types of each new result."""
        codes = _codes(conn, "task_type_names", "type", {kind for kind, _ in rows})
        conn.executemany(
            "INSERT OR IGNORE INTO task_types (code, rid) VALUES (?, ?)",
            [(codes[kind], rid) for kind, rid in rows],
        )

    def insert_tag_rows(self, conn: sqlite3.Connection, rows: Sequence[tuple[int, str]]) -> None:
        """``(rid, tag)``."""
        codes = _codes(conn, "tag_names", "tag", {tag for _, tag in rows})
        conn.executemany(
            "INSERT OR IGNORE INTO tags (code, rid) VALUES (?, ?)",
            [(codes[tag], rid) for rid, tag in rows],
        )


def _runs(rids: Sequence[int]) -> list[tuple[int, int]]:
    """``rids`` as ranges of consecutive numbers: an add's rows are one or a few such runs,
    and one UPDATE per run cost a fifth of one per row (every rid of a run is in ``rids``)."""
    out: list[tuple[int, int]] = []
    for rid in sorted(set(rids)):
        if out and rid == out[-1][1] + 1:
            out[-1] = (out[-1][0], rid)
        else:
            out.append((rid, rid))
    return out


def _codes(conn: sqlite3.Connection, table: str, column: str, names: set[str]) -> dict[str, int]:
    """The numbers of ``names`` in ``table`` (constant names: ``tag_names``/``task_type_names``),
    new ones numbered now, in the caller's transaction: a batch has few distinct names."""
    if not names:
        return {}
    ordered = sorted(names)
    conn.executemany(
        f"INSERT OR IGNORE INTO {table} ({column}) VALUES (?)",  # noqa: S608
        [(n,) for n in ordered],
    )
    out: dict[str, int] = {}
    for at in range(0, len(ordered), 900):
        chunk = ordered[at : at + 900]
        rows = conn.execute(
            f"SELECT {column}, code FROM {table} "  # noqa: S608
            f"WHERE {column} IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        out.update((r[0], r[1]) for r in rows)
    return out


if TYPE_CHECKING:
    # mypy proves the SQLite class is a whole ArchiveRepository.
    _SQLITE: type[ArchiveRepository] = SqliteArchiveRepository
