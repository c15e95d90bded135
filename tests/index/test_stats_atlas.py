"""Statistics (polars) and atlas building, against numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from altlas.formats import io
from altlas.formats.atlas import Atlas
from altlas.index import Archive, Filters
from altlas.index.atlas import normalise_message


@pytest.fixture
def known(archive: Archive, mkresult) -> Archive:
    day = datetime(2025, 5, 1, 9, tzinfo=UTC)
    archive.add_result(
        mkresult(
            "a",
            ["completed", "completed", "failed"],
            types=["search", "search", "execute"],
            started=day,
            mode="normal",
            persona="researcher",
            language="en",
            tags=["x"],
            errors=[("TimeoutError", "task timed out after 31 s")],
            durations=[10, 20, 30],
        )
    )
    archive.add_result(
        mkresult(
            "b",
            ["completed", "timeout"],
            types=["execute", "execute"],
            started=day,
            mode="dream",
            persona=None,
            language="tr",
            tags=["x", "y"],
            errors=[("TimeoutError", "task timed out after 45 s")],
            durations=[40, 50],
        )
    )
    archive.add_result(
        mkresult(
            "c",
            [
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "completed",
                "failed",
            ],
            types=["summarize"] * 9 + ["open"],
            started=day + timedelta(days=1),
            mode="normal",
            persona="researcher",
            language="en",
            errors=[("HTTPError", "GET https://x.example/api/7 returned 503")],
            durations=[5.0] * 10,
        )
    )
    return archive


def _rows(stats, dim):
    return {r.value: (r.runs, r.tasks, r.completed) for r in stats.success_by[dim]}


def test_stats_by_every_dimension(known: Archive) -> None:
    stats = known.stats()
    assert (stats.results, stats.tasks) == (3, 15)
    assert _rows(stats, "task_type") == {
        "search": (1, 2, 2),
        "execute": (2, 3, 1),
        "summarize": (1, 9, 9),
        "open": (1, 1, 0),
    }
    assert _rows(stats, "handler") == {"echo": (3, 15, 12)}
    assert _rows(stats, "mode") == {"normal": (2, 13, 11), "dream": (1, 2, 1)}
    assert _rows(stats, "persona") == {"researcher": (2, 13, 11), "unknown": (1, 2, 1)}
    assert _rows(stats, "language") == {"en": (2, 13, 11), "tr": (1, 2, 1)}
    execute = next(r for r in stats.success_by["task_type"] if r.value == "execute")
    assert execute.rate == pytest.approx(1 / 3)
    days = {d.day: (d.runs, d.tasks, d.completed) for d in stats.by_day}
    assert days == {"2025-05-01": (2, 5, 3), "2025-05-02": (1, 10, 9)}
    assert stats.task_durations_ms["execute"].p50 == pytest.approx(40.0)
    assert stats.task_durations_ms["*"].max == 50.0 and stats.task_durations_ms["*"].count == 15
    assert stats.run_durations_ms.count == 3
    assert stats.raw_bytes > stats.stored_bytes > 0
    narrowed = known.stats(Filters(lang="tr"))
    assert narrowed.results == 1 and narrowed.tasks == 2
    assert {r["dimension"] for r in stats.rows()} >= {"task_type", "mode", "day"}


def test_atlas_digests_rates_failures_and_tags(known: Archive) -> None:
    atlas = known.build_atlas()
    assert atlas.source.results == 3
    digests = {d.result_id: d for d in atlas.digests}
    assert digests["c"].success_category.value == "high"  # 0.9
    assert digests["a"].success_category.value == "low"  # 0.667
    assert digests["b"].success_category.value == "low"  # 0.5
    assert digests["a"].tags == ["x", "success:low", "type:execute", "type:search"]
    assert atlas.success_by["task_type"]["execute"].total == 3
    assert atlas.success_by["task_type"]["execute"].completed == 1
    assert atlas.success_by["language"]["tr"].rate == pytest.approx(0.5)
    assert set(atlas.success_by) == {"task_type", "handler", "mode", "persona", "language"}
    top = atlas.failures[0]
    assert (top.error_type, top.message, top.count) == (
        "TimeoutError",
        "task timed out after <n> s",
        2,
    )
    assert top.task_types == ["execute"] and sorted(top.example_result_ids) == ["a", "b"]
    assert atlas.failures[1].message == "GET https://x.example/api/<n> returned <n>"
    assert atlas.tag_counts["success:low"] == 2 and atlas.tag_counts["type:execute"] == 2
    assert atlas.tag_counts["x"] == 2 and atlas.tag_counts["success:high"] == 1
    assert atlas.run_durations_ms.count == 3


def test_atlas_since_and_validation(known: Archive, tmp_path: Path) -> None:
    later = known.build_atlas("2025-05-02")
    assert [d.result_id for d in later.digests] == ["c"]
    path = io.write(later, tmp_path / "k.atlas")
    report = io.check(path)
    assert report.ok, report.diagnostics
    assert isinstance(io.load_atlas(path), Atlas)


def test_record_and_list_atlases(known: Archive, tmp_path: Path) -> None:
    first = known.build_atlas()
    known.record_atlas(first, tmp_path / "one.atlas")
    second = known.build_atlas("2025-05-02")
    known.record_atlas(second)
    listed = known.list_atlases()
    assert {e.id for e in listed} == {first.id, second.id}
    assert known.atlas(first.id) == first
    assert known.verify().ok  # atlas blobs are not orphans


def test_atlas_of_an_empty_archive(archive: Archive) -> None:
    atlas = archive.build_atlas()
    assert atlas.source.results == 0 and atlas.digests == [] and atlas.failures == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("timed out after 31.5 s", "timed out after <n> s"),
        ("run 6f1c2b3a-9d8e-4f70-8a1b-2c3d4e5f6a7b failed", "run <uuid> failed"),
        ("commit 0123456789abcdef0 missing", "commit <hex> missing"),
        ("at 2025-05-01T10:00:00Z   the  db\nfell over", "at <time> the db fell over"),
        ("plain words stay", "plain words stay"),
    ],
)
def test_failure_messages_are_normalised(raw: str, expected: str) -> None:
    assert normalise_message(raw) == expected
