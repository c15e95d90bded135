"""Shared by the NATS commands: the ``--nats`` option and settings for it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

__all__ = ["NatsUrl", "nats_settings"]

NatsUrl = Annotated[
    str | None,
    typer.Option("--nats", metavar="URL", help="nats://host:4222 (default: [nats] url)."),
]


def nats_settings(url: str | None, **overrides: Any) -> Any:
    from altlas.config import load_settings
    from altlas.scale.config import nats_config, require_nats

    require_nats()
    settings = load_settings()
    return settings, nats_config(settings, url, **overrides)
