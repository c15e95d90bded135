"""The runner's .alt JSON: golden file, serde-compatible output, round trips, errors."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from altlas.errors import ValidationError
from altlas.formats import io
from altlas.formats.common import Mode, Priority
from altlas.formats.plan import Plan
from altlas.testing import plans

GOLDEN = Path(__file__).parent / "golden" / "example_alt_file.json"
ROUND_TRIP = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the runner's serde model (runner-service/src/alt_file/models.rs), reference section 1.5 ----

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def _chrono(value: str) -> str:
    if not _RFC3339.match(value):
        raise ValueError(f"not RFC 3339 with an offset: {value}")
    return value


U32 = Annotated[int, Field(ge=0, le=2**32 - 1)]
U8 = Annotated[int, Field(ge=0, le=255)]
SerdePriority = Literal["low", "medium", "high", "critical"]


class SerdeTask(BaseModel):
    model_config = ConfigDict(strict=True)  # serde: a u32 is never 30.0, an enum never "High"
    id: str
    description: str
    dependencies: list[str] | None = None
    parameters: dict[str, Any] | None = None
    timeout_seconds: U32 | None = None
    retry_count: U8 | None = None
    status: Literal["pending", "running", "completed", "failed", "cancelled"] | None = None
    priority: SerdePriority | None = None
    tags: list[str] | None = None


class SerdeAltFile(BaseModel):
    model_config = ConfigDict(strict=True)
    id: str
    version: str
    created_at: Annotated[str, AfterValidator(_chrono)]
    title: str
    description: str | None = None
    mode: Literal["normal", "dream", "explore", "chaos"] | None = None
    persona: str | None = None
    tasks: list[SerdeTask]
    metadata: dict[str, Any] | None = None
    priority: SerdePriority | None = None
    tags: list[str] | None = None
    expected_completion_time: U32 | None = None


def validate_alt_file(alt: SerdeAltFile) -> str | None:
    """``alt_file/validator.rs``: the first error, in the runner's order, or None."""
    if not alt.id.strip():
        return "ALT file ID cannot be empty"
    if not alt.title.strip():
        return "ALT file title cannot be empty"
    if not alt.version.strip():
        return "ALT file version cannot be empty"
    ids = {t.id for t in alt.tasks}
    seen: set[str] = set()
    for task in alt.tasks:
        if not task.id.strip():
            return "Task ID cannot be empty"
        if task.id in seen:
            return f"Duplicate task ID found: {task.id}"
        seen.add(task.id)
        if not task.description.strip():
            return f"Task description cannot be empty for task ID: {task.id}"
        for dep in task.dependencies or []:
            if not dep.strip():
                return f"Empty dependency ID found for task ID: {task.id}"
            if dep not in ids:
                return f"Dependency '{dep}' not found for task ID: {task.id}"
            if dep == task.id:
                return f"Task {task.id} cannot depend on itself."
    deps = {t.id: t.dependencies or [] for t in alt.tasks}
    state: dict[str, int] = {}

    def cyclic(tid: str) -> bool:
        state[tid] = 1
        for dep in deps[tid]:
            if state.get(dep) == 1 or (state.get(dep) is None and cyclic(dep)):
                return True
        state[tid] = 2
        return False

    for task in alt.tasks:
        if state.get(task.id) is None and cyclic(task.id):
            return f"Circular dependency detected involving task ID: {task.id}"
    return None


def runner_accepts(raw: bytes) -> SerdeAltFile:
    alt = SerdeAltFile.model_validate_json(raw)
    assert validate_alt_file(alt) is None
    return alt


# --- golden ------------------------------------------------------------------------------------


def test_example_alt_file_loads() -> None:
    loaded = io.read(GOLDEN)
    plan = loaded.document
    assert loaded.dialect == "runner-alt"
    assert (plan.id, plan.title, plan.mode, plan.persona) == (
        "alt_example_001",
        "Example ALT File",
        Mode.NORMAL,
        "technical_expert",
    )
    assert plan.created_at == datetime(2025, 4, 26, 19, 32, tzinfo=UTC)
    # the example keeps these inside metadata; they are plan fields
    assert plan.priority is Priority.HIGH
    assert plan.tags == ["example", "test", "documentation"]
    assert plan.expected_completion_seconds == 300
    assert plan.metadata["source"] == "manual"
    assert [t.id for t in plan.tasks] == ["task_001", "task_002", "task_003"]
    assert [t.timeout_seconds for t in plan.tasks] == [30, 60, 120]
    assert [t.retry_count for t in plan.tasks] == [3, 2, 1]
    assert plan.task("task_003").dependencies == ["task_002"]
    assert plan.task("task_001").parameters["headers"]["Content-Type"] == "application/json"
    assert {t.type for t in plan.tasks} == {"generic"}
    assert loaded.warnings == []


def test_example_is_written_back_with_nothing_lost() -> None:
    source = json.loads(GOLDEN.read_bytes())
    written = io.to_data(io.load_plan(GOLDEN), "runner-alt")
    # serde writes absent Options as null and a parsed task's status as pending
    expected = {**source, "priority": None, "tags": None, "expected_completion_time": None}
    expected["tasks"] = [
        {**t, "status": "pending", "priority": None, "tags": None} for t in source["tasks"]
    ]
    assert written == expected
    runner_accepts(io.to_bytes(io.load_plan(GOLDEN), dialect="runner-alt"))


