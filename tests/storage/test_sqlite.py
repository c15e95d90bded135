"""storage.sqlite.connect: the house pragmas, read-only opening, failures as one line."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from altlas.errors import AltlasError
from altlas.storage import _errors
from altlas.storage.sqlite import connect, guard, now_iso


def _pragma(conn: sqlite3.Connection, name: str) -> object:
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


def test_a_new_database_gets_the_house_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "x.db"
    conn = connect(path, timeout=2.5)
    try:
        assert path.is_file()
        assert _pragma(conn, "journal_mode") == "wal"
        assert _pragma(conn, "synchronous") == 1  # NORMAL
        assert _pragma(conn, "foreign_keys") == 1
        assert _pragma(conn, "busy_timeout") == 2500
    finally:
        conn.close()


def test_pragmas_add_and_override(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db", pragmas={"synchronous": "FULL", "cache_size": -1024})
    try:
        assert _pragma(conn, "synchronous") == 2
        assert _pragma(conn, "cache_size") == -1024
    finally:
        conn.close()


@pytest.mark.parametrize(
    "pragmas",
    [{"synchronous": "FULL; DROP TABLE x"}, {"user_version = 3; --": 1}, {"cache_size": 1.5}],
)
def test_a_pragma_is_never_text_to_interpret(tmp_path: Path, pragmas: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="pragma"):
        connect(tmp_path / "x.db", pragmas=pragmas)  # type: ignore[arg-type]


def test_a_file_that_is_not_a_database_is_corrupt_and_named(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"this is not a database at all" * 10)
    with pytest.raises(_errors.Corrupt) as info:
        connect(path, what="the run journal", repair_hint="run 'altlas runs verify --repair'")
    line = str(info.value)
    assert "\n" not in line
    assert line.startswith(str(path))
    assert "the run journal is not a SQLite database" in line
    assert "runs verify --repair" in line


def _fill(path: Path) -> None:
    """A database of a few dozen pages, without a WAL, so its size is the file's."""
    conn = connect(path, pragmas={"journal_mode": "DELETE"})
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(b"x" * 5000,) for _ in range(20)])
    conn.commit()
    conn.close()


def test_a_truncated_database_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    _fill(path)
    path.write_bytes(path.read_bytes()[: 4096 * 3])
    with pytest.raises(_errors.Corrupt, match="is truncated"):
        connect(path)


def test_damage_found_while_reading_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with (
        pytest.raises(_errors.Corrupt, match="the store is damaged"),
        guard(path, what="the store"),
    ):
        raise sqlite3.DatabaseError("database disk image is malformed")


def test_an_unusable_place_is_unavailable_and_not_called_damage(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(_errors.Unavailable) as info:
        connect(blocker / "x.db", what="the job queue")
    line = str(info.value)
    assert "the job queue cannot be used" in line
    assert "the file is not damaged" in line
    assert "\n" not in line


def test_a_busy_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    holder = connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    other = connect(path, timeout=0.05)
    try:
        with pytest.raises(_errors.Unavailable, match="busy"), guard(path):
            other.execute("INSERT INTO t VALUES (2)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        other.close()


def test_readonly_reads_and_refuses_to_write(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    writer = connect(path)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("INSERT INTO t VALUES (7)")
    writer.commit()
    reader = connect(path, readonly=True)
    try:
        assert reader.execute("SELECT x FROM t").fetchall() == [(7,)]
        with pytest.raises(sqlite3.OperationalError):
            reader.execute("INSERT INTO t VALUES (8)")
    finally:
        reader.close()
        writer.close()


def test_readonly_never_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with pytest.raises(AltlasError, match="does not exist"):
        connect(path, readonly=True)
    assert not path.exists()


def test_threads_share_a_connection_when_asked(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db", check_same_thread=False)
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(conn.execute("SELECT 1").fetchone()))
    thread.start()
    thread.join(5)
    conn.close()
    assert seen == [(1,)]


def test_now_iso_is_utc_with_a_z() -> None:
    stamp = now_iso()
    assert stamp.endswith("Z") and "T" in stamp and len(stamp) == 27


def test_health_check_names_damage_and_passes_a_sound_file(tmp_path: Path) -> None:
    from altlas.storage.health import check

    sound = tmp_path / "sound.db"
    conn = connect(sound)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert check(sound) == []
    assert check(tmp_path / "absent.db") == []
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 100)
    assert check(bad) == ["the file is not a SQLite database (bad header)"]


def test_a_file_that_a_checkpoint_is_growing_is_not_truncated(tmp_path: Path) -> None:
    # Another process's checkpoint has written page 1 (the new page count) and not yet the
    # pages that grow the file: the header check must wait for it, not call it damage.
    import threading

    from altlas.storage.health import header_problem

    path = tmp_path / "x.db"
    _fill(path)
    whole = path.read_bytes()
    path.write_bytes(whole[: 4096 * 3])
    assert header_problem(path) is not None  # stays truncated: real damage is still found
    grown = threading.Timer(0.03, lambda: path.write_bytes(whole))
    grown.start()
    try:
        assert header_problem(path) is None
    finally:
        grown.join()
