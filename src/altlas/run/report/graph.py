"""The execution graph as inline SVG: one column per dependency depth, arrows for dependencies.

Laid out in Python (no script, no library from a CDN) so the report opens anywhere, offline.
"""

from __future__ import annotations

from html import escape

from altlas.formats.result import Result, TaskResult

__all__ = ["MAX_NODES", "graph_svg"]

MAX_NODES = 300
"""Beyond this the drawing is unreadable; the report says the graph was left out."""

_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _PAD = 200, 50, 64, 18, 16
_LABEL_CHARS = 27


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _depths(nodes: list[str], parents: dict[str, list[str]]) -> dict[str, int]:
    """Longest path from a root; bounded passes so a (malformed) cycle cannot loop forever."""
    depth = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes)):
        changed = False
        for node in nodes:
            want = max((depth[p] + 1 for p in parents[node] if p in depth), default=0)
            if want != depth[node] and want < len(nodes):
                depth[node], changed = want, True
        if not changed:
            break
    return depth


def _columns(nodes: list[str], parents: dict[str, list[str]]) -> list[list[str]]:
    """Columns by depth; within a column, nodes near their parents' rows (fewer crossings)."""
    depth = _depths(nodes, parents)
    columns: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for node in nodes:
        columns[depth[node]].append(node)
    row: dict[str, float] = {n: float(i) for i, n in enumerate(columns[0])}
    for members in columns[1:]:
        order = {n: i for i, n in enumerate(members)}

        def centre(node: str, order: dict[str, int] = order) -> tuple[float, int]:
            seen = [row[p] for p in parents[node] if p in row]
            return (sum(seen) / len(seen) if seen else float(order[node]), order[node])

        members.sort(key=centre)
        row.update({n: float(i) for i, n in enumerate(members)})
    return columns


def _label(task: TaskResult | None, node: str) -> tuple[str, str]:
    if task is None:
        return node, ""
    kind = task.type or task.handler or "task"
    label = task.description or (f"handler {task.handler}" if task.handler else "")
    return f"{node} · {kind}", label


def graph_svg(result: Result) -> str:
    """The graph as an ``<svg>`` element, or "" when there is nothing (or too much) to draw."""
    nodes = list(dict.fromkeys(n.task_id for n in result.graph.nodes))
    if not nodes or len(nodes) > MAX_NODES:
        return ""
    parents: dict[str, list[str]] = {n: [] for n in nodes}
    edges = [e for e in result.graph.edges if e.source in parents and e.target in parents]
    for edge in edges:
        parents[edge.target].append(edge.source)
    columns = _columns(nodes, parents)
    tallest = max(len(m) for m in columns)
    height = 2 * _PAD + tallest * _BOX_H + (tallest - 1) * _GAP_Y
    width = 2 * _PAD + len(columns) * _BOX_W + (len(columns) - 1) * _GAP_X
    pos: dict[str, tuple[float, float]] = {}
    for col, members in enumerate(columns):
        top = (height - (len(members) * _BOX_H + (len(members) - 1) * _GAP_Y)) / 2
        for i, node in enumerate(members):
            pos[node] = (_PAD + col * (_BOX_W + _GAP_X), top + i * (_BOX_H + _GAP_Y))
    tasks = {t.task_id: t for t in result.tasks}
    status = {n.task_id: n.status.value for n in result.graph.nodes}
    parts = [
        f'<svg viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-label="Execution graph: {len(nodes)} tasks, {len(edges)} dependencies">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0 0L10 5L0 10z"/>'
        "</marker></defs>",
    ]
    for edge in edges:
        (x1, y1), (x2, y2) = pos[edge.source], pos[edge.target]
        x1, y1, y2 = x1 + _BOX_W, y1 + _BOX_H / 2, y2 + _BOX_H / 2
        bend = max((x2 - x1) / 2, 24.0)
        parts.append(
            f'<path class="edge" data-source="{escape(edge.source)}" '
            f'data-target="{escape(edge.target)}" marker-end="url(#arrow)" '
            f'd="M{x1:.0f} {y1:.0f}C{x1 + bend:.0f} {y1:.0f} {x2 - bend:.0f} {y2:.0f} '
            f'{x2 - 2:.0f} {y2:.0f}"><title>{escape(edge.source)} → {escape(edge.target)}'
            "</title></path>"
        )
    for node, (x, y) in pos.items():
        head, label = _label(tasks.get(node), node)
        state = status.get(node, "pending")
        # a nested <svg> is a viewport: it clips a label that is wider than its box
        parts.append(
            f'<g class="node s-{escape(state)}" data-task="{escape(node)}">'
            f"<title>{escape(node)}: {escape(label or head)} ({escape(state)})</title>"
            f'<svg x="{x:.0f}" y="{y:.0f}" width="{_BOX_W}" height="{_BOX_H}">'
            f'<rect x="1" y="1" width="{_BOX_W - 2}" height="{_BOX_H - 2}" rx="8"/>'
            f'<text class="type" x="12" y="20">{escape(_short(head, _LABEL_CHARS + 4))}</text>'
            f'<text class="label" x="12" y="38">{escape(_short(label, _LABEL_CHARS))}</text>'
            "</svg></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
