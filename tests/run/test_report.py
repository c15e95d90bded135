"""The HTML report: self-contained, the answer first, outputs rendered, failures explained."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import altlas
from altlas.do.answer import compose_answer
from altlas.formats.common import TaskStatus
from altlas.formats.result import ErrorInfo, Result
from altlas.run.report import render_report, write_report

EXAMPLES = Path(altlas.__file__).parent / "examples" / "workspace"


class Page(HTMLParser):
    """Every element with its attributes, the text inside each id'd section, and style text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def first_index(self, predicate: Any) -> int:
        return next(i for i, (tag, attrs) in enumerate(self.elements) if predicate(tag, attrs))


def _sales_plan(mkplan: Any) -> Any:
    return mkplan(
        {
            "id": "t1",
            "type": "analyze",
            "handler": "data",
            "description": "Revenue by region",
            "parameters": {
                "operation": "aggregate",
                "source": "sales.csv",
                "group_by": ["region"],
                "aggregations": {"revenue": "sum"},
            },
        },
        {
            "id": "t2",
            "type": "create",
            "handler": "report",
            "description": "Write the brief",
            "dependencies": ["t1"],
            "parameters": {"format": "markdown", "title": "Weekly brief"},
        },
        command="Total revenue by region, then write a brief",
    )


def _sales_workspace(workspace: Path) -> Path:
    (workspace / "sales.csv").write_bytes((EXAMPLES / "sales.csv").read_bytes())
    return workspace