def test_task_type_stays_in_parameters() -> None:
    doc = json.loads(GOLDEN.read_bytes())
    doc["tasks"][0]["parameters"]["task_type"] = "ai_prompt"
    doc["tasks"][1]["status"] = "Completed"
    plan = io.load_plan(json.dumps(doc).encode())
    assert plan.tasks[0].type == "ai_prompt"
    assert plan.tasks[0].parameters["task_type"] == "ai_prompt"
    assert plan.tasks[1].metadata == {"altlas": {"runner": {"status": "completed"}}}
    written = io.to_data(plan, "runner-alt")
    assert written["tasks"][0]["parameters"]["task_type"] == "ai_prompt"
    assert written["tasks"][1]["status"] == "completed"


def test_segmentation_plan_becomes_a_runnable_runner_file() -> None:
    """Task types become parameters.task_type; what the runner lacks rides in metadata.altlas."""
    plan = io.load_plan(Path(__file__).parent / "golden" / "benchmark_chaos_tr.alt.yaml")
    raw = io.to_bytes(plan, dialect="runner-alt")
    alt = runner_accepts(raw)
    assert alt.title == plan.command
    assert alt.mode == "chaos"
    assert [t.parameters and t.parameters["task_type"] for t in alt.tasks] == [
        "execute",
        "execute",
    ]
    assert alt.metadata is not None
    stash = alt.metadata["altlas"]
    assert (stash["command"], stash["language"], stash["chaos_level"]) == (plan.command, "tr", 5)
    assert stash["tasks"][plan.tasks[0].id]["confidence"] == 0.5
    assert io.load_plan(raw) == plan


def test_awkward_values_are_made_serde_safe_and_restored() -> None:
    plan = Plan(
        id="p",
        title=None,
        command="  ",
        created_at=None,
        timeout_seconds=1.5,
        tasks=[
            {"id": "a", "description": "", "timeout_seconds": 2.5, "type": "generic"},
            {"id": "b", "description": "x", "parameters": {"task_type": 7}, "type": "search"},
        ],
    )
    raw = io.to_bytes(plan, dialect="runner-alt")
    alt = runner_accepts(raw)
    assert alt.title == "p"
    assert alt.created_at == "1970-01-01T00:00:00Z"
    assert alt.tasks[0].description == "a"
    assert alt.tasks[0].timeout_seconds == 2
    assert alt.tasks[0].parameters is None
    assert io.load_plan(raw) == plan


@ROUND_TRIP
@given(plans())
def test_any_plan_round_trips_and_the_runner_accepts_it(plan: Plan) -> None:
    raw = io.to_bytes(plan, dialect="runner-alt")
    runner_accepts(raw)
    loaded = io.read_bytes(raw)
    assert loaded.dialect == "runner-alt"
    assert loaded.warnings == []
    assert loaded.document == plan


# --- bad input -----------------------------------------------------------------------------------


def _errors(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        io.read_bytes(json.dumps(doc).encode(), name="r.alt")
    return info.value.lines()


def test_required_runner_fields() -> None:
    doc = json.loads(GOLDEN.read_bytes())
    del doc["version"]
    doc["title"] = "  "
    del doc["tasks"][1]["description"]
    doc["tasks"][2]["id"] = ""
    assert _errors(doc) == [
        "r.alt: title: must not be empty",
        "r.alt: version: required field is missing",
        "r.alt: tasks[1].description: required field is missing",
        "r.alt: tasks[2].id: must not be empty",
    ]


def test_wrong_types_and_values() -> None:
    doc = json.loads(GOLDEN.read_bytes())
    doc["version"] = 1.0
    doc["mode"] = "Turbo"
    doc["created_at"] = "yesterday"
    doc["tasks"][0]["retry_count"] = 300
    doc["tasks"][1]["status"] = "done"
    doc["tasks"][2]["parameters"] = ["not", "a", "map"]
    doc["expected_completion_time"] = -1
    assert _errors(doc) == [
        "r.alt: version: Input should be a valid string",
        "r.alt: created_at: not an ISO 8601 timestamp: 'yesterday'",
        "r.alt: mode: Input should be 'normal', 'dream', 'explore' or 'chaos'",
        "r.alt: expected_completion_time: Input should be greater than or equal to 0",
        "r.alt: tasks[0].retry_count: Input should be less than or equal to 255",
        "r.alt: tasks[1].status: Input should be one of 'pending', 'running', 'completed', "
        "'failed', 'cancelled'",
        "r.alt: tasks[2].parameters: Input should be a valid dictionary",
    ]


def test_graph_errors_use_runner_paths() -> None:
    doc = json.loads(GOLDEN.read_bytes())
    doc["tasks"][0]["dependencies"] = ["task_003"]
    assert _errors(doc) == [
        "r.alt: tasks[0].dependencies: dependency cycle: task_001 -> task_003 -> task_002 "
        "-> task_001",
    ]
