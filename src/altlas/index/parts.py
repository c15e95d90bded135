"""What the archive's parts use of an :class:`~altlas.index.archive.Archive`.

Ingest, maintenance, bundles, the atlas, statistics and rebuild take an
:class:`ArchiveParts`, never an ``Archive``: ``archive.py`` imports them, they import this, and
the imports inside ``altlas.index`` go one way (tests/index/test_layering.py keeps it so).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from altlas.index.blobs import BlobStore
    from altlas.index.lock import ArchiveLock
    from altlas.index.repository import SqliteArchiveRepository
    from altlas.index.search import SearchIndex

__all__ = ["ArchiveParts", "ArchiveSettings"]


class ArchiveSettings(BaseModel):
    """The ``[archive]`` section of the config (``ALTLAS_ARCHIVE__BATCH_SIZE=1000`` ...)."""

    lock_timeout: float = Field(default=600.0, ge=0)
    batch_size: int = Field(default=500, ge=1, le=100_000)
    zstd_level: int = Field(default=3, ge=1, le=22)
    fsync: bool = True
    busy_timeout: float = Field(default=30.0, ge=0)
    """Seconds a statement waits for another connection's write transaction."""
    auto_dictionary: bool = True
    """Train a zstd dictionary (as ``optimize --recompress`` does) once enough results are in."""
    auto_dictionary_after: int = Field(default=1000, ge=20)
    recompress_level: int = Field(default=15, ge=1, le=22)
    """The zstd level of ``optimize --recompress`` (not of ``add``): about 1.3 ms per 10 KB
    result instead of 30 us, for frames of 10% of the raw JSON instead of 14%."""
    workers: int = Field(default=2, ge=0, le=8)
    """Processes that parse ahead of the writer in a large add (0: parse in-process); two
    keep both cores of a small machine busy while the writer waits on SQLite and tantivy."""
    check_on_open: bool = True
    """Run SQLite's ``quick_check`` when the database is opened, so damage is refused early."""


class ArchiveParts(Protocol):
    """The stores of one archive and the few steps its parts need from it."""

    @property
    def home(self) -> Path: ...
    @property
    def settings(self) -> ArchiveSettings: ...
    @property
    def lock(self) -> ArchiveLock: ...
    @property
    def store(self) -> SqliteArchiveRepository: ...
    @property
    def blobs(self) -> BlobStore: ...
    @property
    def index(self) -> SearchIndex: ...

    def open(self) -> ArchiveParts:
        """Open (creating and migrating) the database; idempotent."""
        ...

    def close(self) -> None: ...

    def reopened(self) -> None:
        """After the database file was replaced (a rebuild): open the new one, as open."""
        ...

    def ensure_index_for_write(self) -> None: ...

    def catch_up_index(self) -> int:
        """Index the rows still waiting for it; how many."""
        ...
