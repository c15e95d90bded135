"""Task outputs as HTML: rows as tables, Markdown rendered, text as text, everything escaped.

A plan's output is hostile: Markdown is rendered by markdown-it-py with raw HTML turned off,
links become plain text with their address beside them (nothing to click, nothing fetched),
images become their alt text, and every other value goes through ``html.escape``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from altlas.formats.result import TaskResult

__all__ = [
    "MAX_ROWS",
    "PAGE_RAW",
    "PAGE_ROWS",
    "TableView",
    "markdown_html",
    "output_html",
    "raw_json",
    "table_html",
    "table_view",
]

MAX_TEXT = 200_000
"""Characters of one text shown; the raw output in the .last has all of it."""
MAX_ROWS = 500
PAGE_ROWS = 5_000
PAGE_RAW = 4_000_000
"""Characters of raw JSON in the whole page, shared among its tasks (at least 4 000 each)."""
"""Table rows in the whole page: past it, each task's table gets an equal share (at least 20)."""
_MAX_CELL = 1_000
_ROW_KEYS = ("rows", "filtered_data", "files", "hits", "items", "results")
_MD_FORMATS = {"markdown", "md"}
_MD_SUFFIXES = (".md", ".markdown")


class TableView:
    """Rows of a task output, with their columns in order of first appearance."""

    def __init__(self, rows: list[Mapping[str, Any]], total: int) -> None:
        self.rows = rows
        self.total = total
        self.columns = list(dict.fromkeys(k for row in rows[:MAX_ROWS] for k in row))


def table_view(output: Any) -> TableView | None:
    """The rows inside an output (a list of objects, or ``rows``/``files``/... of one)."""
    rows: Any = output
    total: int | None = None
    if isinstance(output, Mapping):
        rows = next((output[k] for k in _ROW_KEYS if isinstance(output.get(k), list)), None)
        count = output.get("row_count")
        if output.get("truncated") is True and isinstance(count, int):
            total = count
    if not isinstance(rows, list) or not rows or not all(isinstance(r, Mapping) for r in rows):
        return None
    if not any(rows[0]):
        return None
    return TableView(rows, max(total or 0, len(rows)))


def _cell(value: Any) -> tuple[str, bool]:
    """(escaped text, is a number)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value)), True
        return escape(str(round(value, 4))), True
    if not isinstance(value, str):
        value = orjson.dumps(value, default=str).decode()
    if len(value) > _MAX_CELL:
        value = value[:_MAX_CELL] + "…"
    return escape(value), False


def table_html(view: TableView, *, limit: int = MAX_ROWS, title: str | None = None) -> str:
    """An HTML table of the view's first ``limit`` rows, with a caption saying how many."""
    shown = view.rows[:limit]
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in view.columns)
    body = []
    for row in shown:
        cells = []
        for column in view.columns:
            text, number = _cell(row.get(column))
            cells.append(f'<td class="num">{text}</td>' if number else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    rows = "row" if view.total == 1 else "rows"
    count = f"{len(shown)} {rows}"
    if view.total > len(shown):
        count = f"{len(shown)} of {view.total} {rows}"
    caption = f"{escape(title)} · {count}" if title else count
    return (
        f'<div class="scroll"><table><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        env.setdefault("hrefs", []).append(str(tokens[idx].attrGet("href") or ""))
        return '<span class="link">'

    def link_close(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        hrefs = env.get("hrefs") or [""]
        href = hrefs.pop()
        return f'</span> <span class="url">({escape(href)})</span>' if href else "</span>"

    def image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        return f'<span class="url">[image: {escape(tokens[idx].content)}]</span>'

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("link_close", link_close)
    md.add_render_rule("image", image)
    return md


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n\n… ({len(text) - limit} more characters in the result file)"


def markdown_html(text: str) -> str:
    """Markdown as HTML, inside ``<div class="md">``; no raw HTML, no links out, no images."""
    return f'<div class="md">{_markdown().render(_clip(text), {})}</div>'


def text_html(text: str) -> str:
    return f'<div class="para">{escape(_clip(text))}</div>'


def pre_html(text: str, label: str | None = None) -> str:
    head = f'<div class="kicker">{escape(label)}</div>' if label else ""
    return f"{head}<pre>{escape(_clip(text))}</pre>"


def is_markdown(task: TaskResult) -> bool:
    """Whether the output's text is Markdown: a report in Markdown, a .md file, an LLM reply."""
    out = task.output
    if not isinstance(out, Mapping):
        return False
    if str(out.get("format", "")).lower() in _MD_FORMATS and isinstance(out.get("text"), str):
        return True
    path = str(out.get("file_path") or out.get("path") or "").lower()
    if path.endswith(_MD_SUFFIXES) and isinstance(out.get("content"), str):
        return True
    return task.handler == "llm" and isinstance(out.get("text"), str)


def _main_text(task: TaskResult, out: Mapping[str, Any]) -> tuple[str, set[str]]:
    """The HTML of the output's main text and the keys it used."""
    if task.handler == "command" or ("stdout" in out and "exit_code" in out):
        parts = [pre_html(str(out[k]), k) for k in ("stdout", "stderr") if out.get(k)]
        return "".join(parts) or text_html("(the program printed nothing)"), {"stdout", "stderr"}
    for key in ("text", "content", "message"):
        value = out.get(key)
        if isinstance(value, str) and value.strip():
            if is_markdown(task):
                return markdown_html(value), {key}
            if str(out.get("format", "")).lower() == "html":
                return pre_html(value, "HTML, shown as source"), {key}
            block = pre_html if key == "content" or "\n " in value else text_html
            return block(value), {key}
    return "", set()


def _facts(out: Mapping[str, Any], used: set[str]) -> str:
    """The output's other short values (path written, bytes, counts) as a definition list."""
    items = []
    shown = {str(out.get(k)).strip() for k in used if isinstance(out.get(k), str)}
    for key, value in out.items():
        if key in used or key in ("answer", "sentences", "dtypes", "parameters", "columns"):
            continue
        if isinstance(value, str) and value.strip() in shown:
            continue
        if value is None or isinstance(value, Mapping | list) or (key == "truncated" and not value):
            continue
        text, _ = _cell(value)
        items.append(f"<dt>{escape(str(key))}</dt><dd>{text}</dd>")
    return f'<dl class="kv">{"".join(items[:16])}</dl>' if items else ""


def output_html(task: TaskResult, rows: int = MAX_ROWS) -> str:
    """The task's output as a person reads it (the raw JSON is shown separately).

    ``rows`` caps its table; the page shares a budget of rows among its tasks.
    """
    out = task.output
    if out is None:
        return ""
    if isinstance(out, str):
        return text_html(out)
    view = table_view(out)
    if not isinstance(out, Mapping):
        return table_html(view, limit=rows) if view is not None else ""
    parts = []
    answer = out.get("answer")
    if isinstance(answer, str) and answer.strip():
        parts.append(text_html(answer))
    used = {"answer"}
    if view is not None:
        parts.append(table_html(view, limit=rows))
        used |= {*_ROW_KEYS, "text", "row_count"}
    else:
        main, keys = _main_text(task, out)
        said = [out.get(k) for k in keys]
        if not (answer and all(isinstance(v, str) and v.strip() in str(answer) for v in said)):
            parts.append(main)
        used |= keys
    parts.append(_facts(out, used))
    return "".join(parts)


def raw_json(value: Any, limit: int = MAX_TEXT) -> str:
    """The value as indented JSON, cut at ``limit`` characters."""
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode()
    return f"<pre>{escape(_clip(text, limit))}</pre>"
