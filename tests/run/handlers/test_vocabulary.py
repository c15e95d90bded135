"""Segmented plans run: segmentation's parameter names reach the handlers as theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

import altlas
from altlas.formats.plan import Task
from altlas.run.handlers.vocabulary import handler_parameters


@pytest.mark.parametrize(
    ("task", "added"),
    [
        (
            Task(id="t", type="open", parameters={"target": "x", "files": ["a.md"]}),
            {"path": "a.md"},
        ),
        (
            Task(id="t", type="analyze", parameters={"subject": "s", "files": ["s.csv"]}),
            {"source": "s.csv", "operation": "describe"},
        ),
        (Task(id="t", type="analyze", parameters={"files": ["n.txt"]}), {"path": "n.txt"}),
        (
            Task(
                id="t", type="transform", parameters={"target_format": "JSON", "files": ["s.csv"]}
            ),
            {"to": "json", "source": "s.csv"},
        ),
        (Task(id="t", type="summarize", parameters={"files": ["n.md"]}), {"path": "n.md"}),
    ],
)
def test_implied_parameters_are_added(task: Task, added: dict[str, str]) -> None:
    """Each segmented task type gains the handler parameters it implies."""
    out = handler_parameters(task)
    assert {k: out[k] for k in added} == added
    assert {k: out[k] for k in task.parameters} == task.parameters


def test_explicit_and_legacy_parameters_are_never_overwritten() -> None:
    """A set parameter wins, and runner-dialect tasks are left alone."""
    own = Task(id="t", type="open", parameters={"path": "mine.md", "files": ["other.md"]})
    assert handler_parameters(own)["path"] == "mine.md"
    legacy = Task(id="t", type="open", parameters={"task_type": "generic", "files": ["a.md"]})
    assert handler_parameters(legacy) == legacy.parameters


def test_urls_are_not_files() -> None:
    """A URL in files is not opened as a workspace path."""
    task = Task(id="t", type="open", parameters={"files": ["https://example.org/a.md"]})
    assert "path" not in handler_parameters(task)


def test_segmented_commands_run_end_to_end(tmp_path: Path) -> None:
    """English and Turkish commands about workspace files complete offline."""
    (tmp_path / "notes.md").write_text(
        "Sales grew in the third quarter. Costs rose too. Delivery was slow in rural areas. "
        "The team plans a second warehouse.",
        encoding="utf-8",
    )
    (tmp_path / "sales.csv").write_text("region,revenue\nIzmir,10\nAnkara,20\n", encoding="utf-8")
    for command in (
        "Open notes.md and summarize it",
        "Analyze sales.csv and then create a summary report",
        "sales.csv dosyasını json biçimine dönüştür",
        "notes.md dosyasını açıp özetle",
        "Summarize notes.md",
    ):
        plan = altlas.segment(command)
        result = altlas.run(plan, workspace=tmp_path)
        assert result.status.value == "success", (command, [t.error for t in result.tasks])


def test_summarizing_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    """A named file that is not in the workspace is a NotFound task error naming it."""
    result = altlas.run(altlas.segment("Summarize missing.md"), workspace=tmp_path)
    error = result.tasks[0].error
    assert error is not None
    assert (error.type, error.message) == ("NotFound", "cannot read missing.md: no such file")
