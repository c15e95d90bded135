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


def register_groups(target: typer.Typer, modules: tuple[str, ...] = GROUP_MODULES) -> None:
    """Import each group module and let it add its commands. A module that fails to import
    fails the whole CLI, loudly: a typo in this list must not drop a group silently."""
    for name in modules:
        import_module(name).register(target)


register_groups(app)


def run() -> None:
    """Console-script entry point."""
    app(prog_name="altlas")


if __name__ == "__main__":
    run()
