"""Rich trees for plans, results and atlases (used by ``altlas inspect`` and friends).

With ``full``, a task's output is shown whole: rows as a table, markdown rendered (or kept as
its source when ``markdown`` is off, for pipes), anything else as indented JSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.tree import Tree

from altlas.formats.atlas import Atlas
from altlas.formats.plan import Plan
from altlas.formats.result import Result

__all__ = [
    "TableView",
    "atlas_tree",
    "output_renderable",
    "output_summary",
    "plan_tree",
    "result_tree",
    "rich_table",
    "table_view",
    "tree_for",
]

_TEXT_KEYS = ("answer", "text", "summary", "content", "stdout", "message", "body")
_ROW_KEYS = ("rows", "filtered_data")
_MARKDOWN = re.compile(r"(^#{1,6} |^\s*[-*+] |^\s*\d+\. |^\|.*\|\s*$|\*\*|`)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class TableView:
    """Rows of a task output, ready to show: the columns, the rows given, and how many in all."""

    columns: list[str]
    rows: list[Mapping[str, Any]]
    total: int


def table_view(output: Any) -> TableView | None:
    """The table inside a handler output (``columns`` + ``rows``), or None when there is none."""
    if not isinstance(output, Mapping):
        return None
    rows = next((output[k] for k in _ROW_KEYS if isinstance(output.get(k), list)), None)
    if rows is None or not all(isinstance(r, Mapping) for r in rows):
        return None
    columns = output.get("columns")
    if not isinstance(columns, list) or not columns:
        columns = list(dict.fromkeys(k for r in rows for k in r))
    total = output.get("row_count")
    count = total if isinstance(total, int) and not isinstance(total, bool) else len(rows)
    return TableView([str(c) for c in columns], rows, max(count, len(rows)))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value) or value.is_integer():
            return str(int(value)) if math.isfinite(value) else str(value)
        return f"{value:.2f}" if abs(value) >= 1 else f"{value:.4g}"
    return str(value)


def rich_table(view: TableView, *, title: str | None = None, limit: int | None = None) -> Any:
    """A rich Table of ``view``; numbers right-aligned, a caption when rows were left out."""
    from rich.table import Table

    shown = view.rows if limit is None else view.rows[:limit]
    table = Table(title=escape(title) if title else None, header_style="bold")
    for col in view.columns:
        numeric = bool(shown) and all(
            isinstance(r.get(col), int | float) and not isinstance(r.get(col), bool)
            for r in shown
            if r.get(col) is not None
        )
        table.add_column(escape(col), justify="right" if numeric else "left")
    for row in shown:
        table.add_row(*(escape(_cell(row.get(c))) for c in view.columns))
    if view.total > len(shown):
        table.caption = f"{len(shown)} of {view.total} rows"
    return table


def _text(value: str, markdown: bool) -> Any:
    from rich.text import Text

    if markdown and _MARKDOWN.search(value):
        from rich.markdown import Markdown

        return Markdown(value)
    return Text(value)


def output_summary(output: Any, limit: int = 100) -> str:
    """One line for a task output: its rows' shape, its text's first line, or compact JSON."""
    view = table_view(output)
    if view is not None:
        cols = ", ".join(view.columns[:8]) + (", …" if len(view.columns) > 8 else "")
        plural = "s" if view.total != 1 else ""
        return _short(f"{view.total} row{plural} × {len(view.columns)} columns ({cols})", limit)
    text = output if isinstance(output, str) else None
    if isinstance(output, Mapping):
        text = next((output[k] for k in _TEXT_KEYS if isinstance(output.get(k), str)), None)
    if text is not None and text.strip():
        first = text.strip().splitlines()[0]
        more = " …" if len(text.strip().splitlines()) > 1 else ""
        return _short(first + more, limit)
    import orjson

    return _short(orjson.dumps(output, default=str).decode(), limit)


def output_renderable(output: Any, *, markdown: bool = True) -> Any:
    """A task output in full: a table, (markdown) text, or indented JSON."""
    view = table_view(output)
    if view is not None:
        return rich_table(view)
    if isinstance(output, str):
        return _text(output, markdown)
    if isinstance(output, Mapping):
        text = next((output[k] for k in _TEXT_KEYS if isinstance(output.get(k), str)), None)
        if text is not None and text.strip():
            return _text(text, markdown)
    import orjson
    from rich.text import Text

    return Text(orjson.dumps(output, option=orjson.OPT_INDENT_2, default=str).decode())


_STATUS_STYLE = {
    "completed": "green",
    "success": "green",
    "failed": "red",
    "failure": "red",
    "timeout": "red",
    "cancelled": "yellow",
    "skipped": "yellow",
    "partial_success": "yellow",
    "pending": "dim",
    "running": "cyan",
}


def _short(value: Any, limit: int = 70) -> str:
    text = str(value)
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def _whole(value: Any) -> str:
    if isinstance(value, str):
        return escape(value)
    import orjson

    return escape(orjson.dumps(value, default=str).decode())


def plan_tree(plan: Plan, *, full: bool = False) -> Tree:
    """A plan as a tree; ``full`` shows parameter values whole instead of cut at 70 characters."""
    head = f"[bold]plan[/] {escape(plan.id)}"
    if plan.command:
        head += f"  [italic]{_short(plan.command)}[/]"
    tree = Tree(head)
    facts = [f"mode {plan.mode.value}"]
    if plan.chaos_level is not None:
        facts.append(f"chaos {plan.chaos_level}")
    if plan.language:
        facts.append(f"lang {plan.language}")
    if plan.persona:
        facts.append(f"persona {plan.persona}")
    tree.add("[dim]" + escape(" · ".join(facts)) + "[/]")
    for task in plan.tasks:
        label = f"[bold cyan]{escape(task.id)}[/] [magenta]{escape(task.type)}[/]"
        if task.description:
            label += f"  {_short(task.description)}"
        if task.dependencies:
            label += f"  [dim]← {escape(', '.join(task.dependencies))}[/]"
        node = tree.add(label)
        for key, value in task.parameters.items():
            node.add(f"[dim]{escape(key)}[/] = {_whole(value) if full else _short(value)}")
    return tree


def result_tree(result: Result, *, full: bool = False, markdown: bool = True) -> Tree:
    """A result as a tree; ``full`` shows every output whole instead of a cut line."""
    style = _STATUS_STYLE.get(result.status.value, "white")
    tree = Tree(
        f"[bold]result[/] {escape(result.id)}  [{style}]{result.status.value}[/] "
        f"{result.success_rate:.0%}  {result.duration_ms:.0f} ms",
    )
    if result.title or result.command:
        tree.add(f"[italic]{_short(result.title or result.command)}[/]")
    for task in result.tasks:
        tstyle = _STATUS_STYLE.get(task.status.value, "white")
        label = f"[bold cyan]{escape(task.task_id)}[/] [{tstyle}]{task.status.value}[/]"
        if task.handler:
            label += f" [dim]via {escape(task.handler)}[/]"
        if task.attempts > 1:
            label += f" [dim]({task.attempts} attempts)[/]"
        if task.duration_ms is not None:
            label += f" [dim]{task.duration_ms:.0f} ms[/]"
        node = tree.add(label)
        if task.error is not None:
            node.add(f"[red]{escape(task.error.type)}: {_short(task.error.message, 100)}[/]")
        elif task.output is not None and full:
            node.add(output_renderable(task.output, markdown=markdown))
        elif task.output is not None:
            node.add(output_summary(task.output))
    if result.artifacts:
        arts = tree.add("[bold]artifacts[/]")
        for art in result.artifacts:
            arts.add(f"{escape(art.name)} [dim]{art.size_bytes or 0} B {art.mime_type or ''}[/]")
    return tree


def atlas_tree(atlas: Atlas) -> Tree:
    tree = Tree(f"[bold]atlas[/] {escape(atlas.id)}  {atlas.source.results} results")
    for dim, values in atlas.success_by.items():
        node = tree.add(f"[bold]success by {escape(dim)}[/]")
        for value, stat in sorted(values.items()):
            node.add(f"{escape(value)}: {stat.rate:.0%} of {stat.total}")
    if atlas.failures:
        node = tree.add("[bold]top failures[/]")
        for reason in atlas.failures[:10]:
            node.add(
                f"[red]{escape(reason.error_type)}[/] ×{reason.count} {_short(reason.message)}"
            )
    if atlas.tag_counts:
        top = sorted(atlas.tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
        tree.add("[bold]tags[/] " + escape(", ".join(f"{k} ({v})" for k, v in top)))
    return tree


def tree_for(loaded: Any, *, full: bool = False, markdown: bool = True) -> Tree:
    doc = getattr(loaded, "document", loaded)
    if isinstance(doc, Plan):
        return plan_tree(doc, full=full)
    if isinstance(doc, Result):
        return result_tree(doc, full=full, markdown=markdown)
    return atlas_tree(doc)
