"""The runner's .last (L1 map, L2 list, L3), gzip and zip: golden files, serde output, errors."""

from __future__ import annotations

import copy
import gzip
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from altlas.errors import ValidationError
from altlas.formats import io
from altlas.formats.common import ArtifactKind, Mode, TaskStatus
from altlas.formats.dialects.runner_bundle import (
    write_runner_bundle,
    write_runner_gzip,
    write_runner_json,
)
from altlas.formats.result import Artifact, ErrorInfo, GraphEdge, Result, RunStatus
from altlas.testing import results

GOLDEN = Path(__file__).parent / "golden"
L1 = GOLDEN / "last_9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.json"
ROUND_TRIP = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the runner's serde model (last_file/models.rs + task_manager/models.rs), section 2.2 ------

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def _chrono(value: str) -> str:
    if not _RFC3339.match(value):
        raise ValueError(f"not RFC 3339: {value}")
    return value


Time = Annotated[str, AfterValidator(_chrono)]
U64 = Annotated[int, Field(ge=0, le=2**64 - 1)]
Status = Literal["pending", "running", "completed", "failed", "cancelled", "timeout"]


class _Serde(BaseModel):
    model_config = ConfigDict(strict=True)


class SerdeTaskResult(_Serde):
    task_id: str
    execution_id: str
    status: Status
    start_time: Time
    end_time: Time | None = None
    duration_ms: U64 | None = None
    output: Any = None
    error: str | None = None
    metadata: dict[str, Any] | None = None


class SerdeArtifact(_Serde):
    id: str
    name: str
    artifact_type: Literal["file", "image", "text", "json", "log", "other"]
    task_id: str
    path: str
    created_at: Time
    size_bytes: U64 | None = None
    mime_type: str | None = None
    metadata: dict[str, Any] | None = None


class SerdeNode(_Serde):
    id: str
    task_id: str
    status: Status
    duration_ms: U64 | None = None
    start_time: Time | None = None
    end_time: Time | None = None


class SerdeEdge(_Serde):
    source: str
    target: str
    dependency_type: Literal["required", "optional", "conditional"]


class SerdeGraph(_Serde):
    nodes: list[SerdeNode]
    edges: list[SerdeEdge]


class SerdeLastFile(_Serde):
    id: str
    execution_id: str
    alt_file_id: str
    title: str
    mode: Literal["normal", "dream", "explore", "chaos"]
    persona: str | None = None
    status: Literal["success", "partialsuccess", "failure"]
    success_rate: float
    execution_time_ms: U64
    start_time: Time
    end_time: Time
    task_results: dict[str, SerdeTaskResult]
    artifacts: list[SerdeArtifact] | None = None
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None
    priority: Literal["low", "medium", "high", "critical"] | None = None
    execution_graph: SerdeGraph | None = None
    summary: str | None = None
    version: str


def runner_reads(raw: bytes) -> SerdeLastFile:
    last = SerdeLastFile.model_validate_json(raw)
    assert last.execution_graph is not None
    node_ids = {n.id for n in last.execution_graph.nodes}
    assert all({e.source, e.target} <= node_ids for e in last.execution_graph.edges)
    return last


