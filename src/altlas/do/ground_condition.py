"""Conditions: "if X has ERROR lines, copy them to Y", "eğer … varsa …", "… varsa …".

:func:`split_condition` finds the condition and the action it governs inside one segment;
:func:`ground_condition` turns the condition into a probe operation that always succeeds and
reports a number (``count`` of lines, ``row_count`` of a data query). The action's task then
carries a v2 condition on that number, which the runner evaluates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from altlas.do.context import GroundContext
from altlas.do.ground_text import level_word, lines_with_word
from altlas.do.operations import Operation
from altlas.do.words import (
    existing,
    file_by_words,
    folded,
    has_any,
    is_table,
    mentions,
    quoted,
)

__all__ = ["Probe", "ground_condition", "split_condition"]

_EN = re.compile(
    r"^\s*(?:and\s+|then\s+)?(?:only\s+)?(?:if|when|whenever|in case)\s+(?P<cond>.+?)"
    r"(?:\s*,\s*(?:then\s+)?|\s+then\s+)(?P<act>.+)$",
    re.DOTALL,
)
_TR_WORD = r"\w*(?:varsa|yoksa|ise|iyorsa|uyorsa|iyse|uysa|diysa|tiysa|duysa|tuysa|sa|se)"
_TR_PLAIN = re.compile(
    r"^(?P<cond>.+?\b\w*(?:varsa|yoksa|iyorsa|uyorsa|ise|bulunuyorsa|bossa|doluysa|mevcutsa|"
    r"fazlaysa|azsa|buyukse|kucukse|gecerse|asarsa))\b\s*,?\s*(?P<act>.+)$"
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
    operator: str = "gt"
    value: int = 0

    def condition(self, task_id: str) -> dict[str, object]:
        left = f"{{{{ tasks.{task_id}.output.{self.key} }}}}"
        if self.negative:
            return {"operator": "eq", "left": left, "right": 0}
        return {"operator": self.operator, "left": left, "right": self.value}


_THRESHOLD_EN = re.compile(
    r"\b(more than|over|greater than|above|at least|fewer than|less than|under|below|at most|"
    r"exactly)\s+(\d+)\b"
)
_THRESHOLD_TR = re.compile(r"\b(\d+)'?\w*\s+(?:tane(?:den|dan)?\s+)?(fazla|cok|az|eksik)\b")
_EN_OPS = {
    "more than": "gt", "over": "gt", "greater than": "gt", "above": "gt", "at least": "gte",
    "fewer than": "lt", "less than": "lt", "under": "lt", "below": "lt", "at most": "lte",
    "exactly": "eq",
}  # fmt: skip


def threshold(text: str) -> tuple[str, int] | None:
    """ "more than 5" -> (gt, 5); "5'ten fazla" -> (gt, 5); None when no count is given."""
    low = folded(text)
    match = _THRESHOLD_EN.search(low)
    if match is not None:
        return _EN_OPS[match.group(1)], int(match.group(2))
    match = _THRESHOLD_TR.search(low)
    if match is not None:
        return ("gt" if match.group(2) in ("fazla", "cok") else "lt"), int(match.group(1))
    return None


_MENTIONS = re.compile(
    r"\b(?:mentions?|contains?|includes?|says?|has the word)\s+(?:the word\s+)?['\"]?([\w.:-]+)"
)
_EXISTS = (r"\bexists?\b", r"\bis there\b", r"\bvarsa\b", r"\bmevcutsa\b", r"\bbulunuyorsa\b")


def _named_file(text: str, ctx: GroundContext) -> str | None:
    files = [m for m in mentions(text) if existing(m, ctx)]
    return files[0] if files else file_by_words(text, ctx)


def _empty_probe(text: str, ctx: GroundContext) -> Probe | None:
    """ "if todo.txt is empty" / "todo.txt boşsa": no words in it (negated: "is not empty")."""
    source = _named_file(text, ctx)
    if source is None or is_table(source):
        return None
    not_empty = has_any(text, r"\b(is not|isn'?t) empty\b", r"\bbos degilse\b", r"\bdoluysa\b")
    if not not_empty and not has_any(text, r"\bis empty\b", r"\bbossa\b", r"\bbos ise\b"):
        return None
    op = Operation(
        "text", {"operation": "count_words", "path": source}, f"check {source} for words"
    )
    return Probe(op, "count", not not_empty, text)


_ROWS = (
    r"(?:rows?|records?|entries|items?|orders?|products?|customers?|lines?|"
    r"satir\w*|kayit\w*|urun\w*|siparis\w*|musteri\w*)"
)
_ROW_LIMIT_EN = re.compile(rf"\b({'|'.join(_EN_OPS)})\s+(\d+)\s+{_ROWS}")
_ROW_LIMIT_TR = re.compile(
    rf"\b(\d+)'?\w*\s+(?:{_ROWS}\s*(?:dan|den|tan|ten)?\s+(fazla|az)|(?:tane(?:den|dan)?\s+)?"
    rf"(fazla|az)\s+{_ROWS})"
)


def row_threshold(text: str) -> tuple[str, int] | None:
    """ "more than 100 rows", "100'den fazla satır": a limit on how many rows there are."""
    low = folded(text)
    match = _ROW_LIMIT_EN.search(low)
    if match is not None:
        return _EN_OPS[match.group(1)], int(match.group(2))
    match = _ROW_LIMIT_TR.search(low)
    if match is not None:
        word = match.group(2) or match.group(3)
        return ("gt" if word == "fazla" else "lt"), int(match.group(1))
    return None


def _lines_probe(text: str, ctx: GroundContext) -> Operation | None:
    source = _named_file(text, ctx)
    if source is None:
        return None
    if is_table(source):
        return None
    low = folded(text)
    found = lines_with_word(text) if re.search(r"\b(lines?|entries|satir\w*)\b", low) else None
    if found is None:
        quotes = quoted(text)
        named = _MENTIONS.search(low)
        if quotes and has_any(text, r"\b(mention|contain|include|say|gec|icer)\w*"):
            found = quotes[0]
        elif named is not None:
            found = named.group(1)
    if found is None:
        return None
    word = level_word(found, source, ctx)
    params = {"operation": "grep", "path": source, "contains": word, "allow_empty": True}
    return Operation("text", params, f"check {source} for lines with '{word}'", "lines")


def _exists_probe(text: str, ctx: GroundContext) -> Operation | None:
    """ "if out/report.txt exists" / "out/report.txt varsa": a listing of that one name."""
    found = mentions(text)
    if len(found) != 1 or not has_any(text, *_EXISTS) or found[0].endswith("/"):
        return None
    rest = folded(text.replace(found[0], " ")).split()
    fillers = {"the", "file", "a", "dosyasi", "dosya", "adli", "adinda", "there", "is", "if"}
    if len([w for w in rest if w not in fillers and not re.match(r"^'?\w{0,3}$", w)]) > 2:
        return None  # more is said about the file than that it exists: not an existence check
    path = PurePosixPath(found[0])
    parent = str(path.parent)
    params = {"operation": "list", "path": parent, "pattern": path.name}
    if not (ctx.workspace / parent).is_dir():
        params = {"operation": "list", "path": ".", "pattern": found[0]}
    return Operation("files", params, f"check whether {found[0]} exists", "files")


def ground_condition(text: str, lang: str, ctx: GroundContext) -> Probe | None:
    """The probe for a condition's words, or None when altlas cannot check it."""
    negative = has_any(text, *_NEGATIVE) or has_any(
        text, r"\b(does not|doesn'?t|do not|don'?t) exist", r"\byoksa\b", r"\bmevcut degilse\b"
    )
    found = _lines_probe(text, ctx)
    if found is not None:
        limit = threshold(text)
        if limit is not None:
            return Probe(found, "count", False, text, *limit)
        return Probe(found, "count", negative, text)
    empty = _empty_probe(text, ctx)
    if empty is not None:
        return empty
    exists = _exists_probe(text, ctx)
    if exists is not None and not has_any(text, r"\b(rows?|records?|items?|satir|kayit|urun)\w*"):
        return Probe(exists, "count", negative, text)
    try:
        from altlas.do.ground_data import ground_data_condition
    except ImportError:  # the data family is optional until it lands
        return None
    data = ground_data_condition(text, lang, ctx)
    limit = row_threshold(text)
    if data is None and limit is not None:
        table = _named_file(text, ctx)
        if table is not None and is_table(table):
            # "if sales.csv has more than 100 rows": the rows of the whole table are counted
            params = {"operation": "query", "source": table, "steps": [], "answer": "count"}
            data = Operation("data", params, f"count the rows of {table}", "value")
    if data is None:
        return None
    if limit is not None:
        return Probe(data, "row_count", False, text, *limit)
    return Probe(data, "row_count", negative, text)
