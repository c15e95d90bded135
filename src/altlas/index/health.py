"""Moved to :mod:`altlas.storage.health` (shared by every store); the old names stay here."""

from __future__ import annotations

from altlas.storage.health import (
    environment_cause,
    integrity_problems,
    is_corruption,
    open_readonly,
    os_cause,
    salvage_tables,
    sqlite_cause,
    summarise_problems,
)

__all__ = [
    "environment_cause",
    "integrity_problems",
    "is_corruption",
    "open_readonly",
    "os_cause",
    "salvage_tables",
    "sqlite_cause",
    "summarise_problems",
]
