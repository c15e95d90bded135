"""Crash and interrupt a real `altlas run` process: SIGKILL then resume, and Ctrl-C."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from altlas.formats.io import load_result
from altlas.formats.result import RunStatus

pytestmark = pytest.mark.slow

_TIMING_KEYS = {"started_at", "finished_at", "duration_ms", "total_task_duration_ms", "created_at"}


def _plan(path: Path, delay: float = 0.3) -> Path:
    """d1 -> a1 -> d2 -> a2 -> d3 -> a3 -> read, plus a side branch: appends prove reruns."""
    tasks: list[dict[str, Any]] = []
    prev: list[str] = []
    for i in (1, 2, 3):
        tasks.append(
            {"id": f"d{i}", "type": "delay", "dependencies": prev, "parameters": {"seconds": delay}}
        )
        tasks.append(
            {
                "id": f"a{i}",
                "type": "file_operation",
                "dependencies": [f"d{i}"],
                "parameters": {"operation": "append", "file_path": "log.txt", "content": f"a{i}\n"},
            }
        )
        prev = [f"a{i}"]
    tasks.append({"id": "side", "type": "delay", "parameters": {"seconds": delay * 2}})
    tasks.append(
        {
            "id": "read",
            "type": "open",
            "dependencies": ["a3", "side"],
            "parameters": {"path": "log.txt"},
        }
    )
    tasks.append({"id": "sum", "type": "summarize", "dependencies": ["read"]})
    path.write_bytes(
        orjson.dumps({"format": "altlas.alt", "id": "durable", "title": "durable", "tasks": tasks})
    )
    return path


def _cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "altlas.cli.main", *args]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "ALTLAS_HOME": str(home)}


def _journal_states(home: Path) -> dict[str, str]:
    db = home / "runs.db"
    if not db.exists():
        return {}
    conn = sqlite3.connect(db, timeout=5)
    try:
        return dict(conn.execute("SELECT task_id, status FROM tasks"))
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()


def _wait_for(home: Path, proc: subprocess.Popen[bytes], task: str, status: str) -> dict[str, str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = _journal_states(home)
        if states.get(task) == status:
            return states
        assert proc.poll() is None, "the run ended before the kill point"
        time.sleep(0.01)
    raise AssertionError(f"{task} never became {status}")


def _normalised(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _normalised(v) for k, v in data.items() if k not in _TIMING_KEYS}
    if isinstance(data, list):
        return [_normalised(v) for v in data]
    return data


def _comparable(path: Path) -> dict[str, Any]:
    data = orjson.loads(path.read_bytes())
    data.pop("id")
    data.pop("run_id")
    return _normalised(data)


@pytest.mark.parametrize("kill_during", ["d2", "d3"])
def test_sigkill_then_resume_equals_an_uninterrupted_run(
    tmp_path, altlas_home, kill_during
) -> None:
    """Kill -9 mid-plan, resume: completed tasks never rerun; the .last matches a clean run."""
    ws = tmp_path / "ws"
    ws.mkdir()
    plan = _plan(tmp_path / "plan.alt")
    env = _env(altlas_home)

    clean = tmp_path / "clean.last"
    done = subprocess.run(
        _cli(altlas_home, "run", str(plan), "-o", str(clean), "-w", str(ws), "-q"),
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (ws / "log.txt").read_text() == "a1\na2\na3\n"
    (ws / "log.txt").unlink()

    out = tmp_path / "killed.last"
    proc = subprocess.Popen(
        _cli(altlas_home, "run", str(plan), "-o", str(out), "-w", str(ws), "-q"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        before = _wait_for(altlas_home, proc, kill_during, "running")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    conn = sqlite3.connect(altlas_home / "runs.db")
    run_id, status = conn.execute(
        "SELECT id, status FROM runs ORDER BY created_at DESC LIMIT 1"
    ).fetchone()
    started_before = dict(
        conn.execute(
            "SELECT task_id, started_at FROM tasks WHERE run_id=? AND status='completed'", (run_id,)
        )
    )
    conn.close()
    assert status == "running"
    completed_before = {t for t, s in before.items() if s == "completed"}
    assert completed_before and completed_before <= set(started_before)

    resumed = subprocess.run(
        _cli(altlas_home, "runs", "resume", run_id, "-q"),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert str(out) in resumed.stdout
    # each append ran exactly once overall: completed tasks were not run again
    assert (ws / "log.txt").read_text() == "a1\na2\na3\n"
    result = load_result(out)
    assert result.status is RunStatus.SUCCESS
    for tid, started in started_before.items():
        assert result.task(tid).started_at.isoformat().replace("+00:00", "Z") == started, tid
    assert _comparable(out) == _comparable(clean)


def test_sigint_cancels_gracefully_and_writes_a_partial_result(tmp_path, altlas_home) -> None:
    """Ctrl-C: running tasks stop, the rest are cancelled, a partial .last is written.

    Resuming it afterwards finishes the run.
    """
    ws = tmp_path / "ws"
    ws.mkdir()
    plan = _plan(tmp_path / "plan.alt", delay=0.5)
    env = _env(altlas_home)
    out = tmp_path / "partial.last"
    proc = subprocess.Popen(
        _cli(altlas_home, "run", str(plan), "-o", str(out), "-w", str(ws)),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(altlas_home, proc, "d2", "running")
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert time.monotonic() - started < 5
    assert b"cancelled" in stdout
    result = load_result(out)
    assert result.status is RunStatus.CANCELLED
    statuses = {t.task_id: t.status.value for t in result.tasks}
    assert statuses["d1"] == statuses["a1"] == "completed"
    assert statuses["d2"] == "cancelled"
    assert result.task("d2").error.message == "the run was cancelled while this task ran"
    assert {statuses[t] for t in ("a2", "d3", "a3", "read", "sum")} == {"cancelled"}
    conn = sqlite3.connect(altlas_home / "runs.db")
    run_id, status = conn.execute("SELECT id, status FROM runs").fetchone()
    conn.close()
    assert status == "cancelled"
    resumed = subprocess.run(
        _cli(altlas_home, "runs", "resume", run_id, "-q"),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert load_result(out).status is RunStatus.SUCCESS
    assert (ws / "log.txt").read_text() == "a1\na2\na3\n"
