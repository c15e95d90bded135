"""The HTML report never turns text from a plan or its outputs into live markup.

Every place a result carries text (title, command, descriptions, Markdown, rows, errors,
artifact paths, metadata) is filled with hostile fragments; the parsed page must hold no
script, frame, image or link, no event handler and no address to fetch. The browser half of
this check is tests/run/test_report_browser.py.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from altlas.formats.result import Result
from altlas.run.report import render_report

FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><iframe src="https://evil.example/">',
    "[x](javascript:alert(1))",
    "[x](https://evil.example/)",
    "![t](https://evil.example/p.png)",
    "<https://evil.example/>",
    "<a href='javascript:alert(1)'>a</a>",
    "</style><style>@import url(https://evil.example/x.css)</style>",
    "' onmouseover='alert(1)",
    "<!--",
    "]]>",
    "`<b>`",
    "\n| a | <b> |\n|---|---|\n| <i onclick=x> | 1 |\n",
    "&lt;script&gt;",
    "<style>",
    "{{ 7*7 }}",
    "\n# h\n",
]
LIVE_TAGS = {"script", "iframe", "img", "a", "object", "embed", "link", "form", "base", "frame"}
ADDRESS_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "srcset", "background"}

hostile = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=6).map("".join)


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self.styles += tag == "style"


def _result(text: list[str]) -> Result:
    rows = [{text[0]: text[1], "n": 1}, {text[2]: text[3]}]
    return Result.model_validate(
        {
            "plan_id": text[4],
            "title": text[5],
            "command": text[6],
            "status": "partial_success",
            "answer": text[7] if text[7] else None,
            "tasks": [
                {
                    "task_id": "a",
                    "status": "completed",
                    "type": text[8],
                    "description": text[9],
                    "handler": "report",
                    "output": {"format": "markdown", "text": text[10], "title": text[11]},
                    "metadata": {text[12]: text[13]},
                },
                {
                    "task_id": "b",
                    "status": "completed",
                    "handler": "data",
                    "output": {"rows": rows},
                },
                {
                    "task_id": "c",
                    "status": "failed",
                    "handler": "llm",
                    "output": {"text": text[14]},
                    "error": {"type": text[15] or "X", "message": text[16]},
                },
                {
                    "task_id": "d",
                    "status": "skipped",
                    "output": text[17],
                    "error": {
                        "type": "DependencyFailed",
                        "message": f"dependency '{text[18]}' failed",
                    },
                },
                {
                    "task_id": "e",
                    "status": "completed",
                    "handler": "command",
                    "output": {"stdout": text[19], "stderr": text[20], "exit_code": 0},
                },
                {
                    "task_id": "f",
                    "status": "completed",
                    "handler": "report",
                    "output": {"format": "html", "text": text[21]},
                },
            ],
            "graph": {
                "nodes": [{"task_id": t, "status": "completed"} for t in "abcdef"],
                "edges": [{"source": "a", "target": "c"}, {"source": "b", "target": "c"}],
            },
            "artifacts": [{"name": text[22], "path": text[23], "mime_type": text[24]}],
            "metadata": {"plan_metadata": {text[25]: text[26]}, text[27]: text[28]},
        }
    )


def _check(html: str) -> None:
    page = Page()
    page.feed(html)
    page.close()
    assert page.styles == 1
    for tag, attrs in page.elements:
        assert tag not in LIVE_TAGS, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert name not in ADDRESS_ATTRS or value == "url(#arrow)", (tag, name, value)
            assert "javascript:" not in value.lower(), (tag, name, value)
        if tag == "meta" and "http-equiv" in attrs:
            assert attrs["content"].startswith("default-src 'none'")


@settings(max_examples=60, deadline=None)
@given(st.lists(hostile, min_size=29, max_size=29))
def test_hostile_text_never_becomes_markup(text: list[str]) -> None:
    _check(render_report(_result(text)))


def test_every_fragment_everywhere() -> None:
    """Each known-bad fragment in every field at once (the examples hypothesis may not draw)."""
    for fragment in FRAGMENTS:
        html = render_report(_result([f"{fragment}{i}" for i in range(29)]))
        _check(html)
        assert "evil.example" not in "".join(
            v for _, attrs in _elements(html) for v in attrs.values()
        )


def _elements(html: str) -> list[tuple[str, dict[str, Any]]]:
    page = Page()
    page.feed(html)
    return page.elements
