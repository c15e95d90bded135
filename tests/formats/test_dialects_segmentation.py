"""Segmentation v1.0 / v2.0 dialects: golden files, round trips, the original v1 model, errors."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic import ValidationError as PydanticValidationError

from altlas.errors import ValidationError
from altlas.formats import io
from altlas.formats.common import Mode
from altlas.formats.plan import Condition, ConditionOperator, LoopType, Plan
from altlas.testing import json_values, plans, texts

GOLDEN = Path(__file__).parent / "golden"
ROUND_TRIP = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the original v1 schema (segmentation-service/dsl_schema.py), per reference section 1.2 -----


class OriginalTaskParameter(BaseModel):
    name: str
    value: Any  # required, may be null
    type: str = "string"
    required: bool = False
    description: str | None = None


class OriginalTaskSegment(BaseModel):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    task_type: str
    content: str
    parameters: list[OriginalTaskParameter] = []
    dependencies: list[str] = []
    metadata: dict[str, Any] = {}


class OriginalAltFile(BaseModel):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    version: str = "1.0"
    timestamp: str = Field(default_factory=lambda: datetime.now().isoformat())
    command: str
    language: str
    mode: str = "Normal"
    persona: str = "technical_expert"
    chaos_level: int | None = None
    segments: list[OriginalTaskSegment]
    metadata: dict[str, Any] = {}

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        allowed = ["Normal", "Dream", "Explore", "Chaos"]
        if value not in allowed:
            raise ValueError(f"Mode must be one of {allowed}")
        return value

    @field_validator("chaos_level")
    @classmethod
    def _chaos_level(cls, value: int | None, info: ValidationInfo) -> int | None:
        mode = info.data.get("mode")
        if mode == "Chaos" and (value is None or value < 1 or value > 10):
            raise ValueError("Chaos level must be between 1 and 10 when mode is Chaos")
        if mode != "Chaos" and value is not None:
            raise ValueError("Chaos level should only be set when mode is Chaos")
        return value


def original_load(raw: bytes) -> OriginalAltFile:
    """``dsl_schema.load_alt_file``: json.load or yaml.safe_load, then ``AltFile(**data)``."""
    data = json.loads(raw) if raw.lstrip().startswith(b"{") else yaml.safe_load(raw)
    return OriginalAltFile(**data)


def golden(name: str) -> Path:
    return GOLDEN / name


SEGMENTATION_GOLDENS = [
    "benchmark_dream_tr.alt.yaml",
    "benchmark_chaos_tr.alt.yaml",
    "task_chaos_null.alt.yaml",
    "task_prioritized.alt.json",
    "hand_tolerant.alt.yaml",
    "example_enhanced.alt.json",
]


# --- golden files ------------------------------------------------------------------------------


def test_turkish_benchmark_file_loads() -> None:
    """benchmark_test_0: escaped Turkish, Dream mode, two execute segments, confidence 0.5."""
    loaded = io.read(golden("benchmark_dream_tr.alt.yaml"))
    plan = loaded.document
    assert (loaded.dialect, loaded.syntax) == ("segmentation-v1", "yaml")
    assert plan.command is not None
    assert plan.command.startswith(
        "Yapay zeka ile ilgili son makaleleri ara ve sonuçları özetleyip"
    )
    assert plan.command.endswith("ardından raporu ekibe gönder")
    assert (plan.language, plan.mode, plan.persona, plan.chaos_level) == (
        "tr",
        Mode.DREAM,
        "technical_expert",
        None,
    )
    assert plan.created_at == datetime(2025, 5, 19, 22, 41, 7, 315902, tzinfo=UTC)
    assert [t.type for t in plan.tasks] == ["execute", "execute"]
    assert plan.tasks[1].description == (
        "sonuçları özetleyip kısa bir rapor oluştur, ardından raporu ekibe gönder"
    )
    assert plan.tasks[1].parameters == {"content": plan.tasks[1].description}
    assert [t.confidence for t in plan.tasks] == [0.5, 0.5]
    assert all(t.metadata == {} for t in plan.tasks)
    assert [w.code for w in loaded.warnings] == ["naive_timestamp"]
    assert loaded.warnings[0].path == "timestamp"


def test_chaos_benchmark_file_keeps_mode_effects() -> None:
    plan = io.load_plan(golden("benchmark_chaos_tr.alt.yaml"))
    assert (plan.mode, plan.chaos_level, plan.persona) == (Mode.CHAOS, 5, "data_analyst")
    assert plan.metadata == {
        "chaos_level": 5,
        # the naive spelling of the timestamp, to write it back as the original did
        "altlas": {"segmentation": {"timestamp": "2025-05-19T22:41:07.402117"}},
    }
    assert plan.tasks[0].metadata == {
        "applied_mode": "Chaos",
        "chaos_level": 5,
        "original_task_type": "search",
    }
    assert plan.tasks[1].metadata["duplicated_from"] == plan.tasks[0].id


def test_chaos_level_null_is_assumed_five_with_a_warning() -> None:
    """The original wrote chaos_level: null for Chaos and then could not reload its own file."""
    raw = golden("task_chaos_null.alt.yaml").read_bytes()
    with pytest.raises(PydanticValidationError, match="Chaos level must be between 1 and 10"):
        original_load(raw)
    loaded = io.read_bytes(raw)
    assert loaded.document.chaos_level == 5
    chaos = [w for w in loaded.warnings if w.code == "chaos_level"]
    assert [(w.path, w.severity) for w in chaos] == [("chaos_level", "warning")]
    assert "assumed 5" in chaos[0].message
    # what altlas writes back, the original loads
    rewritten = io.to_bytes(loaded.document, dialect="segmentation-v1")
    assert original_load(rewritten).chaos_level == 5


def test_chaos_level_is_taken_from_metadata_when_the_parser_had_one() -> None:
    doc = _minimal(mode="Chaos", chaos_level=None, metadata={"chaos_level": 7})
    loaded = io.read_bytes(_yaml(doc))
    assert loaded.document.chaos_level == 7
    assert "metadata.chaos_level" in loaded.warnings[-1].message


def test_saved_at_unknown_keys_and_parameter_details_are_kept() -> None:
    plan = io.load_plan(golden("task_chaos_null.alt.yaml"))
    record = plan.metadata["altlas"]["segmentation"]
    assert record["extra"] == {"saved_at": "2025-05-20T09:15:42.530011"}
    assert plan.metadata["urgency_level"] == 7
    assert plan.tasks[0].parameters == {"query": "latest sales report"}
    assert plan.tasks[0].metadata["altlas"]["segmentation"]["parameters"] == {
        "query": {"required": True, "description": "what to look for"},
    }


def test_prioritized_json_file() -> None:
    """JSON v1 (ASCII-escaped by json.dumps) with the prioritizer's metadata."""
    loaded = io.read(golden("task_prioritized.alt.json"))
    plan = loaded.document
    assert (loaded.dialect, loaded.syntax) == ("segmentation-v1", "json")
    assert plan.command == "Raporu aç, verileri analiz et ve grafik oluştur"
    assert [t.id for t in plan.tasks] == ["seg_open", "seg_analyze", "seg_create"]
    assert plan.task("seg_create").dependencies == ["seg_analyze"]
    assert plan.task("seg_analyze").parameters == {"subject": "veriler", "depth": 3}
    assert plan.task("seg_create").parameters["format"] == ["png", "svg"]
    assert plan.task("seg_open").metadata["execution_order"] == 3
    assert plan.metadata["prioritization_config"]["dependency_weight"] == 0.4
    # number and array types are what the writer infers, so nothing extra is recorded for them
    analyze_record = plan.task("seg_analyze").metadata["altlas"]["segmentation"]
    assert analyze_record["parameters"] == {
        "subject": {"required": True, "description": "Subject to analyze"},
    }


