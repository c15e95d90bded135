"""Issue 9, items 4, 13, 14, 15 and 19: hostile files cannot stall, crash or blow up the readers.

Each exploit of the probe, as it was sent: compression bombs, a YAML alias bomb, nesting past
the writers' limits, integers past 64 bits or 4,300 digits, hostile zip entries and a 10 MB key.
Every one must end in one line, exit 1, quickly and with memory near the limit, in every
command that reads a document (validate, inspect, convert, run).
"""

from __future__ import annotations

import io as stdio
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from altlas.errors import AltlasError, DecodeError
from altlas.formats import io
from altlas.formats.limits import ReadLimits

PLAN = {"format": "altlas.alt", "id": "p1", "command": "c", "tasks": [{"id": "a"}]}
YAML_HEAD = b"format: altlas.alt\nid: p\ncommand: c\ntasks:\n"


def _yaml_plan_with_n(value: bytes) -> bytes:
    return YAML_HEAD + b"- {id: a, parameters: {n: %s}}\n" % value


BILLION_LAUGHS = b"""format: altlas.alt
id: p1
command: c
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
tasks: [{id: a, parameters: {x: *h}}]
"""


def _plan_with_parameters(raw_value: bytes) -> bytes:
    return orjson.dumps(PLAN).replace(
        b'{"id":"a"}', b'{"id":"a","parameters":{"x":%s}}' % raw_value
    )


def _gzip_of_spaces(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1 << 20)
    return b"".join([*(packer.compress(chunk) for _ in range(size >> 20)), packer.flush()])


def _zstd_of_spaces(size: int) -> bytes:
    import zstandard

    with stdio.BytesIO() as sink:
        with zstandard.ZstdCompressor(level=3).stream_writer(sink, closefd=False) as writer:
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                writer.write(chunk)
        return sink.getvalue()


def _measure(call: Callable[[], object]) -> tuple[float, int]:
    """Seconds and peak traced bytes of ``call`` (which must raise an AltlasError)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(AltlasError) as caught:
            call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert "\n" not in str(caught.value)
    return time.perf_counter() - started, peak


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _gzip_of_spaces(1 << 30)  # about 1 MB that inflates to 1 GiB


def test_a_1_gib_gzip_of_spaces_stops_at_the_limit_fast_and_small(gzip_bomb: bytes) -> None:
    """It used to inflate all of it (1 GB peak, seconds) and then say "file is empty"."""
    seconds, peak = _measure(lambda: io.read_bytes(gzip_bomb))
    with pytest.raises(DecodeError) as caught:
        io.read_bytes(gzip_bomb)
    message = str(caught.value)
    assert "64 MiB" in message
    assert "max_decompressed_bytes" in message
    assert "empty" not in message
    assert seconds < 3  # under tracemalloc; about 0.3 s without it
    assert peak < 100 << 20


def test_a_zstd_bomb_stops_at_a_configured_limit() -> None:
    bomb = _zstd_of_spaces(64 << 20)
    limits = ReadLimits(max_decompressed_bytes=4 << 20)
    seconds, peak = _measure(lambda: io.read_bytes(bomb, limits=limits))
    with pytest.raises(DecodeError, match=r"4 MiB.*max_decompressed_bytes"):
        io.read_bytes(bomb, limits=limits)
    assert peak < 16 << 20
    assert seconds < 3


def test_a_zip_bomb_stops_at_the_limit() -> None:
    sink = stdio.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("last_x.json", b" " * (16 << 20))
    limits = ReadLimits(max_decompressed_bytes=1 << 20)
    _, peak = _measure(lambda: io.read_bytes(sink.getvalue(), limits=limits))
    with pytest.raises(DecodeError, match=r"zip member last_x.json inflates past 1 MiB"):
        io.read_bytes(sink.getvalue(), limits=limits)
    assert peak < 8 << 20


def test_a_plain_file_past_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.alt"
    path.write_bytes(b" " * (2 << 20))
    with pytest.raises(AltlasError, match="larger than 1 MiB"):
        io.read(path, limits=ReadLimits(max_decompressed_bytes=1 << 20))


def test_yaml_past_its_own_size_limit_is_refused_before_parsing() -> None:
    """PyYAML's nodes take ~190 bytes per byte of text: 64 MiB of "1," would need 12 GB."""
    text = YAML_HEAD + b"- {id: a, parameters: {x: [" + b"1," * 700_000 + b"1]}}\n"
    limits = ReadLimits(max_yaml_bytes=1 << 20)
    seconds, peak = _measure(lambda: io.read_bytes(text, limits=limits))
    with pytest.raises(DecodeError, match=r"YAML text is larger than 1 MiB.*max_yaml_bytes"):
        io.read_bytes(text, limits=limits)
    assert seconds < 1
    assert peak < 8 << 20
    # The same list in JSON, well within the JSON limits, still reads.
    as_json = _plan_with_parameters(b"[" + b"1," * 700_000 + b"1]")
    assert len(io.read_bytes(as_json, limits=limits).document.tasks) == 1


