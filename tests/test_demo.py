"""`altlas demo` runs the whole pipeline offline and leaves every file where it says."""

from __future__ import annotations

from pathlib import Path

from altlas.demo import example_commands, run_demo
from altlas.formats import io


def test_demo_runs_end_to_end(tmp_path: Path, altlas_home: Path) -> None:
    """Every bundled command becomes a plan and a successful result; archive and atlas follow."""
    steps = []
    report = run_demo(tmp_path / "out", on_step=steps.append)
    commands = example_commands()
    assert report.results == len(commands)
    assert report.succeeded == len(commands)
    plans = sorted((tmp_path / "out" / "plans").glob("*.alt"))
    results = sorted((tmp_path / "out" / "results").glob("*.last"))
    assert len(plans) == len(results) == len(commands)
    assert {io.load_plan(p).language for p in plans} == {"en", "tr"}
    do_step = steps[0]
    assert do_step.title == "Do what a command says (altlas do)"
    assert report.refused == 1 and report.done >= 4
    assert "Not done: translating needs an LLM backend" in "\n".join(do_step.lines)
    legacy = [line for line in steps[1].lines]
    assert any("segmentation-v1" in line for line in legacy)
    assert any("runner-last" in line for line in legacy)
    assert any("runner-alt" in line for line in legacy)
    search_step = next(s for s in steps if s.title == "Search the archive")
    assert search_step.lines[0].startswith("'sales': ")
    assert not search_step.lines[0].startswith("'sales': 0 ")
    atlas = io.load_atlas(tmp_path / "out" / "knowledge.atlas")
    assert atlas.source.results == len(commands) - 1 + 1  # archived runs plus the legacy .last
    assert (altlas_home / "altlas.db").is_file()


def test_demo_cli_prints_where_files_went(cli, tmp_path: Path) -> None:
    """The command reports each step and the paths of what it wrote."""
    out = tmp_path / "demo"
    res = cli("demo", "--out", str(out))
    assert res.exit_code == 0, res.stderr
    assert f"plans:     {out / 'plans'}" in res.stdout
    assert "== Distil the archive into knowledge" in res.stdout
    assert (out / "knowledge.atlas").is_file()
