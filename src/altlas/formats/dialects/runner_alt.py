"""The runner's ``.alt`` JSON (``runner-service/src/alt_file/models.rs``).

The writer produces what the Rust serde model and ``validate_alt_file`` accept: non-blank
``id``/``title``/``version``, ``created_at`` in RFC 3339 with ``Z``, lowercase enums, integer
timeouts, ``parameters`` as a map. The runner has no ``command``, ``language``,
``chaos_level``, task type or task metadata; those travel in ``metadata.altlas`` (per task under
``metadata.altlas.tasks.<id>``), which the runner carries along untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from altlas.formats.common import Priority, TaskStatus, to_rfc3339
from altlas.formats.dialects._base import STASH_KEY, Dialect, ReadOutcome, register
from altlas.formats.dialects._reader import Reader
from altlas.formats.dialects._support import (
    EPOCH,
    MISSING,
    PLAN_STASHABLE,
    canonical_metadata,
    nondefault_fields,
    plain,
    read_stash,
    split_metadata,
    stash_for,
    uint_or_none,
)
from altlas.formats.plan import Plan, Task

__all__ = ["FAMILY", "read", "write"]

FAMILY = "runner"
TOP_KEYS = (
    "id",
    "version",
    "created_at",
    "title",
    "description",
    "mode",
    "persona",
    "tasks",
    "metadata",
    "priority",
    "tags",
    "expected_completion_time",
)
TASK_KEYS = (
    "id",
    "description",
    "dependencies",
    "parameters",
    "timeout_seconds",
    "retry_count",
    "status",
    "priority",
    "tags",
)
RUNNER_STATUSES = ("pending", "running", "completed", "failed", "cancelled")
_STATUS_VALUES = frozenset(s.value for s in TaskStatus)
GENERIC = "generic"
"""The runner's handler for a task without ``parameters.task_type``."""

LIFTABLE = {
    "priority": "priority",
    "tags": "tags",
    "expected_completion_time": "expected_completion_seconds",
}
"""Keys the runner's own example file keeps in ``metadata`` instead of at the top level."""

TASK_STASHABLE = frozenset(Task.model_fields) - {"id"}
_TASK_NO_SLOT = ("handler", "confidence", "span", "variables", "condition", "loop")
_TASK_NO_SLOT_2 = ("function_def", "function_call")
U32 = 2**32 - 1


def _sniff(data: Mapping[str, Any]) -> bool:
    return (
        "format" not in data
        and "segments" not in data
        and "tasks" in data
        and ("title" in data or "created_at" in data)
    )


def _type_from(legacy_type: Any) -> str:
    """The canonical task type of a runner task: its ``parameters.task_type``, else generic."""
    return legacy_type if isinstance(legacy_type, str) and legacy_type.strip() else GENERIC


def _liftable(key: str, value: Any) -> bool:
    if key == "priority":
        return isinstance(value, str) and Priority._missing_(value) is not None
    if key == "tags":
        return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= U32


# --- reading ------------------------------------------------------------------------------------


def read(data: Mapping[str, Any]) -> ReadOutcome:
    rd = Reader()
    record: dict[str, Any] = {}
    top: dict[str, Any] = {}
    names = {"expected_completion_seconds": "expected_completion_time"}
    extra = {str(k): plain(v) for k, v in data.items() if k not in TOP_KEYS}
    if extra:
        record["extra"] = extra
    for key in ("id", "title"):
        value = rd.string(data.get(key, MISSING), key, nonempty=True)
        if value is not MISSING:
            top[key] = value
    version = rd.string(data.get("version", MISSING), "version", nonempty=True)
    if version is not MISSING and version != "1.0":
        record["version"] = version
    if "created_at" not in data:
        rd.missing("created_at")
    else:
        moment = rd.time(data["created_at"], "created_at")
        if moment is not MISSING:
            top["created_at"] = moment
    for key in ("description", "persona"):
        if key in data:
            top[key] = data[key]
    for key, canonical in (("mode", "mode"), *LIFTABLE.items()):
        if data.get(key) is not None:
            top[canonical] = plain(data[key])
    metadata = rd.metadata(data.get("metadata"), "metadata")
    lifted = []
    for key, canonical in LIFTABLE.items():
        if canonical not in top and _liftable(key, metadata.get(key)):
            top[canonical] = metadata.pop(key)
            names[canonical] = f"metadata.{key}"
            lifted.append(key)
    if lifted:
        record["lifted"] = lifted
    stash = read_stash(metadata, PLAN_STASHABLE | {"tasks"}, FAMILY)
    task_stash = stash.fields.pop("tasks", {})
    if not isinstance(task_stash, dict):
        task_stash = {}
    stash.lift(top, names)
    mark = len(rd.diagnostics)
    tasks = _read_tasks(rd, data.get("tasks", MISSING), task_stash)
    # report the file's own fields first, then the tasks, in document order
    task_diagnostics = rd.diagnostics[mark:]
    del rd.diagnostics[mark:]
    if task_stash:  # entries for tasks that are not in the file
        leftover = stash.leftover if isinstance(stash.leftover, dict) else {}
        stash.leftover = {**leftover, "tasks": task_stash}
    top["metadata"] = canonical_metadata(
        stash.metadata, stash.shadow, FAMILY, stash.restore(record)
    )
    rd.check(Plan, top, names=names)
    rd.diagnostics.extend(task_diagnostics)
    return ReadOutcome(
        data={**top, "tasks": tasks},
        diagnostics=rd.diagnostics,
        renames={"expected_completion_seconds": "expected_completion_time"},
    )


