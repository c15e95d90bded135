"""The request-analytics repository: every SQL statement on ``analytics.db``, behind a Protocol.

:class:`~altlas.server.analytics.AnalyticsRecorder` (batching off the request path) and
:func:`~altlas.server.analytics.report` talk to an :class:`AnalyticsRepository`;
:class:`SqliteAnalyticsRepository` is the one implementation, and a Postgres (or a
time-series) one would sit behind the same Protocol. Callers get it from
:func:`open_analytics_repository`.

The schema is a sqlite-utils ``Migrations`` set applied by
:func:`altlas.storage.migrations.apply`; an ``analytics.db`` made by the old hand-written
runner (``PRAGMA user_version`` 1) is adopted in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils.migrations import Migrations

__all__ = [
    "LEGACY_STEPS",
    "MIGRATIONS",
    "AnalyticsRepository",
    "RequestRow",
    "SqliteAnalyticsRepository",
    "db_path",
    "open_analytics_repository",
]

MIGRATIONS = Migrations("altlas.analytics")
_WHAT = "the request analytics"


@MIGRATIONS(name="m001_requests")
def _m001_requests(db: Any) -> None:
    db.execute(
        """
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY,
            ts REAL NOT NULL,
            route TEXT NOT NULL,
            method TEXT NOT NULL,
            status INTEGER NOT NULL,
            latency_ms REAL NOT NULL,
            principal TEXT,
            bytes_in INTEGER NOT NULL,
            bytes_out INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX requests_by_ts ON requests (ts)")


LEGACY_STEPS = ("m001_requests",)
"""What ``PRAGMA user_version`` 1 meant under the old runner (the former events/_sqlite.py)."""

RequestRow = tuple[float, str, str, int, float, str | None, int, int]
"""ts, route, method, status, latency_ms, principal, bytes_in, bytes_out"""
ReportRow = tuple[float, str, str, int, float, str, int]
"""ts, route, method, status, latency_ms, principal ('anonymous' for none), bytes_out"""


class AnalyticsRepository(Protocol):
    path: Path

    def insert(self, rows: Sequence[RequestRow]) -> None: ...
    def prune(self, before: float) -> None: ...
    def since(self, ts: float) -> list[ReportRow]: ...
    def close(self) -> None: ...


def db_path(home: Path) -> Path:
    return home / "analytics.db"


def open_analytics_repository(home: Path) -> AnalyticsRepository:
    """The request analytics of ``home``, created and migrated as needed."""
    return SqliteAnalyticsRepository(db_path(home))


class SqliteAnalyticsRepository:
    """``analytics.db`` in WAL mode; written by one background thread, read by reports."""

    def __init__(self, path: Path) -> None:
        from altlas.storage.pair import ConnectionPair

        self.path = Path(path)
        self._pair = ConnectionPair(
            self.path,
            what=_WHAT,
            migrations=MIGRATIONS,
            adopt_user_version=LEGACY_STEPS,
            reader=False,
        )

    def insert(self, rows: Sequence[RequestRow]) -> None:
        """All of ``rows`` in one transaction: one commit for a whole batch."""
        with self._pair.writing() as conn:
            conn.execute("BEGIN")
            try:
                conn.executemany(
                    "INSERT INTO requests (ts, route, method, status, latency_ms, principal, "
                    "bytes_in, bytes_out) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def prune(self, before: float) -> None:
        with self._pair.writing() as conn:
            conn.execute("DELETE FROM requests WHERE ts < ?", (before,))

    def since(self, ts: float) -> list[ReportRow]:
        with self._pair.writing() as conn:
            return conn.execute(
                "SELECT ts, route, method, status, latency_ms, "
                "coalesce(principal, 'anonymous'), bytes_out FROM requests WHERE ts >= ?",
                (ts,),
            ).fetchall()

    def close(self) -> None:
        self._pair.close()
