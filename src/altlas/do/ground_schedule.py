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
_POLITE = (
    r"(?:please|kindly|could you|can you|would you|will you|could you please|can you please|"
    r"would you please|i'?d like you to|i want you to|i need you to|i'?d like to|lutfen|"
    r"l[üu]tfen)"
)
_GLUE = re.compile(
    rf"^(?:{_POLITE}\s+)*(?:remind me(?: to| about| of)?|set (?:up )?(?:a |an |me a )?"
    r"(?:reminder|alarm)(?: for| to| about| that says)?|create (?:a |an )?(?:reminder|alarm)"
    r"(?: for| to| about)?|add (?:a )?reminder(?: for| to| about)?|schedule(?: a reminder)?"
    r"(?: for| to)?|remember me to)\s*[:,-]?\s+",
    re.IGNORECASE,
)
_POLITE_TAIL = re.compile(
    r"[\s,]*(?:,?\s*please|for me|thanks|thank you|misin|m[iı]s[iı]n[iı]z|l[üu]tfen)\s*[.!?]*$",
    re.IGNORECASE,
)
# day-part words that may be left over once the time itself was read
_DAY_PART = re.compile(
    r"\b(?:in the (?:morning|afternoon|evening)|at (?:night|noon|midnight)|tonight|"
    r"o'?clock|a\.m\.|p\.m\.|[öo][gğ]leden sonra|sabah(?:leyin)?|ak[sş]am(?:[uı]st[uü])?)"
    r"(?=\s|[,.!?:]|$)",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r"\s*(?:bana\s+)?(?:hatirlat\w*|hatırlat\w*|animsat\w*|anımsat\w*)(?:\s+bana)?\s*[.!?]*$",
    re.IGNORECASE,
)


def _event(text: str, when_words: str) -> str:
    event = text
    for part in when_words.split():
        event = re.sub(rf"(?<!\w){re.escape(part)}(?:'\w+)?(?!\w)", " ", event, count=1)
    if when_words:
        event = _DAY_PART.sub(" ", event)
    event = _TAIL.sub("", _GLUE.sub("", " ".join(event.split())))
    event = _POLITE_TAIL.sub("", event)
    event = re.sub(rf"^(?:{_POLITE}\s+)+", "", event.strip(), flags=re.IGNORECASE)
    event = re.sub(
        # "remind me the day after tomorrow to …": the article of the time words goes too
        r"^(?:the\s+(?=(?:at|on|for|to)\s)|(?:at|on|for|to|saat|icin|için|bana)\s+)+",
        "",
        event.strip(),
        flags=re.IGNORECASE,
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
