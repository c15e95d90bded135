"""Staging: the same answer in a worker process as in-process, bad files as one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from altlas.errors import ArchiveUnavailableError
from altlas.index import Archive
from altlas.index.blobs import BlobStore
from altlas.index.ingest import keywords_of
from altlas.index.stager import Stager
from altlas.index.staging import stage_bytes


def _chunks(files: list[Path], size: int) -> list[list[tuple[str, str | None, str | None]]]:
    items = [(str(p), str(p), str(p)) for p in files]
    return [items[at : at + size] for at in range(0, len(items), size)]


def test_worker_and_in_process_staging_agree(archive: Archive, write_results) -> None:
    files = write_results(9)
    archive.open()
    archive.add(files[:2])  # known ones are not parsed again
    results = []
    for workers in (0, 1):
        stager = Stager(blobs=archive.blobs, db=archive.store.path, workers=workers)
        try:
            results.append([s for batch in stager.stage(iter(_chunks(files, 3))) for s in batch])
        finally:
            stager.close()
    local, remote = results
    assert [s.sha for s in local] == [s.sha for s in remote]
    assert [s.known for s in remote] == [True, True] + [False] * 7
    for a, b in zip(local, remote, strict=True):
        assert (a.row, a.text, a.keywords, a.task_types, a.stored_size, a.stored) == (
            b.row,
            b.text,
            b.keywords,
            b.task_types,
            b.stored_size,
            b.stored,
        )
    # Staging stored the new originals durably (the frames do not travel to the writer).
    for staged, path in zip(remote[2:], files[2:], strict=True):
        assert staged.stored and staged.frame == b"" and staged.stored_size > 0
        assert archive.blobs.get(staged.sha) == path.read_bytes()
    names = archive.blobs.read_names()
    assert {s.sha for s in remote[2:]} <= set(names)
    assert names[remote[2].sha]["source"] == str(files[2])


def test_a_storage_failure_in_the_worker_comes_back_whole(tmp_path: Path, write_results) -> None:
    """The blob store cannot be created: the one-line error names it, class and file intact."""
    files = write_results(6)
    blocked = tmp_path / "not-a-dir"
    blocked.write_bytes(b"")
    stager = Stager(blobs=BlobStore(blocked / "blobs"), db=tmp_path / "none.db", workers=1)
    try:
        with pytest.raises(ArchiveUnavailableError) as caught:
            list(stager.stage(iter(_chunks(files, 3))))
    finally:
        stager.close()
    assert caught.value.context["file"] == str(blocked / "blobs" / "blobs.db")
    assert "cannot store the blobs" in caught.value.one_line()


def test_bad_input_is_staged_as_one_line(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    staged = stage_bytes(
        b'{"format": "altlas.last", "tasks": 3}', display="x.last", source=None, compressor=store
    )
    assert staged.failure is not None and staged.failure.startswith("x.last")
    assert "\n" not in staged.failure


def test_large_adds_use_the_worker_and_say_the_same(altlas_home: Path, write_results) -> None:
    files = write_results(40)
    with Archive(altlas_home, batch_size=5) as arch:
        report = arch.add([*files[:20], Path("missing.last"), *files[20:]])
        assert report.added == 40 and report.failed == 1
        assert "missing.last: no such file" in report.failures[0].message
        assert arch.verify().ok


def test_an_unreadable_path_is_one_line_and_the_gc_comes_back(
    altlas_home: Path, write_results, tmp_path: Path
) -> None:
    """A link to nothing, found in a folder, cannot be read: one line naming it. The cyclic
    GC is paused (and the heap frozen) during the add only, also when the add stops."""
    import gc

    files = write_results(12)
    odd = files[0].parent / "odd.last"
    odd.symlink_to(tmp_path / "nothing")
    seen: list[tuple[bool, int]] = []

    def stop_at_the_fifth(done: int, total: int) -> None:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        if done == 5:
            raise KeyboardInterrupt

    with Archive(altlas_home, batch_size=4) as arch:
        report = arch.add([files[0].parent])
        assert report.added == 12 and report.failed == 1
        assert report.failures[0].message == f"{odd}: cannot read: No such file or directory"
        assert gc.isenabled() and gc.get_freeze_count() == 0
        more = write_results(12, seed=1, sub="more")
        with pytest.raises(KeyboardInterrupt):
            arch.add(more, progress=stop_at_the_fifth)
    assert seen and all(not enabled and frozen > 0 for enabled, frozen in seen)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_workers_do_not_wait_for_a_dictionary_that_cannot_be_trained(
    altlas_home: Path, write_results, monkeypatch
) -> None:
    """Too few samples in the first batch: the parent publishes "none" and the workers
    compress without one at once (they would wait two minutes otherwise); the end of the
    add trains it and recompresses what is there."""
    import time

    monkeypatch.setenv("ALTLAS_ARCHIVE__AUTO_DICTIONARY_AFTER", "40")
    files = write_results(60)
    started = time.monotonic()
    with Archive(altlas_home, batch_size=10) as arch:
        assert arch.add(files).added == 60
        assert time.monotonic() - started < 60
        trained = arch.blobs.current_dict_id
        assert trained != 0
        counts = dict(arch.store.query("SELECT dict_id, count(*) FROM results GROUP BY dict_id"))
        assert counts == {trained: 60}
        assert arch.verify().ok


def test_a_staged_file_crosses_processes_whole(write_results) -> None:
    """Staged files are pickled by their values: every field, text included, must survive."""
    import dataclasses
    import pickle
    from datetime import UTC, datetime

    good = stage_bytes(write_results(1)[0].read_bytes(), display="a", source="/a", compressor=None)
    good.added_at, good.known, good.dict_id = datetime(2025, 1, 2, tzinfo=UTC), True, 7
    bad = stage_bytes(b"{not json", display="b", source=None, compressor=None)
    for staged in (good, bad):
        again = pickle.loads(pickle.dumps(staged))
        assert dataclasses.asdict(again) == dataclasses.asdict(staged)
        assert type(again.text) is type(staged.text)
    assert good.text is not None and good.text.outputs and good.row


@pytest.mark.parametrize("case", range(6))
def test_keywords_from_the_row_are_those_of_the_result(case: int) -> None:
    """The writer builds a staged file's keyword fields from its row: they must be what the
    result itself gives (``document_for``'s rule), repeated tags, no persona, upper-case
    languages and unnamed handlers included."""
    import pickle

    from altlas.formats import io
    from altlas.index.synthetic import synthetic_result

    result = synthetic_result(case, seed=5)
    changes = [
        {"tags": ["b", "a", "b"]},
        {"persona": None, "language": "EN-gb"},
        {"language": None, "tags": []},
        {"persona": "", "language": ""},
        {},
        {"tasks": [t.model_copy(update={"handler": None}) for t in result.tasks]},
    ][case]
    result = result.model_copy(update=changes)
    staged = stage_bytes(io.to_bytes(result), display="r.last", source=None, compressor=None)
    assert staged.failure is None
    expected = keywords_of(result)  # what the catch-up indexes from the result
    assert staged.keywords == expected
    assert pickle.loads(pickle.dumps(staged)).keywords == expected
