"""Run options: config file, environment and keyword precedence, and bad values."""

from __future__ import annotations

import pytest

import altlas
from altlas.errors import ConfigError
from altlas.run.options import RunConfig


def test_precedence_config_env_keyword(mkplan, workspace, altlas_home, monkeypatch) -> None:
    """config.toml < ALTLAS_RUN__* < keyword options."""
    (altlas_home / "config.toml").write_text("[run]\nconcurrency = 2\nretries = 1\n")
    plan = mkplan({"id": "a"})
    assert altlas.run(plan, workspace=workspace).metadata["concurrency"] == 2
    monkeypatch.setenv("ALTLAS_RUN__CONCURRENCY", "3")
    assert altlas.run(plan, workspace=workspace).metadata["concurrency"] == 3
    assert altlas.run(plan, workspace=workspace, concurrency=5).metadata["concurrency"] == 5


def test_bad_config_value_names_the_key(mkplan, altlas_home) -> None:
    (altlas_home / "config.toml").write_text("[run]\nconcurrency = 0\n")
    with pytest.raises(ConfigError, match=r"\[run\] concurrency"):
        altlas.run(mkplan({"id": "a"}))


def test_allowlist_from_a_comma_string_and_routing_keys_lowercased() -> None:
    cfg = RunConfig(exec_allowlist="git, ls", routing={"Search": "echo"})
    assert cfg.exec_allowlist == ["git", "ls"]
    assert cfg.routing == {"search": "echo"}


def test_unknown_config_key_is_refused(altlas_home, mkplan) -> None:
    (altlas_home / "config.toml").write_text("[run]\nconcurency = 2\n")
    with pytest.raises(ConfigError, match="concurency"):
        altlas.run(mkplan({"id": "a"}))
