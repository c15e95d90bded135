"""Issue 9, "Also": a fuzz of every reader with bytes, truncations, bit flips and deep nesting.

Whatever the bytes, only an AltlasError may escape, every message is one line, and memory stays
near the (lowered) limits. Seeds are the golden files of every dialect, plain and in every
container, so the mutations land in zstd frames, gzip members, zip headers, JSON and YAML alike.
"""

from __future__ import annotations

import gzip
import io as stdio
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import orjson
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from altlas.errors import AltlasError
from altlas.formats import codec, io
from altlas.formats.dialects import all_dialects
from altlas.formats.limits import ReadLimits

GOLDEN = Path(__file__).parents[1] / "formats" / "golden"
LIMITS = ReadLimits(max_decompressed_bytes=1 << 20, max_yaml_nodes=5_000, max_tasks_per_plan=500)
PEAK_BYTES = 48 << 20
"""Traced peak for one read: the 1 MiB limit, its parsed objects and the reader's own state."""


def _zipped(name: str, body: bytes) -> bytes:
    sink = stdio.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, body)
    return sink.getvalue()


def _seeds() -> list[bytes]:
    plain = [p.read_bytes() for p in sorted(GOLDEN.iterdir()) if p.is_file()]
    texts = [raw for raw in plain if not raw.startswith((b"\x1f\x8b", b"PK"))]
    packed = [codec.compress_zstd(raw) for raw in texts[:4]] + [
        gzip.compress(t) for t in texts[4:8]
    ]
    return plain + packed + [_zipped("last_x.json", texts[0])]


SEEDS = _seeds()


def _nest(depth: int, leaf: bytes) -> bytes:
    return b'{"a":' * depth + leaf + b"}" * depth


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["flip", "truncate", "insert", "nest", "alias"]))
        if action == "flip" and raw:
            at = draw(st.integers(0, len(raw) - 1))
            raw[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "truncate" and raw:
            del raw[draw(st.integers(0, len(raw) - 1)) :]
        elif action == "insert":
            at = draw(st.integers(0, len(raw)))
            raw[at:at] = draw(st.binary(max_size=24))
        elif action == "nest":
            depth = draw(st.sampled_from([150, 199, 200, 201, 260, 1100, 20_000]))
            raw = bytearray(_nest(depth, bytes(raw[:200]) or b"1"))
        elif action == "alias":
            fan = draw(st.integers(2, 12))
            lines = [b"a0: &a0 [x, y]"]
            lines += [
                b"a%d: &a%d [%s]" % (i, i, b",".join([b"*a%d" % (i - 1)] * fan))
                for i in range(1, 10)
            ]
            raw = bytearray(b"\n".join(lines) + b"\n" + bytes(raw))
    return bytes(raw)


def _one_line(exc: AltlasError) -> None:
    lines = exc.lines() if hasattr(exc, "lines") else [exc.one_line()]
    for line in lines:
        assert "\n" not in line
        assert len(line) < 1000


def _read_within_budget(raw: bytes) -> None:
    tracemalloc.start()
    try:
        report = io.check(raw, limits=LIMITS)
        for diagnostic in report.diagnostics:
            rendered = diagnostic.render("fuzz")
            assert "\n" not in rendered
            assert len(rendered) < 1000
        try:
            loaded = io.read(raw, limits=LIMITS)
        except AltlasError as exc:
            _one_line(exc)
        else:
            # What reads must write back: in its own dialect and canonical JSON and YAML.
            for dialect in (None, "yaml"):
                io.to_bytes(loaded.document, dialect=dialect)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"{peak / 2**20:.1f} MiB traced"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_bytes())
def test_mutated_documents_fail_in_one_line_within_bounds(raw: bytes) -> None:
    _read_within_budget(raw)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=512))
def test_random_bytes_fail_in_one_line(raw: bytes) -> None:
    for prefix in (b"", b"\x28\xb5\x2f\xfd", b"\x1f\x8b", b"PK\x03\x04", b"{", b"a: "):
        _read_within_budget(prefix + raw)


json_leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_trees = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(all_dialects()), st.data())
def test_each_dialect_meets_wild_values_with_diagnostics(dialect: Any, data: st.DataObject) -> None:
    """A document its dialect recognises, with random values (integers of any size) in it."""
    seeds = [
        d
        for d in (
            yaml.safe_load(raw)
            for raw in SEEDS
            if not raw.startswith((b"\x1f\x8b", b"PK", b"\x28"))
        )
        if isinstance(d, dict) and dialect.sniff(d)
    ]
    document = dict(data.draw(st.sampled_from(seeds))) if seeds else {}
    for key in data.draw(st.lists(st.sampled_from(sorted(document) or ["x"]), max_size=3)):
        document[key] = data.draw(json_trees)
    try:
        raw = orjson.dumps(document, default=str)
    except TypeError:  # a YAML timestamp key or an integer orjson cannot write: use YAML
        raw = yaml.safe_dump(document).encode()
    _read_within_budget(raw)
