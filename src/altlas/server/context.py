"""What every route handler reaches: the stores, the bus, the queue, the caches."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.config import Settings
from altlas.events.bus import EventBus
from altlas.events.queue import JobQueue
from altlas.server.accounts import AccountStore
from altlas.server.analytics import AnalyticsRecorder
from altlas.server.caching import SearchCache
from altlas.server.config import ServerConfig
from altlas.server.offload import DocumentPool
from altlas.server.security import AuthService
from altlas.server.versioning import VersionPolicy

if TYPE_CHECKING:
    from litestar import Request

    from altlas.index.archive import Archive

__all__ = ["ArchiveHolder", "ServerContext", "ctx_of"]


class ArchiveHolder:
    """The archive of ``ALTLAS_HOME``, opened on first use and shared by the process.

    The archive has one writer per home; a lock serialises this process's writes.
    """

    def __init__(self, home: Path, bus: EventBus) -> None:
        self.home = home
        self.bus = bus
        self.lock = threading.RLock()
        self._archive: Archive | None = None

    def get(self) -> Archive:
        with self.lock:
            if self._archive is None:
                from altlas import index

                self._archive = index.Archive(self.home)
            return self._archive

    def close(self) -> None:
        with self.lock:
            archive, self._archive = self._archive, None
        if archive is not None:
            archive.close()


@dataclass(slots=True)
class ServerContext:
    settings: Settings
    config: ServerConfig
    accounts: AccountStore
    auth: AuthService
    bus: EventBus
    queue: JobQueue
    archive: ArchiveHolder
    search_cache: SearchCache
    versions: VersionPolicy
    documents: DocumentPool
    text_threads: ThreadPoolExecutor
    """Bounded threads for pure-Python CPU work on request text (segmentation): the GIL is
    handed back every few milliseconds there, so threads keep the loop responsive."""
    read_limits: Any
    """The reader limits (:class:`altlas.formats.limits.ReadLimits`) from ``[formats]``."""
    recorder: AnalyticsRecorder | None = None
    workspaces: Any = None
    """The :class:`~altlas.server.workspaces.WorkspaceStore`."""
    redis: Any = None
    started: float = field(default_factory=time.monotonic)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def home(self) -> Path:
        return self.settings.home


def ctx_of(request: Request[Any, Any, Any]) -> ServerContext:
    ctx: ServerContext = request.app.state["ctx"]
    return ctx
