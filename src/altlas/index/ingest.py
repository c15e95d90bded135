"""Adding results: the saga blob -> row -> index document, in batches, under the archive lock.

Per batch, in one SQLite transaction: for each file, skip it if its sha256 (of the original
bytes) is already archived, else parse and validate it, insert its rows (``indexed = 0``) and
hand its document to the open tantivy writer, which indexes it on another core while the next
file is parsed. At the end of the batch: write the blobs and make them durable (one
commit of the packed store), commit the rows, commit the index, set ``indexed = 1``.

So a crash leaves at worst orphan blobs (reused by the next ``add``, adopted by ``verify
--repair``) or committed rows whose index documents were never committed, which the next
writer indexes first ("catch-up"). A row is never committed before its blob is durable; a
failed batch rolls back its rows and index documents and deletes the blobs it wrote.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.errors import AltlasError
from altlas.formats.result import Result
from altlas.index.autodict import (
    adopt_dictionary,
    dictionary_due,
    maybe_train_dictionary,
    recompress_earlier,
)
from altlas.index.batch import ingest_batch
from altlas.index.extract import (  # prepare lives in extract: staging needs it too
    Prepared,
    index_text,
    prepare,
    result_time,
    sha256_hex,
)
from altlas.index.models import AddReport
from altlas.index.session import WriteSession
from altlas.index.stager import Stager
from altlas.index.staging import Staged, stage_prepared
from altlas.index.timeparse import to_micros

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts as Archive

__all__ = [
    "WriteSession",
    "add_paths",
    "add_prepared",
    "add_staged",
    "catch_up",
    "document_for",
    "expand_paths",
    "ingest_batch",
    "keywords_of",
    "prepare",
    "prepared_for_result",
]

Progress = Callable[[int, int], None]
_SUFFIXES = (".last", ".json", ".zst", ".gz", ".zip", ".yaml", ".yml")
_OTHER_KINDS = (".alt", ".alt.json", ".alt.yaml", ".alt.yml", ".atlas", ".atlas.json")


def _wanted(name: str) -> bool:
    low = name.lower()
    if low.startswith(".") or not low.endswith(_SUFFIXES):
        return False
    bare = low.removesuffix(".zst").removesuffix(".gz")
    return not bare.endswith(_OTHER_KINDS)


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, Path | None]]:
    """``(display name, path or None when it does not exist)``; directories recursively."""
    for display, path, _ in _walk_files(paths, str(Path.cwd())):
        yield display, Path(path) if path is not None else None


def _walk_files(
    paths: Iterable[str | os.PathLike[str]], cwd: str
) -> Iterator[tuple[str, str | None, str | None]]:
    """``(display name, path or None, absolute normalised path or None)``, as strings.

    Strings, not ``Path`` objects: at 5,000 files a ``Path`` per file was 20 us each, all
    of it before the first batch could start.
    """
    join, normpath = os.path.join, os.path.normpath
    for item in paths:
        path = str(Path(item))  # the names shown are Path's (no "./", no doubled slashes)
        if os.path.isdir(path):  # noqa: PTH112
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                shown = str(Path(root))  # one Path per directory, not per file
                base = normpath(join(cwd, shown))
                for name in sorted(files):
                    if _wanted(name):
                        full = join(shown, name) if shown != "." else name
                        yield full, full, join(base, name)
        elif os.path.isfile(path):  # noqa: PTH113
            yield path, path, normpath(join(cwd, path))
        else:
            yield path, None, None


def prepared_for_result(result: Result, raw: bytes | None, name: str | None) -> Prepared:
    """A result just produced (``altlas run --archive``), with the bytes the run wrote."""
    from altlas.formats.io import to_bytes

    body = raw if raw is not None else to_bytes(result)
    display = name or f"{result.id}.last"
    # When ``name`` is the file the run wrote, remember it: verify --repair restores from it.
    source = str(Path(name).resolve()) if name is not None and Path(name).is_file() else None
    container = "plain"
    for magic, kind in (
        (b"\x28\xb5\x2f\xfd", "zstd"),
        (b"\x1f\x8b", "gzip"),
        (b"PK\x03\x04", "zip"),
    ):
        if body.startswith(magic):
            container = kind
            break
    return Prepared(
        path=display,
        source=source,
        name=Path(display).name,
        raw=body,
        sha=sha256_hex(body),
        result=result,
        dialect="canonical-last",
        container=container,
    )


def keywords_of(result: Result) -> dict[str, list[str]]:
    """A result's keyword fields in the index, as the add builds them from its row."""
    return {
        "status": [result.status.value],
        "tag": list(result.tags),
        "task_type": sorted({t.type for t in result.tasks if t.type}),
        "handler": sorted({t.handler for t in result.tasks if t.handler}),
        "mode": [result.mode.value],
        "persona": [result.persona] if result.persona else [],
        "lang": [result.language.lower()] if result.language else [],
        "result_id": [result.id],
    }


def document_for(archive: Archive, rid: int, result: Result, added_at: datetime) -> Any:
    keywords = keywords_of(result)
    return archive.index.document(
        rid,
        index_text(result),
        keywords,
        to_micros(result_time(result, added_at)),
        result.success_rate,
    )


