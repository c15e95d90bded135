"""The answer at the end of ``altlas run``: DO-CORE's paragraphs, with rows shown as tables.

The words come from :func:`altlas.do.answer.answer_parts`, the same text ``altlas do`` prints;
only a task whose output is rows (and that did its job) is drawn as a rich table instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from altlas.formats.plan import Plan, Task
    from altlas.formats.result import Result, TaskResult

__all__ = ["print_answer"]

TABLE_ROWS = 20
"""Rows shown in the answer; the caption says how many there were and --format json has all."""


def _table_of(task: Task, done: TaskResult) -> Any:
    from altlas.do.answer import task_verdict
    from altlas.formats.common import TaskStatus
    from altlas.formats.render import rich_table, table_view

    if done.status is not TaskStatus.COMPLETED or task_verdict(task, done) is not None:
        return None
    output = done.output
    if isinstance(output, dict) and isinstance(output.get("answer"), str):
        return None  # the handler already put the rows into words
    view = table_view(output)
    if view is None:
        return None
    return rich_table(view, title=task.description or task.id, limit=TABLE_ROWS)


def print_answer(plan: Plan, result: Result, *, stderr: bool = False) -> None:
    """Print the answer: a blank line, then one paragraph or table per task, in plan order."""
    from pathlib import Path

    from rich.text import Text

    from altlas.cli._output import console
    from altlas.do.answer import answer_parts

    workspace = result.metadata.get("workspace") if isinstance(result.metadata, dict) else None
    parts = answer_parts(plan, result, Path(workspace) if workspace else None)
    tasks = {t.id: t for t in plan.tasks}
    done = {t.task_id: t for t in result.tasks}
    out = console(stderr=stderr)
    if parts:
        out.print()
    for task_id, text in parts:
        table = None
        if task_id is not None and task_id in tasks and task_id in done:
            table = _table_of(tasks[task_id], done[task_id])
        out.print(table if table is not None else Text(text))
