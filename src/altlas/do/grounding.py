"""One segment's words to one operation: the families in order, then an honest refusal."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from altlas.do.context import GroundContext
from altlas.do.ground_chain import ground_chain
from altlas.do.ground_command import ground_command
from altlas.do.ground_files import ground_files
from altlas.do.ground_refuse import ground_refuse
from altlas.do.ground_schedule import ground_schedule
from altlas.do.ground_search import ground_search
from altlas.do.ground_text import ground_text
from altlas.do.operations import Operation

__all__ = ["FAMILIES", "ground_segment", "unknown"]

Family = Callable[[str, str, GroundContext], Operation | None]


def _data(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    try:
        from altlas.do.ground_data import ground_data
    except ImportError:  # the data family is optional until it lands
        return None
    return ground_data(text, lang, ctx)


FAMILIES: tuple[tuple[str, Family], ...] = (
    # an explicit command first: its text may contain any other family's words
    ("command", ground_command),
    # a reminder may mention e-mail or calls ("remind me to call Bob"): before the refusals
    ("schedule", ground_schedule),
    ("refuse", ground_refuse),
    ("chain", ground_chain),
    ("text", ground_text),
    ("files", ground_files),
    ("data", _data),
    ("search", ground_search),
)


def unknown(text: str) -> Operation:
    reason = (
        f"altlas could not tell what to do with '{text.strip()}': no operation it knows "
        "matches these words (docs/do.md lists what it can do)"
    )
    return Operation("refuse", {"reason": reason, "kind": "unknown"}, "no family matched")


def ground_segment(text: str, lang: str, ctx: GroundContext) -> Operation:
    """The first family's operation for ``text``; a refusal naming the words when none fits.

    When no family knows the words, a verb from another operation's lexicon ("tally",
    "duplicate", "ayıkla") is read as that operation's own verb and the words grounded again.
    """
    found = _first(text, lang, ctx)
    if found is not None:
        return _llm_fallback(text, lang, ctx, found)
    from altlas.do.verbs import rewrites

    for new_text, word, canonical in rewrites(text, lang):
        again = _first(new_text, lang, ctx)
        if again is not None and again.handler != "refuse":
            return replace(again, why=f"{again.why} ('{word}' read as '{canonical}')")
    return _llm_fallback(text, lang, ctx, unknown(text))


def _first(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    for name, family in FAMILIES:
        try:
            found = family(text, lang, ctx)
        except Exception as exc:  # a rule's bug must not become a traceback or a wrong guess
            if os.environ.get("ALTLAS_DEBUG", "").strip().lower() not in ("", "0", "false", "no"):
                raise
            reason = (
                f"altlas failed on '{text.strip()}' in its {name} rules "
                f"({type(exc).__name__}: {exc}); nothing was run; please report this"
            )
            return Operation("refuse", {"reason": reason, "kind": "internal"}, f"{name} failed")
        if found is not None:
            return found
    return None


def _llm_fallback(text: str, lang: str, ctx: GroundContext, op: Operation) -> Operation:
    """A refusal the LLM planner may take over when a pool is configured (docs/llm.md)."""
    if op.handler != "refuse" or op.params.get("kind") not in ("unknown", "translate"):
        return op
    from altlas.llm.planner import llm_ground

    return llm_ground(text, lang, ctx, op)
