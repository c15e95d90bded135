"""From a validated :class:`Result` to what the archive stores: a row, task rows, tags and text."""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from altlas.formats.common import TaskStatus
from altlas.formats.result import Result
from altlas.index.taskpack import pack_tasks
from altlas.index.timeparse import to_micros

__all__ = [
    "RESULT_COLUMNS",
    "STORED_DEFAULTS",
    "TASK_COLUMNS",
    "IndexText",
    "Prepared",
    "index_text",
    "prepare",
    "record_id",
    "result_row",
    "sha256_hex",
    "stored_row",
    "task_rows",
    "task_values",
]

MAX_FIELD_CHARS = 64_000
"""Text beyond this per field is not indexed (it stays in the blob): bounds the index size."""

RESULT_COLUMNS = (  # what an insert writes; ``id`` is computed from ``sha256`` (m006)
    "sha256",
    "result_id",
    "run_id",
    "plan_id",
    "title",
    "command",
    "language",
    "mode",
    "persona",
    "status",
    "success_rate",
    "started_at",
    "finished_at",
    "ts",
    "duration_ms",
    "task_count",
    "completed_count",
    "tags",
    "dialect",
    "container",
    "source",
    "name",
    "raw_size",
    "stored_size",
    "added_at",
    "indexed",
    "blob_state",
    "state",
    "dict_id",
    "task_pack",
)
TASK_COLUMNS = (  # the ``tasks`` table of schema 1-4; since m005 packed (index/taskpack.py)
    "rid",
    "seq",
    "task_id",
    "type",
    "handler",
    "status",
    "attempts",
    "duration_ms",
    "error_type",
    "error_message",
    "cached",
)


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def record_id(sha: str) -> str:
    """The archive id of a file: the first 16 hex digits of the sha256 of its original bytes."""
    return sha[:16]


CONTAINER_SUFFIXES = {"zip": ".zip", "zstd": ".zst", "gzip": ".gz"}


def default_name(archive_id: str, container: str | None) -> str:
    """A file name for an original whose name is unknown, with its container's suffix."""
    return f"{archive_id}.last" + CONTAINER_SUFFIXES.get(container or "", "")


def stored_name(name: str | None, archive_id: str, container: str | None) -> str:
    """The name an original is exported under: it must say what the bytes are.

    A zip bundle once recorded under its inner file's name (``last_x.json``) gets its
    container's suffix back, so export never writes zip bytes to a ``.json`` file.
    """
    base = Path(name or "").name or default_name(archive_id, container)
    suffix = CONTAINER_SUFFIXES.get(container or "")
    if suffix and not base.lower().endswith(suffix):
        base += suffix
    return base


@dataclass(slots=True)
class IndexText:
    """The searchable text of one result, by index field."""

    command: str = ""
    title: str = ""
    summary: str = ""
    tasks: str = ""
    outputs: str = ""
    errors: str = ""
    tags: str = ""

    def fields(self) -> dict[str, str]:
        return {
            "command": self.command,
            "title": self.title,
            "summary": self.summary,
            "tasks": self.tasks,
            "outputs": self.outputs,
            "errors": self.errors,
            "tags": self.tags,
        }

    def __reduce__(self) -> tuple[type[IndexText], tuple[str, ...]]:
        # Pickled with each staged file (see ``Staged.__reduce__``): its values, in order.
        return (IndexText, _TEXT_VALUES(self))


_TEXT_VALUES = operator.attrgetter(*(f.name for f in fields(IndexText)))


@dataclass(slots=True)
class Prepared:
    """One file read, hashed, parsed and compressed, ready for the saga."""

    path: str
    source: str | None
    name: str
    raw: bytes
    sha: str
    result: Result
    dialect: str
    container: str
    blob: bytes = b""
    dict_id: int = 0
    added_at: datetime | None = None
    rid: int = 0
    future: Any = None
    """The pending blob write, when it was started early (see ``BlobStore.write_async``)."""

    @property
    def id(self) -> str:
        return record_id(self.sha)


def _strings(value: Any, out: list[str]) -> None:
    """Append the string leaves of a JSON value, in document order."""
    kind = type(value)
    if kind is str:
        out.append(value)
        return
    if kind is dict:
        children: Any = value.values()
    elif kind is list or kind is tuple:
        children = value
    else:
        return
    # Scalars are tested inline: outputs are often long tables of numbers.
    for child in children:
        kind = type(child)
        if kind is str:
            out.append(child)
        elif kind is dict or kind is list:
            _strings(child, out)


