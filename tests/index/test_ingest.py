"""Adding results: every dialect and container, idempotence, bad files, the saga under crashes."""

from __future__ import annotations

import gzip
import io as stdio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from altlas.errors import ArchiveError
from altlas.formats import io
from altlas.formats.result import Result
from altlas.index import Archive
from altlas.testing import results


def test_add_directory_recursively_and_show_byte_exact(archive, write_results, tmp_path) -> None:
    """Files in nested directories are added; show gives back the exact bytes of each."""
    files = write_results(6, sub="in")
    nested = tmp_path / "in" / "deeper" / "more"
    nested.mkdir(parents=True)
    (tmp_path / "in" / files[0].name).rename(nested / files[0].name)
    report = archive.add([tmp_path / "in"])
    assert report.added == 6 and report.failed == 0
    for outcome in report.outcomes:
        assert archive.show(outcome.id) == Path(outcome.path).read_bytes()


def test_adding_again_is_a_no_op_that_says_so(archive, write_results, tmp_path) -> None:
    files = write_results(4)
    first = archive.add(files)
    again = archive.add([tmp_path / "in"])
    assert first.added == 4
    assert again.added == 0 and again.existing == 4
    assert {o.message for o in again.outcomes} == {"already archived (same content)"}
    assert len(archive.records(limit=None)) == 4


def test_outcomes_are_the_models_validation_would_build(archive, write_results, tmp_path) -> None:
    """The add builds its outcomes without validation: each must equal the validated model."""
    from altlas.index.models import AddReport, FileOutcome

    files = write_results(3)
    (tmp_path / "in" / "bad.json").write_text("{not json")
    archive.add(files[:1])
    report = archive.add([tmp_path / "in"])
    assert {o.status for o in report.outcomes} == {"added", "exists", "failed"}
    for outcome in report.outcomes:
        again = FileOutcome.model_validate(outcome.model_dump())
        assert again == outcome and repr(again) == repr(outcome)
        assert outcome.model_fields_set <= set(FileOutcome.model_fields)
        assert outcome.model_dump(exclude_unset=True)["status"] == outcome.status
    assert AddReport.model_validate_json(report.model_dump_json()) == report


def test_bad_files_are_reported_one_line_each_without_stopping(archive, write_results, tmp_path):
    good = write_results(3)
    bad_json = tmp_path / "in" / "broken.last"
    bad_json.write_bytes(b'{"format": "altlas.last", "id": ')
    plan = tmp_path / "in" / "not-a-result.last.json"
    plan.write_bytes(orjson.dumps({"hello": "world"}))
    empty = tmp_path / "in" / "empty.last"
    empty.write_bytes(b"")
    missing = tmp_path / "nope.last"
    report = archive.add([*good[:1], tmp_path / "in", missing], batch_size=2)
    assert report.added == 3
    failed = {Path(o.path).name: o.message for o in report.failures}
    assert set(failed) == {"broken.last", "not-a-result.last.json", "empty.last", "nope.last"}
    for name, message in failed.items():
        assert "\n" not in message and name in message
    assert "no such file" in failed["nope.last"]
    assert "empty" in failed["empty.last"]


def test_every_container_of_one_result(archive, mkresult, tmp_path) -> None:
    """Plain, .zst, .json.gz and a runner-style zip: one record, the others say why."""
    result = mkresult("last_containers", ["completed", "failed"])
    folder = tmp_path / "c"
    folder.mkdir()
    plain = io.write(result, folder / "a.last")
    zst = io.write(result, folder / "b.last.zst")
    gz = folder / "c.json.gz"
    gz.write_bytes(gzip.compress(io.to_bytes(result, pretty=False)))
    buf = stdio.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("last_exec.json", io.to_bytes(result))
        zf.writestr("artifacts/log.txt", "some artifact")
    zipped = folder / "last_exec.zip"
    zipped.write_bytes(buf.getvalue())
    report = archive.add([plain, zst, gz, zipped])
    assert report.added == 1 and report.same_result == 3, report.outcomes
    kept = archive.add([zst, gz, zipped], keep_copies=True)
    assert kept.added == 3
    records = {r.container: r for r in archive.records(limit=None)}
    assert set(records) == {"plain", "zstd", "gzip", "zip"}
    for record, path in ((records["zstd"], zst), (records["gzip"], gz), (records["zip"], zipped)):
        assert archive.show(record.id) == path.read_bytes()
        assert archive.show(record.id, raw=False) == result


