"""Distilling the archive into an ``.atlas``, and remembering the atlases built.

Per-run digests carry the original archive's success categories (high >= 0.9, medium >= 0.7,
low) and tags (``success:<category>``, ``type:<task type>``, plus the result's own tags).
Failure reasons are grouped by error type and a normalised message, in which numbers, ids,
hashes and timestamps are replaced by placeholders so that "timed out after 31 s" and
"timed out after 45 s" count as one reason.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from altlas.errors import ArchiveNotFoundError
from altlas.formats.atlas import (
    Atlas,
    AtlasSource,
    FailureReason,
    RateStat,
    RunDigest,
    success_category,
)
from altlas.index.models import AtlasEntry, Filters, RateRow
from altlas.index.stats import (
    RUN_DIMENSIONS,
    TASK_DIMENSIONS,
    load_frames,
    percentiles,
    run_rates,
    task_durations,
    task_rates,
)

if TYPE_CHECKING:
    import polars as pl

    from altlas.index.parts import ArchiveParts

__all__ = ["build_atlas", "insert_atlas_row", "list_atlases", "normalise_message", "record_atlas"]

_PATTERNS = (
    (
        re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"),
        "<time>",
    ),
    (
        re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I),
        "<uuid>",
    ),
    (re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b", re.I), "<hex>"),
    (re.compile(r"\d+(\.\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)
_FAILED = ("failed", "timeout", "cancelled")


def normalise_message(message: str) -> str:
    text = message.strip()
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text[:200]


def _stat(row: RateRow) -> RateStat:
    return RateStat(total=row.tasks, completed=row.completed, rate=row.rate)


_DIGEST_COLUMNS = (
    "result_id", "run_id", "plan_id", "title", "command", "status", "success_rate",
    "started_at", "duration_ms", "task_count", "mode", "persona", "language",
)  # fmt: skip


def _digests(results: pl.DataFrame, tasks: pl.DataFrame) -> tuple[list[RunDigest], dict[str, int]]:
    """One digest per result, and how often each tag (own, success:, type:) occurs."""
    import polars as pl

    types_by_rid: dict[int, list[str]] = {}
    if tasks.height:
        grouped = (
            tasks.filter(pl.col("type").is_not_null())
            .group_by("rid")
            .agg(pl.col("type").unique().sort())
        )
        types_by_rid = {r["rid"]: r["type"] for r in grouped.to_dicts()}
    digests: list[RunDigest] = []
    tag_counts: dict[str, int] = {}
    for row in results.to_dicts():
        category = success_category(row["success_rate"])
        kinds = types_by_rid.get(row["rid"], [])
        tags = list(orjson.loads(row["tags"] or "[]"))
        tags += [f"success:{category.value}"] + [f"type:{k}" for k in kinds]
        for tag in tags:
            tag_counts[tag] = tag_counts.get(tag, 0) + 1
        digests.append(
            RunDigest(
                **{k: row[k] for k in _DIGEST_COLUMNS},
                success_category=category,
                task_types=kinds,
                tags=tags,
                metadata={"archive_id": row["id"]},
            )
        )
    return digests, tag_counts


def build_atlas(archive: ArchiveParts, filters: Filters, *, top_failures: int = 20) -> Atlas:
    import polars as pl

    results, tasks = load_frames(archive, filters)
    digests, tag_counts = _digests(results, tasks)
    success_by: dict[str, dict[str, RateStat]] = {}
    for dim, column in TASK_DIMENSIONS.items():
        success_by[dim] = {r.value: _stat(r) for r in task_rates(tasks, column)}
    for dim, column in RUN_DIMENSIONS.items():
        success_by[dim] = {r.value: _stat(r) for r in run_rates(results, column)}
    times = results["ts"] if results.height else None
    source = AtlasSource(
        results=results.height,
        since=filters.since or (_from_micros(int(times.min())) if times is not None else None),  # type: ignore[arg-type]
        until=filters.until or (_from_micros(int(times.max())) if times is not None else None),  # type: ignore[arg-type]
        archive=str(archive.home),
    )
    return Atlas(
        source=source,
        digests=digests,
        success_by=success_by,
        run_durations_ms=percentiles(results["duration_ms"])
        if results.height
        else percentiles(pl.Series([], dtype=pl.Float64)),
        task_durations_ms=task_durations(tasks),
        failures=_failures(results, tasks, top_failures),
        tag_counts=dict(sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        metadata={"filters": filters.as_dict()} if not filters.empty else {},
    )


def _from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, UTC)


def _failures(results: Any, tasks: Any, top: int) -> list[FailureReason]:
    import polars as pl

    if tasks.height == 0:
        return []
    failed = tasks.filter(pl.col("status").is_in(list(_FAILED))).join(
        results.select("rid", "result_id"), on="rid", how="left"
    )
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in failed.iter_rows(named=True):
        kind = row["error_type"] or row["status"]
        message = normalise_message(row["error_message"] or f"task {row['status']}")
        group = groups.setdefault((kind, message), {"count": 0, "types": set(), "examples": []})
        group["count"] += 1
        if row["type"]:
            group["types"].add(row["type"])
        if len(group["examples"]) < 3 and row["result_id"] not in group["examples"]:
            group["examples"].append(row["result_id"])
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1]["count"], kv[0]))[:top]
    return [
        FailureReason(
            error_type=kind,
            message=message,
            count=g["count"],
            task_types=sorted(g["types"]),
            example_result_ids=g["examples"],
        )
        for (kind, message), g in ranked
    ]


def insert_atlas_row(
    archive: ArchiveParts, atlas: Atlas, sha: str, path: Path | None, *, recorded_at: datetime
) -> AtlasEntry:
    entry = AtlasEntry(
        id=atlas.id,
        path=str(path.resolve()) if path else None,
        sha256=sha,
        created_at=atlas.created_at,
        results=atlas.source.results,
        since=atlas.source.since,
        until=atlas.source.until,
        recorded_at=recorded_at,
    )
    archive.store.insert_atlas(entry.as_dict())
    return entry


def record_atlas(archive: ArchiveParts, atlas: Atlas, path: Path | None) -> AtlasEntry:
    from altlas.formats.io import to_bytes
    from altlas.index.extract import sha256_hex

    raw = to_bytes(atlas)
    sha = sha256_hex(raw)
    with archive.lock.held("altlas atlas build"):
        if not archive.blobs.exists(sha):
            frame, _ = archive.blobs.compress(raw, dict_id=0)
            archive.blobs.put_many([(sha, frame)])
        return insert_atlas_row(archive, atlas, sha, path, recorded_at=datetime.now(UTC))


def list_atlases(archive: ArchiveParts) -> list[AtlasEntry]:
    return [AtlasEntry.model_validate(dict(r)) for r in archive.store.atlas_rows()]


def load_recorded(archive: ArchiveParts, key: str) -> Atlas:
    from altlas.formats.io import load_atlas

    sha = archive.store.atlas_sha(key)
    if sha is None:
        raise ArchiveNotFoundError(f"no recorded atlas {key!r}")
    return load_atlas(archive.blobs.get(sha))
