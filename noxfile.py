"""Developer tasks: `nox -s tests`, `nox -s lint`, `nox -s typecheck`, `nox -s bench`."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

TEST_EXTRAS = ".[test,server,nats]"


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite against an installed (not editable) altlas."""
    session.install(TEST_EXTRAS)
    session.run("pytest", *(session.posargs or ["-q"]))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", TEST_EXTRAS, "mypy>=1.10", "types-PyYAML")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks with their figures (see docs/performance.md)."""
    session.install(TEST_EXTRAS)
    session.run(
        "pytest",
        "benchmarks",
        "--benchmark-columns=min,median,mean,max,rounds",
        *session.posargs,
    )
