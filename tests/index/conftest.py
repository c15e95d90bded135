"""Fixtures for the archive tests: real files written by the real writers, real archives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from altlas.formats import io
from altlas.formats.result import ErrorInfo, Result, TaskResult, run_status_for, success_rate_of
from altlas.index import Archive
from altlas.index.synthetic import synthetic_result


def make_result(
    rid: str,
    statuses: list[str],
    *,
    types: list[str] | None = None,
    started: datetime | None = None,
    command: str = "find the sales report and summarize it",
    tags: list[str] | None = None,
    mode: str = "normal",
    persona: str | None = "researcher",
    language: str = "en",
    errors: list[tuple[str, str]] | None = None,
    durations: list[float] | None = None,
) -> Result:
    """A small result with exactly the given task statuses (and errors for the failed ones)."""
    start = started or datetime(2025, 3, 1, 12, tzinfo=UTC)
    tasks = []
    for n, status in enumerate(statuses):
        failed = status != "completed"
        err = None
        if failed:
            kind, message = (errors or [("HandlerError", "task failed")])[
                min(n, len(errors or [1]) - 1)
            ]
            err = ErrorInfo(type=kind, message=message)
        took = (durations or [100.0 * (n + 1)] * len(statuses))[n]
        tasks.append(
            TaskResult(
                task_id=f"t{n + 1}",
                status=status,
                type=(types or ["search"] * len(statuses))[n],
                description=f"step {n + 1} of {command}",
                handler="echo",
                attempts=1,
                started_at=start,
                finished_at=start + timedelta(milliseconds=took),
                duration_ms=took,
                output=None if failed else {"text": f"output of step {n + 1} for {command}"},
                error=err,
            )
        )
    rate = success_rate_of(tasks)
    return Result(
        id=rid,
        title=command.split(" and ")[0],
        command=command,
        language=language,
        mode=mode,
        persona=persona,
        status=run_status_for(rate, has_tasks=bool(tasks)),
        success_rate=rate,
        started_at=start,
        finished_at=start + timedelta(seconds=1),
        duration_ms=1000.0,
        tasks=tasks,
        tags=tags or [],
        summary=f"summary of {command}",
    )


@pytest.fixture
def archive(altlas_home: Path) -> Iterator[Archive]:
    with Archive(altlas_home) as arch:
        yield arch


@pytest.fixture
def write_results(tmp_path: Path) -> Callable[..., list[Path]]:
    """``write_results(n, seed=0, sub="in")``: n synthetic ``.last`` files in a directory."""

    def write(n: int, *, seed: int = 0, sub: str = "in") -> list[Path]:
        folder = tmp_path / sub
        out = []
        for i in range(n):
            result = synthetic_result(i, seed=seed)
            out.append(io.write(result, folder / f"{result.id}.last"))
        return out

    return write


@pytest.fixture
def mkresult() -> Callable[..., Result]:
    """``mkresult("last_1", ["completed", "failed"], types=[...], ...)`` -> Result."""
    return make_result


@pytest.fixture
def write_doc(tmp_path: Path) -> Callable[..., Path]:
    """``write_doc(result, "name.last")``: write a result with the canonical writer."""

    def write(result: Result, name: str, **kw: object) -> Path:
        return io.write(result, tmp_path / "docs" / name, **kw)  # type: ignore[arg-type]

    return write


def _pack_write(root: Path, sql: str, params: tuple[object, ...]) -> int:
    """Change ``blobs/blobs.db`` behind the archive's back, as damage from outside would."""
    import sqlite3

    conn = sqlite3.connect(root / "blobs.db")
    try:
        with conn:
            return conn.execute(sql, params).rowcount
    finally:
        conn.close()


@pytest.fixture
def damage_blob() -> Callable[[Path, str], None]:
    """Flip a byte in the middle of a stored frame (``blobs`` root, sha256)."""

    def damage(root: Path, sha: str) -> None:
        import sqlite3

        conn = sqlite3.connect(root / "blobs.db")
        (frame,) = conn.execute(
            "SELECT frame FROM blobs WHERE sha256 = ?", (bytes.fromhex(sha),)
        ).fetchone()
        conn.close()
        data = bytearray(frame)
        data[len(data) // 2] ^= 0xFF
        changed = _pack_write(
            root, "UPDATE blobs SET frame = ? WHERE sha256 = ?", (bytes(data), bytes.fromhex(sha))
        )
        assert changed == 1

    return damage


@pytest.fixture
def drop_blob() -> Callable[[Path, str], None]:
    """Remove a stored frame (``blobs`` root, sha256)."""

    def drop(root: Path, sha: str) -> None:
        changed = _pack_write(root, "DELETE FROM blobs WHERE sha256 = ?", (bytes.fromhex(sha),))
        assert changed == 1

    return drop
