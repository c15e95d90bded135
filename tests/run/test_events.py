"""Run events: order, envelope, JSON Lines, and what a broken sink does."""

from __future__ import annotations

import io

import orjson

import altlas
from altlas.run.events import Emitter, EventType, JsonlSink, RunEvent


def test_event_sequence_for_a_small_run(mkplan, workspace) -> None:
    """run.started, then started/finished per task, then run.finished; seq counts up."""
    events: list[RunEvent] = []
    plan = mkplan({"id": "a"}, {"id": "b", "dependencies": ["a"]})
    altlas.run(plan, workspace=workspace, events=[events.append], run_id="run_ev")
    kinds = [(e.type.value, e.task_id) for e in events]
    assert kinds == [
        ("run.started", None),
        ("task.started", "a"),
        ("task.finished", "a"),
        ("task.started", "b"),
        ("task.finished", "b"),
        ("run.finished", None),
    ]
    assert [e.seq for e in events] == list(range(1, 7))
    assert {e.run_id for e in events} == {"run_ev"}
    assert events[0].data["task_count"] == 2
    assert events[2].data["status"] == "completed"
    assert events[-1].data["status"] == "success"
    assert events[-1].data["counts"] == {"completed": 2}


def test_jsonl_sink_round_trips() -> None:
    """Each event is one JSON line that parses back to the same event."""
    buf = io.BytesIO()
    sink = JsonlSink(buf)
    emitter = Emitter("run_x", [sink])
    event = emitter.make(EventType.TASK_FINISHED, "t1", status="failed", error={"type": "X"})
    emitter.send(event)
    line = buf.getvalue()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    data = orjson.loads(line)
    assert data["type"] == "task.finished"
    assert data["time"].endswith("Z")
    assert RunEvent.from_dict(data) == event


def test_jsonl_sink_to_a_file(tmp_path) -> None:
    """A path sink appends and is closed by close()."""
    path = tmp_path / "events.jsonl"
    sink = JsonlSink(path)
    emitter = Emitter("run_y", [sink])
    emitter.send(emitter.make(EventType.RUN_STARTED))
    emitter.send(emitter.make(EventType.RUN_FINISHED, status="success"))
    sink.close()
    lines = path.read_bytes().splitlines()
    assert [orjson.loads(x)["type"] for x in lines] == ["run.started", "run.finished"]


def test_a_failing_sink_is_dropped_and_the_run_goes_on(mkplan, workspace) -> None:
    """A consumer that raises is removed; the others still get events."""
    good: list[RunEvent] = []

    def bad(event: RunEvent) -> None:
        raise BrokenPipeError("reader went away")

    result = altlas.run(mkplan({"id": "a"}), workspace=workspace, events=[bad, good.append])
    assert result.status.value == "success"
    assert len(good) == 4