def test_the_billion_laughs_fails_fast_with_tiny_memory() -> None:
    assert len(BILLION_LAUGHS) < 600
    seconds, peak = _measure(lambda: io.read_bytes(BILLION_LAUGHS))
    with pytest.raises(DecodeError, match=r"YAML aliases expand past .*max_yaml_nodes"):
        io.read_bytes(BILLION_LAUGHS)
    assert seconds < 1
    assert peak < 8 << 20


def test_a_self_referencing_alias_is_refused() -> None:
    with pytest.raises(DecodeError, match="refers to itself"):
        io.read_bytes(b"format: altlas.alt\nid: p\ncommand: c\ntasks: &t [*t]\n")


def test_aliases_within_the_budget_still_load() -> None:
    text = b"""format: altlas.alt
id: p1
command: c
metadata: {defaults: &d {query: x, limit: 3}}
tasks:
- {id: a, parameters: *d}
- {id: b, parameters: *d}
"""
    plan = io.load_plan(text)
    assert plan.tasks[1].parameters == {"query": "x", "limit": 3}
    with pytest.raises(DecodeError, match="max_yaml_nodes"):
        io.load_plan(text, limits=ReadLimits(max_yaml_nodes=2))


@pytest.mark.parametrize("levels", [201, 300, 5000])
def test_json_nesting_past_the_depth_limit_is_one_line(levels: int) -> None:
    raw = _plan_with_parameters(b"[" * levels + b"]" * levels)
    with pytest.raises(DecodeError, match=r"nesting deeper than 200 levels.*max_json_depth"):
        io.read_bytes(raw)


def test_nesting_at_the_limit_reads_and_converts_to_every_dialect() -> None:
    # The top-level mapping, tasks, the task and parameters are four levels: 196 more fit.
    raw = _plan_with_parameters(b"[" * 197 + b"]" * 197)
    loaded = io.read_bytes(raw)
    for dialect in ("canonical", "runner-alt", "segmentation-v1"):
        assert io.to_bytes(loaded.document, dialect=dialect)
    assert io.to_bytes(loaded.document, syntax="yaml")


def test_yaml_condition_nested_750_deep_is_one_line() -> None:
    condition = "{operator: eq, left: x, right: 1}"
    for _ in range(750):
        condition = f"{{operator: not, left: {condition}}}"
    tasks = f"- id: a\n- id: b\n  condition: {{condition: {condition}, if_body: [a]}}\n"
    text = YAML_HEAD.decode() + tasks
    with pytest.raises(DecodeError) as caught:
        io.read_bytes(text.encode())
    assert "\n" not in str(caught.value)


def test_runner_file_nested_500_deep_is_one_line() -> None:
    nested = b"[" * 500 + b"]" * 500
    runner = orjson.dumps(
        {
            "id": "p1",
            "name": "n",
            "created_at": "2025-01-01T00:00:00Z",
            "tasks": [{"id": "a", "name": "a", "task_type": "Search", "parameters": {}}],
        }
    ).replace(b'"parameters":{}', b'"parameters":{"x":%s}' % nested)
    with pytest.raises(DecodeError, match="nesting deeper"):
        io.read_bytes(runner)


