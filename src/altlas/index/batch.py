"""One batch of the add saga: decide each staged file's outcome, write its rows and documents.

The writer holds the archive lock and one tantivy writer (:class:`WriteSession`). Per batch,
in one SQLite transaction: look the batch's hashes and result ids up (two queries), give each
new file its rid, hand its document to tantivy, insert the rows with one statement per table,
store any blob staging did not store, commit. A failure rolls back the rows and the index
documents and deletes the blobs the batch (or its staging) wrote. See :mod:`altlas.index.ingest`
for the saga as a whole.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from altlas.errors import AltlasError, ArchiveUnavailableError
from altlas.formats.common import to_rfc3339
from altlas.index.extract import RESULT_COLUMNS, stored_row
from altlas.index.models import AddReport, FileOutcome
from altlas.index.session import WriteSession, index_error, quietly
from altlas.index.staging import Staged
from altlas.index.timeparse import to_micros

__all__ = ["ingest_batch"]

_SIDECAR_COLUMNS = {k: RESULT_COLUMNS.index(k) for k in ("name", "source")}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A batch keeps hundreds of parsed results alive: the cyclic GC would rescan them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _outcome(report: AddReport, path: str, status: Any, row: Any = None, **kw: Any) -> None:
    if row is not None:
        kw.setdefault("id", row["id"])
        kw.setdefault("result_id", row["result_id"])
    report.count(FileOutcome.checked(path, status, **kw))


class _Batch:
    """What one batch of the saga collects while it walks its files."""

    __slots__ = ("added", "by_result", "by_sha", "existing", "frames", "names", "new_rids",
                 "next_rid", "orphans", "rows", "tag_rows", "type_rows")  # fmt: skip

    def __init__(self, by_sha: dict[str, Any], by_result: dict[str, str], next_rid: int) -> None:
        self.by_sha, self.by_result, self.next_rid = by_sha, by_result, next_rid
        self.existing = set(by_sha)
        self.frames: list[tuple[str, bytes]] = []
        self.names: list[dict[str, Any]] = []
        self.rows: list[tuple[Any, ...]] = []
        self.type_rows: list[tuple[str, int]] = []
        self.tag_rows: list[tuple[int, str]] = []
        self.new_rids: list[int] = []
        self.added: list[Staged] = []
        self.orphans: list[str] = []
        """Frames the stager stored for files that got no row (same result, other bytes)."""

    def written_by_stager(self, staged: Sequence[Staged]) -> list[str]:
        """Frames the stager stored that no row had before this batch: undone on failure."""
        return [st.sha for st in staged if st.stored and st.sha not in self.existing]


def _skip_reason(st: Staged, batch: _Batch, keep_copies: bool) -> tuple[str, Any, dict[str, Any]]:
    """``(status, row, extra)`` when the file adds no row; ``("", ...)`` when it does."""
    row = batch.by_sha.get(st.sha)
    if row is not None and row["blob_state"] == "ok":
        return "exists", row, {"message": "already archived (same content)"}
    if st.known:
        return (
            "failed",
            None,
            {"message": f"{st.display}: was pruned while being added; add it again"},
        )
    if row is not None:
        return "restored", row, {"message": "the lost original was written back"}
    other = None if keep_copies else batch.by_result.get(st.result_id)
    if other is not None:
        return (
            "same_result",
            None,
            {
                "id": other,
                "result_id": st.result_id,
                "message": f"result {st.result_id} is already archived as {other} "
                "from another file",
            },
        )
    return "", None, {}


def _walk(
    session: WriteSession,
    staged: Sequence[Staged],
    report: AddReport,
    batch: _Batch,
    *,
    keep_copies: bool,
    tick: Callable[[], None] | None,
    now: datetime,
) -> None:
    """Decide each file's outcome; collect the new rows, and hand their documents to tantivy."""
    archive, writer, conn = session.archive, session.writer, session.archive.store.conn
    for st in staged:
        if tick is not None:
            tick()
        if st.failure is not None:
            _outcome(report, st.display, "failed", message=st.failure)
            continue
        status, row, extra = _skip_reason(st, batch, keep_copies)
        if status == "restored":
            if not st.stored:
                batch.frames.append((st.sha, st.frame))
            conn.execute(
                "UPDATE results SET blob_state = 'ok', dict_id = ?, stored_size = ?, "
                "indexed = 0 WHERE rid = ?",
                (st.dict_id, st.stored_size, row["rid"]),
            )
            batch.by_sha[st.sha] = {**{k: row[k] for k in row.keys()}, "blob_state": "ok"}  # noqa: SIM118
        if status:
            if st.stored and status == "same_result":
                batch.orphans.append(st.sha)
            _outcome(report, st.display, status, row, **extra)
            continue
        added_at = st.added_at or now
        rid, batch.next_rid = batch.next_rid, batch.next_rid + 1
        values = st.row_for(added_at, st.stored_size)
        batch.rows.append((rid, *stored_row(values)))
        batch.by_sha[st.sha] = {
            "rid": rid,
            "id": st.id,
            "result_id": st.result_id,
            "blob_state": "ok",
        }
        batch.by_result.setdefault(st.result_id, st.id)
        if not st.stored:
            batch.names.append(
                {
                    "sha256": st.sha,
                    **{k: values[i] for k, i in _SIDECAR_COLUMNS.items()},
                    "added_at": to_rfc3339(added_at),  # microseconds in the row (m006)
                }
            )
            batch.frames.append((st.sha, st.frame))
        batch.type_rows.extend(st.task_type_rows(rid))
        batch.tag_rows.extend((rid, tag) for tag in st.tags)
        assert st.text is not None
        ts = st.event_us if st.event_us is not None else to_micros(added_at)
        writer.add_document(archive.index.document(rid, st.text, st.keywords, ts, st.success_rate))
        batch.new_rids.append(rid)
        batch.added.append(st)


