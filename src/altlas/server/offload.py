"""Work on untrusted documents, off the event loop and out of the server's process.

Reading a request's document is CPU work, and most of it holds the GIL in one C call
(orjson, pydantic-core, the YAML loader): in a thread it still stalls the event loop for as
long as the call lasts (a 10 MB plan: about a second). So it runs in a small pool of worker
processes:

* bounded: ``[server] document_workers`` processes, each doing one document at a time, and
  at most ``document_queue`` requests waiting for one (more: 503 with ``Retry-After``);
* timed: a document that takes longer than ``document_timeout_seconds`` has its worker
  killed (a fresh one replaces it) and the request gets a 400 naming the limit;
* capped: each worker's address space is limited to ``document_memory_mb``, so a document
  that needs more fails alone, whatever the reader limits let through.

The event loop only waits on a pipe: ``/health`` keeps answering whatever a document does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from altlas.errors import AltlasError, DecodeError, UnavailableError, ValidationError

__all__ = ["DocumentPool", "PoolBusyError"]

log = logging.getLogger("altlas.server.offload")

_PRELOAD = ["altlas.server.documents"]


class PoolBusyError(UnavailableError):
    """Every document worker is busy and the waiting line is full (HTTP 503)."""


def _portable(exc: BaseException) -> tuple[str, Any]:
    """An error as plain data that survives the pipe (ValidationError does not pickle)."""
    if isinstance(exc, ValidationError):
        return ("invalid", (exc.diagnostics, exc.context))
    if isinstance(exc, AltlasError):
        return ("error", (type(exc).__name__, exc.one_line()))
    if isinstance(exc, MemoryError):
        return ("error", ("DecodeError", "the document needs more memory than the server allows"))
    if isinstance(exc, RecursionError):
        return ("error", ("DecodeError", "the document is nested too deeply"))
    return ("bug", f"{type(exc).__name__}: {exc}")


def _rebuild(kind: str, value: Any) -> BaseException:
    if kind == "invalid":
        diagnostics, context = value
        return ValidationError(diagnostics, **context)
    if kind == "error":
        name, message = value
        import altlas.errors as errors

        cls = getattr(errors, name, None)
        if not (isinstance(cls, type) and issubclass(cls, AltlasError)):
            cls = DecodeError
        try:
            return cls(message)
        except TypeError:  # an error class with a different constructor
            return DecodeError(message)
    return RuntimeError(f"document worker failed: {value}")


def _serve(conn: Connection, memory_mb: int) -> None:
    """A worker process: run each (function, args) it is sent; answer with the outcome."""
    if memory_mb:
        import resource

        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", fn(*args))
        except BaseException as exc:
            answer = _portable(exc)
        try:
            conn.send(answer)
        except MemoryError:
            conn.send(_portable(MemoryError()))


class _Worker:
    """One process and its pipe; replaced when it dies or is killed."""

    def __init__(self, mp: Any, memory_mb: int) -> None:
        self.mp = mp
        self.memory_mb = memory_mb
        self.proc: Any = None
        self.conn: Connection | None = None

    def _ensure(self) -> Connection:
        if self.proc is None or not self.proc.is_alive() or self.conn is None:
            self.stop()
            parent, child = self.mp.Pipe()
            self.proc = self.mp.Process(
                target=_serve, args=(child, self.memory_mb), name="altlas-document", daemon=True
            )
            self.proc.start()
            child.close()
            self.conn = parent
        return self.conn

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Any:
        conn = self._ensure()
        conn.send((fn, args))
        if not conn.poll(timeout):
            self.stop()
            raise DecodeError(
                f"the document took longer than {timeout:g} s to read "
                "([server] document_timeout_seconds)",
            )
        try:
            kind, value = conn.recv()
        except (EOFError, OSError):
            self.stop()
            raise DecodeError(
                "the document could not be read within the server's limits (its reader stopped)",
            ) from None
        if kind == "ok":
            return value
        raise _rebuild(kind, value)

    def stop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
            self.conn = None
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(5)
            self.proc = None


class DocumentPool:
    """``await pool.call(fn, *args)``: ``fn(*args)`` in a worker process (see the module)."""

    def __init__(
        self,
        workers: int = 2,
        *,
        queue: int = 16,
        timeout: float = 30.0,
        memory_mb: int = 2048,
    ) -> None:
        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(_PRELOAD)
        self.timeout = timeout
        self._idle: list[_Worker] = [_Worker(mp, memory_mb) for _ in range(workers)]
        self._all = list(self._idle)
        self._lock = threading.Lock()
        self._free = threading.Semaphore(workers)
        self._admitted = threading.BoundedSemaphore(workers + queue)
        # Threads only wait on pipes; one per worker is all that can be busy at once.
        self._waiters = ThreadPoolExecutor(
            max_workers=workers + queue, thread_name_prefix="altlas-document-wait"
        )
        self._closed = False

    def _blocking_call(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        self._free.acquire()
        with self._lock:
            worker = self._idle.pop()
        try:
            return worker.call(fn, args, self.timeout)
        finally:
            with self._lock:
                self._idle.append(worker)
            self._free.release()

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._closed:
            raise PoolBusyError("the server is shutting down")
        if not self._admitted.acquire(blocking=False):
            raise PoolBusyError("every document worker is busy; try again shortly")
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._waiters, self._blocking_call, fn, args)
        finally:
            self._admitted.release()

    def warm(self) -> None:
        """Start the worker processes now rather than on the first document."""
        for worker in self._all:
            with contextlib.suppress(Exception):
                worker._ensure()

    def close(self) -> None:
        self._closed = True
        self._waiters.shutdown(wait=False, cancel_futures=True)
        for worker in self._all:
            worker.stop()