@pytest.mark.parametrize(
    "text",
    [
        _yaml_plan_with_n(b"18446744073709551616"),
        _plan_with_parameters(b"18446744073709551616"),
        _plan_with_parameters(b"-9223372036854775809"),
        _plan_with_parameters(b"123456789012345678901234567890"),
    ],
    ids=["yaml", "json-2^64", "json-below-int64", "json-30-digits"],
)
def test_integers_past_64_bits_are_refused_by_every_reader(text: bytes) -> None:
    """validate used to say ok, then convert and run failed with "cannot write as JSON"."""
    report = io.check_bytes(text)
    assert not report.ok
    assert "does not fit in 64 bits" in report.diagnostics[0].message
    assert report.diagnostics[0].path == "tasks[0].parameters.n" or "parameters.x" in (
        report.diagnostics[0].path
    )


def test_integers_at_the_64_bit_edges_read_and_write() -> None:
    for value in (b"18446744073709551615", b"-9223372036854775808", b"1.5e300"):
        loaded = io.read_bytes(_plan_with_parameters(value))
        assert io.to_bytes(loaded.document)


@pytest.mark.parametrize("syntax", ["json", "yaml"])
def test_an_integer_with_more_than_4300_digits_is_one_line(syntax: str) -> None:
    digits = b"7" * 4400
    text = _plan_with_parameters(digits) if syntax == "json" else _yaml_plan_with_n(digits)
    with pytest.raises(DecodeError) as caught:
        io.read_bytes(text)
    assert "4300 digits" in str(caught.value)
    assert len(str(caught.value)) < 200


def _zip_with(name: str, body: bytes, method: int = zipfile.ZIP_STORED) -> bytes:
    sink = stdio.BytesIO()
    with zipfile.ZipFile(sink, "w", method) as zf:
        zf.writestr(name, body)
    return sink.getvalue()


def _patch_zip(raw: bytes, *, flags: int | None = None, method: int | None = None) -> bytes:
    """Rewrite the flag bits or method of the one entry in both of its headers."""
    data = bytearray(raw)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = data.find(signature)
        if flags is not None:
            struct.pack_into("<H", data, at + flag_at, flags)
        if method is not None:
            struct.pack_into("<H", data, at + method_at, method)
    return bytes(data)


def test_an_encrypted_zip_entry_is_one_line() -> None:
    raw = _patch_zip(_zip_with("last_x.json", orjson.dumps(PLAN)), flags=0x1)
    with pytest.raises(DecodeError, match=r"last_x\.json is encrypted"):
        io.read_bytes(raw)


def test_an_unsupported_zip_method_is_one_line() -> None:
    raw = _patch_zip(_zip_with("last_x.json", orjson.dumps(PLAN)), method=99)
    with pytest.raises(DecodeError, match="compression method 99"):
        io.read_bytes(raw)


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, zipfile.ZIP_DEFLATED])
def test_damaged_compressed_zip_entries_are_one_line(method: int) -> None:
    raw = bytearray(_zip_with("last_x.json", orjson.dumps(PLAN) * 50, method))
    start = raw.find(b"last_x.json") + len("last_x.json")
    raw[start + 4 : start + 40] = b"\xa5" * 36
    with pytest.raises(DecodeError) as caught:
        io.read_bytes(bytes(raw))
    assert "\n" not in str(caught.value)


def test_a_10_mb_key_gives_a_readable_line() -> None:
    key = "k" * 10_000_000
    for document in (
        {key: 1},
        {**PLAN, key: 1},
        {**PLAN, "tasks": [{"id": "a", key: 1}]},
        {**PLAN, "tasks": [{"id": "a", "dependencies": [key]}]},
    ):
        report = io.check_bytes(orjson.dumps(document), name="big.alt")
        assert not report.ok
        for diagnostic in report.diagnostics:
            assert len(diagnostic.render("big.alt")) < 400


