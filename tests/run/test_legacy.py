"""Plans in the original runner's shape: parameters.task_type routes every task."""

from __future__ import annotations

import orjson

import altlas
from altlas.formats.common import TaskStatus

RUNNER_TASKS = [
    {
        "id": "write",
        "description": "write the data",
        "parameters": {
            "task_type": "file_operation",
            "operation": "write",
            "file_path": "data.json",
            "content": '[{"k": "a", "v": 1}, {"k": "b", "v": 2}, {"k": "a", "v": 3}]',
        },
    },
    {
        "id": "read",
        "description": "read it back",
        "dependencies": ["write"],
        "parameters": {
            "task_type": "file_operation",
            "operation": "read",
            "file_path": "data.json",
        },
    },
    {
        "id": "filter",
        "description": "keep the a rows",
        "dependencies": ["read"],
        "parameters": {
            "task_type": "data_processing",
            "operation": "filter",
            "input_from_dependency": "read",
            "filter_key": "k",
            "filter_value": "a",
        },
    },
    {
        "id": "cmd",
        "description": "run something",
        "parameters": {"task_type": "system_command", "command": "ls", "args": ["-l"]},
    },
    {"id": "gen", "description": "anything", "parameters": {"task_type": "generic", "x": 1}},
    {"id": "ai", "description": "ask", "parameters": {"task_type": "ai_prompt", "prompt": "hi"}},
]


def _check(result) -> None:
    assert result.task("write").handler == "files"
    assert result.task("read").output["content"].startswith("[")
    assert result.task("filter").output["filtered_data"] == [{"k": "a", "v": 1}, {"k": "a", "v": 3}]
    assert result.task("filter").output["result_count"] == 2
    assert result.task("cmd").error.type == "PermissionDenied"
    assert result.task("gen").output["parameters"]["x"] == 1
    assert result.task("ai").error.type == "NotConfigured"
    assert result.task("ai").status is TaskStatus.FAILED


def test_legacy_task_types_in_a_canonical_plan(mkplan, workspace) -> None:
    """parameters.task_type wins over type, for each of the original values."""
    plan = mkplan(*({"type": "execute", **t} for t in RUNNER_TASKS))
    _check(altlas.run(plan, workspace=workspace))


def test_runner_dialect_file(tmp_path, workspace) -> None:
    """A runner .alt JSON file (tasks[] with map parameters) runs the same way."""
    doc = {
        "id": "alt-1",
        "version": "1.0",
        "created_at": "2025-04-26T19:32:00Z",
        "title": "legacy",
        "tasks": RUNNER_TASKS,
    }
    path = tmp_path / "legacy.alt"
    path.write_bytes(orjson.dumps(doc))
    plan, _ = altlas.run.plan_of(path)
    _check(altlas.run(plan, workspace=workspace))
