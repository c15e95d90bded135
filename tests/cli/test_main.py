"""The root CLI: every command group module is registered, and a bad one fails loudly."""

from __future__ import annotations

import re

import pytest
import typer

from altlas.cli.main import GROUP_MODULES, register_groups


def test_a_group_module_that_does_not_exist_fails_loudly() -> None:
    with pytest.raises(ModuleNotFoundError, match=re.escape("altlas.cli.no_such_group")):
        register_groups(typer.Typer(), ("altlas.cli.config", "altlas.cli.no_such_group"))


@pytest.mark.parametrize("module", GROUP_MODULES)
def test_every_group_module_adds_something(module: str) -> None:
    fresh = typer.Typer()
    register_groups(fresh, (module,))
    assert fresh.registered_commands or fresh.registered_groups
