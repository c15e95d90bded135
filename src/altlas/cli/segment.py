"""``altlas segment``: one command into a plan, a file of commands into JSON Lines, or an
evaluation against gold annotations."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from altlas.cli._common import emit_json, fail, is_tty
from altlas.cli._output import DOCUMENT, Format, console, emit_document, format_option
from altlas.errors import UnavailableError

__all__ = ["register"]


class ModeChoice(StrEnum):
    NORMAL = "normal"
    DREAM = "dream"
    EXPLORE = "explore"
    CHAOS = "chaos"


class LangChoice(StrEnum):
    AUTO = "auto"
    EN = "en"
    TR = "tr"


class BackendChoice(StrEnum):
    RULES = "rules"
    LLM = "llm"


def segment(
    command: Annotated[
        str | None,
        typer.Argument(help="The command to segment, in English or Turkish.", show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the plan here (.alt/.json/.yaml, atomic); with --input, the JSON Lines.",
        ),
    ] = None,
    mode: Annotated[
        ModeChoice, typer.Option("--mode", "-m", help="How to segment.")
    ] = ModeChoice.NORMAL,
    chaos_level: Annotated[
        int | None,
        typer.Option("--chaos-level", help="1-10, with --mode chaos (default 5)."),
    ] = None,
    persona: Annotated[
        str | None,
        typer.Option(
            "--persona",
            help="technical_expert, creative_writer, researcher or project_manager.",
        ),
    ] = None,
    lang: Annotated[
        LangChoice, typer.Option("--lang", "-l", help="Language, or auto.")
    ] = LangChoice.AUTO,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for modes and personas.")] = None,
    fmt: Annotated[Format, format_option(DOCUMENT)] = Format.TABLE,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Resolve dates against this ISO time (default: now)."),
    ] = None,
    backend: Annotated[
        BackendChoice,
        typer.Option("--backend", help="rules, or llm (OpenAI-compatible, from [llm] config)."),
    ] = BackendChoice.RULES,
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help='Segment every line: plain commands or JSON {"id", "command"} ("-" = stdin).',
        ),
    ] = None,
    evaluate: Annotated[
        Path | None,
        typer.Option("--evaluate", help="Score against a gold JSON Lines file."),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="With --evaluate: write the predictions here."),
    ] = None,
) -> None:
    """Turn a natural-language command into a task plan (.alt).

    Examples: altlas segment "Find flights to Rome, then book the cheapest one";
    altlas segment --input commands.txt --output plans.jsonl;
    altlas segment --evaluate gold.jsonl --predictions pred.jsonl
    """
    given = [x is not None for x in (command, input_file, evaluate)]
    if sum(given) != 1:
        raise fail("give exactly one of: a command, --input FILE, or --evaluate GOLD")
    if predictions is not None and evaluate is None:
        raise fail("--predictions needs --evaluate")
    options: dict[str, Any] = {
        "mode": mode.value,
        "chaos_level": chaos_level,
        "persona": persona,
        "language": lang.value,
        "seed": seed,
        "now": now,
        "backend": backend.value,
    }
    if evaluate is not None:
        _evaluate(evaluate, predictions, options, fmt)
    elif input_file is not None:
        _batch(input_file, output, options)
    else:
        assert command is not None
        _single(command, output, options, fmt)


def _single(command: str, output: Path | None, options: dict[str, Any], fmt: Format) -> None:
    from altlas.formats import io
    from altlas.segment import segment as run_segment

    plan = run_segment(command, **options)
    if output is not None:
        io.write(plan, output)
        typer.echo(f"wrote {output}", err=True)
        return
    if fmt is Format.YAML:
        sys.stdout.buffer.write(io.to_bytes(plan, syntax="yaml"))
        return

    def tree() -> None:
        from altlas.formats.render import plan_tree

        console().print(plan_tree(plan))

    emit_document(io.to_data(plan) if fmt is Format.JSON else None, fmt, tree)


@contextmanager
def _open_input(path: Path) -> Iterator[IO[str]]:
    if str(path) == "-":
        yield sys.stdin
        return
    try:
        fh = path.open(encoding="utf-8", errors="replace", newline=None)
    except OSError as exc:
        raise fail(f"{path}: cannot read: {exc.strerror}") from None
    with fh:
        yield fh


@contextmanager
def _open_output(path: Path | None) -> Iterator[IO[bytes]]:
    if path is None:
        yield sys.stdout.buffer
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = path.open("wb")
    except OSError as exc:
        raise fail(f"{path}: cannot write: {exc.strerror}", UnavailableError) from None
    with fh:
        yield fh


def _count_lines(path: Path) -> int | None:
    if str(path) == "-" or not path.is_file():
        return None
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def _batch(path: Path, output: Path | None, options: dict[str, Any]) -> None:
    from altlas.segment.batch import segment_lines

    name = "<stdin>" if str(path) == "-" else str(path)
    done = failed = 0
    show_progress = is_tty(sys.stderr)
    with _open_input(path) as src, _open_output(output) as out:
        items = segment_lines(src, **options)
        if show_progress:
            items = _with_progress(items, _count_lines(path))
        for item in items:
            if item.error is not None:
                failed += 1
                typer.echo(f"error: {name}:{item.line}: {item.error}", err=True)
                continue
            out.write(item.to_json())
            done += 1
        out.flush()
    typer.echo(f"segmented {done} command{'s' * (done != 1)}, {failed} failed", err=True)
    if failed:
        raise typer.Exit(1)


def _with_progress(items: Iterator[Any], total: int | None) -> Iterator[Any]:
    from altlas.run.progress import WorkProgress

    with WorkProgress("segmenting", "lines", total=total) as bar:
        for item in items:
            bar.update(item.line, total)
            yield item


def _evaluate(gold: Path, predictions: Path | None, options: dict[str, Any], fmt: Format) -> None:
    from altlas.segment import segment as run_segment
    from altlas.segment.evaluate import evaluate_file, format_table

    if not gold.is_file():
        raise fail(f"{gold}: no such file")
    result = evaluate_file(gold, lambda text: run_segment(text, **options), predictions)
    if fmt is Format.JSON:
        emit_json(result, pretty=False)
    else:
        typer.echo(format_table(result))
    if predictions is not None:
        typer.echo(f"wrote {predictions}", err=True)


def register(app: typer.Typer) -> None:
    app.command("segment")(segment)
