"""The run journal's schema (sqlite-utils migrations) and its damage checks.

A journal is checked before anything is written into it: its header, then ``quick_check``.
A damaged one is refused with the way back (``altlas runs verify --repair``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from altlas.errors import CorruptError

__all__ = [
    "MIGRATIONS",
    "REPAIR_HINT",
    "WHAT",
    "JournalDamaged",
    "journal_damaged",
    "refuse_damaged",
]

MIGRATIONS = Migrations("altlas.runs")
REPAIR_HINT = "run 'altlas runs verify --repair' to keep what can be read"
WHAT = "the run journal"


class JournalDamaged(CorruptError):
    """runs.db is damaged: nothing is written into it until ``runs verify --repair``."""


def journal_damaged(path: Path, reason: str) -> JournalDamaged:
    return JournalDamaged(f"the run journal is damaged ({reason}): {REPAIR_HINT}", file=str(path))


def refuse_damaged(conn: sqlite3.Connection, path: Path) -> None:
    """``quick_check`` before the first write: never write into a damaged journal."""
    from altlas.storage.health import integrity_problems, summarise_problems

    problems = integrity_problems(conn)
    if problems:
        raise journal_damaged(path, summarise_problems(problems))


@MIGRATIONS()
def m001_runs_tasks_cache(db: Database) -> None:
    db.table("runs").create(
        {
            "id": str,
            "plan_id": str,
            "title": str,
            "status": str,
            "created_at": str,
            "started_at": str,
            "finished_at": str,
            "updated_at": str,
            "duration_ms": float,
            "success_rate": float,
            "task_count": int,
            "counts": str,
            "plan": str,
            "plan_path": str,
            "options": str,
            "result_path": str,
            "report_path": str,
            "host": str,
            "pid": int,
            "altlas_version": str,
            "resumes": int,
        },
        pk="id",
    )
    db.table("runs").create_index(["created_at"])
    db.table("runs").create_index(["plan_id"])
    db.table("tasks").create(
        {
            "run_id": str,
            "task_id": str,
            "seq": int,
            "status": str,
            "handler": str,
            "attempts": int,
            "started_at": str,
            "finished_at": str,
            "duration_ms": float,
            "output": str,
            "error": str,
            "cached": int,
            "artifacts": str,
            "metadata": str,
        },
        pk=("run_id", "task_id"),
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("tasks").create_index(["task_id", "status"])
    db.table("cache").create(
        {
            "key": str,
            "handler": str,
            "output": str,
            "artifacts": str,
            "created_at": str,
            "hits": int,
        },
        pk="key",
    )
