"""The cyclic garbage collector, paused while a document is parsed (docs/architecture.md,
"Reading a document")."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

_LARGE_DOCUMENT = 1 << 20


@contextmanager
def gc_paused(size: int) -> Iterator[None]:
    """Parsing builds many small objects; the cyclic GC would rescan them over and over.

    For a large document the new objects are also handed straight to the oldest generation
    (``freeze`` then ``unfreeze``) instead of waiting in the youngest one for a scan that would
    only promote them: a parsed document is long-lived and holds no reference cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # unfreeze() would also thaw what a long-lived process froze on purpose
        # (altlas.scale.service.settle_heap, the server's start-up): then leave it
        if size >= _LARGE_DOCUMENT and not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
