"""Packed task rows (``results.task_pack``) give back exactly the rows that went in."""

from __future__ import annotations

import math

import pytest

from altlas.errors import ArchiveCorruptError
from altlas.index.extract import task_values
from altlas.index.synthetic import synthetic_result
from altlas.index.taskpack import pack_tasks, task_types, unpack_tasks


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
