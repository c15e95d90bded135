"""The archive: results stored (zstd blobs), recorded (SQLite), searchable (tantivy), distilled.

Nothing heavy is imported here, not even the archive itself: ``from altlas.index import
Filters`` (which the CLI needs to build its options) must not load the storage code. zstandard,
tantivy and polars load inside the operations that need them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from altlas.index.archive import Archive
    from altlas.index.filters import FilterError, Filters, RecordSort, SearchSort
    from altlas.index.lock import LockHolder
    from altlas.index.models import (
        AddReport,
        ArchiveRecord,
        ArchiveStats,
        AtlasEntry,
        ExportReport,
        FileOutcome,
        OptimizeReport,
        PruneReport,
        ReindexReport,
        SearchHit,
        SearchResults,
        VerifyProblem,
        VerifyReport,
    )
    from altlas.index.parts import ArchiveSettings

__all__ = [
    "AddReport",
    "Archive",
    "ArchiveRecord",
    "ArchiveSettings",
    "ArchiveStats",
    "AtlasEntry",
    "ExportReport",
    "FileOutcome",
    "FilterError",
    "Filters",
    "LockHolder",
    "OptimizeReport",
    "PruneReport",
    "RecordSort",
    "ReindexReport",
    "SearchHit",
    "SearchResults",
    "SearchSort",
    "VerifyProblem",
    "VerifyReport",
]

_HOME = {
    "Archive": "archive",
    "ArchiveSettings": "parts",
    "FilterError": "filters",
    "Filters": "filters",
    "RecordSort": "filters",
    "SearchSort": "filters",
    "LockHolder": "lock",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'altlas.index' has no attribute {name!r}")
    value = getattr(import_module(f"altlas.index.{_HOME.get(name, 'models')}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
