"""The package surface: lazy imports, the public names and the version."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

import altlas

HEAVY = ("polars", "tantivy", "litestar", "zstandard", "httpx", "uvicorn")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("code", ["import altlas", "import altlas.cli.main"])
def test_startup_imports_nothing_heavy(code: str) -> None:
    """`import altlas` and the CLI module load none of the heavy libraries."""
    loaded = _modules_after(code)
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_help_imports_nothing_heavy() -> None:
    """`altlas --help` renders without loading a heavy library."""
    code = (
        "import sys\n"
        "from altlas.cli.main import app\n"
        "try:\n    app(['--help'], prog_name='altlas')\nexcept SystemExit:\n    pass\n"
    )
    loaded = _modules_after(code)
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_version_matches_the_installed_metadata() -> None:
    """__version__ is the distribution's version."""
    assert altlas.__version__ == version("altlas")


def test_all_is_sorted_and_resolvable() -> None:
    """Every name in __all__ resolves, and the list is sorted."""
    assert list(altlas.__all__) == sorted(altlas.__all__)
    for name in altlas.__all__:
        assert getattr(altlas, name) is not None, name


def test_unknown_attribute_is_an_attribute_error() -> None:
    """The lazy facade does not swallow typos."""
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        altlas.nope  # noqa: B018
