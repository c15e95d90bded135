"""Conditions: "if X has ERROR lines, copy them to Y", "eğer … varsa …", "… varsa …".

:func:`split_condition` finds the condition and the action it governs inside one segment;
:func:`ground_condition` turns the condition into a probe operation that always succeeds and
reports a number (``count`` of lines, ``row_count`` of a data query). The action's task then
carries a v2 condition on that number, which the runner evaluates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from altlas.do.context import GroundContext
from altlas.do.ground_text import level_word, lines_with_word
from altlas.do.operations import Operation
from altlas.do.words import existing, folded, has_any, is_table, mentions

__all__ = ["Probe", "ground_condition", "split_condition"]

_EN = re.compile(
    r"^\s*(?:and\s+|then\s+)?(?:only\s+)?(?:if|when|whenever|in case)\s+(?P<cond>.+?)"
    r"(?:\s*,\s*(?:then\s+)?|\s+then\s+)(?P<act>.+)$",
    re.DOTALL,
)
_TR_WORD = r"\w*(?:varsa|yoksa|ise|iyorsa|uyorsa|iyse|uysa|diysa|tiysa|duysa|tuysa|sa|se)"
_TR_EGER = re.compile(r"^\s*(?:ve\s+)?eger\s+(?P<cond>.+?)(?:\s*,\s*|\s+(?=\S))(?P<act>.+)$")
_TR_PLAIN = re.compile(
    r"^(?P<cond>.+?\b\w*(?:varsa|yoksa|iyorsa|uyorsa|ise|bulunuyorsa))\b\s*,?\s*(?P<act>.+)$"
)
_NEGATIVE = (
    r"\b(has no|have no|has not any|doesn'?t have|does not have|there are no|there is no|"
    r"contains no|is empty|are empty|without any)\b",
    r"\byoksa\b",
    r"\bbossa\b",
)


def split_condition(text: str) -> tuple[str, str] | None:
    """(condition words, action words) when the segment is conditional, else None."""
    low = folded(text)
    same = len(low) == len(text)
    match = _EN.match(low)
    if match is None and re.match(r"^\s*(?:ve\s+)?eger\b", low):
        comma = low.find(",")
        if comma > 0:
            cond = text[:comma] if same else low[:comma]
            cond = re.sub(r"^\s*(?:ve\s+)?e[gğ]er\s+", "", cond, flags=re.IGNORECASE)
            return cond.strip(), (text if same else low)[comma + 1 :].strip()
        match = re.match(rf"^\s*(?:ve\s+)?eger\s+(?P<cond>.+?\b{_TR_WORD})\b\s*(?P<act>.+)$", low)
    if match is None:
        match = _TR_PLAIN.match(low)
    if match is None:
        return None
    source = text if same else low
    return (
        source[match.start("cond") : match.end("cond")].strip(),
        source[match.start("act") : match.end("act")].strip(" ,"),
    )


@dataclass(frozen=True, slots=True)
class Probe:
    """What checks a condition, which number of its output decides, and whether none is wanted."""

    operation: Operation
    key: str
    negative: bool
    text: str

    def condition(self, task_id: str) -> dict[str, object]:
        return {
            "operator": "eq" if self.negative else "gt",
            "left": f"{{{{ tasks.{task_id}.output.{self.key} }}}}",
            "right": 0,
        }


def _lines_probe(text: str, ctx: GroundContext) -> Operation | None:
    files = [m for m in mentions(text) if existing(m, ctx)]
    if not files or not has_any(text, r"\b(lines?|entries|satir\w*)\b"):
        return None
    source = files[0]
    if is_table(source):
        return None
    found = lines_with_word(text)
    if found is None:
        return None
    word = level_word(found, source, ctx)
    params = {"operation": "grep", "path": source, "contains": word, "allow_empty": True}
    return Operation("text", params, f"check {source} for lines with '{word}'", "lines")


def ground_condition(text: str, lang: str, ctx: GroundContext) -> Probe | None:
    """The probe for a condition's words, or None when altlas cannot check it."""
    negative = has_any(text, *_NEGATIVE)
    found = _lines_probe(text, ctx)
    if found is not None:
        return Probe(found, "count", negative, text)
    try:
        from altlas.do.ground_data import ground_data_condition
    except ImportError:  # the data family is optional until it lands
        return None
    data = ground_data_condition(text, lang, ctx)
    if data is None:
        return None
    return Probe(data, "row_count", negative, text)
