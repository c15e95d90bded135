"""summarize, report, echo, delay and schedule."""

from __future__ import annotations

import csv
import io

import orjson
import pytest

import altlas
from altlas.formats.common import TaskStatus
from altlas.run.handlers.summarize import summarize_text

TEXT = (
    "The runner executes plans. It schedules tasks as soon as their dependencies finish. "
    "Lunch was pasta. The runner journals every task state in SQLite. "
    "Plans and tasks are resumed after a crash by the runner."
)


def test_summary_is_extractive_deterministic_and_ordered() -> None:
    """The summary keeps original sentences, in order, and is the same every time."""
    first = summarize_text(TEXT, sentences=2)
    assert first == summarize_text(TEXT, sentences=2)
    assert len(first) == 2
    assert all(s in TEXT for s in first)
    assert "Lunch was pasta." not in first
    assert TEXT.index(first[0]) < TEXT.index(first[1])
    assert summarize_text("Short one.", sentences=3) == ["Short one."]


def test_summarize_task_on_dependency_output(mkplan, workspace) -> None:
    """summarize reads its dependencies when it has no text of its own."""
    plan = mkplan(
        {"id": "e", "parameters": {"message": TEXT}},
        {"id": "s", "type": "summarize", "dependencies": ["e"], "parameters": {"sentences": 1}},
    )
    out = altlas.run(plan, workspace=workspace).task("s").output
    assert out["source"] == "dependencies"
    assert out["source_sentences"] == 5
    assert out["text"] in TEXT


def test_summarize_turkish_text(mkplan, workspace) -> None:
    """Non-ASCII text works the same way."""
    text = (
        "Rapor hazır. Satışlar arttı ve giderler azaldı. Hava güzeldi. "
        "Satışlar ve giderler raporda."
    )
    out = altlas.run(
        mkplan({"id": "s", "type": "summarize", "parameters": {"text": text, "sentences": 2}}),
        workspace=workspace,
    )
    assert "Hava güzeldi." not in out.task("s").output["text"]


def test_summarize_without_text_routes_nowhere(mkplan, workspace) -> None:
    result = altlas.run(mkplan({"id": "s", "type": "summarize"}), workspace=workspace)
    assert result.task("s").error.type == "NoHandler"


@pytest.fixture
def sources(mkplan):
    def build(fmt, **extra):
        return mkplan(
            {
                "id": "rows",
                "type": "data_processing",
                "parameters": {
                    "operation": "load",
                    "input_data": [{"a": 1, "b": "x|y"}, {"a": 2, "b": "z"}],
                },
            },
            {"id": "note", "parameters": {"message": "All good."}},
            {
                "id": "rep",
                "type": "create",
                "dependencies": ["rows", "note"],
                "parameters": {"format": fmt, **extra},
            },
        )

    return build


def test_report_markdown(sources, workspace) -> None:
    """Markdown: a title, a table per row source, text per text source."""
    result = altlas.run(sources("md", title="Weekly", path="rep.md"), workspace=workspace)
    task = result.task("rep")
    assert task.handler == "report"
    text = task.output["text"]
    assert text.startswith("# Weekly\n")
    assert "| a | b |" in text and "| 1 | x\\|y |" in text
    assert "All good." in text
    assert (workspace / "rep.md").read_text() == text
    assert task.output["bytes_written"] == len(text.encode())


def test_report_json_csv_html(sources, workspace) -> None:
    """JSON has sections, CSV has rows tagged by task, HTML is escaped."""
    js = altlas.run(sources("json"), workspace=workspace).task("rep").output["text"]
    doc = orjson.loads(js)
    assert [s["task_id"] for s in doc["sections"]] == ["rows", "note"]
    text = altlas.run(sources("csv"), workspace=workspace).task("rep").output["text"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0] == {"task_id": "rows", "a": "1", "b": "x|y", "text": ""}
    assert rows[2]["text"] == "All good."
    page = altlas.run(sources("html", title="<b>"), workspace=workspace).task("rep").output["text"]
    assert "<title>&lt;b&gt;</title>" in page and "<td>x|y</td>" in page


def test_report_unsupported_format_fails_clearly(sources, workspace) -> None:
    """A format offline altlas cannot produce is named in the error."""
    task = altlas.run(sources("pdf"), workspace=workspace).task("rep")
    assert task.status is TaskStatus.FAILED
    assert "format 'pdf' is not supported offline" in task.error.message


def test_echo_delay_schedule(mkplan, workspace) -> None:
    """echo returns message and parameters; delay sleeps; schedule records without scheduling."""
    plan = mkplan(
        {
            "id": "g",
            "type": "generic",
            "parameters": {"task_type": "generic", "x": 1},
            "description": "hello",
        },
        {"id": "d", "type": "delay", "parameters": {"ms": 30}},
        {
            "id": "s",
            "type": "schedule",
            "description": "team meeting",
            "parameters": {"when": "tomorrow 10:00"},
        },
    )
    result = altlas.run(plan, workspace=workspace)
    assert result.task("g").output == {
        "message": "hello",
        "text": "hello",
        "parameters": {"task_type": "generic", "x": 1},
    }
    assert result.task("d").output == {"slept_seconds": 0.03}
    assert result.task("d").duration_ms >= 25
    sched = result.task("s").output
    assert sched["recorded"] is True and sched["scheduled"] is False
    assert sched["when"] == "tomorrow 10:00"
    assert "no scheduler" in sched["text"]


def test_delay_rejects_bad_seconds(mkplan, workspace) -> None:
    task = altlas.run(
        mkplan({"id": "d", "type": "delay", "parameters": {"seconds": "soon"}}), workspace=workspace
    ).task("d")
    assert task.error.type == "NoHandler" and "must be a number" in task.error.message
