"""Schedule: a reminder with its time resolved to a local date and time."""

from __future__ import annotations

import re
from datetime import datetime

from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import folded, has_any, without_paths

__all__ = ["ground_schedule"]

_REMIND = (
    r"\bremind\w*",
    r"\breminder\b",
    r"\balarm\b",
    r"\bschedule\b",
    r"\bnotify me\b",
    r"\bhatirlat\w*",
    r"\banimsat\w*",
    r"\balarm kur\w*",
)
_GLUE = re.compile(
    r"^(?:please\s+|lutfen\s+)?(?:remind me(?: to)?|set (?:a |an )?(?:reminder|alarm)"
    r"(?: for| to)?|create a reminder(?: for| to)?|schedule)\s+",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r"\s*(?:(?:bana\s+)?hatirlat\w*|hatırlat\w*|animsat\w*|anımsat\w*)\s*[.!?]*$", re.IGNORECASE
)


def _event(text: str, when_words: str) -> str:
    event = text
    for part in when_words.split():
        event = re.sub(rf"(?<!\w){re.escape(part)}(?:'\w+)?(?!\w)", " ", event, count=1)
    event = _TAIL.sub("", _GLUE.sub("", event.strip()))
    event = re.sub(
        r"^(?:(?:at|on|for|to|saat|icin|için)\s+)+", "", event.strip(), flags=re.IGNORECASE
    )
    event = re.sub(r"\s+(?:at|on|for)$", "", event.strip(), flags=re.IGNORECASE)
    return " ".join(event.split()).strip(" ,.") or text.strip()


def ground_schedule(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    """A reminder when the words ask for one; its time is resolved against ``ctx.now``."""
    if not has_any(without_paths(text), *_REMIND):
        return None
    from altlas.segment.when import resolve_when

    now = ctx.now or datetime.now().astimezone()
    found = resolve_when(text, lang, now)
    params: dict[str, object] = {
        "operation": "remind",
        "what": _event(text, found.text if found else ""),
    }
    if found is not None:
        params["when"] = found.at.isoformat()
        params["when_text"] = found.text
        if found.recurrence:
            params["recurrence"] = found.recurrence
    why = f"a reminder ({folded(found.text) if found else 'no time given'})"
    return Operation("schedule", params, why, "value")
