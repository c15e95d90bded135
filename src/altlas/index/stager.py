"""The staging workers: processes that stage and store batches ahead of the writer.

See :mod:`altlas.index.staging` for what staging computes; this module runs it in worker
processes (forked when the caller has one thread, else spawned), trains the zstd dictionary
in the first one, and hands the batches to the writer in order.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, cast

from altlas.errors import AltlasError
from altlas.index.blobs import _ALREADY_COMPRESSED, BlobStore
from altlas.index.extract import sha256_hex
from altlas.index.staging import _FILE, Staged, stage_bytes, store_staged

__all__ = ["DICT_SAMPLES", "Stager", "stage_files"]

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
                "SELECT lower(hex(sha256)) FROM results WHERE blob_state = 'ok' "  # noqa: S608
                f"AND state = 'active' AND sha256 IN ({marks})",
                [bytes.fromhex(sha) for sha in chunk],  # 32 bytes since m006
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
    forked here, by a first no-op job, before the caller opens its tantivy writer and while it
    holds no SQLite transaction; a worker opens its own connections and never touches the
    parent's (SQLite's rule for fork), and ends with ``os._exit``, closing none of them.
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
