"""``Archive``: every result stored (zstd blobs), recorded (SQLite), searchable (tantivy).

::

    from altlas.index import Archive, Filters

    with Archive() as archive:                      # $ALTLAS_HOME
        report = archive.add(["runs/"])             # files or directories, any .last dialect
        for hit in archive.search("timeout", Filters(status="failure"), limit=5):
            print(hit.id, hit.title, hit.snippet)
        original = archive.show(hit.id)             # the exact bytes that were added
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.errors import ArchiveCorruptError
from altlas.formats.result import Result
from altlas.index.blobs import BlobDamaged, BlobMissing, BlobStore
from altlas.index.filters import FilterError, Filters, RecordSort, SearchSort
from altlas.index.lock import ArchiveLock, LockHolder
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
    SearchResults,
    VerifyReport,
)
from altlas.index.parts import ArchiveSettings
from altlas.index.repository import open_repository, row_to_record
from altlas.index.search import IndexMissing, SearchIndex

if TYPE_CHECKING:
    from altlas.formats.atlas import Atlas

__all__ = ["Archive", "ArchiveSettings"]


class Archive:
    """The archive under ``home`` (default: ``load_settings().home``, i.e. ``$ALTLAS_HOME``)."""

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        lock_timeout: float | None = None,
        on_lock_wait: Callable[[LockHolder], None] | None = None,
        batch_size: int | None = None,
        zstd_level: int | None = None,
        fsync: bool | None = None,
        busy_timeout: float | None = None,
    ) -> None:
        from altlas.config import load_settings

        settings = load_settings(home)
        self.home = Path(settings.home)
        self.settings = settings.section(
            "archive",
            ArchiveSettings,
            lock_timeout=lock_timeout,
            batch_size=batch_size,
            zstd_level=zstd_level,
            fsync=fsync,
            busy_timeout=busy_timeout,
        )
        self.lock = ArchiveLock(
            self.home / "archive.lock", timeout=self.settings.lock_timeout, on_wait=on_lock_wait
        )
        self.store = open_repository(
            self.home / "altlas.db",
            self.lock,
            busy_timeout=self.settings.busy_timeout,
            check_on_open=self.settings.check_on_open,
        )
        self.blobs = BlobStore(
            self.home / "blobs", level=self.settings.zstd_level, fsync=self.settings.fsync
        )
        self.index = SearchIndex(self.home / "index")
        self._opened = False
        # One Archive serves the server's worker threads: the first calls must not open twice.
        self._open_lock = threading.RLock()

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.blobs.close()
        self.store.close()
        self.index.close()
        self._opened = False

    def open(self) -> Archive:
        """Open (creating and migrating) the database; raises a clear error when it is damaged."""
        if self._opened:
            return self
        with self._open_lock:
            if not self._opened:
                self._open_once()
        return self

    def _open_once(self) -> None:
        from altlas.config import ensure_home

        ensure_home(self.home)
        db_file = self.store.path
        fresh = not db_file.exists() or db_file.stat().st_size == 0
        self.store.open()
        if fresh and self.store.count() == 0 and self.blobs.any_blob():
            self.store.close()
            raise self.store.damaged("is missing or empty while blobs/ holds archived originals")
        self.blobs.use_dictionary(self.store.current_dict_id())
        if not self.store.read_only and next(self.blobs.iter_file_blobs(), None) is not None:
            # An archive from before the packed store: its one-file blobs move in once.
            with self.lock.held("altlas archive (moving blobs into blobs.db)"):
                self.blobs.migrate_files()
        self._opened = True

    def reopened(self) -> None:
        """After the database file was replaced (verify --repair's rebuild): open the new one.

        Unlike :meth:`open`, an empty database beside archived blobs is expected here: the
        rebuild adopts the blobs next.
        """
        with self._open_lock:
            self.store.open()
            self._opened = True

    def catch_up_index(self) -> int:
        """Index the rows still waiting for it (an add or a reindex stopped early); how many."""
        from altlas.index.ingest import catch_up

        return catch_up(self)

    def ensure_index_for_write(self) -> None:
        """Create the index if it is missing or outdated; every row then awaits catch-up."""
        self.open()
        try:
            self.index.open()
            return
        except IndexMissing:
            pass
        self.index.create()
        self.store.mark_all_unindexed()

    def _ensure_index_for_read(self) -> None:
        self.open()
        if self.index.exists():
            return
        if not self.store.has_active():
            with self.lock.held("archive: create index"):
                if not self.index.exists():
                    self.index.create()
            return
        self.index.open()  # raises IndexMissing with the way back

    # -- adding ------------------------------------------------------------------------------
    def add(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        *,
        batch_size: int | None = None,
        keep_copies: bool = False,
        progress: Callable[[int, int], None] | None = None,
        phase: Callable[[str], None] | None = None,
    ) -> AddReport:
        """Add files and directories (recursively); idempotent by content hash.

        ``progress(done, total)`` is called once per file; ``phase(name)`` when a slow step
        starts ("finding files", "adding", "training a compression dictionary").

        Bad files become ``failed`` outcomes, one line each, and do not stop the others. A file
        whose result id is already archived from other bytes (the runner's ``.json`` and
        ``.zip`` of one run) is skipped as ``same_result`` unless ``keep_copies``.
        """
        from altlas.index.ingest import add_paths

        self.open()
        self.store.require_writable()
        items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
        return add_paths(
            self,
            items,
            batch_size=batch_size or self.settings.batch_size,
            keep_copies=keep_copies,
            progress=progress,
            phase=phase,
        )

    def add_result(
        self, result: Result, raw: bytes | None = None, name: str | None = None
    ) -> FileOutcome:
        """Archive a result just produced (``altlas run --archive``)."""
        from altlas.index.ingest import add_prepared, prepared_for_result

        self.open()
        self.store.require_writable()
        item = prepared_for_result(result, raw, name)
        report = AddReport()
        add_prepared(self, [item], report, purpose="altlas run --archive")
        return report.outcomes[0]

    # -- reading -----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        filters: Filters | Mapping[str, Any] | None = None,
        *,
        sort: SearchSort | str = SearchSort.RELEVANCE,
        ascending: bool = False,
        limit: int = 10,
        offset: int = 0,
        snippets: bool = True,
    ) -> SearchResults:
        """Full-text search (tantivy syntax, all words by default) with filters and snippets.

        ``filters`` is a :class:`Filters` or a mapping of its public names
        (``{"status": "failure", "since": "30d"}``).
        """
        from altlas.index.hits import find

        order = SearchSort.parse(sort)
        if not 1 <= limit <= 10_000 or offset < 0:
            raise FilterError("limit must be 1..10000 and offset >= 0")
        narrowed = Filters.of(filters)
        self._ensure_index_for_read()
        return find(
            self, query, narrowed, sort=order, ascending=ascending, limit=limit, offset=offset,
            snippets=snippets,
        )  # fmt: skip

    def record(self, key: str) -> ArchiveRecord:
        """The database record of one result: by id, sha256, result id or id prefix."""
        self.open()
        return row_to_record(self.store.find(key))

    def show(self, key: str, raw: bool = True) -> bytes | Result:
        """The original bytes exactly as added (``raw``), or the parsed :class:`Result`."""
        from altlas.index.extract import prepare

        self.open()
        row = self.store.find(key)
        sha = row["sha256"]
        try:
            body = self.blobs.get(sha)
        except BlobMissing:
            raise ArchiveCorruptError(
                f"the original of {row['id']} is missing: add the file again to restore it "
                f"(source was {row['source'] or 'unknown'}), or see 'altlas archive verify'"
            ) from None
        except BlobDamaged as exc:
            raise ArchiveCorruptError(
                f"the original of {row['id']} is damaged ({exc.message}); add the file again "
                f"to restore it (source was {row['source'] or 'unknown'}), or run "
                "'altlas archive verify --repair'"
            ) from None
        if raw:
            return body
        return prepare(body, display=row["id"], source=None, sha=sha).result

    def records(
        self,
        filters: Filters | Mapping[str, Any] | None = None,
        *,
        sort: RecordSort | str = RecordSort.TIME,
        ascending: bool = False,
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[ArchiveRecord]:
        """Records, newest first by default (``limit=None``: all of them)."""
        order = RecordSort.parse(sort)
        if (limit is not None and limit < 0) or offset < 0:
            raise FilterError("limit and offset must be >= 0")
        narrowed = Filters.of(filters)
        self.open()
        return self.store.records(
            narrowed, sort=order, ascending=ascending, limit=limit, offset=offset
        )

    def stats(self, filters: Filters | Mapping[str, Any] | None = None) -> ArchiveStats:
        """Success rates by task type, handler, mode, persona, language and day (polars)."""
        from altlas.index.stats import compute_stats

        narrowed = Filters.of(filters)
        self.open()
        return compute_stats(self, narrowed)

    # -- export, retention, bundles ----------------------------------------------------------
    def export(
        self,
        dest: str | os.PathLike[str],
        *,
        ids: Sequence[str] | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> ExportReport:
        """The originals, byte for byte: into a directory, or a ``.tar.zst`` bundle."""
        from altlas.index.bundles import export

        narrowed = Filters.of(filters)
        self.open()
        return export(self, Path(dest), ids=ids, filters=narrowed)

    def prune(
        self,
        older_than: str | timedelta,
        filters: Filters | Mapping[str, Any] | None = None,
        *,
        archive_to: str | os.PathLike[str] | None = None,
        dry_run: bool = False,
    ) -> PruneReport:
        """Delete results older than ``older_than`` (and matching ``filters``); with
        ``archive_to``, bundle them first."""
        from altlas.index.bundles import prune

        narrowed = Filters.of(filters)
        self.open()
        self.store.require_writable()
        return prune(
            self,
            older_than,
            filters=narrowed,
            archive_to=Path(archive_to) if archive_to else None,
            dry_run=dry_run,
        )

    def import_bundle(self, path: str | os.PathLike[str]) -> AddReport:
        """Add every result of a ``.tar.zst`` bundle (keeping its added time and source)."""
        from altlas.index.bundles import import_bundle

        self.open()
        self.store.require_writable()
        return import_bundle(self, Path(path))

    # -- maintenance -------------------------------------------------------------------------
    def verify(self, repair: bool = False, *, full: bool = True) -> VerifyReport:
        """Check every blob's hash and that the database and the index agree."""
        from altlas.index.maintenance import verify

        return verify(self, repair=repair, full=full)

    def reindex(self) -> ReindexReport:
        """Rebuild the search index from the database and the blobs."""
        from altlas.index.maintenance import reindex

        self.open()
        self.store.require_writable()
        return reindex(self)

    def optimize(
        self, *, recompress: bool = False, samples: int = 2000, level: int | None = None
    ) -> OptimizeReport:
        """Train a zstd dictionary on stored results; new blobs use it, old ones stay readable.

        ``recompress`` re-encodes every stored blob with it at ``level`` (default the
        ``recompress_level`` setting, harder than ``add``'s: this is the background step).
        """
        from altlas.index.dictionary import optimize

        self.open()
        self.store.require_writable()
        level = level or (self.settings.recompress_level if recompress else None)
        return optimize(self, recompress=recompress, samples=samples, level=level)

    # -- atlas -------------------------------------------------------------------------------
    def build_atlas(
        self,
        since: str | datetime | timedelta | None = None,
        *,
        until: str | datetime | timedelta | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
        top_failures: int = 20,
    ) -> Atlas:
        """Distil the archive (or the results since ``since``) into an :class:`Atlas`.

        ``since``/``until`` given here override the ones in ``filters``.
        """
        from altlas.index.atlas import build_atlas

        base = Filters.of(filters)
        window = Filters(since=since, until=until)
        narrowed = base.model_copy(
            update={
                "since": window.since if since is not None else base.since,
                "until": window.until if until is not None else base.until,
            }
        )
        self.open()
        return build_atlas(self, narrowed, top_failures=top_failures)

    def record_atlas(self, atlas: Atlas, path: str | os.PathLike[str] | None = None) -> AtlasEntry:
        """Remember an atlas (its bytes go to the blob store, so a rebuild recovers it)."""
        from altlas.index.atlas import record_atlas

        self.open()
        self.store.require_writable()
        return record_atlas(self, atlas, Path(path) if path else None)

    def list_atlases(self) -> list[AtlasEntry]:
        from altlas.index.atlas import list_atlases

        self.open()
        return list_atlases(self)

    def atlas(self, key: str) -> Atlas:
        """A recorded atlas, by id."""
        from altlas.index.atlas import load_recorded

        self.open()
        return load_recorded(self, key)
