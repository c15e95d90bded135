"""The placeholder YAML of enhanced_main.py: read-only, nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from altlas.errors import FormatError, ValidationError
from altlas.formats import io
from altlas.formats.common import Mode

GOLDEN = Path(__file__).parent / "golden" / "seg_5f2c8a4e9b1d.alt"


def test_placeholder_file_loads() -> None:
    loaded = io.read(GOLDEN)
    plan = loaded.document
    assert (loaded.dialect, loaded.syntax) == ("placeholder", "yaml")
    assert plan.id == "seg_5f2c8a4e9b1d"
    assert plan.command == "Masaüstündeki dosyaları düzenle"
    assert (plan.mode, plan.persona) == (Mode.NORMAL, "technical_expert")
    assert plan.created_at == datetime(2025, 5, 20, 12, 30, 0, 250000, tzinfo=UTC)
    [task] = plan.tasks
    assert (task.id, task.type) == ("seg_001", "action")
    assert task.description == "Placeholder segment for: Masaüstündeki dosyaları düzenle"
    assert task.parameters == {"detail": "Masaüstündeki dosyaları düzenle"}
    assert plan.metadata["request_source"] == "api"


def test_everything_without_a_canonical_field_is_kept() -> None:
    plan = io.load_plan(GOLDEN)
    assert plan.metadata["altlas"]["placeholder"] == {
        "version": "1.0",
        "user_id": "user-42",
        "global_parameters": {},
        "output_expectations": {"format": "json", "schema_ref": None},
    }
    assert plan.tasks[0].metadata["altlas"]["placeholder"] == {
        "service_target": "runner-service",
        "action_name": "execute_generic_task",
    }
    # and a conversion carries it along
    again = io.load_plan(io.to_bytes(plan, dialect="segmentation-v1"))
    assert again == plan


def test_chaos_placeholder_gets_an_assumed_level() -> None:
    doc = yaml.safe_load(GOLDEN.read_bytes())
    doc["mode"] = "Chaos"
    loaded = io.read_bytes(yaml.safe_dump(doc).encode())
    assert loaded.document.chaos_level == 5
    assert "chaos_level" in [w.path for w in loaded.warnings]


def test_placeholder_is_read_only() -> None:
    with pytest.raises(FormatError, match="can be read but not written"):
        io.to_bytes(io.load_plan(GOLDEN), dialect="placeholder")


def test_bad_placeholder_names_source_fields() -> None:
    doc = yaml.safe_load(GOLDEN.read_bytes())
    del doc["segments"][0]["segment_id"]
    doc["segments"][0]["type"] = ""
    doc["original_command"] = 42
    with pytest.raises(ValidationError) as info:
        io.read_bytes(yaml.safe_dump(doc).encode(), name="seg.alt")
    assert info.value.lines() == [
        "seg.alt: original_command: Input should be a valid string",
        "seg.alt: segments[0].segment_id: required field is missing",
        "seg.alt: segments[0].type: must not be empty",
    ]
