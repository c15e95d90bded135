"""The run job executor: cancellation reaches the run through its CancelToken, no polling."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from altlas.config import Settings, load_settings
from altlas.events.queue import Job, JobContext, JobState
from altlas.run.cancel import CancelToken
from altlas.server.config import ServerConfig
from altlas.server.jobs import make_run_executor

SLOW_PLAN = {
    "format": "altlas.alt",
    "id": "plan_slow",
    "tasks": [
        {"id": "slow", "type": "delay", "parameters": {"seconds": 30}},
        {"id": "after", "type": "echo", "dependencies": ["slow"]},
    ],
}


def _job() -> Job:
    return Job(
        id="job_cancel_test",
        kind="run",
        payload={"plan": SLOW_PLAN, "archive": False},
        state=JobState.RUNNING,
        owner=None,
        attempts=1,
        cancel_requested=False,
        created_at="2026-01-01T00:00:00Z",
        started_at="2026-01-01T00:00:00Z",
        finished_at=None,
        updated_at="2026-01-01T00:00:00Z",
        error=None,
        outcome=None,
        has_result=False,
    )


def _run_and_cancel(settings: Settings, flag: threading.Event) -> tuple[dict[str, Any], float]:
    """Run the slow plan, set ``flag`` once its first task started; the outcome and how long
    the executor took from the cancel to returning."""
    started = threading.Event()

    def emit(type_: str, data: Any) -> None:
        if type_ == "task.started":
            started.set()

    cancelled_at: list[float] = []

    def cancel() -> None:
        if started.wait(10):
            cancelled_at.append(time.monotonic())
            flag.set()

    canceller = threading.Thread(target=cancel)
    canceller.start()
    execute = make_run_executor(settings, ServerConfig())
    outcome = execute(JobContext(job=_job(), cancelled=flag, emit=emit))
    returned = time.monotonic()
    canceller.join(5)
    return outcome.data, returned - cancelled_at[0]


@pytest.mark.parametrize("flag_type", [CancelToken, threading.Event])
def test_a_cancelled_job_stops_its_run_at_once(altlas_home: Any, flag_type: type) -> None:
    """The embedded queue's CancelToken wakes the scheduler; a plain Event (another queue) is
    followed by a thread that ends with the run."""
    data, latency = _run_and_cancel(load_settings(), flag_type())
    assert data["status"] == "cancelled"
    assert data["counts"] == {"cancelled": 2}
    assert latency < (0.5 if flag_type is CancelToken else 1.5)
    assert not [t for t in threading.enumerate() if t.name == "altlas-cancel-follow"]
