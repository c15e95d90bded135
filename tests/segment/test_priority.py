"""The original's priority score, with prerequisites executed first."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from altlas.segment import segment
from altlas.segment.priority import WEIGHTS, prioritize


def task(
    tid: str, deps: list[str], ttype: str = "search", conf: float = 0.9, **meta: Any
) -> dict[str, Any]:
    return {
        "id": tid,
        "type": ttype,
        "description": tid,
        "dependencies": deps,
        "confidence": conf,
        "parameters": {},
        "metadata": dict(meta),
    }


def test_weights_are_the_originals() -> None:
    """0.4 dependency, 0.3 urgency, 0.2 preference, 0.1 confidence."""
    assert WEIGHTS == {"dependency": 0.4, "urgency": 0.3, "user_preference": 0.2, "confidence": 0.1}


def test_score_formula(now: datetime) -> None:
    """A task with no deps, default urgency and preference: 0.4 + 0.15 + 0.1 + 0.1*conf."""
    tasks = [task("t1", []), task("t2", ["t1"])]
    prioritize(tasks, now)
    assert tasks[0]["metadata"]["priority_score"] == round(0.4 + 0.15 + 0.1 + 0.09, 3)
    # one dependency out of n-1 = 1: dependency factor 0
    assert tasks[1]["metadata"]["dependency_factor"] == 0.0


def test_prerequisites_come_first_even_with_lower_scores(now: datetime) -> None:
    """A chain t1 <- t2 <- t3 runs 1, 2, 3 (the original numbered it 3, 2, 1)."""
    tasks = [task("t1", [], conf=0.1), task("t2", ["t1"]), task("t3", ["t2"], urgency="high")]
    order = prioritize(tasks, now)
    assert order == ["t1", "t2", "t3"]
    assert [t["metadata"]["execution_order"] for t in tasks] == [1, 2, 3]


def test_ready_tasks_go_by_score(now: datetime) -> None:
    """Independent tasks: the more urgent, preferred one runs first."""
    tasks = [task("t1", [], ttype="open"), task("t2", [], ttype="execute", urgency="high")]
    assert prioritize(tasks, now, user_preferences={"execute": 9}) == ["t2", "t1"]


def test_deadlines_raise_urgency(now: datetime) -> None:
    """Past due is 10; under a week, 10 minus the days left."""
    late = task("t1", [], deadline=(now - timedelta(days=1)).isoformat())
    soon = task("t2", [], deadline=(now + timedelta(days=2, hours=1)).isoformat())
    prioritize([late, soon], now)
    assert late["metadata"]["urgency_factor"] == 1.0
    assert soon["metadata"]["urgency_factor"] == 0.8


def test_urgent_words_count(now: datetime) -> None:
    """'urgently' / 'acil' make a task high urgency."""
    plan = segment("Urgently restart the server", now=now)
    assert plan.tasks[0].metadata["urgency_factor"] == 0.8


def test_plans_carry_the_original_metadata_keys(now: datetime) -> None:
    """Per task the factors, score and order; per plan the config and order."""
    plan = segment("Open the file, then print it", now=now)
    keys = {
        "priority_score",
        "dependency_factor",
        "urgency_factor",
        "user_preference_factor",
        "confidence_factor",
        "execution_order",
    }
    assert all(keys <= set(t.metadata) for t in plan.tasks)
    assert plan.metadata["prioritized"] is True
    assert plan.metadata["execution_order"] == ["t1", "t2"]
