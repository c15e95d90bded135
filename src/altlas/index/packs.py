"""``blobs/blobs.db``: the originals' zstd frames packed into one SQLite file, keyed by sha256.

One file instead of one file per original: an ``add`` batch writes its frames in one
transaction and makes them durable with one commit (a WAL append and one fsync), where the
earlier layout created, wrote and synced 500 files. SQLite packs the ~1.5 KB frames into its
pages, so nothing is lost to half-empty 4 KB disk blocks, and a prune frees its pages for
reuse. The file is separate from ``altlas.db`` on purpose: the blobs are the source of truth
a damaged database is rebuilt from, so they must not share its fate.

The ``names`` table holds what a rebuild cannot read from the blobs (file name, source path,
added time): one zstd-compressed block of JSON lines per batch, committed in the same
transaction as the batch's frames (it was ``names.jsonl``, 2% of the raw JSON, synced on its
own; now about 0.4%). names.jsonl of packs made before the table is still read.

The schema is a sqlite-utils ``Migrations`` set applied by :func:`altlas.storage.migrations.apply`
when a writer opens the pack; a pack made by the old numbering (``PRAGMA user_version`` 1:
frames only, 2: with ``names``) is adopted in place. Readers never migrate: every version
has the ``blobs`` table, and :meth:`PackedBlobs.name_blocks` looks for ``names``.

Every statement is a constant string with ``?`` parameters.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlite_utils.migrations import Migrations

from altlas.errors import AltlasError, ArchiveUnavailableError

__all__ = ["LEGACY_STEPS", "MIGRATIONS", "PACK_FILE", "PackedBlobs"]

PACK_FILE = "blobs.db"
MIGRATIONS = Migrations("altlas.blobs")
_WHAT = "the packed blobs"


@MIGRATIONS(name="m001_blobs")
def _m001_blobs(db: Any) -> None:
    # A rowid table, not WITHOUT ROWID: frames arrive in random sha256 order, and a b-tree
    # keyed by it left its pages 70% full (18% of the pack wasted); rowid pages fill up.
    # IF NOT EXISTS: the first packs had the table and no user_version at all.
    db.execute("CREATE TABLE IF NOT EXISTS blobs (sha256 BLOB PRIMARY KEY, frame BLOB NOT NULL)")


@MIGRATIONS(name="m002_names")
def _m002_names(db: Any) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS names (batch INTEGER PRIMARY KEY, entries BLOB NOT NULL)"
    )


LEGACY_STEPS = ("m001_blobs", "m002_names")
"""What ``PRAGMA user_version`` 1 and 2 meant under the pack's own numbering."""


def _key(sha: str) -> bytes:
    return bytes.fromhex(sha)


