"""``altlas demo``: the main job end to end on bundled examples."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def demo(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where the demo's files go (default: $ALTLAS_HOME/demo)."),
    ] = None,
) -> None:
    """Segment, run, archive, search and distil the bundled example commands, offline."""
    from altlas.config import load_settings
    from altlas.demo import DemoStep, run_demo

    home = load_settings().home
    out_dir = out or home / "demo"

    def show(step: DemoStep) -> None:
        typer.echo(f"\n== {step.title}")
        for line in step.lines:
            typer.echo(f"   {line}")

    typer.echo(f"altlas demo: files go to {out_dir}, the archive lives in {home}")
    report = run_demo(out_dir, on_step=show)
    typer.echo(
        f"\naltlas do: {report.done} done, {report.refused} refused with a reason.\n"
        f"{report.succeeded}/{report.results} runs succeeded.\n"
        f"  plans:     {out_dir / 'plans'}\n"
        f"  results:   {out_dir / 'results'}\n"
        f"  atlas:     {out_dir / 'knowledge.atlas'}\n"
        f"  archive:   {home} (try: altlas archive search sales)",
    )


def register(app: typer.Typer) -> None:
    app.command()(demo)
