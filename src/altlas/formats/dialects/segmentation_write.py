"""Writing the segmentation service's ``.alt`` (v1.0 and the enhanced v2.0) from a Plan:
PyYAML key order, quoted ``version`` and ``timestamp``, capitalised modes, an int
``chaos_level`` in Chaos mode; what has no field goes under ``metadata.altlas``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from altlas.formats.common import Mode
from altlas.formats.dialects._base import STASH_KEY
from altlas.formats.dialects._segmentation_common import (
    ADVANCED,
    DEFAULT_CHAOS_LEVEL,
    FAMILY,
    PLAN_STASHABLE,
    TASK_STASHABLE,
    parameter_defaults,
)
from altlas.formats.dialects._support import (
    MISSING,
    nondefault_fields,
    parse_time,
    split_metadata,
    stash_for,
)
from altlas.formats.plan import Plan, Task

__all__ = ["file_name", "write_v1", "write_v2"]

# --- writing ------------------------------------------------------------------------------------

_PLAN_NATIVE = {"id", "command", "language", "mode", "persona", "chaos_level", "created_at"}
_TASK_NATIVE = {"type", "description", "parameters", "dependencies", "confidence"}


def _write(plan: Plan, *, v2: bool) -> dict[str, Any]:
    meta, record, shadow = split_metadata(plan.metadata, FAMILY)
    native = _PLAN_NATIVE | ({"variables", "functions"} if v2 else set())
    fields = nondefault_fields(plan, sorted(PLAN_STASHABLE - native))
    out: dict[str, Any] = {"id": plan.id}
    out["version"] = "2.0" if v2 else record.get("version", "1.0")
    timestamp = _timestamp(plan, record.get("timestamp", MISSING))
    if timestamp is not MISSING:
        out["timestamp"] = timestamp
    for key in ("command", "language"):
        value = getattr(plan, key)
        out[key] = value if value is not None else ""
        if value is None:
            fields[key] = None
    out["mode"] = plan.mode.value.capitalize()
    if plan.persona is not None:
        out["persona"] = plan.persona
    out["chaos_level"] = _chaos_level(plan, fields)
    out["segments"] = [_write_segment(task, v2=v2) for task in plan.tasks]
    out["metadata"] = meta
    if v2:
        out["global_variables"] = [v.model_dump(mode="json") for v in plan.variables]
        out["functions"] = [f.model_dump(mode="json") for f in plan.functions]
    record = _place_extra(out, record)
    used = ("timestamp",) if v2 else ("timestamp", "version")
    stash = stash_for(fields, shadow, record, family=FAMILY, consumed=used)
    if stash is not MISSING:
        meta[STASH_KEY] = stash
    return out


def _place_extra(out: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """Unknown keys go back where they were; those the shape now uses itself stay recorded.

    (A v1 file's ``global_variables`` is an unknown key; the v2 shape writes its own.)
    """
    extra = _mapping(record.pop("extra", None))
    kept = {k: v for k, v in extra.items() if k in out}
    for key, value in extra.items():
        out.setdefault(key, value)
    return {**record, "extra": kept} if kept else record


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _timestamp(plan: Plan, kept: Any) -> Any:
    """The original spelling when it still says the same instant, else ISO 8601 with offset."""
    try:
        moment = parse_time(kept)[0] if kept is not MISSING else MISSING
    except ValueError:
        moment = None
    if plan.created_at is None:
        return kept if kept is not MISSING and moment is None else MISSING
    if moment == plan.created_at:
        return kept
    return plan.created_at.isoformat()


def _chaos_level(plan: Plan, fields: dict[str, Any]) -> int | None:
    """Chaos mode always gets an int 1-10 (a null made the original's own files unreadable)."""
    level = plan.chaos_level
    if plan.mode is not Mode.CHAOS:
        if level is not None:
            fields["chaos_level"] = level
        return None
    if level is not None and 1 <= level <= 10:
        return level
    fields["chaos_level"] = level
    return DEFAULT_CHAOS_LEVEL if level is None else min(max(level, 1), 10)


def _write_segment(task: Task, *, v2: bool) -> dict[str, Any]:
    meta, record, shadow = split_metadata(task.metadata, FAMILY, natives=("confidence",))
    native = _TASK_NATIVE | ({"variables", *ADVANCED} if v2 else set())
    fields = nondefault_fields(task, sorted(TASK_STASHABLE - native))
    seg: dict[str, Any] = {
        "id": task.id,
        "task_type": task.type,
        "content": task.description,
        "parameters": _write_parameters(task.parameters, record),
        "dependencies": list(task.dependencies),
    }
    metadata: dict[str, Any] = {}
    if task.confidence is not None:
        metadata["confidence"] = task.confidence
    metadata.update(meta)
    seg["metadata"] = metadata
    if v2:
        seg["variables"] = [v.model_dump(mode="json") for v in task.variables]
        for key in ADVANCED:
            value = getattr(task, key)
            seg[key] = value.model_dump(mode="json") if value is not None else None
    record = _place_extra(seg, record)
    used = ("parameters", "parameter_list")
    stash = stash_for(fields, shadow, record, family=FAMILY, consumed=used)
    if stash is not MISSING:
        metadata[STASH_KEY] = stash
    return seg


def _write_parameters(parameters: Mapping[str, Any], record: Mapping[str, Any]) -> list[Any]:
    kept = record.get("parameter_list")
    if isinstance(kept, list) and _list_as_map(kept) == parameters:
        return kept
    attrs = _mapping(record.get("parameters"))
    out = []
    for name, value in parameters.items():
        entry = {"name": name, "value": value, **parameter_defaults(value)}
        for key, extra in _mapping(attrs.get(name)).items():
            if key not in ("name", "value"):
                entry[key] = extra
        out.append(entry)
    return out


def _list_as_map(entries: list[Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            return None
        out[entry["name"]] = entry.get("value")
    return out


def write_v1(plan: Plan) -> dict[str, Any]:
    """Plain data in the v1.0 shape (``dsl_schema.AltFile``); extras under ``metadata.altlas``."""
    return _write(plan, v2=False)


def write_v2(plan: Plan) -> dict[str, Any]:
    """Plain data in the enhanced v2.0 shape."""
    return _write(plan, v2=True)


def file_name(plan: Plan, syntax: str = "yaml") -> str:
    """The name the original handler gave a saved plan: ``task_<id>.alt.<yaml|json>``."""
    return f"task_{plan.id}.alt.{syntax}"
