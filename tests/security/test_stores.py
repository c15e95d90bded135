"""Issue 9, items 12, 18 and 19: repair never loses data; a damaged archive says so in one line.

Real archives on disk, real SQLite and tantivy; damage is done to the files themselves.
"""

from __future__ import annotations

import io as stdio
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from altlas.errors import ArchiveError
from altlas.formats import io
from altlas.index import Archive
from altlas.index.maintenance import rebuild_database
from altlas.index.synthetic import synthetic_result


def _write(folder: Path, n: int, *, seed: int = 3) -> list[Path]:
    out = []
    for i in range(n):
        result = synthetic_result(i, seed=seed)
        # Names that differ from the result id, in nested folders: both must come back.
        out.append(io.write(result, folder / f"batch{i % 3}" / f"run-{i:04d}-{result.id}.last"))
    return out


def _checkpointed(home: Path, files: list[Path]) -> None:
    with Archive(home) as arch:
        report = arch.add(files)
        assert report.added == len(files), report.outcomes
        arch.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _garble_middle(db: Path) -> None:
    """Garbage over pages in the middle of the file (the header stays intact)."""
    size = db.stat().st_size
    assert size > 16 * 4096
    with db.open("r+b") as fh:
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(os.urandom(4096 * 4))


def _garble_unread_pages(db: Path) -> None:
    """Garbage over the pages of indexes that list, search and stats never read.

    The damage the issue saw: queries that miss it answer normally, so only a check on open
    notices it.
    """
    con = sqlite3.connect(db)
    try:
        pages = [
            r[0]
            for r in con.execute(
                "SELECT pageno FROM dbstat WHERE name IN ('idx_results_result_id', 'task_types')"
            )
        ]
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find the pages")
    finally:
        con.close()
    with db.open("r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * page_size)
            fh.write(b"\xa5" * page_size)


# -- item 12 -----------------------------------------------------------------------------------


def test_repair_never_discards_a_database_that_passes_integrity_check(
    altlas_home: Path, tmp_path: Path
) -> None:
    files = _write(tmp_path / "in", 12)
    _checkpointed(altlas_home, files)
    with Archive(altlas_home) as arch:
        arch.open()
        problem = rebuild_database(arch, "the archive database cannot be opened (disk I/O error)")
    assert not problem.fixed and "integrity check" in problem.message
    assert not list(altlas_home.glob("altlas.db.damaged-*"))
    with Archive(altlas_home) as arch:
        assert len(arch.records(limit=None)) == 12


def test_a_rebuild_restores_every_name_and_source_path(altlas_home: Path, tmp_path: Path) -> None:
    files = _write(tmp_path / "in", 60)
    _checkpointed(altlas_home, files)
    with Archive(altlas_home) as arch:
        before = {(r.sha256, r.name, r.source, r.added_at) for r in arch.records(limit=None)}
    assert len(before) == 60
    for suffix in ("", "-wal", "-shm"):
        Path(f"{altlas_home / 'altlas.db'}{suffix}").unlink(missing_ok=True)
    with Archive(altlas_home) as arch:
        report = arch.verify(repair=True)
        assert report.ok, [p.message for p in report.problems if not p.fixed]
    with Archive(altlas_home) as arch:
        after = {(r.sha256, r.name, r.source, r.added_at) for r in arch.records(limit=None)}
        assert after == before  # 100% of names, source paths and added times
        assert arch.search("*", limit=100).total == 60


def test_a_damaged_database_is_rebuilt_in_one_repair(altlas_home: Path, tmp_path: Path) -> None:
    files = _write(tmp_path / "in", 40)
    _checkpointed(altlas_home, files)
    _garble_middle(altlas_home / "altlas.db")
    with Archive(altlas_home) as arch:
        report = arch.verify(repair=True)
        assert report.ok, [p.message for p in report.problems if not p.fixed]
    with Archive(altlas_home) as arch:
        records = arch.records(limit=None)
        assert len(records) == 40
        assert {r.source for r in records} == {str(p.resolve()) for p in files}
    assert list(altlas_home.glob("altlas.db.damaged-*"))


# -- item 18 -----------------------------------------------------------------------------------


def test_corrupt_database_fails_list_search_stats_with_one_line(
    cli, altlas_home: Path, tmp_path: Path
) -> None:
    files = _write(tmp_path / "in", 40)
    _checkpointed(altlas_home, files)
    _garble_unread_pages(altlas_home / "altlas.db")
    for args in (("list",), ("search", "*"), ("stats",), ("show", files[0].stem[9:])):
        res = cli("archive", *args)
        assert res.exit_code == 74, (args, res.stdout)  # CorruptError
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, res.stderr)
        assert "altlas.db" in lines[0] and "verify --repair" in lines[0]
    res = cli("archive", "verify")
    assert res.exit_code == 1
    problems = [line for line in res.stdout.splitlines() + res.stderr.splitlines() if line]
    assert len(problems) <= 2, problems  # the problem, and the summary line
    assert all(len(line) < 400 for line in problems)
    assert not any(line.startswith(("***", "Tree ", "Page ", "row ")) for line in problems)


def test_library_refuses_a_corrupt_database_on_open(altlas_home: Path, tmp_path: Path) -> None:
    _checkpointed(altlas_home, _write(tmp_path / "in", 40))
    _garble_middle(altlas_home / "altlas.db")
    with Archive(altlas_home) as arch, pytest.raises(ArchiveError, match="failed its check"):
        arch.records()


# -- item 19 -----------------------------------------------------------------------------------


def test_a_zip_bundle_is_exported_as_a_zip(cli, tmp_path: Path) -> None:
    result = synthetic_result(1, seed=8)
    buf = stdio.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("last_exec.json", io.to_bytes(result))
        zf.writestr("artifacts/log.txt", "artifact")
    bundle = tmp_path / "run-bundle.zip"
    bundle.write_bytes(buf.getvalue())
    assert cli("archive", "add", str(bundle)).exit_code == 0
    out = tmp_path / "out"
    res = cli("archive", "export", str(out))
    assert res.exit_code == 0, res.stderr
    written = list(out.iterdir())
    assert [p.name for p in written] == ["run-bundle.zip"]
    assert written[0].read_bytes() == bundle.read_bytes()
    assert zipfile.is_zipfile(written[0])


def test_an_old_record_with_the_inner_name_exports_with_the_container_suffix(
    altlas_home: Path, tmp_path: Path
) -> None:
    result = synthetic_result(2, seed=8)
    buf = stdio.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("last_exec.json", io.to_bytes(result))
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(buf.getvalue())
    with Archive(altlas_home) as arch:
        arch.add([bundle])
        # What earlier versions recorded: the member's name.
        arch.store.conn.execute("UPDATE results SET name = 'last_exec.json'")
        arch.store.conn.commit()
        arch.export(tmp_path / "out")
    names = [p.name for p in (tmp_path / "out").iterdir()]
    assert names == ["last_exec.json.zip"]


def test_sidecar_lines_cut_short_are_skipped(altlas_home: Path, tmp_path: Path) -> None:
    files = _write(tmp_path / "in", 3)
    _checkpointed(altlas_home, files)
    sidecar = altlas_home / "blobs" / "names.jsonl"
    with sidecar.open("ab") as fh:
        fh.write(b'{"sha256": "ab')  # a crash in the middle of an append
    with Archive(altlas_home) as arch:
        assert len(arch.blobs.read_names()) == 3
    con = sqlite3.connect(altlas_home / "altlas.db")
    assert con.execute("SELECT count(*) FROM results").fetchone()[0] == 3
    con.close()
