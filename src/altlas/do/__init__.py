"""``altlas do``: a command in words becomes grounded operations, a plan, a run and an answer.

``altlas.do(command, workspace=...)`` calls :func:`altlas.do.api.do` (the package is callable,
like ``altlas.run`` and ``altlas.segment``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from altlas._callable import make_callable
from altlas.do.context import GroundContext
from altlas.do.operations import Operation

if TYPE_CHECKING:
    from altlas.do.api import DoOutcome

__all__ = ["DoOutcome", "GroundContext", "Operation", "do"]


def do(command: str, workspace: Any = ".", **options: Any) -> DoOutcome:
    """See :func:`altlas.do.api.do`."""
    from altlas.do.api import do as run_command

    return run_command(command, workspace, **options)


def __getattr__(name: str) -> Any:
    if name == "DoOutcome":
        from altlas.do.api import DoOutcome

        return DoOutcome
    raise AttributeError(f"module 'altlas.do' has no attribute {name!r}")


make_callable(__name__, "altlas.do.api:do")
