"""Without the server extra, `altlas serve` names the extra to install instead of crashing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Setting a module to None in sys.modules makes `import` raise ImportError, as if uninstalled.
BLOCK = "import sys; sys.modules['{mod}'] = None; sys.argv = ['altlas', *sys.argv[1:]]; "


@pytest.mark.parametrize("mod", ["uvicorn", "litestar"])
def test_serve_without_the_server_extra(mod: str, altlas_home) -> None:  # type: ignore[no-untyped-def]
    """One line, exit 69 (EX_UNAVAILABLE), and the pip command that fixes it."""
    code = BLOCK.format(mod=mod) + "from altlas.cli.main import run; run()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "serve", "--port", "0"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "ALTLAS_HOME": str(altlas_home)},
    )
    assert proc.returncode == 69
    assert "pip install 'altlas[server]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_create_app_without_litestar_is_an_import_error() -> None:
    """The library raises MissingExtraError, which is also an ImportError."""
    code = (
        "import sys; sys.modules['litestar'] = None\n"
        "from altlas.server import create_app\n"
        "try:\n    create_app()\nexcept ImportError as exc:\n    print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("MissingExtraError this needs the 'server' extra (litestar")
