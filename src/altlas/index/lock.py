"""Moved to :mod:`altlas.storage.lock`; ``ArchiveLock`` and ``LockHolder`` stay importable here."""

from __future__ import annotations

from altlas.storage.lock import ArchiveLock, FileLock, LockHolder

__all__ = ["ArchiveLock", "FileLock", "LockHolder"]
