"""The staging workers: processes that stage and store batches ahead of the writer.

See :mod:`altlas.index.staging` for what staging computes; this module runs it in worker
processes (forked when the caller has one thread, else spawned), has the adding process
train the zstd dictionary while they parse, and hands the batches to the writer in order.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from altlas.errors import AltlasError
from altlas.index.autodict import train_dictionary
from altlas.index.blobs import BlobStore
from altlas.index.extract import sha256_hex
from altlas.index.staging import _FILE, Staged, stage_bytes, store_staged

__all__ = ["Stager", "stage_files"]

_WORKER: dict[Any, Any] = {}


def _mark_worker(parent: int, published: Any = None) -> None:
    """Pool initializer: cache between batches, and never outlive the parent.

    ``published`` is the shared slot where the parent publishes the dictionary it trains
    while the workers parse (see :func:`_await_dictionary`).

    A parent killed with SIGKILL cannot stop its workers: on Linux the kernel sends them
    SIGKILL too (``PR_SET_PDEATHSIG``); elsewhere a watchdog notices the new parent pid.
    """
    import gc
    import sys
    import threading
    import time

    _WORKER["worker"] = True
    _WORKER["published"] = published
    # What the worker inherited or imported stays for its life: out of the cyclic GC's
    # rescans (and, forked, off the pages it shares with the parent).
    gc.freeze()
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
    return store


_WAIT_SECONDS = 120.0
_AHEAD = 2
"""Batches in flight per worker."""


def _await_dictionary(fallback: int) -> int:
    """The dictionary the parent is training, once it is published (-1: none is coming).

    Past ``_WAIT_SECONDS`` the batch is compressed without one: only size is lost, and
    ``optimize`` gets it back.
    """
    import time

    published = _WORKER.get("published")
    if published is None:
        return fallback
    deadline = time.monotonic() + _WAIT_SECONDS
    while (value := int(published.value)) == 0 and time.monotonic() < deadline:
        time.sleep(0.002)
    return value if value > 0 else fallback


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


def _read(path: str) -> bytes:
    """The file's bytes by ``os.read``, no buffered file object (8 us a file against 12.6)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        parts = [os.read(fd, os.fstat(fd).st_size + 1)]
        while parts[-1]:  # to the end, whatever the size said (a short read, a growing file)
            parts.append(os.read(fd, 1 << 20))
        return parts[0] if len(parts) == 2 else b"".join(parts)
    finally:
        os.close(fd)


def stage_files(
    files: Sequence[_FILE],
    *,
    blobs_root: str,
    level: int,
    dict_id: int,
    db: str,
    fsync: bool = True,
    wait_dict: bool = False,
    local: BlobStore | None = None,
) -> list[Staged]:
    """Read, hash, stage and store a batch of files (in a worker, or in-process with ``local``,
    the archive's own blob store).

    The batch is parsed first and compressed after, so a batch submitted while the parent
    trains the dictionary (``wait_dict``) waits for it only for the compression.
    """
    import gc

    compressor = local if local is not None else _worker_store(blobs_root, level, dict_id, fsync)
    read: list[tuple[str, str | None, bytes, str]] = []
    out: list[Staged] = []
    for display, path, source in files:
        if path is None:
            out.append(Staged(display, source, "", failure=f"{display}: no such file or directory"))
            continue
        try:
            raw = _read(path)
        except OSError as exc:
            out.append(
                Staged(display, source, "", failure=f"{display}: cannot read: {exc.strerror}")
            )
            continue
        read.append((display, source, raw, sha256_hex(raw)))
    known = _known(db, [r[3] for r in read]) if os.path.exists(db) else set()  # noqa: PTH110
    fresh: list[tuple[Staged, bytes]] = []
    was = gc.isenabled()
    gc.disable()  # a batch of parsed results is a lot of objects for the cyclic GC to rescan
    try:
        for display, source, raw, sha in read:
            if sha in known:
                out.append(Staged(display, source, sha, len(raw), known=True))
                continue
            staged = stage_bytes(raw, display=display, source=source, sha=sha, compressor=None)
            out.append(staged)
            if staged.failure is None:
                fresh.append((staged, raw))
    finally:
        if was:
            gc.enable()
    use = _await_dictionary(dict_id) if wait_dict else dict_id
    for staged, raw in fresh:
        staged.frame, staged.dict_id = compressor.compress(raw, dict_id=use)
        staged.stored_size = len(staged.frame)
    # No checkpoint here: another process opening the pack meanwhile (the other worker, a
    # search reading a snippet) checks the file's size against its header, which a
    # checkpoint in progress has already grown: "blobs.db is truncated" (seen at 100,000
    # files). The writer checkpoints once the workers are gone.
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


