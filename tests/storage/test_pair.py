"""storage.pair.ConnectionPair: migrated writer, a reader that never waits for a write."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils.migrations import Migrations

from altlas.errors import AltlasError
from altlas.storage.pair import ConnectionPair


def _steps() -> Migrations:
    steps = Migrations("test.pair")

    @steps(name="m001")
    def _m001(db: Any) -> None:
        db.execute("CREATE TABLE t (x INTEGER)")

    return steps


def test_reads_go_on_while_a_write_holds_the_writer(tmp_path: Path) -> None:
    pair = ConnectionPair(tmp_path / "p.db", what="the test store", migrations=_steps())
    try:
        with pair.writing() as conn:
            conn.execute("INSERT INTO t VALUES (1)")
        inside, leave = threading.Event(), threading.Event()

        def hold_writer() -> None:
            with pair.writing() as conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO t VALUES (2)")
                inside.set()
                leave.wait(10)
                conn.execute("COMMIT")

        holder = threading.Thread(target=hold_writer)
        holder.start()
        try:
            assert inside.wait(10)
            seen: list[Any] = []

            def read() -> None:
                with pair.reading() as conn:
                    seen.extend(conn.execute("SELECT x FROM t").fetchall())

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            reader.join(5)  # behind the writer's lock it would still be waiting here
            assert seen == [(1,)]  # WAL: the committed rows, not the open write's
        finally:
            leave.set()
            holder.join(10)
        with pair.reading() as conn:
            assert sorted(conn.execute("SELECT x FROM t").fetchall()) == [(1,), (2,)]
    finally:
        pair.close()


def test_without_a_reader_reads_share_the_writer(tmp_path: Path) -> None:
    pair = ConnectionPair(
        tmp_path / "p.db", what="the test store", migrations=_steps(), reader=False
    )
    with pair.writing() as writer, pair.reading() as reader:  # re-entrant: no deadlock
        assert reader is writer
    pair.close()


def test_a_failing_statement_is_one_line_naming_the_store(tmp_path: Path) -> None:
    pair = ConnectionPair(tmp_path / "p.db", what="the test store", migrations=_steps())
    try:
        with pytest.raises(AltlasError, match="the test store") as caught, pair.reading() as conn:
            conn.execute("SELECT nope FROM t")
        assert not isinstance(caught.value, sqlite3.Error)
        assert "\n" not in str(caught.value)
    finally:
        pair.close()


def test_a_damaged_file_closes_the_writer_and_raises(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    path.write_bytes(b"not a database at all, just sixteen-plus bytes of text" * 100)
    with pytest.raises(AltlasError):
        ConnectionPair(path, what="the test store", migrations=_steps())


def test_close_closes_both(tmp_path: Path) -> None:
    pair = ConnectionPair(tmp_path / "p.db", what="the test store", migrations=_steps())
    with pair.reading() as reader:
        pass
    pair.close()
    for conn in (pair.writer, reader):
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")
