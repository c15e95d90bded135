"""The HTML report in a real browser: headless Chromium (Debian's ``chromium``) renders it.

``--dump-dom`` gives the DOM after parsing (and after any script, had one run); the checks read
that DOM, not the HTML string. ``UPDATE_DOCS_IMG=1`` also refreshes docs/img/.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import altlas
from altlas.formats.plan import Plan

pytestmark = pytest.mark.slow

EXAMPLES = Path(altlas.__file__).parent / "examples" / "workspace"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
TYPICAL = {
    "id": "plan_weekly_brief",
    "title": "Weekly sales brief",
    "command": "Total revenue by region from sales.csv, summarize notes.md, and write a brief",
    "tasks": [
        {
            "id": "t1",
            "type": "analyze",
            "handler": "data",
            "description": "Revenue by region",
            "parameters": {
                "operation": "aggregate",
                "source": "sales.csv",
                "group_by": ["region"],
                "aggregations": {"revenue": "sum", "orders": "sum"},
            },
        },
        {
            "id": "t2",
            "type": "summarize",
            "handler": "summarize",
            "description": "Summarize notes.md",
            "parameters": {"path": "notes.md", "sentences": 2},
        },
        {
            "id": "t3",
            "type": "create",
            "handler": "report",
            "description": "Write the brief",
            "dependencies": ["t1", "t2"],
            "parameters": {"format": "markdown", "title": "Weekly sales brief", "path": "brief.md"},
        },
        {
            "id": "t4",
            "type": "schedule",
            "handler": "schedule",
            "description": "Review meeting on Monday",
            "dependencies": ["t3"],
            "parameters": {"when": "2026-12-07T10:00:00+03:00", "what": "review the weekly brief"},
        },
    ],
}


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "chromium is not installed and the tests do not install it "
            "(as root: apt-get install -y chromium; nox does it in CI)"
        )
    return found


class Dom(HTMLParser):
    """Elements with attributes, and all text, of a dumped DOM."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.chunks: list[str] = []
        self.title = ""
        self._tag = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._tag = tag

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self._tag == "title":
            self.title += data

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def browse(chromium: str, tmp_path: Path, page: Path, *args: str) -> str:
    """Run Chromium once on ``page`` with a fresh profile; its stdout."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def typical_report(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for name in ("sales.csv", "notes.md"):
        (workspace / name).write_bytes((EXAMPLES / name).read_bytes())
    report = tmp_path / "report.html"
    altlas.run(Plan.model_validate(TYPICAL), workspace=workspace, report=report)
    return report


def png_facts(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the pixels) of a PNG, with the stdlib only."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, at = b"", 8
    while at < len(data):
        (size,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            idat += data[at + 8 : at + 8 + size]
        at += 12 + size
    return width, height, len(set(zlib.decompress(idat)))


def test_dom_has_the_answer_the_table_and_the_edges(chromium, tmp_path) -> None:
    """In the browser's DOM: the answer first, the rows as a table, one arrow per dependency."""
    dom = Dom(browse(chromium, tmp_path, typical_report(tmp_path), "--dump-dom"))
    ids = [a.get("id") for _, a in dom.elements if a.get("id")]
    assert ids.index("answer") < ids.index("task-t1")
    assert "Reminder: review the weekly brief, Monday 7 December 2026, 10:00" in dom.text
    cells = [tag for tag, _ in dom.elements if tag in ("th", "td")]
    assert len(cells) >= 12
    assert "region revenue_sum orders_sum Ankara 64100 485 Istanbul 325700 2345" in dom.text
    edges = {(a["data-source"], a["data-target"]) for a in dom.tags("path") if "data-source" in a}
    assert edges == {("t1", "t3"), ("t2", "t3"), ("t3", "t4")}
    nodes = [a["data-task"] for a in dom.tags("g") if "data-task" in a]
    assert sorted(nodes) == ["t1", "t2", "t3", "t4"]
    assert "t2 · summarize" in dom.text and "Review meeting on Monday" in dom.text
    assert dom.tags("h1")[1:] and not dom.tags("script")


