"""Issue 9, item 7: lazy registries are filled once, whole, whatever the number of threads.

``_ensure_loaded`` used to set its flag before the dialect imports finished: a second thread
saw an empty registry (``unknown dialect 'canonical-alt' (known: )``) and a queued job was lost.
The first load only happens once per interpreter, so each trial is a fresh subprocess whose
threads meet at a barrier and look a dialect up at the same moment.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

_RACE = textwrap.dedent(
    """
    import sys, threading
    from altlas.formats import dialects
    from altlas.run.handlers import registry

    THREADS = 8
    barrier = threading.Barrier(THREADS)
    failures, handler_registries = [], set()

    def look_up():
        barrier.wait()
        try:
            dialects.dialect_named("canonical-alt")
            dialects.dialect_named("runner-last")
        except Exception as exc:
            failures.append(str(exc))
        handler_registries.add(id(registry.default_registry()))

    threads = [threading.Thread(target=look_up) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(len(failures), len(handler_registries), failures[:1])
    sys.exit(1 if failures or len(handler_registries) != 1 else 0)
    """
)


@pytest.mark.parametrize("trial", range(4))
def test_threads_looking_up_a_dialect_at_once_all_find_it(trial: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _RACE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, (done.stdout, done.stderr[-2000:])
