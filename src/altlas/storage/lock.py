"""An OS file lock: one writer per archive (``archive.lock``), one set-up per database.

The lock is ``flock`` (``msvcrt.locking`` on Windows), so it disappears with the process that
held it, even after SIGKILL: there is never a stale lock to clean up. The holder writes its
pid, command line and start time into the file so a waiting process can say who it waits for.
Within one process the lock is re-entrant (two ``Archive`` objects on the same home share it).
``altlas.index.lock.ArchiveLock`` is this class under its old name.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from altlas.errors import AltlasError, ArchiveUnavailableError, UnavailableError
from altlas.storage.health import os_cause

__all__ = ["ArchiveLock", "FileLock", "LockHolder"]

_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds the lock, as far as the lock file says."""

    pid: int | None
    command: str
    since: str

    def describe(self) -> str:
        who = f"pid {self.pid}" if self.pid else "another process"
        what = f" ({self.command})" if self.command else ""
        when = f", since {self.since}" if self.since else ""
        return f"{who}{what}{when}"


class _Entry:
    """Process-wide state of one lock file: the open descriptor and the re-entry count."""

    def __init__(self) -> None:
        self.mutex = threading.RLock()
        self.fd: int | None = None
        self.count = 0


_ENTRIES: dict[str, _Entry] = {}
_ENTRIES_GUARD = threading.Lock()


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """``with lock.held(): ...`` waits up to ``timeout`` seconds, then says who holds it.

    ``what`` names the locked thing in messages (``the archive``, ``the run journal``).
    """

    error: type[AltlasError] = UnavailableError

    def __init__(
        self,
        path: Path,
        *,
        timeout: float = 600.0,
        on_wait: Callable[[LockHolder], None] | None = None,
        what: str = "the archive",
    ) -> None:
        self.path = path
        self.what = what
        self.timeout = timeout
        self.on_wait = on_wait
        key = str(path.resolve())
        with _ENTRIES_GUARD:
            self._entry = _ENTRIES.setdefault(key, _Entry())

    @property
    def waiting_marker(self) -> Path:
        return self.path.with_name(self.path.name + ".waiting")

    def someone_waiting(self) -> bool:
        """A process is waiting for the lock (it keeps a marker file while it waits)."""
        return self.waiting_marker.exists()

    def _mark_waiting(self) -> None:
        try:
            if not self.waiting_marker.exists():
                self.waiting_marker.write_text(str(os.getpid()))
        except OSError:
            pass

    def holder(self) -> LockHolder:
        try:
            data = orjson.loads(self.path.read_bytes() or b"{}")
        except (OSError, orjson.JSONDecodeError):
            data = {}
        pid = data.get("pid") if isinstance(data, dict) else None
        return LockHolder(
            pid=pid if isinstance(pid, int) else None,
            command=str(data.get("command", "")) if isinstance(data, dict) else "",
            since=str(data.get("since", "")) if isinstance(data, dict) else "",
        )

    @property
    def held_here(self) -> bool:
        return self._entry.count > 0 and self._entry.fd is not None

    @contextmanager
    def held(self, purpose: str = "") -> Iterator[None]:
        entry = self._entry
        if not entry.mutex.acquire(timeout=self.timeout):
            raise self.error(
                f"{self.what} lock busy in this process for {self.timeout:.0f} s",
                file=str(self.path),
            )
        try:
            if entry.count == 0:
                entry.fd = self._acquire(purpose)
            entry.count += 1
            try:
                yield
            finally:
                entry.count -= 1
                if entry.count == 0 and entry.fd is not None:
                    fd, entry.fd = entry.fd, None
                    try:
                        _unlock(fd)
                    finally:
                        os.close(fd)
        finally:
            entry.mutex.release()

    def _acquire(self, purpose: str) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self.error(
                f"cannot take the lock for {purpose or 'writing'}: {os_cause(exc)}",
                file=str(self.path),
            ) from None
        try:
            deadline = time.monotonic() + self.timeout
            told = False
            waited = False
            while not _try_lock(fd):
                waited = True
                self._mark_waiting()
                holder = self.holder()
                if not told and self.on_wait is not None:
                    self.on_wait(holder)
                    told = True
                if time.monotonic() >= deadline:
                    hint = " (raise [archive] lock_timeout to wait longer)"
                    raise self.error(
                        f"{self.what} is locked by {holder.describe()}; gave up after "
                        f"{self.timeout:.0f} s{hint if self.what == 'the archive' else ''}",
                        file=str(self.path),
                    )
                time.sleep(_POLL_SECONDS)
            if waited:
                self.waiting_marker.unlink(missing_ok=True)
            info = {
                "pid": os.getpid(),
                "command": purpose or " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:3]),
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            try:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, orjson.dumps(info))
            except OSError:
                pass  # the holder's description is a courtesy; a full disk must not stop us
        except BaseException:
            os.close(fd)
            raise
        return fd


class ArchiveLock(FileLock):
    """The archive's lock: its failures are also ``ArchiveError`` (``altlas.index.lock``)."""

    error = ArchiveUnavailableError
