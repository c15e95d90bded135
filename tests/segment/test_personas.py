"""Personas: opt-in, documented, deterministic without a seed."""

from __future__ import annotations

from datetime import datetime

import pytest

from altlas.errors import SegmentationError
from altlas.segment import segment
from altlas.segment.personas import PERSONAS

COMMAND = "Search for papers on graph neural networks, summarize them and write a report"


def test_no_persona_by_default(now: datetime) -> None:
    """No persona: no persona keys anywhere."""
    plan = segment(COMMAND, now=now)
    assert plan.persona is None
    assert all("applied_persona" not in t.metadata for t in plan.tasks)


@pytest.mark.parametrize("persona", PERSONAS)
def test_personas_are_deterministic_without_a_seed(persona: str, now: datetime) -> None:
    """Two runs without a seed give the same plan; types and edges never change."""
    a = segment(COMMAND, persona=persona, now=now)
    b = segment(COMMAND, persona=persona, now=now)
    base = segment(COMMAND, now=now)
    assert a.model_dump(exclude={"id"}) == b.model_dump(exclude={"id"})
    assert [(t.type, t.dependencies) for t in a.tasks] == [
        (t.type, t.dependencies) for t in base.tasks
    ]
    assert a.persona == persona
    assert all(t.metadata["applied_persona"] == persona for t in a.tasks)


def test_documented_effects(now: datetime) -> None:
    """What each persona adds."""
    tech = segment(COMMAND, persona="technical_expert", now=now)
    assert tech.tasks[0].parameters["focus"] == "implementation"
    assert all(t.parameters["detail_level"] == "expert" for t in tech.tasks)
    writer = segment(COMMAND, persona="creative_writer", now=now)
    assert writer.tasks[2].parameters["tone"] == "engaging"
    assert "tone" not in writer.tasks[0].parameters
    research = segment(COMMAND, persona="researcher", now=now)
    assert research.tasks[0].parameters["sources"] == [
        "academic_journals",
        "books",
        "conference_papers",
    ]
    assert research.tasks[1].parameters["include_citations"] is True
    pm = segment(COMMAND, persona="project_manager", now=now)
    assert pm.tasks[0].parameters["deadline"] == "2025-01-07T17:00:00+00:00"
    assert pm.tasks[1].parameters["deadline"] == "2025-01-08T17:00:00+00:00"
    assert all(t.priority is not None for t in pm.tasks)


def test_a_seed_varies_the_picks_reproducibly(now: datetime) -> None:
    """With a seed the persona picks from its lists, the same way each time."""
    picks = {
        segment(COMMAND, persona="researcher", seed=s, now=now).tasks[0].parameters["sources"][0]
        for s in range(12)
    }
    assert len(picks) > 1
    a = segment(COMMAND, persona="researcher", seed=4, now=now)
    b = segment(COMMAND, persona="researcher", seed=4, now=now)
    assert a.model_dump() == b.model_dump()


def test_names_are_normalised_and_unknown_ones_refused() -> None:
    """'Project Manager' is project_manager; 'pirate' is an error naming the choices."""
    assert segment("Open it", persona="Project Manager").persona == "project_manager"
    with pytest.raises(SegmentationError, match="technical_expert"):
        segment("Open it", persona="pirate")
