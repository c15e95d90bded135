"""``altlas do``: a command in words becomes grounded operations, a plan, a run and an answer."""

from __future__ import annotations

from altlas.do.context import GroundContext
from altlas.do.operations import Operation

__all__ = ["GroundContext", "Operation"]
