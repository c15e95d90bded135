"""``altlas submit``: enqueue plans or commands on NATS JetStream (needs the ``nats`` extra)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from altlas.cli._nats_common import NatsUrl, nats_settings
from altlas.cli._output import ROWS, Format, format_option

__all__ = ["register", "submit"]


def submit(
    sources: Annotated[
        list[str], typer.Argument(metavar="PLAN_OR_COMMAND...", help="Plan files or commands.")
    ],
    nats: NatsUrl = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait and print the outcomes.")] = False,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds --wait waits.")] = 600.0,
    archive: Annotated[
        bool,
        typer.Option(
            "--archive/--no-archive",
            help="Whether `altlas archive follow` archives the results (it acks them either way).",
        ),
    ] = True,
    fmt: Annotated[Format, format_option(ROWS)] = Format.TABLE,
) -> None:
    """Enqueue runs (a plan file, or a command to segment first); print their run ids."""
    import asyncio

    from altlas.cli._common import emit_rows
    from altlas.scale.submit import job_for, submit_jobs

    _settings, config = nats_settings(nats)
    jobs = [(source, job_for(source, archive=archive)) for source in sources]
    done = asyncio.run(submit_jobs(config, jobs, wait=wait, timeout=timeout))
    rows: list[dict[str, Any]] = [d.to_dict() for d in done]
    emit_rows(rows, ["run_id", "source", "status", "success_rate"], fmt)
    if wait and any(r["status"] not in ("success",) for r in rows):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("submit")(submit)
