"""The error tree: every class in exactly one group, one exit code and one status per group."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import altlas
from altlas import errors
from altlas.cli._common import EXIT_CODES, exit_code_for
from altlas.errors import (
    AltlasError,
    ArchiveError,
    AuthError,
    ConflictError,
    CorruptError,
    ExecutionError,
    InvalidInputError,
    MissingExtraError,
    NotAllowedError,
    NotFoundError,
    QuotaError,
    TooLargeError,
    UnavailableError,
    UnprocessableError,
    group_of,
)
from altlas.server.errors import HTTP_STATUSES, status_for

SRC = Path(altlas.__file__).parent
TAGS = {ArchiveError}
"""Classes that say where an error came from, not what to do; never raised bare."""

# The contract (docs/architecture.md, "Errors"): group -> (exit code, HTTP status).
GROUP_TABLE: dict[type[AltlasError], tuple[int, int]] = {
    InvalidInputError: (2, 400),
    NotFoundError: (3, 404),
    ConflictError: (4, 409),
    NotAllowedError: (5, 403),
    UnavailableError: (75, 503),
    CorruptError: (74, 500),
    ExecutionError: (1, 400),
}
# The documented refinements inside a group, most specific first.
REFINED: list[tuple[type[AltlasError], tuple[int, int]]] = [
    (MissingExtraError, (69, 501)),
    (AuthError, (5, 401)),
    (QuotaError, (5, 402)),
    (TooLargeError, (2, 413)),
    (UnprocessableError, (2, 422)),
]


def _import_everything() -> None:
    for info in pkgutil.walk_packages([str(SRC)], "altlas."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)


def _subclasses(cls: type[AltlasError]) -> set[type[AltlasError]]:
    found: set[type[AltlasError]] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


_import_everything()
EVERY_CLASS = sorted(_subclasses(AltlasError) - TAGS, key=lambda c: f"{c.__module__}.{c.__name__}")


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _expected(cls: type[AltlasError]) -> tuple[int, int]:
    for refined, numbers in REFINED:
        if issubclass(cls, refined):
            return numbers
    group = group_of(cls)
    assert group is not None
    return GROUP_TABLE[group]


def test_the_walk_finds_the_classes_of_every_layer() -> None:
    names = {c.__name__ for c in EVERY_CLASS}
    # one from the library, the server, the events and the run packages: a walk that
    # silently imported nothing would make every parametrised test below vacuous
    assert {"DecodeError", "PoolBusyError", "JobNotFoundError", "TransientError"} <= names
    assert len(EVERY_CLASS) > 30


@pytest.mark.parametrize("cls", EVERY_CLASS, ids=_name)
def test_every_class_reaches_exactly_one_group(cls: type[AltlasError]) -> None:
    reached = [g for g in errors.GROUPS if issubclass(cls, g)]
    assert len(reached) == 1, f"{_name(cls)} reaches {[g.__name__ for g in reached]}"
    assert group_of(cls) is reached[0]


@pytest.mark.parametrize("cls", EVERY_CLASS, ids=_name)
def test_exit_code_and_status_come_from_the_group_table(cls: type[AltlasError]) -> None:
    assert (exit_code_for(cls), status_for(cls)) == _expected(cls)


@pytest.mark.parametrize("cls", EVERY_CLASS, ids=_name)
def test_no_class_carries_its_own_numbers(cls: type[AltlasError]) -> None:
    """Only the edge tables know exit codes and statuses."""
    for attribute in ("exit_code", "http_status", "status_code"):
        assert not hasattr(cls, attribute), f"{_name(cls)}.{attribute}"


def test_the_tables_name_only_groups_and_documented_refinements() -> None:
    allowed = {AltlasError, *errors.GROUPS, *(cls for cls, _ in REFINED)}
    assert set(EXIT_CODES) <= allowed
    assert set(HTTP_STATUSES) <= allowed


def test_a_tag_is_never_a_group_and_its_children_each_reach_one() -> None:
    assert group_of(ArchiveError) is None
    children = _subclasses(ArchiveError)
    assert {group_of(c) for c in children} == {
        InvalidInputError,
        NotFoundError,
        ConflictError,
        UnavailableError,
        CorruptError,
    }


def _bare_raises(path: Path) -> list[str]:
    """``raise AltlasError(...)`` / ``ArchiveError(...)``: an error with no group."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in ("AltlasError", "ArchiveError"):
            found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_nothing_raises_an_error_without_a_group() -> None:
    bare = [hit for path in sorted(SRC.rglob("*.py")) for hit in _bare_raises(path)]
    assert bare == [], "raise the group class that says what the caller can do"


