"""SQLite plumbing shared by the queue, the account store and analytics: WAL, numbered migrations.

Each store lists its schema as numbered migrations. The number applied last is kept in
``PRAGMA user_version`` and every step is also recorded in ``schema_migrations`` (with the
time it ran), inside the same transaction as the step, so a crash never leaves half a schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from altlas.errors import ConfigError, ConflictError, UnavailableError

__all__ = ["connect", "now_iso"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def connect(
    path: Path,
    migrations: Sequence[str],
    *,
    synchronous: str = "NORMAL",
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open (creating) ``path`` in WAL mode and apply the migrations it has not seen yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(
            path,
            timeout=10.0,
            isolation_level=None,
            check_same_thread=check_same_thread,
        )
    except sqlite3.Error as exc:
        raise UnavailableError(f"cannot open database: {exc}", file=str(path)) from None
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode syncs at checkpoints, not at every commit: durable across a
        # process crash, and no fsync per small write.
        conn.execute(f"PRAGMA synchronous={_sync_level(synchronous)}")
        conn.execute("PRAGMA foreign_keys=ON")
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
