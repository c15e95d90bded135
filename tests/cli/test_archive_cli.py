"""``altlas archive ...`` through the real Typer app (and a real process where it matters)."""

from __future__ import annotations

import csv
import io as stdio
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from altlas.formats import io
from altlas.index.synthetic import synthetic_result


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    folder = tmp_path / "runs"
    for i in range(12):
        result = synthetic_result(i, seed=5)
        io.write(result, folder / ("sub" if i % 2 else "") / f"{result.id}.last")
    return folder


def test_add_search_show_list(cli, runs: Path) -> None:
    added = cli("archive", "add", str(runs))
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip().endswith("added 12, already archived 0, failed 0")
    again = cli("archive", "add", str(runs))
    assert "added 0, already archived 12" in again.stdout
    found = cli("archive", "search", "*", "--sort", "time", "-n", "3", "-f", "json")
    hits = orjson.loads(found.stdout)
    assert len(hits) == 3 and hits[0]["started_at"] > hits[1]["started_at"]
    original = next(runs.rglob(f"{hits[0]['result_id']}.last"))
    shown = cli("archive", "show", hits[0]["id"], "--raw")
    assert shown.stdout_bytes == original.read_bytes()
    as_json = cli("archive", "show", hits[0]["result_id"], "-f", "json")
    assert orjson.loads(as_json.stdout)["id"] == hits[0]["result_id"]
    tree = cli("archive", "show", hits[0]["id"])
    assert hits[0]["result_id"] in tree.stdout
    listed = cli("archive", "list", "-f", "csv", "-n", "0")
    rows = list(csv.DictReader(stdio.StringIO(listed.stdout)))
    assert len(rows) == 12 and {"id", "status", "success_rate"} <= set(rows[0])
    lines = cli("archive", "list", "-f", "jsonl", "--lang", "tr").stdout.splitlines()
    assert all(orjson.loads(line)["result_id"] for line in lines)


def test_search_table_and_filters(cli, runs: Path) -> None:
    cli("archive", "add", str(runs))
    table = cli("archive", "search", "report", "--min-success", "0.5")
    assert table.exit_code == 0 and "hits" in table.stdout
    none = cli("archive", "search", "report", "--status", "failure", "--tag", "nope", "-f", "json")
    assert orjson.loads(none.stdout) == []
    bad = cli("archive", "search", "x", "--status", "excellent")
    assert bad.exit_code == 2 and "error: --status: unknown status 'excellent'" in bad.stderr
    late = cli("archive", "list", "--until", "someday")
    assert late.exit_code == 2 and "error: --until: invalid time 'someday'" in late.stderr
    lenient = cli("archive", "search", "report AND (", "-f", "json")
    assert lenient.exit_code == 0 and "note: query syntax problem" in lenient.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("archive", "search", "x"),
        ("archive", "list"),
        ("archive", "stats"),
        ("archive", "export", "out"),
        ("archive", "prune", "--older-than", "1d"),
        ("atlas", "build"),
    ],
)
def test_every_filtering_command_takes_every_filter(cli, command: tuple[str, ...]) -> None:
    """The options come from the Filters model: one declaration, the same set everywhere."""
    from altlas.index.filters import filter_params

    shown = cli(*command, "--help")
    assert shown.exit_code == 0, shown.stderr
    for param in filter_params():
        assert param.option in shown.stdout, (command, param.option)


def test_the_same_filters_narrow_list_stats_and_export(cli, runs: Path, tmp_path: Path) -> None:
    cli("archive", "add", str(runs))
    narrow = ("--lang", "tr", "--min-success", "0.1")
    listed = orjson.loads(cli("archive", "list", *narrow, "-n", "0", "-f", "json").stdout)
    assert listed and all(r["language"] == "tr" and r["success_rate"] >= 0.1 for r in listed)
    found = orjson.loads(cli("archive", "search", "*", *narrow, "-n", "50", "-f", "json").stdout)
    assert {h["id"] for h in found} == {r["id"] for r in listed}
    stats = orjson.loads(cli("archive", "stats", *narrow, "-f", "json").stdout)
    assert stats["results"] == len(listed)
    out = cli("archive", "export", str(tmp_path / "some"), *narrow)
    assert f"exported {len(listed)} original(s)" in out.stdout, out.stderr


def test_bad_files_one_line_each_and_exit_1(cli, runs: Path, tmp_path: Path) -> None:
    (runs / "broken.last").write_bytes(b"{ not json")
    (runs / "sub" / "other.last").write_bytes(b"format: nothing\n")
    result = cli("archive", "add", str(runs), str(tmp_path / "missing.last"))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("broken.last" in e for e in errors) and any("missing.last" in e for e in errors)
    assert "added 12" in result.stdout


def test_stats_formats(cli, runs: Path) -> None:
    cli("archive", "add", str(runs))
    data = orjson.loads(cli("archive", "stats", "-f", "json").stdout)
    assert data["results"] == 12 and "task_type" in data["success_by"]
    table = cli("archive", "stats")
    assert "success rate by task_type" in table.stdout and "durations (ms)" in table.stdout
    rows = list(csv.DictReader(stdio.StringIO(cli("archive", "stats", "-f", "csv").stdout)))
    assert {r["dimension"] for r in rows} >= {"task_type", "handler", "mode", "day"}


