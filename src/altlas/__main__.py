"""``python -m altlas``: the same as the ``altlas`` command."""

from altlas.cli.main import run

run()
