"""Ages (``90d``) and points in time (``30d`` ago, ``2025-05-01``) as the CLI takes them.

Every value a user can type either parses into an aware datetime the archive can store, or
raises :class:`TimeValueError` naming the value: an age too large for a timedelta, or a time
that lands outside the years 1-9999 once moved to UTC, is bad input, never an
``OverflowError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from altlas.errors import InvalidInputError

__all__ = ["TimeValueError", "parse_age", "parse_when", "to_micros"]

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w|y)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "d": 86_400,
    "w": 7 * 86_400,
    "y": 365 * 86_400,
}
_SHOWN = 64
"""Quoted values are cut to this length, so a huge parameter cannot make a huge message."""


class TimeValueError(InvalidInputError):
    """An age or a time that cannot be used."""


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "...")


def _out_of_range(value: str) -> TimeValueError:
    return TimeValueError(f"time {_shown(value)} is out of range (years 1 to 9999)")


def parse_age(value: str | timedelta) -> timedelta:
    """``90d``, ``12h``, ``2w``, ``30m``, ``1y`` (365 days) -> timedelta."""
    if isinstance(value, timedelta):
        return value
    match = _AGE.match(value)
    if match is None:
        raise TimeValueError(
            f"invalid age {_shown(value)}: use a number and a unit, such as 90d, 12h or 2w",
        )
    number, unit = float(match.group(1)), match.group(2).lower()
    try:
        return timedelta(seconds=number * _UNIT_SECONDS[unit])
    except (OverflowError, ValueError):
        raise _out_of_range(value) from None


def parse_when(value: str | datetime | timedelta, *, now: datetime | None = None) -> datetime:
    """An age (``30d`` ago), an ISO date (midnight UTC) or an ISO datetime (naive = UTC)."""
    now = now or datetime.now(UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, timedelta):
        return _checked(lambda: now - value, str(value))
    if _AGE.match(value):
        age = parse_age(value)
        return _checked(lambda: now - age, value)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TimeValueError(
            f"invalid time {_shown(value)}: use an age such as 30d or 12h, "
            "or an ISO date such as 2025-05-01",
        ) from None
    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    # The archive compares times in UTC: a time that has no UTC form is out of range.
    return _checked(lambda: aware, value)


def _checked(compute: Callable[[], datetime], shown: str) -> datetime:
    """``compute()``, if it and its UTC form exist; a TimeValueError naming ``shown`` if not."""
    try:
        result = compute()
        result.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _out_of_range(shown) from None
    return result


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(value: datetime) -> int:
    """Microseconds since the epoch: the archive's sortable time."""
    # An aware time subtracts its own offset (0.6 us against 1.0 through astimezone, five
    # times a staged file); a naive one is local time, as astimezone takes it.
    aware = value.utcoffset() is not None
    delta = (value if aware else value.astimezone(UTC)) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
