"""What a person sees after `altlas run`, `runs resume` and `inspect --full` (issue 11)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest

from altlas.formats.io import load_result

CSV = "region,revenue\nNorth,100.5\nSouth,250\nNorth,49.5\n"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "sales.csv").write_text(CSV)
    monkeypatch.chdir(ws)
    return ws


def _plan(path: Path, *tasks: dict) -> Path:
    path.write_bytes(
        orjson.dumps({"format": "altlas.alt", "id": "p", "title": "Sales", "tasks": list(tasks)})
    )
    return path


AGGREGATE = {
    "id": "t1",
    "type": "data",
    "handler": "data",
    "description": "revenue by region",
    "parameters": {
        "operation": "aggregate",
        "source": "sales.csv",
        "group_by": "region",
        "aggregations": {"revenue": "sum"},
    },
}
WRITE = {
    "id": "t2",
    "type": "files",
    "handler": "files",
    "description": "write a note",
    "parameters": {"operation": "write", "path": "out/note.txt", "content": "hello"},
}


def test_run_ends_with_the_answer_tables_as_tables(cli, workspace, tmp_path) -> None:
    plan = _plan(tmp_path / "p.alt", AGGREGATE, WRITE)
    res = cli("run", str(plan), "-q", "-w", str(workspace))
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    lines = out.splitlines()
    # the status lines first, then the answer: a table of the rows, then the file written
    assert lines[0].startswith("Sales: success, 2/2 tasks")
    assert out.index("result: ") < out.index("revenue by region") < out.index("Wrote out/note.txt")
    north = next(line for line in lines if "North" in line)
    south = next(line for line in lines if "South" in line)
    assert "150" in north and "250" in south
    assert "│" in north  # drawn as a table, not JSON
    assert '"rows"' not in out and "success, 2/2" not in lines[-1]


def test_run_format_json_prints_the_whole_result(cli, workspace, tmp_path) -> None:
    plan = _plan(tmp_path / "p.alt", AGGREGATE, WRITE)
    res = cli("run", str(plan), "-q", "-w", str(workspace), "-f", "json")
    assert res.exit_code == 0, res.stderr
    data = orjson.loads(res.stdout)
    assert data["format"] == "altlas.last" and [t["task_id"] for t in data["tasks"]] == ["t1", "t2"]
    rows = data["tasks"][0]["output"]["rows"]
    assert {r["region"]: r["revenue_sum"] for r in rows} == {"North": 150.0, "South": 250.0}
    assert "run id: " in res.stderr and "result: " in res.stderr


def test_events_and_a_document_format_cannot_share_stdout(cli, workspace, tmp_path) -> None:
    plan = _plan(tmp_path / "p.alt", WRITE)
    res = cli("run", str(plan), "--events", "jsonl", "-f", "json")
    assert res.exit_code == 2 and "--events-file" in res.stderr
    assert not (workspace / "out").exists()


def test_archive_says_what_it_archived(cli, workspace, tmp_path) -> None:
    plan = _plan(tmp_path / "p.alt", WRITE)
    res = cli("run", str(plan), "-q", "--archive")
    assert res.exit_code == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if x.startswith("archived: "))
    archive_id = line.split()[1]
    listed = orjson.loads(cli("archive", "list", "-f", "json").stdout)
    assert [r["id"] for r in listed] == [archive_id]
    assert f"altlas archive show {archive_id}" in line


def _journal_row(home: Path, run_id: str) -> tuple:
    conn = sqlite3.connect(home / "runs.db")
    try:
        return tuple(
            conn.execute(
                "SELECT status, duration_ms, finished_at, resumes FROM runs WHERE id=?", (run_id,)
            ).fetchone()
        )
    finally:
        conn.close()


def test_resume_leaves_a_finished_run_alone(cli, workspace, tmp_path, altlas_home) -> None:
    plan = _plan(tmp_path / "p.alt", WRITE)
    out = tmp_path / "r.last"
    assert cli("run", str(plan), "-q", "-o", str(out)).exit_code == 0
    run_id = orjson.loads(cli("runs", "list", "-f", "json").stdout)[0]["id"]
    before_bytes, before_stat = out.read_bytes(), out.stat()
    before_row = _journal_row(altlas_home, run_id)
    res = cli("runs", "resume", run_id, "-q")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith(f"run {run_id} is finished (success): nothing to resume")
    assert str(out) in res.stdout
    assert out.read_bytes() == before_bytes and out.stat().st_mtime_ns == before_stat.st_mtime_ns
    assert _journal_row(altlas_home, run_id) == before_row


def test_inspect_full_shows_outputs_whole_and_tables_as_tables(cli, workspace, tmp_path) -> None:
    long_note = "word " * 60 + "THE-END"
    plan = _plan(
        tmp_path / "p.alt",
        AGGREGATE,
        {"id": "t3", "type": "echo", "parameters": {"message": long_note}},
    )
    out = tmp_path / "r.last"
    assert cli("run", str(plan), "-q", "-o", str(out)).exit_code == 0
    cut = cli("inspect", str(out)).stdout
    assert "THE-END" not in cut  # the short view still cuts
    full = cli("inspect", str(out), "--full")
    assert full.exit_code == 0, full.stderr
    assert "THE-END" in full.stdout
    north = next(line for line in full.stdout.splitlines() if "North" in line)
    assert "│" in north and "150" in north
    assert "{'" not in full.stdout  # never a Python dict repr
    assert load_result(out).task("t3").output is not None


def test_inspect_full_keeps_markdown_source_in_a_pipe(cli, tmp_path) -> None:
    from altlas.formats import io
    from altlas.index.synthetic import synthetic_result

    result = synthetic_result(1, seed=1)
    task = result.tasks[0].model_copy(
        update={"output": {"text": "# Report\n\n| a | b |\n|---|---|"}}
    )
    result = result.model_copy(update={"tasks": [task, *result.tasks[1:]]})
    path = io.write(result, tmp_path / "r.last")
    shown = cli("inspect", str(path), "--full").stdout
    assert "# Report" in shown and "| a | b |" in shown


def test_archive_show_full_draws_rows_as_a_table(cli, workspace, tmp_path) -> None:
    plan = _plan(tmp_path / "p.alt", AGGREGATE)
    assert cli("run", str(plan), "-q", "--archive").exit_code == 0
    archive_id = orjson.loads(cli("archive", "list", "-f", "json").stdout)[0]["id"]
    shown = cli("archive", "show", archive_id, "--full")
    assert shown.exit_code == 0, shown.stderr
    north = next(line for line in shown.stdout.splitlines() if "North" in line)
    assert "│" in north and "150" in north


def test_inspect_full_shows_plan_parameters_whole(cli, tmp_path) -> None:
    text = "x" * 150 + "-TAIL"
    plan = _plan(tmp_path / "p.alt", {"id": "a", "type": "echo", "parameters": {"message": text}})
    assert "-TAIL" not in cli("inspect", str(plan)).stdout
    assert "-TAIL" in cli("inspect", str(plan), "--full").stdout


def test_inspect_short_view_is_never_a_python_repr(cli, workspace, tmp_path) -> None:
    plan = _plan(tmp_path / "p.alt", AGGREGATE, WRITE)
    out = tmp_path / "r.last"
    assert cli("run", str(plan), "-q", "-o", str(out), "-w", str(workspace)).exit_code == 0
    shown = cli("inspect", str(out)).stdout
    assert "2 rows × 2 columns (region, revenue_sum)" in shown
    assert "{'" not in shown and "'operation'" not in shown
