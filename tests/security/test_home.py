"""Issue 9, item 16: an unusable home gives one line naming the path and the cause, exit 1.

A home that is a file, cannot be created, is not writable, is on a read-only mount or on a full
disk. Read-only commands keep working where the home can be read; the stores stay consistent.
Mounts (read-only, full) need root and ``mount -t tmpfs``; they skip with the reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest

from altlas.formats import io
from altlas.index import Archive
from altlas.index.synthetic import synthetic_result

READS = (
    ("runs", "list"),
    ("runs", "show", "{run}"),
    ("archive", "list"),
    ("archive", "search", "*"),
    ("archive", "stats"),
    ("archive", "show", "{archived}"),
)
WRITES = (
    ("run", "{plan}", "-q", "-o", "{out}"),
    ("archive", "add", "{inputs}"),
    ("archive", "verify", "--repair"),
)
CAUSES = ("EROFS", "EACCES", "EPERM", "ENOSPC", "not a directory", "ENOTDIR")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A plan, results to add and a writable working directory outside the home."""
    folder = tmp_path / "work"
    inputs = folder / "inputs"
    for i in range(4):
        result = synthetic_result(i, seed=21)
        io.write(result, inputs / f"{result.id}.last")
    plan = folder / "plan.alt"
    plan.write_bytes(
        orjson.dumps({"format": "altlas.alt", "id": "home", "tasks": [{"id": "a", "type": "echo"}]})
    )
    monkeypatch.chdir(folder)
    return {"plan": str(plan), "inputs": str(inputs), "out": str(folder / "out.last")}


def _fill_home(home: Path, cli: Callable[..., object], work: dict[str, str]) -> str:
    """An archive with results and a journal with one run; returns an archived id."""
    res = cli("archive", "add", work["inputs"])
    assert res.exit_code == 0, res.stderr  # type: ignore[attr-defined]
    res = cli("run", work["plan"], "-q", "-o", work["out"])
    assert res.exit_code == 0, res.stderr  # type: ignore[attr-defined]
    listed = cli("runs", "list", "-f", "json")
    work["run"] = orjson.loads(listed.stdout)[0]["id"]  # type: ignore[attr-defined]
    with Archive(home) as arch:
        return arch.records(limit=1)[0].id


def _args(command: tuple[str, ...], work: dict[str, str], archived: str) -> list[str]:
    return [part.format(archived=archived, **{"run": "run_x", **work}) for part in command]


def _one_line(res: object, home: Path, *causes: str, code: int = 75) -> str:
    """One line naming the home; exit 75 (try again) for the environment, 2 for a bad home."""
    stderr = res.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert res.exit_code == code, (res.exit_code, res.stderr)  # type: ignore[attr-defined]
    assert len(stderr) == 1, stderr
    line = stderr[0]
    assert line.startswith("error: ") and "Traceback" not in line, line
    assert str(home) in line, line
    assert any(cause in line for cause in causes or CAUSES), line
    assert "--repair" not in line, line  # nothing here is damage
    return line


