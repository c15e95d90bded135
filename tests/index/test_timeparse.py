"""Ages and times as the CLI takes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from altlas.errors import AltlasError
from altlas.index.timeparse import parse_age, parse_when, to_micros

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("90d", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        ("30m", timedelta(minutes=30)),
        ("1y", timedelta(days=365)),
        ("1.5d", timedelta(hours=36)),
    ],
)
def test_ages(text: str, delta: timedelta) -> None:
    assert parse_age(text) == delta
    assert parse_when(text, now=NOW) == NOW - delta


def test_dates_and_datetimes() -> None:
    assert parse_when("2025-05-01", now=NOW) == datetime(2025, 5, 1, tzinfo=UTC)
    assert parse_when("2025-05-01T10:30:00Z") == datetime(2025, 5, 1, 10, 30, tzinfo=UTC)
    assert parse_when("2025-05-01T10:30:00+02:00") == datetime(2025, 5, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["yesterday", "90", "d90", ""])
def test_bad_input_is_one_clear_line(bad: str) -> None:
    with pytest.raises(AltlasError, match="invalid"):
        parse_when(bad)


def test_micros_are_exact() -> None:
    assert to_micros(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=UTC)) == 1_000_005


@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1)),
    st.integers(-1439, 1439),
)
def test_micros_count_from_the_utc_epoch_whatever_the_offset(
    moment: datetime, minutes: int
) -> None:
    """Aware times subtract their own offset; naive ones are local time (as astimezone says)."""
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    expected = (aware.astimezone(UTC).replace(tzinfo=None) - datetime(1970, 1, 1)) // timedelta(
        microseconds=1
    )
    assert to_micros(aware) == expected
    local = moment.astimezone(UTC).replace(tzinfo=None)
    assert to_micros(moment) == (local - datetime(1970, 1, 1)) // timedelta(microseconds=1)
