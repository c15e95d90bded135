"""An optional segmenter backed by any OpenAI-compatible chat endpoint.

The call goes through the pool of ``[llm]`` backends (:mod:`altlas.llm`: strategy, fallback,
retries, breakers, cache, budgets, the call log). The single form's keys (``base_url``,
``model``, ``api_key`` as a secret reference, ``timeout_seconds``, ``temperature``,
``max_tokens``) may be overridden key by key by ``[segment]``.
The model answers with JSON segments; the answer is validated (texts must be spans of the
command in order, types one of the eight, dependencies backwards). A timeout, an HTTP or
connection error, or an invalid answer falls back to the rules, and the plan's metadata says
so (``backend: rules``, ``backend_requested: llm``, ``fallback_reason``). Missing
configuration is a ConfigError: that is a mistake to fix, not a failure to hide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel, ConfigDict

from altlas.config import Settings, load_settings
from altlas.errors import ConfigError
from altlas.formats.plan import TASK_TYPES
from altlas.segment.analysis import Analysis, SegmentSpec
from altlas.segment.segments import Segment

if TYPE_CHECKING:
    from altlas.llm.pool import Pool
    from altlas.llm.request import ChatResponse

__all__ = [
    "InvalidAnswer",
    "LLMSettings",
    "llm_settings",
    "llm_specs",
    "parse_answer",
]

SYSTEM_PROMPT = """You split a user's command (English or Turkish) into tasks.
Return only a JSON object: {"language": "en"|"tr", "segments": [{"text": "...", "type": "..."}],
"deps": [[i, j], ...]}.
- A segment is one action with its object and modifiers. Split at and/then/also/finally, ve/sonra/
  ardından/ayrıca/son olarak, at commas between actions and at Turkish converbs (-ip, -arak,
  -dıktan sonra). Never split a noun phrase ("compare sales and costs") or a reminder's content.
- "text" is copied exactly from the command, in order, without the joining words, the final
  punctuation, "please" or "lütfen".
- "type" is one of: search, create, analyze, open, transform, execute, summarize, schedule,
  chosen from the main verb.
- [i, j] means segment i needs segment j first (j < i): after a sequence marker (then, sonra,
  ardından, -dıktan sonra, a converb) or when segment i refers to what j produced (it, them,
  the results, bunu, sonuçları). "and"/"ve" alone give no edge."""


class InvalidAnswer(ValueError):
    """The model's answer is not a usable segmentation."""


class LLMSettings(BaseModel):
    """The ``[llm]`` section (``[segment]`` may override any key)."""

    model_config = ConfigDict(extra="ignore")

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_seconds: float = 20.0
    temperature: float = 0.0
    max_tokens: int = 1024


def _merged_section() -> tuple[Settings, LLMSettings]:
    """The settings with ``[segment]``'s overrides folded into ``[llm]``, and those keys."""
    settings = load_settings()
    merged = dict(settings.raw_section("llm"))
    merged.update(
        {k: v for k, v in settings.raw_section("segment").items() if k in LLMSettings.model_fields}
    )
    folded = Settings(settings.home, {**settings.data, "llm": merged})
    return folded, LLMSettings.model_validate(merged)


def llm_settings() -> LLMSettings:
    return _merged_section()[1]


def _strip_fences(text: str) -> str:
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        if body.rstrip().endswith("```"):
            body = body.rstrip()[:-3]
    return body.strip()


