"""The archive's Go atlas records (T1 Atlas, T2 AtlasFile) read as a canonical atlas."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from altlas.errors import FormatError, ValidationError
from altlas.formats import io
from altlas.formats.atlas import RateStat, SuccessCategory

GOLDEN = Path(__file__).parent / "golden"


def test_atlas_record_t1() -> None:
    loaded = io.read(GOLDEN / "atlas_record_t1.json")
    atlas = loaded.document
    assert (loaded.kind, loaded.dialect) == ("atlas", "legacy-atlas")
    assert atlas.id == "atlas_0f1e2d3c-4b5a-4968-8776-655443322110"
    [digest] = atlas.digests
    assert digest.result_id == "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"
    assert (digest.success_rate, digest.success_category) == (0.8, SuccessCategory.MEDIUM)
    assert digest.status == "partial_success"
    # Go writes nanoseconds; Python keeps microseconds
    assert digest.started_at == datetime(2025, 4, 26, 19, 35, 0, 123456, tzinfo=UTC)
    assert digest.tags == ["example", "documentation", "type:report", "success:medium"]
    assert digest.metadata["command_type"] == "report"
    assert atlas.tag_counts["success:medium"] == 1
    record = atlas.metadata["altlas"]["legacy_atlas"]
    assert record["shape"] == "Atlas"
    assert (record["file_path"], record["status"], record["last_file_ref"]) == (
        "atlas_0f1e2d3c-4b5a-4968-8776-655443322110.atlas",
        "active",
        "lastfile_ref_2b3c4d5e",
    )
    assert record["updated_at"] == "2025-04-26T19:35:01Z"


def test_atlas_file_t2() -> None:
    atlas = io.load_atlas(GOLDEN / "atlas_file_t2.json")
    [digest] = atlas.digests
    assert (digest.result_id, digest.success_category) == ("last-abc", SuccessCategory.HIGH)
    assert (digest.task_count, digest.task_types) == (3, ["search", "summarize"])
    assert digest.duration_ms == 2000
    assert digest.command == "Yapay zeka makalelerini ara ve özetle"
    # a zero Go time is a value too; it is kept as written
    assert atlas.created_at == datetime(1, 1, 1, tzinfo=UTC)
    assert atlas.success_by["task_type"]["summarize"] == RateStat(total=2, completed=1, rate=0.5)
    record = atlas.metadata["altlas"]["legacy_atlas"]
    assert record["shape"] == "AtlasFile"
    assert record["segment_results"][2] == {
        "segment_id": "s3",
        "success": False,
        "error": "timeout",
        "segment_type": "summarize",
        "metrics": {"retries": 2},
    }
    assert (record["token_count"], record["system_info"]) == (300, {"host": "archive-1"})
    # the canonical atlas keeps it all when written and read back
    assert io.load_atlas(io.to_bytes(atlas)) == atlas


@pytest.mark.parametrize(
    ("rate", "category"),
    [(0.95, "high"), (0.9, "high"), (0.8, "medium"), (0.7, "medium"), (0.69, "low"), (0.5, "low")],
)
def test_success_category_follows_the_original_rule(rate: float, category: str) -> None:
    doc = json.loads((GOLDEN / "atlas_record_t1.json").read_bytes())
    doc["success_rate"] = rate
    atlas = io.load_atlas(json.dumps(doc).encode())
    assert atlas.digests[0].success_category.value == category


def _errors(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        io.read_bytes(json.dumps(doc).encode(), name="a.atlas")
    return info.value.lines()


def test_bad_records_name_their_fields() -> None:
    doc = json.loads((GOLDEN / "atlas_file_t2.json").read_bytes())
    doc["last_file_id"] = 5
    doc["success_rate"] = 95
    doc["timestamp"] = "today"
    assert _errors(doc) == [
        "a.atlas: last_file_id: Input should be a valid string",
        "a.atlas: timestamp: not an ISO 8601 timestamp: 'today'",
        "a.atlas: success_rate: Input should be less than or equal to 1",
    ]


def test_legacy_atlas_is_read_only() -> None:
    atlas = io.load_atlas(GOLDEN / "atlas_record_t1.json")
    with pytest.raises(FormatError, match="can be read but not written"):
        io.to_bytes(atlas, dialect="legacy-atlas")