def ingest_batch(
    session: WriteSession,
    staged: Sequence[Staged],
    report: AddReport,
    *,
    keep_copies: bool = False,
    tick: Callable[[], None] | None = None,
    commit_index: bool = True,
) -> None:
    """One batch of the saga (the session holds the lock and the writer).

    ``tick`` is called once per file, so a progress display moves within a batch. Without
    ``commit_index`` the batch's documents wait in the writer for a later
    :meth:`WriteSession.commit_index`; their rows stay ``indexed = 0`` until then. Rows go in
    with their rids chosen here (:meth:`Store.next_rid`), so the whole batch is one
    statement per table.
    """
    archive, writer = session.archive, session.writer
    store, blobs = archive.store, archive.blobs
    conn = store.conn
    batch: _Batch | None = None
    with store.errors(), _gc_paused():
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN")
        try:
            by_sha, by_result = _known_rows(conn, staged)
            batch = _Batch(by_sha, by_result, store.next_rid(conn))
            now = datetime.now(UTC)
            _walk(session, staged, report, batch, keep_copies=keep_copies, tick=tick, now=now)
            store.insert_results(conn, batch.rows)
            store.insert_task_types(conn, batch.type_rows)
            store.insert_tag_rows(conn, batch.tag_rows)
            _write_blobs(blobs, batch.frames, batch.names)
            conn.commit()
        except BaseException as exc:
            conn.rollback()
            quietly(writer.rollback)
            # Earlier batches' documents went with it; their rows (indexed = 0) are caught
            # up by the next writer.
            session.unindexed.clear()
            if batch is not None:
                created = [sha for sha, _ in batch.frames if sha not in batch.existing]
                blobs.delete_many(created + batch.written_by_stager(staged))
            if isinstance(exc, ValueError):  # tantivy reports its I/O failures as ValueError
                raise index_error(archive, exc, "nothing from this batch was kept") from None
            raise
    if batch.orphans:
        _delete_orphans(blobs, [sha for sha in batch.orphans if sha not in batch.by_sha])
    for st in batch.added:
        _outcome(report, st.display, "added", id=st.id, result_id=st.result_id)
        report.raw_bytes += st.raw_size
        report.stored_bytes += st.stored_size
    session.unindexed.extend(batch.new_rids)
    if commit_index:
        session.commit_index()


def _delete_orphans(blobs: Any, shas: list[str]) -> None:
    """Only space: an orphan left behind is reused by the next add or adopted by verify."""
    with suppress(OSError, AltlasError):
        blobs.delete_many(shas)


def _known_rows(conn: Any, staged: Sequence[Staged]) -> tuple[dict[str, Any], dict[str, str]]:
    """The batch's archived rows by sha256, and archived ids by result id: two queries a batch.

    One lookup per file cost as much as the inserts; the writer holds the lock, so nothing
    changes these rows under it, and rows the batch inserts are added as it goes.
    """
    shas = list({st.sha for st in staged if st.failure is None})
    results = list({st.result_id for st in staged if st.failure is None and st.result_id})
    by_sha: dict[str, Any] = {}
    by_result: dict[str, str] = {}
    for at in range(0, len(shas), 900):
        chunk = shas[at : at + 900]
        for row in conn.execute(
            "SELECT lower(hex(sha256)) AS sha256, rid, id, result_id, blob_state "  # noqa: S608
            f"FROM results WHERE sha256 IN ({', '.join('?' * len(chunk))})",
            [bytes.fromhex(sha) for sha in chunk],
        ):
            by_sha[row["sha256"]] = row
    for at in range(0, len(results), 900):
        chunk = results[at : at + 900]
        for row in conn.execute(
            "SELECT result_id, min(id) AS id FROM results WHERE state = 'active' "  # noqa: S608
            f"AND result_id IN ({', '.join('?' * len(chunk))}) GROUP BY result_id",
            chunk,
        ):
            by_result[row["result_id"]] = row["id"]
    return by_sha, by_result


def _write_blobs(blobs: Any, frames: list[tuple[str, bytes]], names: list[dict[str, Any]]) -> None:
    """The batch's frames and names, made durable together; OSError as one line."""
    from altlas.index.health import os_cause

    try:
        blobs.put_many(frames, names=names)
    except OSError as exc:
        raise ArchiveUnavailableError(
            f"cannot store the blobs: {os_cause(exc)}", file=str(blobs.packs.path)
        ) from None
