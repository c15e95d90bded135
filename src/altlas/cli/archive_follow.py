"""``altlas archive follow``: the archive's single writer, fed from NATS (the ``nats`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from altlas.cli._nats_common import NatsUrl, nats_settings

__all__ = ["follow", "register"]


def follow(
    nats: NatsUrl = None,
    idle_exit: Annotated[
        float | None,
        typer.Option("--idle-exit", min=0.5, help="Stop after this many idle seconds."),
    ] = None,
) -> None:
    """Consume ALTLAS_RESULTS into the archive (once per run) until SIGTERM."""
    from altlas.scale.follow import Follower
    from altlas.scale.service import run_service

    settings, config = nats_settings(nats)
    follower = Follower(config, settings.home, idle_exit=idle_exit)
    stats = run_service(follower.serve)
    typer.echo(
        f"archived {stats.archived}, not archived (archive: false) {stats.unarchived}, "
        f"duplicates {stats.duplicates}, refused {stats.refused}, "
        f"failed {stats.failed}, dead letters moved {stats.dead_letters}",
        err=True,
    )
    for line in stats.errors[:20]:
        typer.echo(f"error: {line}", err=True)


def register(archive_app: typer.Typer) -> None:
    archive_app.command("follow")(follow)