def _read_tasks(rd: Reader, raw: Any, task_stash: dict[str, Any]) -> list[dict[str, Any]]:
    items = rd.items(raw, "tasks")
    return [_read_task(rd, item, i, task_stash) for i, item in enumerate(items)]


def _read_task(rd: Reader, raw: Any, index: int, task_stash: dict[str, Any]) -> dict[str, Any]:
    path = f"tasks[{index}]"
    placeholder_id = f"<{path}>"
    if not isinstance(raw, Mapping):
        rd.error(path, "Input should be a valid dictionary", "dict_type")
        return {"id": placeholder_id}
    record: dict[str, Any] = {}
    extra = {str(k): plain(v) for k, v in raw.items() if k not in TASK_KEYS}
    if extra:
        record["extra"] = extra
    task: dict[str, Any] = {}
    tid = rd.string(raw.get("id", MISSING), f"{path}.id", nonempty=True)
    task["id"] = tid if tid is not MISSING else placeholder_id
    description = rd.string(raw.get("description", MISSING), f"{path}.description")
    if description is not MISSING:
        task["description"] = description
    for key in ("dependencies", "timeout_seconds", "retry_count", "priority", "tags"):
        if raw.get(key) is not None:
            task[key] = plain(raw[key])
    parameters: dict[str, Any] = {}
    if raw.get("parameters") is not None:
        parameters = plain(rd.mapping(raw["parameters"], f"{path}.parameters") or {})
    task["type"] = _type_from(parameters.get("task_type", MISSING))
    status = raw.get("status")
    if status is not None:
        low = status.strip().lower() if isinstance(status, str) else None
        if low not in _STATUS_VALUES:
            allowed = ", ".join(f"'{s}'" for s in RUNNER_STATUSES)
            rd.error(f"{path}.status", f"Input should be one of {allowed}", "enum")
        elif low != "pending":
            record["status"] = low
    names: dict[str, str] = {}
    kept = task_stash.pop(tid, None) if isinstance(tid, str) else None
    if isinstance(kept, dict):
        kept = dict(kept)
        where = f"metadata.{STASH_KEY}.tasks.{tid}"
        base = kept.pop("metadata", {})
        base = dict(base) if isinstance(base, dict) else {}
        if kept.pop("task_type_added", False):
            parameters.pop("task_type", None)
        carried = kept.pop(FAMILY, None)
        for key, value in carried.items() if isinstance(carried, dict) else ():
            record.setdefault(key, value)
        leftover = {}
        for key, value in kept.items():
            if key in TASK_STASHABLE:
                task[key] = value
                names[key] = f"{where}.{key}"
            else:
                leftover[key] = value
        if leftover:
            record["stash"] = leftover
        shadow = {STASH_KEY: base.pop(STASH_KEY)} if STASH_KEY in base else {}
        task["metadata"] = canonical_metadata(base, shadow, FAMILY, record)
    else:
        task["metadata"] = canonical_metadata({}, {}, FAMILY, record)
    task["parameters"] = parameters
    rd.check(Task, task, prefix=path, names=names, fallback={"id": task["id"]})
    return task


# --- writing ------------------------------------------------------------------------------------

_PLAN_NATIVE = {
    "title",
    "description",
    "mode",
    "persona",
    "created_at",
    "priority",
    "tags",
    "expected_completion_seconds",
}