@contextmanager
def _unwritable(folder: Path) -> Iterator[None]:
    """Nobody may create files in ``folder``: chmod for users, chattr +i for root."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)], check=False).returncode:
        pytest.skip("running as root and 'chattr +i' is not available to make a folder unwritable")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


@contextmanager
def _tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)],
        check=False,
        capture_output=True,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip() or 'refused'}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def _relocate(home: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(home, target)
    monkeypatch.setenv("ALTLAS_HOME", str(target))
    return target


# -- homes that cannot exist -------------------------------------------------------------------


def test_home_that_is_a_file(cli, tmp_path: Path, work, monkeypatch) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    monkeypatch.setenv("ALTLAS_HOME", str(home))
    for command in READS + WRITES + (("archive", "verify"),):
        res = cli(*_args(command, work, "0123456789abcdef"))
        _one_line(res, home, "not a directory", code=2)
    assert home.read_text() == "not a folder"


def test_home_that_cannot_be_created(cli, tmp_path: Path, work, monkeypatch) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    home = parent / "deeper" / "home"
    monkeypatch.setenv("ALTLAS_HOME", str(home))
    with _unwritable(parent):
        for command in READS + WRITES + (("archive", "verify"),):
            res = cli(*_args(command, work, "0123456789abcdef"))
            _one_line(res, home, code=2)
    assert not (parent / "deeper").exists()


# -- homes that exist but cannot be written --------------------------------------------------


def _reads_work_writes_fail(cli, home: Path, work, archived: str, *, must_fail: bool) -> None:
    """Reads answer; writes fail with one line (or, where the files themselves can still be
    written, succeed); nothing is moved aside."""
    before = sorted(p.name for p in home.iterdir() if not p.name.endswith(("-wal", "-shm")))
    for command in READS:
        res = cli(*_args(command, work, archived))
        assert res.exit_code == 0, (command, res.stderr)
    listed = cli("runs", "list", "-f", "json")
    assert work["run"] in [r["id"] for r in orjson.loads(listed.stdout)]
    assert len(orjson.loads(cli("archive", "list", "-f", "json").stdout)) == 4
    for command in WRITES:
        res = cli(*_args(command, work, archived))
        if must_fail or res.exit_code:
            _one_line(res, home)
    after = sorted(p.name for p in home.iterdir() if not p.name.endswith(("-wal", "-shm")))
    assert after == before  # nothing moved aside or added


def test_home_that_is_not_writable(cli, altlas_home: Path, work) -> None:
    archived = _fill_home(altlas_home, cli, work)
    with _unwritable(altlas_home):
        _reads_work_writes_fail(cli, altlas_home, work, archived, must_fail=False)
    assert cli("archive", "verify").exit_code == 0
    assert cli("runs", "verify").exit_code == 0


def test_read_only_home(cli, altlas_home: Path, tmp_path: Path, work, monkeypatch) -> None:
    archived = _fill_home(altlas_home, cli, work)
    with _tmpfs(tmp_path / "ro", "64m") as mount:
        home = _relocate(altlas_home, mount / "home", monkeypatch)
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(mount)], check=False, capture_output=True
        )
        if remount.returncode:
            pytest.skip("cannot remount the tmpfs read-only")
        _reads_work_writes_fail(cli, home, work, archived, must_fail=True)
        checked = cli("archive", "verify")
        assert checked.exit_code == 0, checked.stdout + checked.stderr
        assert cli("runs", "verify").exit_code == 0
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
        assert cli("archive", "verify").exit_code == 0


# -- a full disk ------------------------------------------------------------------------------


def _fill_disk(mount: Path) -> Path:
    filler = mount / "filler"
    with filler.open("wb") as fh:
        try:
            for _ in range(10_000):  # bounded: the tmpfs is a few MB
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    return filler


def test_full_disk(cli, altlas_home: Path, tmp_path: Path, work, monkeypatch) -> None:
    _fill_home(altlas_home, cli, work)
    more = Path(work["inputs"]).parent / "more"
    for i in range(30):
        result = synthetic_result(100 + i, seed=22)
        io.write(result, more / f"{result.id}.last")
    with _tmpfs(tmp_path / "full", "6m") as mount:
        home = _relocate(altlas_home, mount / "home", monkeypatch)
        filler = _fill_disk(mount)
        res = cli("run", work["plan"], "-q", "-o", work["out"])
        _one_line(res, home, "ENOSPC", "disk is full")
        res = cli("archive", "add", str(more))
        _one_line(res, home, "ENOSPC", "disk is full")
        # Item 12: a full disk is not damage; repair must leave the database where it is.
        for command in (("archive", "list"), ("archive", "verify", "--repair")):
            res = cli(*command)
            if res.exit_code:
                _one_line(res, home, "ENOSPC", "disk is full")
        assert not list(home.glob("altlas.db.damaged-*"))
        filler.unlink()
        verified = cli("archive", "verify")
        assert verified.exit_code == 0, verified.stdout + verified.stderr
        assert cli("runs", "verify").exit_code == 0
        assert len(orjson.loads(cli("archive", "list", "-f", "json", "-n", "0").stdout)) == 4
        added = cli("archive", "add", str(more))
        assert added.exit_code == 0, added.stderr
        assert cli("archive", "verify").exit_code == 0
