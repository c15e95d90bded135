"""The placeholder ``.alt`` YAML of the segmentation service's ``enhanced_main.py`` (read-only).

``task_id`` + ``original_command`` + one ``segments`` entry naming a runner action. Every key
the canonical plan has no field for (``user_id``, ``global_parameters``,
``output_expectations``, the segment's ``service_target`` and ``action_name``...) is kept under
``metadata.altlas.placeholder``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from altlas.formats.dialects._base import Dialect, ReadOutcome, register
from altlas.formats.dialects._reader import Reader
from altlas.formats.dialects._support import MISSING, canonical_metadata, plain, unique_id
from altlas.formats.dialects.segmentation import assume_chaos_level
from altlas.formats.plan import Plan, Task

__all__ = ["FAMILY", "read"]

FAMILY = "placeholder"
SEGMENT_KEYS = ("segment_id", "type", "description", "parameters", "dependencies")


def _sniff(data: Mapping[str, Any]) -> bool:
    return "format" not in data and "task_id" in data and "original_command" in data


def read(data: Mapping[str, Any]) -> ReadOutcome:
    rd = Reader()
    top: dict[str, Any] = {}
    names = {"id": "task_id", "command": "original_command", "created_at": "timestamp"}
    mapped = {"task_id", "original_command", "timestamp", "mode", "persona", "metadata", "segments"}
    record = {str(k): plain(v) for k, v in data.items() if k not in mapped}
    for source, canonical in (("task_id", "id"), ("original_command", "command")):
        value = rd.string(data.get(source, MISSING), source, nonempty=canonical == "id")
        if value is not MISSING:
            top[canonical] = value
    raw_time = data.get("timestamp")
    if raw_time is not None:
        moment = rd.time(raw_time, "timestamp", lenient=True)
        if moment is MISSING:
            record["timestamp"] = plain(raw_time)
        else:
            top["created_at"] = moment
    if data.get("mode") is not None:
        top["mode"] = data["mode"]
    if "persona" in data:
        top["persona"] = data["persona"]
    metadata = rd.metadata(data.get("metadata"), "metadata")
    assume_chaos_level(rd, top, metadata, present=False)
    top["metadata"] = canonical_metadata(metadata, {}, FAMILY, record)
    rd.check(Plan, top, names=names)

    segments = rd.items(data.get("segments", MISSING), "segments")
    taken = {
        s["segment_id"]
        for s in segments
        if isinstance(s, Mapping) and isinstance(s.get("segment_id"), str)
    }
    tasks = [_read_segment(rd, seg, i, taken) for i, seg in enumerate(segments)]
    return ReadOutcome(
        data={**top, "tasks": tasks},
        diagnostics=rd.diagnostics,
        tasks_key="segments",
        renames={"tasks": "segments", "command": "original_command", "created_at": "timestamp"},
    )


def _read_segment(rd: Reader, seg: Any, index: int, taken: set[str]) -> dict[str, Any]:
    path = f"segments[{index}]"
    if not isinstance(seg, Mapping):
        rd.error(path, "Input should be a valid dictionary", "dict_type")
        return {"id": f"<{path}>"}
    record = {str(k): plain(v) for k, v in seg.items() if k not in SEGMENT_KEYS}
    task: dict[str, Any] = {}
    sid = rd.string(seg.get("segment_id", MISSING), f"{path}.segment_id", nonempty=True)
    task["id"] = sid if sid is not MISSING else unique_id(f"segment_{index + 1}", taken)
    kind = rd.string(seg.get("type", MISSING), f"{path}.type", nonempty=True)
    if kind is not MISSING:
        task["type"] = kind
    description = rd.string(seg.get("description", MISSING), f"{path}.description")
    if description is not MISSING:
        task["description"] = description
    if seg.get("parameters") is not None:
        task["parameters"] = plain(seg["parameters"])
    if seg.get("dependencies") is not None:
        task["dependencies"] = plain(seg["dependencies"])
    task["metadata"] = canonical_metadata({}, {}, FAMILY, record)
    rd.check(
        Task, task, prefix=path, names={"id": f"{path}.segment_id"}, fallback={"id": task["id"]}
    )
    return task


register(
    Dialect(
        name="placeholder",
        kind="alt",
        description="segmentation service placeholder YAML (task_id / original_command), read-only",
        sniff=_sniff,
        read=read,
        syntax="yaml",
        order=10,
    ),
)