def test_report_is_self_contained(mkplan, workspace, tmp_path) -> None:
    """No script, stylesheet link, frame or address to fetch; a CSP forbids them as well."""
    result = altlas.run(_sales_plan(mkplan), workspace=_sales_workspace(workspace))
    page = Page(write_report(result, tmp_path / "r.html").read_text())
    for tag, attrs in page.elements:
        assert tag not in ("script", "link", "iframe", "object", "embed", "img"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("src", "href", "xlink:href", "action", "srcset"):
                assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
    css = "".join(page.styles)
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "@media print" in css and "@media (max-width:" in css
    (csp,) = [m["content"] for m in page.tags("meta") if m.get("http-equiv")]
    assert "default-src 'none'" in csp and "script-src" not in csp


def test_answer_comes_first_and_is_do_cores(mkplan, workspace) -> None:
    """The answer section precedes the graph and the tasks and says what compose_answer says."""
    plan = _sales_plan(mkplan)
    result = altlas.run(plan, workspace=_sales_workspace(workspace))
    html = render_report(result, plan, workspace)
    page = Page(html)
    answer = page.first_index(lambda t, a: a.get("id") == "answer")
    assert answer < page.first_index(lambda t, a: t == "svg")
    assert answer < page.first_index(lambda t, a: a.get("id") == "task-t1")
    words = compose_answer(plan, result, workspace)
    assert "Istanbul" in words
    section = html[html.index('id="answer"') : html.index("</section>")]
    assert "<td>Istanbul</td>" in section  # t1's rows as a table, not the paragraph
    assert "<h1>Weekly brief</h1>" in section  # t2's Markdown, rendered


def test_answer_of_a_do_result_without_its_plan(mkplan, workspace) -> None:
    """A result from ``altlas do`` carries its answer; the report shows it, escaped."""
    result = altlas.run(mkplan({"id": "a"}), workspace=workspace)
    result = result.model_copy(update={"answer": "12 lines match <ERROR>"})
    html = render_report(result)
    assert '<section class="answer s-success" id="answer">' in html
    assert "12 lines match &lt;ERROR&gt;" in html


def test_answer_rebuilt_from_a_stored_result(mkplan, workspace) -> None:
    """A .last read back (no plan, no answer) still gets the answer, from its own tasks."""
    plan = mkplan({"id": "a", "parameters": {"message": "forty-two"}})
    result = Result.model_validate_json(altlas.run(plan, workspace=workspace).model_dump_json())
    html = render_report(result)
    assert html.index("forty-two") < html.index("<svg")


def test_markdown_is_rendered_not_escaped_json(mkplan, workspace) -> None:
    """A Markdown report shows headings and a real table, not ``\\n|`` in a JSON dump."""
    result = altlas.run(_sales_plan(mkplan), workspace=_sales_workspace(workspace))
    html = render_report(result)
    task = html[html.index('id="task-t2"') :]
    task = task[: task.index("</section>")]
    assert '<div class="md"><h1>Weekly brief</h1>' in task
    assert "<h2>Revenue by region</h2>" in task
    assert "<th>region</th>" in task and "<td>Ankara</td>" in task
    body = task[: task.index("<details>")]
    assert "\\n" not in body and "|---|" not in body


def test_rows_are_a_table_with_numbers_aligned(mkplan, workspace) -> None:
    """Data rows become a table: columns as headers, numbers right-aligned, a row count."""
    result = altlas.run(_sales_plan(mkplan), workspace=_sales_workspace(workspace))
    html = render_report(result)
    task = html[html.index('id="task-t1"') :]
    assert '<th scope="col">region</th><th scope="col">revenue_sum</th>' in task
    assert '<td>Istanbul</td><td class="num">325700</td>' in task
    assert "<caption>3 rows</caption>" in task


def test_graph_shows_type_label_and_arrows(mkplan, workspace) -> None:
    """Each node names its task, type and description; each dependency is an arrow."""
    result = altlas.run(_sales_plan(mkplan), workspace=_sales_workspace(workspace))
    page = Page(render_report(result))
    nodes = {a["data-task"]: a for a in page.tags("g") if "data-task" in a}
    assert set(nodes) == {"t1", "t2"}
    assert "s-completed" in nodes["t1"]["class"]
    edges = [(a["data-source"], a["data-target"]) for a in page.tags("path") if "data-source" in a]
    assert edges == [("t1", "t2")]
    assert all(a["marker-end"] == "url(#arrow)" for a in page.tags("path") if "data-source" in a)
    text = " ".join(page.text)
    assert "t1 · analyze" in text and "Revenue by region" in text
    assert "t2 · create" in text and "Write the brief" in text


def test_graph_layers_follow_dependencies(mkplan, workspace) -> None:
    """A task is drawn to the right of every task it depends on."""
    plan = mkplan(
        {"id": "a"},
        {"id": "b"},
        {"id": "c", "dependencies": ["a"]},
        {"id": "d", "dependencies": ["b", "c"]},
    )
    page = Page(render_report(altlas.run(plan, workspace=workspace)))
    xs = {}
    boxes = [a for t, a in page.elements if t == "svg" and "x" in a]
    tasks = [a["data-task"] for a in page.tags("g") if "data-task" in a]
    for task, box in zip(tasks, boxes, strict=True):
        xs[task] = float(box["x"])
    assert xs["a"] == xs["b"] < xs["c"] < xs["d"]


def test_failures_in_plain_words(mkplan, workspace) -> None:
    """A failed task says why; its dependents say which task they were waiting for."""
    plan = mkplan(
        {"id": "a", "type": "nope", "description": "Fetch the <data>"},
        {"id": "b", "dependencies": ["a"], "description": "Use it"},
    )
    result = altlas.run(plan, workspace=workspace)
    html = render_report(result, plan, workspace)
    a = html[html.index('id="task-a"') :]
    assert '<div class="why"><b>Failed:</b> no handler for task type &#x27;nope&#x27;' in a
    assert '<span class="muted small mono">NoHandler</span></div>' in a
    b = html[html.index('id="task-b"') :]
    assert "<b>Not run:</b> it needs task “Fetch the &lt;data&gt;” (a), which failed" in b
    assert '<div class="verdict s-failure"><b>Not done</b>' in html
    answer = html[html.index('id="answer"') : html.index("</section>")]
    assert "Failed &#x27;Fetch the &lt;data&gt;&#x27;" in answer


def test_internal_metadata_is_folded_away(mkplan, workspace) -> None:
    """Prioritisation weights and host details live in a closed <details>, after the tasks."""
    plan = mkplan({"id": "a"}, metadata={"prioritization_config": {"urgency_weight": 0.3}})
    html = render_report(altlas.run(plan, workspace=workspace))
    folded = html[html.index('<details id="run-details">') :]
    assert "urgency_weight" in folded and "altlas_version" in folded
    assert "urgency_weight" not in html[: html.index('<details id="run-details">')]
    assert '<details id="run-details" open' not in html


def test_artifacts_are_listed(mkplan, workspace) -> None:
    """Files a task wrote appear with path, size and MIME type."""
    plan = mkplan({"id": "w", "type": "create", "parameters": {"path": "x.txt", "content": "hi"}})
    html = render_report(altlas.run(plan, workspace=workspace))
    assert "<h2>Files written</h2>" in html
    assert '<td class=mono>x.txt</td><td>w</td><td class="num">2</td><td>text/plain</td>' in html


def test_run_option_writes_the_report_with_the_plan(mkplan, workspace, tmp_path) -> None:
    """report= writes the page; the runner passes its plan, so the answer is there."""
    plan = mkplan({"id": "a", "parameters": {"message": "hello there"}})
    altlas.run(plan, workspace=workspace, report=tmp_path / "out" / "rep.html")
    html = (tmp_path / "out" / "rep.html").read_text()
    assert "altlas run report" in html
    assert '<section class="answer s-success" id="answer"><h2>Answer</h2>' in html
    assert "hello there" in html[html.index('id="answer"') : html.index("</section>")]


def test_big_outputs_are_bounded(mkplan, workspace) -> None:
    """A huge text is cut in the page (the .last keeps it) and many rows show a row count."""
    rows = [{"n": i} for i in range(2_000)]
    plan = mkplan({"id": "a", "parameters": {"message": "x" * 500_000}})
    result = altlas.run(plan, workspace=workspace)
    result.tasks[0].output = {"rows": rows, "row_count": 5_000, "truncated": True}
    html = render_report(result)
    assert "<caption>500 of 5000 rows</caption>" in html
    assert len(html) < 1_500_000


def test_a_bare_error_message_gets_its_context(mkplan, workspace) -> None:
    """A terse 'no handler' names the task type; a cancelled task says so without an error."""
    result = altlas.run(mkplan({"id": "a"}, {"id": "b"}), workspace=workspace)
    first = result.tasks[0].model_copy(
        update={
            "status": TaskStatus.FAILED,
            "type": "fetch",
            "error": ErrorInfo(type="NoHandler", message="no handler"),
        }
    )
    second = result.tasks[1].model_copy(update={"status": TaskStatus.CANCELLED, "error": None})
    html = render_report(result.model_copy(update={"tasks": [first, second]}))
    assert "altlas has no handler for a task of type &#x27;fetch&#x27; (no handler)" in html
    assert '<div class="why"><b>Cancelled.</b></div>' in html


def test_many_big_tables_share_a_page_budget() -> None:
    """60 tasks of 200 rows: each table shows its share (83 rows), the raw JSON is cut too."""
    rows = [{"n": i, "word": f"w{i}"} for i in range(200)]
    tasks = [
        {"task_id": f"t{i}", "status": "completed", "handler": "data", "output": {"rows": rows}}
        for i in range(60)
    ]
    result = Result.model_validate({"tasks": tasks, "status": "success"})
    html = render_report(result)
    assert html.count("<caption>83 of 200 rows</caption>") == 60
    assert len(html) < 6_000_000
