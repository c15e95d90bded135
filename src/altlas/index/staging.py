"""Staging: from an original's bytes to everything the saga writes.

Staging is mostly CPU work (hash, parse and validate, extract rows and text, compress), so a
large ``add`` runs it in worker processes, a batch or two ahead, while the main process writes
the previous batch (:class:`altlas.index.stager.Stager`). A worker reads the database only to
skip parsing files that are already archived; it writes nothing but the batch's blobs and
their names (:func:`store_staged`), which are content-addressed and may be orphaned by a
crash, so the writer's saga order holds: a row is only ever committed after its blob is
durable.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from altlas.errors import AltlasError, ArchiveUnavailableError
from altlas.formats.result import Result
from altlas.index.blobs import BlobStore
from altlas.index.extract import (
    RESULT_COLUMNS,
    IndexText,
    Prepared,
    index_text,
    record_id,
    result_row,
    sha256_hex,
)
from altlas.index.timeparse import to_micros

__all__ = ["Staged", "stage_bytes", "stage_prepared", "store_staged"]

_TS = RESULT_COLUMNS.index("ts")
_ADDED = RESULT_COLUMNS.index("added_at")
_NAME = RESULT_COLUMNS.index("name")
_STATUS, _MODE = RESULT_COLUMNS.index("status"), RESULT_COLUMNS.index("mode")
_PERSONA, _LANG = RESULT_COLUMNS.index("persona"), RESULT_COLUMNS.index("language")
_RESULT_ID = RESULT_COLUMNS.index("result_id")
_STORED_SIZE, _DICT_ID = RESULT_COLUMNS.index("stored_size"), RESULT_COLUMNS.index("dict_id")
_FILE = tuple[str, str | None, str | None]
"""(display name, path to read or None when it does not exist, absolute source path)."""


@dataclass(slots=True)
class Staged:
    """One original, ready to be written (or the one-line reason it cannot be)."""

    display: str
    source: str | None
    sha: str
    raw_size: int = 0
    failure: str | None = None
    known: bool = False
    """Already archived when staged: not parsed."""
    result_id: str = ""
    frame: bytes = b""
    """The compressed original; emptied once :func:`store_staged` made it durable."""
    dict_id: int = 0
    stored_size: int = 0
    stored: bool = False
    """The frame (and its names-sidecar line) is durable in the pack already."""
    row: tuple[Any, ...] = ()
    """Values of RESULT_COLUMNS; ``ts`` and ``added_at`` are set by :meth:`row_for`."""
    event_us: int | None = None
    task_types: list[str] = field(default_factory=list)
    """Distinct task types (the ``task_types`` rows; the tasks themselves are packed in
    ``row``'s ``task_pack``)."""
    tags: list[str] = field(default_factory=list)
    text: IndexText | None = None
    all_tags: list[str] = field(default_factory=list)
    """The result's tags as written, repeats included (the ``tag`` keywords)."""
    handlers: list[str] = field(default_factory=list)
    """Distinct handlers, sorted (the ``handler`` keywords)."""
    success_rate: float = 0.0
    added_at: datetime | None = None

    def __reduce__(self) -> tuple[type[Staged], tuple[Any, ...]]:
        # Every staged file crosses from a worker to the writer: rebuilt from its values, it
        # pickles in 4.4 us instead of 11.8 and unpickles in 4.8 instead of 6.4 (the default
        # for a class with slots goes through a dict of them).
        return (Staged, _STAGED_VALUES(self))

    @property
    def keywords(self) -> dict[str, list[str]]:
        """The index document's keyword fields. Built by the writer from the row: sent from
        a worker as a dict of lists, they cost it 4.5 us a file to build and 2.7 to pickle."""
        row = self.row
        if not row:  # known, or failed: nothing to index
            return {}
        return {
            "status": [row[_STATUS]],
            "tag": list(self.all_tags),
            "task_type": sorted([kind for kind in self.task_types if kind]),  # distinct already
            "handler": list(self.handlers),
            "mode": [row[_MODE]],
            "persona": [row[_PERSONA]] if row[_PERSONA] else [],
            "lang": [row[_LANG]] if row[_LANG] else [],  # lowered in the row
            "result_id": [row[_RESULT_ID]],
        }

    @property
    def id(self) -> str:
        return record_id(self.sha)

    def row_for(self, added_at: datetime, stored_size: int) -> tuple[Any, ...]:
        values = list(self.row)
        values[_TS] = self.event_us if self.event_us is not None else to_micros(added_at)
        values[_ADDED] = to_micros(added_at)
        values[_STORED_SIZE] = stored_size
        values[_DICT_ID] = self.dict_id
        return tuple(values)

    def task_type_rows(self, rid: int) -> list[tuple[str, int]]:
        return [(kind, rid) for kind in self.task_types]


_STAGED_VALUES = operator.attrgetter(*(f.name for f in fields(Staged)))


def stage_prepared(item: Prepared, compressor: BlobStore | None) -> Staged:
    """Stage a parsed result (``frame`` reused when the item carries one)."""
    result: Result = item.result
    if not item.blob and compressor is not None:
        item.blob, item.dict_id = compressor.compress(item.raw)
    event = result.started_at or result.finished_at
    placeholder = item.added_at or datetime(1970, 1, 1, tzinfo=UTC)
    item_added, item.added_at = item.added_at, placeholder
    row = result_row(item)
    item.added_at = item_added
    types = list(dict.fromkeys(t.type for t in result.tasks if t.type is not None))
    return Staged(
        display=item.path,
        source=item.source,
        sha=item.sha,
        raw_size=len(item.raw),
        result_id=result.id,
        frame=item.blob,
        dict_id=item.dict_id,
        stored_size=len(item.blob),
        row=row,
        event_us=row[_TS] if event else None,  # the row's ``ts`` is the event's time then
        task_types=types,
        tags=list(dict.fromkeys(result.tags)),
        text=index_text(result),
        all_tags=result.tags,
        handlers=sorted({t.handler for t in result.tasks if t.handler}),
        success_rate=result.success_rate,
        added_at=item.added_at,
    )


def stage_bytes(
    raw: bytes,
    *,
    display: str,
    source: str | None,
    compressor: BlobStore | None,
    sha: str | None = None,
    name: str | None = None,
    added_at: datetime | None = None,
) -> Staged:
    """Parse, validate and stage one original; a bad one becomes ``failure`` (one line).

    Without ``compressor`` the frame is left empty, for the caller to compress.
    """
    from altlas.index.extract import prepare

    digest = sha or sha256_hex(raw)
    try:
        item = prepare(raw, display=display, source=source, sha=digest)
    except AltlasError as exc:
        return Staged(display, source, digest, len(raw), failure=exc.one_line())
    except Exception as exc:  # a reader bug must not stop the batch
        return Staged(
            display, source, digest, len(raw), failure=f"{display}: {type(exc).__name__}: {exc}"
        )
    if name:
        item.name = name
    item.added_at = added_at
    return stage_prepared(item, compressor)


def store_staged(compressor: BlobStore, staged: Sequence[Staged]) -> None:
    """Make the batch's new frames and their names durable in the pack, then drop them.

    Done where the batch was staged, so the frames never travel to the writer and the writer
    never waits for their fsync. A frame whose row the writer then does not insert (the
    result is archived from other bytes) is an orphan the writer deletes; a crash leaves
    orphans that the next ``add`` reuses and ``verify --repair`` adopts.
    """
    from altlas.formats.common import to_rfc3339
    from altlas.index.health import os_cause

    new = [st for st in staged if st.frame and not st.stored and st.failure is None]
    if not new:
        return
    now = datetime.now(UTC)
    names = []
    for st in new:
        st.added_at = st.added_at or now
        names.append(
            {
                "sha256": st.sha,
                "name": st.row[_NAME],
                "source": st.source,
                "added_at": to_rfc3339(st.added_at),
            }
        )
    try:
        compressor.put_many([(st.sha, st.frame) for st in new], names=names)
    except OSError as exc:
        raise ArchiveUnavailableError(
            f"cannot store the blobs: {os_cause(exc)}", file=str(compressor.packs.path)
        ) from None
    for st in new:
        st.stored, st.frame = True, b""
