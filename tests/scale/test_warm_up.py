"""A worker loads the runner before its first job (``altlas.scale.runner.warm_up``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nats")

_PROBE = """
import asyncio, sys
from altlas.config import load_settings
before = {m for m in ("altlas.run.session", "altlas.run.executor", "altlas.formats.io")
          if m in sys.modules}
assert not before, before
from altlas.scale.runner import warm_up
asyncio.run(warm_up(load_settings(sys.argv[1])))
missing = [m for m in ("altlas.run.session", "altlas.run.executor", "altlas.run.scheduler",
                       "altlas.run.results", "altlas.formats.io") if m not in sys.modules]
assert not missing, missing
"""


def test_warm_up_loads_the_runner_and_leaves_no_scratch(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALTLAS_")}
    env["TMPDIR"] = str(scratch)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "home")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert list(scratch.iterdir()) == []  # the scratch workspace is gone
