"""``segment(command) -> Plan``: the rule-based analysis and the public entry points."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from altlas.errors import SegmentationError
from altlas.formats.common import Mode
from altlas.formats.plan import Plan
from altlas.segment.analysis import Analysis, SegmentSpec
from altlas.segment.assemble import build_plan, check_mode, plan_data
from altlas.segment.deps import infer_dependencies
from altlas.segment.language import Detection, detect_tokens
from altlas.segment.personas import check_persona
from altlas.segment.segments import Segment
from altlas.segment.split_en import split_en
from altlas.segment.split_tr import split_tr
from altlas.segment.tasktype import inherit_check, refine_type
from altlas.segment.text import Token, relower, tokenize

__all__ = [
    "MAX_COMMAND_CHARS",
    "Analysis",
    "SegmentSpec",
    "analyze",
    "build_plan",
    "clean_command",
    "segment",
    "segment_data",
]

MAX_COMMAND_CHARS = 20_000
LANGUAGES = ("en", "tr")


def clean_command(text: object) -> str:
    """The command as plans store it: NFC-normalised and stripped; an error if empty or huge."""
    if not isinstance(text, str):
        raise SegmentationError(f"a command must be text, not {type(text).__name__}")
    command = text.strip()
    if not command.isascii():
        command = unicodedata.normalize("NFC", command)
    if not command:
        raise SegmentationError("the command is empty")
    if len(command) > MAX_COMMAND_CHARS:
        raise SegmentationError(
            f"the command is {len(command)} characters long (at most {MAX_COMMAND_CHARS})"
        )
    return command


def _detect(command: str, language: str, tokens: list[Token]) -> Detection:
    lang = (language or "auto").strip().lower()
    if lang == "auto":
        return detect_tokens(command, tokens)
    if lang not in LANGUAGES:
        raise SegmentationError(f"unknown language '{language}' (use auto, en or tr)")
    return Detection(lang, {}, 1.0, reason="given by the caller")


def analyze(command: str, language: str = "auto") -> Analysis:
    """Tokens, segments, types and dependencies of an already cleaned command."""
    tokens = tokenize(command, "en")
    detection = _detect(command, language, tokens)
    lang = detection.language
    if lang == "tr":
        relower(tokens, "tr")
    segments = split_en(tokens) if lang == "en" else split_tr(tokens)[0]
    if not segments:
        # only punctuation or filler words: keep the whole command as one segment
        segments = [Segment(0, len(tokens) - 1)] if tokens else []
    for seg in segments:
        refine_type(tokens, seg, lang)
    inherit_check(tokens, segments, lang)
    deps = infer_dependencies(tokens, segments, lang)
    return Analysis(command, lang, detection, tokens, segments, deps)


def segment_data(
    text: str,
    *,
    mode: Mode | str = Mode.NORMAL,
    persona: str | None = None,
    language: str = "auto",
    seed: int | None = None,
    now: datetime | str | None = None,
    chaos_level: int | None = None,
    backend: str = "rules",
    user_preferences: dict[str, int] | None = None,
    urgency_level: int | None = None,
    plan_id: str | None = None,
) -> dict[str, Any]:
    """Like :func:`segment`, but the plan as canonical JSON data (what batch mode writes)."""
    command = clean_command(text)
    # bad options fail before any work (and before a network call)
    mode, chaos_level = check_mode(mode, chaos_level)
    persona = None if persona is None else check_persona(persona)
    choice = (backend or "rules").strip().lower()
    if choice not in ("rules", "llm"):
        raise SegmentationError(f"unknown backend '{backend}' (use rules or llm)")
    analysis = analyze(command, language)
    specs = analysis.specs()
    extra: dict[str, Any] | None = None
    if choice == "llm":
        from altlas.segment.llm import llm_specs

        specs, extra = llm_specs(analysis, specs)
    return plan_data(
        analysis,
        specs,
        mode=mode,
        persona=persona,
        seed=seed,
        now=now,
        chaos_level=chaos_level,
        backend=extra,
        user_preferences=user_preferences,
        urgency_level=urgency_level,
        plan_id=plan_id,
    )


def segment(
    text: str,
    *,
    mode: Mode | str = Mode.NORMAL,
    persona: str | None = None,
    language: str = "auto",
    seed: int | None = None,
    now: datetime | str | None = None,
    chaos_level: int | None = None,
    backend: str = "rules",
    user_preferences: dict[str, int] | None = None,
    urgency_level: int | None = None,
    plan_id: str | None = None,
) -> Plan:
    """Segment a natural-language command (English or Turkish) into a validated plan.

    >>> plan = segment("Find flights, then book the cheapest one", now="2025-01-06T09:00:00Z")
    >>> [(t.id, t.type, t.dependencies) for t in plan.tasks]
    [('t1', 'search', []), ('t2', 'schedule', ['t1'])]
    """
    data = segment_data(
        text,
        mode=mode,
        persona=persona,
        language=language,
        seed=seed,
        now=now,
        chaos_level=chaos_level,
        backend=backend,
        user_preferences=user_preferences,
        urgency_level=urgency_level,
        plan_id=plan_id,
    )
    return Plan.model_validate(data)
