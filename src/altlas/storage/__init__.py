"""The storage layer: how every SQLite store is opened, migrated, locked and checked.

* :mod:`altlas.storage.sqlite` -- ``connect()``: WAL, pragmas, failures in their error groups;
* :mod:`altlas.storage.migrations` -- ``apply()``: THE migration runner (sqlite-utils);
* :mod:`altlas.storage.lock` -- ``FileLock``: an OS file lock, re-entrant in a process;
* :mod:`altlas.storage.pair` -- ``ConnectionPair``: a store's writer and reader, each locked;
* :mod:`altlas.storage.health` -- damage and environment checks, salvage of readable rows.

A leaf: it imports nothing from altlas but the errors. The SQL of each store lives in its
repository next to its domain (``run/journal_store.py``, ``events/jobstore.py``, ...).
"""

from __future__ import annotations

__all__: list[str] = []
