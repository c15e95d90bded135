"""The archive: results stored (zstd blobs), recorded (SQLite), searchable (tantivy), distilled.

Nothing heavy is imported here: zstandard, tantivy and polars load inside the operations that
need them.
"""

from __future__ import annotations

from altlas.index.archive import Archive, ArchiveSettings
from altlas.index.lock import LockHolder
from altlas.index.models import (
    AddReport,
    ArchiveRecord,
    ArchiveStats,
    AtlasEntry,
    ExportReport,
    FileOutcome,
    Filters,
    OptimizeReport,
    PruneReport,
    ReindexReport,
    SearchHit,
    SearchResults,
    VerifyProblem,
    VerifyReport,
)

__all__ = [
    "AddReport",
    "Archive",
    "ArchiveRecord",
    "ArchiveSettings",
    "ArchiveStats",
    "AtlasEntry",
    "ExportReport",
    "FileOutcome",
    "Filters",
    "LockHolder",
    "OptimizeReport",
    "PruneReport",
    "ReindexReport",
    "SearchHit",
    "SearchResults",
    "VerifyProblem",
    "VerifyReport",
]
