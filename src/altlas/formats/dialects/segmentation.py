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
from altlas.formats.dialects._reader import Reader
from altlas.formats.dialects._segmentation_common import (
    ADVANCED,
    DEFAULT_CHAOS_LEVEL,
    FAMILY,
    PARAMETER_KEYS,
    PLAN_STASHABLE,
    SEGMENT_V1_KEYS,
    SEGMENT_V2_KEYS,
    TASK_STASHABLE,
    V1_KEYS,
    V2_KEYS,
    parameter_defaults,
)
from altlas.formats.dialects._support import (
    MISSING,
    canonical_metadata,
    plain,
    read_stash,
    unique_id,
)
from altlas.formats.dialects.segmentation_write import file_name, write_v1, write_v2
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
        default = parameter_defaults(value)
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
