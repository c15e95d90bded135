"""``altlas users add/list/remove``: the accounts that log in to ``altlas serve``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from altlas.cli._accounts import RoleChoice, account_store
from altlas.cli._common import emit_rows
from altlas.cli._output import ROWS, Format, format_option

__all__ = ["register"]

users_app = typer.Typer(
    name="users",
    help="Server users (passwords are stored argon2-hashed; there are no default accounts).",
    no_args_is_help=True,
)


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, _.@-).")],
    role: Annotated[RoleChoice, typer.Option("--role", "-r", help="What the user may do.")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input."),
    ] = False,
) -> None:
    """Create a user; the password is asked for twice (or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with account_store() as store:
        user = store.add_user(name, password, role.value)
    typer.echo(f"added user {user.name} ({user.role.value})")


@users_app.command("list")
def list_users(
    fmt: Annotated[Format, format_option(ROWS)] = Format.TABLE,
) -> None:
    """Every user and role."""
    with account_store() as store:
        rows = [u.as_dict() for u in store.list_users()]
    emit_rows(rows, ["name", "role", "created_at"], fmt, title="users")


@users_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="User to remove.")]) -> None:
    """Remove a user; their refresh tokens stop working at once, access tokens on expiry."""
    with account_store() as store:
        store.remove_user(name)
    typer.echo(f"removed user {name}")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app)