def test_tolerated_hand_written_file() -> None:
    """Unquoted version and timestamp, lowercase mode, unknown keys, partial parameters."""
    raw = golden("hand_tolerant.alt.yaml").read_bytes()
    with pytest.raises(PydanticValidationError) as info:
        original_load(raw)
    assert {e["loc"][0] for e in info.value.errors()} >= {"version", "timestamp", "mode"}
    plan = io.load_plan(raw)
    assert plan.mode is Mode.EXPLORE
    assert plan.created_at == datetime(2025, 5, 20, 8, tzinfo=UTC)
    assert plan.task("a").parameters == {"target": "rapor.pdf", "pages": 3}
    assert plan.task("a").metadata["reviewed"] == "2025-05-21"
    record = plan.metadata["altlas"]["segmentation"]
    assert record["extra"] == {
        "saved_at": "2025-05-20T08:00:05.500000",
        "source_service": "updated_main.py",
    }
    assert plan.task("a").metadata["altlas"]["segmentation"]["extra"] == {
        "notes": "added by hand",
    }
    assert plan.task("b").dependencies == ["a"]
    rewritten = io.to_bytes(plan, dialect="segmentation-v1")
    assert original_load(rewritten).mode == "Explore"


def test_enhanced_v2_file() -> None:
    loaded = io.read(golden("example_enhanced.alt.json"))
    plan = loaded.document
    assert loaded.dialect == "segmentation-v2"
    assert [v.name for v in plan.variables] == ["files", "error_count", "mode"]
    assert plan.variables[0].value == ["a.log", "b.log"]
    assert plan.functions[0].name == "check_content"
    assert plan.functions[0].parameters[1].default_value is False
    loop = plan.task("each_file").loop
    assert loop is not None
    assert (loop.type, loop.iterable, loop.body) == (LoopType.FOR_EACH, "files", ["check_file"])
    call = plan.task("check_file").function_call
    assert call is not None
    assert call.arguments == {"path": "file", "strict": True}
    assert plan.task("list_files").variables[0].value == "*.log"
    branch = plan.task("decide").condition
    assert branch is not None
    top = branch.condition
    assert top.operator is ConditionOperator.AND
    assert isinstance(top.left, Condition)
    assert top.left.operator is ConditionOperator.CONTAINS
    # the original parsed this dict right operand as a plain value and then rejected it
    assert isinstance(top.right, Condition)
    assert top.right.operator is ConditionOperator.OR
    assert isinstance(top.right.right, Condition)
    assert top.right.right.operator is ConditionOperator.NOT


