"""The writer's session: the archive lock plus one tantivy writer for a run of batches."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from altlas.errors import ArchiveError, ArchiveUnavailableError
from altlas.index.models import AddReport

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts

__all__ = ["WriteSession", "index_error", "quietly"]


class WriteSession:
    """The archive lock plus one tantivy writer for a run of batches.

    The lock is let go every ``SLICE_SECONDS`` between batches, so a long import does not
    keep ``altlas run --archive`` or a second ``add`` waiting for its whole duration.
    """

    SLICE_SECONDS = 3.0
    INDEX_SECONDS = 10.0
    """A large add commits the index this often, not after every batch: each commit waits for
    the indexing thread and leaves a segment that tantivy merges again later. Committing
    every 1,500 documents cost 110 us of CPU per document, every 5,000 80 us, once 78 us.
    A crash leaves at most this many seconds of rows for the next writer's catch-up."""

    def __init__(self, archive: ArchiveParts, purpose: str, report: AddReport) -> None:
        self.archive = archive
        self.purpose = purpose
        self.report = report
        self.writer: Any = None
        self._held: Any = None
        self._since = 0.0
        self._index_since = time.monotonic()
        self.unindexed: list[int] = []

    def __enter__(self) -> WriteSession:
        self._acquire()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._release(failed=exc is not None)

    def _acquire(self) -> None:
        self._held = self.archive.lock.held(self.purpose)
        self._held.__enter__()
        try:
            self.archive.ensure_index_for_write()
            self.report.reindexed += self.archive.catch_up_index()
            self.writer = self.archive.index.raw_writer()
        except BaseException:
            self._held.__exit__(None, None, None)
            self._held = None
            raise
        self._since = time.monotonic()

    def _release(self, *, failed: bool = False) -> None:
        try:
            if self.writer is not None:
                if failed:
                    quietly(self.writer.rollback)
                quietly(self.writer.wait_merging_threads)
        finally:
            self.writer = None
            if self._held is not None:
                held, self._held = self._held, None
                held.__exit__(None, None, None)

    def commit_index(self) -> None:
        """Commit the index documents of the batches since the last commit; mark their rows."""
        try:
            self.writer.commit()
        except ValueError as exc:
            raise index_error(
                self.archive,
                exc,
                "the results are stored; the next 'altlas archive add' or 'altlas archive "
                "reindex' brings the index up to date",
            ) from None
        self.archive.store.mark_indexed(self.unindexed)
        self.unindexed = []
        self._index_since = time.monotonic()

    def index_due(self) -> bool:
        return time.monotonic() - self._index_since >= self.INDEX_SECONDS

    def maybe_yield(self) -> None:
        """Between batches: let a waiting process in if the lock was held for a while."""
        if time.monotonic() - self._since < self.SLICE_SECONDS:
            return
        if not self.archive.lock.someone_waiting():
            self._since = time.monotonic()
            return
        if self.unindexed:
            self.commit_index()
        self._release()
        time.sleep(0.15)  # waiters poll every 50 ms
        self._acquire()


def quietly(step: Callable[[], object]) -> None:
    """Undo steps of a writer tantivy already killed raise again; the first error is the news."""
    try:
        step()
    except ValueError:
        pass
    except BaseException as exc:
        # A writer whose index vanished panics on rollback; pyo3 raises that as a
        # BaseException, which must not hide the error being handled.
        if type(exc).__name__ != "PanicException":
            raise


def index_error(archive: ArchiveParts, exc: ValueError, outcome: str) -> ArchiveError:
    from altlas.storage.health import environment_cause

    cause = environment_cause(archive.index.path) or str(exc)
    return ArchiveUnavailableError(
        f"the search index cannot be written: {cause}; {outcome}", file=str(archive.index.path)
    )
