"""Archive statistics with polars: success rates by dimension and day, duration percentiles.

A success rate is always completed tasks / tasks, the definition a result's own
``success_rate`` uses, aggregated over the runs in the group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from altlas.formats.atlas import Percentiles
from altlas.index.models import ArchiveStats, DayRow, Filters, RateRow
from altlas.index.repository import STAT_RESULT_COLUMNS, STAT_TASK_COLUMNS

if TYPE_CHECKING:
    import polars as pl

    from altlas.index.parts import ArchiveParts

__all__ = ["RUN_DIMENSIONS", "TASK_DIMENSIONS", "compute_stats", "load_frames", "percentiles"]

UNKNOWN = "unknown"
TASK_DIMENSIONS = {"task_type": "type", "handler": "handler"}
RUN_DIMENSIONS = {"mode": "mode", "persona": "persona", "language": "language"}


def load_frames(archive: ArchiveParts, filters: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(results, tasks)`` of the active results matching ``filters``."""
    import polars as pl

    result_rows, task_rows = archive.store.stat_rows(filters)
    results = pl.DataFrame(
        result_rows,
        schema={
            n: pl.Float64
            if n in ("success_rate", "duration_ms")
            else pl.Int64
            if n in ("rid", "ts", "task_count", "completed_count", "raw_size", "stored_size")
            else pl.Utf8
            for n in STAT_RESULT_COLUMNS
        },
        orient="row",
    )
    tasks = pl.DataFrame(
        task_rows,
        schema={
            n: pl.Int64 if n == "rid" else pl.Float64 if n == "duration_ms" else pl.Utf8
            for n in STAT_TASK_COLUMNS
        },
        orient="row",
    )
    return results, tasks


def percentiles(values: pl.Series) -> Percentiles:
    clean = values.drop_nulls()
    if clean.len() == 0:
        return Percentiles()

    def q(p: float) -> float:
        return round(float(clean.quantile(p, interpolation="linear") or 0.0), 3)

    return Percentiles(
        count=clean.len(),
        p50=q(0.5),
        p90=q(0.9),
        p95=q(0.95),
        p99=q(0.99),
        max=round(float(clean.max() or 0.0), 3),  # type: ignore[arg-type]
    )


def task_rates(tasks: pl.DataFrame, column: str) -> list[RateRow]:
    import polars as pl

    if tasks.height == 0:
        return []
    grouped = (
        tasks.with_columns(pl.col(column).fill_null(UNKNOWN).alias("_key"))
        .group_by("_key")
        .agg(
            pl.col("rid").n_unique().alias("runs"),
            pl.len().alias("tasks"),
            (pl.col("status") == "completed").sum().alias("completed"),
        )
        .sort(["tasks", "_key"], descending=[True, False])
    )
    return [_rate_row(r["_key"], r["runs"], r["tasks"], r["completed"]) for r in grouped.to_dicts()]


def run_rates(results: pl.DataFrame, column: str) -> list[RateRow]:
    import polars as pl

    if results.height == 0:
        return []
    grouped = (
        results.with_columns(pl.col(column).fill_null(UNKNOWN).alias("_key"))
        .group_by("_key")
        .agg(
            pl.len().alias("runs"),
            pl.col("task_count").sum().alias("tasks"),
            pl.col("completed_count").sum().alias("completed"),
        )
        .sort(["runs", "_key"], descending=[True, False])
    )
    return [_rate_row(r["_key"], r["runs"], r["tasks"], r["completed"]) for r in grouped.to_dicts()]


def _rate_row(value: Any, runs: int, tasks: int, completed: int) -> RateRow:
    return RateRow(
        value=str(value),
        runs=int(runs),
        tasks=int(tasks),
        completed=int(completed),
        rate=round(completed / tasks, 6) if tasks else 0.0,
    )


def task_durations(tasks: pl.DataFrame) -> dict[str, Percentiles]:
    import polars as pl

    out = {"*": percentiles(tasks["duration_ms"])} if tasks.height else {}
    if tasks.height:
        keyed = tasks.with_columns(pl.col("type").fill_null(UNKNOWN))
        for key in sorted(keyed["type"].unique().to_list()):
            out[str(key)] = percentiles(keyed.filter(pl.col("type") == key)["duration_ms"])
    return out


def compute_stats(archive: ArchiveParts, filters: Filters) -> ArchiveStats:
    import polars as pl

    results, tasks = load_frames(archive, filters)
    stats = ArchiveStats(
        results=results.height,
        tasks=tasks.height,
        raw_bytes=int(results["raw_size"].sum() or 0) if results.height else 0,
        stored_bytes=int(results["stored_size"].sum() or 0) if results.height else 0,
    )
    for dim, column in TASK_DIMENSIONS.items():
        stats.success_by[dim] = task_rates(tasks, column)
    for dim, column in RUN_DIMENSIONS.items():
        stats.success_by[dim] = run_rates(results, column)
    if results.height:
        days = (
            results.with_columns(
                pl.from_epoch(pl.col("ts"), time_unit="us").dt.strftime("%Y-%m-%d").alias("day")
            )
            .group_by("day")
            .agg(
                pl.len().alias("runs"),
                pl.col("task_count").sum().alias("tasks"),
                pl.col("completed_count").sum().alias("completed"),
                pl.col("success_rate").mean().alias("mean_run_success"),
            )
            .sort("day")
        )
        stats.by_day = [
            DayRow(
                day=r["day"],
                runs=r["runs"],
                tasks=r["tasks"],
                completed=r["completed"],
                rate=round(r["completed"] / r["tasks"], 6) if r["tasks"] else 0.0,
                mean_run_success=round(float(r["mean_run_success"]), 6),
            )
            for r in days.to_dicts()
        ]
        stats.run_durations_ms = percentiles(results["duration_ms"])
    stats.task_durations_ms = task_durations(tasks)
    return stats
