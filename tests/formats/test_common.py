"""Shared field helpers of the formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from altlas.formats.common import TaskStatus, to_rfc3339
from altlas.formats.result import GraphNode, TaskResult

_TIMES = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))


@given(_TIMES)
def test_a_utc_time_is_written_as_any_other_zero_offset_time(naive: datetime) -> None:
    # UTC itself takes the short way (orjson); another zero-offset zone the general one
    zero = timezone(timedelta(0), "zero")
    assert to_rfc3339(naive.replace(tzinfo=UTC)) == to_rfc3339(naive.replace(tzinfo=zero))


@given(_TIMES, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_the_same_instant_is_the_same_text_whatever_its_zone(naive: datetime, minutes: int) -> None:
    instant = naive.replace(tzinfo=UTC)
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    assert to_rfc3339(local) == to_rfc3339(instant)
    assert to_rfc3339(instant).endswith("Z")


def test_microseconds_only_when_there_are() -> None:
    assert to_rfc3339(datetime(2026, 12, 5, 4, 40, tzinfo=UTC)) == "2026-12-05T04:40:00Z"
    assert to_rfc3339(datetime(2026, 12, 5, 4, 40, 0, 5, tzinfo=UTC)) == (
        "2026-12-05T04:40:00.000005Z"
    )


_STATUS = st.sampled_from(list(TaskStatus))
_MAYBE_TIME = st.none() | _TIMES.map(lambda t: t.replace(tzinfo=UTC))
_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    st.fixed_dictionaries(
        {
            "task_id": st.text(min_size=1, max_size=8),
            "status": _STATUS,
            "type": st.none() | st.text(max_size=8),
            "description": st.none() | st.text(max_size=8),
            "handler": st.none() | st.text(max_size=8),
            "attempts": st.integers(min_value=0, max_value=9),
            "started_at": _MAYBE_TIME,
            "finished_at": _MAYBE_TIME,
            "duration_ms": st.none() | st.floats(min_value=0, max_value=1e9),
            "output": _JSONISH,
            "error": st.none(),
            "cached": st.booleans(),
            "metadata": st.dictionaries(st.text(max_size=5), _JSONISH, max_size=3),
        }
    )
)
def test_assembled_is_the_model_that_model_construct_makes(values: dict[str, Any]) -> None:
    fast = TaskResult.assembled({name: values[name] for name in TaskResult.model_fields})
    slow = TaskResult.model_construct(**values)
    assert fast == slow
    assert fast.model_fields_set == slow.model_fields_set
    assert list(fast.model_dump(mode="json").items()) == list(slow.model_dump(mode="json").items())
    # and what the runner builds this way is what validation would accept as it is
    assert TaskResult.model_validate(fast.model_dump()) == fast


def test_assembled_refuses_values_that_are_not_every_field() -> None:
    node = {"task_id": "a", "status": TaskStatus.COMPLETED, "duration_ms": None}
    with pytest.raises(TypeError, match=r"^GraphNode\.assembled needs every field"):
        GraphNode.assembled(node)
    whole = {**node, "started_at": None, "finished_at": None}
    with pytest.raises(TypeError, match="needs every field"):
        GraphNode.assembled({**whole, "extra": 1})
    with pytest.raises(TypeError, match="in order"):  # a model dumps its dict in its order
        GraphNode.assembled({"status": TaskStatus.COMPLETED, **whole})
    assert GraphNode.assembled(dict(whole)) == GraphNode.model_construct(**whole)


def test_assembled_refuses_a_model_with_private_state() -> None:
    from pydantic import PrivateAttr

    from altlas.formats.common import StrictModel

    class Cached(StrictModel):
        name: str
        _memo: dict[str, str] = PrivateAttr(default_factory=dict)

    with pytest.raises(TypeError, match="private state"):
        Cached.assembled({"name": "x"})
