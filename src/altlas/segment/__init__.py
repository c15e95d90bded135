"""Segmentation: natural-language commands (English and Turkish) become plans.

``altlas.segment("...")`` and ``altlas.segment.segment("...")`` are the same call: this package
shares its name with its main function, and once any ``altlas.segment.x`` module is imported the
attribute ``altlas.segment`` is this module, so the module itself is made callable.
"""

from __future__ import annotations

from altlas._callable import make_callable
from altlas.segment.core import analyze, build_plan, segment, segment_data

__all__ = [
    "analyze",
    "build_plan",
    "segment",
    "segment_data",
]


make_callable(__name__, "altlas.segment.core:segment")
