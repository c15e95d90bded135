"""Dates and times resolved against now, in English and Turkish."""

from __future__ import annotations

from datetime import datetime

import pytest

from altlas.segment.when import resolve_when

# now = Monday 2025-01-06 09:00 UTC


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
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
    ],
)
def test_resolution(text: str, lang: str, expected: str, now: datetime) -> None:
    """Each documented rule, against a fixed now."""
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
