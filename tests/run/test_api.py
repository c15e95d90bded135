"""The library surface: altlas.run callable as module and function, inputs, options."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import orjson
import pytest

import altlas
from altlas.errors import ExecutionError, InvalidInputError, ValidationError
from altlas.formats.common import TaskStatus
from altlas.formats.io import load_result
from altlas.formats.result import RunStatus


def test_module_is_callable_after_submodule_import(mkplan, workspace) -> None:
    """Importing altlas.run.x turns the attribute into the module, which still runs plans."""
    import altlas.run.handlers

    assert callable(altlas.run)
    result = altlas.run(mkplan({"id": "a", "parameters": {"message": "hi"}}), workspace=workspace)
    assert result.status is RunStatus.SUCCESS
    assert result.task("a").output["text"] == "hi"


def test_callable_in_a_fresh_interpreter() -> None:
    """`import altlas.run.api; altlas.run(plan)` works in a new process too."""
    code = (
        "import altlas, altlas.run.api\n"
        "from altlas.formats import Plan\n"
        "r = altlas.run(Plan(tasks=[{'id': 'a', 'type': 'echo'}]), journal=False)\n"
        "print(r.status.value)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "success"


def test_run_async_and_arun(mkplan, workspace) -> None:
    """The async form gives the same result shape."""
    from altlas.run import arun, run_async

    assert arun is run_async
    plan = mkplan({"id": "a"}, {"id": "b", "dependencies": ["a"]})
    result = asyncio.run(run_async(plan, workspace=workspace))
    assert [t.status for t in result.tasks] == [TaskStatus.COMPLETED] * 2


def test_sync_run_inside_a_loop_is_refused(mkplan) -> None:
    """Calling the sync form from async code says to use run_async."""

    async def inner() -> None:
        altlas.run(mkplan({"id": "a"}))

    with pytest.raises(ExecutionError, match="run_async"):
        asyncio.run(inner())


def test_plan_from_path_and_mapping(tmp_path, workspace) -> None:
    """A path in any syntax and a plain mapping are accepted."""
    data = {"format": "altlas.alt", "id": "p1", "tasks": [{"id": "a", "type": "echo"}]}
    path = tmp_path / "p.alt"
    path.write_bytes(orjson.dumps(data))
    assert altlas.run(path, workspace=workspace).plan_id == "p1"
    assert altlas.run(data, workspace=workspace).plan_id == "p1"


def test_unknown_option_is_an_error(mkplan) -> None:
    """A typo in an option is reported with the known names."""
    with pytest.raises(InvalidInputError, match=r"unknown run option.*concurency"):
        altlas.run(mkplan({"id": "a"}), concurency=3)


def test_cycle_is_rejected_before_running(mkplan) -> None:
    """A plan built in code with a cycle fails validation with the cycle path."""
    plan = mkplan({"id": "a", "dependencies": ["b"]}, {"id": "b", "dependencies": ["a"]})
    with pytest.raises(ValidationError, match="cycle"):
        altlas.run(plan)


@pytest.mark.parametrize(
    ("tasks", "what"),
    [
        ([{"id": "a", "dependencies": ["b"]}, {"id": "b", "dependencies": ["a"]}], "cycle"),
        ([{"id": "a", "dependencies": ["ghost"]}], "ghost"),
        ([{"id": "a"}, {"id": "a"}], "duplicate"),
    ],
)
def test_a_broken_graph_in_a_mapping_or_a_file_is_refused_before_running(
    tasks: list[dict[str, Any]], what: str, tmp_path, workspace
) -> None:
    """The read checks the task graph of a mapping or a file (the runner does not repeat it)."""
    data = {"format": "altlas.alt", "id": "g", "tasks": [{"type": "echo", **t} for t in tasks]}
    path = tmp_path / "g.alt"
    path.write_bytes(orjson.dumps(data))
    for source in (data, path):
        with pytest.raises(ValidationError, match=what):
            altlas.run(source, workspace=workspace)


def test_output_file_is_a_valid_result(mkplan, workspace, tmp_path) -> None:
    """output= writes the .last atomically; it loads back as the same result."""
    out = tmp_path / "r.last.json.zst"
    result = altlas.run(mkplan({"id": "a"}, {"id": "b"}), workspace=workspace, output=out)
    again = load_result(out)
    assert again.model_dump() == result.model_dump()


def test_result_id_follows_the_run_id(mkplan, workspace) -> None:
    """The result id derives from the run id, so a resumed run keeps it."""
    result = altlas.run(mkplan({"id": "a"}), workspace=workspace, run_id="run_abc")
    assert result.run_id == "run_abc"
    assert result.id == "last_abc"
