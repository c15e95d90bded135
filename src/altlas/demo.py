"""The main job end to end on bundled examples: do -> segment -> run -> archive -> search -> atlas.

It starts with ``altlas do``: a few commands in words, each done in the bundled workspace and
answered (one is refused, to show what an honest "no" looks like).

Also reads the original services' files (segmentation YAML, the runner's ``.alt`` and ``.last``)
to show that the old dialects load. Everything runs offline on the embedded default.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

__all__ = ["DO_COMMANDS", "DemoReport", "DemoStep", "example_commands", "run_demo"]

DO_COMMANDS = (
    "How many words are in notes.md?",
    "Find the lines in notes.md that mention delivery and save them to out/delivery.txt",
    "notes.md dosyasını özetle ve özeti out/ozet.md olarak kaydet",
    "What is the total revenue per region in sales.csv?",
    "Remind me tomorrow at 10 to send the board report",
    "Translate notes.md into German",
)
"""What the demo asks ``altlas do`` first; the last one is refused on purpose."""

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A fixed "now" so that 'tomorrow at 10' resolves the same way on every run."""


@dataclass(slots=True)
class DemoStep:
    """One thing the demo did, for the CLI to print as it happens."""

    title: str
    lines: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)


@dataclass(slots=True)
class DemoReport:
    out_dir: Path
    home: Path
    steps: list[DemoStep] = field(default_factory=list)
    results: int = 0
    succeeded: int = 0
    done: int = 0
    """``altlas do`` commands that did what they said."""
    refused: int = 0


def _examples() -> Path:
    return Path(str(files("altlas") / "examples"))


def example_commands() -> list[str]:
    """The bundled commands (English and Turkish), one per line."""
    text = (_examples() / "commands.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def run_demo(
    out_dir: Path,
    *,
    home: Path | None = None,
    on_step: Callable[[DemoStep], None] | None = None,
) -> DemoReport:
    """Run the whole pipeline on the bundled examples, writing every file under ``out_dir``."""
    from altlas.config import load_settings

    settings = load_settings(home)
    report = DemoReport(out_dir=out_dir, home=settings.home)

    def emit(step: DemoStep) -> None:
        report.steps.append(step)
        if on_step is not None:
            on_step(step)

    workspace = out_dir / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    for item in sorted((_examples() / "workspace").iterdir()):
        shutil.copy2(item, workspace / item.name)
    emit(_do(workspace, report))
    emit(_legacy(out_dir / "legacy"))
    commands = example_commands()
    *first, last = commands
    results_dir = out_dir / "results"
    emit(
        _pipeline(first, out_dir, workspace, report, "Segment each command into a plan and run it")
    )
    emit(_archive(results_dir, out_dir / "legacy", settings.home))
    emit(
        _pipeline(
            [last],
            out_dir,
            workspace,
            report,
            "Run a plan whose task searches the archive",
            start=len(first),
        ),
    )
    emit(_search(settings.home))
    emit(_atlas(out_dir, settings.home))
    return report


def _do(workspace: Path, report: DemoReport) -> DemoStep:
    from altlas.do.api import do

    step = DemoStep("Do what a command says (altlas do)")
    for command in DO_COMMANDS:
        outcome = do(command, workspace, yes=True, now=NOW)
        report.done += outcome.ok
        report.refused += bool(outcome.refused)
        step.lines.append(f"$ altlas do {command!r}")
        step.lines += [f"    {line}" for line in outcome.answer.splitlines()[:8]]
    return step


def _legacy(out: Path) -> DemoStep:
    from altlas.formats import io

    step = DemoStep("Read the original services' files")
    for source in sorted((_examples() / "legacy").iterdir()):
        loaded = io.read(source)
        suffix = {"alt": ".alt", "last": ".last", "atlas": ".atlas"}[loaded.kind]
        target = io.write(loaded.document, out / f"{source.name.split('.')[0]}{suffix}")
        step.lines.append(f"{source.name}: {loaded.dialect} ({loaded.container}) -> {target.name}")
        step.paths.append(target)
    return step


def _pipeline(
    commands: list[str],
    out_dir: Path,
    workspace: Path,
    report: DemoReport,
    title: str,
    *,
    start: int = 0,
) -> DemoStep:
    from altlas.formats import io
    from altlas.run.api import run
    from altlas.segment import segment

    step = DemoStep(title)
    for number, command in enumerate(commands, start=start + 1):
        plan = segment(command, now=NOW)
        plan_path = io.write(plan, out_dir / "plans" / f"{number:02d}.alt")
        result = run(plan, workspace=workspace, journal=True)
        result_path = io.write(result, out_dir / "results" / f"{number:02d}.last")
        report.results += 1
        report.succeeded += result.status.value == "success"
        types = ", ".join(t.type for t in plan.tasks)
        step.lines.append(
            f"{command!r} [{plan.language}] -> {len(plan.tasks)} tasks ({types}) -> "
            f"{result.status.value} {result.success_rate:.0%}",
        )
        step.paths += [plan_path, result_path]
    return step


def _archive(results_dir: Path, legacy_dir: Path, home: Path) -> DemoStep:
    from altlas.index import Archive

    legacy = sorted(legacy_dir.glob("*.last"))
    with Archive(home) as archive:
        added = archive.add([results_dir, *legacy])
    step = DemoStep("Archive the results (SQLite + tantivy + zstd blobs)")
    step.lines.append(
        f"{added.added} added, {added.existing} already there, {added.failed} failed; "
        f"{added.raw_bytes} bytes stored as {added.stored_bytes}",
    )
    step.paths.append(home)
    return step


def _search(home: Path) -> DemoStep:
    from altlas.index import Archive

    step = DemoStep("Search the archive")
    with Archive(home) as archive:
        for query in ("sales", "özetle"):
            found = archive.search(query, limit=3)
            step.lines.append(f"{query!r}: {found.total} results")
            step.lines += [f"  {h.status:<15} {h.command or h.title}" for h in found.hits]
    return step


def _atlas(out_dir: Path, home: Path) -> DemoStep:
    from altlas.formats import io
    from altlas.index import Archive

    with Archive(home) as archive:
        atlas = archive.build_atlas()
        path = io.write(atlas, out_dir / "knowledge.atlas")
        archive.record_atlas(atlas, path)
    step = DemoStep("Distil the archive into knowledge")
    rates = atlas.success_by.get("task_type", {})
    step.lines.append(
        f"{atlas.source.results} results; success by task type: "
        + ", ".join(f"{k} {v.rate:.0%}" for k, v in sorted(rates.items())),
    )
    step.paths.append(path)
    return step
