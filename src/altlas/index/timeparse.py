"""Ages (``90d``) and points in time (``30d`` ago, ``2025-05-01``) as the CLI takes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from altlas.errors import AltlasError

__all__ = ["parse_age", "parse_when", "to_micros"]

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


def parse_age(value: str | timedelta) -> timedelta:
    """``90d``, ``12h``, ``2w``, ``30m``, ``1y`` (365 days) -> timedelta."""
    if isinstance(value, timedelta):
        return value
    match = _AGE.match(value)
    if match is None:
        raise AltlasError(f"invalid age {value!r}: use a number and a unit, such as 90d, 12h or 2w")
    number, unit = float(match.group(1)), match.group(2).lower()
    return timedelta(seconds=number * _UNIT_SECONDS[unit])


def parse_when(value: str | datetime | timedelta, *, now: datetime | None = None) -> datetime:
    """An age (``30d`` ago), an ISO date (midnight UTC) or an ISO datetime (naive = UTC)."""
    now = now or datetime.now(UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, timedelta):
        return now - value
    if _AGE.match(value):
        return now - parse_age(value)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise AltlasError(
            f"invalid time {value!r}: use an age such as 30d or 12h, "
            "or an ISO date such as 2025-05-01",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_micros(value: datetime) -> int:
    """Microseconds since the epoch: the archive's sortable time."""
    delta = value.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
