"""Staging: from an original's bytes to everything the saga writes, touching nothing.

Staging is pure CPU work (hash, parse and validate, extract rows and text, compress), so a
large ``add`` runs it in a worker process, one batch ahead, while the main process writes
the previous batch (see :class:`Stager`). The worker only reads the database, to skip
parsing files that are already archived.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from altlas.errors import AltlasError
from altlas.formats.result import Result
from altlas.index.blobs import _ALREADY_COMPRESSED, BlobStore
from altlas.index.extract import (
    RESULT_COLUMNS,
    IndexText,
    Prepared,
    index_text,
    record_id,
    result_row,
    sha256_hex,
    task_rows,
)
from altlas.index.timeparse import to_micros

__all__ = ["Staged", "Stager", "stage_bytes", "stage_prepared"]

_TS = RESULT_COLUMNS.index("ts")
_ADDED = RESULT_COLUMNS.index("added_at")
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
    dict_id: int = 0
    row: tuple[Any, ...] = ()
    """Values of RESULT_COLUMNS; ``ts`` and ``added_at`` are set by :meth:`row_for`."""
    event_us: int | None = None
    tasks: list[tuple[Any, ...]] = field(default_factory=list)
    """Task rows without the leading rid."""
    tags: list[str] = field(default_factory=list)
    text: IndexText | None = None
    keywords: dict[str, list[str]] = field(default_factory=dict)
    success_rate: float = 0.0
    added_at: datetime | None = None

    @property
    def id(self) -> str:
        return record_id(self.sha)

    def row_for(self, added_at: datetime, stored_size: int) -> tuple[Any, ...]:
        from altlas.formats.common import to_rfc3339

        values = list(self.row)
        values[_TS] = self.event_us if self.event_us is not None else to_micros(added_at)
        values[_ADDED] = to_rfc3339(added_at)
        values[RESULT_COLUMNS.index("stored_size")] = stored_size
        values[RESULT_COLUMNS.index("dict_id")] = self.dict_id
        return tuple(values)

    def task_rows(self, rid: int) -> list[tuple[Any, ...]]:
        return [(rid, *t) for t in self.tasks]


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
    return Staged(
        display=item.path,
        source=item.source,
        sha=item.sha,
        raw_size=len(item.raw),
        result_id=result.id,
        frame=item.blob,
        dict_id=item.dict_id,
        row=row,
        event_us=to_micros(event) if event else None,
        tasks=[t[1:] for t in task_rows(0, result)],
        tags=list(dict.fromkeys(result.tags)),
        text=index_text(result),
        keywords={
            "status": [result.status.value],
            "tag": list(result.tags),
            "task_type": sorted({t.type for t in result.tasks if t.type}),
            "handler": sorted({t.handler for t in result.tasks if t.handler}),
            "mode": [result.mode.value],
            "persona": [result.persona] if result.persona else [],
            "lang": [result.language.lower()] if result.language else [],
            "result_id": [result.id],
        },
        success_rate=result.success_rate,
        added_at=item.added_at,
    )


def stage_bytes(
    raw: bytes,
    *,
    display: str,
    source: str | None,
    compressor: BlobStore,
    sha: str | None = None,
    name: str | None = None,
    added_at: datetime | None = None,
) -> Staged:
    """Parse, validate and stage one original; a bad one becomes ``failure`` (one line)."""
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


# -- the worker process -------------------------------------------------------------------------

_WORKER: dict[Any, Any] = {}


def _mark_worker(parent: int) -> None:
    """Pool initializer: cache between batches, and never outlive the parent.

    A parent killed with SIGKILL cannot stop its workers: on Linux the kernel sends them
    SIGKILL too (``PR_SET_PDEATHSIG``); elsewhere a watchdog notices the new parent pid.
    """
    import sys
    import threading
    import time

    _WORKER["worker"] = True
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="altlas-parent-watch", daemon=True).start()


def _worker_store(root: str, level: int, dict_id: int) -> BlobStore:
    key = ("blobs", root, level)
    store = _WORKER.get(key) if _WORKER.get("worker") else None
    if store is None:
        store = BlobStore(Path(root), level=level)
        if _WORKER.get("worker"):
            _WORKER[key] = store
    # A batch submitted before the writer saw the dictionary this worker trained still uses it.
    store.use_dictionary(dict_id or int(_WORKER.get(("trained", root), 0)))
    return store


_DICT_SIZE = 112_640
DICT_SAMPLES = 400
"""Enough ~10 KB results for a dictionary within 1% of one trained on 1,000, in half the time."""


def _train_here(compressor: BlobStore, raws: Sequence[bytes], level: int) -> None:
    """Train a zstd dictionary on this batch's plain originals; this batch and later ones use it.

    Runs in the staging worker, one batch ahead of the writer, so the writer never waits for
    it. Only an optimisation: when it cannot train, the end of the add or ``archive
    optimize`` does.
    """
    import zstandard

    samples = [raw for raw in raws if not raw.startswith(_ALREADY_COMPRESSED)][:DICT_SAMPLES]
    if len(samples) < 20:
        return
    try:
        trained = zstandard.train_dictionary(_DICT_SIZE, cast(Any, samples), level=level)
        dict_id = compressor.save_dictionary(trained.as_bytes())
    except (zstandard.ZstdError, OSError, AltlasError):
        return
    compressor.use_dictionary(dict_id)
    _WORKER[("trained", str(compressor.root))] = dict_id


def _known(db: str, shas: Sequence[str]) -> set[str]:
    key = ("conn", db)
    conn = _WORKER.get(key)
    if conn is None:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        if _WORKER.get("worker"):
            _WORKER[key] = conn
    try:
        return _known_in(conn, shas)
    except sqlite3.Error:
        # Only a shortcut (skip parsing what is archived): the writer checks again under the lock.
        return set()
    finally:
        if not _WORKER.get("worker"):
            conn.close()


def _known_in(conn: sqlite3.Connection, shas: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for at in range(0, len(shas), 900):
        chunk = list(shas[at : at + 900])
        marks = ", ".join("?" * len(chunk))
        out.update(
            r[0]
            for r in conn.execute(
                f"SELECT sha256 FROM results WHERE blob_state = 'ok' AND state = 'active' "  # noqa: S608
                f"AND sha256 IN ({marks})",
                chunk,
            )
        )
    return out


def stage_files(
    files: Sequence[_FILE],
    *,
    blobs_root: str,
    level: int,
    dict_id: int,
    db: str,
    train: bool = False,
) -> list[Staged]:
    """Read, hash and stage a batch of files (in the worker, or in-process as a fallback)."""
    import gc

    compressor = _worker_store(blobs_root, level, dict_id)
    read: list[tuple[str, str | None, bytes, str]] = []
    out: list[Staged] = []
    for display, path, source in files:
        if path is None:
            out.append(Staged(display, source, "", failure=f"{display}: no such file or directory"))
            continue
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            out.append(
                Staged(display, source, "", failure=f"{display}: cannot read: {exc.strerror}")
            )
            continue
        read.append((display, source, raw, sha256_hex(raw)))
    known = _known(db, [r[3] for r in read]) if Path(db).exists() else set()
    if train:
        _train_here(compressor, [r[2] for r in read if r[3] not in known], level)
    was = gc.isenabled()
    gc.disable()  # a batch of parsed results is a lot of objects for the cyclic GC to rescan
    try:
        for display, source, raw, sha in read:
            if sha in known:
                out.append(Staged(display, source, sha, len(raw), known=True))
            else:
                out.append(
                    stage_bytes(raw, display=display, source=source, sha=sha, compressor=compressor)
                )
    finally:
        if was:
            gc.enable()
    return out


class Stager:
    """Stages batches of files one batch ahead in a worker process (in-process if it cannot)."""

    def __init__(self, *, blobs: BlobStore, db: Path, workers: int, train: bool = False) -> None:
        self.blobs = blobs
        self.db = db
        self.train = train
        """Have the worker train a dictionary on the first batch it stages."""
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            import multiprocessing

            # spawn, not fork: the parent has I/O and tantivy threads.
            try:
                self.pool = ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_mark_worker,
                    initargs=(os.getpid(),),
                )
            except (OSError, ImportError, NotImplementedError):
                self.pool = None  # no process support here: stage in-process

    def _job(self, files: Sequence[_FILE]) -> dict[str, Any]:
        return {
            "blobs_root": str(self.blobs.root),
            "level": self.blobs.level,
            "dict_id": self.blobs.current_dict_id,
            "db": str(self.db),
        }

    def stage(self, batches: Iterator[Sequence[_FILE]]) -> Iterator[list[Staged]]:
        pending: list[tuple[Sequence[_FILE], Future[list[Staged]] | None]] = []

        first = [True]

        def submit() -> None:
            files = next(batches, None)
            if files is None:
                return
            future = None
            # The first batch is staged here while the worker starts (about a second of
            # imports on a busy machine), which would otherwise be the pipeline's idle start.
            if self.pool is not None and not first[0]:
                try:
                    future = self.pool.submit(
                        stage_files, files, **self._job(files), train=self.train
                    )
                    self.train = False
                except (BrokenProcessPool, RuntimeError):
                    self.pool = None
            first[0] = False
            pending.append((files, future))

        submit()
        submit()
        while pending:
            files, future = pending.pop(0)
            staged: list[Staged] | None = None
            if future is not None:
                try:
                    staged = future.result()
                except BrokenProcessPool:
                    self.pool = None
            if staged is None:
                staged = stage_files(files, **self._job(files))
            submit()
            yield staged

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
