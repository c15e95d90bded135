"""Content-addressed originals: ``blobs/<sha[:2]>/<sha256>.zst``, one zstd frame each.

The name is the sha256 of the ORIGINAL bytes, so a blob checks itself: decompress, hash,
compare. A frame compressed with a trained dictionary carries the dictionary id in its
header; dictionaries live in ``blobs/dicts/<id>.zdict`` and are never deleted, so every
blob ever written stays readable. zstandard is imported on first use.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from altlas.errors import ArchiveError
from altlas.index.extract import sha256_hex

__all__ = ["NAMES_FILE", "BlobDamaged", "BlobMissing", "BlobStore"]

NAMES_FILE = "names.jsonl"
"""Sidecar: one JSON line per added original (sha256, name, source, added_at), append-only."""

_ALREADY_COMPRESSED = (b"\x28\xb5\x2f\xfd", b"\x1f\x8b", b"PK\x03\x04")
_MAX_BLOB = 1 << 30
_SYNC_THREADS = 2


def _syncfs_function() -> Any:
    """libc ``syncfs`` on Linux (flush one filesystem), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.syncfs
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int]
    func.restype = ctypes.c_int
    return func


_SYNCFS: Any = None
_SYNCFS_LOADED = False


def _syncfs(path: Path) -> bool:
    """Flush the filesystem holding ``path``; False when syncfs is not available."""
    global _SYNCFS, _SYNCFS_LOADED
    if not _SYNCFS_LOADED:
        _SYNCFS, _SYNCFS_LOADED = _syncfs_function(), True
    if _SYNCFS is None:
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        if _SYNCFS(fd) != 0:
            import ctypes

            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        os.close(fd)
    return True


