"""Pieces shared by the three canonical formats: enums, timestamps, ids and field paths."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, ValidationInfo
from pydantic.functional_validators import AfterValidator

__all__ = [
    "ArtifactKind",
    "LooseEnum",
    "Mode",
    "Priority",
    "StrictModel",
    "TaskStatus",
    "Timestamp",
    "format_path",
    "new_id",
    "to_rfc3339",
    "utcnow",
]


class LooseEnum(StrEnum):
    """A StrEnum read leniently: case and surrounding spaces do not matter on input."""

    @classmethod
    def _lookup_key(cls, text: str) -> str:
        return text.strip().lower()

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            return cls._value2member_map_.get(cls._lookup_key(value))
        return None


class Mode(LooseEnum):
    """How a plan was produced. Case-insensitive on input (``Normal`` and ``normal``)."""

    NORMAL = "normal"
    DREAM = "dream"
    EXPLORE = "explore"
    CHAOS = "chaos"


class Priority(LooseEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class TaskStatus(StrEnum):
    """State of one task in a run."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"

    @property
    def finished(self) -> bool:
        return self not in (TaskStatus.PENDING, TaskStatus.RUNNING)


class ArtifactKind(StrEnum):
    FILE = "file"
    IMAGE = "image"
    TEXT = "text"
    JSON = "json"
    LOG = "log"
    OTHER = "other"


class StrictModel(BaseModel):
    """Base of the canonical models: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_enum_values=False)

    @classmethod
    def assembled(cls, values: dict[str, Any]) -> Self:
        """What ``model_construct(**values)`` makes when ``values`` holds every field (in the
        fields' order), in a fraction of its time (no per-field default lookup): for models
        the runner builds from values it made itself, several per run. ``values`` becomes the
        model's own dict."""
        # in the fields' order: a model dumps its dict in that order, so the bytes match
        if list(values) != list(cls.model_fields):
            raise TypeError(f"{cls.__name__}.assembled needs every field, in order, no other")
        if cls.__private_attributes__ or cls.__pydantic_post_init__:
            raise TypeError(f"{cls.__name__} has private state: use model_construct")
        model = object.__new__(cls)
        object.__setattr__(model, "__dict__", values)
        object.__setattr__(model, "__pydantic_fields_set__", set(values))
        object.__setattr__(model, "__pydantic_extra__", None)
        object.__setattr__(model, "__pydantic_private__", None)
        return model


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def to_rfc3339(value: datetime) -> str:
    """RFC 3339 with ``Z``: what the original runner (chrono) reads and writes."""
    if value.tzinfo is UTC:
        # the common case (every run event's time), several times per small run: orjson writes
        # the same text (``Z``, microseconds only when there are) without astimezone/isoformat
        return orjson.dumps(value, option=orjson.OPT_UTC_Z)[1:-1].decode()
    value = value.astimezone(UTC)
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def _parse_timestamp(value: Any, info: ValidationInfo) -> Any:
    raw = value
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from exc
    if isinstance(value, datetime) and value.tzinfo is None:
        warnings = info.context.get("warnings") if isinstance(info.context, dict) else None
        if warnings is not None:
            warnings.append((info.field_name, raw, value.isoformat()))
        value = value.replace(tzinfo=UTC)
    return value


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


Timestamp = Annotated[
    datetime,
    BeforeValidator(_parse_timestamp),
    AfterValidator(_as_utc),
    PlainSerializer(to_rfc3339, return_type=str, when_used="json-unless-none"),
]
"""A timezone-aware UTC timestamp. Naive input is accepted as UTC with a warning."""


def format_path(loc: Sequence[str | int]) -> str:
    """``("tasks", 2, "dependencies", 0)`` -> ``tasks[2].dependencies[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
