"""The library entry point: altlas.segment(...) -> Plan."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from altlas.errors import SegmentationError
from altlas.formats.plan import TASK_TYPES, Plan
from altlas.formats.validation import plan_rule_diagnostics
from altlas.segment import segment


def test_the_module_is_callable_and_exports_the_function(now: datetime) -> None:
    """altlas.segment(...) and altlas.segment.segment(...) give the same plan."""
    import altlas

    module = altlas.segment
    assert callable(module)
    a = module("Open the report and summarize it", now=now, seed=1)
    b = altlas.segment.segment("Open the report and summarize it", now=now, seed=1)
    assert isinstance(a, Plan)
    assert a.model_dump() == b.model_dump()


def test_plan_fields(now: datetime) -> None:
    """Ids in order, spans into the command, defaults for mode and persona, created_at = now."""
    command = "Find flights to Rome, then book the cheapest one"
    plan = segment(command, now=now)
    assert plan.command == command
    assert plan.language == "en"
    assert plan.mode.value == "normal"
    assert plan.chaos_level is None
    assert plan.persona is None
    assert plan.created_at == now
    assert [t.id for t in plan.tasks] == ["t1", "t2"]
    for task in plan.tasks:
        assert task.span is not None
        assert command[task.span.start : task.span.end] == task.span.text == task.description
        assert task.type in TASK_TYPES
        assert task.confidence is not None and 0 < task.confidence <= 1
    assert plan.tasks[1].dependencies == ["t1"]
    meta = plan.metadata
    assert meta["backend"] == "rules"
    assert meta["language_detection"]["language"] == "en"
    assert meta["execution_order"] == ["t1", "t2"]
    assert meta["prioritization_config"]["dependency_weight"] == 0.4


def test_language_can_be_forced(now: datetime) -> None:
    """--lang tr segments as Turkish and records that the caller chose it."""
    plan = segment("Raporu aç", language="tr", now=now)
    assert plan.language == "tr"
    assert plan.metadata["language_detection"]["reason"] == "given by the caller"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "wild"}, "unknown mode"),
        ({"mode": "chaos", "chaos_level": 11}, "chaos level"),
        ({"chaos_level": 3}, "needs mode chaos"),
        ({"persona": "pirate"}, "unknown persona"),
        ({"language": "de"}, "unknown language"),
        ({"now": "yesterday"}, "ISO 8601"),
        ({"backend": "magic"}, "unknown backend"),
    ],
)
def test_bad_options_are_segmentation_errors(kwargs: dict[str, object], message: str) -> None:
    """Every bad option is a clear SegmentationError."""
    with pytest.raises(SegmentationError, match=message):
        segment("Open the report", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_command_is_an_error(text: str) -> None:
    """An empty command is refused."""
    with pytest.raises(SegmentationError, match="empty"):
        segment(text)


def test_seed_makes_the_plan_id_reproducible(now: datetime) -> None:
    """With a seed the whole plan, id included, is reproducible."""
    a = segment("Open it and print it", seed=7, now=now, mode="chaos", chaos_level=9)
    b = segment("Open it and print it", seed=7, now=now, mode="chaos", chaos_level=9)
    assert a.model_dump() == b.model_dump()


@pytest.mark.parametrize("fixture", ["extra_path", "fresh_path", "fresh2_path", "fresh3_path"])
def test_every_gold_command_gives_a_valid_plan(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    """All our gold commands produce plans that pass the format's graph rules."""
    path: Path = request.getfixturevalue(fixture)
    for line in path.read_text(encoding="utf-8").splitlines():
        plan = segment(json.loads(line)["command"])
        assert plan_rule_diagnostics(plan) == []


_words = st.sampled_from(
    [
        "Open",
        "the",
        "report",
        "and",
        "then",
        "summarize",
        "it",
        ",",
        "find",
        "hotels",
        "ve",
        "raporu",
        "aç",
        "sonra",
        "özetle",
        "indirip",
        "bunu",
        "gönder",
        ".",
        "yarın",
        "saat",
        "10",
        "Remind",
        "me",
        "to",
        "call",
        "Ali",
        '"x.pdf"',
        "İSTANBUL",
        "ıI",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(min_size=1, max_size=120), st.lists(_words, min_size=1, max_size=25).map(" ".join)
    )
)
def test_any_text_gives_a_valid_plan_or_a_clear_error(text: str) -> None:
    """Any unicode input: never a crash; spans match the command; the graph is a DAG."""
    try:
        plan = segment(text)
    except SegmentationError:
        assert not text.strip()
        return
    assert plan.tasks
    assert plan.command is not None
    for task in plan.tasks:
        assert task.span is not None
        assert plan.command[task.span.start : task.span.end] == task.span.text
    assert plan_rule_diagnostics(plan) == []
