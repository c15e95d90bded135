"""The JWT signing key: generated once with mode 0600, or taken from a secret reference."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from altlas.errors import ConfigError
from altlas.server.signing import derive, key_path, signing_key


def test_generated_once_with_private_permissions(tmp_path: Path) -> None:
    first = signing_key(tmp_path)
    path = key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(first) >= 32
    assert signing_key(tmp_path) == first
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".jwt.key.")]


def test_readable_key_file_is_refused(tmp_path: Path) -> None:
    signing_key(tmp_path)
    key_path(tmp_path).chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        signing_key(tmp_path)


def test_secret_reference_wins_and_must_be_long(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("JWT_SECRET", "x" * 40)
    assert signing_key(tmp_path, "env:JWT_SECRET") == "x" * 40
    assert not key_path(tmp_path).exists()
    monkeypatch.setenv("JWT_SECRET", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        signing_key(tmp_path, "env:JWT_SECRET")
    with pytest.raises(ConfigError, match=r"not a bare value"):
        signing_key(tmp_path, "a-bare-secret-value-that-is-long-enough-to-pass")


def test_derived_secrets_differ_per_purpose() -> None:
    assert derive("k" * 32, "csrf") != derive("k" * 32, "other")
    assert derive("k" * 32, "csrf") == derive("k" * 32, "csrf")
