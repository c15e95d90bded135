"""A NATS job cannot grant itself privileges: exec, network and routing are the worker's own."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("nats")

from altlas.config import load_settings
from altlas.scale.runner import JOB_OPTIONS, RunHooks, execute_job


def test_a_job_asking_for_exec_and_a_workspace_does_not_get_them(tmp_path: Path) -> None:
    marker = tmp_path / "ws" / "escaped"
    job = {
        "run_id": "run_privileges",
        "plan": {
            "format": "altlas.alt",
            "id": "grab",
            "tasks": [
                {
                    "id": "touch",
                    "type": "command",
                    "parameters": {"argv": ["touch", "escaped"]},
                }
            ],
        },
        "options": {
            "allow_exec": True,
            "exec_allowlist": ["touch"],
            "allow_net": True,
            "workspace": "/",
            "routing": {"command": "command"},
        },
    }
    result = asyncio.run(
        execute_job(
            job,
            workspace=tmp_path / "ws",
            settings=load_settings(),
            completed=[],
            hooks=RunHooks(lambda event: None),
        )
    )
    assert not marker.exists()
    assert result.status.value != "success"
    error = result.tasks[0].error
    assert error is not None and error.type == "PermissionDenied"
    assert result.metadata["workspace"] == str((tmp_path / "ws").resolve())
    assert not {"allow_exec", "exec_allowlist", "allow_net", "workspace", "routing"} & JOB_OPTIONS
