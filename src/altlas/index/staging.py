"""Staging: from an original's bytes to everything the saga writes, touching nothing.

Staging is mostly CPU work (hash, parse and validate, extract rows and text, compress), so a
large ``add`` runs it in worker processes, a batch or two ahead, while the main process writes
the previous batch (see :class:`Stager`). The worker reads the database only to skip parsing
files that are already archived; it writes nothing but the batch's blobs and their names
(:func:`store_staged`), which are content-addressed and may be orphaned by a crash, so the
writer's saga order holds: a row is only ever committed after its blob is durable.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from altlas.errors import AltlasError, ArchiveUnavailableError
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
_NAME = RESULT_COLUMNS.index("name")
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
        stored_size=len(item.blob),
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


def _worker_store(root: str, level: int, dict_id: int, fsync: bool = True) -> BlobStore:
    key = ("blobs", root, level, fsync)
    store = _WORKER.get(key) if _WORKER.get("worker") else None
    if store is None:
        store = BlobStore(Path(root), level=level, fsync=fsync)
        if _WORKER.get("worker"):
            _WORKER[key] = store
    # A batch submitted before the writer saw the dictionary this worker trained still uses it.
    store.use_dictionary(dict_id or int(_WORKER.get(("trained", root), 0)))
    return store


_DICT_SIZE = 112_640
DICT_SAMPLES = 200
"""Enough ~10 KB results: on the synthetic corpus a dictionary trained on 200 compresses to
13.93% of the raw size against 13.90% for 400, in half the time (0.10 s against 0.19 s, while
the other workers wait for it)."""


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


def stage_files(
    files: Sequence[_FILE],
    *,
    blobs_root: str,
    level: int,
    dict_id: int,
    db: str,
    fsync: bool = True,
    train: bool = False,
    local: BlobStore | None = None,
) -> list[Staged]:
    """Read, hash, stage and store a batch of files (in a worker, or in-process with ``local``,
    the archive's own blob store)."""
    import gc

    compressor = local if local is not None else _worker_store(blobs_root, level, dict_id, fsync)
    read: list[tuple[str, str | None, bytes, str]] = []
    out: list[Staged] = []
    for display, path, source in files:
        if path is None:
            out.append(Staged(display, source, "", failure=f"{display}: no such file or directory"))
            continue
        try:
            with open(path, "rb") as fh:  # noqa: PTH123  (hot path: no Path object per file)
                raw = fh.read()
        except OSError as exc:
            out.append(
                Staged(display, source, "", failure=f"{display}: cannot read: {exc.strerror}")
            )
            continue
        read.append((display, source, raw, sha256_hex(raw)))
    known = _known(db, [r[3] for r in read]) if os.path.exists(db) else set()  # noqa: PTH110
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
    store_staged(compressor, out)
    return out


_Outcome = list[Staged] | tuple[type[AltlasError], str, dict[str, Any]]


def _stage_remote(files: Sequence[_FILE], **job: Any) -> _Outcome:
    """:func:`stage_files` in the worker; an AltlasError comes back whole (class and context),
    which pickling the exception itself would lose."""
    try:
        return stage_files(files, **job)
    except AltlasError as exc:
        return type(exc), exc.message, exc.context


def _start_pool(workers: int) -> tuple[ProcessPoolExecutor, bool]:
    """The worker processes, forked now when that is safe, else spawned.

    A spawned worker imports the readers and models again (0.3 s of CPU each, as much as
    parsing a thousand files); a forked one has them already. Fork only from a process with
    no other thread (the CLI, a script): a thread holding a lock at fork time (tantivy's
    indexers, a server's pool) would leave it locked in the child. All the workers are
    forked here, by a first no-op job, before the caller opens its tantivy writer.
    """
    import multiprocessing
    import threading

    fork = sys.platform.startswith("linux") and threading.active_count() == 1
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork" if fork else "spawn"),
        initializer=_mark_worker,
        initargs=(os.getpid(),),
    )
    if fork:
        pool.submit(int)  # forks every worker now, while this process has one thread
    return pool, fork


class Stager:
    """Stages batches of files ahead of the writer in worker processes (in-process if it cannot).

    With ``workers`` processes, that many batches are staged while the writer writes one: on
    two cores the parsing and the writing overlap. The first worker job trains the zstd
    dictionary (``train``); until it is back no other job starts, so no batch is compressed
    without it (re-encoding them afterwards cost the writer more than the wait). A first batch
    staged in-process (spawned workers) is re-encoded at the end of the add
    (``autodict.recompress_earlier``).
    """

    def __init__(self, *, blobs: BlobStore, db: Path, workers: int, train: bool = False) -> None:
        self.blobs = blobs
        self.db = db
        self.train = train
        """Have the worker train a dictionary on the first batch it stages."""
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.forked = False
        self.trained = 0
        """The dictionary a worker trained in this add, once one came back."""
        if workers > 0:
            try:
                self.pool, self.forked = _start_pool(workers)
            except (OSError, ImportError, NotImplementedError, ValueError):
                self.pool = None  # no process support here: stage in-process

    def _job(self) -> dict[str, Any]:
        return {
            "blobs_root": str(self.blobs.root),
            "level": self.blobs.level,
            # Before the writer adopts the dictionary a worker trained, the next jobs use it
            # already (any worker can read it: its file is written before it is used).
            "dict_id": self.blobs.current_dict_id or self.trained,
            "db": str(self.db),
            "fsync": self.blobs.fsync,
        }

    def stage(self, batches: Iterator[Sequence[_FILE]]) -> Iterator[list[Staged]]:
        pending: list[tuple[Sequence[_FILE], Future[_Outcome] | None]] = []
        training: list[Future[_Outcome]] = []
        first = [True]

        def submit() -> bool:
            files = next(batches, None)
            if files is None:
                return False
            future = None
            # A spawned worker takes about a second of imports on a busy machine to start:
            # the first batch is staged here meanwhile. Forked ones start at once.
            if self.pool is not None and (self.forked or not first[0]):
                try:
                    future = self.pool.submit(_stage_remote, files, **self._job(), train=self.train)
                    if self.train:
                        training.append(future)
                    self.train = False
                except (BrokenProcessPool, RuntimeError):
                    self.pool = None
            first[0] = False
            pending.append((files, future))
            return True

        def fill() -> None:
            most = max(1, self.workers)
            while len(pending) <= most:
                # While a worker trains, the others would compress without its dictionary.
                ahead = 1 if training and not training[0].done() else most
                if sum(f is not None for _, f in pending) >= ahead or not submit():
                    break

        submit()
        fill()
        while pending:
            files, future = pending.pop(0)
            staged = self._result(files, future)
            fill()
            yield staged

    def _result(self, files: Sequence[_FILE], future: Future[_Outcome] | None) -> list[Staged]:
        outcome: _Outcome | None = None
        if future is not None:
            try:
                outcome = future.result()
            except BrokenProcessPool:
                self.pool = None
        if outcome is None:
            return stage_files(files, **self._job(), local=self.blobs)
        if isinstance(outcome, tuple):
            kind, message, context = outcome
            raise kind(message, **context)
        self.trained = self.trained or max((st.dict_id for st in outcome), default=0)
        return outcome

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