def test_original_v1_reader_loads_enhanced_files_we_write_in_v1() -> None:
    plan = io.load_plan(golden("example_enhanced.alt.json"))
    loaded = original_load(io.to_bytes(plan, dialect="segmentation-v1"))
    assert [s.id for s in loaded.segments] == [t.id for t in plan.tasks]
    again = io.load_plan(io.to_bytes(plan, dialect="segmentation-v1"))
    assert again == plan


# --- conversions keep everything ---------------------------------------------------------------


def _normalised_source(name: str) -> Any:
    """The golden as the original would hold it after load and save (defaults filled in)."""
    data = yaml.safe_load(golden(name).read_bytes())
    if isinstance(data.get("version"), float):
        data["version"] = str(data["version"])
    if isinstance(data.get("timestamp"), datetime):
        data["timestamp"] = data["timestamp"].isoformat()
    if data.get("mode") == "Chaos" and data.get("chaos_level") is None:
        data["chaos_level"] = 5
    data["mode"] = data["mode"].capitalize()
    data.setdefault("chaos_level", None)
    data["metadata"] = data.get("metadata") or {}
    for key in list(data):
        if isinstance(data[key], datetime):
            data[key] = data[key].isoformat()
    for seg in data["segments"]:
        seg.setdefault("parameters", [])
        seg.setdefault("metadata", {})
        for key, value in seg["metadata"].items():
            if hasattr(value, "isoformat"):
                seg["metadata"][key] = value.isoformat()
        for param in seg["parameters"]:
            param.setdefault("type", "string")
            param.setdefault("required", False)
            param.setdefault("description", None)
    return data


@pytest.mark.parametrize("name", SEGMENTATION_GOLDENS)
def test_legacy_to_canonical_to_legacy_keeps_everything(name: str) -> None:
    loaded = io.read(golden(name))
    written = io.to_data(loaded.document, loaded.dialect)
    assert written == _normalised_source(name)


@pytest.mark.parametrize("name", SEGMENTATION_GOLDENS)
@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_golden_canonical_survives_both_segmentation_writers(name: str, syntax: str) -> None:
    plan = io.load_plan(golden(name))
    for dialect in ("segmentation-v1", "segmentation-v2"):
        raw = io.to_bytes(plan, dialect=dialect, syntax=syntax)
        loaded = io.read_bytes(raw)
        assert loaded.dialect == dialect
        assert loaded.document == plan
        assert not [w for w in loaded.warnings if w.code != "naive_timestamp"]


SHORT_LINES = """\
id: 5f2c8a4e
version: '1.0'
timestamp: '2025-05-20T14:03:11.482915'
command: "Sat\\u0131\\u015F raporunu indir"
language: tr
mode: Chaos
persona: data_analyst
chaos_level: 5
segments:
- id: seg-1
  task_type: execute
  content: "Sat\\u0131\\u015F raporunu indir"
  parameters:
  - name: content
    value: "Sat\\u0131\\u015F raporunu indir"
    type: string
    required: false
    description: null
  dependencies: []
  metadata:
    confidence: 0.5
metadata:
  source: updated_main.py
"""


