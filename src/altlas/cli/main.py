"""The ``altlas`` command: the root group, ``--version``, and one module per command group.

Each group module exposes ``register(app)``; none imports a heavy library at module level.
"""

from __future__ import annotations

from importlib import import_module
from typing import Annotated

import typer

from altlas._version import __version__
from altlas.cli._common import AltlasGroup

app = typer.Typer(
    name="altlas",
    cls=AltlasGroup,
    help=(
        "Turn natural-language commands into task plans (.alt), run them into results "
        "(.last) and keep a searchable archive distilled into knowledge (.atlas)."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)

GROUP_MODULES = (
    "altlas.cli.do",
    "altlas.cli.formats",
    "altlas.cli.segment",
    "altlas.cli.run",
    "altlas.cli.archive",
    "altlas.cli.atlas",
    "altlas.cli.demo",
    "altlas.cli.serve",
    "altlas.cli.users",
    "altlas.cli.keys",
    "altlas.cli.analytics",
    "altlas.cli.config",
    "altlas.cli.llm",
    "altlas.cli.worker",
    "altlas.cli.submit",
    "altlas.cli.nats",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"altlas {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """altlas: plans, runs and an archive of everything that ran."""


def _register_groups() -> None:
    for name in GROUP_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            # A group whose module is not written yet is simply absent.
            if exc.name == name:
                continue
            raise
        module.register(app)


_register_groups()


def run() -> None:
    """Console-script entry point."""
    app(prog_name="altlas")


if __name__ == "__main__":
    run()
