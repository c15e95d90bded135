"""The old hand-written migration runner, kept only until accounts and analytics move to
their repositories (``server/accounts_store.py``, ``server/analytics_store.py``) and to
:func:`altlas.storage.migrations.apply`, which adopts files made here
(``adopt_user_version=``). The job queue has moved (``events/jobstore.py``).

Each store lists its schema as numbered migrations. The number applied last is kept in
``PRAGMA user_version`` and every step is also recorded in ``schema_migrations`` (with the
time it ran), inside the same transaction as the step, so a crash never leaves half a schema.
The file itself is opened by :func:`altlas.storage.sqlite.connect` like every other store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from altlas.errors import ConfigError, ConflictError
from altlas.storage.sqlite import now_iso

__all__ = ["connect", "now_iso"]


def connect(
    path: Path,
    migrations: Sequence[str],
    *,
    synchronous: str = "NORMAL",
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open (creating) ``path`` in WAL mode and apply the migrations it has not seen yet."""
    from altlas.storage.sqlite import connect as open_database

    conn = open_database(
        path,
        timeout=10.0,
        isolation_level=None,
        check_same_thread=check_same_thread,
        pragmas={"synchronous": _sync_level(synchronous)},
    )
    try:
        _migrate(conn, migrations)
    except BaseException:
        conn.close()
        raise
    return conn


def _sync_level(name: str) -> str:
    level = name.upper()
    if level not in ("OFF", "NORMAL", "FULL"):
        raise ConfigError(f"unknown SQLite synchronous level {name!r}")
    return level


def _migrate(conn: sqlite3.Connection, migrations: Sequence[str]) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(migrations):
        raise ConflictError(
            f"database schema version {current} is newer than this altlas knows "
            f"({len(migrations)}); upgrade altlas",
        )
    if current == len(migrations):
        return
    # IMMEDIATE takes the write lock first, so two processes opening a new database at once
    # do not both run the same step.
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        for number in range(current + 1, len(migrations) + 1):
            for statement in _statements(migrations[number - 1]):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                (number, now_iso()),
            )
            # PRAGMA takes no parameters; ``number`` is an int from range(), never input.
            conn.execute(f"PRAGMA user_version = {int(number)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]
