"""One --format set for read/show commands, one-line usage errors, unwrapped pipes (issue 11)."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
import yaml

from altlas.formats import io as fio
from altlas.index.synthetic import synthetic_result

LONG_TITLE = "A plan whose title is long enough to be folded over many lines at eighty columns"


@pytest.fixture
def a_run(cli, tmp_path, monkeypatch) -> str:
    """One finished run in the journal, with a long title; returns its id."""
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "plan.alt"
    plan.write_bytes(
        orjson.dumps(
            {
                "format": "altlas.alt",
                "id": "p",
                "title": LONG_TITLE,
                "tasks": [{"id": "a", "type": "echo"}],
            }
        )
    )
    res = cli("run", str(plan), "-q")
    assert res.exit_code == 0, res.output
    return str(orjson.loads(cli("runs", "list", "-f", "json").stdout)[0]["id"])


@pytest.fixture
def archived(cli, tmp_path) -> None:
    folder = tmp_path / "in"
    for i in range(3):
        result = synthetic_result(i, seed=3)
        fio.write(result, folder / f"{result.id}.last")
    assert cli("archive", "add", str(folder)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "choices"),
    [
        (["runs", "list"], "table, json, jsonl, csv, yaml"),
        (["archive", "list"], "table, json, jsonl, csv, yaml"),
        (["keys", "list"], "table, json, jsonl, csv, yaml"),
        (["config", "show"], "table, json, jsonl, csv, yaml"),
        (["paths"], "table, json, jsonl, csv, yaml"),
        (["inspect", "x.alt"], "table, json, yaml"),
        (["run", "x.alt"], "table, json, yaml"),
        (["validate", "x.alt"], "table, json"),
    ],
)
def test_a_bad_format_is_one_usage_line(cli, args, choices) -> None:
    res = cli(*args, "--format", "xml")
    assert res.exit_code == 2
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ") and "--format" in lines[0]
    assert f"'xml' is not one of {choices}" in lines[0]
    assert "Value error" not in res.stderr and "Usage:" not in res.stderr


def test_other_usage_errors_are_one_line_too(cli) -> None:
    res = cli("runs", "list", "--bogus")
    assert res.exit_code == 2
    (line,) = res.stderr.splitlines()
    assert line.startswith("error: No such option: --bogus (see '") and "runs list --help'" in line


def test_text_is_still_accepted_for_the_human_rendering(cli, a_run) -> None:
    assert cli("runs", "show", a_run, "-f", "text").exit_code == 0


def _parsed(fmt: str, text: str) -> list[dict]:
    if fmt == "json":
        return list(orjson.loads(text))
    if fmt == "jsonl":
        return [orjson.loads(line) for line in text.splitlines()]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return list(yaml.safe_load(text))


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "yaml"])
def test_every_list_command_speaks_every_row_format(cli, a_run, archived, fmt) -> None:
    for args, key in (
        (["runs", "list"], "id"),
        (["archive", "list"], "result_id"),
        (["paths"], "path"),
        (["config", "show"], "key"),
        (["archive", "search", "*"], "result_id"),
    ):
        res = cli(*args, "--format", fmt)
        assert res.exit_code == 0, (args, res.stderr)
        rows = _parsed(fmt, res.stdout)
        assert rows and all(key in row for row in rows), (args, fmt)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_show_commands_speak_json_and_yaml(cli, a_run, archived, fmt) -> None:
    load = orjson.loads if fmt == "json" else yaml.safe_load
    shown = load(cli("runs", "show", a_run, "-f", fmt).stdout)
    assert shown["id"] == a_run
    first = orjson.loads(cli("archive", "list", "-f", "json").stdout)[0]
    assert load(cli("archive", "show", first["id"], "-f", fmt).stdout)["id"] == first["result_id"]


def test_tables_are_not_folded_into_a_pipe(cli, a_run, monkeypatch) -> None:
    """CliRunner's stdout is not a terminal: each row stays on one line, whatever its width."""
    monkeypatch.delenv("COLUMNS", raising=False)
    res = cli("runs", "list")
    assert res.exit_code == 0
    row = next(line for line in res.stdout.splitlines() if a_run in line)
    assert LONG_TITLE in row and "success" in row
    assert len(row) > 120
    title_lines = [line for line in res.stdout.splitlines() if line.strip() == "runs"]
    assert len(title_lines) == 1


def test_cells_with_markup_are_shown_as_written(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "p.alt"
    plan.write_bytes(
        orjson.dumps(
            {
                "format": "altlas.alt",
                "id": "p",
                "title": "[bold]x[/]",
                "tasks": [{"id": "a", "type": "echo"}],
            }
        )
    )
    assert cli("run", str(plan), "-q").exit_code == 0
    assert "[bold]x[/]" in cli("runs", "list").stdout
