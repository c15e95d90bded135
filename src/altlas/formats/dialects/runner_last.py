"""The runner's ``.last`` (``last_<execution_id>.json``): the L1 model, and L2/L3 on reading.

L1 (``last_file/models.rs``) keeps ``task_results`` as a map and names graph nodes by random
ids; L2 (``processor.rs``) and L3 (the README) keep a list. Reading maps all three onto the
canonical result, recomputes ``success_rate`` and ``status`` from the task statuses (the file's
own values are kept, with a warning, when they disagree), and adds a pending result for every
graph node whose task never ran, so that every task of the plan has a result. Writing always
gives L1, readable by the original serde model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

from altlas.formats.common import TaskStatus
from altlas.formats.dialects._base import Dialect, ReadOutcome, register
from altlas.formats.dialects._reader import Reader
from altlas.formats.dialects._runner_common import (
    FAMILY,
    LEGACY_ERROR_TYPE,
    node_id,
    result_execution_id,
)
from altlas.formats.dialects._runner_graph import lower, read_graph
from altlas.formats.dialects._support import MISSING, canonical_metadata, plain, read_stash
from altlas.formats.dialects.runner_last_write import write
from altlas.formats.result import Artifact, Result, RunStatus, TaskResult, run_status_for

__all__ = ["FAMILY", "node_id", "read", "result_execution_id", "write"]

# source key -> canonical field; the first key present wins (L1, then L2, then L3)
_TOP_ALIASES: dict[str, tuple[str, ...]] = {
    "run_id": ("execution_id",),
    "plan_id": ("alt_file_id",),
    "duration_ms": ("execution_time_ms", "total_processing_time_ms", "total_execution_time_ms"),
    "started_at": ("start_time", "execution_started"),
    "finished_at": ("end_time", "execution_completed"),
}
_TOP_PLAIN = ("title", "mode", "persona", "summary", "priority", "tags")
TOP_KEYS = frozenset(
    {
        "id",
        "status",
        "success_rate",
        "task_results",
        "artifacts",
        "metadata",
        "execution_graph",
        "version",
        *_TOP_PLAIN,
    }
    | {k for keys in _TOP_ALIASES.values() for k in keys}
)
TASK_KEYS = frozenset(
    {
        "task_id",
        "execution_id",
        "status",
        "start_time",
        "end_time",
        "duration_ms",
        "execution_time_ms",
        "output",
        "error",
        "metadata",
        "retry_count",
        "artifacts",
    }
)
ARTIFACT_KEYS = frozenset(
    {
        "id",
        "name",
        "artifact_type",
        "task_id",
        "path",
        "created_at",
        "size_bytes",
        "mime_type",
        "metadata",
    }
)
RESULT_STASHABLE = frozenset(Result.model_fields) - {
    "format",
    "format_version",
    "id",
    "tasks",
    "artifacts",
    "metadata",
}
TASK_STASHABLE = frozenset(TaskResult.model_fields) - {"task_id", "metadata"}
ARTIFACT_STASHABLE = frozenset(Artifact.model_fields) - {"id", "metadata"}


def _sniff(data: Mapping[str, Any]) -> bool:
    return "format" not in data and "task_results" in data


# --- reading ------------------------------------------------------------------------------------


def read(data: Mapping[str, Any]) -> ReadOutcome:
    rd = Reader()
    record: dict[str, Any] = {}
    top: dict[str, Any] = {}
    names: dict[str, str] = {}
    extra = {str(k): plain(v) for k, v in data.items() if k not in TOP_KEYS}
    if extra:
        record["extra"] = extra
    rid = rd.string(data.get("id", MISSING), "id", nonempty=True)
    if rid is not MISSING:
        top["id"] = rid
    for canonical, keys in _TOP_ALIASES.items():
        key = next((k for k in keys if k in data), None)
        if key is None:
            continue
        names[canonical] = key
        value = data[key]
        if canonical in ("started_at", "finished_at"):
            value = rd.time(value, key)
        if value is not MISSING and value is not None:
            top[canonical] = value
    top.setdefault("run_id", top.get("id", "run"))
    if "plan_id" not in top and "alt_file_id" not in data:
        rd.missing("alt_file_id")
    for key in _TOP_PLAIN:
        if data.get(key) is not None:
            top[key] = plain(data[key])
    version = data.get("version")
    if isinstance(version, str) and version.strip() and version != "1.0":
        record["version"] = version  # serde needs a string: anything else is written as 1.0
    metadata = rd.metadata(data.get("metadata"), "metadata")
    stash = read_stash(metadata, RESULT_STASHABLE, FAMILY)
    stash.lift(top, names)

    run_id = str(top["run_id"])
    mark = len(rd.diagnostics)
    artifacts: list[dict[str, Any]] = []
    tasks = [
        _read_task(rd, path, key, item, run_id, artifacts)
        for path, key, item in _task_items(rd, data.get("task_results", MISSING))
    ]
    for j, raw in enumerate(rd.items(data.get("artifacts"), "artifacts", required=False)):
        artifacts.append(_read_artifact(rd, raw, f"artifacts[{j}]", None, len(artifacts)))
    graph = read_graph(rd, data.get("execution_graph"), run_id, tasks, record)
    part_diagnostics = rd.diagnostics[mark:]
    del rd.diagnostics[mark:]
    _recompute(rd, data, top, tasks, stash.fields, record)
    top["metadata"] = canonical_metadata(
        stash.metadata, stash.shadow, FAMILY, stash.restore(record)
    )
    rd.check(Result, top, names=names)
    rd.diagnostics.extend(part_diagnostics)  # the file's own fields first, then its parts
    # a graph the L1 shape could not hold exactly was stashed whole by the writer
    graph = top.pop("graph", graph)
    return ReadOutcome(
        data={**top, "tasks": tasks, "artifacts": artifacts, "graph": graph},
        diagnostics=rd.diagnostics,
        renames={"tasks": "task_results", "graph": "execution_graph"},
    )


def _task_items(rd: Reader, raw: Any) -> Iterator[tuple[str, str | None, Any]]:
    """``(source path, map key or None, item)`` for a map (L1) or a list (L2/L3)."""
    if raw is MISSING:
        rd.missing("task_results")
        return
    if isinstance(raw, Mapping):
        for key, item in raw.items():
            yield f"task_results.{key}", str(key), item
        return
    if not isinstance(raw, list):
        rd.error("task_results", "Input should be a map (task id -> result) or a list", "type")
        return
    for i, item in enumerate(raw):
        yield f"task_results[{i}]", None, item


def _read_task(
    rd: Reader,
    path: str,
    key: str | None,
    raw: Any,
    run_id: str,
    artifacts: list[dict[str, Any]],
) -> dict[str, Any]:
    placeholder = key if key is not None else f"<{path}>"
    if not isinstance(raw, Mapping):
        rd.error(path, "Input should be a valid dictionary", "dict_type")
        return {"task_id": placeholder, "status": "pending"}
    record: dict[str, Any] = {}
    extra = {str(k): plain(v) for k, v in raw.items() if k not in TASK_KEYS}
    task: dict[str, Any] = {}
    names = {"started_at": f"{path}.start_time", "finished_at": f"{path}.end_time"}
    tid = raw.get("task_id", MISSING)
    if tid is MISSING and key is not None:
        tid = key
    tid = rd.string(tid, f"{path}.task_id", nonempty=True)
    task["task_id"] = tid if tid is not MISSING else placeholder
    if key is not None and key != task["task_id"]:
        record["key"] = key
    exec_id = raw.get("execution_id")
    # serde needs a string here; anything else is written back as a fresh stable id
    if isinstance(exec_id, str) and exec_id != result_execution_id(run_id, task["task_id"]):
        record["execution_id"] = exec_id
    _read_outcome(rd, raw, path, task, names, extra)
    for j, art in enumerate(rd.items(raw.get("artifacts"), f"{path}.artifacts", required=False)):
        artifacts.append(
            _read_artifact(rd, art, f"{path}.artifacts[{j}]", task["task_id"], len(artifacts)),
        )
    if extra:
        record["extra"] = extra
    metadata = rd.metadata(raw.get("metadata"), f"{path}.metadata")
    stash = read_stash(metadata, TASK_STASHABLE, FAMILY)
    stash.lift(task, names, path)
    task["metadata"] = canonical_metadata(
        stash.metadata, stash.shadow, FAMILY, stash.restore(record)
    )
    rd.check(
        TaskResult,
        task,
        prefix=path,
        names=names,
        fallback={"task_id": task["task_id"], "status": "pending"},
    )
    return task


def _read_outcome(
    rd: Reader,
    raw: Mapping[str, Any],
    path: str,
    task: dict[str, Any],
    names: dict[str, str],
    extra: dict[str, Any],
) -> None:
    """Status, times, duration, output, error and attempts of one task result."""
    task["status"] = lower(raw.get("status", MISSING))
    if task["status"] is MISSING:
        rd.missing(f"{path}.status")
        task["status"] = "pending"
    for source, canonical in (("start_time", "started_at"), ("end_time", "finished_at")):
        moment = rd.time(raw.get(source), f"{path}.{source}")
        if moment is not MISSING and moment is not None:
            task[canonical] = moment
    for source in ("duration_ms", "execution_time_ms"):
        if raw.get(source) is not None:
            task["duration_ms"] = raw[source]
            names["duration_ms"] = f"{path}.{source}"
            break
    task["output"] = plain(raw.get("output"))
    error = raw.get("error")
    if isinstance(error, str):
        task["error"] = {"type": LEGACY_ERROR_TYPE, "message": error}
    elif error is not None:
        task["error"] = plain(error)
    retries = raw.get("retry_count")
    if isinstance(retries, int) and not isinstance(retries, bool) and retries >= 0:
        task["attempts"] = retries + 1  # L3 counts retries; attempts include the first try
    elif retries is not None:
        extra["retry_count"] = plain(retries)


def _read_artifact(
    rd: Reader,
    raw: Any,
    path: str,
    task_id: str | None,
    index: int,
) -> dict[str, Any]:
    fallback = {"id": f"artifact_{index + 1}", "name": "artifact", "path": ""}
    if not isinstance(raw, Mapping):
        rd.error(path, "Input should be a valid dictionary", "dict_type")
        return fallback
    record: dict[str, Any] = {}
    extra = {str(k): plain(v) for k, v in raw.items() if k not in ARTIFACT_KEYS}
    if extra:
        record["extra"] = extra
    names = {"kind": f"{path}.artifact_type"}
    art: dict[str, Any] = {"id": raw.get("id", fallback["id"])}
    where = raw.get("path", MISSING)
    if where is MISSING:
        rd.missing(f"{path}.path")
    else:
        art["path"] = where
    name = raw.get("name", MISSING)
    if name is MISSING:
        # L3 artifacts carry no name; the file name is what the runner would have used
        name = PurePath(where).name if isinstance(where, str) and where else str(art["id"])
    art["name"] = name
    if raw.get("artifact_type") is not None:
        art["kind"] = lower(raw["artifact_type"])
    art["task_id"] = raw.get("task_id", task_id)
    moment = rd.time(raw.get("created_at"), f"{path}.created_at")
    if moment is not MISSING and moment is not None:
        art["created_at"] = moment
    for key in ("size_bytes", "mime_type"):
        if raw.get(key) is not None:
            art[key] = raw[key]
    metadata = rd.metadata(raw.get("metadata"), f"{path}.metadata")
    stash = read_stash(metadata, ARTIFACT_STASHABLE, FAMILY)
    stash.lift(art, names, path)
    art["metadata"] = canonical_metadata(
        stash.metadata, stash.shadow, FAMILY, stash.restore(record)
    )
    rd.check(Artifact, art, prefix=path, names=names, fallback=fallback)
    return art


def _recompute(
    rd: Reader,
    data: Mapping[str, Any],
    top: dict[str, Any],
    tasks: list[dict[str, Any]],
    stashed: Mapping[str, Any],
    record: dict[str, Any],
) -> None:
    """success_rate and status from the task statuses (reference section 8)."""
    done = sum(1 for t in tasks if t.get("status") == TaskStatus.COMPLETED.value)
    rate = done / len(tasks) if tasks else 0.0
    status = run_status_for(rate, has_tasks=bool(tasks))
    raw_rate = data.get("success_rate", MISSING)
    if "success_rate" not in stashed:
        top["success_rate"] = rate
        if raw_rate is MISSING:
            rd.missing("success_rate")
        elif not isinstance(raw_rate, int | float) or isinstance(raw_rate, bool):
            rd.error("success_rate", "Input should be a valid number", "float_type")
        elif abs(raw_rate - rate) > 1e-6:  # L2 wrote an f32
            record["success_rate"] = raw_rate
            rd.warn(
                "success_rate",
                f"success_rate {raw_rate} does not match {done}/{len(tasks)} completed task "
                f"results; using {rate:.4f} (the file's value is kept in metadata.altlas.runner)",
                "success_rate",
            )
    raw_status = data.get("status", MISSING)
    if "status" in stashed:
        return
    top["status"] = status.value
    if raw_status is MISSING:
        return
    try:
        claimed = RunStatus(lower(raw_status))
    except ValueError:
        rd.error("status", "Input should be 'success', 'partialsuccess' or 'failure'", "enum")
        return
    if claimed is not status:
        record["status"] = plain(raw_status)
        rd.warn(
            "status",
            f"status {raw_status!r} does not follow from the task results; using "
            f"'{status.value}' (the file's value is kept in metadata.altlas.runner)",
            "status",
        )


register(
    Dialect(
        name="runner-last",
        kind="last",
        description="runner service last_<execution_id>.json (L1; L2 and L3 on reading)",
        sniff=_sniff,
        read=read,
        write=write,
        syntax="json",
        order=30,
    ),
)
