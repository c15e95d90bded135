"""Files altlas writes for the person follow the umask; keys stay 0600 (issue 11)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_plan_result_and_converted_files_follow_the_umask(cli, tmp_path, umask_022) -> None:
    plan = tmp_path / "p.alt"
    assert cli("segment", "Find flights to Rome", "-o", str(plan)).exit_code == 0
    converted = tmp_path / "p.yaml"
    assert cli("convert", str(plan), "-o", str(converted)).exit_code == 0
    result = tmp_path / "r.last"
    cli("run", str(plan), "-o", str(result), "-q")
    for path in (plan, converted, result):
        assert _mode(path) == 0o644, path


def test_a_stricter_umask_is_honoured(cli, tmp_path) -> None:
    old = os.umask(0o077)
    try:
        plan = tmp_path / "p.alt"
        assert cli("segment", "Find flights to Rome", "-o", str(plan)).exit_code == 0
    finally:
        os.umask(old)
    assert _mode(plan) == 0o600


def test_private_writes_stay_0600(tmp_path, umask_022) -> None:
    from altlas.formats.io import atomic_write_bytes

    folder = tmp_path / "keys"
    secret = atomic_write_bytes(folder / "k", b"x", private=True)
    assert _mode(secret) == 0o600
    assert [p.name for p in folder.iterdir()] == ["k"]  # no temporary file left behind


def test_the_signing_key_stays_private_under_a_loose_umask(altlas_home, umask_022) -> None:
    from altlas.server.signing import key_path, signing_key

    signing_key(altlas_home)
    assert _mode(key_path(altlas_home)) == 0o600
