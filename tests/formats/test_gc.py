"""``gc_paused`` around a parse: a large document's objects go to the oldest generation, and a
heap that a long-lived process froze on purpose stays frozen."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import gc
from altlas.formats._gc import _LARGE_DOCUMENT, gc_paused
kept = [[n] for n in range(1000)]  # what a service froze after its warm-up
gc.freeze()
frozen = gc.get_freeze_count()
with gc_paused(_LARGE_DOCUMENT):
    parsed = [[n] for n in range(1000)]
assert gc.get_freeze_count() == frozen, (gc.get_freeze_count(), frozen)
assert gc.isenabled()
gc.unfreeze()
with gc_paused(_LARGE_DOCUMENT):
    parsed = [[n] for n in range(1000)]
assert gc.get_freeze_count() == 0  # nothing frozen before: the parse's objects went old
assert parsed in gc.get_objects(generation=2)
"""


def test_a_large_parse_leaves_a_frozen_heap_frozen() -> None:
    # process-wide state: in a process of its own
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
