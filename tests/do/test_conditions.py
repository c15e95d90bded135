"""The runner executes v2 conditions: false skips (ConditionFalse), else branches run."""

from __future__ import annotations

from pathlib import Path

import altlas
from altlas.formats.common import TaskStatus
from altlas.formats.plan import Plan


def _plan(count_word: str) -> Plan:
    cond = {"operator": "gt", "left": "{{ tasks.probe.output.count }}", "right": 0}
    return Plan.model_validate(
        {
            "id": "p",
            "tasks": [
                {
                    "id": "probe",
                    "handler": "text",
                    "parameters": {
                        "operation": "grep",
                        "path": "server.log",
                        "contains": count_word,
                        "allow_empty": True,
                    },
                },
                {
                    "id": "then",
                    "handler": "text",
                    "dependencies": ["probe"],
                    "parameters": {
                        "operation": "grep",
                        "path": "server.log",
                        "contains": count_word,
                        "output": "out/hits.txt",
                    },
                    "condition": {"condition": cond, "if_body": ["then"], "else_body": ["other"]},
                    "metadata": {"condition_text": "no such lines"},
                },
                {
                    "id": "after",
                    "handler": "echo",
                    "dependencies": ["then"],
                    "parameters": {"message": "after"},
                },
                {
                    "id": "other",
                    "handler": "files",
                    "dependencies": ["then"],
                    "parameters": {
                        "operation": "write",
                        "path": "out/none.txt",
                        "content": "none\n",
                    },
                },
            ],
        }
    )


def test_true_condition_runs_and_skips_the_else_branch(ws: Path) -> None:
    result = altlas.run(_plan("ERROR"), workspace=ws)
    assert result.task("then").status is TaskStatus.COMPLETED
    assert (ws / "out/hits.txt").read_text().count("ERROR") == 2
    assert result.task("after").status is TaskStatus.COMPLETED
    other = result.task("other")
    assert other.status is TaskStatus.SKIPPED and other.error.type == "ConditionFalse"
    assert not (ws / "out/none.txt").exists()


def test_false_condition_skips_dependents_and_runs_the_else_branch(ws: Path) -> None:
    result = altlas.run(_plan("CRITICAL"), workspace=ws)
    then = result.task("then")
    assert then.status is TaskStatus.SKIPPED
    assert (then.error.type, then.error.message) == ("ConditionFalse", "no such lines")
    assert not (ws / "out/hits.txt").exists()
    after = result.task("after")
    assert after.status is TaskStatus.SKIPPED and after.error.type == "ConditionFalse"
    assert result.task("other").status is TaskStatus.COMPLETED
    assert (ws / "out/none.txt").read_text() == "none\n"


def test_uncomparable_condition_fails_the_task(ws: Path) -> None:
    plan = Plan.model_validate(
        {
            "id": "p",
            "tasks": [
                {
                    "id": "a",
                    "handler": "echo",
                    "parameters": {"message": "x"},
                    "condition": {
                        "condition": {"operator": "gt", "left": "abc", "right": 1},
                        "if_body": ["a"],
                    },
                }
            ],
        }
    )
    task = altlas.run(plan, workspace=ws).task("a")
    assert task.status is TaskStatus.FAILED and task.error.type == "ConditionError"