def _runner_l1(execution_id: str, statuses: dict[str, str]) -> dict[str, object]:
    """A hand-written runner (L1) LAST file, as the original Rust runner wrote it."""
    return {
        "id": f"0b7c{execution_id}",
        "execution_id": execution_id,
        "alt_file_id": "alt_example_001",
        "title": "Example ALT",
        "mode": "normal",
        "persona": "technical_expert",
        "status": "partialsuccess",
        "success_rate": 0.5,
        "execution_time_ms": 1200,
        "start_time": "2025-04-26T19:32:00Z",
        "end_time": "2025-04-26T19:32:01.200Z",
        "task_results": {
            tid: {
                "task_id": tid,
                "execution_id": f"{tid}-exec",
                "status": status,
                "start_time": "2025-04-26T19:32:00Z",
                "end_time": "2025-04-26T19:32:00.600Z",
                "duration_ms": 600,
                "output": {"text": f"{tid} output"} if status == "completed" else None,
                "error": None if status == "completed" else "connection refused",
                "metadata": {},
            }
            for tid, status in statuses.items()
        },
        "artifacts": [],
        "metadata": {},
        "tags": ["legacy"],
        "priority": "medium",
        "execution_graph": None,
        "summary": "Execution Summary:\n- Title: Example ALT",
        "version": "1.0",
    }


def test_legacy_runner_files_in_every_container(archive, tmp_path) -> None:
    """L1 JSON, its .json.gz and its zip bundle: searchable, shown byte for byte."""
    folder = tmp_path / "last_files"
    folder.mkdir()
    doc = _runner_l1("e1", {"task_001": "completed", "task_002": "failed"})
    pretty = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    (folder / "last_e1.json").write_bytes(pretty)
    other = _runner_l1("e2", {"task_001": "completed"})
    (folder / "last_e2.json.gz").write_bytes(gzip.compress(orjson.dumps(other)))
    buf = stdio.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("last_e3.json", orjson.dumps(_runner_l1("e3", {"task_001": "failed"})))
        zf.writestr("artifacts/report.txt", "artifact")
    (folder / "last_e3.zip").write_bytes(buf.getvalue())
    report = archive.add([folder])
    assert report.added == 3, report.outcomes
    found = archive.search("refused")
    assert found.total == 2
    first = next(r for r in archive.records(limit=None) if r.name == "last_e1.json")
    assert archive.show(first.id) == pretty
    assert first.status == "partial_success"


def test_add_result_from_a_run(archive, mkresult) -> None:
    """``add_result`` (``altlas run --archive``) stores the canonical bytes, once."""
    result = mkresult("last_run", ["completed"])
    outcome = archive.add_result(result)
    assert outcome.status == "added"
    assert archive.show(outcome.id) == io.to_bytes(result)
    assert archive.add_result(result).status == "exists"
    assert archive.search("sales").hits[0].result_id == "last_run"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(result=results())
def test_add_show_round_trip(tmp_path_factory, result: Result) -> None:
    """Any valid result: show(raw) is byte-exact, show() equals the document."""
    home = tmp_path_factory.mktemp("home")
    with Archive(home) as arch:
        raw = io.to_bytes(result, pretty=False)
        outcome = arch.add_result(result, raw=raw, name="x.last")
        assert arch.show(outcome.id) == raw
        assert arch.show(outcome.id, raw=False) == result


def test_a_failed_batch_leaves_no_rows_and_no_blobs(altlas_home, write_results) -> None:
    """Another connection holds the write lock of SQLite: the batch rolls back, blobs go too."""
    files = write_results(5)
    with Archive(altlas_home, busy_timeout=0.1) as arch:
        arch.open()
        blocker = sqlite3.connect(altlas_home / "altlas.db")
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(ArchiveError, match="busy"):
                arch.add(files)
        finally:
            blocker.rollback()
            blocker.close()
        assert arch.records(limit=None) == []
        assert list(arch.blobs.iter_shas()) == []
        assert arch.add(files).added == 5
        assert arch.verify().ok


