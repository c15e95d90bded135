"""The SQLite journal: WAL, migrations, task states, lookups, and in-process resume."""

from __future__ import annotations

import sqlite3

import pytest

import altlas
from altlas.errors import ConflictError, CorruptError, RunNotFoundError
from altlas.formats.common import TaskStatus
from altlas.formats.result import RunStatus
from altlas.run import resume
from altlas.run.journal import MIGRATIONS, Journal


def test_journal_is_wal_with_recorded_migrations(altlas_home) -> None:
    """runs.db is in WAL mode and its schema version is recorded by sqlite-utils."""
    from sqlite_utils import Database

    with Journal.open(altlas_home) as journal:
        conn = journal.store.conn  # type: ignore[attr-defined]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        applied = [m.name for m in MIGRATIONS.applied(Database(conn))]
    assert mode == "wal"
    assert applied == ["m001_runs_tasks_cache"]
    with Journal.open(altlas_home) as journal:  # reopening applies nothing twice
        conn = journal.store.conn  # type: ignore[attr-defined]
        assert len(MIGRATIONS.applied(Database(conn))) == 1


def test_run_and_tasks_are_journaled(mkplan, workspace, altlas_home) -> None:
    """After a run, the journal holds the plan, options and every task's final state."""
    plan = mkplan({"id": "a", "parameters": {"message": "hi"}}, {"id": "b", "dependencies": ["a"]})
    result = altlas.run(plan, workspace=workspace, run_id="run_j1", concurrency=2)
    with Journal.open(altlas_home) as journal:
        record = journal.load_run("run_j1")
    assert record.status == "success"
    assert record.plan["tasks"][0]["id"] == "a"
    assert record.options["concurrency"] == 2
    assert record.options["workspace"] == str(workspace)
    assert record.counts == {"completed": 2}
    assert [t["status"] for t in record.tasks] == ["completed", "completed"]
    assert record.tasks[0]["output"] == result.task("a").output
    assert record.pid and record.host


def test_every_state_change_reaches_the_journal(mkplan, workspace, altlas_home) -> None:
    """While a task runs, the journal already says running (read from another connection)."""
    seen = {}

    def sink(event):
        if event.type.value == "task.started":
            conn = sqlite3.connect(altlas_home / "runs.db")
            seen[event.task_id] = conn.execute(
                "SELECT status FROM tasks WHERE task_id=?", (event.task_id,)
            ).fetchone()[0]
            conn.close()
        if event.type.value == "task.finished":
            conn = sqlite3.connect(altlas_home / "runs.db")
            seen[event.task_id + ":done"] = conn.execute(
                "SELECT status, output IS NOT NULL FROM tasks WHERE task_id=?", (event.task_id,)
            ).fetchone()
            conn.close()

    altlas.run(mkplan({"id": "a"}), workspace=workspace, events=sink)
    assert seen == {"a": "running", "a:done": ("completed", 1)}


def test_unknown_and_prefix_ids(mkplan, workspace, altlas_home) -> None:
    """Runs are found by a unique prefix; unknown and ambiguous ids are clear errors."""
    altlas.run(mkplan({"id": "a"}), workspace=workspace, run_id="run_abc1")
    altlas.run(mkplan({"id": "a"}), workspace=workspace, run_id="run_abc2")
    with Journal.open(altlas_home) as journal:
        assert journal.resolve_id("run_abc1") == "run_abc1"
        with pytest.raises(RunNotFoundError, match="ambiguous"):
            journal.resolve_id("run_abc")
        with pytest.raises(RunNotFoundError, match="no run 'nope'"):
            journal.resolve_id("nope")
        assert [r.id for r in journal.list_runs(limit=1)] == ["run_abc2"]
        assert journal.list_runs(status="failure") == []


