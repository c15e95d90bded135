"""``altlas segment`` through the real Typer app: single, batch and evaluate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from altlas.formats import io
from altlas.formats.validation import plan_rule_diagnostics

SHARED = Path(__file__).resolve().parents[3] / "shared"
DEV = SHARED / "data" / "segmentation" / "dev.jsonl"
SCORER = SHARED / "tools" / "score_segmentation.py"
NOW = "2025-01-06T09:00:00Z"


def test_single_command_as_json(cli: Any) -> None:
    """--format json prints the canonical plan."""
    result = cli(
        "segment",
        "Find flights to Rome, then book the cheapest one",
        "--format",
        "json",
        "--now",
        NOW,
    )
    assert result.exit_code == 0, result.stderr
    plan = orjson.loads(result.stdout)
    assert plan["format"] == "altlas.alt"
    assert [t["type"] for t in plan["tasks"]] == ["search", "schedule"]
    assert plan["tasks"][1]["dependencies"] == ["t1"]
    assert plan["created_at"] == "2025-01-06T09:00:00Z"


def test_single_command_as_yaml_and_text(cli: Any) -> None:
    """YAML and the (uncoloured, off a terminal) tree also work."""
    yaml_out = cli("segment", "Raporu aç ve özetle", "-f", "yaml")
    assert yaml_out.exit_code == 0
    assert "format: altlas.alt" in yaml_out.stdout
    text = cli("segment", "Raporu aç ve özetle")
    assert text.exit_code == 0
    assert "t2 summarize" in text.stdout
    assert "\x1b[" not in text.stdout


def test_options_reach_the_plan(cli: Any) -> None:
    """--mode, --chaos-level, --persona, --lang and --seed are applied."""
    args = ["segment", "Open the report and print it", "-f", "json", "--seed", "5"]
    result = cli(
        *args, "--mode", "chaos", "--chaos-level", "7", "--persona", "researcher", "--lang", "en"
    )
    plan = orjson.loads(result.stdout)
    assert (plan["mode"], plan["chaos_level"], plan["persona"], plan["language"]) == (
        "chaos",
        7,
        "researcher",
        "en",
    )
    again = orjson.loads(
        cli(*args, "--mode", "chaos", "--chaos-level", "7", "--persona", "researcher").stdout
    )
    assert again["tasks"] == plan["tasks"]


def test_output_file(cli: Any, tmp_path: Path) -> None:
    """-o writes a plan file that reads back and validates."""
    target = tmp_path / "plan.alt"
    result = cli("segment", "Dosyayı indir ve Ali'ye gönder", "-o", str(target))
    assert result.exit_code == 0
    assert f"wrote {target}" in result.stderr
    plan = io.load_plan(target)
    assert [t.type for t in plan.tasks] == ["execute", "execute"]
    assert plan_rule_diagnostics(plan) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exactly one of"),
        (["Open it", "--input", "x.txt"], "exactly one of"),
        (["Open it", "--predictions", "p.jsonl"], "--predictions needs --evaluate"),
        (["Open it", "--persona", "pirate"], "unknown persona"),
        (["Open it", "--mode", "chaos", "--chaos-level", "11"], "chaos level"),
        (["Open it", "--now", "soon"], "ISO 8601"),
        (["   "], "empty"),
        (["--input", "/nonexistent/commands.txt"], "cannot read"),
        (["--evaluate", "/nonexistent/gold.jsonl"], "no such file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli: Any, args: list[str], message: str) -> None:
    """Every mistake is one 'error:' line on stderr and exit code 2 (bad input)."""
    result = cli("segment", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_batch_reports_bad_lines_and_keeps_going(cli: Any, tmp_path: Path) -> None:
    """Good lines become JSON plans; bad lines are reported with their numbers; exit 1."""
    source = tmp_path / "commands.txt"
    source.write_text(
        "Open the report and summarize it\n"
        '{"id": "tr-1", "command": "Raporu indirip özetle"}\n'
        "{not json\n"
        "\n"
        '{"id": "no-command"}\n'
        "Find hotels in Rome\n",
        encoding="utf-8",
    )
    out = tmp_path / "plans.jsonl"
    result = cli("segment", "--input", str(source), "--output", str(out))
    assert result.exit_code == 1
    assert f"error: {source}:3: invalid JSON" in result.stderr
    assert f"error: {source}:5:" in result.stderr
    assert "segmented 3 commands, 2 failed" in result.stderr
    plans = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [p["id"] for p in plans][1] == "tr-1"
    assert [len(p["tasks"]) for p in plans] == [2, 2, 1]


def test_batch_to_stdout_exits_0_when_all_lines_pass(cli: Any, tmp_path: Path) -> None:
    """Without --output the JSON Lines go to stdout; no progress bar off a terminal."""
    source = tmp_path / "c.jsonl"
    source.write_text(
        '{"id": "a", "command": "Open it"}\n{"id": "b", "command": "Aç"}\n', encoding="utf-8"
    )
    result = cli("segment", "--input", str(source))
    assert result.exit_code == 0
    assert [orjson.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "b"]
    assert "segmenting" not in result.stderr


def test_batch_reads_stdin(cli: Any) -> None:
    """--input - reads standard input."""
    result = cli("segment", "--input", "-", input="Open it\nClose it\n")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2


def test_evaluate_prints_the_scorers_table(cli: Any, tmp_path: Path) -> None:
    """--evaluate prints what the shared scorer prints for the written predictions."""
    if not DEV.is_file() or not SCORER.is_file():
        pytest.skip("shared data not available")
    preds = tmp_path / "pred.jsonl"
    result = cli("segment", "--evaluate", str(DEV), "--predictions", str(preds))
    assert result.exit_code == 0
    theirs = subprocess.run(
        [sys.executable, str(SCORER), str(DEV), str(preds)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert result.stdout == theirs
    as_json = orjson.loads(cli("segment", "--evaluate", str(DEV), "-f", "json").stdout)
    assert as_json["overall"]["n"] == 120


def test_startup_imports_no_heavy_library() -> None:
    """`altlas segment "x"` loads neither httpx nor any other heavy library."""
    code = (
        "import sys\nfrom altlas.cli.main import app\n"
        "try:\n    app(['segment', 'Open the report', '-f', 'json'], prog_name='altlas')\n"
        "except SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded = {m.split(".")[0] for m in done.stderr.split()}
    assert not loaded & {"httpx", "polars", "tantivy", "litestar", "zstandard", "uvicorn"}
