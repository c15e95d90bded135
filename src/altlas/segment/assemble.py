"""From segment specs to a plan: tasks, persona, mode, prioritisation and metadata.

:func:`plan_data` builds the plan as canonical JSON data (every field, in the model's order,
exactly what ``Plan.model_validate(data).model_dump(mode="json")`` gives back; a test checks
this), so batch mode can write it without a second pass through pydantic.
:func:`build_plan` validates that data into a :class:`~altlas.formats.plan.Plan`.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from altlas.errors import SegmentationError
from altlas.formats.common import Mode, to_rfc3339
from altlas.formats.plan import Plan, Task
from altlas.segment.analysis import Analysis, SegmentSpec
from altlas.segment.modes import apply_mode, rng_for
from altlas.segment.params import extract_parameters
from altlas.segment.personas import apply_persona, check_persona, priority_for_score
from altlas.segment.priority import config as priority_config
from altlas.segment.priority import prioritize

__all__ = [
    "SegmentSpec",
    "build_plan",
    "check_mode",
    "parse_now",
    "plan_data",
]

# pydantic copies dict fields while validating, so sharing one config dict is safe
_PRIORITY_CONFIG = priority_config()
# Every field of the canonical JSON, in the model's order, with its default.
_PLAN_TEMPLATE = Plan(id="template").model_dump(mode="json")
_TASK_TEMPLATE = Task(id="template").model_dump(mode="json")


def parse_now(now: datetime | str | None) -> datetime:
    """``now`` as an aware datetime (naive means UTC; None means the current time)."""
    if now is None:
        return datetime.now(UTC)
    if isinstance(now, str):
        text = now.strip()
        try:
            now = datetime.fromisoformat(
                text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
            )
        except ValueError:
            raise SegmentationError(f"not an ISO 8601 date-time: {text!r}") from None
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def check_mode(mode: Mode | str, chaos_level: int | None) -> tuple[Mode, int | None]:
    """The mode and its chaos level (5 by default in chaos); an error for bad combinations."""
    if mode is Mode.NORMAL and chaos_level is None:
        return Mode.NORMAL, None
    try:
        chosen = Mode(mode)
    except ValueError:
        names = ", ".join(m.value for m in Mode)
        raise SegmentationError(f"unknown mode '{mode}' (choose from {names})") from None
    if chosen is Mode.CHAOS:
        level = 5 if chaos_level is None else chaos_level
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 10:
            raise SegmentationError(f"chaos level must be an integer from 1 to 10 (got {level!r})")
        return chosen, level
    if chaos_level is not None:
        raise SegmentationError(f"a chaos level needs mode chaos (mode is {chosen.value})")
    return chosen, None


def _tasks(analysis: Analysis, specs: list[SegmentSpec], now: datetime) -> list[dict[str, Any]]:
    command = analysis.command
    tasks = []
    for i, spec in enumerate(specs):
        text = command[spec.start : spec.end]
        seg = spec.segment
        if seg is not None:
            params = extract_parameters(command, analysis.tokens, seg, analysis.language, now)
            meta: dict[str, Any] = {"verb": seg.verb_key} if seg.verb_key else {}
        else:
            params, meta = {}, {}
        task = dict(_TASK_TEMPLATE)
        task["id"] = f"t{i + 1}"
        task["type"] = spec.type
        task["description"] = text
        task["parameters"] = params
        task["dependencies"] = [f"t{j + 1}" for j in spec.dependencies]
        task["confidence"] = round(spec.confidence, 3)
        task["span"] = {"text": text, "start": spec.start, "end": spec.end}
        task["metadata"] = meta
        task["tags"] = []
        task["variables"] = []
        tasks.append(task)
    return tasks


def _plan_id(
    command: str, mode: str, level: int | None, persona: str | None, seed: int | None, stamp: str
) -> str:
    """A random id; with a seed, the same id for the same inputs (reproducible plans)."""
    if seed is None:
        return f"plan_{uuid.uuid4().hex}"
    key = "\x1f".join(map(str, (command, mode, level, persona, seed, stamp)))
    return "plan_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _plan_metadata(
    analysis: Analysis,
    stamp: str,
    order: list[str],
    backend: dict[str, Any] | None,
    seed: int | None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "language_detection": analysis.detection.as_metadata(),
        "backend": "rules",
        "prioritized": True,
        "prioritization_timestamp": stamp,
        "prioritization_config": dict(_PRIORITY_CONFIG),
        "execution_order": order,
        **(backend or {}),
    }
    if seed is not None:
        metadata["seed"] = seed
    return metadata


def plan_data(
    analysis: Analysis,
    specs: list[SegmentSpec],
    *,
    mode: Mode | str = Mode.NORMAL,
    persona: str | None = None,
    seed: int | None = None,
    now: datetime | str | None = None,
    chaos_level: int | None = None,
    backend: dict[str, Any] | None = None,
    user_preferences: dict[str, int] | None = None,
    urgency_level: int | None = None,
    plan_id: str | None = None,
) -> dict[str, Any]:
    """The plan for these specs as canonical JSON data (not yet validated)."""
    chosen, level = check_mode(mode, chaos_level)
    persona_name = None if persona is None else check_persona(persona)
    moment = now if isinstance(now, datetime) and now.tzinfo is not None else parse_now(now)
    tasks = _tasks(analysis, specs, moment)
    if persona_name is not None:
        apply_persona(tasks, persona_name, moment, None if seed is None else rng_for(seed))
    mode_summary = None
    if chosen is not Mode.NORMAL:
        mode_rng = rng_for(seed, analysis.command, chosen.value, level)
        tasks, mode_summary = apply_mode(
            tasks, chosen.value, mode_rng, lang=analysis.language, chaos_level=level
        )
    order = prioritize(
        tasks, moment, urgency_level=urgency_level, user_preferences=user_preferences
    )
    if persona_name == "project_manager":
        for task in tasks:
            task["priority"] = priority_for_score(task["metadata"]["priority_score"])
    stamp = to_rfc3339(moment)
    metadata = _plan_metadata(analysis, stamp, order, backend, seed)
    if mode_summary is not None:
        metadata["applied_mode"] = chosen.value
        metadata[chosen.value] = mode_summary
    if persona_name is not None:
        metadata["applied_persona"] = persona_name
    if plan_id is None:
        plan_id = _plan_id(analysis.command, chosen.value, level, persona_name, seed, stamp)
    data = dict(_PLAN_TEMPLATE)
    data.update(
        id=plan_id,
        command=analysis.command,
        language=analysis.language,
        mode=chosen.value,
        chaos_level=level,
        persona=persona_name,
        created_at=stamp,
        tags=[],
        variables=[],
        functions=[],
        tasks=tasks,
        metadata=metadata,
    )
    return data


def build_plan(analysis: Analysis, specs: list[SegmentSpec], **options: Any) -> Plan:
    """Turn segment specs (from the rules or another backend) into a validated Plan."""
    return Plan.model_validate(plan_data(analysis, specs, **options))
