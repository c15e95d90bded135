"""A self-contained HTML report of a result: the answer first, then the graph and each task.

Inline CSS and SVG only: no script, no font, no address to fetch (a Content-Security-Policy
meta tag forbids them too), so the file can be opened offline, mailed and printed.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from altlas.formats.common import TaskStatus
from altlas.formats.io import atomic_write_bytes
from altlas.run.report.graph import MAX_NODES, graph_svg
from altlas.run.report.outputs import (
    MAX_ROWS,
    MAX_TEXT,
    PAGE_RAW,
    PAGE_ROWS,
    is_markdown,
    markdown_html,
    output_html,
    raw_json,
    table_html,
    table_view,
    text_html,
)
from altlas.run.report.style import CSS

if TYPE_CHECKING:
    from altlas.formats.plan import Plan
    from altlas.formats.result import Result, TaskResult

__all__ = ["render_report", "write_report"]

ANSWER_ROWS = 20
"""Rows of a table shown in the answer, as in the terminal; the task below has them all."""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"
_LEADS = {
    "failed": "Failed",
    "timeout": "Ran out of time",
    "cancelled": "Cancelled",
    "skipped": "Not run",
    "pending": "Never started",
    "running": "Still running when the result was written",
}
_STATUS_WORDS = {
    "success": "Done",
    "partial_success": "Partly done",
    "failure": "Not done",
    "cancelled": "Cancelled",
    "running": "Running",
}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def _duration(ms: float | None) -> str:
    if ms is None:
        return ""
    if ms < 1_000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{int(ms // 60_000)} min {ms % 60_000 / 1000:.0f} s"


def _plan_from(result: Result) -> Plan | None:
    """A plan rebuilt from the result, for a .last that arrives without its plan."""
    from altlas.formats.plan import Plan

    deps: dict[str, list[str]] = {}
    for edge in result.graph.edges:
        deps.setdefault(edge.target, []).append(edge.source)
    tasks = [
        {
            "id": t.task_id,
            "type": t.type or "execute",
            "description": t.description or "",
            "handler": t.handler,
            "dependencies": deps.get(t.task_id, []),
        }
        for t in result.tasks
    ]
    try:
        return Plan.model_validate({"id": result.plan_id or "plan", "tasks": tasks})
    except ValueError:
        return None


def _answer(result: Result, plan: Plan | None, workspace: Path | None) -> str:
    """The answer box: DO-CORE's paragraphs, a task's rows as a table, Markdown rendered."""
    from altlas.run.answer import answer_parts, task_verdict

    if plan is None and result.answer:
        body = text_html(result.answer)
    else:
        plan = plan or _plan_from(result)
        if plan is None:
            return ""
        if workspace is None and isinstance(result.metadata.get("workspace"), str):
            workspace = Path(result.metadata["workspace"])
        tasks = {t.id: t for t in plan.tasks}
        done = {t.task_id: t for t in result.tasks}
        blocks = []
        for task_id, text in answer_parts(plan, result, workspace):
            task, got = tasks.get(task_id or ""), done.get(task_id or "")
            fine = (
                task is not None
                and got is not None
                and got.status is TaskStatus.COMPLETED
                and task_verdict(task, got) is None
            )
            view = table_view(got.output) if fine and got is not None else None
            has_words = isinstance(got.output, dict) and "answer" in got.output if got else False
            if view is not None and not has_words and task is not None:
                blocks.append(table_html(view, limit=ANSWER_ROWS, title=task.description))
            elif fine and got is not None and is_markdown(got):
                blocks.append(markdown_html(text))
            else:
                blocks.append(text_html(text))
        body = "".join(blocks)
    if not body:
        return ""
    return (
        f'<section class="answer s-{result.status.value}" id="answer">'
        f"<h2>Answer</h2>{body}</section>"
    )


def _why(task: TaskResult, titles: dict[str, str]) -> str:
    """Why a task did not complete, in words, with the error type small beside it."""
    status = task.status.value
    if task.status is TaskStatus.COMPLETED:
        return ""
    err = task.error
    lead = _LEADS.get(status, status)
    if err is None:
        return f'<div class="why"><b>{escape(lead)}.</b></div>'
    message = err.message
    found = re.fullmatch(r"dependency '(.+)' (\w+)", message)
    if err.type == "DependencyFailed" and found:
        dep, state = found.groups()
        named = f"“{titles[dep]}” ({dep})" if titles.get(dep) else dep
        message = f"it needs task {named}, which {'was ' if state != 'failed' else ''}{state}"
    elif err.type == "NoHandler" and message.strip() == "no handler":
        message = f"altlas has no handler for a task of type '{task.type}' ({err.message})"
    return (
        f'<div class="why"><b>{escape(lead)}:</b> {escape(message)} '
        f'<span class="muted small mono">{escape(err.type)}</span></div>'
    )


def _row_share(result: Result) -> int:
    """Rows each task's table may show, so a result with many big tables stays a usable page."""
    sizes = [len(v.rows) for t in result.tasks if (v := table_view(t.output)) is not None]
    if sum(min(n, MAX_ROWS) for n in sizes) <= PAGE_ROWS:
        return MAX_ROWS
    return max(ANSWER_ROWS, PAGE_ROWS // len(sizes))


def _task(task: TaskResult, titles: dict[str, str], rows: int, raw: int) -> str:
    state = task.status.value
    facts = [f'<span class="mono">{escape(task.task_id)}</span>', escape(task.type or "task")]
    if task.handler:
        facts.append(f"handler {escape(task.handler)}")
    if task.attempts > 1:
        facts.append(f"{task.attempts} attempts")
    if task.duration_ms is not None:
        facts.append(_duration(task.duration_ms))
    if task.cached:
        facts.append("from cache")
    title = task.description or task.type or task.task_id
    folded = []
    if task.output is not None:
        folded.append(
            f"<details><summary>Raw output (JSON)</summary>{raw_json(task.output, raw)}</details>"
        )
    if task.metadata:
        folded.append(
            f"<details><summary>Task metadata</summary>{raw_json(task.metadata, raw)}</details>"
        )
    return (
        f'<section class="task s-{state}" id="task-{escape(task.task_id)}">'
        f"<header><h3>{escape(title)}</h3>"
        f'<span class="badge s-{state}">{escape(state)}</span>'
        f'<span class="facts">{" · ".join(facts)}</span></header>'
        f"{_why(task, titles)}{output_html(task, rows)}{''.join(folded)}</section>"
    )


def _artifacts(result: Result) -> str:
    if not result.artifacts:
        return ""
    rows = "".join(
        f"<tr><td class=mono>{escape(str(a.metadata.get('workspace_path') or a.path))}</td>"
        f"<td>{escape(a.task_id or '')}</td>"
        f'<td class="num">{a.size_bytes if a.size_bytes is not None else ""}</td>'
        f"<td>{escape(a.mime_type or '')}</td>"
        f'<td class="mono" title="{escape(a.sha256 or "")}">'
        f"{escape((a.sha256 or '')[:12])}</td></tr>"
        for a in result.artifacts
    )
    return (
        "<h2>Files written</h2><div class=scroll><table><thead><tr><th>path</th><th>task</th>"
        "<th>bytes</th><th>type</th><th>sha256</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def _details(result: Result) -> str:
    """Internal metadata (host, versions, prioritisation weights), folded away."""
    if not result.metadata:
        return ""
    plain, nested = [], []
    for key, value in result.metadata.items():
        if isinstance(value, dict | list):
            nested.append(f'<div class="kicker">{escape(str(key))}</div>{raw_json(value)}')
        else:
            plain.append(f"<dt>{escape(str(key))}</dt><dd>{escape(str(value))}</dd>")
    return (
        '<details id="run-details"><summary>Run details: host, versions, scheduling and '
        f'prioritisation</summary><dl class="kv">{"".join(plain)}</dl>{"".join(nested)}</details>'
    )


def _head(result: Result) -> str:
    state = result.status.value
    title = result.command or result.title or result.plan_id or result.id
    done = sum(1 for t in result.tasks if t.status is TaskStatus.COMPLETED)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="generator" content="altlas">'
        f"<title>{escape(title)} · altlas run report</title><style>{CSS}</style></head><body>"
        '<header><div class="kicker">altlas run report</div>'
        f"<h1>{escape(title)}</h1>"
        f'<div class="verdict s-{state}"><b>{_STATUS_WORDS.get(state, state)}</b>'
        f"<span>{done} of {len(result.tasks)} tasks completed</span>"
        f"<span>{_duration(result.duration_ms)}</span>"
        f'<span class="muted">{_when(result.finished_at or result.started_at)}</span></div>'
        "</header>"
    )


def render_report(
    result: Result, plan: Plan | None = None, workspace: str | Path | None = None
) -> str:
    """The report as one HTML string; ``plan`` lets the answer use the plan's own tasks."""
    titles = {t.task_id: t.description or "" for t in result.tasks}
    out = [_head(result), _answer(result, plan, Path(workspace) if workspace else None)]
    svg = graph_svg(result)
    if svg:
        out.append(f'<h2>How it ran</h2><div class="graph">{svg}</div>')
    elif len(result.graph.nodes) > MAX_NODES:
        out.append(
            f"<h2>How it ran</h2><p class=muted>{len(result.graph.nodes)} tasks: "
            "too many to draw.</p>"
        )
    out.append("<h2>Tasks</h2>")
    rows = _row_share(result)
    raw = min(MAX_TEXT, max(4_000, PAGE_RAW // max(1, len(result.tasks))))
    out += [_task(t, titles, rows, raw) for t in result.tasks]
    out += [_artifacts(result), "<h2>Details</h2>", _details(result)]
    out.append(
        f'<footer>run <span class="mono">{escape(result.run_id)}</span> · plan '
        f'<span class="mono">{escape(result.plan_id)}</span> · started '
        f"{_when(result.started_at)}</footer></body></html>"
    )
    return "\n".join(part for part in out if part)


def write_report(
    result: Result, path: str | Path, plan: Plan | None = None, workspace: str | Path | None = None
) -> Path:
    """Write the report atomically."""
    return atomic_write_bytes(path, render_report(result, plan, workspace).encode("utf-8"))