def write(plan: Plan) -> dict[str, Any]:
    """Plain data the original runner's serde model and validator accept."""
    meta, record, shadow = split_metadata(plan.metadata, FAMILY)
    lifted_keys = [k for k in record.get("lifted", []) if k in LIFTABLE]
    fields = nondefault_fields(plan, sorted(PLAN_STASHABLE - _PLAN_NATIVE))
    title = plan.title
    if title is None or not title.strip():
        fields["title"] = title
        title = next(
            (t for t in (plan.command, plan.id) if t and t.strip()),
            plan.id,
        )
    if plan.created_at is None:
        fields["created_at"] = None
    ect, exact = uint_or_none(plan.expected_completion_seconds, U32)
    if not exact:
        fields["expected_completion_seconds"] = plan.expected_completion_seconds
    values: dict[str, Any] = {
        "priority": plan.priority.value if plan.priority else None,
        "tags": list(plan.tags) or None,
        "expected_completion_time": ect,
    }
    metadata: dict[str, Any] = {}
    for key in lifted_keys:
        if values[key] is not None:
            if key in meta:
                shadow[key] = meta.pop(key)
            metadata[key] = values[key]
            values[key] = None
    metadata.update(meta)
    tasks, task_stash, record = _write_tasks(plan, record)
    if task_stash:
        fields["tasks"] = task_stash
    stash = stash_for(
        fields, shadow, record, family=FAMILY, consumed=("extra", "version", "lifted")
    )
    if stash is not MISSING:
        metadata[STASH_KEY] = stash
    version = record.get("version")
    out: dict[str, Any] = {
        "id": plan.id,
        "version": version if isinstance(version, str) and version.strip() else "1.0",
        "created_at": to_rfc3339(plan.created_at or EPOCH),
        "title": title,
        "description": plan.description,
        "mode": plan.mode.value,
        "persona": plan.persona,
        "tasks": tasks,
        "metadata": metadata,
        **values,
    }
    for key, value in _mapping(record.get("extra")).items():
        out.setdefault(key, value)
    return out


def _write_tasks(
    plan: Plan, record: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """The tasks, what each could not say (by task id), and ``record`` without the tasks'
    part of an earlier stash (it is merged into the new one)."""
    task_stash: dict[str, Any] = {}
    tasks = []
    for task in plan.tasks:
        entry, kept = _write_task(task)
        tasks.append(entry)
        if kept:
            task_stash[task.id] = kept
    leftover = record.get("stash")
    if isinstance(leftover, dict) and isinstance(leftover.get("tasks"), dict):
        for tid, kept in leftover["tasks"].items():
            task_stash.setdefault(tid, kept)
        record = {**record, "stash": {k: v for k, v in leftover.items() if k != "tasks"}}
    return tasks, task_stash, record


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _write_task(task: Task) -> tuple[dict[str, Any], dict[str, Any]]:
    """The runner task, and what it cannot hold (stashed in the file metadata)."""
    rest, record, shadow = split_metadata(task.metadata, FAMILY)
    kept = nondefault_fields(task, (*_TASK_NO_SLOT, *_TASK_NO_SLOT_2))
    full_metadata = {**rest, **shadow}
    if full_metadata:
        kept["metadata"] = full_metadata
    parameters = dict(task.parameters)
    legacy_type = parameters.get("task_type", MISSING)
    if legacy_type is MISSING:
        # the runner picks its handler from parameters.task_type (reference 1.7)
        if task.type != GENERIC:
            parameters["task_type"] = task.type
            kept["task_type_added"] = True
    elif task.type != _type_from(legacy_type):
        kept["type"] = task.type
    description = task.description
    if not description.strip():
        # the runner's validator rejects a blank description
        kept["description"] = description
        description = task.id
    timeout, exact = uint_or_none(task.timeout_seconds, U32)
    if not exact:
        kept["timeout_seconds"] = task.timeout_seconds
    leftover = record.get("stash")
    if isinstance(leftover, dict):
        for key, value in leftover.items():
            kept.setdefault(key, value)
    carried = {k: v for k, v in record.items() if k not in ("status", "extra", "stash")}
    if carried:
        kept[FAMILY] = carried
    status = record.get("status")
    entry: dict[str, Any] = {
        "id": task.id,
        "description": description,
        "dependencies": list(task.dependencies),
        "parameters": parameters or None,
        "timeout_seconds": timeout,
        "retry_count": task.retry_count,
        "status": status if isinstance(status, str) else TaskStatus.PENDING.value,
        "priority": task.priority.value if task.priority else None,
        "tags": list(task.tags) or None,
    }
    for key, value in _mapping(record.get("extra")).items():
        entry.setdefault(key, value)
    return entry, kept


register(
    Dialect(
        name="runner-alt",
        kind="alt",
        description="runner service .alt JSON (tasks / title / created_at)",
        sniff=_sniff,
        read=read,
        write=write,
        syntax="json",
        order=30,
    ),
)
