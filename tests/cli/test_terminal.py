"""Behaviour that exists only on a terminal, checked in a real pty: progress with a count, a
rate and an ETA; phases that name themselves; markdown rendered (issue 11)."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from altlas.formats import io as fio
from altlas.index.synthetic import synthetic_result

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def run_in_pty(args: list[str], home: Path, *, timeout: float = 60.0) -> tuple[int, str]:
    """Run ``altlas ARGS`` with stdin, stdout and stderr on a pty; returns (exit code, output)."""
    master, slave = pty.openpty()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ALTLAS_")},
        "ALTLAS_HOME": str(home),
        "TERM": "xterm-256color",
        "COLUMNS": "160",
        "LINES": "40",
    }
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "altlas", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the pty
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    for i in range(60):
        result = synthetic_result(i, seed=11)
        fio.write(result, folder / f"{result.id}.last")
    return folder


def test_archive_add_shows_count_rate_and_eta_on_a_terminal(results, altlas_home) -> None:
    code, shown = run_in_pty(["archive", "add", str(results)], altlas_home)
    assert code == 0, shown
    assert "60/60" in shown
    assert "files/s" in shown and "eta" in shown
    assert "adding" in shown
    assert "added 60, already archived 0, failed 0" in shown


def test_archive_add_into_a_pipe_has_no_progress(cli, results) -> None:
    res = cli("archive", "add", str(results))
    assert res.exit_code == 0
    assert res.stderr == ""
    assert "files/s" not in res.stdout


def test_dictionary_training_never_stalls_the_progress(results, altlas_home, monkeypatch) -> None:
    """The dictionary training that used to sit silent between batches now runs in the staging
    worker (issue 12 item 7): the add keeps ticking once per file and only names real phases."""
    from altlas.index import Archive

    monkeypatch.setenv("ALTLAS_ARCHIVE__AUTO_DICTIONARY_AFTER", "20")
    phases: list[str] = []
    counts: list[int] = []
    with Archive(altlas_home) as archive:
        archive.add(
            [results], batch_size=25, progress=lambda d, t: counts.append(d), phase=phases.append
        )
        trained = archive.blobs.current_dict_id
    assert trained, "a dictionary was trained during the add"
    assert phases[0] == "finding files" and phases[-1] == "adding"
    assert set(phases) <= {"finding files", "adding", "training a compression dictionary"}
    assert counts == list(range(1, 61))  # one step per file, not per batch of 25


def test_work_progress_renders_its_phase_rate_and_eta() -> None:
    from altlas.run.progress import WorkProgress

    buf = io.StringIO()
    console = Console(file=buf, width=150, force_terminal=True, color_system=None)
    bar = WorkProgress("adding", "files", total=200, console=console)
    bar.update(50, 200)
    bar.phase("training a compression dictionary")
    console.print(bar.bar.get_renderable())
    text = buf.getvalue()
    assert "adding: training a compression dictionary" in text
    assert "50/200" in text and "files/s" in text and "eta" in text


def test_run_progress_has_a_bar_with_rate(tmp_path) -> None:
    import altlas
    from altlas.run.progress import LiveProgress

    buf = io.StringIO()
    console = Console(file=buf, width=150, force_terminal=True, color_system=None)
    live = LiveProgress(console)
    plan = {"format": "altlas.alt", "id": "p", "tasks": [{"id": f"t{i}"} for i in range(3)]}
    with live:
        altlas.run(plan, workspace=tmp_path, events=live)
    text = buf.getvalue()
    assert "3/3" in text and "tasks/s" in text and "eta" in text


def test_segment_batch_progress_on_a_terminal(tmp_path, altlas_home) -> None:
    commands = tmp_path / "commands.txt"
    commands.write_text("\n".join(f"Find flights to Rome number {i}" for i in range(30)) + "\n")
    out = tmp_path / "plans.jsonl"
    code, shown = run_in_pty(
        ["segment", "--input", str(commands), "--output", str(out)], altlas_home
    )
    assert code == 0, shown
    assert "30/30" in shown and "lines/s" in shown
    assert len(out.read_text().splitlines()) == 30


def test_markdown_is_rendered_on_a_terminal(tmp_path, altlas_home) -> None:
    result = synthetic_result(1, seed=1)
    task = result.tasks[0].model_copy(
        update={"output": {"text": "# Quarterly Report\n\nSales **grew**."}}
    )
    result = result.model_copy(update={"tasks": [task, *result.tasks[1:]]})
    path = fio.write(result, tmp_path / "r.last")
    code, shown = run_in_pty(["inspect", str(path), "--full"], altlas_home)
    assert code == 0, shown
    assert "Quarterly Report" in shown
    assert "# Quarterly Report" not in shown and "**grew**" not in shown


def test_atlas_build_shows_its_progress_on_a_terminal(results, altlas_home, tmp_path) -> None:
    from altlas.index import Archive

    with Archive(altlas_home) as archive:
        archive.add([results])
    code, shown = run_in_pty(["atlas", "build", "-o", str(tmp_path / "k.atlas")], altlas_home)
    assert code == 0, shown
    assert "60/60" in shown and "results/s" in shown
    assert "wrote " in shown and (tmp_path / "k.atlas").is_file()


def test_progress_goes_to_stderr_when_stdout_is_piped(results, altlas_home) -> None:
    """`altlas archive add DIR | cat` on a terminal: the bar on stderr, clean lines on stdout."""
    master, slave = pty.openpty()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ALTLAS_")},
        "ALTLAS_HOME": str(altlas_home),
        "TERM": "xterm-256color",
        "COLUMNS": "160",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "altlas", "archive", "add", str(results)],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 60
    try:
        # drain the pty while the program runs, so a full pty buffer never blocks it
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        stdout, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert proc.returncode == 0
    assert stdout.decode() == "added 60, already archived 0, failed 0\n"
    assert "files/s" in b"".join(chunks).decode("utf-8", "replace")