def test_original_escapes_survive_byte_for_byte() -> None:
    """A file the original wrote is written back identically (escapes, quoting, key order)."""
    plan = io.load_plan(SHORT_LINES.encode())
    assert plan.command == "Satış raporunu indir"
    assert io.to_bytes(plan, dialect="segmentation-v1") == SHORT_LINES.encode()


def test_long_lines_fold_where_the_original_folded_them() -> None:
    raw = golden("benchmark_chaos_tr.alt.yaml").read_bytes()
    assert io.to_bytes(io.load_plan(raw), dialect="segmentation-v1") == raw


def test_canonical_only_fields_travel_in_the_stash() -> None:
    plan = Plan(
        id="p1",
        title="Başlık",
        command="komut",
        language="tr",
        priority="high",
        tags=["x"],
        timeout_seconds=12.5,
        tasks=[
            {
                "id": "t1",
                "type": "search",
                "timeout_seconds": 3,
                "retry_count": 2,
                "handler": "archive",
                "span": {"text": "kom", "start": 0, "end": 3},
                "metadata": {"confidence": "shadowed", "altlas": "user value"},
                "confidence": 0.25,
            },
        ],
    )
    data = io.to_data(plan, "segmentation-v1")
    assert data["metadata"]["altlas"] == {
        "priority": "high",
        "tags": ["x"],
        "timeout_seconds": 12.5,
        "title": "Başlık",
    }
    meta = data["segments"][0]["metadata"]
    assert meta["confidence"] == 0.25
    assert meta["altlas"]["handler"] == "archive"
    assert meta["altlas"]["metadata"] == {"confidence": "shadowed", "altlas": "user value"}
    assert io.load_plan(io.to_bytes(plan, dialect="segmentation-v1")) == plan


def test_written_yaml_is_what_the_original_wrote() -> None:
    plan = Plan(
        id="p",
        command="Şirket raporunu indir",
        language="tr",
        mode="chaos",
        chaos_level=3,
        created_at=datetime(2025, 5, 20, 10, tzinfo=UTC),
        tasks=[{"id": "a", "type": "open", "parameters": {"n": 1.0}}],
    )
    text = io.to_bytes(plan, dialect="segmentation-v1").decode("ascii")
    assert text.splitlines()[:9] == [
        "id: p",
        "version: '1.0'",
        "timestamp: '2025-05-20T10:00:00+00:00'",
        'command: "\\u015Eirket raporunu indir"',
        "language: tr",
        "mode: Chaos",
        "chaos_level: 3",
        "segments:",
        "- id: a",
    ]
    assert "!!" not in text
    assert original_load(text.encode()).chaos_level == 3


def test_chaos_plan_without_level_is_written_with_an_int() -> None:
    plan = Plan(id="p", command="c", language="en", mode="chaos", chaos_level=None)
    assert original_load(io.to_bytes(plan, dialect="segmentation-v1")).chaos_level == 5


def test_enhanced_yaml_has_no_python_tags_and_reloads() -> None:
    plan = io.load_plan(golden("example_enhanced.alt.json"))
    raw = io.to_bytes(plan, dialect="segmentation-v2", syntax="yaml")
    assert b"!!python" not in raw
    assert yaml.safe_load(raw)["segments"][1]["loop"]["type"] == "for_each"
    assert io.load_plan(raw) == plan


# --- hypothesis round trips --------------------------------------------------------------------


@ROUND_TRIP
@given(plans())
def test_any_plan_round_trips_and_the_original_loads_v1(plan: Plan) -> None:
    """canonical -> v1/v2 (YAML, JSON) -> canonical is the identity; the original reads v1."""
    for dialect in ("segmentation-v1", "segmentation-v2"):
        for syntax in ("yaml", "json"):
            raw = io.to_bytes(plan, dialect=dialect, syntax=syntax)
            loaded = io.read_bytes(raw)
            assert (loaded.dialect, loaded.syntax) == (dialect, syntax)
            assert loaded.warnings == []
            assert loaded.document == plan
            if dialect == "segmentation-v1":
                assert len(original_load(raw).segments) == len(plan.tasks)


_keys = st.from_regex(r"[a-z][a-z_]{0,7}", fullmatch=True)