def _write_all(fd: int, data: bytes, sync: bool) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    if sync:
        os.fdatasync(fd) if hasattr(os, "fdatasync") else os.fsync(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobMissing(ArchiveError):
    """The blob file is not there."""


class BlobDamaged(ArchiveError):
    """The blob file is there but does not decompress to bytes with its hash."""


class BlobStore:
    def __init__(self, root: Path, *, level: int = 3, fsync: bool = True) -> None:
        self.root = root
        self._root_str = str(root)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._batch_sync: bool | None = None
        self.dicts_dir = root / "dicts"
        self.quarantine_dir = root / "quarantine"
        self.names_path = root / NAMES_FILE
        self.level = level
        self.fsync = fsync
        self._dicts: dict[int, Any] = {}
        self._compressors: dict[int, Any] = {}
        self._decompressors: dict[int, Any] = {}
        self.current_dict_id = 0

    # -- names ------------------------------------------------------------------------------
    def path_for(self, sha: str) -> Path:
        return Path(os.path.join(self._root_str, sha[:2], sha + ".zst"))  # noqa: PTH118  (hot path)

    def exists(self, sha: str) -> bool:
        return os.path.isfile(os.path.join(self._root_str, sha[:2], sha + ".zst"))  # noqa: PTH113, PTH118

    def iter_shas(self) -> Iterator[str]:
        """Every blob on disk (not temp files, dictionaries or quarantined blobs)."""
        if not self.root.is_dir():
            return
        for sub in sorted(os.scandir(self.root), key=lambda e: e.name):
            if len(sub.name) != 2 or not sub.is_dir():
                continue
            for entry in sorted(os.scandir(sub.path), key=lambda e: e.name):
                name = entry.name
                if name.endswith(".zst") and not name.startswith(".") and len(name) == 68:
                    yield name[:-4]

    def any_blob(self) -> bool:
        return next(self.iter_shas(), None) is not None

    def temp_files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob("??/.*.tmp") if p.is_file())

    # -- dictionaries -----------------------------------------------------------------------
    def use_dictionary(self, dict_id: int) -> None:
        """Compress new blobs with ``dict_id`` (0: no dictionary)."""
        if dict_id:
            self._dictionary(dict_id)
        self.current_dict_id = dict_id

    def _dictionary(self, dict_id: int) -> Any:
        found = self._dicts.get(dict_id)
        if found is not None:
            return found
        import zstandard

        path = self.dicts_dir / f"{dict_id}.zdict"
        try:
            data = path.read_bytes()
        except OSError:
            raise ArchiveError(
                f"zstd dictionary {dict_id} is missing; blobs compressed with it cannot be read",
                file=str(path),
            ) from None
        found = zstandard.ZstdCompressionDict(data)
        self._dicts[dict_id] = found
        return found

    def save_dictionary(self, data: bytes) -> int:
        import zstandard

        zdict = zstandard.ZstdCompressionDict(data)
        dict_id = int(zdict.dict_id())
        path = self.dicts_dir / f"{dict_id}.zdict"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            self._atomic_write(path, data, sync=True)
            if self.fsync and os.name != "nt":
                _fsync_dir(path.parent)
        self._dicts[dict_id] = zdict
        return dict_id

    # -- compression ------------------------------------------------------------------------
    def compress(self, raw: bytes, *, dict_id: int | None = None) -> tuple[bytes, int]:
        """``(frame, dictionary id used)``; compressed inputs are stored at level 1 without one."""
        import zstandard

        use = self.current_dict_id if dict_id is None else dict_id
        if raw.startswith(_ALREADY_COMPRESSED):
            use, level = 0, 1
        else:
            level = self.level
        key = use * 100 + level
        comp = self._compressors.get(key)
        if comp is None:
            comp = zstandard.ZstdCompressor(
                level=level,
                dict_data=self._dictionary(use) if use else None,
                write_checksum=True,
                write_content_size=True,
            )
            self._compressors[key] = comp
        return bytes(comp.compress(raw)), use

    def decompress(self, frame: bytes, *, sha: str | None = None) -> bytes:
        import zstandard

        try:
            params = zstandard.get_frame_parameters(frame)
            dict_id = int(params.dict_id)
            dec = self._decompressors.get(dict_id)
            if dec is None:
                dec = zstandard.ZstdDecompressor(
                    dict_data=self._dictionary(dict_id) if dict_id else None
                )
                self._decompressors[dict_id] = dec
            if params.content_size > _MAX_BLOB:
                raise zstandard.ZstdError("declared size is past 1 GiB")
            raw = bytes(dec.decompress(frame))
        except zstandard.ZstdError as exc:
            raise BlobDamaged(f"blob {sha or '?'} is damaged: {exc}") from None
        if sha is not None and sha256_hex(raw) != sha:
            raise BlobDamaged(f"blob {sha} is damaged: its content no longer matches its hash")
        return raw

    # -- reading ----------------------------------------------------------------------------
    def read_frame(self, sha: str) -> bytes:
        path = self.path_for(sha)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise BlobMissing(f"blob {sha} is missing", file=str(path)) from None
        except OSError as exc:
            raise ArchiveError(f"cannot read blob {sha}: {exc.strerror}", file=str(path)) from None

    def get(self, sha: str) -> bytes:
        """The original bytes, checked against their hash."""
        return self.decompress(self.read_frame(sha), sha=sha)

    def check(self, sha: str) -> str | None:
        """None when the blob is sound, else ``missing`` or ``damaged``."""
        try:
            self.get(sha)
        except BlobMissing:
            return "missing"
        except BlobDamaged:
            return "damaged"
        return None

    # -- writing ----------------------------------------------------------------------------
    def _write(self, sha: str, data: bytes, replace: bool = False) -> None:
        """Create the blob in place (one ``open``), or replace it atomically.

        Creating in place is safe because no row points at a blob before the batch is synced:
        a file cut short by a crash is found by hash (``verify``) or replaced by the next
        ``add`` of the same content, which lands here with the file already present.
        """
        path = self.path_for(sha)
        sync = self.fsync and not self.batch_sync
        if not replace:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                fd = -1
            if fd >= 0:
                try:
                    _write_all(fd, data, sync)
                finally:
                    os.close(fd)
                return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._atomic_write(path, data, sync=sync)

    def _atomic_write(self, path: Path, data: bytes, *, sync: bool = True) -> None:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            _write_all(fd, data, sync and self.fsync)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(fd)
        tmp.replace(path)

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:  # two first writers must not each start (and leak) a pool
            if self._pool is None:
                self._pool = ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="altlas-blobs")
            return self._pool

    def write_async(self, sha: str, frame: bytes, *, replace: bool = False) -> Future[None]:
        """Start writing a blob (temp file, fdatasync, rename) on the I/O pool.

        File creation and fsync wait on the disk, not the CPU: started early, they overlap
        with parsing, and the kernel groups the concurrent syncs into few journal commits.
        """
        return self._executor().submit(self._write, sha, frame, replace)

    @property
    def batch_sync(self) -> bool:
        """True where one ``syncfs`` per batch replaces an fsync per file (Linux)."""
        if self._batch_sync is None:
            self._batch_sync = _syncfs_function() is not None
        return self._batch_sync

    def sync_dirs(self, shas: Sequence[str]) -> None:
        """Make the blobs of ``shas`` durable (contents and renames) before rows point at them.

        On Linux one ``syncfs`` flushes the filesystem that holds the blobs, which costs
        milliseconds per batch instead of a disk flush per file; elsewhere each file was
        fsynced as it was written and each directory that received one is fsynced here.
        """
        if not self.fsync or not shas:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        if self.batch_sync and _syncfs(self.root):
            return
        if os.name == "nt":
            return
        dirs = sorted({self.path_for(sha).parent for sha in shas})
        list(self._executor().map(_fsync_dir, dirs))

    def put_many(self, items: Sequence[tuple[str, bytes]], *, replace: bool = False) -> None:
        """Write frames (``replace``: atomically over existing ones) and make them durable."""
        from altlas.index.health import os_cause

        futures = [self.write_async(sha, frame, replace=replace) for sha, frame in items]
        self.wait(futures)
        try:
            self.sync_dirs([sha for sha, _ in items])
        except OSError as exc:
            raise ArchiveError(
                f"cannot make blobs durable: {os_cause(exc)}", file=str(self.root)
            ) from None

    def wait(self, futures: Sequence[Future[None]]) -> None:
        """Wait for every write (so none lands after a rollback), then raise the first error."""
        from altlas.index.health import os_cause

        failed: OSError | None = None
        for future in futures:
            try:
                future.result()
            except OSError as exc:
                failed = failed or exc
        if failed is not None:
            raise ArchiveError(f"cannot write blobs: {os_cause(failed)}", file=str(self.root))

    def rewrite(self, sha: str, frame: bytes) -> None:
        """Replace a blob atomically (recompression or restoration)."""
        self.put_many([(sha, frame)], replace=True)

    # -- the names sidecar ----------------------------------------------------------------
    def append_names(self, entries: Sequence[dict[str, Any]]) -> None:
        """Remember each original's file name, source path and added time beside the blobs.

        The database holds them too, but a database rebuilt from the blobs would lose them;
        this append-only journal brings them back. Written before the batch's sync, so it is
        as durable as the blobs it describes (a torn last line is skipped when read).
        """
        if not entries:
            return
        import orjson

        data = b"".join(orjson.dumps(entry) + b"\n" for entry in entries)
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.names_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            _write_all(fd, data, self.fsync and not self.batch_sync)
        finally:
            os.close(fd)

    def read_names(self) -> dict[str, dict[str, Any]]:
        """sha256 -> the latest entry of the names sidecar (empty when there is none)."""
        import orjson

        found: dict[str, dict[str, Any]] = {}
        try:
            raw = self.names_path.read_bytes()
        except FileNotFoundError:
            return found
        for line in raw.splitlines():
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a line cut short by a crash
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                found[entry["sha256"]] = entry
        return found

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def delete_many(self, shas: Sequence[str]) -> int:
        freed = 0
        for sha in shas:
            path = self.path_for(sha)
            try:
                freed += path.stat().st_size
                path.unlink()
            except FileNotFoundError:
                continue
        return freed

    def quarantine(self, sha: str) -> Path | None:
        """Move a damaged blob aside (kept for forensics), so a good copy can take its place."""
        path = self.path_for(sha)
        if not path.exists():
            return None
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        target = self.quarantine_dir / f"{sha}.{secrets.token_hex(3)}.zst"
        path.replace(target)
        return target

    def disk_usage(self) -> int:
        total = 0
        for sha in self.iter_shas():
            try:
                total += self.path_for(sha).stat().st_size
            except FileNotFoundError:
                continue
        return total
