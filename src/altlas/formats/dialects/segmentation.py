"""The segmentation service's ``.alt``: schema v1.0 (``dsl_schema.py``) and the enhanced v2.0.

Reading is tolerant where the original was needlessly strict (an unquoted ``version: 1.0``,
unquoted timestamps, ``saved_at``, unknown keys, ``chaos_level: null`` in Chaos mode, mode in
any case) and strict where it mattered (``command``, ``language``, ``segments``, segment
``task_type`` and ``content`` are required). Writing produces what the original v1 pydantic
model loads: PyYAML key order, quoted ``version`` and ``timestamp``, capitalised modes, an int
``chaos_level`` in Chaos mode and enum values as plain strings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from altlas.formats.common import Mode
from altlas.formats.dialects._base import STASH_KEY, Dialect, ReadOutcome, register
from altlas.formats.dialects._support import (
    MISSING,
    Reader,
    canonical_metadata,
    nondefault_fields,
    parse_time,
    plain,
    read_stash,
    split_metadata,
    stash_for,
    unique_id,
)
from altlas.formats.plan import Plan, Task

__all__ = [
    "FAMILY",
    "assume_chaos_level",
    "file_name",
    "read_v1",
    "read_v2",
    "write_v1",
    "write_v2",
]

FAMILY = "segmentation"
V1_KEYS = (
    "id",
    "version",
    "timestamp",
    "command",
    "language",
    "mode",
    "persona",
    "chaos_level",
    "segments",
    "metadata",
)
V2_KEYS = (*V1_KEYS, "global_variables", "functions")
SEGMENT_V1_KEYS = ("id", "task_type", "content", "parameters", "dependencies", "metadata")
ADVANCED = ("condition", "loop", "function_def", "function_call")
SEGMENT_V2_KEYS = (*SEGMENT_V1_KEYS, "variables", *ADVANCED)
PARAMETER_KEYS = ("name", "value", "type", "required", "description")
DEFAULT_CHAOS_LEVEL = 5
"""What the original command parser assumed in Chaos mode without a level."""

PLAN_STASHABLE = frozenset(Plan.model_fields) - {
    "format",
    "format_version",
    "id",
    "tasks",
    "metadata",
}
TASK_STASHABLE = frozenset(Task.model_fields) - {"id", "metadata"}


# --- sniffing -----------------------------------------------------------------------------------


def _is_segmentation(data: Mapping[str, Any]) -> bool:
    if "format" in data or "tasks" in data:
        return False
    return "segments" in data or "command" in data


def _is_v2_version(version: Any) -> bool:
    if version == "2.0":
        return True
    return isinstance(version, int | float) and not isinstance(version, bool) and version == 2


def _sniff_v1(data: Mapping[str, Any]) -> bool:
    return _is_segmentation(data) and not _is_v2_version(data.get("version"))


def _sniff_v2(data: Mapping[str, Any]) -> bool:
    return _is_segmentation(data) and _is_v2_version(data.get("version"))


# --- shared with the placeholder dialect --------------------------------------------------------


def _as_int(value: Any) -> Any:
    """``"5"`` and ``5.0`` are 5, as pydantic's lax mode read them in the original."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_chaos(mode: Any) -> bool:
    return isinstance(mode, str) and mode.strip().lower() == Mode.CHAOS.value


def assume_chaos_level(
    rd: Reader,
    top: dict[str, Any],
    metadata: Mapping[str, Any],
    present: bool,
) -> None:
    """Chaos mode without a level: what the parser did (``metadata.chaos_level``, else 5)."""
    if not _is_chaos(top.get("mode")) or top.get("chaos_level") is not None:
        return
    hinted = _as_int(metadata.get("chaos_level"))
    level = hinted if isinstance(hinted, int) and 1 <= hinted <= 10 else DEFAULT_CHAOS_LEVEL
    source = "metadata.chaos_level" if level == hinted else "the segmentation parser's default"
    top["chaos_level"] = level
    rd.warn(
        "chaos_level",
        f"chaos_level is {'null' if present else 'missing'} in Chaos mode; "
        f"assumed {level} ({source})",
        "chaos_level",
    )


# --- reading ------------------------------------------------------------------------------------


