"""Which database files this process holds SQLite connections to.

POSIX record locks belong to the process, not to a descriptor: closing *any* descriptor of a
file drops every lock this process holds on it, SQLite's included
(https://sqlite.org/howtocorrupt.html, section 2.2). A header read with ``open()``/``close()``
while a connection is open let another process believe it was the last user of a WAL
database, checkpoint it and delete the ``-wal`` and ``-shm`` files; this process's
connections then read a stale snapshot for good (a user added by the CLI never became
visible to a running server). So the header is read only while no connection is open here.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

__all__ = ["HeldConnection", "is_held"]

_lock = threading.Lock()
_held: dict[tuple[int, int], int] = {}


def _key(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = Path(path).stat()
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def is_held(path: Path) -> bool:
    """Whether a connection of this process has the file at ``path`` open."""
    key = _key(path)
    with _lock:
        return key is not None and _held.get(key, 0) > 0


def _release(key: tuple[int, int]) -> None:
    with _lock:
        left = _held.get(key, 0) - 1
        if left > 0:
            _held[key] = left
        else:
            _held.pop(key, None)


class HeldConnection(sqlite3.Connection):
    """A connection that counts itself as holding its file until it is closed or collected."""

    def __init__(self, database: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        super().__init__(database, *args, **kwargs)  # type: ignore[arg-type]
        self._release: weakref.finalize[Any, Any] | None = None
        key = _key(_file_of(database, uri=bool(kwargs.get("uri"))))
        if key is not None:
            with _lock:
                _held[key] = _held.get(key, 0) + 1
            self._release = weakref.finalize(self, _release, key)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._release is not None:
                self._release()


def _file_of(database: str | os.PathLike[str], *, uri: bool) -> str:
    text = os.fspath(database)
    if uri and text.startswith("file:"):
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(text).path)
    return text
