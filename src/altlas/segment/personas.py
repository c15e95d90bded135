"""Personas: documented, deterministic changes to parameters and metadata.

No persona is applied by default. A persona never changes task types, ids or dependencies.
Where a persona picks from a list, it takes the first entry, or a seeded random entry when
``seed`` is given; so without a seed a persona is fully deterministic.

* technical_expert: every task gets ``detail_level: "expert"``; search and analyze tasks get
  ``focus`` (implementation, architecture, framework, methodology, specification);
* creative_writer: create, summarize and transform tasks get ``tone`` (engaging, vivid,
  compelling, immersive, evocative) and ``style: "narrative"``;
* researcher: search and analyze tasks get ``sources`` (three of academic_journals, books,
  conference_papers, reports, articles) and ``citation_style: "APA"``; summarize tasks get
  ``include_citations: true``;
* project_manager: every task gets a ``deadline`` one day per dependency level after ``now``
  (at 17:00), and after prioritisation a ``priority`` (high, medium or low from its score).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from altlas.errors import SegmentationError

__all__ = [
    "PERSONAS",
    "apply_persona",
    "check_persona",
    "priority_for_score",
]

PERSONAS = ("technical_expert", "creative_writer", "researcher", "project_manager")
_FOCUS = ("implementation", "architecture", "framework", "methodology", "specification")
_TONES = ("engaging", "vivid", "compelling", "immersive", "evocative")
_SOURCES = ("academic_journals", "books", "conference_papers", "reports", "articles")


def check_persona(persona: str | None) -> str | None:
    """The persona's canonical name (``Researcher`` -> researcher); an error if unknown."""
    if persona is None:
        return None
    name = persona.strip().lower().replace("-", "_").replace(" ", "_")
    if name in ("", "none"):
        return None
    if name not in PERSONAS:
        raise SegmentationError(f"unknown persona '{persona}' (choose from {', '.join(PERSONAS)})")
    return name


def _pick(options: tuple[str, ...], rng: random.Random | None) -> str:
    return options[0] if rng is None else rng.choice(options)


def _depths(tasks: list[dict[str, Any]]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for task in tasks:
        depth[task["id"]] = 1 + max((depth.get(d, 0) for d in task["dependencies"]), default=-1)
    return depth


def apply_persona(
    tasks: list[dict[str, Any]],
    persona: str,
    now: datetime,
    rng: random.Random | None,
) -> None:
    """Apply ``persona`` to task data in place (``rng`` only when the caller gave a seed)."""
    depth = _depths(tasks) if persona == "project_manager" else {}
    for task in tasks:
        params = task["parameters"]
        ttype = task["type"]
        task["metadata"]["applied_persona"] = persona
        if persona == "technical_expert":
            params["detail_level"] = "expert"
            if ttype in ("search", "analyze"):
                params["focus"] = _pick(_FOCUS, rng)
        elif persona == "creative_writer":
            if ttype in ("create", "summarize", "transform"):
                params["tone"] = _pick(_TONES, rng)
                params["style"] = "narrative"
        elif persona == "researcher":
            if ttype in ("search", "analyze"):
                params["sources"] = list(_SOURCES[:3]) if rng is None else rng.sample(_SOURCES, 3)
                params["citation_style"] = "APA"
            elif ttype == "summarize":
                params["include_citations"] = True
        elif persona == "project_manager":
            due = (now + timedelta(days=depth[task["id"]] + 1)).replace(
                hour=17, minute=0, second=0, microsecond=0
            )
            task["metadata"]["deadline"] = due.isoformat()
            params["deadline"] = due.isoformat()


def priority_for_score(score: float) -> str:
    return "high" if score >= 0.75 else "medium" if score >= 0.6 else "low"
