"""Every call through the pool, one row in the run journal (``runs.db``, table ``llm_calls``).

The table has its own sqlite-utils migration set (``altlas.llm``) in the journal database, so
the runner's schema is untouched and the calls sit beside the runs they belong to. Recorded:
backend, model, tokens, latency, cost, cache hit, fallbacks taken, the caller and its run or
task. Never a key; prompts and answers only with ``[llm] log_prompts = true``.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import orjson
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from altlas.formats.common import to_rfc3339, utcnow

__all__ = ["LLM_MIGRATIONS", "CallLog", "read_calls"]

LLM_MIGRATIONS = Migrations("altlas.llm")
_JOURNAL = "runs.db"
_COLUMNS = (
    "at",
    "caller",
    "run_id",
    "task_id",
    "key_id",
    "backend",
    "model",
    "status",
    "error",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "latency_ms",
    "cost_usd",
    "cache_hit",
    "stream",
    "fallbacks",
    "prompt",
    "response",
)


@LLM_MIGRATIONS()
def m001_llm_calls(db: Database) -> None:
    db.table("llm_calls").create(
        {
            "id": int,
            "at": str,
            "caller": str,
            "run_id": str,
            "task_id": str,
            "key_id": str,
            "backend": str,
            "model": str,
            "status": str,
            "error": str,
            "prompt_tokens": int,
            "completion_tokens": int,
            "total_tokens": int,
            "latency_ms": float,
            "cost_usd": float,
            "cache_hit": int,
            "stream": int,
            "fallbacks": str,
            "prompt": str,
            "response": str,
        },
        pk="id",
    )
    db.table("llm_calls").create_index(["at"])
    db.table("llm_calls").create_index(["run_id"])


_WHAT = "the llm call log"


def _connect(path: Path) -> sqlite3.Connection:
    from altlas.config import ensure_home
    from altlas.storage.lock import FileLock
    from altlas.storage.migrations import apply
    from altlas.storage.sqlite import connect, guard

    ensure_home(path.parent)
    # the same one-process-at-a-time set-up as the journal's own (they share runs.db)
    lock = FileLock(path.with_name(path.name + ".setup.lock"), timeout=60, what=_WHAT)
    with lock.held("llm call log set-up"):
        conn = connect(path, what=_WHAT)
        try:
            with guard(path, what=_WHAT, doing="set up"):
                apply(conn, LLM_MIGRATIONS)
        except BaseException:
            conn.close()
            raise
    return conn


class CallLog:
    """Opened on the first call; one connection, guarded by a lock (calls come from threads)."""

    def __init__(self, home: Path, *, log_prompts: bool = False) -> None:
        self.path = home / _JOURNAL
        self.log_prompts = log_prompts
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def record(self, row: dict[str, Any]) -> None:
        from altlas.storage.sqlite import guard

        if not self.log_prompts:
            row = {**row, "prompt": None, "response": None}
        row.setdefault("at", to_rfc3339(utcnow()))
        fallbacks = row.get("fallbacks")
        row["fallbacks"] = orjson.dumps(fallbacks).decode() if fallbacks else None
        values = tuple(row.get(column) for column in _COLUMNS)
        marks = ", ".join("?" for _ in _COLUMNS)
        with self._lock:
            if self._conn is None:
                self._conn = _connect(self.path)
            with guard(self.path, what=_WHAT):
                self._conn.execute(
                    f"INSERT INTO llm_calls ({', '.join(_COLUMNS)}) VALUES ({marks})",  # noqa: S608 - fixed names
                    values,
                )
                self._conn.commit()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def read_calls(
    home: Path, *, limit: int = 50, run_id: str | None = None, backend: str | None = None
) -> list[dict[str, Any]]:
    """The latest calls first; [] when nothing was ever logged."""
    from altlas.storage.sqlite import connect, guard

    path = home / _JOURNAL
    if not path.is_file():
        return []
    sql = "SELECT * FROM llm_calls"
    where, args = [], []
    if run_id:
        where.append("run_id = ?")
        args.append(run_id)
    if backend:
        where.append("backend = ?")
        args.append(backend)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    conn = connect(path, readonly=True, what=_WHAT)
    conn.row_factory = sqlite3.Row
    try:
        with guard(path, what=_WHAT, doing="read"):
            if not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='llm_calls'"
            ).fetchone():
                return []
            rows = conn.execute(sql, (*args, max(1, limit))).fetchall()
    finally:
        conn.close()
    out = []
    for row in rows:
        item = dict(row)
        item["fallbacks"] = orjson.loads(item["fallbacks"]) if item["fallbacks"] else []
        item["cache_hit"] = bool(item["cache_hit"])
        item["stream"] = bool(item["stream"])
        out.append(item)
    return out
