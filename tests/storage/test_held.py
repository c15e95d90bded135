"""A header read must never drop this process's SQLite locks (POSIX locks are per process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from altlas.storage.health import header_problem
from altlas.storage.sqlite import connect

_WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("INSERT INTO t VALUES (1)")
conn.commit()
conn.close()
"""


def _write_from_another_process(path: Path) -> None:
    subprocess.run([sys.executable, "-c", _WRITER, str(path)], check=True, timeout=60)


def test_a_second_connection_keeps_the_first_ones_view_of_other_processes(tmp_path) -> None:
    """Opening a second connection read the header with open()/close(), which dropped the
    first connection's locks; another process then took itself for the last user, deleted
    the WAL on close, and the connections here kept reading a stale snapshot (a running
    server never saw a user the CLI added)."""
    path = tmp_path / "store.db"
    setup = connect(path, isolation_level=None)
    setup.execute("CREATE TABLE t (v INTEGER)")
    setup.close()
    first = connect(path, isolation_level=None)
    second = connect(path, isolation_level=None)
    try:
        for expected in (1, 2, 3):
            _write_from_another_process(path)
            assert first.execute("SELECT count(*) FROM t").fetchone()[0] == expected
            assert second.execute("SELECT count(*) FROM t").fetchone()[0] == expected
    finally:
        first.close()
        second.close()


def test_the_header_is_checked_again_once_every_connection_is_closed(tmp_path) -> None:
    path = tmp_path / "store.db"
    conn = connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (v INTEGER)")
    conn.close()
    path.write_bytes(b"not a database" * 600)
    assert header_problem(path) == "is not a SQLite database (bad header)"