def test_old_names_stay_importable() -> None:
    from altlas.events.queue import JobNotFoundError, JobStateError
    from altlas.server.accounts import ConflictError as AccountConflict
    from altlas.server.offload import PoolBusyError

    assert AccountConflict is ConflictError
    assert issubclass(JobStateError, ConflictError)
    assert issubclass(JobNotFoundError, NotFoundError)
    assert issubclass(errors.RunNotFoundError, NotFoundError)
    assert issubclass(PoolBusyError, UnavailableError)
    assert issubclass(MissingExtraError, ImportError)


# --- end to end through the CLI ------------------------------------------------------------


def _one_error_line(result: object) -> str:
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


def test_a_missing_run_exits_3(cli) -> None:
    result = cli("runs", "show", "run_nothing")
    assert result.exit_code == 3
    assert "run_nothing" in _one_error_line(result)


def test_a_corrupt_archive_exits_74_with_one_line(cli, altlas_home: Path) -> None:
    (altlas_home / "altlas.db").write_bytes(b"this is not a database" * 200)
    result = cli("archive", "list")
    assert result.exit_code == 74, result.output
    assert "altlas.db" in _one_error_line(result)


def test_a_locked_journal_exits_75(cli, altlas_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another connection holding runs.db for writing is "try again", not bad input."""
    from altlas.storage import sqlite as storage_sqlite

    # wait 0.2 s for the lock instead of the default 30 s; everything else is real
    monkeypatch.setitem(storage_sqlite.connect.__kwdefaults__, "timeout", 0.2)
    assert cli("runs", "list").exit_code == 0
    journal = altlas_home / "runs.db"
    if not journal.exists():
        sqlite3.connect(journal).close()
    holder = sqlite3.connect(journal, timeout=0)
    holder.execute("PRAGMA journal_mode=DELETE").fetchall()
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = cli("runs", "list")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 75, result.output
    assert "runs.db" in _one_error_line(result)


def test_an_account_that_exists_is_a_conflict_exit_4(cli) -> None:
    add = ("users", "add", "ada", "--role", "viewer", "--password-stdin")
    assert cli(*add, input="long password!\n").exit_code == 0
    again = cli(*add, input="long password!\n")
    assert again.exit_code == 4
    assert "already exists" in _one_error_line(again)


# --- one line, whatever the parts hold -------------------------------------------------------


@given(
    message=st.text(max_size=60),
    file=st.none() | st.text(max_size=30),
    path=st.none() | st.text(max_size=20),
    task_id=st.none() | st.text(max_size=10),
)
def test_one_line_is_one_line(
    message: str, file: str | None, path: str | None, task_id: str | None
) -> None:
    error = UnavailableError(message, file=file, path=path, task_id=task_id)
    line = error.one_line()
    assert len(line.splitlines()) <= 1 and line == line.strip("\n\r") and str(error) == line
    for part in (message, file, path):
        for word in (part or "").split():
            assert word in line


def test_a_multi_line_cause_is_joined_into_one_line() -> None:
    error = InvalidInputError("invalid YAML:\n  in line 3\n\n  expected ':'", file="x.yaml")
    assert error.one_line() == "x.yaml: invalid YAML:; in line 3; expected ':'"


@given(message=st.text(max_size=60), path=st.text(max_size=20), file=st.text(max_size=20))
def test_every_validation_line_is_one_line(message: str, path: str, file: str) -> None:
    from altlas.errors import Diagnostic, ValidationError

    error = ValidationError([Diagnostic(message, path=path)], file=file or None)
    assert all(len(line.splitlines()) <= 1 for line in [*error.lines(), error.one_line()])


def test_the_drawn_trees_name_every_error_class() -> None:
    """errors.py's docstring and docs/architecture.md draw the tree; a new class joins both."""
    names = [
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type) and issubclass(getattr(errors, name), Exception)
    ]
    # From the checkout, not the package: CI installs altlas into site-packages.
    docs = Path(__file__).resolve().parents[1] / "docs"
    architecture = (docs / "architecture.md").read_text(encoding="utf-8")
    errors_section = architecture.split("## Errors", 1)[1].split("\n## ", 1)[0]
    for name in names:
        assert name in (errors.__doc__ or ""), name
        assert name in errors_section, name


def test_a_busy_journal_set_up_lock_is_unavailable_not_archive(altlas_home: Path) -> None:
    """The journal's set-up lock is the generic FileLock: busy is UnavailableError, untagged."""
    import subprocess
    import sys

    from altlas.storage.lock import FileLock

    lock_path = altlas_home / "runs.db.setup.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from altlas.storage.lock import FileLock\n"
            "with FileLock(Path(sys.argv[1]), what='the run journal').held('set-up'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(30)\n",
            str(lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(UnavailableError) as caught,
            FileLock(lock_path, timeout=0.2, what="the run journal").held("set-up"),
        ):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    assert not isinstance(caught.value, ArchiveError)
    assert exit_code_for(caught.value) == 75 and status_for(caught.value) == 503
    assert "run journal" in caught.value.one_line()
