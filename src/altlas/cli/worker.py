"""``altlas worker``: run jobs from NATS JetStream (needs the ``nats`` extra)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Annotated

import typer

from altlas.cli._nats_common import NatsUrl, nats_settings

__all__ = ["register", "worker"]


def worker(
    nats: NatsUrl = None,
    concurrency: Annotated[
        int,
        typer.Option(
            min=1,
            max=256,
            help="Runs at once; they share one event loop, so their NATS round trips overlap.",
        ),
    ] = 8,
    workspace_root: Annotated[
        Path | None,
        typer.Option("--workspace-root", help="Each run works in DIR/<run>."),
    ] = None,
    handlers: Annotated[
        list[str] | None,
        typer.Option("--handlers", metavar="MODULE", help="Import MODULE (registers handlers)."),
    ] = None,
    grace: Annotated[
        float, typer.Option(min=0, help="Seconds in-flight runs get after SIGTERM.")
    ] = 10.0,
) -> None:
    """Pull run jobs from ALTLAS_RUNS and run them; SIGTERM finishes or hands back work."""
    from altlas.scale.service import run_service
    from altlas.scale.worker import Worker

    settings, config = nats_settings(nats)
    for module in handlers or ():
        import_module(module)
    service = Worker(
        config,
        settings,
        concurrency=concurrency,
        workspace_root=workspace_root,
        grace_seconds=grace,
        owns_process=True,
    )
    stats = run_service(service.serve)
    typer.echo(
        f"worker stopped: {stats.completed} completed, {stats.republished} republished, "
        f"{stats.handed_back} handed back, {stats.retried} retried, {stats.refused} refused, "
        f"{stats.rejected} rejected",
        err=True,
    )


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
