"""Plan rules: every error collected, each with a field path and the ids involved."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altlas.errors import ValidationError
from altlas.formats.io import check_bytes, read_bytes
from altlas.formats.validation import find_cycles, graph_diagnostics


def plan_bytes(**fields: object) -> bytes:
    data = {"format": "altlas.alt", "format_version": 1, "id": "p1", "command": "x"}
    data.update(fields)
    return orjson.dumps(data)


def messages(raw: bytes) -> list[str]:
    return [d.render() for d in check_bytes(raw).diagnostics]


def test_valid_diamond_has_no_diagnostics() -> None:
    """A diamond a -> (b, c) -> d is a DAG."""
    raw = plan_bytes(
        tasks=[
            {"id": "a"},
            {"id": "b", "dependencies": ["a"]},
            {"id": "c", "dependencies": ["a"]},
            {"id": "d", "dependencies": ["b", "c"]},
        ],
    )
    report = check_bytes(raw)
    assert report.ok
    assert report.diagnostics == []


def test_all_errors_are_collected_with_paths() -> None:
    """Duplicate, unknown, self and cycle errors all come back at once, with exact paths."""
    raw = plan_bytes(
        tasks=[
            {"id": "a", "dependencies": ["c"]},
            {"id": "b", "dependencies": ["a"]},
            {"id": "c", "dependencies": ["b"]},
            {"id": "b"},
            {"id": "d", "dependencies": ["d", "ghost"]},
        ],
    )
    got = messages(raw)
    assert "tasks[3].id: duplicate task id 'b' (first used by tasks[1])" in got
    assert "tasks[4].dependencies[0]: task 'd' depends on itself" in got
    assert "tasks[4].dependencies[1]: task 'd' depends on unknown task 'ghost'" in got
    assert "tasks[0].dependencies: dependency cycle: a -> c -> b -> a" in got
    assert len(got) == 4


def test_cycle_diagnostic_names_ids() -> None:
    """The cycle diagnostic carries the ids on the cycle."""
    diags = graph_diagnostics(
        [{"id": "x", "dependencies": ["y"]}, {"id": "y", "dependencies": ["x"]}],
    )
    assert [d.code for d in diags] == ["cycle"]
    assert diags[0].ids == ("x", "y")


@pytest.mark.parametrize(
    ("mode", "level", "expected"),
    [
        (
            "chaos",
            None,
            "chaos_level must be an integer from 1 to 10 when mode is chaos (got None)",
        ),
        ("Chaos", 0, "chaos_level must be an integer from 1 to 10 when mode is chaos (got 0)"),
        ("chaos", 11, "chaos_level must be an integer from 1 to 10 when mode is chaos (got 11)"),
        ("normal", 3, "chaos_level is only allowed when mode is chaos (mode is normal)"),
        ("dream", 1, "chaos_level is only allowed when mode is chaos (mode is dream)"),
    ],
)
def test_mode_and_chaos_rules(mode: str, level: int | None, expected: str) -> None:
    """chaos needs a level 1-10; other modes must not carry one."""
    assert messages(plan_bytes(mode=mode, chaos_level=level)) == [f"chaos_level: {expected}"]


@pytest.mark.parametrize("level", [1, 5, 10])
def test_chaos_levels_in_range_are_valid(level: int) -> None:
    """Levels 1 to 10 pass in chaos mode."""
    assert check_bytes(plan_bytes(mode="CHAOS", chaos_level=level)).ok


def test_unknown_mode_is_a_structural_error() -> None:
    """An unknown mode names the field and the allowed values."""
    got = messages(plan_bytes(mode="party"))
    assert len(got) == 1
    assert got[0].startswith("mode: Input should be 'normal', 'dream', 'explore' or 'chaos'")


def test_structural_and_graph_errors_together() -> None:
    """A type error elsewhere does not hide graph errors."""
    raw = plan_bytes(
        tasks=[
            {"id": "a", "timeout_seconds": "soon"},
            {"id": "b", "dependencies": ["nope"]},
        ],
    )
    got = messages(raw)
    assert any(m.startswith("tasks[0].timeout_seconds:") for m in got)
    assert "tasks[1].dependencies[0]: task 'b' depends on unknown task 'nope'" in got


def test_unknown_field_is_reported() -> None:
    """Canonical files are strict: a misspelt key is an error at its path."""
    got = messages(plan_bytes(tasks=[{"id": "a", "dependancies": []}]))
    assert got == ["tasks[0].dependancies: unknown field"]


def test_naive_timestamp_is_accepted_with_warning() -> None:
    """A timestamp without a timezone is read as UTC and flagged."""
    loaded = read_bytes(plan_bytes(created_at="2025-05-20T10:00:00"))
    assert loaded.document.created_at.utcoffset().total_seconds() == 0
    assert [w.render() for w in loaded.warnings] == [
        "created_at: warning: timestamp 2025-05-20T10:00:00 has no timezone; assumed UTC",
    ]


def test_offset_timestamp_is_normalised_to_utc() -> None:
    """+03:00 becomes the same instant in UTC, without a warning."""
    loaded = read_bytes(plan_bytes(created_at="2025-05-20T13:00:00+03:00"))
    assert loaded.document.created_at.isoformat() == "2025-05-20T10:00:00+00:00"
    assert loaded.warnings == []


def test_advanced_features_are_exclusive_and_bodies_must_exist() -> None:
    """One control structure per task; loop bodies name real tasks."""
    raw = plan_bytes(
        tasks=[
            {
                "id": "a",
                "loop": {"type": "for_each", "iterable": [1, 2], "body": ["b", "zz"]},
                "function_call": {"function_name": "f"},
            },
            {"id": "b"},
        ],
    )
    got = messages(raw)
    assert (
        "tasks[0]: only one advanced feature (condition, loop, function_def, function_call) "
        "can be used per task; found loop, function_call"
    ) in got
    assert "tasks[0].loop.body[1]: 'zz' is not a task id of this plan" in got


def test_validation_error_lists_every_error() -> None:
    """read_bytes raises one ValidationError that keeps all errors."""
    raw = plan_bytes(tasks=[{"id": "a", "dependencies": ["a"]}, {"id": "a"}])
    with pytest.raises(ValidationError) as info:
        read_bytes(raw, name="bad.alt")
    lines = info.value.lines()
    assert len(lines) == 2
    assert all(line.startswith("bad.alt: tasks[") for line in lines)
    assert "(and 1 more error)" in str(info.value)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=2, max_value=40), st.data())
def test_find_cycles_finds_a_planted_cycle(n: int, data: st.DataObject) -> None:
    """A chain with one back edge always reports a cycle through the back edge."""
    ids = [f"t{i}" for i in range(n)]
    edges = {ids[i]: [ids[i - 1]] for i in range(1, n)}
    lo = data.draw(st.integers(min_value=0, max_value=n - 2))
    hi = data.draw(st.integers(min_value=lo + 1, max_value=n - 1))
    edges.setdefault(ids[lo], []).append(ids[hi])
    cycles = find_cycles(ids, edges)
    assert len(cycles) == 1
    cycle = cycles[0]
    assert cycle[0] == cycle[-1]
    assert set(cycle) == set(ids[lo : hi + 1])


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.randoms(use_true_random=False))
def test_find_cycles_accepts_random_dags(n: int, rnd: object) -> None:
    """Edges that only point backwards in a fixed order never form a cycle."""
    import random

    assert isinstance(rnd, random.Random)
    ids = [f"t{i}" for i in range(n)]
    edges = {ids[i]: [ids[j] for j in range(i) if rnd.random() < 0.3] for i in range(n)}
    assert find_cycles(ids, edges) == []


def test_self_dependency_of_a_duplicate_id_is_still_reported() -> None:
    """The ordered fast path does not hide a self dependency behind a duplicate id."""
    got = messages(plan_bytes(tasks=[{"id": "a"}, {"id": "a", "dependencies": ["a"]}]))
    assert "tasks[1].dependencies[0]: task 'a' depends on itself" in got
    assert "tasks[1].id: duplicate task id 'a' (first used by tasks[0])" in got


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(8))), st.randoms(use_true_random=False))
def test_shuffled_dags_are_valid_in_any_order(order: list[int], rnd: object) -> None:
    """A DAG listed in any order (forward edges included) has no cycle diagnostics."""
    import random

    assert isinstance(rnd, random.Random)
    deps = {i: [j for j in range(i) if rnd.random() < 0.4] for i in range(8)}
    tasks = [{"id": f"t{i}", "dependencies": [f"t{j}" for j in deps[i]]} for i in order]
    assert graph_diagnostics(tasks) == []
