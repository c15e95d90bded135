"""What a dialect is and the registry it joins; the dialect modules import this, never the
package, so that the package can import them lazily without a circle."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from altlas.errors import Diagnostic

__all__ = ["STASH_KEY", "Dialect", "Kind", "ReadOutcome", "register"]

Kind = Literal["alt", "last", "atlas"]
STASH_KEY = "altlas"
"""Metadata key under which a converter keeps what the target dialect has no field for."""


@dataclass(slots=True)
class ReadOutcome:
    """Canonical-shaped data plus how to talk about the source's own field names."""

    data: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    tasks_key: str = "tasks"
    renames: dict[str, str] = field(default_factory=dict)
    """Canonical field name -> the source's name, for error paths."""


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    kind: Kind
    description: str
    sniff: Callable[[Mapping[str, Any]], bool]
    read: Callable[[Mapping[str, Any]], ReadOutcome]
    write: Callable[[Any], Any] | None = None
    syntax: Literal["json", "yaml"] = "json"
    order: int = 50
    aliases: tuple[str, ...] = ()


_REGISTRY: dict[str, Dialect] = {}


def register(dialect: Dialect) -> Dialect:
    _REGISTRY[dialect.name] = dialect
    return dialect
