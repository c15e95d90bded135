"""A finished run never misses the archive (issue 9 item 8).

The result is archived before the job is marked done, and a server that starts finds any
done run whose result is not archived (left by a crash of an older server, or by a failed
archive write) and archives it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from altlas.config import load_settings
from altlas.events.embedded import SqliteJobQueue
from altlas.events.queue import JobOutcome
from altlas.server.jobs import RUN_JOB

from ._server_support import client, keys, make_client, settings

__all__ = ["client", "keys", "make_client", "settings"]

PLAN = {"id": "plan_archive_probe", "tasks": [{"id": "t1", "type": "echo"}]}


def _result_bytes(home: Path) -> bytes:
    from altlas.formats.io import to_bytes
    from altlas.formats.plan import Plan
    from altlas.run.api import run

    result = run(Plan.model_validate(PLAN), workspace=str(home / "ws"), settings=load_settings())
    return to_bytes(result, pretty=False)


def _archived(home: Path) -> int:
    from altlas.index import Archive

    archive = Archive(home)
    try:
        return int(archive.stats().as_dict()["results"])
    finally:
        archive.close()


def test_a_done_run_missing_from_the_archive_is_archived_on_start(settings, make_client) -> None:
    home = settings.home
    body = _result_bytes(home)
    # What a server killed between "done" and "archived" left behind.
    queue = SqliteJobQueue(home / "queue.db", workers=1)

    def finished(_ctx: Any) -> JobOutcome:
        return JobOutcome({"status": "success", "archive": True}, result=body)

    queue.register(RUN_JOB, finished)
    queue.enqueue(RUN_JOB, {"plan": PLAN, "archive": True}, job_id="run_left_behind")
    queue.start()
    try:
        for _ in range(200):
            if queue.get("run_left_behind").state.terminal:
                break
            time.sleep(0.05)
    finally:
        queue.close()
    assert _archived(home) == 0

    client = make_client(queue_workers=0)
    ctx = client.app.state["ctx"]
    assert ctx.queue.get("run_left_behind").outcome["archived"]
    client.__exit__(None, None, None)
    assert _archived(home) == 1


_CRASH = """
import os, signal, time
from altlas.config import load_settings
from altlas.events.bus import EventBus
from altlas.events.embedded import SqliteJobQueue
from altlas.server.config import ServerConfig
from altlas.server.context import ArchiveHolder
from altlas.server.jobs import RUN_JOB, make_run_executor, prepare_journal

settings = load_settings()
bus = EventBus()
queue = SqliteJobQueue(settings.home / "queue.db", bus, workers=1)
holder = ArchiveHolder(settings.home, bus)
queue.register(RUN_JOB, make_run_executor(settings, ServerConfig(), holder, bus))
# The moment between the run's end and the job being marked done: a real SIGKILL there.
queue._finish = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
prepare_journal(settings)
plan = {"id": "plan_archive_probe", "tasks": [{"id": "t1", "type": "echo"}]}
queue.enqueue(RUN_JOB, {"plan": plan, "options": {}, "archive": True}, job_id="run_killed")
queue.start()
time.sleep(60)
"""


@pytest.mark.slow
def test_a_kill_before_done_finds_the_result_already_archived(settings) -> None:
    home = settings.home
    env = {**os.environ, "ALTLAS_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_CRASH)],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert _archived(home) == 1
    queue = SqliteJobQueue(home / "queue.db", workers=0)
    try:
        assert queue.get("run_killed").state.value == "running"  # never done-but-unarchived
    finally:
        queue.close()
