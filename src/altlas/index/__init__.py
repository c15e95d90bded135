"""The archive: results stored (zstd blobs), recorded (SQLite), searchable (tantivy), distilled.

Nothing heavy is imported here, not even the archive itself: ``from altlas.index import
Filters`` (which the CLI needs to build its options) must not load the storage code. zstandard,
tantivy and polars load inside the operations that need them. The public names are the
``__all__`` of the modules below, looked up when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from altlas.index.archive import Archive as Archive
    from altlas.index.filters import *  # noqa: F403
    from altlas.index.lock import LockHolder as LockHolder
    from altlas.index.models import *  # noqa: F403
    from altlas.index.parts import ArchiveSettings as ArchiveSettings

_SINGLE = {"Archive": "archive", "ArchiveSettings": "parts", "LockHolder": "lock"}
_WHOLE = ("filters", "models")
"""Modules whose whole ``__all__`` is public here."""


def _home(name: str) -> str | None:
    if name in _SINGLE:
        return _SINGLE[name]
    return next((m for m in _WHOLE if name in _module(m).__all__), None)


def _module(name: str) -> Any:
    return import_module(f"altlas.index.{name}")


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return sorted({*_SINGLE, *(n for m in _WHOLE for n in _module(m).__all__)})
    home = _home(name)
    if home is None:
        raise AttributeError(f"module 'altlas.index' has no attribute {name!r}")
    value = getattr(_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__getattr__("__all__"))
