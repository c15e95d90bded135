"""``altlas nats``: the state of the JetStream side (needs the ``nats`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from altlas.cli._nats_common import NatsUrl, nats_settings
from altlas.cli._output import DOCUMENT, Format, format_option

__all__ = ["nats_app", "register"]

nats_app = typer.Typer(help="NATS JetStream: streams, consumers and dead letters.")


@nats_app.command("status")
def status(
    nats: NatsUrl = None, fmt: Annotated[Format, format_option(DOCUMENT)] = Format.TABLE
) -> None:
    """Streams, consumers (pending, redelivered) and dead letters."""
    import asyncio

    from altlas.cli._common import emit_json, emit_rows
    from altlas.cli._output import emit_yaml
    from altlas.scale.status import status as nats_status

    _settings, config = nats_settings(nats)
    found = asyncio.run(nats_status(config))
    if fmt is Format.JSON:
        emit_json(found)
        return
    if fmt is Format.YAML:
        emit_yaml(found)
        return
    emit_rows(found["streams"], ["stream", "messages", "bytes"], fmt, title="streams")
    emit_rows(
        found["consumers"],
        ["stream", "consumer", "pending", "ack_pending", "redelivered", "waiting"],
        fmt,
        title="consumers",
    )
    emit_rows(found["dead_letters"], ["run_id", "reason"], fmt, title="dead letters")


@nats_app.command("cancel")
def cancel(
    run_ids: Annotated[list[str], typer.Argument(metavar="RUN_ID...", help="Runs to cancel.")],
    nats: NatsUrl = None,
) -> None:
    """Cancel runs on whichever worker runs them (at its next heartbeat)."""
    import asyncio

    from altlas.scale.status import cancel as nats_cancel

    _settings, config = nats_settings(nats)
    asyncio.run(nats_cancel(config, run_ids))
    typer.echo(f"cancel requested for {len(run_ids)} run(s)")


def register(app: typer.Typer) -> None:
    app.add_typer(nats_app, name="nats")
