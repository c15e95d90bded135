"""Segmentation: natural-language commands (English and Turkish) become plans.

``altlas.segment("...")`` and ``altlas.segment.segment("...")`` are the same call: this package
shares its name with its main function, and once any ``altlas.segment.x`` module is imported the
attribute ``altlas.segment`` is this module, so the module itself is made callable.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from altlas.segment.core import analyze, build_plan, segment, segment_data

if TYPE_CHECKING:
    from altlas.formats.plan import Plan

__all__ = [
    "analyze",
    "build_plan",
    "segment",
    "segment_data",
]


class _CallableModule(types.ModuleType):
    """A module that can be called like the function it is named after."""

    def __call__(self, text: str, **options: Any) -> Plan:
        return segment(text, **options)


sys.modules[__name__].__class__ = _CallableModule