def test_screenshot_of_a_typical_report(chromium, tmp_path) -> None:
    """A wide and a narrow screenshot render (not blank); docs/img keeps them."""
    report = typical_report(tmp_path)
    shots = {"report.png": "1100,1500", "report-narrow.png": "390,1300"}
    for name, size in shots.items():
        browse(
            chromium, tmp_path, report, f"--window-size={size}", f"--screenshot={tmp_path / name}"
        )
        width, height, distinct = png_facts(tmp_path / name)
        assert (width, height) == tuple(int(n) for n in size.split(","))
        assert distinct > 50
        if os.environ.get("UPDATE_DOCS_IMG") == "1":
            DOCS_IMG.mkdir(exist_ok=True)
            shutil.copyfile(tmp_path / name, DOCS_IMG / name)
    for name in shots:
        assert png_facts(DOCS_IMG / name)[2] > 50
        assert f"img/{name}" in (DOCS_IMG.parent / "runner.md").read_text()


def _measure_page(report: Path, width: int) -> str:
    """A page (not the report: it allows no script) that measures the report in a frame."""
    return (
        f'<!doctype html><iframe id="f" src="{report.name}" '
        f'style="width:{width}px;height:900px;border:0"></iframe><script>'
        "document.getElementById('f').addEventListener('load', function () {"
        " var d = this.contentDocument.documentElement, p = document.createElement('pre');"
        " p.id = 'measure'; p.textContent = d.scrollWidth + ' ' + d.clientWidth;"
        " document.body.appendChild(p); });</script>"
    )


def wide_report(tmp_path: Path) -> Path:
    """A report with what pushes a page sideways: many columns, long words, a long title."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "sales.csv").write_bytes((EXAMPLES / "sales.csv").read_bytes())
    word = "averyveryverylongwordwithoutanyspaces" * 6
    rows = [{f"column_number_{i}": f"{word[:30]}-{i}" for i in range(12)} for _ in range(5)]
    plan = Plan.model_validate(
        {
            "id": "plan_wide",
            "command": "Describe sales.csv " + word,
            "tasks": [
                {
                    "id": "t1",
                    "handler": "data",
                    "parameters": {"operation": "describe", "source": "sales.csv"},
                },
                {"id": "t2", "description": word, "parameters": {"message": word + "\n  " + word}},
                {
                    "id": "t3",
                    "handler": "data",
                    "parameters": {"operation": "load", "input_data": rows},
                },
                {
                    "id": "t4",
                    "handler": "report",
                    "dependencies": ["t1", "t3"],
                    "parameters": {"format": "markdown", "title": word},
                },
            ],
        }
    )
    report = tmp_path / "report.html"
    altlas.run(plan, workspace=workspace, report=report)
    return report


@pytest.mark.parametrize("width", [360, 1280])
def test_no_sideways_scrolling_in_a_narrow_or_wide_window(chromium, tmp_path, width) -> None:
    """The page is never wider than the window: wide tables and the graph scroll on their own."""
    report = wide_report(tmp_path)
    measure = tmp_path / "measure.html"
    measure.write_text(_measure_page(report, width))
    out = browse(
        chromium,
        tmp_path,
        measure,
        "--allow-file-access-from-files",
        "--virtual-time-budget=10000",
        "--dump-dom",
    )
    dom = Dom(out)
    scroll, client = (int(n) for n in dom.text.split()[-2:])
    assert 300 < client <= width
    assert scroll <= client


def test_prints_to_pdf(chromium, tmp_path) -> None:
    """Print (the @media print rules) produces a PDF of a few pages."""
    pdf = tmp_path / "report.pdf"
    browse(
        chromium,
        tmp_path,
        typical_report(tmp_path),
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000


HOSTILE_SCRIPT = "<script>document.title='PWNED'</script>"
HOSTILE_MARKDOWN = (
    "# Notes\n\n<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">\n\n"
    "[click me](javascript:document.body.setAttribute('data-pwned','2'))\n\n"
    '<a href="javascript:alert(1)">raw link</a> <iframe src="https://example.com"></iframe>\n\n'
    "![tracker](https://example.com/pixel.png) [home](https://example.com/)\n"
)


def _hostile_report(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    plan = Plan.model_validate(
        {
            "id": "plan_hostile",
            "title": HOSTILE_SCRIPT,
            "tasks": [
                {
                    "id": "a",
                    "handler": "echo",
                    "description": "<svg onload=alert(1)>",
                    "parameters": {"message": HOSTILE_SCRIPT},
                },
                {
                    "id": "b",
                    "handler": "report",
                    "parameters": {"format": "markdown", "content": HOSTILE_MARKDOWN},
                },
                {
                    "id": "c",
                    "handler": "data",
                    "parameters": {
                        "operation": "load",
                        "input_data": [
                            {"<b onmouseover=alert(1)>": "<img src=x onerror=alert(2)>"}
                        ],
                    },
                },
                {
                    "id": "d",
                    "handler": "files",
                    "parameters": {"operation": "read", "path": "<img src=x onerror=alert(3)>.txt"},
                },
            ],
        }
    )
    report = tmp_path / "hostile.html"
    altlas.run(plan, workspace=workspace, report=report, continue_on_error=True)
    return report


def test_hostile_output_never_becomes_live_markup(chromium, tmp_path) -> None:
    """<script>, javascript: links and <img onerror> from a plan stay text in the browser's DOM."""
    report = _hostile_report(tmp_path)
    dom = Dom(browse(chromium, tmp_path, report, "--dump-dom"))
    for tag, attrs in dom.elements:
        assert tag not in ("script", "img", "iframe", "a", "object", "embed"), (tag, attrs)
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        assert "href" not in attrs and "src" not in attrs, (tag, attrs)
        assert not any("javascript:" in v for v in attrs.values()), (tag, attrs)
    assert HOSTILE_SCRIPT in dom.text  # shown as text
    assert "<b onmouseover=alert(1)>" in dom.text and "onerror=alert(3)" in dom.text
    assert "click me (javascript:" in dom.text or "[click me](javascript:" in dom.text
    assert "[image: tracker]" in dom.text