def test_export_prune_import(cli, runs: Path, tmp_path: Path) -> None:
    cli("archive", "add", str(runs))
    out = cli("archive", "export", str(tmp_path / "exported"))
    assert out.exit_code == 0 and "exported 12" in out.stdout
    assert len(list((tmp_path / "exported").iterdir())) == 12
    dry = cli("archive", "prune", "--older-than", "30d", "--dry-run")
    assert "would prune 12" in dry.stdout
    bundle = tmp_path / "old.tar.zst"
    pruned = cli("archive", "prune", "--older-than", "30d", "--archive-to", str(bundle))
    assert pruned.exit_code == 0 and "pruned 12" in pruned.stdout and bundle.exists()
    assert orjson.loads(cli("archive", "list", "-f", "json").stdout) == []
    back = cli("archive", "import-bundle", str(bundle))
    assert back.exit_code == 0 and "added 12" in back.stdout
    assert len(orjson.loads(cli("archive", "list", "-f", "json").stdout)) == 12


def test_verify_damage_and_repair(cli, runs: Path, altlas_home: Path) -> None:
    cli("archive", "add", str(runs))
    ok = cli("archive", "verify")
    assert ok.exit_code == 0 and ": ok" in ok.stdout
    import sqlite3

    pack = sqlite3.connect(altlas_home / "blobs" / "blobs.db")  # damage from outside
    with pack:
        pack.execute(
            "UPDATE blobs SET frame = substr(frame, 1, length(frame) - 8) || "
            "CAST('garbage!' AS BLOB) WHERE rowid = (SELECT min(rowid) FROM blobs)"
        )
    pack.close()
    bad = cli("archive", "verify")
    assert bad.exit_code == 1 and "damaged_blob" in bad.stderr and "try --repair" in bad.stdout
    fixed = cli("archive", "verify", "--repair")
    assert fixed.exit_code == 0 and "restored from" in fixed.stdout
    report = orjson.loads(cli("archive", "verify", "-f", "json").stdout)
    assert report["ok"] and report["lost"] == 0


def test_deleted_index_and_reindex(cli, runs: Path, altlas_home: Path) -> None:
    import shutil

    cli("archive", "add", str(runs))
    shutil.rmtree(altlas_home / "index")
    broken = cli("archive", "search", "report")
    assert broken.exit_code == 74  # CorruptError: the index is gone
    assert broken.stderr.startswith("error: ") and "altlas archive reindex" in broken.stderr
    assert "Traceback" not in broken.stderr
    rebuilt = cli("archive", "reindex")
    assert rebuilt.exit_code == 0 and "re-indexed 12" in rebuilt.stdout
    assert cli("archive", "search", "report").exit_code == 0


def test_truncated_database_message_and_way_back(cli, runs: Path, altlas_home: Path) -> None:
    cli("archive", "add", str(runs))
    from altlas.index import Archive

    with Archive(altlas_home) as arch:
        arch.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = altlas_home / "altlas.db"
    with db.open("r+b") as fh:
        fh.truncate(db.stat().st_size // 3)
    broken = cli("archive", "list")
    assert broken.exit_code == 74  # CorruptError
    assert "truncated" in broken.stderr and "verify --repair" in broken.stderr
    repaired = cli("archive", "verify", "--repair")
    assert repaired.exit_code == 0, repaired.stderr
    assert len(orjson.loads(cli("archive", "list", "-f", "json").stdout)) == 12


def test_optimize(cli, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for i in range(30):
        io.write(synthetic_result(i, seed=9), folder / f"r{i}.last")
    cli("archive", "add", str(folder))
    out = cli("archive", "optimize", "--recompress")
    assert out.exit_code == 0 and "recompressed 30" in out.stdout
    assert cli("archive", "verify").exit_code == 0


@pytest.mark.slow
def test_show_raw_in_a_real_process_is_byte_exact(runs: Path, altlas_home: Path) -> None:
    """Through a real pipe: the original bytes, not re-encoded, not newline-translated."""
    env = {**os.environ, "ALTLAS_HOME": str(altlas_home)}
    odd = runs / "odd.last"
    odd.write_bytes(io.to_bytes(synthetic_result(99, seed=5)).replace(b"\n", b"\r\n"))
    cmd = [sys.executable, "-m", "altlas.cli.main", "archive"]
    subprocess.run([*cmd, "add", str(odd)], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [*cmd, "show", "last_050000000099", "--raw"], env=env, check=True, capture_output=True
    )
    assert out.stdout == odd.read_bytes()


def test_building_the_options_does_not_load_the_filter_model() -> None:
    """Typer builds every option on every start: the spec is enough, the model stays out."""
    code = (
        "import sys\nfrom altlas.cli.main import app\n"
        "try:\n    app(['archive', 'search', '--help'], prog_name='altlas')\n"
        "except SystemExit:\n    pass\n"
        "print('altlas.index.filters' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--task-type" in out.stdout
    assert out.stdout.splitlines()[-1] == "False"
