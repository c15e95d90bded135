"""The types the segmentation steps hand each other: what the rules found, and a segment as
any backend reports it. They live apart so that ``core``, ``assemble`` and ``llm`` all import
them, and none of those imports another to get a type.
"""

from __future__ import annotations

from dataclasses import dataclass

from altlas.segment.language import Detection
from altlas.segment.segments import Segment
from altlas.segment.text import Token

__all__ = ["Analysis", "SegmentSpec"]


@dataclass
class SegmentSpec:
    """A segment as any backend reports it: its span, type, confidence and dependencies."""

    start: int
    end: int
    type: str
    confidence: float
    dependencies: list[int]
    segment: Segment | None = None


@dataclass
class Analysis:
    """What the rules found in a command."""

    command: str
    language: str
    detection: Detection
    tokens: list[Token]
    segments: list[Segment]
    dependencies: list[list[int]]

    def specs(self) -> list[SegmentSpec]:
        tokens = self.tokens
        return [
            SegmentSpec(tokens[s.first].start, tokens[s.last].end, s.type, s.confidence, d, s)
            for s, d in zip(self.segments, self.dependencies, strict=True)
        ]