@st.composite
def legacy_v1_documents(draw: st.DrawFn) -> dict[str, Any]:
    """v1 files as the original (or a person) wrote them: full parameter entries, odd extras."""
    n = draw(st.integers(0, 4))
    ids = draw(st.lists(_keys, min_size=n, max_size=n, unique=True))
    segments = []
    for i, sid in enumerate(ids):
        names = draw(st.lists(_keys, max_size=3, unique=True))
        params = [
            {
                "name": name,
                "value": draw(json_values(4)),
                "type": draw(st.sampled_from(["string", "number", "array", "object", "any"])),
                "required": draw(st.booleans()),
                "description": draw(st.none() | texts(10)),
                **draw(st.dictionaries(st.sampled_from(["example", "unit"]), texts(5))),
            }
            for name in names
        ]
        metadata = draw(
            st.dictionaries(
                st.sampled_from(["priority_score", "urgency", "applied_mode"]), json_values(2)
            )
        )
        if draw(st.booleans()):
            metadata = {"confidence": draw(st.floats(0, 1)), **metadata}
        segment = {
            "id": sid,
            "task_type": draw(st.sampled_from(["search", "create", "execute", "custom_type"])),
            "content": draw(texts(30)),
            "parameters": params,
            "dependencies": draw(st.lists(st.sampled_from(ids[:i]), unique=True)) if i else [],
            "metadata": metadata,
        }
        segment.update(draw(st.dictionaries(st.sampled_from(["notes", "score"]), json_values(2))))
        segments.append(segment)
    mode = draw(st.sampled_from(["Normal", "Dream", "Explore", "Chaos"]))
    stamp = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
    doc: dict[str, Any] = {
        "id": draw(_keys),
        "version": "1.0",
        "timestamp": stamp.isoformat(),
        "command": draw(texts(60)),
        "language": draw(st.sampled_from(["tr", "en"])),
        "mode": mode,
        "persona": draw(st.sampled_from(["technical_expert", "creative_writer", "x"])),
        "chaos_level": draw(st.integers(1, 10)) if mode == "Chaos" else None,
        "segments": segments,
        "metadata": draw(st.dictionaries(_keys, json_values(4), max_size=3)),
    }
    doc.update(draw(st.dictionaries(st.sampled_from(["saved_at", "source_service"]), texts(10))))
    return doc


@ROUND_TRIP
@given(legacy_v1_documents(), st.sampled_from(["yaml", "json"]))
def test_any_legacy_v1_file_survives_canonical_unchanged(doc: dict[str, Any], syntax: str) -> None:
    """legacy -> canonical -> legacy keeps every key and value the original wrote."""
    raw = _yaml(doc) if syntax == "yaml" else json.dumps(doc).encode()
    plan = io.load_plan(raw)
    assert io.to_data(plan, "segmentation-v1") == doc
    # and through the other dialects and back
    for dialect in ("canonical", "runner-alt", "segmentation-v2"):
        assert io.load_plan(io.to_bytes(plan, dialect=dialect)) == plan


# --- bad input -----------------------------------------------------------------------------------


def _minimal(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "x",
        "version": "1.0",
        "command": "c",
        "language": "en",
        "mode": "Normal",
        "segments": [
            {"id": "a", "task_type": "search", "content": "find"},
            {"id": "b", "task_type": "summarize", "content": "sum", "dependencies": ["a"]},
        ],
    }
    doc.update(overrides)
    return {k: v for k, v in doc.items() if v is not _DROP}


_DROP = object()


def _yaml(doc: dict[str, Any]) -> bytes:
    """As the original saved a file (PyYAML escapes non-ASCII; raw NEL would not survive)."""
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False).encode()


def _errors(raw: bytes) -> list[str]:
    with pytest.raises(ValidationError) as info:
        io.read_bytes(raw, name="bad.alt.yaml")
    return info.value.lines()


def test_missing_top_level_fields_are_named() -> None:
    raw = _yaml(_minimal(command=_DROP, language=_DROP))
    assert _errors(raw) == [
        "bad.alt.yaml: command: required field is missing",
        "bad.alt.yaml: language: required field is missing",
    ]
    assert _errors(_yaml(_minimal(segments=_DROP))) == [
        "bad.alt.yaml: segments: required field is missing",
    ]


def test_segment_fields_are_named_by_their_source_names() -> None:
    doc = _minimal()
    del doc["segments"][1]["task_type"]
    del doc["segments"][0]["content"]
    assert _errors(_yaml(doc)) == [
        "bad.alt.yaml: segments[0].content: required field is missing",
        "bad.alt.yaml: segments[1].task_type: required field is missing",
    ]


