"""Dialects: the shapes a document can take on disk, and how each maps to a canonical model.

A dialect knows how to recognise its data (``sniff``), turn it into canonical data
(``read``) and, where the original services need it, write canonical models back
(``write``). Conversion keeps all information: whatever has no field in the target is stashed
in ``metadata["altlas"]`` and restored on the way back.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from altlas.formats.dialects._base import (
    _REGISTRY,
    STASH_KEY,
    Dialect,
    Kind,
    ReadOutcome,
    register,
)

__all__ = [
    "STASH_KEY",
    "Dialect",
    "Kind",
    "ReadOutcome",
    "all_dialects",
    "dialect_named",
    "register",
    "sniff",
]

_LOADED = False
# Reentrant: a dialect module may look another dialect up while it is being imported.
_LOAD_LOCK = threading.RLock()


def _ensure_loaded() -> None:
    """Import every dialect once. The flag is set only after the imports finished, under a
    lock: a second thread must wait for a full registry, never see a half-filled one."""
    global _LOADED
    if _LOADED:
        return
    with _LOAD_LOCK:
        if _LOADED:
            return
        # Imported for their register() side effect.
        from altlas.formats.dialects import (  # noqa: F401
            canonical,
            legacy_atlas,
            placeholder,
            runner_alt,
            runner_last,
            segmentation,
        )

        _LOADED = True


def all_dialects(kind: Kind | None = None) -> list[Dialect]:
    _ensure_loaded()
    found = [d for d in _REGISTRY.values() if kind is None or d.kind == kind]
    return sorted(found, key=lambda d: (d.order, d.name))


def dialect_named(name: str) -> Dialect:
    _ensure_loaded()
    key = name.strip().lower()
    for dialect in _REGISTRY.values():
        if key == dialect.name or key in dialect.aliases:
            return dialect
    names = ", ".join(sorted(_REGISTRY))
    from altlas.errors import FormatError
    from altlas.formats.limits import clip

    raise FormatError(f"unknown dialect '{clip(name)}' (known: {names})")


def sniff(data: Any, kind: Kind | None = None) -> Dialect | None:
    """The first dialect (in order) whose sniff accepts ``data``."""
    if not isinstance(data, Mapping):
        return None
    for dialect in all_dialects(kind):
        if dialect.sniff(data):
            return dialect
    return None
