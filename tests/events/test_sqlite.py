"""The shared SQLite helper: WAL, numbered migrations recorded, newer schemas refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from altlas.errors import AltlasError
from altlas.events._sqlite import connect

ONE = ("CREATE TABLE a (x INTEGER)",)
TWO = (*ONE, "CREATE TABLE b (y INTEGER); INSERT INTO b (y) VALUES (1)")


def test_migrations_apply_once_and_in_order(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    connect(path, ONE).close()
    conn = connect(path, TWO)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == [1, 2]
        assert conn.execute("SELECT y FROM b").fetchall() == [(1,)]
    finally:
        conn.close()
    connect(path, TWO).close()  # nothing new: no second insert
    check = sqlite3.connect(path)
    assert check.execute("SELECT count(*) FROM b").fetchone()[0] == 1
    check.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    connect(path, TWO).close()
    with pytest.raises(AltlasError, match="newer than this altlas knows"):
        connect(path, ONE)


def test_a_failed_migration_leaves_nothing_half_done(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    broken = (*ONE, "CREATE TABLE c (z INTEGER); THIS IS NOT SQL")
    with pytest.raises(sqlite3.OperationalError):
        connect(path, broken)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "a" not in names and "c" not in names
    finally:
        conn.close()