def test_wrong_types_are_reported_at_source_paths() -> None:
    doc = _minimal(id=123, mode="Turbo")
    doc["segments"][0]["task_type"] = 5
    doc["segments"][0]["parameters"] = [{"name": "q"}, {"name": 7, "value": 1}, "bare"]
    doc["segments"][1]["parameters"] = {"q": 1}
    doc["segments"][1]["metadata"] = {"confidence": 0.5, "altlas": {"timeout_seconds": "slow"}}
    lines = _errors(_yaml(doc))
    assert lines == [
        "bad.alt.yaml: id: Input should be a valid string",
        "bad.alt.yaml: mode: Input should be 'normal', 'dream', 'explore' or 'chaos'",
        "bad.alt.yaml: segments[0].task_type: Input should be a valid string",
        "bad.alt.yaml: segments[0].parameters[0].value: required field is missing",
        "bad.alt.yaml: segments[0].parameters[1].name: Input should be a valid string",
        "bad.alt.yaml: segments[0].parameters[2]: Input should be a valid dictionary",
        "bad.alt.yaml: segments[1].parameters: Input should be a valid list",
        "bad.alt.yaml: segments[1].metadata.altlas.timeout_seconds: "
        "Input should be a valid number, unable to parse string as a number",
    ]


def test_v2_constructs_are_checked_at_source_paths() -> None:
    doc = _minimal(version="2.0", global_variables=[{"name": "9bad", "type": "string"}])
    doc["segments"][1]["loop"] = {"type": "for_each", "body": ["a"]}
    assert _errors(_yaml(doc)) == [
        "bad.alt.yaml: global_variables[0].name: Variable name must start with a letter or "
        "underscore and contain only letters, numbers, and underscores",
        "bad.alt.yaml: segments[1].loop: FOR_EACH loops require an iterable",
    ]


@pytest.mark.parametrize(
    ("mode", "level", "message"),
    [
        ("Chaos", 11, "chaos_level must be an integer from 1 to 10 when mode is chaos (got 11)"),
        ("Normal", 3, "chaos_level is only allowed when mode is chaos (mode is normal)"),
    ],
)
def test_chaos_rules(mode: str, level: int, message: str) -> None:
    assert _errors(_yaml(_minimal(mode=mode, chaos_level=level))) == [
        f"bad.alt.yaml: chaos_level: {message}",
    ]


def test_string_chaos_level_is_read_as_pydantic_lax_mode_did() -> None:
    assert io.load_plan(_yaml(_minimal(mode="Chaos", chaos_level="5"))).chaos_level == 5


def test_duplicate_parameter_names_warn_and_round_trip() -> None:
    doc = _minimal()
    doc["segments"][0]["parameters"] = [
        {"name": "q", "value": 1, "type": "number", "required": False, "description": None},
        {"name": "q", "value": 2, "type": "number", "required": False, "description": None},
    ]
    loaded = io.read_bytes(_yaml(doc))
    assert loaded.document.task("a").parameters == {"q": 2}
    assert [w.path for w in loaded.warnings if w.code == "duplicate_parameter"] == [
        "segments[0].parameters",
    ]
    written = io.to_data(loaded.document, "segmentation-v1")
    assert written["segments"][0]["parameters"] == doc["segments"][0]["parameters"]


def test_missing_segment_ids_get_stable_ids() -> None:
    doc = _minimal()
    del doc["segments"][0]["id"]
    doc["segments"][1]["id"] = "segment_1"
    doc["segments"][1]["dependencies"] = []
    first = io.load_plan(_yaml(doc))
    assert [t.id for t in first.tasks] == ["segment_1_2", "segment_1"]
    assert io.load_plan(_yaml(doc)) == first


def test_graph_errors_use_segment_paths() -> None:
    doc = _minimal()
    doc["segments"][0]["dependencies"] = ["b"]
    doc["segments"][1]["dependencies"] = ["a", "ghost"]
    assert _errors(_yaml(doc)) == [
        "bad.alt.yaml: segments[1].dependencies[1]: task 'b' depends on unknown task 'ghost'",
        "bad.alt.yaml: segments[0].dependencies: dependency cycle: a -> b -> a",
    ]


def test_json_syntax_is_available_for_v1() -> None:
    plan = io.load_plan(golden("benchmark_dream_tr.alt.yaml"))
    raw = io.to_bytes(plan, dialect="segmentation-v1", syntax="json")
    assert json.loads(raw)["version"] == "1.0"
    assert original_load(raw).mode == "Dream"
