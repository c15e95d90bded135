"""Formerly the hand-written ``user_version`` migration runner; every store now migrates with
:func:`altlas.storage.migrations.apply`, which adopts files that runner made
(``adopt_user_version=``; the SQL it shipped is frozen in ``tests/storage/test_upgrades.py``).

Only ``now_iso`` is left, for ``scale/jobqueue.py``; it is
:func:`altlas.storage.sqlite.now_iso`. Delete this module once that import moves.
"""

from __future__ import annotations

from altlas.storage.sqlite import now_iso

__all__ = ["now_iso"]
