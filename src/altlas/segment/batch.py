"""Batch segmentation: many commands in, one JSON plan per line out, streaming.

Input lines are plain commands or JSON objects ``{"id": ..., "command": ...}`` (chosen per
line: a line starting with ``{`` is JSON). Blank lines are skipped. A bad line becomes an
error item with its line number; the batch goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from altlas.errors import AltlasError, SegmentationError
from altlas.formats.plan import Plan
from altlas.segment.assemble import parse_now
from altlas.segment.core import segment_data

__all__ = ["BatchItem", "parse_line", "segment_lines"]


@dataclass(slots=True)
class BatchItem:
    """One input line's outcome: the plan's canonical data, or the error that stopped it."""

    line: int
    id: str | None
    data: dict[str, Any] | None = None
    error: str | None = None

    @property
    def plan(self) -> Plan | None:
        """The validated plan (built on demand; writing JSON Lines does not need it)."""
        return None if self.data is None else Plan.model_validate(self.data)

    def to_json(self) -> bytes:
        """The plan as one compact canonical JSON line."""
        assert self.data is not None
        return orjson.dumps(self.data) + b"\n"


def parse_line(raw: str) -> tuple[str | None, str] | None:
    """(id, command) of one input line, None for a blank line; SegmentationError if malformed."""
    text = raw.strip()
    if not text:
        return None
    if not text.startswith("{"):
        return None, text
    try:
        obj: Any = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise SegmentationError(f"invalid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise SegmentationError("a JSON line must be an object with a command")
    command = obj.get("command")
    if not isinstance(command, str):
        raise SegmentationError('a JSON line needs a "command" string')
    rid = obj.get("id")
    if rid is not None and not isinstance(rid, str | int):
        raise SegmentationError('"id" must be a string or an integer')
    return (None if rid is None else str(rid)), command


def segment_lines(lines: Iterable[str], **options: Any) -> Iterator[BatchItem]:
    """Segment each line lazily; ``options`` go to :func:`altlas.segment.segment`.

    One ``now`` is shared by the whole batch (the time it started, unless given), so its plans
    are comparable and reproducible with a seed.
    """
    options = dict(options)
    options["now"] = parse_now(options.get("now"))
    for number, raw in enumerate(lines, 1):
        try:
            parsed = parse_line(raw)
            if parsed is None:
                continue
            rid, command = parsed
            data = segment_data(command, plan_id=rid, **options)
        except AltlasError as exc:
            yield BatchItem(number, None, error=exc.message)
            continue
        yield BatchItem(number, rid, data=data)
