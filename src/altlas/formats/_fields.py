"""Field access that works on raw mappings and on validated models alike (the rule checks run
on both)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

__all__ = ["columns", "field_of"]


def field_of(obj: Any, name: str) -> Any:
    """Field access that works on raw mappings and on validated models alike."""
    if type(obj) is dict:
        return obj.get(name)
    if isinstance(obj, BaseModel):
        return getattr(obj, name, None)
    if isinstance(obj, Mapping):
        return obj.get(name)
    return None


def columns(items: Sequence[Any], *names: str) -> list[list[Any]]:
    """Some fields of every item, with a tight loop when all items share one type."""
    if not items:
        return [[] for _ in names]
    first = type(items[0])
    if all(type(i) is first for i in items):
        if first is dict:
            return [[i.get(n) for i in items] for n in names]
        if issubclass(first, BaseModel):
            return [[getattr(i, n, None) for i in items] for n in names]
    return [[field_of(i, n) for i in items] for n in names]
