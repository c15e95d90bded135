"""Rich trees for plans, results and atlases (used by ``altlas inspect`` and friends)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.tree import Tree

from altlas.formats.atlas import Atlas
from altlas.formats.plan import Plan
from altlas.formats.result import Result

__all__ = ["atlas_tree", "plan_tree", "result_tree", "tree_for"]

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


def plan_tree(plan: Plan) -> Tree:
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
            node.add(f"[dim]{escape(key)}[/] = {_short(value)}")
    return tree


def result_tree(result: Result) -> Tree:
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
        elif task.output is not None:
            node.add(_short(task.output, 100))
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


def tree_for(loaded: Any) -> Tree:
    doc = getattr(loaded, "document", loaded)
    if isinstance(doc, Plan):
        return plan_tree(doc)
    if isinstance(doc, Result):
        return result_tree(doc)
    return atlas_tree(doc)
