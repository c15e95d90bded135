"""``altlas runs verify [--repair]``: check the run journal, and keep what a damaged one holds.

The damaged file is never written. Repair copies every readable row into a fresh journal
beside it (rowid order, no indexes, skipping past unreadable pages), makes it durable, moves
the damaged file aside as ``runs.db.damaged-<time>`` and puts the fresh one in its place.
Queries go through ``SqliteJournalStore`` itself, not ``open_store``: repair is about the
SQLite file, whatever backend a journal may have later.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from altlas.errors import UnavailableError
from altlas.run.journal import JOURNAL_NAME
from altlas.run.journal_schema import MIGRATIONS, WHAT
from altlas.run.journal_store import SqliteJournalStore

__all__ = ["JournalCheck", "verify_journal"]

_TABLES = ("runs", "tasks", "cache")


@dataclass(slots=True)
class JournalCheck:
    """What ``altlas runs verify`` found, and what ``--repair`` kept."""

    path: str
    runs: int = 0
    problems: list[str] = field(default_factory=list)
    repaired: bool = False
    moved_to: str | None = None
    kept: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems or self.repaired


def verify_journal(home: str | Path, *, repair: bool = False) -> JournalCheck:
    """``integrity_check`` of runs.db; ``repair`` copies what can be read into a new file.

    The damaged file is never written: the readable rows go to a fresh journal beside it,
    which replaces it once complete; the damaged one is kept as ``runs.db.damaged-<time>``.
    """
    from altlas.storage.health import check as check_file
    from altlas.storage.health import is_corruption, open_readonly, os_cause

    path = Path(home) / JOURNAL_NAME
    check = JournalCheck(path=str(path))
    if not path.is_file():
        return check
    try:
        check.problems.extend(
            p.replace("the file ", f"{WHAT} ", 1) for p in check_file(path, full=True)
        )
        if not check.problems:
            store = SqliteJournalStore(path, readonly=True, conn=open_readonly(path))
            try:
                check.runs = store.count_runs()
            finally:
                store.close()
    except OSError as exc:
        raise UnavailableError(f"cannot read {WHAT}: {os_cause(exc)}", file=str(path)) from None
    except sqlite3.Error as exc:
        if not is_corruption(exc):
            raise UnavailableError(f"cannot open {WHAT}: {exc}", file=str(path)) from None
        check.problems.append(str(exc))
    if check.problems and repair:
        _salvage(path, check)
    return check


def _salvage(path: Path, check: JournalCheck) -> None:
    import os
    from datetime import UTC, datetime

    from altlas.storage.health import open_readonly, salvage_tables
    from altlas.storage.lock import FileLock
    from altlas.storage.migrations import apply
    from altlas.storage.sqlite import connect

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    fresh = path.with_name(f"{path.name}.salvage-{stamp}")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    lock = FileLock(path.with_name(path.name + ".setup.lock"), timeout=60, what=WHAT)
    with lock.held("altlas runs verify --repair"):
        fresh.unlink(missing_ok=True)
        # A rollback journal, not WAL: the finished file is one file, moved into place whole.
        dst = connect(fresh, what=WHAT, pragmas={"journal_mode": "DELETE", "synchronous": "FULL"})
        try:
            apply(dst, MIGRATIONS)
            try:
                src = open_readonly(path)
            except sqlite3.Error:
                src = None  # not even the schema can be read: start empty
            if src is not None:
                try:
                    check.kept, check.unreadable = salvage_tables(src, dst, _TABLES)
                finally:
                    src.close()
            dst.commit()
            check.runs = SqliteJournalStore(fresh, conn=dst).count_runs()
        finally:
            dst.close()
        fd = os.open(fresh, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{path}{suffix}")
            if old.exists():
                old.replace(Path(f"{kept}{suffix}"))
        fresh.replace(path)
    check.repaired, check.moved_to = True, str(kept)
