"""A self-contained HTML report of a result: inline CSS and SVG, no scripts, no links out."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import orjson

from altlas.formats.io import atomic_write_bytes
from altlas.formats.result import Result

__all__ = ["render_report", "write_report"]

_COLOURS = {
    "completed": "#1a7f37",
    "failed": "#cf222e",
    "timeout": "#bc4c00",
    "cancelled": "#6e7781",
    "skipped": "#8c959f",
    "pending": "#8c959f",
    "running": "#0969da",
    "success": "#1a7f37",
    "partial_success": "#9a6700",
    "failure": "#cf222e",
}
_CSS = """
body{font-family:system-ui,-apple-system,sans-serif;margin:2rem auto;max-width:72rem;
color:#1f2328;padding:0 1rem}
h1{margin-bottom:.2rem}.muted{color:#656d76}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;color:#fff;font-size:.85rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;
padding:.5rem;margin:.3rem 0;max-height:20rem;overflow:auto;font-size:.85rem}
.err{color:#cf222e}summary{cursor:pointer}.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #d0d7de;border-radius:.5rem;padding:.6rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.4rem}
"""
_MAX_OUTPUT = 20_000


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _badge(status: str) -> str:
    colour = _COLOURS.get(status, "#6e7781")
    return f'<span class="badge" style="background:{colour}">{_esc(status)}</span>'


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        text = value
    else:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode()
    if len(text) > _MAX_OUTPUT:
        text = text[:_MAX_OUTPUT] + f"\n... ({len(text) - _MAX_OUTPUT} more characters)"
    return text


def _graph_svg(result: Result) -> str:
    """A layered drawing of the execution graph: one column per dependency depth."""
    nodes = [n.task_id for n in result.graph.nodes]
    if not nodes or len(nodes) > 300:
        return ""
    parents: dict[str, list[str]] = {n: [] for n in nodes}
    for edge in result.graph.edges:
        parents.setdefault(edge.target, []).append(edge.source)
    depth: dict[str, int] = {}
    for node in nodes:  # nodes are in plan order; a bounded relaxation handles any order
        depth[node] = 0
    for _ in range(len(nodes)):
        changed = False
        for node in nodes:
            want = max((depth.get(p, 0) + 1 for p in parents.get(node, [])), default=0)
            if want != depth[node]:
                depth[node], changed = want, True
        if not changed:
            break
    columns: dict[int, list[str]] = {}
    for node in nodes:
        columns.setdefault(depth[node], []).append(node)
    box_w, box_h, gap_x, gap_y = 140, 30, 50, 14
    pos = {}
    for col, members in columns.items():
        for row, node in enumerate(members):
            pos[node] = (20 + col * (box_w + gap_x), 20 + row * (box_h + gap_y))
    width = 40 + (max(columns) + 1) * (box_w + gap_x)
    height = 40 + max(len(m) for m in columns.values()) * (box_h + gap_y)
    status = {n.task_id: n.status.value for n in result.graph.nodes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
    ]
    for edge in result.graph.edges:
        if edge.source in pos and edge.target in pos:
            x1, y1 = pos[edge.source]
            x2, y2 = pos[edge.target]
            parts.append(
                f'<line x1="{x1 + box_w}" y1="{y1 + box_h / 2}" x2="{x2}" y2="{y2 + box_h / 2}" '
                'stroke="#8c959f" stroke-width="1.5"/>'
            )
    for node, (x, y) in pos.items():
        colour = _COLOURS.get(status.get(node, ""), "#6e7781")
        label = node if len(node) <= 18 else node[:17] + "…"
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="#fff" '
            f'stroke="{colour}" stroke-width="2">'
            f"<title>{_esc(node)}: {_esc(status.get(node))}</title></rect>"
            f'<text x="{x + 8}" y="{y + 19}" font-size="12" fill="#1f2328">{_esc(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_report(result: Result) -> str:
    """The report as one HTML string."""
    title = result.title or result.command or result.plan_id or result.id
    counts = result.counts()
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_esc(title)}: altlas run report</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        f'<p class="muted">run {_esc(result.run_id)} · plan {_esc(result.plan_id)} · '
        f"{_esc(result.started_at)} → {_esc(result.finished_at)}</p>",
        '<div class="cards">',
        f"<div class=card>status<b>{_badge(result.status.value)}</b></div>",
        f"<div class=card>success rate<b>{result.success_rate:.1%}</b></div>",
        f"<div class=card>tasks<b>{len(result.tasks)}</b></div>",
        f"<div class=card>duration<b>{result.duration_ms:.0f} ms</b></div>",
        f"<div class=card>artifacts<b>{len(result.artifacts)}</b></div>",
        "</div>",
    ]
    if result.command:
        out.append(f"<p><b>Command:</b> {_esc(result.command)}</p>")
    if result.summary:
        out.append(f"<p>{_esc(result.summary)}</p>")
    out.append("<p>" + " · ".join(f"{_badge(s)} {n}" for s, n in sorted(counts.items())) + "</p>")
    svg = _graph_svg(result)
    if svg:
        out += ["<h2>Execution graph</h2>", svg]
    out += [
        "<h2>Tasks</h2><table><tr><th>task</th><th>status</th><th>handler</th>"
        "<th>attempts</th><th>duration</th><th>output / error</th></tr>"
    ]
    for task in result.tasks:
        detail = ""
        if task.error is not None:
            detail += f'<div class="err">{_esc(task.error.type)}: {_esc(task.error.message)}</div>'
        if task.output is not None:
            shown = _esc(_pretty(task.output))
            detail += f"<details><summary>output</summary><pre>{shown}</pre></details>"
        cached = " (cached)" if task.cached else ""
        duration = f"{task.duration_ms:.0f} ms" if task.duration_ms is not None else ""
        out.append(
            f"<tr><td><b>{_esc(task.task_id)}</b><br>"
            f"<span class=muted>{_esc(task.description)}</span></td>"
            f"<td>{_badge(task.status.value)}{cached}</td><td>{_esc(task.handler)}</td>"
            f"<td>{task.attempts}</td><td>{duration}</td><td>{detail}</td></tr>"
        )
    out.append("</table>")
    if result.artifacts:
        out.append(
            "<h2>Artifacts</h2><table><tr><th>name</th><th>task</th><th>size</th>"
            "<th>type</th><th>sha256</th><th>path</th></tr>"
        )
        for art in result.artifacts:
            out.append(
                f"<tr><td>{_esc(art.name)}</td><td>{_esc(art.task_id)}</td>"
                f"<td>{_esc(art.size_bytes)} B</td><td>{_esc(art.mime_type)}</td>"
                f"<td><code>{_esc((art.sha256 or '')[:16])}…</code></td>"
                f"<td>{_esc(art.path)}</td></tr>"
            )
        out.append("</table>")
    if result.metadata:
        out.append("<h2>Metadata</h2><table>")
        for key, value in result.metadata.items():
            out.append(f"<tr><th>{_esc(key)}</th><td><pre>{_esc(_pretty(value))}</pre></td></tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(result: Result, path: str | Path) -> Path:
    """Write the report atomically."""
    return atomic_write_bytes(path, render_report(result).encode("utf-8"))
