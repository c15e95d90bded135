"""Packed task rows (``results.task_pack``) give back exactly the rows that went in."""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altlas.errors import ArchiveCorruptError
from altlas.index.extract import task_values
from altlas.index.synthetic import synthetic_result
from altlas.index.taskpack import (
    _VOCABULARY,
    _VOCABULARY_NUMBERS,
    TaskRow,
    pack_tasks,
    task_types,
    unpack_tasks,
)


def test_synthetic_results_round_trip_and_are_small() -> None:
    sizes = []
    for i in range(200):
        rows = task_values(synthetic_result(i, seed=3))
        packed = pack_tasks(rows)
        assert packed is not None
        assert unpack_tasks(packed) == rows
        sizes.append(len(packed))
    # the old rows were about 390 bytes a result on disk, their type index 110 more; with
    # no vocabulary (version 1) the packs were 200 bytes
    assert sum(sizes) / len(sizes) < 140


def test_every_odd_value_survives() -> None:
    rows = [
        ("a", None, "h", "s", -3, 1e300, None, "ü € 𝄞", 1),
        ("b", "", None, "", 0, 0.1234567, "x", None, 0),
        ("c", "t", "t", "s", 2**40, 1283.659, None, None, 0),
        ("d", "t", "t", "s", 5, None, "x", "x", 7),
        ("e", "t", "t", "s", 0, 5e-7, None, None, 0),
        ("f", "t", "t", "s", 0, -2.5, None, None, 0),
    ]
    assert unpack_tasks(pack_tasks(rows)) == rows
    nan = unpack_tasks(pack_tasks([("a", "b", "c", "d", 0, math.nan, None, None, 0)]))
    assert math.isnan(nan[0][5])


def test_no_rows_is_null_and_types_are_distinct_in_order() -> None:
    assert pack_tasks([]) is None
    assert unpack_tasks(None) == []
    rows = [(str(n), kind, None, "s", 0, None, None, None, 0) for n, kind in enumerate("bab")]
    rows.append(("4", None, None, "s", 0, None, None, None, 0))
    assert task_types(rows) == ["b", "a"]


@pytest.mark.parametrize("cut", [1, 5, -1])
def test_damaged_packs_are_reported_not_misread(cut: int) -> None:
    packed = pack_tasks(task_values(synthetic_result(1, seed=3)))
    assert packed is not None
    with pytest.raises(ArchiveCorruptError, match="packed task rows"):
        unpack_tasks(packed[:cut])
    with pytest.raises(ArchiveCorruptError):
        unpack_tasks(b"\x09" + packed[1:])
    with pytest.raises(ArchiveCorruptError):
        unpack_tasks(packed + b"\x00")


def test_version_1_packs_still_read() -> None:
    """Before the vocabulary, string numbers counted the result's own strings from 1."""
    v1 = bytes.fromhex("01 02 0161 0162 01 01020001 0200 01dc0b 0000".replace(" ", ""))
    assert unpack_tasks(v1) == [("a", "b", None, "a", 1, 1.5, None, None, 0)]


def test_own_strings_that_look_like_vocabulary_keep_their_type() -> None:
    rows = [("t1", "search", "archive", "completed", 1, 2.0, None, None, 0),
            ("x", "search", 7, "completed", 1, None, b"raw", None, 0)]  # fmt: skip
    back = unpack_tasks(pack_tasks(rows))
    assert back[0] == rows[0]
    assert back[1] == ("x", "search", "7", "completed", 1, None, "b'raw'", None, 0)


class _Text(str):
    """A str subclass: equal to the vocabulary string, but never numbered by it."""


_ANY_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["t1", "t2", "search", "completed", "failed", "echo", "HandlerError"]),
    st.text(max_size=8),
    st.sampled_from(["t1", "search", "completed"]).map(_Text),
    st.integers(-5, 300),
    st.binary(max_size=3),
)
_ANY_INT = st.one_of(st.integers(-(2**40), 2**40), st.booleans(), st.none(), st.just(2.0))
_ANY_DURATION = st.one_of(
    st.none(), st.floats(), st.integers(-10, 2**50), st.integers(0, 10**9).map(lambda n: n / 1000)
)
_ROW = st.tuples(
    _ANY_TEXT,
    _ANY_TEXT,
    _ANY_TEXT,
    _ANY_TEXT,
    _ANY_INT,
    _ANY_DURATION,
    _ANY_TEXT,
    _ANY_TEXT,
    _ANY_INT,
)


@given(st.lists(st.lists(_ROW, max_size=8), min_size=1, max_size=4))
@settings(max_examples=400, deadline=None)
def test_the_encoder_writes_the_bytes_of_the_first_encoder(packs: list[list[TaskRow]]) -> None:
    """Packs are stored: the faster encoder (row heads looked up across calls) must write
    byte for byte what the first one of version 2 wrote, whatever came before."""
    for rows in packs:
        assert pack_tasks(rows) == _reference_pack(rows)


def test_a_str_subclass_never_takes_a_vocabulary_head() -> None:
    plain = ("t1", "search", "archive", "completed", 1, 2.5, None, None, 0)
    assert pack_tasks([plain]) == _reference_pack([plain])  # its head is now looked up
    odd = ("t1", "search", "archive", _Text("completed"), 1, 2.5, None, None, 0)
    assert pack_tasks([odd]) == _reference_pack([odd])
    # an own string equal to "search" makes a later plain "search" take its number
    first = ("x", "t", None, "completed", 0, None, _Text("search"), None, 0)
    assert pack_tasks([first, plain]) == _reference_pack([first, plain])
    assert unpack_tasks(pack_tasks([first, plain]))[1] == plain


# The first encoder of version 2 (session 16), kept as the reference of the stored bytes.
def _ref_uint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _ref_duration(out: bytearray, duration: Any) -> None:
    if duration is None:
        out.append(0)
        return
    duration = float(duration)
    if 0 <= duration < 1e12:
        micros = round(duration * 1000)
        if micros / 1000 == duration:
            out.append(1)
            _ref_uint(out, micros)
            return
    out.append(2)
    out += struct.pack("<d", duration)


def _reference_pack(rows: Sequence[TaskRow]) -> bytes | None:
    if not rows:
        return None
    own: dict[Any, int] = {None: 0}
    common, first_own = _VOCABULARY_NUMBERS, len(_VOCABULARY)
    body = bytearray()
    for row in rows:
        task_id, kind, handler, status, attempts, duration, etype, emsg, cached = row
        for position, text in enumerate((task_id, kind, handler, status, etype, emsg)):
            if position == 4:
                for value in (attempts, cached):
                    v = int(value or 0)
                    _ref_uint(body, v << 1 if v >= 0 else ((-v) << 1) - 1)
                _ref_duration(body, duration)
            n = own.get(text)
            if n is None:
                n = common.get(text) if type(text) is str else None
                if n is None:
                    n = own[text] = first_own + len(own)
            _ref_uint(body, n)
    out = bytearray((2,))
    _ref_uint(out, len(own) - 1)
    for text in list(own)[1:]:
        encoded = str(text).encode()
        _ref_uint(out, len(encoded))
        out += encoded
    _ref_uint(out, len(rows))
    return bytes(out + body)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_rows_or_damage(raw: bytes) -> None:
    # a damaged or hostile archive file: never another exception, never a long loop
    try:
        rows = unpack_tasks(raw)
    except ArchiveCorruptError:
        return
    assert len(rows) <= len(raw)
