"""storage.migrations.apply: the one runner; all or nothing, newer refused, old ones adopted."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils.migrations import Migrations

from altlas.storage import _errors
from altlas.storage.migrations import apply, pending, schema
from altlas.storage.sqlite import connect


def _steps(name: str = "test.set", count: int = 3) -> Migrations:
    steps = Migrations(name)
    sql = [
        "CREATE TABLE a (x INTEGER)",
        "CREATE TABLE b (y INTEGER NOT NULL DEFAULT 0)",
        "ALTER TABLE a ADD COLUMN z TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX a_by_z ON a (z)",
    ]
    for number, statement in enumerate(sql[:count], start=1):

        def step(db: Any, statement: str = statement) -> None:
            db.execute(statement)

        steps(name=f"m{number:03d}")(step)
    return steps


def test_apply_runs_each_step_once_and_says_which(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    try:
        assert apply(conn, _steps(count=2)) == ["m001", "m002"]
        assert apply(conn, _steps(count=3)) == ["m003"]
        assert apply(conn, _steps(count=3)) == []
        assert pending(conn, _steps(count=4)) == ["m004"]
        assert not conn.in_transaction
    finally:
        conn.close()


def test_a_failing_step_leaves_nothing_half_done(tmp_path: Path) -> None:
    steps = _steps(count=2)

    @steps(name="m003_broken")
    def broken(db: Any) -> None:
        db.execute("CREATE TABLE c (z INTEGER)")
        db.execute("THIS IS NOT SQL")

    conn = connect(tmp_path / "x.db")
    try:
        with pytest.raises(sqlite3.OperationalError):
            apply(conn, steps)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert names.isdisjoint({"a", "b", "c", "_sqlite_migrations"})
        assert not conn.in_transaction
    finally:
        conn.close()


def test_a_database_from_a_newer_altlas_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    conn = connect(path)
    apply(conn, _steps(count=3))
    with pytest.raises(_errors.SchemaConflict, match="newer altlas") as info:
        apply(conn, _steps(count=2))
    conn.close()
    assert str(path) in str(info.value)


def test_a_readonly_connection_cannot_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    conn = connect(path)
    apply(conn, _steps(count=1))
    conn.close()
    reader = connect(path, readonly=True)
    try:
        assert apply(reader, _steps(count=1)) == []
        with pytest.raises(_errors.Unavailable, match="read-only"):
            apply(reader, _steps(count=2))
    finally:
        reader.close()


def _old_runner(path: Path, statements: list[str]) -> None:
    """What events/_sqlite.py did before: user_version plus a schema_migrations table."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for number, statement in enumerate(statements, start=1):
        conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (?, 'then')", (number,))
        conn.execute(f"PRAGMA user_version = {number}")
    conn.close()


@pytest.mark.parametrize("old_steps", [1, 2, 3])
def test_an_old_user_version_database_is_adopted(tmp_path: Path, old_steps: int) -> None:
    old = tmp_path / "old.db"
    sql = ["CREATE TABLE a (x INTEGER)", "CREATE TABLE b (y INTEGER NOT NULL DEFAULT 0)"]
    sql.append("ALTER TABLE a ADD COLUMN z TEXT NOT NULL DEFAULT ''")
    _old_runner(old, sql[:old_steps])
    seed = sqlite3.connect(old)
    seed.execute("INSERT INTO a (x) VALUES (41)")
    seed.commit()
    seed.close()
    conn = connect(old)
    names = ["m001", "m002", "m003", "m004"]
    applied = apply(conn, _steps(count=4), adopt_user_version=names[:3])
    assert applied == names[old_steps:]
    assert conn.execute("SELECT x FROM a").fetchall() == [(41,)]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert apply(conn, _steps(count=4), adopt_user_version=names[:3]) == []
    conn.close()
    fresh = connect(tmp_path / "fresh.db")
    apply(fresh, _steps(count=4))
    fresh.close()
    assert schema(old) == schema(tmp_path / "fresh.db")
    check = sqlite3.connect(old)
    tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
    check.close()
    assert "schema_migrations" not in tables


def test_an_old_database_newer_than_its_adoption_list_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    _old_runner(old, ["CREATE TABLE a (x INTEGER)", "CREATE TABLE b (y INTEGER)"])
    conn = connect(old)
    try:
        with pytest.raises(_errors.SchemaConflict, match="newer than this altlas"):
            apply(conn, _steps(count=1), adopt_user_version=["m001"])
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    finally:
        conn.close()


def test_two_openers_at_once_apply_each_step_once(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    results: list[list[str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_and_apply() -> None:
        try:
            conn = connect(path, timeout=20)
            start.wait(10)
            results.append(apply(conn, _steps(count=4)))
            conn.close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_apply) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(len(r) for r in results) == [0, 0, 0, 4]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stops=st.lists(st.integers(min_value=0, max_value=4), max_size=4))
def test_any_path_through_the_steps_ends_at_the_fresh_schema(
    tmp_path_factory: pytest.TempPathFactory, stops: list[int]
) -> None:
    folder = tmp_path_factory.mktemp("walk")
    conn = connect(folder / "walked.db")
    for count in stops:
        # Stepping "back" is refused, and changes nothing.
        with contextlib.suppress(_errors.SchemaConflict):
            apply(conn, _steps(count=count))
    apply(conn, _steps(count=4))
    conn.close()
    fresh = connect(folder / "fresh.db")
    apply(fresh, _steps(count=4))
    fresh.close()
    assert schema(folder / "walked.db") == schema(folder / "fresh.db")


def test_a_step_outside_transactions_still_runs(tmp_path: Path) -> None:
    """VACUUM cannot run inside a transaction: such a set is applied step by step."""
    steps = _steps(count=2)

    @steps(name="m003_vacuum", transactional=False)
    def vacuum(db: Any) -> None:
        db.execute("VACUUM")

    conn = connect(tmp_path / "x.db")
    try:
        assert apply(conn, steps) == ["m001", "m002", "m003_vacuum"]
        assert pending(conn, steps) == []
    finally:
        conn.close()
