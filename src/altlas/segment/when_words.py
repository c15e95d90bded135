"""Hours written in words ("half past two", "quarter to five", "üçte", "dördü çeyrek geçe").

Split from :mod:`altlas.segment.when`, which calls :func:`worded_time` when no hour in digits
was found; ``hour_of_day`` is the one rule both use to read an hour with its part of the day.
"""

from __future__ import annotations

import re

__all__ = ["hour_of_day", "worded_time"]

_EN_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_EN_HOURS = {word: n for n, word in enumerate((*_EN_WORDS, "eleven", "twelve"), start=1)}
_EN_MINUTES = {"five": 5, "ten": 10, "twenty": 20, "twenty-five": 25, "twenty five": 25}
_EN_H = r"(\d{1,2}|" + "|".join(_EN_HOURS) + ")"
_EN_AMPM = r"(?:\s*(am|pm|a\.m\.|p\.m\.))?"
_RE_EN_WORDED = [
    (re.compile(rf"\bhalf\s+past\s+{_EN_H}\b{_EN_AMPM}"), "half"),
    (re.compile(rf"\b(?:a\s+)?quarter\s+past\s+{_EN_H}\b{_EN_AMPM}"), "qpast"),
    (re.compile(rf"\b(?:a\s+)?quarter\s+to\s+{_EN_H}\b{_EN_AMPM}"), "qto"),
    (
        re.compile(
            rf"\b(twenty[ -]five|twenty|ten|five|\d{{1,2}})\s+(?:minutes\s+)?(past|to)\s+"
            rf"{_EN_H}\b{_EN_AMPM}"
        ),
        "minutes",
    ),
    (
        re.compile(
            r"\b(?:at\s+)?(" + "|".join(_EN_HOURS) + r")(?:\s+(thirty|fifteen|forty[ -]five|"
            r"o'?clock))?(?:\s*(am|pm|a\.m\.|p\.m\.))?\b"
        ),
        "hour",
    ),
]
_TR_HOURS = {
    "on bir": 11,
    "on iki": 12,
    "bir": 1,
    "iki": 2,
    "uc": 3,
    "dort": 4,
    "dord": 4,  # "dördü çeyrek geçe", "dörde çeyrek kala"
    "bes": 5,
    "alti": 6,
    "yedi": 7,
    "sekiz": 8,
    "dokuz": 9,
    "on": 10,
}
_TR_H = r"(" + "|".join(w.replace(" ", r"\s+") for w in _TR_HOURS) + ")"
# a Turkish hour word that is also a common word ("onda" = in it, "birde", "beste")
_TR_AMBIGUOUS = ("bir", "on", "bes")
_RE_TR_WORDED = [
    (re.compile(rf"\b{_TR_H}\s+bucukta\b"), "half"),
    (re.compile(rf"\b{_TR_H}(?:y?[iu])?\s+ceyrek\s+gece\b"), "qpast"),
    (re.compile(rf"\b{_TR_H}(?:y?[ae])?\s+ceyrek\s+kala\b"), "qto"),
    (re.compile(rf"\b{_TR_H}(?:d[ae]|t[ae])\b"), "hour"),
]


def hour_of_day(raw: str, part: str | None, explicit: str | None) -> int:
    value = int(raw)
    if raw.startswith("0") and len(raw) == 2 and not explicit:
        return value  # "07:15" is written on a 24-hour clock: never read as pm
    if explicit in ("pm", "p.m.") and value < 12:
        return value + 12
    if explicit in ("am", "a.m.") and value == 12:
        return 0
    if explicit:
        return value
    if part in ("aksam", "gece", "evening", "night", "tonight", "ogleden sonra", "afternoon"):
        return value + 12 if value < 12 else value
    if part in ("sabah", "morning"):
        return value
    return value + 12 if 1 <= value <= 7 else value


_AFTER_BARE_HOUR = re.compile(
    r"\s+(?!(?:in|on|to|and|tomorrow|today|tonight|this|next|every|for|sharp)\b)[a-z]"
)


def _clock_back(hour: int, minute: int) -> tuple[int, int]:
    """``minute`` minutes before the full ``hour`` ("quarter to one" is 12:45)."""
    return (hour - 1 if hour > 1 else 12), 60 - minute


def worded_time(low: str, lang: str, part: str | None) -> tuple[int, int, tuple[int, int]] | None:
    """An hour written in words: (hour on a 24-hour clock, minute, span in ``low``)."""
    if lang == "en":
        for pattern, kind in _RE_EN_WORDED:
            m = pattern.search(low)
            if m is None:
                continue
            g = m.groups()
            if kind == "minutes":
                hour_word, ampm = g[2], g[3]
                step = _EN_MINUTES.get(g[0].replace("-", " "), 0) or int(
                    g[0] if g[0].isdigit() else 0
                )
                if not 0 < step < 60:
                    continue
                hour = _EN_HOURS.get(hour_word) or int(hour_word)
                hour, minute = (hour, step) if g[1] == "past" else _clock_back(hour, step)
            elif kind == "hour":
                hour, ampm = _EN_HOURS[g[0]], g[2]
                extra = (g[1] or "").replace("-", " ")
                minute = {"thirty": 30, "fifteen": 15, "forty five": 45}.get(extra, 0)
                bare = not extra and not ampm
                if bare and (
                    not m.group(0).startswith("at") or _AFTER_BARE_HOUR.match(low, m.end())
                ):
                    continue  # "two files", "at one file": a bare number word is not a time
            else:
                hour, ampm = _EN_HOURS.get(g[0]) or int(g[0]), g[1]
                minute = {"half": 30, "qpast": 15, "qto": 45}[kind]
                if kind == "qto":
                    hour, minute = _clock_back(hour, 15)
            if not 1 <= hour <= 12:
                continue
            return hour_of_day(str(hour), part, ampm), minute, (m.start(), m.end())
        return None
    for pattern, kind in _RE_TR_WORDED:
        for m in pattern.finditer(low):
            word = " ".join(m.group(1).split())
            if kind == "hour" and word in _TR_AMBIGUOUS:
                before = low[: m.start()].split()[-1:]
                if part is None and before != ["saat"]:
                    continue
            hour = _TR_HOURS[word]
            minute = {"half": 30, "qpast": 15, "qto": 45, "hour": 0}[kind]
            if kind == "qto":
                hour, _ = _clock_back(hour, 15)
            return hour_of_day(str(hour), part, None), minute, (m.start(), m.end())
    return None
