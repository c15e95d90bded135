"""The journal's repository: all of runs.db's SQL, one transaction at a time, read-only opens."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from altlas.errors import CorruptError, RunNotFoundError, UnavailableError
from altlas.run.journal_store import JournalStore, open_store


def _run(run_id: str = "run_1") -> dict[str, object]:
    return {
        "id": run_id,
        "plan_id": "p",
        "title": "t",
        "status": "pending",
        "created_at": "2026-01-01T00:00:00Z",
        "plan": "{}",
        "plan_path": None,
        "options": "{}",
    }


def test_a_run_and_its_tasks_round_trip(tmp_path: Path) -> None:
    store: JournalStore = open_store(tmp_path / "runs.db")
    try:
        with store.transaction():
            store.insert_run(_run(), ["a", "b"])
            store.update_run("run_1", {"status": "running", "pid": 7}, "2026-01-01T00:00:01Z")
        row = store.run_row(store.resolve_id("run_"))
        assert (row["status"], row["pid"], row["task_count"]) == ("running", 7, 2)
        assert [t["task_id"] for t in store.task_rows("run_1")] == ["a", "b"]
        assert store.run_rows(limit=5, status="running")[0]["id"] == "run_1"
        assert store.run_rows(limit=5, status="failure") == []
    finally:
        store.close()


def test_runs_are_counted_by_the_store_also_on_a_connection_opened_elsewhere(
    tmp_path: Path,
) -> None:
    from altlas.run.journal_store import SqliteJournalStore
    from altlas.storage.health import open_readonly

    path = tmp_path / "runs.db"
    store = open_store(path)
    try:
        assert store.count_runs() == 0
        with store.transaction():
            store.insert_run(_run("run_1"), ["a"])
            store.insert_run(_run("run_2"), [])
        assert store.count_runs() == 2
    finally:
        store.close()
    # runs verify hands over its own read-only connection: taken as is, never migrated
    borrowed = SqliteJournalStore(path, readonly=True, conn=open_readonly(path))
    try:
        assert borrowed.count_runs() == 2
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            borrowed.conn.execute("DELETE FROM runs")
    finally:
        borrowed.close()


def test_a_field_name_never_reaches_the_sql_unless_known(tmp_path: Path) -> None:
    store = open_store(tmp_path / "runs.db")
    try:
        with store.transaction():
            store.insert_run(_run(), [])
        with pytest.raises(ValueError, match="unknown run fields"), store.transaction():
            store.update_run("run_1", {"status = 'x', id": "y"}, "now")
        assert store.run_row("run_1")["status"] == "pending"
    finally:
        store.close()


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path / "runs.db")
    try:
        with pytest.raises(RuntimeError), store.transaction():
            store.insert_run(_run(), ["a"])
            raise RuntimeError("stop here")
        with pytest.raises(RunNotFoundError):
            store.resolve_id("run_1")
    finally:
        store.close()


def test_readonly_without_a_file_is_an_empty_journal(tmp_path: Path) -> None:
    store = open_store(tmp_path / "runs.db", readonly=True)
    try:
        assert store.run_rows(limit=5, status=None) == []
    finally:
        store.close()
    assert not (tmp_path / "runs.db").exists()


def _outdated_journal(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE something_else (x)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("empty", [False, True])
def test_readonly_upgrades_an_outdated_journal_where_it_may_write(
    tmp_path: Path, empty: bool
) -> None:
    """After an altlas upgrade, 'runs list' is often the first command: it used to refuse and
    send the user to run 'altlas runs list' -- the command that had just refused."""
    path = tmp_path / "runs.db"
    path.touch() if empty else _outdated_journal(path)
    store = open_store(path, readonly=True)
    try:
        assert store.run_rows(limit=5, status=None) == []
    finally:
        store.close()
    writer = open_store(path)  # now current: a writing open finds nothing to migrate
    writer.close()


def test_readonly_refuses_a_journal_that_needs_an_upgrade_it_cannot_write(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    path = home / "runs.db"
    _outdated_journal(path)
    home.chmod(0o555)
    try:
        if os.access(home, os.W_OK):
            pytest.skip("running as root: a read-only directory is still writable")
        with pytest.raises(UnavailableError, match="needs an upgrade") as info:
            open_store(path, readonly=True)
        assert str(info.value).startswith(str(path))
    finally:
        home.chmod(0o755)


def test_a_damaged_file_is_refused_with_the_way_back(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    path.write_bytes(b"not a database" * 50)
    for readonly in (False, True):
        with pytest.raises(CorruptError, match="runs verify --repair"):
            open_store(path, readonly=readonly)
    assert path.read_bytes() == b"not a database" * 50


def test_an_unknown_sync_level_is_a_config_error(tmp_path: Path) -> None:
    from altlas.errors import ConfigError

    with pytest.raises(ConfigError, match="journal_sync"):
        open_store(tmp_path / "runs.db", sync="sometimes")