def _cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "altlas.cli.main", *args]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "ALTLAS_HOME": str(home), "ALTLAS_ARCHIVE__BATCH_SIZE": "25"}


@pytest.mark.slow
def test_sigkill_mid_batch_loses_nothing(altlas_home, write_results, tmp_path) -> None:
    """Kill a real ``archive add`` with SIGKILL mid-way: verify finds no loss, add completes."""
    files = write_results(400)
    proc = subprocess.Popen(
        _cli(altlas_home, "archive", "add", str(tmp_path / "in")),
        env=_env(altlas_home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    db = altlas_home / "altlas.db"
    deadline = time.monotonic() + 60
    count = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    count = conn.execute("SELECT count(*) FROM results").fetchone()[0]
            except sqlite3.OperationalError:
                count = 0
            if count >= 50:
                break
        time.sleep(0.01)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    assert alive, f"the add finished before it could be killed: {err!r}"
    with Archive(altlas_home) as arch:
        report = arch.verify()
        assert report.lost == [], [p.message for p in report.lost]
        kinds = {p.kind for p in report.problems}
        assert kinds <= {"orphan_blob", "not_indexed", "temp_file"}, kinds
        partial = len(arch.records(limit=None))
        assert 50 <= partial < 400
    done = subprocess.run(
        _cli(altlas_home, "archive", "add", str(tmp_path / "in")),
        env=_env(altlas_home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with Archive(altlas_home) as arch:
        assert len(arch.records(limit=None)) == 400
        final = arch.verify()
        assert final.ok, [p.message for p in final.problems]
        assert arch.search("*", limit=1).total == 400
        for path in files[::40]:
            rid = io.load_result(path).id
            assert arch.show(rid) == path.read_bytes()


@pytest.mark.slow
def test_two_concurrent_adds_neither_corrupt_nor_fail(altlas_home, write_results, tmp_path):
    """Two processes add overlapping sets at once: both succeed, the union is archived."""
    write_results(150, seed=1, sub="a")
    write_results(150, seed=2, sub="b")
    shared = write_results(60, seed=3, sub="shared")
    for sub in ("a", "b"):
        for path in shared:
            (tmp_path / sub / path.name).write_bytes(path.read_bytes())
    procs = [
        subprocess.Popen(
            _cli(altlas_home, "archive", "add", str(tmp_path / sub)),
            env={**_env(altlas_home), "ALTLAS_ARCHIVE__BATCH_SIZE": "20"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sub in ("a", "b")
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err.replace("lock, held", "")
    with Archive(altlas_home) as arch:
        assert len(arch.records(limit=None)) == 360
        report = arch.verify()
        assert report.ok, [p.message for p in report.problems]


@pytest.mark.slow
def test_a_held_lock_is_named_when_the_wait_times_out(altlas_home, write_results) -> None:
    """With a zero lock timeout, the error names the process that holds the lock."""
    files = write_results(3)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from altlas.index import Archive\n"
            "a = Archive(sys.argv[1])\n"
            "with a.lock.held('test holder'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(30)\n",
            str(altlas_home),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with (
            Archive(altlas_home, lock_timeout=0.3) as arch,
            pytest.raises(ArchiveError) as info,
        ):
            arch.add(files)
        message = str(info.value)
        assert f"pid {holder.pid}" in message and "test holder" in message
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    with Archive(altlas_home, lock_timeout=5) as arch:
        assert arch.add(files).added == 3


def test_add_result_remembers_the_file_the_run_wrote(archive, mkresult, tmp_path) -> None:
    """``altlas run -o x.last.zst --archive``: the zstd bytes are kept; the file is the source."""
    result = mkresult("last_written", ["completed"])
    path = io.write(result, tmp_path / "x.last.zst")
    outcome = archive.add_result(result, raw=path.read_bytes(), name=str(path))
    record = archive.record(outcome.id or "")
    assert record.container == "zstd" and record.source == str(path.resolve())
    assert archive.show(record.id) == path.read_bytes()


def test_a_same_result_skip_leaves_no_orphan_blob(archive, write_results, tmp_path) -> None:
    """Staging stores every new original; one the writer gives no row (the same result from
    other bytes) is deleted again, so verify finds nothing to adopt."""
    files = write_results(12)
    other = tmp_path / "other"
    other.mkdir()
    for path in files[:4]:
        (other / (path.name + ".gz")).write_bytes(gzip.compress(path.read_bytes()))
    archive.add(files, batch_size=4)
    report = archive.add([other], batch_size=2)
    assert report.same_result == 4 and report.added == 0
    assert len(list(archive.blobs.iter_shas())) == 12
    assert archive.verify().ok


def test_rids_are_never_reused_after_the_newest_rows_are_pruned(archive, write_results) -> None:
    """Rows of a batch get their rids up front; AUTOINCREMENT's promise still holds."""
    archive.add(write_results(5), batch_size=2)
    before = [r["rid"] for r in archive.store.query("SELECT rid FROM results ORDER BY rid")]
    assert before == [1, 2, 3, 4, 5]
    assert archive.prune("1d").pruned == 5
    archive.add(write_results(3, seed=9, sub="again"), batch_size=2)
    after = [r["rid"] for r in archive.store.query("SELECT rid FROM results ORDER BY rid")]
    assert after == [6, 7, 8]
    assert archive.search("*", limit=10).total == 3 and archive.verify().ok


def test_two_workers_give_the_same_archive(altlas_home, write_results, monkeypatch) -> None:
    monkeypatch.setenv("ALTLAS_ARCHIVE__WORKERS", "2")
    files = write_results(30)
    with Archive(altlas_home, batch_size=4) as arch:
        report = arch.add(files)
        assert report.added == 30 and report.failed == 0
        assert [o.path for o in report.outcomes] == [str(p) for p in files]
        assert arch.search("*", limit=1).total == 30
        for outcome in report.outcomes[::7]:
            assert arch.show(outcome.id) == Path(outcome.path).read_bytes()
        assert arch.verify().ok
    # The workers' writes were folded into blobs.db, not left in a WAL no one checkpoints.
    wal = altlas_home / "blobs" / "blobs.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


@pytest.mark.parametrize("threads", [1, 2])
def test_every_blob_of_a_large_add_uses_the_dictionary_trained_during_it(
    altlas_home, write_results, monkeypatch, threads
) -> None:
    """From a one-thread process the workers are forked; with another thread running they are
    spawned, and the first batch is staged in-process. Either way the adding process trains
    the dictionary on the first batch while the workers parse, and every blob uses it."""
    import threading

    from altlas.index import stager

    monkeypatch.setenv("ALTLAS_ARCHIVE__AUTO_DICTIONARY_AFTER", "40")
    files = write_results(100)
    forked: list[bool] = []
    start_pool = stager._start_pool

    def recording(workers: int, *rest: object) -> tuple[object, bool]:
        pool, fork = start_pool(workers, *rest)
        forked.append(fork)
        return pool, fork

    monkeypatch.setattr(stager, "_start_pool", recording)
    done = threading.Event()
    others = [threading.Thread(target=done.wait) for _ in range(threads - 1)]
    for thread in others:
        thread.start()
    try:
        with Archive(altlas_home, batch_size=25) as arch:
            assert arch.add(files).added == 100
    finally:
        done.set()
        for thread in others:
            thread.join()
    assert forked == [threads == 1]
    with Archive(altlas_home) as arch:
        arch.open()
        rows = arch.store.query("SELECT dict_id, count(*) AS n FROM results GROUP BY dict_id")
        assert [(r["dict_id"], r["n"]) for r in rows] == [(arch.blobs.current_dict_id, 100)]
        assert arch.blobs.current_dict_id != 0
        for path in files[:25:6]:
            assert arch.show(path.stem) == path.read_bytes()
        assert arch.verify().ok
