"""Which error classes the storage layer raises, by what the caller can do about it.

Kept in one place so the storage modules follow the error groups (``altlas.errors``) without
each of them knowing which group a kind of failure belongs to.
"""

from __future__ import annotations

from altlas.errors import AltlasError, ArchiveError

__all__ = ["Corrupt", "SchemaConflict", "Unavailable"]

Corrupt: type[AltlasError] = ArchiveError
"""The file is damaged: repair or restore it."""

Unavailable: type[AltlasError] = ArchiveError
"""Busy, locked, or its environment (disk full, read-only, no permission): retry later."""

SchemaConflict: type[AltlasError] = ArchiveError
"""The database was written by a newer altlas than this one."""
