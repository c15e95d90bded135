"""The .last a run produces: statuses, rate, graph, summary, metadata and artifacts."""

from __future__ import annotations

import hashlib
import platform

import altlas
from altlas._version import __version__
from altlas.formats.common import ArtifactKind
from altlas.formats.io import load_result, write
from altlas.formats.result import RunStatus


def test_result_fields(mkplan, workspace) -> None:
    """Plan fields are copied; graph nodes are task ids; metadata names version and host."""
    plan = mkplan(
        {"id": "a", "description": "first"},
        {"id": "b", "dependencies": ["a"]},
        id="p9",
        title="T",
        command="do things",
        language="en",
        persona="researcher",
        tags=["x", "x", "y"],
        metadata={"source": "test"},
    )
    result = altlas.run(plan, workspace=workspace, concurrency=2)
    assert (result.plan_id, result.title, result.command, result.language) == (
        "p9",
        "T",
        "do things",
        "en",
    )
    assert result.persona == "researcher"
    assert result.tags == ["x", "y"]
    assert [n.task_id for n in result.graph.nodes] == ["a", "b"]
    assert [(e.source, e.target) for e in result.graph.edges] == [("a", "b")]
    assert result.metadata["altlas_version"] == __version__
    assert result.metadata["host"] == platform.node()
    assert result.metadata["concurrency"] == 2
    assert result.metadata["plan_metadata"] == {"source": "test"}
    assert result.task("a").description == "first"
    assert result.task("a").attempts == 1
    assert result.task("a").duration_ms >= 0
    assert result.started_at <= result.finished_at
    assert result.summary.startswith("T: success, 2/2 tasks completed (100.00%)")


def test_status_thresholds(mkplan, workspace) -> None:
    """All completed: success; some: partial_success; none: failure."""
    ok = altlas.run(mkplan({"id": "a"}), workspace=workspace)
    part = altlas.run(mkplan({"id": "a"}, {"id": "b", "type": "nope"}), workspace=workspace)
    none = altlas.run(mkplan({"id": "b", "type": "nope"}), workspace=workspace)
    assert (ok.status, ok.success_rate) == (RunStatus.SUCCESS, 1.0)
    assert (part.status, part.success_rate) == (RunStatus.PARTIAL_SUCCESS, 0.5)
    assert (none.status, none.success_rate) == (RunStatus.FAILURE, 0.0)
    assert "1 failed" in part.summary


def test_empty_plan_is_a_failure(mkplan, workspace) -> None:
    """No tasks: status failure, rate 0 (the original rule)."""
    result = altlas.run(mkplan(), workspace=workspace)
    assert result.status is RunStatus.FAILURE
    assert result.tasks == []


def test_artifacts_have_size_mime_and_sha256(mkplan, workspace) -> None:
    """Every file a handler wrote is listed with size, MIME type and the right sha256."""
    plan = mkplan(
        {
            "id": "w",
            "type": "file_operation",
            "parameters": {"operation": "write", "file_path": "a/b.json", "content": '{"k": 1}'},
        },
        {"id": "r", "type": "create", "dependencies": ["w"], "parameters": {"path": "rep.md"}},
    )
    result = altlas.run(plan, workspace=workspace)
    arts = {a.name: a for a in result.artifacts}
    assert set(arts) == {"b.json", "rep.md"}
    data = (workspace / "a" / "b.json").read_bytes()
    assert arts["b.json"].size_bytes == len(data)
    assert arts["b.json"].sha256 == hashlib.sha256(data).hexdigest()
    assert arts["b.json"].mime_type == "application/json"
    assert arts["b.json"].kind is ArtifactKind.JSON
    assert arts["b.json"].task_id == "w"
    assert arts["b.json"].metadata["workspace_path"] == "a/b.json"
    assert arts["rep.md"].mime_type == "text/markdown"
    assert "Artifacts: 2" in result.summary


def test_result_round_trips_and_validates(mkplan, workspace, tmp_path) -> None:
    """The result validates under the .last rules and survives write/read."""
    result = altlas.run(mkplan({"id": "a"}, {"id": "b", "type": "nope"}), workspace=workspace)
    path = write(result, tmp_path / "x.last")
    assert load_result(path) == result