def _read(data: Mapping[str, Any], *, v2: bool) -> ReadOutcome:
    rd = Reader()
    record: dict[str, Any] = {}
    top: dict[str, Any] = {}
    names: dict[str, str] = {"created_at": "timestamp"}
    known = V2_KEYS if v2 else V1_KEYS
    extra = {str(k): plain(v) for k, v in data.items() if k not in known}
    if extra:
        record["extra"] = extra
    if "id" in data:
        top["id"] = data["id"]
    version = data.get("version", MISSING)
    expected = "2.0" if v2 else "1.0"
    if version is not MISSING and version != expected and str(version) != expected:
        record["version"] = plain(version)
    _read_timestamp(rd, data.get("timestamp", MISSING), top, record)
    for key in ("command", "language"):
        value = rd.string(data.get(key, MISSING), key)
        if value is not MISSING:
            top[key] = value
    if data.get("mode") is not None:
        top["mode"] = data["mode"]
    if "persona" in data:
        top["persona"] = data["persona"]
    if "chaos_level" in data:
        top["chaos_level"] = _as_int(data["chaos_level"])
    metadata = rd.metadata(data.get("metadata", MISSING), "metadata")
    stash = read_stash(metadata, PLAN_STASHABLE, FAMILY)
    stash.lift(top, names)
    if "chaos_level" not in stash.fields:
        assume_chaos_level(rd, top, stash.metadata, "chaos_level" in data)
    if v2:
        if "global_variables" in data and "variables" not in stash.fields:
            top["variables"] = plain(data["global_variables"])
            names["variables"] = "global_variables"
        if "functions" in data and "functions" not in stash.fields:
            top["functions"] = plain(data["functions"])
    top["metadata"] = canonical_metadata(
        stash.metadata, stash.shadow, FAMILY, stash.restore(record)
    )
    rd.check(Plan, top, names=names)

    segments = rd.items(data.get("segments", MISSING), "segments")
    taken = {s["id"] for s in segments if isinstance(s, Mapping) and isinstance(s.get("id"), str)}
    tasks = [_read_segment(rd, seg, i, v2=v2, taken=taken) for i, seg in enumerate(segments)]
    return ReadOutcome(
        data={**top, "tasks": tasks},
        diagnostics=rd.diagnostics,
        tasks_key="segments",
        renames={"tasks": "segments", "created_at": "timestamp"},
    )


def _read_timestamp(rd: Reader, raw: Any, top: dict[str, Any], record: dict[str, Any]) -> None:
    if raw is MISSING or raw is None:
        return
    moment = rd.time(raw, "timestamp", lenient=True)
    if moment is MISSING:
        # the original took any string here; keep it to write it back
        record["timestamp"] = plain(raw)
        return
    top["created_at"] = moment
    written = plain(raw)
    if written != moment.isoformat():
        record["timestamp"] = written


def _is_confidence(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not math.isnan(value)
        and 0 <= value <= 1
    )


def _read_segment(
    rd: Reader,
    seg: Any,
    index: int,
    *,
    v2: bool,
    taken: set[str],
) -> dict[str, Any]:
    path = f"segments[{index}]"
    placeholder_id = f"<{path}>"
    if not isinstance(seg, Mapping):
        rd.error(path, "Input should be a valid dictionary", "dict_type")
        return {"id": placeholder_id}
    record: dict[str, Any] = {}
    names = {"type": f"{path}.task_type", "description": f"{path}.content"}
    known = SEGMENT_V2_KEYS if v2 else SEGMENT_V1_KEYS
    extra = {str(k): plain(v) for k, v in seg.items() if k not in known}
    if extra:
        record["extra"] = extra
    task: dict[str, Any] = {}
    # the original gave a missing id a fresh uuid4; a stable id keeps reads reproducible
    task["id"] = seg["id"] if "id" in seg else unique_id(f"segment_{index + 1}", taken)
    kind = rd.string(seg.get("task_type", MISSING), f"{path}.task_type", nonempty=True)
    if kind is not MISSING:
        task["type"] = kind
    content = rd.string(seg.get("content", MISSING), f"{path}.content")
    if content is not MISSING:
        task["description"] = content
    task["parameters"], param_record = _read_parameters(rd, seg.get("parameters", MISSING), path)
    record.update(param_record)
    if "dependencies" in seg:
        task["dependencies"] = plain(seg["dependencies"])
    metadata = rd.metadata(seg.get("metadata", MISSING), f"{path}.metadata")
    if _is_confidence(metadata.get("confidence")):
        task["confidence"] = metadata.pop("confidence")
    stash = read_stash(metadata, TASK_STASHABLE, FAMILY)
    if v2:
        for key in ("variables", *ADVANCED):
            if key in seg and key not in stash.fields:
                task[key] = plain(seg[key])
    stash.lift(task, names, path)
    task["metadata"] = canonical_metadata(
        stash.metadata, stash.shadow, FAMILY, stash.restore(record)
    )
    rd.check(Task, task, prefix=path, names=names, fallback={"id": placeholder_id})
    return task