def test_hostile_output_is_inert_even_without_the_csp(chromium, tmp_path) -> None:
    """With the Content-Security-Policy taken out, nothing hostile runs: escaping alone holds."""
    report = _hostile_report(tmp_path)
    html = report.read_text()
    start = html.index('<meta http-equiv="Content-Security-Policy"')
    bare = tmp_path / "bare.html"
    bare.write_text(html[:start] + html[html.index(">", start) + 1 :])
    assert "Content-Security-Policy" not in bare.read_text()
    dom = Dom(browse(chromium, tmp_path, bare, "--virtual-time-budget=3000", "--dump-dom"))
    assert dom.title.startswith(HOSTILE_SCRIPT)  # the title as text, not replaced by a script
    assert "data-pwned" not in dom.tags("body")[0]
    assert not dom.tags("script") and not dom.tags("img")


def test_canary_detects_live_markup(chromium, tmp_path) -> None:
    """The check above can fail: the same canary, live, is seen in the DOM."""
    page = tmp_path / "live.html"
    page.write_text(
        "<!doctype html><title>ok</title><body><img src=x "
        "onerror=\"document.body.setAttribute('data-pwned','1')\"></body>"
    )
    dom = Dom(browse(chromium, tmp_path, page, "--virtual-time-budget=3000", "--dump-dom"))
    assert dom.tags("body")[0].get("data-pwned") == "1"
    script = tmp_path / "script.html"
    script.write_text(f"<!doctype html><title>ok</title>{HOSTILE_SCRIPT}")
    dom = Dom(browse(chromium, tmp_path, script, "--virtual-time-budget=3000", "--dump-dom"))
    assert dom.title == "PWNED"
