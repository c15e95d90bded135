"""What the segmentation dialect's reader and writer share: the key orders of the original
models, what may be stashed, and the defaults the writer puts next to a parameter value."""

from __future__ import annotations

from typing import Any

from altlas.formats.dialects._support import PLAN_STASHABLE
from altlas.formats.plan import Task

__all__ = [
    "ADVANCED",
    "DEFAULT_CHAOS_LEVEL",
    "FAMILY",
    "PARAMETER_KEYS",
    "PLAN_STASHABLE",
    "SEGMENT_V1_KEYS",
    "SEGMENT_V2_KEYS",
    "TASK_STASHABLE",
    "V1_KEYS",
    "V2_KEYS",
    "infer_type",
    "parameter_defaults",
]

FAMILY = "segmentation"
V1_KEYS = (
    "id",
    "version",
    "timestamp",
    "command",
    "language",
    "mode",
    "persona",
    "chaos_level",
    "segments",
    "metadata",
)
V2_KEYS = (*V1_KEYS, "global_variables", "functions")
SEGMENT_V1_KEYS = ("id", "task_type", "content", "parameters", "dependencies", "metadata")
ADVANCED = ("condition", "loop", "function_def", "function_call")
SEGMENT_V2_KEYS = (*SEGMENT_V1_KEYS, "variables", *ADVANCED)
PARAMETER_KEYS = ("name", "value", "type", "required", "description")
DEFAULT_CHAOS_LEVEL = 5
"""What the original command parser assumed in Chaos mode without a level."""

TASK_STASHABLE = frozenset(Task.model_fields) - {"id", "metadata"}


def infer_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def parameter_defaults(value: Any) -> dict[str, Any]:
    """What the writer puts next to a value when nothing else is known."""
    return {"type": infer_type(value), "required": False, "description": None}