def _infer_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _parameter_defaults(value: Any) -> dict[str, Any]:
    """What the writer puts next to a value when nothing else is known."""
    return {"type": _infer_type(value), "required": False, "description": None}


def _read_parameters(rd: Reader, raw: Any, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parameter list as a map, plus what the map cannot say (types, flags, duplicates)."""
    if raw is MISSING:
        return {}, {}
    where = f"{path}.parameters"
    if not isinstance(raw, list):
        rd.error(where, "Input should be a valid list", "list_type")
        return {}, {}
    values: dict[str, Any] = {}
    attrs: dict[str, dict[str, Any]] = {}
    duplicated = False
    for j, entry in enumerate(raw):
        at = f"{where}[{j}]"
        if not isinstance(entry, Mapping):
            rd.error(at, "Input should be a valid dictionary", "dict_type")
            continue
        name = rd.string(entry.get("name", MISSING), f"{at}.name")
        if "value" not in entry:
            rd.missing(f"{at}.value")
        kind = entry.get("type", "string")
        required = entry.get("required", False)
        description = entry.get("description")
        if not isinstance(kind, str):
            rd.error(f"{at}.type", "Input should be a valid string", "string_type")
        if not isinstance(required, bool):
            rd.error(f"{at}.required", "Input should be a valid boolean", "bool_type")
        if description is not None and not isinstance(description, str):
            rd.error(f"{at}.description", "Input should be a valid string", "string_type")
        if name is MISSING or "value" not in entry:
            continue
        value = plain(entry["value"])
        duplicated = duplicated or name in values
        values[name] = value
        seen = {"type": kind, "required": required, "description": description}
        seen.update({str(k): v for k, v in entry.items() if k not in PARAMETER_KEYS})
        default = _parameter_defaults(value)
        differs = {k: plain(v) for k, v in seen.items() if k not in default or default[k] != v}
        if differs:
            attrs[name] = differs
    record: dict[str, Any] = {}
    if attrs:
        record["parameters"] = attrs
    if duplicated:
        record["parameter_list"] = plain(raw)
        rd.warn(
            where,
            "duplicate parameter names; the last value of each is used "
            f"(the full list is kept in metadata.{STASH_KEY}.{FAMILY})",
            "duplicate_parameter",
        )
    return values, record


def read_v1(data: Mapping[str, Any]) -> ReadOutcome:
    return _read(data, v2=False)


def read_v2(data: Mapping[str, Any]) -> ReadOutcome:
    return _read(data, v2=True)


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
        entry = {"name": name, "value": value, **_parameter_defaults(value)}
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


register(
    Dialect(
        name="segmentation-v2",
        kind="alt",
        description="segmentation service, enhanced schema 2.0 (variables, conditions, loops)",
        sniff=_sniff_v2,
        read=read_v2,
        write=write_v2,
        syntax="yaml",
        order=20,
        aliases=("segmentation-2.0", "enhanced"),
    ),
)
register(
    Dialect(
        name="segmentation-v1",
        kind="alt",
        description="segmentation service, schema 1.0 (segments / task_type / content)",
        sniff=_sniff_v1,
        read=read_v1,
        write=write_v1,
        syntax="yaml",
        order=21,
        aliases=("segmentation", "segmentation-1.0"),
    ),
)
