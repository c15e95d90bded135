"""Content-addressed originals: one zstd frame each, packed in ``blobs/blobs.db`` by sha256.

Archives written before the packed store kept one file per original,
``blobs/<sha[:2]>/<sha256>.zst``; those are still read (and listed, checked, deleted), and a
writer moves them into the pack on open (:meth:`BlobStore.migrate_files`).

The key is the sha256 of the ORIGINAL bytes, so a blob checks itself: decompress, hash,
compare. A frame compressed with a trained dictionary carries the dictionary id in its
header; dictionaries live in ``blobs/dicts/<id>.zdict`` and are never deleted, so every
blob ever written stays readable. zstandard is imported on first use.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from altlas.errors import ArchiveCorruptError, ArchiveUnavailableError
from altlas.index.extract import sha256_hex
from altlas.index.packs import PackedBlobs

__all__ = ["NAMES_FILE", "BlobDamaged", "BlobMissing", "BlobStore"]

NAMES_FILE = "names.jsonl"
"""Where versions before the pack's ``names`` table kept one JSON line per added original
(sha256, name, source, added_at); still read."""

_ALREADY_COMPRESSED = (b"\x28\xb5\x2f\xfd", b"\x1f\x8b", b"PK\x03\x04")
_MAX_BLOB = 1 << 30


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


def _names_block(entries: Sequence[dict[str, Any]]) -> bytes:
    """JSON lines, compressed: a batch's source paths share most of their bytes."""
    if not entries:
        return b""
    import orjson
    import zstandard

    data = b"".join(orjson.dumps(entry) + b"\n" for entry in entries)
    return bytes(zstandard.ZstdCompressor(level=3, write_checksum=True).compress(data))


class BlobMissing(ArchiveCorruptError):
    """The blob file is not there."""


class BlobDamaged(ArchiveCorruptError):
    """The blob file is there but does not decompress to bytes with its hash."""


