"""The ``report`` handler: markdown, HTML, JSON or CSV built from dependency outputs."""

from __future__ import annotations

import asyncio
import csv
import html
import io
from collections.abc import Mapping
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import (
    Handler,
    HandlerContext,
    PermanentError,
    refusal,
    text_of,
    write_workspace_file,
)

__all__ = ["ReportHandler"]

_FORMATS = {
    "markdown": "markdown",
    "md": "markdown",
    "txt": "markdown",
    "text": "markdown",
    "html": "html",
    "htm": "html",
    "json": "json",
    "csv": "csv",
}


def _format(params: Mapping[str, Any]) -> str:
    raw = str(params.get("format") or "markdown").strip().lower().lstrip(".")
    found = _FORMATS.get(raw)
    if found is None:
        raise PermanentError(
            f"report: format '{raw}' is not supported offline (markdown, html, json, csv)",
            error_type="UnsupportedFormat",
        )
    return found


def _rows(output: Any) -> list[dict[str, Any]] | None:
    """Table rows inside an output (``rows``, ``filtered_data``, a list of objects)."""
    if isinstance(output, Mapping):
        for key in ("rows", "filtered_data", "describe", "hits", "files"):
            value = output.get(key)
            if isinstance(value, list) and value and all(isinstance(r, Mapping) for r in value):
                return [dict(r) for r in value]
    if isinstance(output, list) and output and all(isinstance(r, Mapping) for r in output):
        return [dict(r) for r in output]
    return None


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: dict[str, None] = {}
    for row in rows:
        cols.update(dict.fromkeys(row))
    return list(cols)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        import orjson

        return orjson.dumps(value, default=str).decode()
    return str(value)


class ReportHandler(Handler):
    name = "report"
    description = "build a markdown, html, json or csv report from dependency outputs"

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        return refusal(_format, params)

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        where = params.get("path")
        return f"{_format(params)} report" + (f" -> {where}" if where else "")

    def is_cacheable(self, params: Mapping[str, Any]) -> bool:
        return not params.get("path")

    async def run(self, ctx: HandlerContext) -> Any:
        fmt = _format(ctx.params)
        title = str(
            ctx.param("title", default=None)
            or ctx.task.description
            or (ctx.plan.display_title if ctx.plan else ctx.task.id)
        )
        sections = [
            {"task_id": tid, "description": ctx.describe_input(tid), "output": out}
            for tid, out in ctx.inputs.items()
        ]
        extra = ctx.params.get("content")
        body = {
            "markdown": _markdown,
            "html": _html,
            "json": _json,
            "csv": _csv,
        }[fmt](title, sections, extra)
        out: dict[str, Any] = {
            "format": fmt,
            "title": title,
            "text": body,
            "sections": len(sections),
        }
        where = ctx.params.get("path")
        if where:
            data = body.encode("utf-8")
            # the shared writer: overwrite rule, atomic, confined, never executable
            overwrite = bool(ctx.params.get("overwrite"))
            await asyncio.to_thread(write_workspace_file, ctx, str(where), data, overwrite)
            out["path"] = str(where)
            out["bytes_written"] = len(data)
        return out


def _markdown(title: str, sections: list[dict[str, Any]], extra: Any) -> str:
    lines = [f"# {title}", ""]
    if isinstance(extra, str) and extra.strip():
        lines += [extra.strip(), ""]
    if not sections and not extra:
        lines += ["_No inputs: this task has no dependencies with output._", ""]
    for sec in sections:
        lines += [f"## {sec['description']}", ""]
        rows = _rows(sec["output"])
        if rows:
            cols = _columns(rows)
            lines.append("| " + " | ".join(cols) + " |")
            lines.append("|" + "---|" * len(cols))
            for row in rows:
                cells = (_cell(row.get(c)).replace("|", "\\|") for c in cols)
                lines.append("| " + " | ".join(cells) + " |")
        else:
            lines.append(text_of(sec["output"]).strip() or "_(empty)_")
        lines.append("")
    return "\n".join(lines)


def _html(title: str, sections: list[dict[str, Any]], extra: Any) -> str:
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}"
        "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}</style>",
        f"</head><body><h1>{esc(title)}</h1>",
    ]
    if isinstance(extra, str) and extra.strip():
        parts.append(f"<p>{esc(extra.strip())}</p>")
    for sec in sections:
        parts.append(f"<h2>{esc(sec['description'])}</h2>")
        rows = _rows(sec["output"])
        if rows:
            cols = _columns(rows)
            parts.append("<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>")
            for row in rows:
                cells = "".join(f"<td>{esc(_cell(row.get(c)))}</td>" for c in cols)
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</table>")
        else:
            parts.append(f"<pre>{esc(text_of(sec['output']))}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _json(title: str, sections: list[dict[str, Any]], extra: Any) -> str:
    import orjson

    doc = {"title": title, "content": extra, "sections": sections}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2, default=str).decode()


def _csv(title: str, sections: list[dict[str, Any]], extra: Any) -> str:
    buf = io.StringIO()
    table: list[dict[str, Any]] = []
    for sec in sections:
        rows = _rows(sec["output"])
        if rows:
            table += [{"task_id": sec["task_id"], **r} for r in rows]
        else:
            table.append({"task_id": sec["task_id"], "text": text_of(sec["output"]).strip()})
    cols = _columns(table) if table else ["task_id", "text"]
    writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({c: _cell(row.get(c)) for c in cols})
    return buf.getvalue()
