"""Resolve time expressions ("tomorrow at 10", "next Monday", "yarın saat 10", "pazartesi").

Everything is resolved against ``now`` (timezone-aware) and returned in ``now``'s timezone.
Rules, documented in docs/segmentation.md:

* a weekday means its next occurrence after today ("Monday" on a Monday is a week later);
  "next Monday" means the same; "this Monday" may be today;
* "next week" is next Monday, "next month" the 1st of next month, at 09:00;
* a date without a time is at 09:00; a time without a date is today, or tomorrow if past;
* parts of the day: morning 09:00, noon 12:00, afternoon 14:00, evening 19:00, night 21:00;
* a bare hour from 1 to 7 ("at 5", "saat 5") is taken as pm, unless it is the morning; a
  zero-padded hour ("07:15") is read on a 24-hour clock;
* hours in words follow the same rules: "half past two", "quarter to five", "at seven thirty",
  "üçte", "on birde", "üç buçukta", "dördü çeyrek geçe", "beşe çeyrek kala" (a Turkish hour
  word that is also an ordinary word — "onda", "birde", "beşte" — counts only after "saat" or a
  part of the day).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from altlas.segment.text import fold
from altlas.segment.when_words import hour_of_day, worded_time

__all__ = ["When", "resolve_when"]

_DAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS_TR = ("pazartesi", "sali", "carsamba", "persembe", "cuma", "cumartesi", "pazar")
_MONTHS_EN = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS_TR = (
    "ocak",
    "subat",
    "mart",
    "nisan",
    "mayis",
    "haziran",
    "temmuz",
    "agustos",
    "eylul",
    "ekim",
    "kasim",
    "aralik",
)
_PARTS = {
    "morning": 9,
    "noon": 12,
    "midday": 12,
    "afternoon": 14,
    "evening": 19,
    "tonight": 20,
    "night": 21,
    "midnight": 0,
    "sabah": 9,
    "ogle": 12,
    "oglen": 12,
    "ogleden": 14,
    "aksam": 19,
    "gece": 21,
}
_SUFFIX = r"(?:'?[a-z]*)?"

_RE_EN_TIME = re.compile(
    r"\b(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|o'clock)\b"
    r"|\bat\s+(\d{1,2})(?::(\d{2}))?\b"
    r"|\b(\d{1,2}):(\d{2})\b"
    r"|\b(noon|midnight)\b",
)
_RE_TR_TIME = re.compile(
    r"\b(?:saat\s+)(\d{1,2})(?:[:.](\d{2}))?"
    + _SUFFIX
    + r"|\b(sabah|ogle|oglen|ogleden sonra|aksam|gece)\s+(\d{1,2})(?:[:.](\d{2}))?"
    + _SUFFIX
    + r"|\b(\d{1,2})[:.](\d{2})"
    + _SUFFIX
    + r"|\b(\d{1,2})'(?:d[ae]|t[ae]|y?[ae])\b",
)
_RE_IN = re.compile(
    r"\bin\s+(\d+|an?|one|two|three|four|five|ten)\s+(minute|hour|day|week|month)s?\b"
    r"|\b(\d+|bir|iki|uc|dort|bes|on)\s+(dakika|saat|gun|hafta|ay)\s+(?:sonra|icinde)\b",
)
_WORD_NUM = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "ten": 10,
    "bir": 1,
    "iki": 2,
    "uc": 3,
    "dort": 4,
    "bes": 5,
    "on": 10,
}
_UNITS = {
    "minute": "minutes",
    "dakika": "minutes",
    "hour": "hours",
    "saat": "hours",
    "day": "days",
    "gun": "days",
    "week": "weeks",
    "hafta": "weeks",
    "month": "months",
    "ay": "months",
}


@dataclass(frozen=True)
class When:
    """A resolved time: the datetime, the words it came from, and a recurrence if any."""

    at: datetime
    text: str
    recurrence: str | None = None

    def iso(self) -> str:
        return self.at.isoformat()


def _add_months(day: datetime, months: int, keep_day: bool = False) -> datetime:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last) if keep_day else 1)


_HINT = re.compile(
    r"\d|o'?clock|half past|quarter|past|bucuk|ceyrek|(?:\bsaat\b)|(?:\bat\s+[a-z]+)|"
    r"(?:\b[a-z]+(?:d[ae]|t[ae])\b)|tomorrow|today|tonight|yarin|bugun|obur|morning|noon|afternoon|evening|night|midnight|"
    r"sabah|ogle|aksam|gece|week|month|hafta|ay\b|day|gun|"
    + "|".join(_DAYS_EN + _DAYS_TR + _MONTHS_EN + _MONTHS_TR)
)
_RELATIVE_DAYS = [
    (re.compile(rf"\b{word}"), offset)
    for word, offset in (
        ("day after tomorrow", 2),
        ("obur gun", 2),
        ("tomorrow", 1),
        ("yarin", 1),
        ("today", 0),
        ("tonight", 0),
        ("bugun", 0),
        ("bu aksam", 0),
        ("bu gece", 0),
        ("bu sabah", 0),
    )
]
_WEEKDAY_RES = {
    lang: [
        (
            idx,
            re.compile(
                rf"\b(?:(next|this|coming|every|on|gelecek|onumuzdeki|bu|her)\s+)?{days[idx]}"
            ),
        )
        for idx in sorted(range(7), key=lambda i: -len(days[i]))
    ]
    for lang, days in (("en", _DAYS_EN), ("tr", _DAYS_TR))
}
_MONTH_RES = {
    lang: [
        (
            idx,
            re.compile(
                rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{name}|\b{name}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"
            ),
        )
        for idx, name in enumerate(months)
    ]
    for lang, months in (("en", _MONTHS_EN), ("tr", _MONTHS_TR))
}
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NEXT_PERIOD = [
    (re.compile(r"\bnext week\b|\b(?:gelecek|onumuzdeki) hafta\b|\bhaftaya\b"), "week"),
    (re.compile(r"\bnext month\b|\b(?:gelecek|onumuzdeki) ay\b"), "month"),
]
_PART_RE = re.compile(
    r"\b(morning|noon|midday|afternoon|evening|tonight|night|midnight|sabah\w*|ogleden sonra|"
    r"ogle\w*|aksam\w*|gece\w*)\b"
)


def _mark(hits: list[tuple[int, int]], m: re.Match[str] | None) -> None:
    if m is not None:
        hits.append((m.start(), m.end()))


def resolve_when(text: str, lang: str, now: datetime) -> When | None:
    """The first date/time mentioned in ``text``, resolved against ``now``; None if none."""
    low = fold(text)
    if _HINT.search(low) is None:
        return None
    hits: list[tuple[int, int]] = []
    base = now.replace(second=0, microsecond=0)

    def words() -> str:
        source = text if len(text) == len(low) else low
        spans = sorted(set(hits))
        return " ".join(source[a:b].strip() for a, b in spans)

    m = _RE_IN.search(low)
    if m is not None:
        count = _WORD_NUM.get(m.group(1) or m.group(3) or "", 0) or int(m.group(1) or m.group(3))
        unit = _UNITS[m.group(2) or m.group(4)]
        _mark(hits, m)
        if unit == "months":
            return When(_add_months(base, count, keep_day=True), words())
        return When(base + timedelta(**{unit: count}), words())

    day, recurrence = _day_of(low, lang, base, hits)
    hour, minute = _time_of(low, lang, hits)
    if day is None and hour is None:
        return None
    if day is None:
        at = base.replace(hour=hour or 0, minute=minute)
        if at <= now:
            at += timedelta(days=1)
    else:
        at = day.replace(hour=9 if hour is None else hour, minute=minute if hour is not None else 0)
    return When(at, words(), recurrence)


def _day_of(
    low: str, lang: str, base: datetime, hits: list[tuple[int, int]]
) -> tuple[datetime | None, str | None]:
    """The day named (relative, weekday, month and day, ISO date, next week/month) and its
    recurrence; the words that named it are added to ``hits``."""
    for pattern, offset in _RELATIVE_DAYS:
        m = pattern.search(low)
        if m is not None:
            _mark(hits, m)
            return base + timedelta(days=offset), None
    for idx, pattern in _WEEKDAY_RES["en" if lang == "en" else "tr"]:
        m = pattern.search(low)
        if m is not None:
            ahead = (idx - base.weekday()) % 7
            if ahead == 0 and m.group(1) not in ("this", "bu"):
                ahead = 7
            _mark(hits, m)
            return base + timedelta(days=ahead), (
                "weekly" if m.group(1) in ("every", "her") else None
            )
    for idx, pattern in _MONTH_RES["en" if lang == "en" else "tr"]:
        m = pattern.search(low)
        if m is not None:
            number = int(m.group(1) or m.group(2))
            try:
                candidate = base.replace(month=idx + 1, day=number)
            except ValueError:
                continue
            if candidate.date() < base.date():
                candidate = candidate.replace(year=base.year + 1)
            _mark(hits, m)
            return candidate, None
    m = _ISO_DATE.search(low)
    if m is not None:
        try:
            day = base.replace(year=int(m.group(1)), month=int(m.group(2)), day=int(m.group(3)))
        except ValueError:
            pass
        else:
            _mark(hits, m)
            return day, None
    for pattern, delta in _NEXT_PERIOD:
        m = pattern.search(low)
        if m is not None:
            _mark(hits, m)
            if delta == "week":
                return base + timedelta(days=7 - base.weekday()), None
            return _add_months(base, 1), None
    return None, None


def _clock_time(low: str, lang: str, part: str | None) -> tuple[int, int, re.Match[str]] | None:
    """An hour written with digits ("at 5pm", "17:30", "saat 5'te"), read with the part of
    the day."""
    if lang == "en":
        m = _RE_EN_TIME.search(low)
        if m is None:
            return None
        g = m.groups()
        if g[7]:
            return (12 if g[7] == "noon" else 0), 0, m
        if g[0]:
            return hour_of_day(g[0], part, g[2]), int(g[1] or 0), m
        if g[3]:
            return hour_of_day(g[3], part, None), int(g[4] or 0), m
        return int(g[5]), int(g[6]), m
    m = _RE_TR_TIME.search(low)
    if m is None:
        return None
    g = m.groups()
    if g[0]:
        return hour_of_day(g[0], part, None), int(g[1] or 0), m
    if g[2]:
        return hour_of_day(g[3], g[2], None), int(g[4] or 0), m
    if g[5]:
        return int(g[5]), int(g[6]), m
    return hour_of_day(g[7], part, None), 0, m


def _time_of(low: str, lang: str, hits: list[tuple[int, int]]) -> tuple[int | None, int]:
    """The hour and minute named (digits, words, or only a part of the day); the words that
    named them are added to ``hits``."""
    part = None
    m_part = _PART_RE.search(low)
    if m_part is not None:
        raw = m_part.group(1)
        part = next((p for p in ("ogleden sonra", *_PARTS) if raw.startswith(p)), None)
    hour: int | None = None
    minute = 0
    clock = _clock_time(low, lang, part)
    if clock is not None:
        hour, minute, m = clock
        _mark(hits, m)
    if hour is None:
        worded = worded_time(low, lang, part)
        # "çeyrek geçe" is not "gece" (night): a part of the day inside the hour words is none
        if worded and m_part and worded[2][0] <= m_part.start() < worded[2][1]:
            part, m_part = None, None
            worded = worded_time(low, lang, None)
        if worded is not None:
            hour, minute, span = worded
            hits.append(span)
            if m_part is not None:
                hits.append(_part_span(low, m_part))
    if hour is None and part is not None:
        hour = _PARTS.get(part, 14 if part == "ogleden sonra" else 9)
        _mark(hits, m_part)
    if (hour is not None and not 0 <= hour <= 23) or not 0 <= minute <= 59:
        hour = None
    return hour, minute


def _part_span(low: str, m_part: re.Match[str]) -> tuple[int, int]:
    """The part of the day with its "in the" ("half past two in the afternoon")."""
    start = m_part.start()
    lead = re.search(r"\b(?:in the|this)\s+$", low[:start])
    return (lead.start() if lead else start), m_part.end()
