"""Why a store cannot be used: its environment (disk full, read-only, no permission) or damage.

The two need opposite answers. Damage is repaired from the blobs; an environment problem is
fixed by the user (free space, remount, fix permissions) and a repair would only make it
worse. So every open error is classified here before a message advises anything, and the
damage verdict comes from SQLite's own ``quick_check`` or ``integrity_check``, never from an
error that merely failed to open the file.

Shared by every SQLite store (the archive, the run journal, the job queue, ...);
``altlas.index.health`` re-exports it under its old name.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from altlas.storage._held import HeldConnection

__all__ = [
    "check",
    "environment_cause",
    "header_problem",
    "integrity_problems",
    "is_corruption",
    "open_readonly",
    "os_cause",
    "salvage_tables",
    "sqlite_cause",
    "summarise_problems",
]

_HEADER = b"SQLite format 3\x00"
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SQLITE_FULL = 13
_MAX_ROWID = 2**63 - 1
_MIN_FREE = 64 * 1024
"""Below this many free bytes a filesystem counts as full (SQLite needs a few pages)."""


def os_cause(exc: OSError) -> str:
    """``No space left on device (ENOSPC)``: the reason and its errno name."""
    text = exc.strerror or str(exc)
    name = errno.errorcode.get(exc.errno or 0)
    return f"{text} ({name})" if name else text


def _probe_write(folder: Path) -> OSError | None:
    """Create and remove a scratch file: the one reliable test of writability (root included)."""
    probe = folder / f".altlas-write-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return None
    except OSError as exc:
        return exc
    os.close(fd)
    probe.unlink(missing_ok=True)
    return None


def environment_cause(path: Path) -> str | None:
    """Why ``path`` (a file or a folder) cannot be written, or None when nothing is wrong.

    Only called after something failed, so the scratch file it may create costs nothing in
    the normal case.
    """
    folder = path if path.is_dir() else path.parent
    try:
        fs = os.statvfs(folder)
    except OSError as exc:
        return os_cause(exc)
    if fs.f_flag & os.ST_RDONLY:
        return os_cause(OSError(errno.EROFS, os.strerror(errno.EROFS)))
    if fs.f_bavail * fs.f_frsize < _MIN_FREE:
        return os_cause(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    for target in (path,) if path.is_file() else ():
        if not os.access(target, os.R_OK | os.W_OK):
            return os_cause(OSError(errno.EACCES, os.strerror(errno.EACCES)))
    failed = _probe_write(folder)
    return os_cause(failed) if failed is not None else None


def is_corruption(exc: sqlite3.Error) -> bool:
    """SQLite says the file is damaged or not a database (not merely unopenable)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def sqlite_cause(exc: sqlite3.Error, path: Path) -> str | None:
    """The environment behind a SQLite error, or None when it is damage (or unexplained)."""
    if is_corruption(exc):
        return None
    code = getattr(exc, "sqlite_errorcode", 0) or 0
    if code & 0xFF == _SQLITE_FULL or "disk is full" in str(exc):
        return os_cause(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    return environment_cause(path)


def header_problem(path: Path) -> str | None:
    """Why the file is damaged, judged from its header and size; None if it looks sound.

    A missing or empty file is sound (SQLite makes a database of it). A file that cannot be
    read at all raises its ``OSError``: that is the environment, not damage.
    """
    from altlas.storage._held import is_held

    if is_held(path):
        # Checked when the first connection opened it; reading it now would drop the locks.
        return None
    problem = _read_header_problem(path)
    # Another process's WAL checkpoint writes page 1 (the new page count) before the pages
    # that grow the file, so for a moment a sound file looks truncated. Real damage stays.
    for pause in _TRUNCATION_RECHECKS:
        if problem is None or not problem.startswith("is truncated"):
            break
        time.sleep(pause)
        problem = _read_header_problem(path)
    return problem


_TRUNCATION_RECHECKS = (0.02, 0.05, 0.1, 0.2)


def _read_header_problem(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
        # The size after the header: a checkpoint only ever grows the file past what page 1 says.
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    if len(head) < 100 or not head.startswith(_HEADER):
        return "is not a SQLite database (bad header)"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    valid_for = int.from_bytes(head[92:96], "big")
    changes = int.from_bytes(head[24:28], "big")
    # The page count in the header is only trusted when it was written by the last change.
    if pages and valid_for == changes and size < pages * page_size:
        return f"is truncated ({size} bytes, its header says {pages * page_size})"
    return None


def open_readonly(path: Path, *, timeout: float = 30.0) -> sqlite3.Connection:
    """A read-only connection that works on a read-only or unwritable home.

    SQLite needs the ``-shm`` file for a WAL database; where it cannot be created (a read-only
    file system) and no ``-wal`` holds unmerged pages, ``immutable=1`` reads the file as is.
    """
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(
        f"{uri}?mode=ro",
        uri=True,
        timeout=timeout,
        check_same_thread=False,
        factory=HeldConnection,
    )
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
    conn = sqlite3.connect(
        f"{uri}?mode=ro&immutable=1",
        uri=True,
        timeout=timeout,
        check_same_thread=False,
        factory=HeldConnection,
    )
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def integrity_problems(
    conn: sqlite3.Connection, *, full: bool = False, limit: int = 100
) -> list[str]:
    """The findings of ``PRAGMA quick_check`` (``integrity_check`` when ``full``); [] when ok."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}({int(limit)})").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return [str(exc)]
        raise  # cannot read it at all (no -shm, no permission): not a verdict on the file
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def check(path: Path, *, full: bool = True) -> list[str]:
    """What is wrong with the database file at ``path``: [] when it is sound (or absent).

    The header first, then SQLite's ``integrity_check`` (``quick_check`` unless ``full``),
    read-only. A file that cannot be read at all raises its ``OSError`` or ``sqlite3.Error``:
    that is the environment, not a verdict on the file.
    """
    reason = header_problem(path)
    if reason:
        return [f"the file {reason}"]
    if not path.is_file():
        return []
    try:
        conn = open_readonly(path)
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return [str(exc)]
        raise
    try:
        return integrity_problems(conn, full=full)
    finally:
        conn.close()


def summarise_problems(problems: Sequence[str]) -> str:
    """SQLite's findings as one line: how many, and the first (SQLite repeats itself)."""
    if not problems:
        return "no problems"
    first = " ".join(problems[0].split())
    first = first if len(first) <= 160 else first[:157] + "..."
    more = len(problems) - 1
    tail = f" (and {more} more finding{'s' * (more > 1)})" if more else ""
    return f"{first}{tail}"


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")]


def salvage_tables(
    src: sqlite3.Connection, dst: sqlite3.Connection, tables: Sequence[str], *, probe: int = 64
) -> tuple[dict[str, int], dict[str, int]]:
    """Copy every readable row of ``tables`` (constant names) from ``src`` into ``dst``.

    Rows are read in rowid order without indexes (an index may be the damaged part); when a
    read fails, the scan restarts past the failing rowid, jumping ahead in growing steps, up
    to ``probe`` attempts per gap. Returns ``(rows copied, read errors)`` per table.
    """
    copied: dict[str, int] = {}
    errors: dict[str, int] = {}
    for table in tables:
        copied[table] = errors[table] = 0
        try:
            names = _columns(src, table)
        except sqlite3.DatabaseError:
            errors[table] += 1
            continue
        cols = ", ".join(names)
        insert = f"INSERT OR IGNORE INTO {table} ({cols}) VALUES ({', '.join('?' * len(names))})"  # noqa: S608
        select = f"SELECT rowid, {cols} FROM {table} NOT INDEXED WHERE rowid > ? ORDER BY rowid"  # noqa: S608
        after, step, tries = 0, 1, 0
        while tries <= probe and after < _MAX_ROWID:
            try:
                for row in src.execute(select, (after,)):
                    after, step = int(row[0]), 1
                    dst.execute(insert, tuple(row[1:]))
                    copied[table] += 1
                break
            except sqlite3.DatabaseError:
                errors[table] += 1
                tries += 1
                after, step = min(after + step, _MAX_ROWID), step * 4
    return copied, errors