def parse_answer(
    command: str, content: str
) -> tuple[str | None, list[tuple[int, int, str]], list[list[int]]]:
    """(language, [(start, end, type)], deps) from the model's text; InvalidAnswer if unusable."""
    try:
        data = orjson.loads(_strip_fences(content))
    except orjson.JSONDecodeError as exc:
        raise InvalidAnswer(f"the answer is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InvalidAnswer("the answer is not a JSON object")
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, list) or not raw_segments:
        raise InvalidAnswer("the answer has no segments")
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    for i, seg in enumerate(raw_segments):
        if not isinstance(seg, dict):
            raise InvalidAnswer(f"segment {i} is not an object")
        text, ttype = seg.get("text"), seg.get("type", seg.get("task_type"))
        if not isinstance(text, str) or not text.strip():
            raise InvalidAnswer(f"segment {i} has no text")
        if not isinstance(ttype, str) or ttype.strip().lower() not in TASK_TYPES:
            raise InvalidAnswer(f"segment {i} has an unknown type {ttype!r}")
        text = text.strip()
        start = command.find(text, cursor)
        if start < 0:
            raise InvalidAnswer(f"segment {i} text {text!r} is not in the command (in order)")
        spans.append((start, start + len(text), ttype.strip().lower()))
        cursor = start + len(text)
    deps: list[list[int]] = [[] for _ in spans]
    raw_deps = data.get("deps", [])
    if not isinstance(raw_deps, list):
        raise InvalidAnswer("deps is not a list")
    for edge in raw_deps:
        ok = (
            isinstance(edge, list)
            and len(edge) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in edge)
            and 0 <= edge[1] < edge[0] < len(spans)
        )
        if not ok:
            raise InvalidAnswer(f"dependency {edge!r} is not [i, j] with 0 <= j < i < {len(spans)}")
        if edge[1] not in deps[edge[0]]:
            deps[edge[0]].append(edge[1])
    lang = data.get("language")
    return (lang if lang in ("en", "tr") else None), spans, [sorted(d) for d in deps]


def _request(pool: Pool, settings: LLMSettings, command: str) -> ChatResponse:
    from altlas.llm import CallContext, ChatRequest

    request = ChatRequest(
        [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": command},
        ],
        # with a pool of backends a [segment] model pins the backends serving it
        model=settings.model if pool.settings.backends else None,
        params={
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "response_format": {"type": "json_object"},
        },
    )
    return pool.chat_sync(request, CallContext("segmenter"))


def _segment_for_span(analysis: Analysis, start: int, end: int) -> Segment | None:
    """The token range of a character span, with its main verb found by the rules."""
    from altlas.segment.split_en import main_verb_en
    from altlas.segment.split_tr import main_verb_tr, verb_infos

    idx = [k for k, t in enumerate(analysis.tokens) if t.start >= start and t.end <= end]
    if not idx:
        return None
    seg = Segment(idx[0], idx[-1])
    if analysis.language == "en":
        main_verb_en(analysis.tokens, seg)
    else:
        main_verb_tr(analysis.tokens, seg, verb_infos(analysis.tokens))
    return seg


def llm_specs(
    analysis: Analysis,
    fallback: list[SegmentSpec],
    settings: LLMSettings | None = None,
) -> tuple[list[SegmentSpec], dict[str, Any]]:
    """Segment with the model; on any failure return the rules' specs and say why."""
    from altlas.llm import LlmError, get_pool

    folded, merged = _merged_section()
    if settings is not None:  # an explicit one wins over the config's keys
        section = {**folded.raw_section("llm"), **settings.model_dump(exclude_none=True)}
        folded = Settings(folded.home, {**folded.data, "llm": section})
    settings = settings or merged
    pool = get_pool(folded)
    if not pool.configured:
        raise ConfigError(
            "the llm backend needs base_url and model in the [llm] config section "
            "(or [[llm.backends]])"
        )
    try:
        answer = _request(pool, settings, analysis.command)
        _, spans, deps = parse_answer(analysis.command, answer.text)
    except LlmError as exc:
        reason = exc.attempts[-1]["error"] if exc.attempts else exc.message
    except InvalidAnswer as exc:
        reason = f"invalid answer: {exc}"
    else:
        specs = []
        for (start, end, ttype), dep in zip(spans, deps, strict=True):
            seg = _segment_for_span(analysis, start, end)
            if seg is not None:
                seg.type = ttype
            specs.append(SegmentSpec(start, end, ttype, 0.8, dep, seg))
        return specs, {"backend": "llm", "llm_model": answer.model, "llm_backend": answer.backend}
    return fallback, {
        "backend": "rules",
        "backend_requested": "llm",
        "fallback": True,
        "fallback_reason": reason,
        "llm_model": settings.model,
    }