def _start_pool(workers: int, published: Any = None) -> tuple[ProcessPoolExecutor, bool]:
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
    context = multiprocessing.get_context("fork" if fork else "spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_mark_worker,
        initargs=(os.getpid(), published),
    )
    if fork:
        pool.submit(int)  # forks every worker now, while this process has one thread
    return pool, fork


class Stager:
    """Stages batches of files ahead of the writer in worker processes (in-process if it cannot).

    With ``workers`` processes, that many batches are staged while the writer writes one: on
    two cores the parsing and the writing overlap. :meth:`start` submits the first batches
    at once, before the writer opens its session. With ``train``, this process then trains
    the zstd dictionary on the first batch's files while the workers parse; they wait for it
    only to compress, so every blob of the add uses it and no core idles meanwhile (training
    in the first worker, with the others waiting, left a core idle for 0.1-0.3 s).
    """

    def __init__(self, *, blobs: BlobStore, db: Path, workers: int, train: bool = False) -> None:
        self.blobs = blobs
        self.db = db
        self.train = train
        """Train a dictionary on the first batch (in this process, while the workers parse)."""
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.forked = False
        self.trained = 0
        """The dictionary trained in this add, once there is one."""
        self._published: Any = None
        self._pending: list[tuple[Sequence[_FILE], Future[_Outcome] | None]] = []
        self._batches: Iterator[Sequence[_FILE]] = iter(())
        self._exhausted = False
        if workers > 0:
            try:
                import multiprocessing

                self._published = multiprocessing.get_context().Value("q", 0, lock=False)
                self.pool, self.forked = _start_pool(workers, self._published)
            except (OSError, ImportError, NotImplementedError, ValueError):
                self.pool = None  # no process support here: stage in-process

    def _job(self) -> dict[str, Any]:
        return {
            "blobs_root": str(self.blobs.root),
            "level": self.blobs.level,
            # The writer adopts the trained dictionary when the first batch using it arrives.
            "dict_id": self.blobs.current_dict_id or self.trained,
            "db": str(self.db),
            "fsync": self.blobs.fsync,
            "wait_dict": self.train and not self.trained,
        }

    def _submit(self) -> bool:
        files = next(self._batches, None)
        if files is None:
            self._exhausted = True
            return False
        future = None
        # A spawned worker takes about a second of imports on a busy machine to start:
        # the first batch is staged here meanwhile. Forked ones start at once.
        if self.pool is not None and (self.forked or self._pending or self.trained):
            try:
                future = self.pool.submit(_stage_remote, files, **self._job())
            except (BrokenProcessPool, RuntimeError):
                self.pool = None
        self._pending.append((files, future))
        return True

    def _fill(self) -> None:
        # Two batches a worker in flight: with one, a worker that finished while the writer
        # was still on a slow batch (a commit, an index commit) sat idle until the writer
        # took the next one; at 100,000 files the two cores were 80% busy.
        most = max(1, self.workers) * _AHEAD
        while len(self._pending) <= most:
            if sum(f is not None for _, f in self._pending) >= most or not self._submit():
                break

    def start(self, batches: Iterator[Sequence[_FILE]]) -> Iterator[list[Staged]]:
        """Submit the first batches now, train the dictionary if due; the staged batches."""
        self._batches = batches
        self._submit()
        self._fill()
        if self.train and self._pending:
            try:
                self.trained = train_dictionary(self.blobs, self._pending[0][0])
            finally:
                # Whatever happened, the workers stop waiting (-1: compress without one).
                if self._published is not None:
                    self._published.value = self.trained or -1
                self.train = False
        return self._drain()

    def in_tail(self) -> bool:
        """Every batch is submitted and the next one is not staged yet: the writer would wait.

        The moment to commit the index while the workers stage the last batches, so the
        commit at the end has only those left.
        """
        if not self._exhausted or not self._pending:
            return False
        future = self._pending[0][1]
        return future is not None and not future.done()

    def stage(self, batches: Iterator[Sequence[_FILE]]) -> Iterator[list[Staged]]:
        yield from self.start(batches)

    def _drain(self) -> Iterator[list[Staged]]:
        while self._pending:
            files, future = self._pending.pop(0)
            staged = self._result(files, future)
            self._fill()
            yield staged

    def _result(self, files: Sequence[_FILE], future: Future[_Outcome] | None) -> list[Staged]:
        outcome: _Outcome | None = None
        if future is not None:
            try:
                outcome = future.result()
            except BrokenProcessPool:
                self.pool = None
        if outcome is None:
            return stage_files(files, **{**self._job(), "wait_dict": False}, local=self.blobs)
        if isinstance(outcome, tuple):
            kind, message, context = outcome
            raise kind(message, **context)
        return outcome

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
