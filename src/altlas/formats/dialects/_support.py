"""Helpers shared by the legacy dialects: plain data, timestamps, the stash, and field checks.

The stash protocol (``metadata["altlas"]``) works in both directions:

* canonical -> legacy: canonical fields the legacy shape has no slot for are written under the
  legacy ``metadata["altlas"]`` (by canonical field name), together with ``metadata`` (canonical
  metadata entries that would clash with keys the writer uses itself);
* legacy -> canonical: what the legacy shape says that no canonical field can hold (unknown keys,
  parameter types, the original spelling of a timestamp...) is kept as a *record* under the
  canonical ``metadata["altlas"][<family>]``, which the writer of that family reads to restore the
  legacy document exactly.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from altlas.formats.dialects._base import STASH_KEY
from altlas.formats.plan import Plan

__all__ = [
    "EPOCH",
    "MISSING",
    "PLAN_STASHABLE",
    "canonical_metadata",
    "join",
    "nondefault_fields",
    "parse_time",
    "plain",
    "read_stash",
    "split_metadata",
    "stash_for",
    "uint_or_none",
    "unique_id",
]

MISSING: Any = object()
"""A key that is absent (distinct from a null value)."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""Written where a legacy shape requires a time the canonical document does not have."""


PLAN_STASHABLE = frozenset(Plan.model_fields) - {
    "format",
    "format_version",
    "id",
    "tasks",
    "metadata",
}
"""Plan fields a legacy plan dialect has no place for (they go to the stash when set)."""

_SCALARS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """JSON-compatible data: YAML timestamps, sets, bytes and non-string keys made plain."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else str(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def parse_time(value: Any) -> tuple[datetime, bool]:
    """An aware UTC datetime and whether the source had no timezone. Raises ValueError."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)  # noqa: DTZ001  (naive, flagged below)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
    else:
        raise ValueError(f"expected a timestamp string, got {type(value).__name__}")
    naive = moment.tzinfo is None
    if naive:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), naive


def uint_or_none(value: float | None, limit: int = 2**32 - 1) -> tuple[int | None, bool]:
    """An unsigned integer for a serde ``u32``/``u64`` field, and whether it is exact."""
    if value is None:
        return None, True
    whole = min(max(round(value), 0), limit)
    return whole, float(whole) == float(value)


def nondefault_fields(model: BaseModel, names: Iterable[str]) -> dict[str, Any]:
    """``{name: JSON value}`` for the given fields whose value is not the field default."""
    fields = type(model).model_fields
    wanted = [
        n for n in names if getattr(model, n) != fields[n].get_default(call_default_factory=True)
    ]
    if not wanted:
        return {}
    dumped = model.model_dump(mode="json", include=set(wanted))
    return {n: dumped[n] for n in wanted}


# --- the stash --------------------------------------------------------------------------------


def split_metadata(
    metadata: Mapping[str, Any],
    family: str,
    natives: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Writer side: canonical metadata -> (entries to write, the family's record, shadowed entries).

    ``natives`` are metadata keys the writer fills from canonical fields itself (the segment
    ``confidence``); a canonical entry under such a key is shadowed, i.e. stashed instead.
    """
    meta = dict(metadata)
    record: dict[str, Any] = {}
    shadow: dict[str, Any] = {}
    own = meta.pop(STASH_KEY, MISSING)
    if isinstance(own, dict) and isinstance(own.get(family), dict):
        own = dict(own)
        record = dict(own.pop(family))
        if "shadow_altlas" in record:
            own = record.pop("shadow_altlas")
        elif not own:
            own = MISSING
    if own is not MISSING:
        shadow[STASH_KEY] = own
    for key in natives:
        if key in meta:
            shadow[key] = meta.pop(key)
    return meta, record, shadow


def stash_for(
    fields: Mapping[str, Any],
    shadow: Mapping[str, Any],
    record: Mapping[str, Any],
    *,
    family: str,
    consumed: Iterable[str],
) -> Any:
    """What a writer puts under legacy ``metadata["altlas"]`` (MISSING when nothing to keep).

    Record entries the writer did not use (``consumed``) travel along under the family name,
    so that another dialect of the family, or a later read, gets them back.
    """
    stash: dict[str, Any] = dict(fields)
    if shadow:
        stash["metadata"] = dict(shadow)
    used = {*consumed, "stash"}
    carried = {k: v for k, v in record.items() if k not in used}
    if carried:
        stash[family] = carried
    leftover = record.get("stash", MISSING)
    if isinstance(leftover, dict):
        for key, value in leftover.items():
            stash.setdefault(key, value)
    elif leftover is not MISSING:
        if not stash:
            return leftover
        stash.setdefault("stash", leftover)
    return stash if stash else MISSING


@dataclass(slots=True)
class Stash:
    """What a reader found under legacy ``metadata["altlas"]``."""

    metadata: dict[str, Any]
    """The legacy metadata without the stash."""
    fields: dict[str, Any] = field(default_factory=dict)
    shadow: dict[str, Any] = field(default_factory=dict)
    carried: dict[str, Any] = field(default_factory=dict)
    """Record entries a writer of the family could not use (see :func:`stash_for`)."""
    leftover: Any = MISSING

    def lift(self, target: dict[str, Any], names: dict[str, str], path: str = "") -> None:
        """Put the stashed canonical fields into ``target``, each named by where it was read."""
        where = f"{path}.metadata" if path else "metadata"
        for key, value in self.fields.items():
            target[key] = value
            names[key] = f"{where}.{STASH_KEY}.{key}"

    def restore(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` plus the carried entries; what the reader found itself wins."""
        for key, value in self.carried.items():
            record.setdefault(key, value)
        if self.leftover is not MISSING:
            record["stash"] = self.leftover
        return record


def read_stash(metadata: Mapping[str, Any], allowed: Iterable[str], family: str) -> Stash:
    """Reader side: split legacy metadata into plain entries, canonical fields and the rest."""
    meta = dict(metadata)
    raw = meta.pop(STASH_KEY, MISSING)
    found = Stash(metadata=meta)
    if raw is MISSING:
        return found
    if not isinstance(raw, dict):
        found.leftover = raw
        return found
    allowed = set(allowed)
    leftover: dict[str, Any] = {}
    for key, value in raw.items():
        if key in allowed:
            found.fields[key] = value
        elif key == "metadata" and isinstance(value, dict):
            found.shadow = dict(value)
        elif key == family and isinstance(value, dict):
            found.carried = dict(value)
        else:
            leftover[key] = value
    if leftover:
        found.leftover = leftover
    return found


def canonical_metadata(
    metadata: Mapping[str, Any],
    shadow: Mapping[str, Any],
    family: str,
    record: dict[str, Any],
) -> dict[str, Any]:
    """The canonical metadata: plain entries, restored shadowed entries, and the family record."""
    out = dict(metadata)
    for key, value in shadow.items():
        if key != STASH_KEY:
            out[key] = value
    own = shadow.get(STASH_KEY, MISSING)
    if record:
        if own is MISSING:
            out[STASH_KEY] = {family: record}
        elif isinstance(own, dict) and family not in own:
            out[STASH_KEY] = {**own, family: record}
        else:
            out[STASH_KEY] = {family: {**record, "shadow_altlas": own}}
    elif own is not MISSING:
        out[STASH_KEY] = own
    return out


def unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate)
    return candidate
