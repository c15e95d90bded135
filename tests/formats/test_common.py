"""Shared field helpers of the formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from altlas.formats.common import to_rfc3339

_TIMES = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))


@given(_TIMES)
def test_a_utc_time_is_written_as_any_other_zero_offset_time(naive: datetime) -> None:
    # UTC itself takes the short way (orjson); another zero-offset zone the general one
    zero = timezone(timedelta(0), "zero")
    assert to_rfc3339(naive.replace(tzinfo=UTC)) == to_rfc3339(naive.replace(tzinfo=zero))


@given(_TIMES, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_the_same_instant_is_the_same_text_whatever_its_zone(naive: datetime, minutes: int) -> None:
    instant = naive.replace(tzinfo=UTC)
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    assert to_rfc3339(local) == to_rfc3339(instant)
    assert to_rfc3339(instant).endswith("Z")


def test_microseconds_only_when_there_are() -> None:
    assert to_rfc3339(datetime(2026, 12, 5, 4, 40, tzinfo=UTC)) == "2026-12-05T04:40:00Z"
    assert to_rfc3339(datetime(2026, 12, 5, 4, 40, 0, 5, tzinfo=UTC)) == (
        "2026-12-05T04:40:00.000005Z"
    )
