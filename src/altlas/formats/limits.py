"""Hard limits on what one document may cost to read, enforced while it is read.

A hostile file must fail fast, in one line, with memory near the limit: a compression bomb is
aborted when its output reaches ``max_decompressed_bytes`` (never inflated first and measured
after), YAML aliases may add at most ``max_yaml_nodes`` nodes once expanded, containers nest at
most ``max_json_depth`` levels below the top, YAML text is at most ``max_yaml_bytes`` (its
parser needs far more memory per byte than JSON's), integers fit in 64 bits (what every JSON writer
of the project can write back), and a plan holds at most ``max_tasks_per_plan`` tasks.

The reading functions of :mod:`altlas.formats.io` take a :class:`ReadLimits`; without one they
use the defaults. The CLI, the server and the archive build theirs from ``[formats]`` with
:meth:`ReadLimits.from_settings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from altlas.errors import ConfigError, DecodeError

if TYPE_CHECKING:
    from altlas.config import Settings

__all__ = [
    "DEFAULT_LIMITS",
    "FormatsSettings",
    "ReadLimits",
    "check_tree",
    "clip",
    "describe_bytes",
    "readable",
    "readable_path",
]

JSON_DEPTH_CEILING = 200
"""Deeper than this, the fast JSON parser refuses and converted documents (a dialect may add a
few levels) would pass orjson's 255-level writing limit; ``max_json_depth`` cannot go higher."""

_INT_MIN = -(1 << 63)
_INT_END = 1 << 64


class FormatsSettings(BaseModel):
    """The ``[formats]`` section of config.toml (``ALTLAS_FORMATS__<KEY>`` in the environment)."""

    model_config = ConfigDict(extra="forbid")

    max_decompressed_bytes: int = Field(default=64 << 20, ge=1024)
    max_yaml_bytes: int = Field(default=8 << 20, ge=1024)
    max_yaml_nodes: int = Field(default=100_000, ge=0)
    max_json_depth: int = Field(default=JSON_DEPTH_CEILING, ge=8, le=JSON_DEPTH_CEILING)
    max_tasks_per_plan: int = Field(default=20_000, ge=1)


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """What one read may cost. Immutable, so one object can serve every thread."""

    max_decompressed_bytes: int = 64 << 20
    """Bytes a zstd, gzip or zip container may inflate to (the whole nest of containers)."""
    max_yaml_bytes: int = 8 << 20
    """YAML text parsed at all: PyYAML's nodes cost up to ~190 bytes of memory per byte of text
    (a 64 MiB list of one-digit numbers would take 12 GB), so YAML gets a smaller limit than
    JSON (~20 bytes per byte). A 10,000-task plan is 4.7 MiB of YAML."""
    max_yaml_nodes: int = 100_000
    """Nodes YAML aliases may add once expanded (the alias budget; plain nodes do not count)."""
    max_json_depth: int = JSON_DEPTH_CEILING
    """Levels of nesting below the top-level mapping (JSON and YAML alike)."""
    max_tasks_per_plan: int = 20_000

    def __post_init__(self) -> None:
        # The same bounds as FormatsSettings, for limits built in code rather than config.
        if not 8 <= self.max_json_depth <= JSON_DEPTH_CEILING:
            raise ConfigError(f"max_json_depth must be from 8 to {JSON_DEPTH_CEILING}")
        if min(self.max_decompressed_bytes, self.max_yaml_bytes) < 1024:
            raise ConfigError("max_decompressed_bytes and max_yaml_bytes must be >= 1024")
        if self.max_tasks_per_plan < 1:
            raise ConfigError("max_tasks_per_plan must be >= 1")
        if self.max_yaml_nodes < 0:
            raise ConfigError("max_yaml_nodes must be >= 0")

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        section = settings.section("formats", FormatsSettings)
        return cls(**section.model_dump())


DEFAULT_LIMITS = ReadLimits()


def describe_bytes(count: int) -> str:
    """``67108864`` -> ``64 MiB``: limits read better in binary units."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift and count % (1 << (shift - 4)) == 0:
            value = count / (1 << shift)
            return f"{value:g} {unit}"
    return f"{count} bytes"


def clip(value: object, limit: int = 80) -> str:
    """``value`` as text, cut to ``limit`` characters plus "…" (a 10 MB key stays readable)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…"


_LONG_QUOTED = re.compile(r"'([^'\n]{81,})'|\"([^\"\n]{81,})\"")


def readable(message: str, limit: int = 80) -> str:
    """``message`` with every quoted value longer than ``limit`` cut, and at most ~500 characters.

    Messages quote ids, keys and values from the document; a 10 MB key must not make a
    10 MB error line.
    """
    if len(message) <= limit:
        return message
    if len(message) > 100_000:
        message = message[:100_000] + "'"
    message = _LONG_QUOTED.sub(lambda m: f"'{clip(m.group(1) or m.group(2), limit)}'", message)
    return clip(message, 500)


def readable_path(path: str) -> str:
    """A field path of a hostile document (10 MB keys, 200 levels) cut to a readable length."""
    return path if len(path) <= 160 else f"{path[:100]}…{path[-40:]}"


def _path_text(chain: tuple[Any, ...] | None) -> str:
    parts: list[str] = []
    while chain is not None:
        chain, key = chain
        parts.append(f"[{key}]" if isinstance(key, int) else f".{clip(key, 40)}")
    text = "".join(reversed(parts))
    return readable_path(text.removeprefix("."))


def check_tree(data: Any, limits: ReadLimits) -> None:
    """Nesting depth and integer range of parsed data, without recursion.

    Raises :class:`DecodeError` naming the first offending field path and the setting.
    The path is kept as a linked chain so the happy path builds no strings.
    """
    max_depth = limits.max_json_depth
    stack: list[tuple[Any, int, tuple[Any, ...] | None]] = [(data, 0, None)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth, chain = pop()
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:
            kind = type(value)
            if kind is dict or kind is list:
                if depth >= max_depth:
                    raise DecodeError(
                        f"nesting deeper than {max_depth} levels (limit: [formats] max_json_depth)",
                        path=_path_text((chain, key)),
                    )
                push((value, depth + 1, (chain, key)))
            elif kind is int and not _INT_MIN <= value < _INT_END:
                raise DecodeError(
                    f"integer {clip(str(value), 24)} does not fit in 64 bits "
                    "(write it as a string)",
                    path=_path_text((chain, key)),
                )
