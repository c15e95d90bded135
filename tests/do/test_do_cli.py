"""``altlas do`` on the command line: plan on stderr, answer on stdout, exit code, result file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from altlas.cli.main import app


def test_answer_exit_code_and_result(ws: Path, tmp_path: Path) -> None:
    result = tmp_path / "r.json"
    run = CliRunner().invoke(
        app,
        ["do", "server.log dosyasında kaç satır var?", "-w", str(ws), "-o", str(result), "--yes"],
    )
    assert run.exit_code == 0, run.output
    assert "7 lines" in run.stdout
    assert "text.count_lines" in run.stderr  # the plan, one line per task
    assert json.loads(result.read_text())["answer"].startswith("server.log has 7 lines")


def test_refusal_exit_code(ws: Path) -> None:
    run = CliRunner().invoke(
        app, ["do", "Email ideas.txt to boss@example.com", "-w", str(ws), "--yes"]
    )
    assert run.exit_code == 1
    assert "sending e-mail is not something altlas does" in run.stdout


def test_json_format(ws: Path) -> None:
    run = CliRunner().invoke(
        app, ["do", "List the .log files", "-w", str(ws), "-f", "json", "--yes"]
    )
    assert run.exit_code == 0
    data = json.loads(run.stdout)
    assert data["ok"] is True and "server.log" in data["answer"]


def test_missing_workspace_is_one_line(tmp_path: Path) -> None:
    run = CliRunner().invoke(app, ["do", "List the files", "-w", str(tmp_path / "nope")])
    assert run.exit_code != 0
    assert run.stderr.strip().startswith("error:") and len(run.stderr.strip().splitlines()) == 1