def test_journal_off_leaves_no_database(mkplan, workspace, altlas_home) -> None:
    """journal=False runs without touching runs.db."""
    altlas.run(mkplan({"id": "a"}), workspace=workspace, journal=False)
    assert not (altlas_home / "runs.db").exists()


def test_corrupt_journal_is_a_clear_error(mkplan, workspace, altlas_home) -> None:
    """A damaged runs.db names the file."""
    (altlas_home / "runs.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorruptError, match=r"the run journal is damaged.*runs verify --repair"):
        altlas.run(mkplan({"id": "a"}), workspace=workspace)


def test_resume_reruns_only_unfinished_tasks(
    mkplan, registry, probe, workspace, altlas_home
) -> None:
    """A failed run resumed after the cause is fixed keeps completed work and reruns the rest."""
    probe.fail_first["b"] = 1
    plan = mkplan(
        {"id": "a", "type": "probe"},
        {"id": "b", "type": "probe", "dependencies": ["a"]},
        {"id": "c", "type": "probe", "dependencies": ["b"]},
    )
    first = altlas.run(plan, registry=registry, workspace=workspace, run_id="run_r1")
    assert [t.status.value for t in first.tasks] == ["completed", "failed", "skipped"]
    second = resume("run_r1", registry=registry)
    assert second.status is RunStatus.SUCCESS
    assert probe.calls == {"a": 1, "b": 2, "c": 1}
    assert second.id == first.id
    assert second.task("a").started_at == first.task("a").started_at
    with Journal.open(altlas_home) as journal:
        record = journal.load_run("run_r1")
    assert record.resumes == 1
    assert record.status == "success"


def test_resume_of_a_live_run_is_refused(mkplan, workspace, altlas_home) -> None:
    """A run whose recorded process is alive (another pid, same host) is not resumed twice."""
    import subprocess
    import sys

    altlas.run(mkplan({"id": "a"}), workspace=workspace, run_id="run_live")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with Journal.open(altlas_home) as journal:
            journal.update_run("run_live", status="running", pid=child.pid)
        with pytest.raises(ConflictError, match="still running"):
            resume("run_live")
        result = resume("run_live", force=True)
        assert result.status is RunStatus.SUCCESS
    finally:
        child.kill()
        child.wait()


def test_resume_unknown_run(altlas_home) -> None:
    """Resuming an id the journal does not know is a RunNotFoundError."""
    with pytest.raises(RunNotFoundError):
        resume("run_missing")


def test_completed_task_state_is_restored_exactly(mkplan, workspace) -> None:
    """Resuming a finished run changes nothing but the end time."""
    plan = mkplan({"id": "a", "parameters": {"message": "x", "n": [1, 2.5, None]}})
    first = altlas.run(plan, workspace=workspace, run_id="run_same")
    again = resume("run_same")
    assert again.task("a").model_dump() == first.task("a").model_dump()
    assert again.task("a").status is TaskStatus.COMPLETED


def test_resume_resets_unfinished_tasks_to_pending_first(
    mkplan, registry, probe, workspace, altlas_home
) -> None:
    """When a resume starts, the tasks it will rerun are pending again in the journal."""
    probe.fail_first["b"] = 1
    plan = mkplan({"id": "a", "type": "probe"}, {"id": "b", "type": "probe", "dependencies": ["a"]})
    altlas.run(plan, registry=registry, workspace=workspace, run_id="run_reset")
    seen = {}

    def sink(event):
        if event.type.value == "run.started":
            conn = sqlite3.connect(altlas_home / "runs.db")
            seen.update(conn.execute("SELECT task_id, status FROM tasks WHERE run_id='run_reset'"))
            conn.close()

    resume("run_reset", registry=registry, events=sink)
    assert seen == {"a": "completed", "b": "pending"}


@pytest.mark.slow
def test_fresh_journal_opened_by_two_processes_at_once(altlas_home) -> None:  # type: ignore[no-untyped-def]
    """Concurrent first opens of a new journal both succeed (no 'database is locked')."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from altlas.run.journal import Journal\n"
        "with Journal.open(sys.argv[1]) as j:\n    pass\n"
        "print('ok')\n"
    )
    # The race needs several processes reaching the first migration together (8 x 4 made it
    # fail about one open in five before the set-up lock existed).
    for attempt in range(4):
        home = altlas_home / f"fresh{attempt}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(home)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=os.environ.copy(),
            )
            for _ in range(8)
        ]
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0] * 8, [o[1] for o in outs]


def test_plan_mapping_that_json_cannot_hold_is_a_format_error() -> None:
    """A 65-bit integer in a plan mapping is a clear FormatError, not a TypeError."""
    import pytest

    from altlas.errors import FormatError
    from altlas.run.api import plan_of

    plan = {"format": "altlas.alt", "format_version": 1, "metadata": {"n": 2**70}}
    with pytest.raises(FormatError, match="cannot be serialised as JSON"):
        plan_of(plan)


# -- issue 9 item 17: a damaged journal is found on open and repaired without writing into it --


def _fill_journal(home, runs: int = 120) -> None:
    """A journal of many pages (each run carries a 2 KB plan), checkpointed into runs.db."""
    import orjson

    plan = orjson.dumps({"format": "altlas.alt", "id": "p", "tasks": [], "pad": "x" * 2000})
    with Journal.open(home) as journal:
        for n in range(runs):
            journal.create_run(
                run_id=f"run_{n:04d}",
                plan=plan,
                plan_id="p",
                title=f"run {n}",
                task_ids=["a", "b"],
                options={},
            )
        journal.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]


def _garble_middle(db) -> bytes:
    size = db.stat().st_size
    assert size > 40 * 4096
    with db.open("r+b") as fh:
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(b"\xa5" * 4096 * 3)
    return db.read_bytes()


def test_a_damaged_journal_is_refused_on_open_and_never_written(
    cli, altlas_home, tmp_path, monkeypatch
) -> None:
    _fill_journal(altlas_home)
    db = altlas_home / "runs.db"
    damaged = _garble_middle(db)
    plan = tmp_path / "p.alt"
    plan.write_bytes(b'{"format": "altlas.alt", "id": "p", "tasks": [{"id": "a", "type": "echo"}]}')
    monkeypatch.chdir(tmp_path)
    for args in (
        ("runs", "show", "run_0060"),
        ("runs", "list"),
        ("runs", "resume", "run_0060"),
        ("run", str(plan), "-q"),
    ):
        res = cli(*args)
        assert res.exit_code == 74, (args, res.stdout)  # CorruptError: repair or restore
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, res.stderr)
        assert "runs.db" in lines[0] and "runs verify --repair" in lines[0], lines[0]
    assert db.read_bytes() == damaged  # nothing was written into the damaged file


def test_runs_verify_and_repair_keep_what_can_be_read(cli, altlas_home) -> None:
    _fill_journal(altlas_home)
    _garble_middle(altlas_home / "runs.db")
    res = cli("runs", "verify")
    assert res.exit_code == 1
    assert len(res.stderr.strip().splitlines()) == 1 and "damaged" in res.stderr
    fixed = cli("runs", "verify", "--repair")
    assert fixed.exit_code == 0, fixed.stderr
    assert "kept" in fixed.stdout
    assert list(altlas_home.glob("runs.db.damaged-*"))
    with Journal.open(altlas_home) as journal:
        kept = journal.list_runs(limit=1000)
    assert 60 <= len(kept) < 120  # most pages were readable; the damaged ones are gone
    assert cli("runs", "verify").exit_code == 0
    assert cli("runs", "list").exit_code == 0


def test_runs_verify_on_a_sound_journal(cli, altlas_home) -> None:
    _fill_journal(altlas_home, runs=3)
    res = cli("runs", "verify")
    assert res.exit_code == 0 and "ok (3 runs)" in res.stdout
