"""``altlas keys create/list/revoke``: API keys for ``altlas serve`` clients."""

from __future__ import annotations

from typing import Annotated

import typer

from altlas.cli._accounts import RoleChoice, account_store
from altlas.cli._common import emit_json, emit_rows
from altlas.cli._output import ROWS, Format, format_option

__all__ = ["register"]

keys_app = typer.Typer(
    name="keys",
    help="API keys: a visible id plus a secret shown once at creation.",
    no_args_is_help=True,
)


@keys_app.command("create")
def create(
    role: Annotated[RoleChoice, typer.Option("--role", "-r", help="What the key may do.")],
    name: Annotated[str, typer.Option("--name", "-n", help="What the key is for.")] = "cli",
    expires_days: Annotated[
        float | None,
        typer.Option("--expires-days", help="Stop working after this many days.", min=0.001),
    ] = None,
    fmt: Annotated[
        Format, format_option((Format.TABLE, Format.JSON), help="table (the key alone) or json.")
    ] = Format.TABLE,
) -> None:
    """Create a key and print it. The secret is never shown again: store it now."""
    with account_store() as store:
        record, secret = store.create_key(
            name,
            role.value,
            created_by="cli",
            expires_in_days=expires_days,
        )
    if fmt is Format.JSON:
        emit_json({**record.as_dict(), "key": secret})
        return
    typer.echo(secret)
    typer.echo(
        f"key {record.id} ({record.role.value}, '{record.name}'): shown once, store it now",
        err=True,
    )


@keys_app.command("list")
def list_keys(
    fmt: Annotated[Format, format_option(ROWS)] = Format.TABLE,
    include_revoked: Annotated[bool, typer.Option("--all", help="Include revoked keys.")] = False,
) -> None:
    """Keys by id, name and role (never their secrets)."""
    with account_store() as store:
        rows = [k.as_dict() for k in store.list_keys(include_revoked=include_revoked)]
    emit_rows(
        rows,
        ["id", "name", "role", "created_at", "last_used_at", "revoked_at", "active"],
        fmt,
        title="API keys",
    )


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (from keys list).")]) -> None:
    """Revoke a key: a running server stops accepting it within seconds."""
    with account_store() as store:
        key = store.revoke_key(key_id)
    typer.echo(f"revoked key {key.id} ('{key.name}')")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app)
