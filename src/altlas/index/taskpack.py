"""A result's task rows as one packed value (``results.task_pack``, migration m005).

Five to six rows per result in a ``tasks`` table, plus their type index, were 4.4% of the
raw JSON on disk; JSON arrays per result were larger still (3.8%), because every row repeats
the same few strings (type, handler, status) and a float's text. Here each distinct string
of a result is written once, rows refer to it by number, and a duration with at most
microsecond digits (nearly all) is an integer count of microseconds: about 45% of the
rows' size. The layout, all integers as unsigned LEB128 varints:

    version (1) | string count | each string: byte length, UTF-8 | task count |
    each task: task_id, type, handler, status (string number + 1; 0 is NULL) |
               attempts, cached (zigzag) | duration tag (0 NULL, 1 microseconds, 2 float64)
               and its value | error_type, error_message (string number + 1)

Round trip is exact for every value a task row held: ``unpack_tasks(pack_tasks(rows)) ==
rows`` (``tests/index/test_taskpack.py``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from altlas.errors import ArchiveCorruptError

__all__ = ["TaskRow", "pack_tasks", "task_types", "unpack_tasks"]

TaskRow = tuple[Any, ...]
"""``(task_id, type, handler, status, attempts, duration_ms, error_type, error_message,
cached)``: ``TASK_COLUMNS`` without ``rid`` and ``seq``."""

_VERSION = 1
_F64 = struct.Struct("<d")


def _uint(out: bytearray, n: int) -> None:
    if n < 0x80:
        out.append(n)
        return
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _zigzag(n: int) -> int:
    return n << 1 if n >= 0 else ((-n) << 1) - 1


def _duration(out: bytearray, duration: Any) -> None:
    if duration is None:
        out.append(0)
        return
    duration = float(duration)
    if 0 <= duration < 1e12:  # also false for NaN
        micros = round(duration * 1000)
        if micros / 1000 == duration:
            out.append(1)
            _uint(out, micros)
            return
    out.append(2)
    out += _F64.pack(duration)


def pack_tasks(rows: Sequence[TaskRow]) -> bytes | None:
    """The packed rows; None for no rows (the column stays NULL)."""
    if not rows:
        return None
    numbers: dict[Any, int] = {None: 0}
    body = bytearray()
    for row in rows:
        task_id, kind, handler, status, attempts, duration, etype, emsg, cached = row
        # string numbers inline: packing runs once per result in the staging workers
        for text in (task_id, kind, handler, status):
            n = numbers.get(text)
            if n is None:
                n = numbers[text] = len(numbers)
            _uint(body, n)
        _uint(body, _zigzag(int(attempts or 0)))
        _uint(body, _zigzag(int(cached or 0)))
        _duration(body, duration)
        for text in (etype, emsg):
            n = numbers.get(text)
            if n is None:
                n = numbers[text] = len(numbers)
            _uint(body, n)
    out = bytearray((_VERSION,))
    _uint(out, len(numbers) - 1)
    for text in list(numbers)[1:]:
        # a row of an old archive may hold a number where text belongs (SQLite's typing)
        encoded = str(text).encode()
        _uint(out, len(encoded))
        out += encoded
    _uint(out, len(rows))
    return bytes(out + body)


def unpack_tasks(data: bytes | None) -> list[TaskRow]:
    """The rows :func:`pack_tasks` packed, in their order; [] for NULL."""
    if not data:
        return []
    try:
        return _unpack(bytes(data))
    except (IndexError, UnicodeDecodeError, struct.error, ValueError):
        raise ArchiveCorruptError("a result's packed task rows are damaged") from None


def _unpack(data: bytes) -> list[TaskRow]:
    # Inlined one-byte varints: statistics unpack every matching result's tasks.
    at = 0

    def uint() -> int:
        nonlocal at
        byte = data[at]
        at += 1
        if byte < 0x80:
            return byte
        value, shift = byte & 0x7F, 7
        while True:
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    if uint() != _VERSION:
        raise ValueError("unknown version")
    strings: list[str | None] = [None]
    for _ in range(uint()):
        size = uint()
        if at + size > len(data):
            raise ValueError("truncated")
        strings.append(data[at : at + size].decode())
        at += size
    rows: list[TaskRow] = []
    for _ in range(uint()):
        task_id, kind, handler, status = (
            strings[uint()],
            strings[uint()],
            strings[uint()],
            strings[uint()],
        )
        attempts, cached = uint(), uint()
        tag = data[at]
        at += 1
        if tag == 0:
            duration = None
        elif tag == 1:
            duration = uint() / 1000
        elif tag == 2:
            duration = _F64.unpack_from(data, at)[0]
            at += 8
        else:
            raise ValueError("unknown duration tag")
        etype, emsg = strings[uint()], strings[uint()]
        rows.append(
            (task_id, kind, handler, status, (attempts >> 1) ^ -(attempts & 1), duration,
             etype, emsg, (cached >> 1) ^ -(cached & 1))
        )  # fmt: skip
    if at != len(data):
        raise ValueError("trailing bytes")
    return rows


def task_types(rows: Sequence[TaskRow]) -> list[str]:
    """The distinct task types of a result, in first-seen order (the type filter's rows)."""
    return list(dict.fromkeys(str(r[1]) for r in rows if r[1] is not None))
