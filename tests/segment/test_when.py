"""Dates and times resolved against now, in English and Turkish."""

from __future__ import annotations

from datetime import datetime

import pytest

from altlas.segment.when import resolve_when

# now = Monday 2025-01-06 09:00 UTC


RULES = [
    ("tomorrow at 10", "en", "2025-01-07T10:00:00+00:00"),
    ("next Monday", "en", "2025-01-13T09:00:00+00:00"),
    ("this Monday at 5 pm", "en", "2025-01-06T17:00:00+00:00"),
    ("Friday afternoon", "en", "2025-01-10T14:00:00+00:00"),
    ("on June 3", "en", "2025-06-03T09:00:00+00:00"),
    ("at 6 pm", "en", "2025-01-06T18:00:00+00:00"),
    ("at 5", "en", "2025-01-06T17:00:00+00:00"),
    ("in 2 hours", "en", "2025-01-06T11:00:00+00:00"),
    ("next month", "en", "2025-02-01T09:00:00+00:00"),
    ("yarın saat 10", "tr", "2025-01-07T10:00:00+00:00"),
    ("pazartesi", "tr", "2025-01-13T09:00:00+00:00"),
    ("cuma akşamı", "tr", "2025-01-10T19:00:00+00:00"),
    ("12 Temmuz sabahına", "tr", "2025-07-12T09:00:00+00:00"),
    ("akşam 7'de", "tr", "2025-01-06T19:00:00+00:00"),
    ("yarin sabah 8'e", "tr", "2025-01-07T08:00:00+00:00"),
    ("3 gün sonra", "tr", "2025-01-09T09:00:00+00:00"),
    ("gelecek hafta", "tr", "2025-01-13T09:00:00+00:00"),
]
"""Each documented rule."""

HOURS_IN_WORDS = [
    ("water the plants at half past four in the evening", "en", "2025-01-06T16:30:00+00:00"),
    ("quarter past eleven", "en", "2025-01-06T11:15:00+00:00"),
    ("a quarter to one", "en", "2025-01-06T12:45:00+00:00"),
    ("feed the cat at twenty past seven in the morning", "en", "2025-01-07T07:20:00+00:00"),
    ("Thursday at eight thirty pm", "en", "2025-01-09T20:30:00+00:00"),
    ("at ten o'clock", "en", "2025-01-06T10:00:00+00:00"),
    ("call the bank at six", "en", "2025-01-06T18:00:00+00:00"),
    ("öğleden sonra dörtte", "tr", "2025-01-06T16:00:00+00:00"),
    ("ogleden sonra ikide", "tr", "2025-01-06T14:00:00+00:00"),
    ("sabah sekizde", "tr", "2025-01-07T08:00:00+00:00"),
    ("akşam altıda", "tr", "2025-01-06T18:00:00+00:00"),
    ("yarın on birde", "tr", "2025-01-07T11:00:00+00:00"),
    ("cuma yedi buçukta", "tr", "2025-01-10T19:30:00+00:00"),
    ("dördü çeyrek geçe", "tr", "2025-01-06T16:15:00+00:00"),
    ("ikiye çeyrek kala", "tr", "2025-01-06T13:45:00+00:00"),
    ("saat onda", "tr", "2025-01-06T10:00:00+00:00"),
]
"""Hours written as words read like their digits, part of the day included."""


@pytest.mark.parametrize(("text", "lang", "expected"), RULES + HOURS_IN_WORDS)
def test_resolution(text: str, lang: str, expected: str, now: datetime) -> None:
    """Each case, against a fixed now."""
    found = resolve_when(text, lang, now)
    assert found is not None
    assert found.iso() == expected


def test_a_past_time_today_moves_to_tomorrow(now: datetime) -> None:
    """'at 8 am' when it is already 9 means tomorrow."""
    found = resolve_when("at 8 am", "en", now)
    assert found is not None
    assert found.iso() == "2025-01-07T08:00:00+00:00"


def test_recurrence_is_noted(now: datetime) -> None:
    """'every Monday' / 'her pazartesi' is weekly."""
    for text, lang in (("every Monday at 10 am", "en"), ("her pazartesi saat 10'da", "tr")):
        found = resolve_when(text, lang, now)
        assert found is not None
        assert found.recurrence == "weekly"


def test_the_timezone_of_now_is_kept(now: datetime) -> None:
    """Times are resolved in now's timezone."""
    from datetime import timedelta, timezone

    istanbul = now.astimezone(timezone(timedelta(hours=3)))
    found = resolve_when("tomorrow at 10", "en", istanbul)
    assert found is not None
    assert found.iso() == "2025-01-07T10:00:00+03:00"


def test_no_time_is_none(now: datetime) -> None:
    """Text without a date or time resolves to nothing."""
    assert resolve_when("open the report", "en", now) is None


@pytest.mark.parametrize(
    ("text", "lang", "hour"),
    [
        ("tomorrow at 07:15", "en", 7),
        ("tomorrow at 7:15", "en", 19),
        ("yarın saat 08:30'da", "tr", 8),
        ("yarın saat 6:30'da", "tr", 18),
        ("yarın saat 06:30'da", "tr", 6),
    ],
)
def test_a_zero_padded_hour_is_a_24_hour_clock(
    text: str, lang: str, hour: int, now: datetime
) -> None:
    found = resolve_when(text, lang, now)
    assert found is not None and found.at.hour == hour


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("copy two files to the archive", "en"),
        ("look at one file", "en"),
        ("onda bir hata var", "tr"),
        ("beste yapmayı öğren", "tr"),
    ],
)
def test_number_words_that_are_not_times(text: str, lang: str, now: datetime) -> None:
    """A number word with no clock context is not a time."""
    assert resolve_when(text, lang, now) is None


def test_worded_time_words_are_all_reported(now: datetime) -> None:
    """The words a reminder's text must lose include the part of the day and its "in the"."""
    found = resolve_when("buy bread at half past two in the afternoon", "en", now)
    assert found is not None
    assert found.text == "half past two in the afternoon"
    tr = resolve_when("öğleden sonra üçte ekmek al", "tr", now)
    assert tr is not None and tr.text == "öğleden sonra üçte"
