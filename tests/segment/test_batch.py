"""Batch segmentation: text or JSON lines in, plans out, bad lines reported and skipped."""

from __future__ import annotations

from datetime import datetime

import orjson
import pytest

from altlas.errors import SegmentationError
from altlas.segment.batch import parse_line, segment_lines


def test_parse_line_accepts_text_and_json() -> None:
    """Plain text is a command; a JSON object gives id and command; blank lines are None."""
    assert parse_line("Open it\n") == (None, "Open it")
    assert parse_line('{"id": "a1", "command": "Open it"}') == ("a1", "Open it")
    assert parse_line('{"id": 7, "command": "Open it"}') == ("7", "Open it")
    assert parse_line("   \n") is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{nope", "invalid JSON"),
        ('{"id": "x"}', "command"),
        ('{"command": "x", "id": [1]}', "id"),
    ],
)
def test_parse_line_rejects_malformed_json(line: str, message: str) -> None:
    """Malformed JSON lines are clear errors."""
    with pytest.raises(SegmentationError, match=message):
        parse_line(line)


def test_bad_lines_do_not_stop_the_batch(now: datetime) -> None:
    """Every good line gives a plan, every bad one an error with its line number."""
    lines = [
        "Open the report and summarize it\n",
        '{"id": "tr-1", "command": "Raporu aç ve özetle"}\n',
        "{broken\n",
        "\n",
        '{"id": "empty", "command": "   "}\n',
        "Find hotels in Rome\n",
    ]
    items = list(segment_lines(lines, now=now))
    assert [(i.line, i.error is None) for i in items] == [
        (1, True),
        (2, True),
        (3, False),
        (5, False),
        (6, True),
    ]
    assert items[1].plan is not None and items[1].plan.id == "tr-1"
    assert items[3].error is not None and "empty" in items[3].error
    plan = orjson.loads(items[0].to_json())
    assert plan["format"] == "altlas.alt"
    assert [t["type"] for t in plan["tasks"]] == ["open", "summarize"]


def test_one_clock_for_the_whole_batch() -> None:
    """All plans of a batch share created_at."""
    items = list(segment_lines(["Open it", "Close it"]))
    stamps = {i.plan.created_at for i in items if i.plan is not None}
    assert len(stamps) == 1


def test_streams_lazily(now: datetime) -> None:
    """Plans come out before the input is exhausted."""

    def source() -> object:
        yield "Open it"
        raise AssertionError("read too far")

    first = next(segment_lines(source(), now=now))  # type: ignore[arg-type]
    assert first.plan is not None


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"mode": "dream", "seed": 1},
        {"mode": "explore"},
        {"mode": "chaos", "chaos_level": 9, "seed": 4},
        {"persona": "project_manager"},
        {"persona": "researcher", "seed": 2, "language": "en"},
    ],
)
def test_batch_data_is_exactly_the_canonical_plan(
    options: dict[str, object], now: datetime
) -> None:
    """What batch mode writes equals the validated Plan dumped as canonical JSON."""
    from altlas.formats.plan import Plan
    from altlas.segment import segment_data

    for command in (
        "Find flights to Rome, then book the cheapest one tomorrow at 9",
        "Raporu indirip özetle ve sonuçları Ali'ye gönder",
        'Open "Q3.pdf", summarize it and email the summary to ali@example.com',
    ):
        data = segment_data(command, now=now, **options)  # type: ignore[arg-type]
        assert Plan.model_validate(data).model_dump(mode="json") == data
        assert orjson.loads(orjson.dumps(data)) == data