def index_text(result: Result) -> IndexText:
    outputs: list[str] = []
    for task in result.tasks:
        _strings(task.output, outputs)
    errors = [f"{t.error.type}: {t.error.message}" for t in result.tasks if t.error is not None]
    meta_error = result.metadata.get("error")
    if isinstance(meta_error, str):
        errors.append(meta_error)
    return IndexText(
        command=result.command or "",
        title=result.title or "",
        summary=(result.summary or "")[:MAX_FIELD_CHARS],
        tasks="\n".join(t.description or t.task_id for t in result.tasks)[:MAX_FIELD_CHARS],
        outputs="\n".join(outputs)[:MAX_FIELD_CHARS],
        errors="\n".join(errors)[:MAX_FIELD_CHARS],
        tags=" ".join(result.tags),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def index_text_from_data(data: dict[str, Any]) -> IndexText:
    """:func:`index_text` straight from canonical JSON data (no validation): for snippets,
    where the original was validated when it was added."""
    tasks = [t for t in data.get("tasks") or [] if isinstance(t, dict)]
    outputs: list[str] = []
    for task in tasks:
        _strings(task.get("output"), outputs)
    errors = []
    for task in tasks:
        err = task.get("error")
        if isinstance(err, dict):
            errors.append(f"{_text(err.get('type'))}: {_text(err.get('message'))}")
    meta = data.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("error"), str):
        errors.append(meta["error"])
    tags = [t for t in data.get("tags") or [] if isinstance(t, str)]
    return IndexText(
        command=_text(data.get("command")),
        title=_text(data.get("title")),
        summary=_text(data.get("summary"))[:MAX_FIELD_CHARS],
        tasks="\n".join(_text(t.get("description")) or _text(t.get("task_id")) for t in tasks)[
            :MAX_FIELD_CHARS
        ],
        outputs="\n".join(outputs)[:MAX_FIELD_CHARS],
        errors="\n".join(errors)[:MAX_FIELD_CHARS],
        tags=" ".join(tags),
    )


def result_time(result: Result, added_at: datetime) -> datetime:
    """When the result happened: started, else finished, else when it was archived."""
    return result.started_at or result.finished_at or added_at


def result_row(item: Prepared) -> tuple[Any, ...]:
    """Values for :data:`RESULT_COLUMNS`, in order (``indexed`` starts at 0)."""
    res = item.result
    assert item.added_at is not None
    completed = [t.status for t in res.tasks].count(TaskStatus.COMPLETED)
    return (
        bytes.fromhex(item.sha),
        res.id,
        res.run_id,
        res.plan_id or None,
        res.title,
        res.command,
        (res.language or None) and res.language.lower(),
        res.mode._value_,
        res.persona,
        res.status._value_,
        res.success_rate,
        to_micros(res.started_at) if res.started_at else None,
        to_micros(res.finished_at) if res.finished_at else None,
        to_micros(result_time(res, item.added_at)),
        res.duration_ms,
        len(res.tasks),
        completed,
        orjson.dumps(res.tags).decode(),
        item.dialect,
        item.container,
        item.source,
        item.name,
        len(item.raw),
        len(item.blob),
        to_micros(item.added_at),
        0,
        "ok",
        "active",
        item.dict_id,
        pack_tasks(task_values(res)),
    )


_NAME_AT, _SOURCE_AT = RESULT_COLUMNS.index("name"), RESULT_COLUMNS.index("source")
STORED_DEFAULTS = {"dialect": "canonical-last", "container": "plain"}
"""Values stored as NULL (m006) and read back by the repository: nearly every row's."""
_DEFAULT_AT = {RESULT_COLUMNS.index(c): v for c, v in STORED_DEFAULTS.items()}


def stored_row(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A :data:`RESULT_COLUMNS` row as stored: ``name`` NULL when it is the last part of
    ``source`` (nearly always), ``dialect`` and ``container`` NULL when they are the usual
    ones; the repository reads them back (0.4% of the raw JSON together)."""
    out = list(values)
    for at, usual in _DEFAULT_AT.items():
        if out[at] == usual:
            out[at] = None
    name, source = values[_NAME_AT], values[_SOURCE_AT]
    if source is not None and name == source.rsplit("/", 1)[-1]:
        out[_NAME_AT] = None
    return tuple(out)


def task_values(result: Result) -> list[tuple[Any, ...]]:
    """A result's task rows without ``rid`` and ``seq`` (:data:`altlas.index.taskpack.TaskRow`)."""
    return [
        (
            t.task_id,
            t.type,
            t.handler,
            t.status._value_,  # the member's plain str; ``.value`` is a Python descriptor
            t.attempts,
            t.duration_ms,
            t.error.type if t.error else None,
            t.error.message if t.error else None,
            int(t.cached),
        )
        for t in result.tasks
    ]


def task_rows(rid: int, result: Result) -> list[tuple[Any, ...]]:
    """Rows of the ``tasks`` table of schema 1-4 (what the upgrade tests build)."""
    return [
        (
            rid,
            seq,
            t.task_id,
            t.type,
            t.handler,
            t.status.value,
            t.attempts,
            t.duration_ms,
            t.error.type if t.error else None,
            t.error.message if t.error else None,
            int(t.cached),
        )
        for seq, t in enumerate(result.tasks)
    ]


def prepare(raw: bytes, *, display: str, source: str | None, sha: str | None = None) -> Prepared:
    """Parse and validate one original (any ``.last`` dialect and container)."""
    from altlas.errors import ArchiveInputError
    from altlas.formats.io import read_bytes

    loaded = read_bytes(raw, name=display, kind="last")
    if not isinstance(loaded.document, Result):
        raise ArchiveInputError(f"not a result but a {loaded.kind} document", file=display)
    digest = sha or sha256_hex(raw)
    return Prepared(
        path=display,
        source=source,
        # The file's own name, not a zip member's: export must write what the bytes are.
        name=_own_name(display, digest, loaded.container),
        raw=raw,
        sha=digest,
        result=loaded.document,
        dialect=loaded.dialect,
        container=loaded.container,
    )


def _own_name(display: str, sha: str, container: str) -> str:
    """:func:`stored_name` of the display name, without two ``Path`` objects per file (the
    common case: a plain file whose name has no directory separator of another system)."""
    if container == "plain" and "\\" not in display:
        base = display.rpartition("/")[2]
        if base and base not in (".", ".."):
            return base
    return stored_name(Path(display).name, record_id(sha), container)