class PackedBlobs:
    """The frames table; one connection shared by the threads of a process (under a lock)."""

    def __init__(self, root: Path, *, fsync: bool = True) -> None:
        self.path = root / PACK_FILE
        self.fsync = fsync
        self._conn: sqlite3.Connection | None = None
        self._writable = False
        self._lock = threading.RLock()

    # -- connection -----------------------------------------------------------------------
    def _connect(self, *, write: bool) -> sqlite3.Connection | None:
        """The connection (created for a writer; None for a reader when there is no file)."""
        if self._conn is not None and (self._writable or not write):
            return self._conn
        if not write and not self.path.exists():
            return None
        self.close()
        conn = self._open_writer() if write else self._open_reader()
        self._conn, self._writable = conn, write
        return conn

    def _open_writer(self) -> sqlite3.Connection:
        from altlas.storage.migrations import apply
        from altlas.storage.sqlite import ARCHIVE, connect, guard

        # An OSError here (the folder cannot be made) is the caller's "cannot store the blobs".
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(
            self.path,
            timeout=30,
            isolation_level=None,
            # 64 KB pages hold about 40 frames each (4 KB pages held two, a third of each page
            # empty); incremental auto-vacuum lets compact() give the pages freed by prune and
            # recompression back to the disk. Both only take effect before the tables exist.
            # FULL: a commit is durable before altlas.db's rows can point at its frames.
            pragmas={
                "page_size": 65536,
                "auto_vacuum": "INCREMENTAL",
                "synchronous": "FULL" if self.fsync else "OFF",
            },
            what=_WHAT,
            errors=ARCHIVE,
        )
        try:
            with guard(self.path, what=_WHAT, doing="set up", errors=ARCHIVE):
                apply(conn, MIGRATIONS, adopt_user_version=LEGACY_STEPS)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_reader(self) -> sqlite3.Connection:
        from altlas.storage.sqlite import ARCHIVE, connect

        return connect(
            self.path,
            readonly=True,
            timeout=30,
            isolation_level=None,
            what=_WHAT,
            errors=ARCHIVE,
        )

    def _fail(self, exc: sqlite3.Error, doing: str) -> ArchiveUnavailableError:
        from altlas.index.health import sqlite_cause

        cause = sqlite_cause(exc, self.path) or str(exc)
        return ArchiveUnavailableError(
            f"cannot {doing} the packed blobs: {cause}", file=str(self.path)
        )

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                self._writable = False

    # -- reading --------------------------------------------------------------------------
    def frame(self, sha: str) -> bytes | None:
        with self._lock:
            try:
                conn = self._connect(write=False)
                if conn is None:
                    return None
                row = conn.execute(
                    "SELECT CAST(frame AS BLOB) FROM blobs WHERE sha256 = ?", (_key(sha),)
                ).fetchone()
            except sqlite3.Error as exc:
                raise self._fail(exc, "read") from None
        return bytes(row[0]) if row is not None else None

    def has(self, sha: str) -> bool:
        with self._lock:
            try:
                conn = self._connect(write=False)
                return conn is not None and (
                    conn.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (_key(sha),)).fetchone()
                    is not None
                )
            except sqlite3.Error as exc:
                raise self._fail(exc, "read") from None

    def shas(self) -> list[str]:
        with self._lock:
            try:
                conn = self._connect(write=False)
                if conn is None:
                    return []
                return [bytes(r[0]).hex() for r in conn.execute("SELECT sha256 FROM blobs")]
            except sqlite3.Error as exc:
                raise self._fail(exc, "read") from None

    def any(self) -> bool:
        with self._lock:
            try:
                conn = self._connect(write=False)
                return (
                    conn is not None
                    and conn.execute("SELECT 1 FROM blobs LIMIT 1").fetchone() is not None
                )
            except sqlite3.Error as exc:
                raise self._fail(exc, "read") from None

    def name_blocks(self) -> list[bytes]:
        """The compressed blocks of the names table, oldest first (none in a version 1 pack)."""
        with self._lock:
            try:
                conn = self._connect(write=False)
                if (
                    conn is None
                    or not conn.execute(
                        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'names'"
                    ).fetchone()
                ):
                    return []
                return [
                    bytes(r[0]) for r in conn.execute("SELECT entries FROM names ORDER BY batch")
                ]
            except sqlite3.Error as exc:
                raise self._fail(exc, "read") from None

    def stored_bytes(self) -> int:
        with self._lock:
            conn = self._connect(write=False)
            if conn is None:
                return 0
            return int(
                conn.execute("SELECT coalesce(sum(length(frame)), 0) FROM blobs").fetchone()[0]
            )

    # -- writing --------------------------------------------------------------------------
    def put(
        self, items: Sequence[tuple[str, bytes]], *, replace: bool = False, names: bytes = b""
    ) -> None:
        """Store frames (and a block of ``names``) in one transaction; durable when this
        returns (``fsync`` on)."""
        if not items and not names:
            return
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        with self._lock:
            try:
                conn = self._connect(write=True)
                assert conn is not None
                conn.execute("BEGIN IMMEDIATE")
                try:
                    if names:
                        conn.execute("INSERT INTO names (entries) VALUES (?)", (names,))
                    conn.executemany(
                        f"{verb} INTO blobs (sha256, frame) VALUES (?, ?)",
                        [(_key(sha), frame) for sha, frame in items],
                    )
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._fail(exc, "write") from None

    def compact(self, *, rebuild: bool = False) -> None:
        """Return the pages freed by deletions and replacements to the file system.

        ``rebuild`` (``optimize``, the background step): VACUUM, which also packs the pages of
        the digest index, about 60% full after inserts in hash order (-0.25% of the raw
        JSON), and of the names; it rewrites the file once, so the add never does it.
        """
        if not self.path.exists():
            return
        with self._lock:
            try:
                conn = self._connect(write=True)
                assert conn is not None
                # executescript steps the pragma to the end; execute() frees a single page.
                conn.executescript("VACUUM;" if rebuild else "PRAGMA incremental_vacuum;")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.Error as exc:
                raise self._fail(exc, "compact") from None

    def checkpoint(self) -> None:
        """Fold into the file what the staging workers wrote to the WAL.

        A worker's connection ends with its process, which never checkpoints, and with 64 KB
        pages SQLite's automatic checkpoint waits for 64 MB of WAL; after a 5,000-file add the
        pack was all WAL (13 MB for 8 MB of data). PASSIVE never waits for a reader; a writable
        connection also removes the WAL when it is the last one to close. Only space: a
        failure is left to the next writer.
        """
        if not self.path.exists():
            return
        with self._lock:
            try:
                conn = self._connect(write=True)
                assert conn is not None
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except (sqlite3.Error, AltlasError):
                pass

    def delete(self, shas: Sequence[str]) -> int:
        """Remove frames; the bytes they held."""
        if not shas or not self.path.exists():
            return 0
        with self._lock:
            try:
                conn = self._connect(write=True)
                assert conn is not None
                keys = [(_key(sha),) for sha in shas]
                freed = 0
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for key in keys:
                        row = conn.execute(
                            "SELECT length(frame) FROM blobs WHERE sha256 = ?", key
                        ).fetchone()
                        freed += int(row[0]) if row else 0
                    conn.executemany("DELETE FROM blobs WHERE sha256 = ?", keys)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._fail(exc, "delete from") from None
        return freed
