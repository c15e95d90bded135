"""One store's writer and reader connections, each behind its own lock.

A write may wait up to the busy timeout for another process (the CLI, another server worker);
reads that a server does on every request or on its event loop must not queue behind it, and
WAL lets a second connection read meanwhile. :class:`ConnectionPair` is that arrangement,
shared by the repositories (``events/jobstore.py``, ``server/accounts_store.py``, ...).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from altlas.storage._errors import DEFAULT, StoreErrors
from altlas.storage.migrations import apply
from altlas.storage.sqlite import connect, guard

if TYPE_CHECKING:
    from sqlite_utils.migrations import Migrations

__all__ = ["ConnectionPair"]


class ConnectionPair:
    """``path`` opened autocommit (``isolation_level=None``) and migrated, shared by threads.

    ``reader=False`` keeps a single connection: :meth:`reading` then shares the writer and
    its lock (a store written by one background thread needs no second one). The writer's
    lock is re-entrant, so a store method may call another inside :meth:`writing`.
    """

    def __init__(
        self,
        path: Path,
        *,
        what: str,
        migrations: Migrations,
        adopt_user_version: Sequence[str] = (),
        timeout: float = 10.0,
        errors: StoreErrors = DEFAULT,
        reader: bool = True,
    ) -> None:
        self.path = Path(path)
        self._what = what
        self._errors = errors
        self._write_lock = threading.RLock()
        self.writer = connect(
            self.path, timeout=timeout, isolation_level=None, what=what, errors=errors
        )
        try:
            # The schema is in place before the reader opens, so it never sees an old one.
            with guard(self.path, what=what, doing="set up", errors=errors):
                apply(self.writer, migrations, adopt_user_version=adopt_user_version)
            self._reader = (
                connect(self.path, timeout=timeout, isolation_level=None, what=what, errors=errors)
                if reader
                else None
            )
        except BaseException:
            self.writer.close()
            raise
        self._read_lock = threading.Lock() if reader else self._write_lock

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """The writer under its lock; a failure as one line (damage, busy, disk full)."""
        with self._write_lock, guard(self.path, what=self._what, errors=self._errors):
            yield self.writer

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The reader under its own lock, never queued behind a write in progress."""
        with (
            self._read_lock,
            guard(self.path, what=self._what, doing="read", errors=self._errors),
        ):
            yield self.writer if self._reader is None else self._reader

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            self.writer.close()
            if self._reader is not None:
                self._reader.close()
