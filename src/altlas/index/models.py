"""What the archive returns: records, hits, reports. All pydantic, all ``as_dict()``-able."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from altlas.formats.atlas import Percentiles
from altlas.index.filters import Filters, RecordSort, SearchSort

__all__ = [
    "AddReport",
    "ArchiveRecord",
    "ArchiveStats",
    "AtlasEntry",
    "DayRow",
    "ExportReport",
    "FileOutcome",
    "Filters",
    "OptimizeReport",
    "PruneReport",
    "RateRow",
    "RecordSort",
    "ReindexReport",
    "SearchHit",
    "SearchResults",
    "SearchSort",
    "VerifyProblem",
    "VerifyReport",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return self.model_dump(mode="json")


class FileOutcome(_Model):
    """What ``add`` did with one file."""

    path: str
    status: Literal["added", "exists", "same_result", "restored", "failed"]
    id: str | None = None
    result_id: str | None = None
    message: str = ""

    @classmethod
    def checked(cls, path: str, status: str, **given: str | None) -> FileOutcome:
        """What ``model_construct(path=, status=, **given)`` makes, in a third of its time
        (1.0 against 3.3 us, once per file of an add); the add built every value itself."""
        outcome = object.__new__(cls)
        state: dict[str, Any] = {"path": path, "status": status, "id": None, "result_id": None}
        state["message"] = ""
        state.update(given)
        object.__setattr__(outcome, "__dict__", state)
        object.__setattr__(outcome, "__pydantic_fields_set__", {"path", "status", *given})
        object.__setattr__(outcome, "__pydantic_extra__", None)
        object.__setattr__(outcome, "__pydantic_private__", None)
        return outcome


class AddReport(_Model):
    outcomes: list[FileOutcome] = Field(default_factory=list)
    added: int = 0
    existing: int = 0
    same_result: int = 0
    restored: int = 0
    failed: int = 0
    reindexed: int = 0
    raw_bytes: int = 0
    stored_bytes: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def count(self, outcome: FileOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.status == "added":
            self.added += 1
        elif outcome.status == "exists":
            self.existing += 1
        elif outcome.status == "same_result":
            self.same_result += 1
        elif outcome.status == "restored":
            self.restored += 1
        else:
            self.failed += 1

    def summary(self) -> str:
        parts = [f"added {self.added}", f"already archived {self.existing}"]
        if self.same_result:
            parts.append(f"same result from another file {self.same_result}")
        if self.restored:
            parts.append(f"restored {self.restored}")
        parts.append(f"failed {self.failed}")
        if self.reindexed:
            parts.append(f"re-indexed {self.reindexed}")
        return ", ".join(parts)


class ArchiveRecord(_Model):
    """One archived result, as the database knows it."""

    id: str
    sha256: str
    result_id: str
    run_id: str | None = None
    plan_id: str | None = None
    title: str | None = None
    command: str | None = None
    status: str
    success_rate: float
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: float | None = None
    task_count: int = 0
    completed_count: int = 0
    mode: str | None = None
    persona: str | None = None
    language: str | None = None
    tags: list[str] = Field(default_factory=list)
    source: str | None = None
    name: str | None = None
    dialect: str | None = None
    container: str | None = None
    raw_size: int = 0
    stored_size: int = 0
    added_at: datetime
    blob_state: str = "ok"
    indexed: bool = True


class SearchHit(_Model):
    id: str
    result_id: str
    title: str | None = None
    command: str | None = None
    status: str
    success_rate: float
    started_at: datetime | None = None
    score: float | None = None
    fragment: str = ""
    highlights: list[tuple[int, int]] = Field(default_factory=list)
    """Character ranges of the matched terms inside ``fragment``."""
    snippet_field: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def snippet(self) -> str:
        """The fragment with each match wrapped in ``**``."""
        out, last = [], 0
        for start, end in self.highlights:
            out += [self.fragment[last:start], "**", self.fragment[start:end], "**"]
            last = end
        out.append(self.fragment[last:])
        return "".join(out)


class SearchResults(_Model):
    query: str
    total: int
    offset: int
    limit: int
    sort: str
    hits: list[SearchHit] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def __iter__(self) -> Iterator[SearchHit]:  # type: ignore[override]
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


class RateRow(_Model):
    value: str
    runs: int = 0
    tasks: int = 0
    completed: int = 0
    rate: float = 0.0


class DayRow(_Model):
    day: str
    runs: int
    tasks: int
    completed: int
    rate: float
    mean_run_success: float


class ArchiveStats(_Model):
    results: int = 0
    tasks: int = 0
    raw_bytes: int = 0
    stored_bytes: int = 0
    success_by: dict[str, list[RateRow]] = Field(default_factory=dict)
    """Dimension -> rows; rate = completed tasks / tasks."""
    by_day: list[DayRow] = Field(default_factory=list)
    run_durations_ms: Percentiles = Field(default_factory=Percentiles)
    task_durations_ms: dict[str, Percentiles] = Field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows (dimension, value, runs, tasks, completed, rate) for tables and CSV."""
        out: list[dict[str, Any]] = []
        for dim, rows in self.success_by.items():
            out.extend({"dimension": dim, **r.as_dict()} for r in rows)
        out.extend(
            {
                "dimension": "day",
                "value": d.day,
                "runs": d.runs,
                "tasks": d.tasks,
                "completed": d.completed,
                "rate": d.rate,
            }
            for d in self.by_day
        )
        return out


class VerifyProblem(_Model):
    kind: Literal[
        "database",
        "missing_blob",
        "damaged_blob",
        "orphan_blob",
        "not_indexed",
        "stale_index_doc",
        "index",
        "pruning",
        "temp_file",
    ]
    message: str
    id: str | None = None
    sha256: str | None = None
    fixed: bool = False
    repairable: bool = True
    """False when the cause is outside the archive (disk full, read-only, permission)."""

    @property
    def loss(self) -> bool:
        """True when an original is gone (everything else is derived data or leftovers)."""
        return self.kind in ("missing_blob", "damaged_blob", "database") and not self.fixed


class VerifyReport(_Model):
    records: int = 0
    blobs: int = 0
    index_docs: int = 0
    problems: list[VerifyProblem] = Field(default_factory=list)
    repaired: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Nothing is wrong (or everything wrong was fixed)."""
        return all(p.fixed for p in self.problems)

    @property
    def lost(self) -> list[VerifyProblem]:
        return [p for p in self.problems if p.loss]


class PruneReport(_Model):
    matched: int = 0
    pruned: int = 0
    bundle: str | None = None
    bytes_freed: int = 0
    dry_run: bool = False
    ids: list[str] = Field(default_factory=list)


class ExportReport(_Model):
    dest: str
    count: int = 0
    bytes: int = 0


class ReindexReport(_Model):
    documents: int = 0
    skipped: list[str] = Field(default_factory=list)
    seconds: float = 0.0


class OptimizeReport(_Model):
    dict_id: int | None = None
    samples: int = 0
    dict_size: int = 0
    ratio_before: float | None = None
    ratio_after: float | None = None
    recompressed: int = 0
    seconds: float = 0.0


class AtlasEntry(_Model):
    id: str
    path: str | None = None
    sha256: str
    created_at: datetime
    results: int = 0
    since: datetime | None = None
    until: datetime | None = None
    recorded_at: datetime
