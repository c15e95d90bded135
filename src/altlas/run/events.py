"""Run events: what the CLI progress, ``--events jsonl``, the server and the archive consume.

Every event has the same envelope::

    {"type": "task.finished", "run_id": "run_...", "seq": 7, "time": "2025-...Z",
     "task_id": "t2", "data": {"status": "completed", "attempts": 1, ...}}

``seq`` increases by one per event within a run (resumes continue the count from the
journal's task states, not from the previous process's events). Events are emitted only
after the state they describe is committed to the journal, so a consumer never hears of a
task finishing that a crash could undo.

Types and their ``data``:

* ``run.started``: plan_id, title, task_count, concurrency, resumed, workspace
* ``task.started``: handler, type
* ``task.retrying``: attempt (the one that failed), error {type, message}, delay_seconds
* ``task.finished``: status, handler, attempts, duration_ms, cached, error
* ``run.finished``: status, success_rate, counts, duration_ms, result_path
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from altlas.formats.common import to_rfc3339, utcnow

__all__ = [
    "Emitter",
    "EventSink",
    "EventType",
    "JsonlSink",
    "RunEvent",
]


class EventType(StrEnum):
    RUN_STARTED = "run.started"
    TASK_STARTED = "task.started"
    TASK_RETRYING = "task.retrying"
    TASK_FINISHED = "task.finished"
    RUN_FINISHED = "run.finished"


@dataclass(frozen=True, slots=True)
class RunEvent:
    type: EventType
    run_id: str
    seq: int
    time: datetime
    task_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type.value,
            "run_id": self.run_id,
            "seq": self.seq,
            "time": to_rfc3339(self.time),
        }
        if self.task_id is not None:
            out["task_id"] = self.task_id
        out["data"] = dict(self.data)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunEvent:
        text = str(data["time"]).replace("Z", "+00:00")
        return cls(
            type=EventType(data["type"]),
            run_id=str(data["run_id"]),
            seq=int(data["seq"]),
            time=datetime.fromisoformat(text),
            task_id=data.get("task_id"),
            data=dict(data.get("data") or {}),
        )


EventSink = Callable[[RunEvent], Any]


class Emitter:
    """Numbers events and hands them to every sink; a sink that raises is dropped."""

    def __init__(self, run_id: str, sinks: list[EventSink] | None = None, *, seq: int = 0) -> None:
        self.run_id = run_id
        self.sinks: list[EventSink] = list(sinks or [])
        self.seq = seq
        self.errors: list[str] = []

    @property
    def active(self) -> bool:
        return bool(self.sinks)

    def make(self, type_: EventType, task_id: str | None = None, **data: Any) -> RunEvent:
        self.seq += 1
        return RunEvent(type_, self.run_id, self.seq, utcnow(), task_id, data)

    def send(self, event: RunEvent) -> None:
        for sink in list(self.sinks):
            try:
                sink(event)
            except Exception as exc:  # a broken consumer must not stop the run
                self.sinks.remove(sink)
                self.errors.append(f"{type(exc).__name__}: {exc}")


class JsonlSink:
    """Writes each event as one JSON line to a stream or a file, flushing every line."""

    def __init__(self, target: IO[bytes] | str | Path | None = None) -> None:
        self._own = False
        if target is None:
            self._out: IO[bytes] = sys.stdout.buffer
        elif isinstance(target, str | Path):
            self._out = Path(target).open("ab")  # noqa: SIM115  (closed in close())
            self._own = True
        else:
            self._out = target

    def __call__(self, event: RunEvent) -> None:
        import orjson

        self._out.write(orjson.dumps(event.to_dict(), default=str) + b"\n")
        self._out.flush()

    def close(self) -> None:
        if self._own:
            with contextlib.suppress(OSError):
                self._out.close()
