"""`altlas run` and `altlas runs list|show|resume` through the real CLI app."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import orjson
import pytest

from altlas.formats.io import load_result


@pytest.fixture
def plan_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def make(*tasks, name="plan.alt"):
        path = tmp_path / name
        path.write_bytes(
            orjson.dumps(
                {"format": "altlas.alt", "id": "cli", "title": "CLI plan", "tasks": list(tasks)}
            )
        )
        return path

    return make


def _run_id(stdout: str) -> str:
    return next(
        line.split(": ", 1)[1] for line in stdout.splitlines() if line.startswith("run id: ")
    )


def test_run_writes_the_result_under_altlas_home(cli, plan_file, tmp_path, altlas_home) -> None:
    """Without -o the result is $ALTLAS_HOME/results/<run id>.last, never the cwd; it says where."""
    plan = plan_file(
        {"id": "a", "type": "echo"}, {"id": "b", "type": "echo", "dependencies": ["a"]}
    )
    res = cli("run", str(plan))
    assert res.exit_code == 0, res.stderr
    run_id = _run_id(res.stdout)
    written = altlas_home / "results" / f"{run_id}.last"
    assert written.exists()
    assert not (tmp_path / f"{run_id}.last").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["altlas-home", "plan.alt"]
    assert "CLI plan: success, 2/2 tasks completed" in res.stdout
    assert f"result: {written}" in res.stdout
    assert "  a: started (echo)" in res.stderr  # plain progress without a TTY


def test_run_output_report_and_quiet(cli, plan_file, tmp_path) -> None:
    plan = plan_file({"id": "a", "type": "echo"})
    res = cli("run", str(plan), "-o", "out/r.last.json", "--report", "out/r.html", "-q")
    assert res.exit_code == 0
    assert res.stderr == ""
    assert load_result(tmp_path / "out" / "r.last.json").status.value == "success"
    assert "<!doctype html>" in (tmp_path / "out" / "r.html").read_text()


def test_failed_tasks_give_exit_code_1(cli, plan_file) -> None:
    plan = plan_file({"id": "a", "type": "echo"}, {"id": "b", "type": "mystery"})
    res = cli("run", str(plan), "-q")
    assert res.exit_code == 1
    assert "partial_success, 1/2" in res.stdout


def test_dry_run_runs_nothing(cli, plan_file, tmp_path, altlas_home) -> None:
    """--dry-run lists order and handlers and leaves no result and no journal run."""
    plan = plan_file(
        {"id": "w", "type": "create", "parameters": {"path": "x.txt", "content": "x"}},
        {
            "id": "e",
            "type": "execute",
            "handler": "command",
            "dependencies": ["w"],
            "parameters": {"argv": ["ls"]},
        },
    )
    res = cli("run", str(plan), "--dry-run")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any("│ 1 " in ln and "w" in ln and "files" in ln for ln in lines)
    assert any("│ 2 " in ln and "command" in ln for ln in lines)
    assert "(refused:" in res.stdout
    assert not (tmp_path / "x.txt").exists()
    assert list(tmp_path.glob("*.last")) == []
    assert not (altlas_home / "runs.db").exists()


def test_dry_run_flags_tasks_without_a_handler(cli, plan_file) -> None:
    res = cli("run", str(plan_file({"id": "a", "type": "warp"})), "--dry-run")
    assert res.exit_code == 2
    assert "error: 1 task(s) have no suitable handler: a" in res.stderr


def test_only_and_from(cli, plan_file) -> None:
    plan = plan_file(
        {"id": "a", "type": "echo"},
        {"id": "b", "type": "echo", "dependencies": ["a"]},
        {"id": "c", "type": "echo", "dependencies": ["b"]},
    )
    res = cli("run", str(plan), "--only", "a,c", "-o", "o.last", "-q")
    assert [t.task_id for t in load_result("o.last").tasks] == ["a", "c"]
    res = cli("run", str(plan), "--from", "b", "-o", "f.last", "-q")
    assert res.exit_code == 0
    assert [t.task_id for t in load_result("f.last").tasks] == ["b", "c"]


def test_events_jsonl_on_stdout(cli, plan_file, tmp_path) -> None:
    """--events jsonl streams events on stdout; the summary moves to stderr."""
    plan = plan_file({"id": "a", "type": "echo"})
    res = cli("run", str(plan), "--events", "jsonl", "-q", "--events-file", "ev.jsonl")
    assert res.exit_code == 0
    events = [orjson.loads(line) for line in res.stdout.splitlines()]
    assert [e["type"] for e in events] == [
        "run.started",
        "task.started",
        "task.finished",
        "run.finished",
    ]
    assert "success" in res.stderr
    assert (tmp_path / "ev.jsonl").read_bytes().count(b"\n") == 4


def test_allow_exec_with_allowlist(cli, plan_file) -> None:
    plan = plan_file(
        {
            "id": "x",
            "type": "execute",
            "handler": "command",
            "parameters": {"argv": [sys.executable, "-c", "print(6*7)"]},
        }
    )
    refused = cli("run", str(plan), "-q", "-o", "a.last")
    assert refused.exit_code == 1
    assert "PermissionDenied" in load_result("a.last").task("x").error.type
    ok = cli("run", str(plan), "-q", "--allow-exec", "--allow", sys.executable, "-o", "b.last")
    assert ok.exit_code == 0
    assert load_result("b.last").task("x").output["stdout"].strip() == "42"


def test_bad_plan_is_one_clear_line(cli, plan_file, tmp_path) -> None:
    """An invalid plan names the file and problem, exits 2 (bad input) and writes nothing."""
    plan = plan_file({"id": "a", "type": "echo", "dependencies": ["ghost"]})
    res = cli("run", str(plan), "-o", "x.last")
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ")
    assert "ghost" in res.stderr and "plan.alt" in res.stderr
    assert not (tmp_path / "x.last").exists()
    missing = cli("run", "nope.alt")
    assert missing.exit_code == 2
    assert "nope.alt: no such file" in missing.stderr


def test_runs_list_show_and_formats(cli, plan_file) -> None:
    plan = plan_file({"id": "a", "type": "echo"}, {"id": "b", "type": "mystery"})
    run_id = _run_id(cli("run", str(plan), "-q").stdout)
    rows = orjson.loads(cli("runs", "list", "--format", "json").stdout)
    assert (
        rows[0]["id"] == run_id and rows[0]["status"] == "partial_success" and rows[0]["tasks"] == 2
    )
    table = list(csv.DictReader(io.StringIO(cli("runs", "list", "-f", "csv").stdout)))
    assert table[0]["id"] == run_id
    shown = cli("runs", "show", run_id[:12])
    assert shown.exit_code == 0
    assert f"id: {run_id}" in shown.stdout and "NoHandler" in shown.stdout
    data = orjson.loads(cli("runs", "show", run_id, "-f", "json").stdout)
    assert [t["status"] for t in data["task_results"]] == ["completed", "failed"]
    assert cli("runs", "list", "--status", "success", "-f", "json").stdout.strip() == "[]"


def test_runs_show_unknown_id(cli) -> None:
    res = cli("runs", "show", "run_nothing")
    assert res.exit_code == 3
    assert res.stderr.startswith("error: no run 'run_nothing'")


def test_runs_resume_finishes_a_failed_run(cli, plan_file, tmp_path) -> None:
    """Resume reruns what did not complete, into the same result file."""
    plan = plan_file(
        {"id": "r", "type": "open", "parameters": {"path": "later.txt"}},
        {"id": "s", "type": "summarize", "dependencies": ["r"]},
    )
    first = cli("run", str(plan), "-q", "-o", "res.last")
    assert first.exit_code == 1
    run_id = _run_id(first.stdout)
    (tmp_path / "later.txt").write_text("Now it exists.")
    again = cli("runs", "resume", run_id, "-q")
    assert again.exit_code == 0, again.stderr
    assert load_result("res.last").task("s").output["text"] == "Now it exists."


def test_run_archive_stores_the_result_as_written(cli, tmp_path: Path, altlas_home: Path) -> None:
    """`altlas run --archive` puts the written .last into the archive, byte for byte."""
    from altlas.formats import io
    from altlas.formats.plan import Plan
    from altlas.index import Archive

    plan = Plan(
        id="p-archive",
        command="echo hello",
        tasks=[{"id": "t1", "type": "echo", "parameters": {"message": "hello archive"}}],
    )
    plan_path = io.write(plan, tmp_path / "p.alt")
    out = tmp_path / "r.last"
    res = cli("run", str(plan_path), "-o", str(out), "--archive", "-q")
    assert res.exit_code == 0, res.stderr
    result = io.load_result(out)
    with Archive(altlas_home) as archive:
        found = archive.search("archive", limit=5)
        assert [h.result_id for h in found.hits] == [result.id]
        assert archive.show(found.hits[0].id, raw=True) == out.read_bytes()
