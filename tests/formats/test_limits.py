"""ReadLimits: settings, zstd frames, and the fast and general paths agreeing on every limit."""

from __future__ import annotations

import struct

import orjson
import pytest

from altlas.config import load_settings
from altlas.errors import ConfigError, DecodeError
from altlas.formats import codec, io
from altlas.formats.limits import DEFAULT_LIMITS, ReadLimits, check_tree, clip, readable

PLAN = {"format": "altlas.alt", "id": "p1", "command": "c", "tasks": [{"id": "a"}]}


def _skippable(payload: bytes, nibble: int = 0) -> bytes:
    return struct.pack("<II", 0x184D2A50 + nibble, len(payload)) + payload


def test_a_zstd_file_starting_with_a_skippable_frame_is_read() -> None:
    """It was rejected as "binary data": the skippable magic was not known as zstd."""
    raw = _skippable(b"seekable index", 7) + codec.compress_zstd(orjson.dumps(PLAN))
    loaded = io.read_bytes(raw)
    assert loaded.container == "zstd"
    assert loaded.document.id == "p1"


def test_every_concatenated_zstd_frame_is_read() -> None:
    """A second frame used to be ignored silently; here it completes the document."""
    body = orjson.dumps(PLAN)
    raw = codec.compress_zstd(body[:20]) + _skippable(b"x") + codec.compress_zstd(body[20:])
    assert io.read_bytes(raw).document.tasks[0].id == "a"
    assert codec.decompress_zstd(raw) == body


def test_a_damaged_second_zstd_frame_is_an_error_not_ignored() -> None:
    raw = codec.compress_zstd(orjson.dumps(PLAN)) + b"\x28\xb5\x2f\xfd" + b"\x00" * 12
    with pytest.raises(DecodeError, match="damaged zstd data"):
        io.read_bytes(raw)


def test_limits_come_from_the_formats_section_and_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ReadLimits.from_settings(load_settings()) == DEFAULT_LIMITS
    monkeypatch.setenv("ALTLAS_FORMATS__MAX_TASKS_PER_PLAN", "7")
    monkeypatch.setenv("ALTLAS_FORMATS__MAX_YAML_NODES", "0")
    monkeypatch.setenv("ALTLAS_FORMATS__MAX_YAML_BYTES", "4096")
    limits = ReadLimits.from_settings(load_settings())
    assert limits.max_tasks_per_plan == 7
    assert limits.max_yaml_nodes == 0
    assert limits.max_yaml_bytes == 4096
    monkeypatch.setenv("ALTLAS_FORMATS__MAX_JSON_DEPTH", "400")
    with pytest.raises(ConfigError, match=r"\[formats\] max_json_depth"):
        ReadLimits.from_settings(load_settings())


def _general_path(document: bytes) -> bytes:
    """The same canonical document with a key before ``format``: the fast path does not apply."""
    return b'{"_":0,' + document[1:]


def _nested_plan(levels: int) -> bytes:
    nested = b"[" * levels + b"]" * levels
    return orjson.dumps(PLAN).replace(b'{"id":"a"}', b'{"id":"a","metadata":{"x":%s}}' % nested)


@pytest.mark.parametrize("levels", [196, 197, 198, 199])
def test_fast_and_general_paths_agree_on_the_depth_limit(levels: int) -> None:
    fast = io.check_bytes(_nested_plan(levels))
    general = io.check_bytes(_general_path(_nested_plan(levels)))
    depth_errors = [
        "nesting deeper" in d.message for d in (*fast.diagnostics, *general.diagnostics)
    ]
    # The top-level mapping, tasks, the task and metadata hold the lists: 3 levels + levels.
    assert fast.ok == (levels <= 197)
    assert not general.ok  # the extra key is an unknown field
    assert any(depth_errors) == (levels > 197)


def test_a_lower_configured_depth_holds_on_the_fast_path_too() -> None:
    limits = ReadLimits(max_json_depth=20)
    assert io.check_bytes(_nested_plan(17), limits=limits).ok
    report = io.check_bytes(_nested_plan(18), limits=limits)
    assert "nesting deeper than 20 levels" in report.diagnostics[0].message


def test_check_tree_names_the_path_and_keeps_64_bit_integers() -> None:
    check_tree({"a": [1, -(2**63), 2**64 - 1, True, 1.0e300]}, DEFAULT_LIMITS)
    with pytest.raises(DecodeError) as caught:
        check_tree({"a": [0, {"b": 2**64}]}, DEFAULT_LIMITS)
    assert caught.value.context["path"] == "a[1].b"


def test_clip_and_readable_cut_long_values_only() -> None:
    assert clip("short") == "short"
    assert clip("x" * 500) == "x" * 80 + "…"
    message = "task 'a' depends on unknown task '" + "k" * 100_000 + "'"
    assert readable(message) == "task 'a' depends on unknown task '" + "k" * 80 + "…'"
    assert readable("task 'a' is fine") == "task 'a' is fine"


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9, -1])
def test_a_truncated_zstd_file_is_damaged_not_short(keep: float) -> None:
    """The streaming reader takes a cut frame for the end of data; the frame walk does not."""
    whole = codec.compress_zstd(orjson.dumps({**PLAN, "command": "x" * 5000}), level=1)
    cut = whole[: int(len(whole) * keep)] if keep > 0 else whole[:-1]
    with pytest.raises(DecodeError, match="damaged zstd data"):
        io.read_bytes(cut)


def test_json_lines_hold_each_line_to_the_limits() -> None:
    lines = [b'{"a": 1}', b"[" * 300 + b"]" * 300, b'{"n": 99999999999999999999}', b"[2]"]
    items = list(codec.iter_jsonl(lines))
    assert items[0] == (1, {"a": 1})
    assert "nesting deeper" in str(items[1][1])
    assert items[2][1].context["path"] == "n"  # type: ignore[union-attr]
    assert items[3] == (4, [2])


def test_limits_built_in_code_keep_the_same_bounds() -> None:
    with pytest.raises(ConfigError, match="max_json_depth"):
        ReadLimits(max_json_depth=500)
    with pytest.raises(ConfigError):
        ReadLimits(max_decompressed_bytes=0)
