"""The canonical ``.atlas`` knowledge model (format ``altlas.atlas``, version 1).

The original archive only ever stored an atlas *name* in a database row; the intended content
(Go ``AtlasFile``) was a per-result record. An altlas atlas distils many results: one digest per
run, success rates by dimension, duration percentiles, failure reasons and tag counts.

Success categories follow the original: ``high`` >= 0.9, ``medium`` >= 0.7, else ``low``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from altlas.formats.common import StrictModel, Timestamp, new_id, utcnow

__all__ = [
    "ATLAS_FORMAT",
    "ATLAS_FORMAT_VERSION",
    "SUCCESS_THRESHOLD",
    "Atlas",
    "AtlasSource",
    "FailureReason",
    "Percentiles",
    "RateStat",
    "RunDigest",
    "SuccessCategory",
    "success_category",
]

ATLAS_FORMAT: Literal["altlas.atlas"] = "altlas.atlas"
ATLAS_FORMAT_VERSION: Literal[1] = 1
SUCCESS_THRESHOLD = 0.7
"""A result at or above this rate counts as successful (the original archive's threshold)."""


class SuccessCategory(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def success_category(rate: float) -> SuccessCategory:
    if rate >= 0.9:
        return SuccessCategory.HIGH
    if rate >= SUCCESS_THRESHOLD:
        return SuccessCategory.MEDIUM
    return SuccessCategory.LOW


class RunDigest(StrictModel):
    """What the atlas keeps of one result."""

    result_id: str
    run_id: str | None = None
    plan_id: str | None = None
    title: str | None = None
    command: str | None = None
    status: str
    success_rate: float = Field(ge=0, le=1)
    success_category: SuccessCategory
    started_at: Timestamp | None = None
    duration_ms: float | None = None
    task_count: int = 0
    task_types: list[str] = Field(default_factory=list)
    mode: str | None = None
    persona: str | None = None
    language: str | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class RateStat(StrictModel):
    total: int = 0
    completed: int = 0
    rate: float = Field(default=0.0, ge=0, le=1)


class Percentiles(StrictModel):
    count: int = 0
    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None
    max: float | None = None


class FailureReason(StrictModel):
    error_type: str
    message: str
    count: int = Field(ge=1)
    task_types: list[str] = Field(default_factory=list)
    example_result_ids: list[str] = Field(default_factory=list)


class AtlasSource(StrictModel):
    results: int = 0
    since: Timestamp | None = None
    until: Timestamp | None = None
    archive: str | None = None


class Atlas(StrictModel):
    format: Literal["altlas.atlas"] = ATLAS_FORMAT
    format_version: Literal[1] = ATLAS_FORMAT_VERSION
    id: str = Field(default_factory=lambda: new_id("atlas"), min_length=1)
    created_at: Timestamp = Field(default_factory=utcnow)
    source: AtlasSource = Field(default_factory=AtlasSource)
    digests: list[RunDigest] = Field(default_factory=list)
    success_by: dict[str, dict[str, RateStat]] = Field(default_factory=dict)
    """Dimension (task_type, handler, mode, persona, language) -> value -> rate."""
    run_durations_ms: Percentiles = Field(default_factory=Percentiles)
    task_durations_ms: dict[str, Percentiles] = Field(default_factory=dict)
    """Per task type, plus ``*`` for all tasks."""
    failures: list[FailureReason] = Field(default_factory=list)
    tag_counts: dict[str, int] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
