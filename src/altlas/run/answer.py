"""The answer a person reads after a run (``altlas do``, ``altlas run``, the HTML report),
and whether each task did its job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from altlas.formats.common import TaskStatus
from altlas.formats.plan import Plan, Task
from altlas.formats.result import Result, TaskResult
from altlas.run.executor import CONDITION_FALSE
from altlas.run.handlers.base import text_of

__all__ = ["answer_parts", "compose_answer", "task_verdict"]

_MAX_LINES = 30
_EMPTY_KEYS = ("row_count", "count")


def _found_nothing(output: Any) -> bool:
    if not isinstance(output, dict):
        return False
    for key in _EMPTY_KEYS:
        if isinstance(output.get(key), int) and not isinstance(output.get(key), bool):
            return int(output[key]) == 0
    return False


def task_verdict(task: Task, result: TaskResult) -> str | None:
    """None when the task did its job; otherwise why not, in one line."""
    if result.status is TaskStatus.COMPLETED:
        if task.metadata.get("must_find") and _found_nothing(result.output):
            return f"nothing was found for '{task.description}'"
        return None
    if (
        result.status is TaskStatus.SKIPPED
        and result.error
        and result.error.type == CONDITION_FALSE
    ):
        return None
    if result.error is not None:
        return result.error.message
    return f"ended {result.status.value}"


def _clip(text: str) -> str:
    lines = text.strip().splitlines()
    if len(lines) <= _MAX_LINES:
        return "\n".join(lines)
    return "\n".join([*lines[:_MAX_LINES], f"... ({len(lines) - _MAX_LINES} more lines)"])


def _done_text(task: Task, output: Any) -> str:
    if isinstance(output, dict):
        answer = output.get("answer")
        if isinstance(answer, str) and answer.strip():
            return answer
        if task.handler == "files" and output.get("operation") == "write":
            return f"Wrote {output.get('file_path')}"
        if task.handler == "command":
            return str(output.get("stdout") or "").strip() or "(the program printed nothing)"
        if task.handler == "archive":
            hits = int(output.get("count") or 0)
            head = f"{hits} archived result{'s' if hits != 1 else ''} for '{output.get('query')}'"
            body = str(output.get("text") or "")
            return (
                f"{head}:\n{body}"
                if hits
                else f"No archived result matches '{output.get('query')}'"
            )
    return text_of(output)


def _line(task: Task, result: TaskResult, tasks: dict[str, TaskResult]) -> str:
    verdict = task_verdict(task, result)
    if result.status is TaskStatus.SKIPPED and verdict is None:
        why = result.error.message if result.error else "its condition did not hold"
        probe = next((tasks[d] for d in task.dependencies if d in tasks), None)
        seen = ""
        if probe is not None and isinstance(probe.output, dict):
            found = probe.output.get("count", probe.output.get("row_count"))
            if found is not None:
                seen = f"; {found} found"
        return f"Skipped '{task.description}': {why}{seen}"
    if verdict is not None:
        if result.status is TaskStatus.COMPLETED:
            return f"{_clip(_done_text(task, result.output))}\nNot done: {verdict}"
        return f"Failed '{task.description}': {verdict}"
    if task.metadata.get("role") == "probe":
        found = result.output.get("count") if isinstance(result.output, dict) else None
        if found is None and isinstance(result.output, dict):
            found = result.output.get("row_count")
        return f"Checked '{task.description}': {found} found"
    return _clip(_done_text(task, result.output))


def _relative(path: str, workspace: Path | None) -> str:
    if workspace is None:
        return path
    try:
        return Path(path).resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return path


def _named(path: str, text: str) -> bool:
    """Whether the answer already names the file or a folder it was written into."""
    parts = path.split("/")
    return path in text or any("/".join(parts[:i]) + "/" in text for i in range(1, len(parts)))


def answer_parts(
    plan: Plan, result: Result, workspace: Path | None = None
) -> list[tuple[str | None, str]]:
    """The answer as ``(task id, paragraph)`` pairs in plan order; the files line has no id.

    ``altlas run`` uses the ids to show a task's rows as a table instead of its paragraph.
    """
    by_id = {t.task_id: t for t in result.tasks}
    parts: list[tuple[str | None, str]] = []
    for task in plan.tasks:
        found = by_id.get(task.id)
        if found is None:
            continue
        line = _line(task, found, by_id)
        if line.strip():
            parts.append((task.id, line))
    text = "\n".join(p for _, p in parts)
    written = [_relative(a.path, workspace) for a in result.artifacts]
    unnamed = [p for p in written if not _named(p, text)]
    if unnamed:
        shown = ", ".join(unnamed[:10]) + (
            f" and {len(unnamed) - 10} more" if len(unnamed) > 10 else ""
        )
        parts.append((None, f"Files written: {shown}"))
    return parts


def compose_answer(plan: Plan, result: Result, workspace: Path | None = None) -> str:
    """One paragraph per task, in plan order: what it found, wrote, skipped or why it failed."""
    return "\n".join(text for _, text in answer_parts(plan, result, workspace))