class BlobStore:
    def __init__(self, root: Path, *, level: int = 3, fsync: bool = True) -> None:
        self.root = root
        self._root_str = str(root)
        self.packs = PackedBlobs(root, fsync=fsync)
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
        """Where the earlier layout kept the blob as a file of its own."""
        return Path(os.path.join(self._root_str, sha[:2], sha + ".zst"))  # noqa: PTH118  (hot path)

    def exists(self, sha: str) -> bool:
        return self.packs.has(sha) or os.path.isfile(self.path_for(sha))  # noqa: PTH113

    def iter_file_blobs(self) -> Iterator[str]:
        """Blobs kept as files by the earlier layout (not temp files, dictionaries, quarantine)."""
        if not self.root.is_dir():
            return
        for sub in sorted(os.scandir(self.root), key=lambda e: e.name):
            if len(sub.name) != 2 or not sub.is_dir():
                continue
            for entry in sorted(os.scandir(sub.path), key=lambda e: e.name):
                name = entry.name
                if name.endswith(".zst") and not name.startswith(".") and len(name) == 68:
                    yield name[:-4]

    def iter_shas(self) -> Iterator[str]:
        """Every stored blob, packed or a file of the earlier layout, in sha256 order."""
        yield from sorted(set(self.packs.shas()).union(self.iter_file_blobs()))

    def any_blob(self) -> bool:
        return self.packs.any() or next(self.iter_file_blobs(), None) is not None

    def temp_files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        found = [*self.root.glob("??/.*.tmp"), *self.dicts_dir.glob(".*.tmp")]
        found += self.quarantine_dir.glob(".*.tmp")
        return sorted(p for p in found if p.is_file())

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
            raise ArchiveCorruptError(
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
    def compress(
        self, raw: bytes, *, dict_id: int | None = None, level: int | None = None
    ) -> tuple[bytes, int]:
        """``(frame, dictionary id used)``; compressed inputs are stored at level 1 without one.

        ``level`` overrides the store's level (``optimize --recompress`` re-encodes harder,
        off the add path); any level decodes with the same speed and the same bytes.
        """
        import zstandard

        use = self.current_dict_id if dict_id is None else dict_id
        if raw.startswith(_ALREADY_COMPRESSED):
            use, level = 0, 1
        elif level is None:
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
        frame = self.packs.frame(sha)
        if frame is not None:
            return frame
        path = self.path_for(sha)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise BlobMissing(f"blob {sha} is missing", file=str(self.packs.path)) from None
        except OSError as exc:
            raise ArchiveUnavailableError(
                f"cannot read blob {sha}: {exc.strerror}", file=str(path)
            ) from None

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

    def put_many(
        self,
        items: Sequence[tuple[str, bytes]],
        *,
        replace: bool = False,
        names: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Store frames (``replace``: over existing ones) and their ``names`` entries (see
        :meth:`append_names`) in one transaction, durable on return.

        Writing a frame that is already stored is a no-op unless ``replace``: the key is the
        hash of the original, so the stored frame holds the same bytes.
        """
        self.packs.put(items, replace=replace, names=_names_block(names))
        if replace:  # the packed frame wins from now on; an old file would only confuse verify
            for sha, _ in items:
                self.path_for(sha).unlink(missing_ok=True)

    def rewrite(self, sha: str, frame: bytes) -> None:
        """Replace a blob atomically (recompression or restoration)."""
        self.put_many([(sha, frame)], replace=True)

    def migrate_files(self, chunk: int = 500) -> int:
        """Move the earlier layout's one-file blobs into the pack (call with the lock held).

        Each chunk is committed to the pack before its files are removed, so a crash leaves
        a blob in both places at worst, which reads the same.
        """
        moved = 0
        pending: list[tuple[str, Path]] = []

        def flush() -> None:
            nonlocal moved
            frames = []
            for sha, path in pending:
                try:
                    frames.append((sha, path.read_bytes()))
                except FileNotFoundError:
                    continue
            self.packs.put(frames)
            for _, path in pending:
                path.unlink(missing_ok=True)
            moved += len(frames)
            pending.clear()

        for sha in list(self.iter_file_blobs()):
            pending.append((sha, self.path_for(sha)))
            if len(pending) >= chunk:
                flush()
        if pending:
            flush()
        for sub in self.root.iterdir() if self.root.is_dir() else ():
            if len(sub.name) == 2 and sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()
        return moved

    # -- the names sidecar ----------------------------------------------------------------
    def append_names(self, entries: Sequence[dict[str, Any]]) -> None:
        """Remember each original's file name, source path and added time beside the blobs.

        The database holds them too, but a database rebuilt from the blobs would lose them;
        this append-only record brings them back. Normally written by :meth:`put_many` in the
        same transaction as the frames it describes; here on its own.
        """
        if entries:
            self.packs.put([], names=_names_block(entries))

    def read_names(self) -> dict[str, dict[str, Any]]:
        """sha256 -> the latest entry (``names.jsonl`` of earlier versions first, then the
        pack's blocks); empty when there is none."""
        import orjson
        import zstandard

        lines: list[bytes] = []
        with suppress(FileNotFoundError):
            lines += self.names_path.read_bytes().splitlines()
        for block in self.packs.name_blocks():
            try:
                lines += zstandard.ZstdDecompressor().decompress(block).splitlines()
            except zstandard.ZstdError:
                continue  # only a rebuild's hint: the database row has the same facts
        found: dict[str, dict[str, Any]] = {}
        for line in lines:
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a line of names.jsonl cut short by a crash
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                found[entry["sha256"]] = entry
        return found

    def close(self) -> None:
        self.packs.close()

    def delete_many(self, shas: Sequence[str]) -> int:
        freed = self.packs.delete(shas)
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
        target = self.quarantine_dir / f"{sha}.{secrets.token_hex(3)}.zst"
        frame = self.packs.frame(sha)
        if frame is not None:
            self.quarantine_dir.mkdir(parents=True, exist_ok=True)
            self._atomic_write(target, frame)
            self.packs.delete([sha])
            return target
        path = self.path_for(sha)
        if not path.exists():
            return None
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        path.replace(target)
        return target

    def disk_usage(self) -> int:
        total = self.packs.stored_bytes()
        for sha in self.iter_file_blobs():
            try:
                total += self.path_for(sha).stat().st_size
            except FileNotFoundError:
                continue
        return total
