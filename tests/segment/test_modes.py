"""Dream, explore and chaos: documented effects, reproducible by seed, always a valid DAG."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from altlas.formats.plan import TASK_TYPES
from altlas.formats.validation import plan_rule_diagnostics
from altlas.segment import segment

COMMAND = (
    "Find the cheapest hotels in Rome, compare their ratings, write a report about them, "
    "then email the report to Ana and book the best one"
)


def test_normal_mode_changes_nothing(now: datetime) -> None:
    """Normal mode adds no mode metadata and keeps the rule types."""
    plan = segment(COMMAND, now=now)
    assert "applied_mode" not in plan.metadata
    assert all("applied_mode" not in t.metadata for t in plan.tasks)


def test_dream_adds_style_and_mood_and_may_switch_to_create(now: datetime) -> None:
    """Every task gets style and mood; switched tasks keep their original type."""
    plan = segment(COMMAND, mode="dream", seed=3, now=now)
    assert plan.metadata["applied_mode"] == "dream"
    for task in plan.tasks:
        assert task.parameters["style"] and task.parameters["mood"]
        if "original_task_type" in task.metadata:
            assert task.type == "create"
            assert task.id in plan.metadata["dream"]["switched_to_create"]


def test_explore_adds_alternatives(now: datetime) -> None:
    """Text parameters with a known concept get alternatives; tasks list alternative verbs."""
    plan = segment("Write a report about the data", mode="explore", seed=1, now=now)
    task = plan.tasks[0]
    assert len(task.metadata["alternative_verbs"]) == 3
    assert task.parameters["title_alternatives"]
    assert all(alt != task.parameters["title"] for alt in task.parameters["title_alternatives"])


def test_modes_are_reproducible_by_seed(now: datetime) -> None:
    """Same seed, same plan; another seed, usually another plan."""
    for mode in ("dream", "explore", "chaos"):
        a = segment(COMMAND, mode=mode, seed=11, now=now)
        b = segment(COMMAND, mode=mode, seed=11, now=now)
        assert a.model_dump(exclude={"id"}) == b.model_dump(exclude={"id"})
    plans = {
        str(
            segment(COMMAND, mode="chaos", chaos_level=10, seed=s, now=now).model_dump(
                exclude={"id"}
            )
        )
        for s in range(6)
    }
    assert len(plans) > 1


def test_without_a_seed_modes_are_still_deterministic(now: datetime) -> None:
    """No seed: the generator is seeded from the command, so runs agree."""
    a = segment(COMMAND, mode="chaos", now=now)
    b = segment(COMMAND, mode="chaos", now=now)
    assert a.model_dump(exclude={"id"}) == b.model_dump(exclude={"id"})
    assert a.chaos_level == 5


def test_chaos_records_what_it_changed(now: datetime) -> None:
    """Originals of changed parameters and dependencies are kept in metadata."""
    plan = segment(COMMAND, mode="chaos", chaos_level=10, seed=2, now=now)
    assert plan.metadata["chaos"]["level"] == 10
    assert plan.metadata["chaos"]["events"]
    changed = [t for t in plan.tasks if "original_parameters" in t.metadata]
    assert changed


@settings(max_examples=60, deadline=None)
@given(level=st.integers(1, 10), seed=st.integers(0, 2**32))
def test_chaos_never_yields_cycles_or_dangling_dependencies(level: int, seed: int) -> None:
    """Whatever the level and seed, the plan is a valid DAG with ids t1..tn."""
    plan = segment(COMMAND, mode="chaos", chaos_level=level, seed=seed)
    assert plan_rule_diagnostics(plan) == []
    assert [t.id for t in plan.tasks] == [f"t{i}" for i in range(1, len(plan.tasks) + 1)]
    ids = {t.id for t in plan.tasks}
    for i, task in enumerate(plan.tasks):
        assert task.type in TASK_TYPES
        assert set(task.dependencies) <= ids
        assert all(int(d[1:]) - 1 < i for d in task.dependencies)