def catch_up(archive: Archive, *, chunk: int = 500, limit: int | None = None) -> int:
    """Index rows whose index document was never committed. Call with the lock held."""
    from altlas.index.blobs import BlobDamaged, BlobMissing

    done = 0
    while limit is None or done < limit:
        rows = archive.store.unindexed_rows(chunk)
        if not rows:
            break
        indexed: list[int] = []
        unusable: list[tuple[str, int]] = []
        with archive.index.writer() as writer:
            archive.index.delete_rids(writer, [r["rid"] for r in rows])
            for row in rows:
                try:
                    raw = archive.blobs.get(row["sha256"])
                    item = prepare(raw, display=row["sha256"], source=None, sha=row["sha256"])
                except BlobMissing:
                    unusable.append(("missing", row["rid"]))
                    continue
                except BlobDamaged:
                    unusable.append(("damaged", row["rid"]))
                    continue
                except AltlasError:
                    unusable.append(("unparsable", row["rid"]))
                    continue
                added = datetime.fromisoformat(row["added_at"].replace("Z", "+00:00"))
                writer.add_document(document_for(archive, row["rid"], item.result, added))
                indexed.append(row["rid"])
            writer.commit()
        archive.store.record_index_outcome(indexed, unusable)
        done += len(rows)
    return done


def add_staged(
    archive: Archive,
    batches: Iterable[Sequence[Staged]],
    report: AddReport,
    *,
    keep_copies: bool = False,
    purpose: str = "altlas archive add",
    progress: Callable[[int], None] | None = None,
    phase: Callable[[str], None] | None = None,
    tail: Callable[[], bool] | None = None,
) -> None:
    """Ingest staged batches; ``progress(1)`` per file, ``phase(name)`` when a slow step starts.

    ``tail()`` says every batch is submitted and the writer would wait for the next: the
    index is committed then, once, while the workers stage the last batches, so the commit
    at the end has only those left (the whole add's commit, with the workers done, left a
    core idle for 0.1 s at 5,000 files).
    """
    restored = adopted = False
    tick = (lambda: progress(1)) if progress is not None else None
    paused = _pause_gc()
    try:
        with WriteSession(archive, purpose, report) as session:
            for batch in batches:
                before = report.restored
                ingest_batch(
                    session,
                    batch,
                    report,
                    keep_copies=keep_copies,
                    tick=tick,
                    commit_index=session.index_due(),
                )
                adopted = adopt_dictionary(archive, batch) or adopted
                restored = restored or report.restored > before
                if tail is not None and session.unindexed and tail():
                    session.commit_index()
                    tail = None  # once: later commits would leave more segments to merge
                session.maybe_yield()
            session.commit_index()
            if adopted:
                recompress_earlier(archive)
    finally:
        _resume_gc(paused)
    if restored:
        if phase is not None:
            phase("re-indexing restored results")
        with archive.lock.held(purpose):
            report.reindexed += catch_up(archive)
    # Normally the staging worker trained one already; without a worker, after the last
    # batch, never between two (training there stalled every batch behind it).
    maybe_train_dictionary(archive, phase)


def _pause_gc() -> bool:
    """No cyclic GC during the add; what existed before it is frozen for its duration.

    The report's outcomes and the parsed batches grow the heap, and each full collection
    rescanned all of it with every imported module's objects; even with those frozen, the
    collections after each batch were 8-10% of the writer's time at 5,000 files. The add
    makes next to no cyclic garbage (about a hundred objects at 5,000 files and at 100,000;
    reference counting frees the rest), collected when it ends; a sweep of the young
    generations every 20 batches cost 1 s at 100,000 files to find nothing. The switch is
    process-wide: in a server the other threads run without the cyclic GC meanwhile (their
    cycles are collected when the add ends).
    """
    if not gc.isenabled():
        return False  # another add in this process paused it already
    gc.disable()
    gc.freeze()
    return True


def _resume_gc(paused: bool) -> None:
    if paused:
        gc.unfreeze()
        gc.enable()


def add_prepared(
    archive: Archive,
    items: Sequence[Prepared],
    report: AddReport,
    *,
    keep_copies: bool = False,
    purpose: str = "altlas archive add",
) -> None:
    """Add parsed items (``add_result``, adoption) as one batch."""
    staged = [stage_prepared(item, archive.blobs) for item in items]
    add_staged(archive, [staged], report, keep_copies=keep_copies, purpose=purpose)


def add_paths(
    archive: Archive,
    paths: Iterable[str | os.PathLike[str]],
    *,
    batch_size: int = 500,
    keep_copies: bool = False,
    progress: Progress | None = None,
    phase: Callable[[str], None] | None = None,
) -> AddReport:
    started = time.perf_counter()
    report = AddReport()
    if phase is not None:
        phase("finding files")
    files = list(_walk_files(paths, str(Path.cwd())))
    total = len(files)
    size = max(1, batch_size)
    chunks = [files[at : at + size] for at in range(0, total, size)]
    # A worker process pays off from a few batches on (starting one takes about a second).
    workers = archive.settings.workers if len(chunks) >= 3 else 0
    stager = Stager(
        blobs=archive.blobs,
        db=archive.store.path,
        workers=workers,
        train=workers > 0 and dictionary_due(archive, total),
    )
    done = [0]
    if phase is not None:
        phase("adding")

    def step(count: int) -> None:
        done[0] = min(total, done[0] + count)
        if progress is not None:
            progress(done[0], total)

    try:
        if total:
            # The workers start on the first batches (and the dictionary trains) while the
            # writer takes the lock and opens the index.
            staged = stager.start(iter(chunks))
            add_staged(
                archive,
                staged,
                report,
                keep_copies=keep_copies,
                progress=step if progress is not None else None,  # no call per file for nothing
                phase=phase,
                tail=stager.in_tail,
            )
    finally:
        stager.close()
    if workers:
        archive.blobs.packs.checkpoint()
    report.seconds = time.perf_counter() - started
    return report