def _times_parsed(value: Any) -> Any:
    """Same instants, whatever the fractional-second spelling."""
    if isinstance(value, dict):
        return {k: _times_parsed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_times_parsed(v) for v in value]
    if isinstance(value, str) and _RFC3339.match(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


# --- golden files ------------------------------------------------------------------------------


def test_l1_file_loads() -> None:
    loaded = io.read(L1)
    result = loaded.document
    assert loaded.dialect == "runner-last"
    assert loaded.warnings == []
    assert (result.run_id, result.plan_id, result.title) == (
        "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "alt_example_001",
        "Example ALT File",
    )
    assert result.status is RunStatus.PARTIAL_SUCCESS
    assert result.success_rate == 2 / 3
    assert result.duration_ms == 4180
    assert result.started_at == datetime(2025, 4, 26, 19, 33, 0, 125000, tzinfo=UTC)
    assert [t.task_id for t in result.tasks] == ["task_003", "task_001", "task_002"]
    failed = result.task("task_003")
    assert failed.status is TaskStatus.FAILED
    assert failed.error == ErrorInfo(type="Error", message="Template 'standard_report' not found")
    assert result.task("task_001").output["text"] == "Veri başarıyla alındı"
    assert result.task("task_001").metadata["attempt"] == 1
    assert [a.kind for a in result.artifacts] == [ArtifactKind.JSON, ArtifactKind.TEXT]
    assert result.artifacts[0].task_id == "task_001"
    # edges named random node ids; they now name tasks, and the node ids are kept
    assert result.graph.edges == [
        GraphEdge(source="task_001", target="task_002"),
        GraphEdge(source="task_002", target="task_003"),
    ]
    kept = result.metadata["altlas"]["runner"]["node_ids"]
    assert kept["task_002"] == "7f1e0c52-aaaa-4bbb-8ccc-000000000002"
    assert result.metadata["alt_source"] == "manual"
    assert result.summary is not None
    assert "Status: PartialSuccess" in result.summary


@pytest.mark.parametrize(
    ("suffix", "container"),
    [(".json.gz", "gzip"), (".zip", "zip")],
)
def test_gzip_and_zip_bundle_hold_the_same_result(suffix: str, container: str) -> None:
    loaded = io.read(L1.with_name(L1.stem + suffix))
    assert (loaded.container, loaded.dialect) == (container, "runner-last")
    if container == "zip":
        assert loaded.member == L1.name
    assert loaded.document == io.load_result(L1)


def test_l1_to_canonical_to_l1_keeps_everything() -> None:
    source = json.loads(L1.read_bytes())
    written = io.to_data(io.load_result(L1), "runner-last")
    expected = copy.deepcopy(source)
    expected["artifacts"][0]["metadata"] = {}  # serde: a null Option map; altlas writes {}
    assert _times_parsed(written) == _times_parsed(expected)
    runner_reads(io.to_bytes(io.load_result(L1), dialect="runner-last"))


def test_l2_processor_file_loads() -> None:
    loaded = io.read(GOLDEN / "5d1e2f30-processor.last.json")
    result = loaded.document
    assert loaded.warnings == []  # 0.6666667 is 2/3 as an f32
    assert (result.id, result.run_id, result.plan_id) == (
        "5d1e2f30-4a5b-4c6d-8e7f-90a1b2c3d4e5",
        "5d1e2f30-4a5b-4c6d-8e7f-90a1b2c3d4e5",
        "alt_example_001",
    )
    assert result.success_rate == 2 / 3
    assert result.status is RunStatus.PARTIAL_SUCCESS
    assert result.duration_ms == 2500
    assert [t.status for t in result.tasks] == [
        TaskStatus.COMPLETED,
        TaskStatus.COMPLETED,
        TaskStatus.CANCELLED,
    ]
    assert result.task("task_002").output == "filtered 42 rows"
    assert result.task("task_003").error == ErrorInfo(type="Error", message="Cancelled by user")
    assert result.metadata["altlas"]["runner"]["extra"] == {
        "created_at": "2025-04-27T08:00:03.500Z",
        "description": "An example ALT file: fetch data from an API, process it, and generate a "
        "report",
    }


def test_l3_readme_file_loads() -> None:
    result = io.load_result(GOLDEN / "result.last")
    assert result.mode is Mode.DREAM
    assert (result.started_at, result.finished_at) == (
        datetime(2025, 4, 28, 10, tzinfo=UTC),
        datetime(2025, 4, 28, 10, 0, 5, tzinfo=UTC),
    )
    assert result.duration_ms == 5000
    assert [(t.task_id, t.duration_ms, t.attempts) for t in result.tasks] == [
        ("t1", 3000, 2),
        ("t2", 2000, 1),
    ]
    [artifact] = result.artifacts
    assert (artifact.name, artifact.kind, artifact.task_id) == ("t1_summary.txt", "text", "t1")
    assert artifact.metadata["altlas"]["runner"]["extra"] == {"description": "the summary"}
    assert result.metadata["altlas"]["runner"]["extra"]["execution_graph_path"] == (
        "last-l3-0001/last-l3-0001.png"
    )


@pytest.mark.parametrize("name", ["5d1e2f30-processor.last.json", "result.last"])
def test_l2_and_l3_survive_a_trip_through_l1(name: str) -> None:
    result = io.load_result(GOLDEN / name)
    raw = io.to_bytes(result, dialect="runner-last")
    runner_reads(raw)
    assert io.load_result(raw) == result


# --- recomputed status -------------------------------------------------------------------------


def _l1() -> dict[str, Any]:
    return json.loads(L1.read_bytes())


def test_unrun_graph_node_becomes_a_pending_result() -> None:
    """The runner left unrun tasks out of task_results; altlas gives every task a result."""
    doc = _l1()
    del doc["task_results"]["task_003"]
    node = doc["execution_graph"]["nodes"][2]
    node.update(status="pending", duration_ms=None, start_time=None, end_time=None)
    doc["success_rate"], doc["status"] = 1.0, "success"
    loaded = io.read_bytes(json.dumps(doc).encode())
    result = loaded.document
    assert result.task("task_003").status is TaskStatus.PENDING
    assert (result.success_rate, result.status) == (2 / 3, RunStatus.PARTIAL_SUCCESS)
    assert sorted(w.path for w in loaded.warnings) == ["status", "success_rate"]
    assert result.metadata["altlas"]["runner"]["success_rate"] == 1.0
    # written back: no result for the unrun task, the old claims kept, and nothing lost
    written = io.to_data(result, "runner-last")
    assert sorted(written["task_results"]) == ["task_001", "task_002"]
    assert written["metadata"]["altlas"]["runner"] == {
        "success_rate": 1.0,
        "status": "success",
    }
    assert io.load_result(json.dumps(written).encode()) == result


def test_status_in_any_case() -> None:
    doc = _l1()
    doc["status"] = "PartialSuccess"
    doc["task_results"]["task_001"]["status"] = "Completed"
    loaded = io.read_bytes(json.dumps(doc).encode())
    assert loaded.document.status is RunStatus.PARTIAL_SUCCESS
    assert loaded.warnings == []


# --- writing -----------------------------------------------------------------------------------


@ROUND_TRIP
@given(results())
def test_any_result_round_trips_and_serde_reads_it(result: Result) -> None:
    raw = io.to_bytes(result, dialect="runner-last")
    runner_reads(raw)
    loaded = io.read_bytes(raw)
    assert loaded.warnings == []
    assert loaded.document == result
    assert io.read_bytes(io.to_bytes(result, dialect="runner-last", pretty=False)).document == (
        result
    )


def test_writer_uses_the_runner_spellings() -> None:
    result = io.load_result(L1)
    data = io.to_data(result, "runner-last")
    assert data["status"] == "partialsuccess"
    assert list(data)[-1] == "version"
    assert data["version"] == "1.0"
    assert data["start_time"].endswith("Z")
    assert isinstance(data["task_results"], dict)


def test_bundle_gzip_and_json_helpers(tmp_path: Path) -> None:
    result = io.load_result(L1)
    root = tmp_path / "work"
    (root / result.artifacts[0].path).parent.mkdir(parents=True)
    (root / result.artifacts[0].path).write_text('{"data": []}')
    out = tmp_path / "out"
    out.mkdir()
    bundle = write_runner_bundle(result, out, artifact_root=root)
    assert bundle.name == f"last_{result.run_id}.zip"
    with zipfile.ZipFile(bundle) as zf:
        assert zf.namelist() == [f"last_{result.run_id}.json", "artifacts/api_response.json"]
        assert zf.read("artifacts/api_response.json") == b'{"data": []}'
        assert zf.getinfo("artifacts/api_response.json").external_attr >> 16 & 0o777 == 0o755
    assert io.load_result(bundle) == result
    gz = write_runner_gzip(result, out)
    assert gz.name == f"last_{result.run_id}.json.gz"
    assert b"\n" not in gzip.decompress(gz.read_bytes())
    assert io.load_result(gz) == result
    plain = write_runner_json(result, out / "named.json")
    assert io.read(plain).dialect == "runner-last"
    assert write_runner_bundle(result, out / "again.zip", root).read_bytes() == bundle.read_bytes()


# --- bad input -----------------------------------------------------------------------------------


def _errors(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        io.read_bytes(json.dumps(doc).encode(), name="last_x.json")
    return info.value.lines()


def test_bad_l1_is_reported_at_source_paths() -> None:
    doc = _l1()
    del doc["alt_file_id"]
    doc["mode"] = "Turbo"
    doc["task_results"]["task_001"]["status"] = "done"
    doc["task_results"]["task_002"]["start_time"] = "soon"
    doc["artifacts"][0]["artifact_type"] = "video"
    doc["execution_graph"]["nodes"][0]["duration_ms"] = -5
    assert _errors(doc) == [
        "last_x.json: alt_file_id: required field is missing",
        "last_x.json: mode: Input should be 'normal', 'dream', 'explore' or 'chaos'",
        "last_x.json: task_results.task_001.status: Input should be 'pending', 'running', "
        "'completed', 'failed', 'cancelled', 'timeout' or 'skipped'",
        "last_x.json: task_results.task_002.start_time: not an ISO 8601 timestamp: 'soon'",
        "last_x.json: artifacts[0].artifact_type: Input should be 'file', 'image', 'text', "
        "'json', 'log' or 'other'",
    ]


def test_wrong_shapes() -> None:
    doc = _l1()
    doc["task_results"] = "none"
    doc["success_rate"] = "high"
    doc["status"] = "great"
    assert _errors(doc) == [
        "last_x.json: success_rate: Input should be a valid number",
        "last_x.json: status: Input should be 'success', 'partialsuccess' or 'failure'",
        "last_x.json: task_results: Input should be a map (task id -> result) or a list",
    ]


def test_graph_edge_to_nowhere_is_kept_with_a_warning() -> None:
    doc = _l1()
    doc["execution_graph"]["edges"].append({"source": "ghost", "target": "n-9"})
    loaded = io.read_bytes(json.dumps(doc).encode())
    assert [w.path for w in loaded.warnings] == ["execution_graph.edges[2]"]
    written = io.to_data(loaded.document, "runner-last")
    assert written["execution_graph"]["edges"][-1] == {"source": "ghost", "target": "n-9"}


def test_artifact_without_task_or_time_is_restored() -> None:
    result = Result(
        id="r",
        plan_id="p",
        artifacts=[Artifact(name="a.txt", path="a.txt", sha256="ab" * 32)],
    )
    raw = io.to_bytes(result, dialect="runner-last")
    assert runner_reads(raw).artifacts is not None
    assert io.load_result(raw) == result
