"""A result's task rows as one packed value (``results.task_pack``, migration m005).

Five to six rows per result in a ``tasks`` table, plus their type index, were 4.4% of the
raw JSON on disk; JSON arrays per result were larger still (3.8%), because every row repeats
the same few strings (type, handler, status) and a float's text. Here each distinct string
of a result is written once, rows refer to it by number, and a duration with at most
microsecond digits (nearly all) is an integer count of microseconds. Strings that most
results share (task statuses, the task types segmentation produces, the built-in handlers,
the runner's error types, segmentation's task ids ``t1``...) have fixed numbers (the
vocabulary, version 2): a typical result then stores only its error messages and odd
names, and its rows take about a third of their size as rows. The layout, all integers as
unsigned LEB128 varints:

    version (2) | string count | each string: byte length, UTF-8 | task count |
    each task: task_id, type, handler, status (string number; 0 is NULL) |
               attempts, cached (zigzag) | duration tag (0 NULL, 1 microseconds, 2 float64)
               and its value | error_type, error_message (string number)

String number n is NULL for 0, the vocabulary's n-th entry for 1..len(vocabulary), then the
result's own strings in order. Version 1 (no vocabulary: own strings from 1) is still read.

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

_VERSION = 2
_F64 = struct.Struct("<d")
_VOCABULARY: tuple[str, ...] = (
    # task statuses
    "pending", "running", "completed", "failed", "cancelled", "timeout", "skipped",
    # the task types segmentation produces, and the built-in handlers
    "search", "create", "analyze", "open", "transform", "execute", "summarize", "schedule",
    "archive", "echo", "delay", "command", "data", "files", "http", "llm", "report", "text",
    # error types the runner and its handlers give, and common exception names
    "HandlerError", "NotFound", "PermissionDenied", "EnvRefused", "NothingFound",
    "IsADirectory", "WouldOverwrite", "Timeout", "PathOutsideWorkspace", "NoInput",
    "NoHandler", "NoArchive", "HTTPStatus", "AddressBlocked", "UnsupportedFormat",
    "TruncatedInput", "TooManyRedirects", "TooLarge", "TemplateError", "SecretInPlan",
    "NotText", "NotADirectory", "HTTPError", "DataError", "ConditionError", "CommandFailed",
    "CircuitOpen", "ArchiveError", "TimeoutError", "ValueError", "KeyError", "TypeError",
    "RuntimeError", "OSError", "FileNotFoundError", "PermissionError", "ConnectionError",
    "ValidationError", "CancelledError",
    # segmentation's task ids
    *(f"t{n}" for n in range(1, 33)),
)  # fmt: skip
"""Frozen: an entry's number is stored in every pack of version 2. Never reorder or remove
an entry; a new entry needs a new version (old packs must keep their meaning)."""
_VOCABULARY_NUMBERS = {text: n for n, text in enumerate(_VOCABULARY, start=1)}
_STRINGS_V2: tuple[str | None, ...] = (None, *_VOCABULARY)


_FIRST_OWN = len(_VOCABULARY)
_HEADS: dict[tuple[Any, ...], bytes] = {}
"""A row's first six values (four vocabulary strings or NULLs, attempts, cached) as packed:
most rows of most results are one of a few hundred such heads, and looking one up is a
third of the cost of numbering and writing it (packing runs in the staging workers, per
file). Only heads of exactly typed values are kept, so an equal value of another type (a
``str`` subclass, ``True`` for 1) never takes a head it would not have written."""
_HEADS_MAX = 4096


def _uint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _number(own: dict[Any, int], text: Any) -> int:
    n = own.get(text)
    if n is None:
        n = _VOCABULARY_NUMBERS.get(text) if type(text) is str else None
        if n is None:
            n = own[text] = _FIRST_OWN + len(own)
    return n


def _head(own: dict[Any, int], row: TaskRow) -> tuple[bytes, bool]:
    """The packed head of ``row`` and whether it holds no string of the result's own."""
    task_id, kind, handler, status, attempts, _, _, _, cached = row
    numbers = [_number(own, text) for text in (task_id, kind, handler, status)]
    out = bytearray()
    for n in numbers:
        _uint(out, n)
    for value in (attempts, cached):
        v = int(value or 0)
        _uint(out, v << 1 if v >= 0 else ((-v) << 1) - 1)  # zigzag
    return bytes(out), max(numbers) <= _FIRST_OWN


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


def _all_str(own: dict[Any, int]) -> bool:
    # a key of another type may equal a vocabulary string (a str subclass): heads are then off
    return all(type(text) is str for text in list(own)[1:])


def pack_tasks(rows: Sequence[TaskRow]) -> bytes | None:
    """The packed rows; None for no rows (the column stays NULL)."""
    if not rows:
        return None
    own: dict[Any, int] = {None: 0}
    heads, body, plain = _HEADS, bytearray(), True
    for row in rows:
        task_id, kind, handler, status, attempts, duration, etype, emsg, cached = row
        usual = (
            plain and type(task_id) is str and type(status) is str
            and (kind is None or type(kind) is str) and (handler is None or type(handler) is str)
            and type(attempts) is int and type(cached) is int
        )  # fmt: skip
        key = (task_id, kind, handler, status, attempts, cached)
        head = heads.get(key) if usual else None
        if head is None:
            size = len(own)
            head, shared = _head(own, row)
            if usual and shared and len(heads) < _HEADS_MAX:
                heads[key] = head
            if len(own) != size:
                plain = _all_str(own)
        body += head
        _duration(body, duration)
        if etype is None and emsg is None:
            body += b"\0\0"
        else:
            size = len(own)
            _uint(body, _number(own, etype))
            _uint(body, _number(own, emsg))
            if len(own) != size:
                plain = _all_str(own)
    out = bytearray((_VERSION,))
    _uint(out, len(own) - 1)
    for text in list(own)[1:]:
        # a row of an old archive may hold a number where text belongs (SQLite's typing)
        encoded = str(text).encode()
        _uint(out, len(encoded))
        out += encoded
    _uint(out, len(rows))
    out += body
    return bytes(out)


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

    version = uint()
    if version not in (1, 2):
        raise ValueError("unknown version")
    strings: list[str | None] = list(_STRINGS_V2 if version == 2 else (None,))
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