def test_too_many_tasks_are_refused_on_both_paths() -> None:
    plan = {**PLAN, "tasks": [{"id": f"t{i}"} for i in range(11)]}
    limits = ReadLimits(max_tasks_per_plan=10)
    canonical = orjson.dumps(plan)
    segmentation = b"segments:\n" + b"".join(b"- {id: t%d, text: x}\n" % i for i in range(11))
    for raw in (canonical, segmentation):
        with pytest.raises(AltlasError, match=r"11 tasks, more than 10.*max_tasks_per_plan"):
            io.read_bytes(raw, limits=limits)
    assert len(io.load_plan(canonical).tasks) == 11


# --- the commands that read documents: one line, exit 1 ---------------------------------------


HOSTILE = {
    "bomb.alt.yaml": BILLION_LAUGHS,
    "deep.alt": _plan_with_parameters(b"[" * 300 + b"]" * 300),
    "bigint.alt.yaml": _yaml_plan_with_n(b"18446744073709551616"),
    "digits.alt.yaml": _yaml_plan_with_n(b"1" * 5000),
    "encrypted.zip": _patch_zip(_zip_with("last_x.json", orjson.dumps(PLAN)), flags=0x1),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["inspect"],
        ["inspect", "-f", "json"],
        ["convert"],
        ["convert", "--to", "runner"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_reading_command_says_one_line_and_exits_non_zero(
    cli: Callable[..., object], tmp_path: Path, name: str, command: list[str]
) -> None:
    """validate reports an invalid file (exit 1, as a linter); the others refuse bad input (2)."""
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    result = cli(*command, str(path))
    expected = 1 if command == ["validate"] else 2
    assert result.exit_code == expected, result.output  # type: ignore[attr-defined]
    lines = [line for line in result.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert str(path) in lines[0]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["bomb.alt.yaml", "deep.alt", "bigint.alt.yaml"])
def test_run_refuses_hostile_plans_in_one_line(
    cli: Callable[..., object], tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    result = cli("run", str(path), "--quiet", "--workspace", str(tmp_path))
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    lines = [line for line in result.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1, lines


def test_validate_reads_its_limits_from_the_settings(
    cli: Callable[..., object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ok.alt.gz"
    import gzip

    path.write_bytes(gzip.compress(orjson.dumps(PLAN) + b" " * 4096))
    assert cli("validate", str(path)).exit_code == 0  # type: ignore[attr-defined]
    monkeypatch.setenv("ALTLAS_FORMATS__MAX_DECOMPRESSED_BYTES", "2048")
    result = cli("validate", str(path))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "2 KiB" in result.stderr  # type: ignore[attr-defined]


def test_the_archive_refuses_an_alias_bomb_in_a_result(altlas_home: Path, tmp_path: Path) -> None:
    """A bomb inside a .last used to be archived; showing it then took 64 s and 4.6 GB.

    Six levels (531,441 strings) keep the old behaviour quick to reproduce.
    """
    from altlas.index import Archive

    levels = [b'  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 6):
        levels.append(b"  l%d: &l%d [%s]" % (i, i, b",".join([b"*l%d" % (i - 1)] * 9)))
    bomb = b"\n".join(
        [
            b"format: altlas.last",
            b"id: last_bomb",
            b"run_id: r1",
            b"plan_id: p1",
            b"status: success",
            b"success_rate: 1.0",
            b"started_at: 2025-01-01T00:00:00Z",
            b"metadata:",
            *levels,
            b"tasks: [{task_id: a, status: completed, output: {x: *l5}}]",
            b"",
        ]
    )
    path = tmp_path / "last_bomb.last"
    path.write_bytes(bomb)
    with Archive(altlas_home) as archive:
        report = archive.add([path])
    assert report.added == 0
    assert report.failed == 1
    assert "max_yaml_nodes" in report.failures[0].message
    assert "\n" not in report.failures[0].message


def test_a_100k_task_plan_is_refused_quickly() -> None:
    """It kept the server busy for 11-16 s; the default limit is 20,000 tasks."""
    plan = {
        **PLAN,
        "tasks": [
            {"id": f"t{i}", "dependencies": [f"t{i - 1}"] if i else []} for i in range(100_000)
        ],
    }
    raw = orjson.dumps(plan)
    started = time.perf_counter()
    with pytest.raises(AltlasError, match=r"100,000 tasks, more than 20,000"):
        io.read_bytes(raw)
    assert time.perf_counter() - started < 3
