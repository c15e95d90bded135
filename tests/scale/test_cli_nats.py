"""The NATS commands through the CLI (CliRunner, sealed home, a real nats-server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def test_status_lists_streams_consumers_and_no_dead_letters(cli: Any, nats_server: Any) -> None:
    result = cli("nats", "status", "--nats", nats_server.url, "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert [s["stream"] for s in found["streams"]] == [
        "ALTLAS_RUNS", "ALTLAS_EVENTS", "ALTLAS_RESULTS", "ALTLAS_DEAD",
    ]  # fmt: skip
    assert {c["consumer"] for c in found["consumers"]} == {"workers", "archive"}
    assert found["dead_letters"] == []


def test_submit_enqueues_a_plan_file_and_prints_its_run_id(
    cli: Any, nats_server: Any, tmp_path: Path
) -> None:
    plan = tmp_path / "p.alt"
    plan.write_text(
        json.dumps({"format": "altlas.alt", "id": "p", "tasks": [{"id": "a", "type": "echo"}]})
    )
    result = cli("submit", str(plan), "--nats", nats_server.url, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["run_id"].startswith("run_") and rows[0]["status"] is None
    status = json.loads(cli("nats", "status", "--nats", nats_server.url, "-f", "json").stdout)
    assert status["consumers"][0]["pending"] == 1


def test_an_unreachable_server_is_a_one_line_error(cli: Any, tmp_path: Path) -> None:
    result = cli("nats", "status", "--nats", "nats://127.0.0.1:9")
    assert result.exit_code == 75  # unavailable: try again later
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "cannot connect to NATS at nats://127.0.0.1:9" in lines[0]


def test_a_bad_nats_setting_names_the_section(cli: Any, altlas_home: Path) -> None:
    (altlas_home / "config.toml").write_text("[nats]\nmax_deliver = 0\n")
    result = cli("nats", "status")
    assert result.exit_code == 2  # a bad setting is bad input
    assert "[nats] max_deliver" in result.output
