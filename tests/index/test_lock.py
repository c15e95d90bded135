"""The archive lock: re-entrant in a process, exclusive between processes, named when busy."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from altlas.errors import ArchiveError
from altlas.index.lock import ArchiveLock, LockHolder

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from altlas.index.lock import ArchiveLock\n"
    "with ArchiveLock(Path(sys.argv[1])).held('holder process'):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(float(sys.argv[2]))\n"
)


def _hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_reentrant_within_a_process(tmp_path: Path) -> None:
    one = ArchiveLock(tmp_path / "a.lock", timeout=1)
    two = ArchiveLock(tmp_path / "a.lock", timeout=1)
    with one.held("outer"), two.held("inner"):
        assert one.held_here and two.held_here
    assert not one.held_here


def test_threads_wait_for_each_other(tmp_path: Path) -> None:
    lock = ArchiveLock(tmp_path / "a.lock", timeout=5)
    order: list[str] = []

    def worker(name: str) -> None:
        with lock.held(name):
            order.append(f"{name}+")
            time.sleep(0.05)
            order.append(f"{name}-")

    threads = [threading.Thread(target=worker, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert order in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])


@pytest.mark.slow
def test_another_process_is_named_and_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "archive.lock"
    proc = _hold(path, 0.6)
    seen: list[LockHolder] = []
    try:
        quick = ArchiveLock(path, timeout=0.1)
        with (
            pytest.raises(ArchiveError, match=rf"locked by pid {proc.pid} \(holder process"),
            quick.held(),
        ):
            pass
        patient = ArchiveLock(path, timeout=20, on_wait=seen.append)
        start = time.monotonic()
        with patient.held("me"):
            waited = time.monotonic() - start
            assert patient.holder().command == "me"
        assert waited > 0.1
        assert seen and seen[0].pid == proc.pid
        assert not patient.someone_waiting()  # the marker went with the wait
    finally:
        proc.kill()
        proc.communicate(timeout=30)


@pytest.mark.slow
def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "archive.lock"
    proc = _hold(path, 60)
    proc.kill()
    proc.communicate(timeout=30)
    with ArchiveLock(path, timeout=1).held("after the crash"):
        pass
