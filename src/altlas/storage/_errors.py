"""Which error classes the storage layer raises, by what the caller can do about it.

Kept in one place so the storage modules follow the error groups (``altlas.errors``) without
each of them knowing which group a kind of failure belongs to. A store that tags its errors
(the archive: ``ArchiveError``) passes its own :class:`StoreErrors`. Errors carry ``reason``
in their context: the cause without the store's name or the hint, for a store that words
its own message.
"""

from __future__ import annotations

from dataclasses import dataclass

from altlas.errors import (
    AltlasError,
    ArchiveCorruptError,
    ArchiveUnavailableError,
    ConflictError,
    CorruptError,
    UnavailableError,
)

__all__ = ["ARCHIVE", "DEFAULT", "Corrupt", "SchemaConflict", "StoreErrors", "Unavailable"]

Corrupt = CorruptError
"""The file is damaged: repair or restore it."""

Unavailable = UnavailableError
"""Busy, locked, or its environment (disk full, read-only, no permission): retry later."""

SchemaConflict = ConflictError
"""The database was written by a newer altlas than this one."""


@dataclass(frozen=True, slots=True)
class StoreErrors:
    """The classes one store raises for damage and for unavailability."""

    corrupt: type[AltlasError] = CorruptError
    unavailable: type[AltlasError] = UnavailableError


DEFAULT = StoreErrors()
ARCHIVE = StoreErrors(corrupt=ArchiveCorruptError, unavailable=ArchiveUnavailableError)
