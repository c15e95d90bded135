"""Canonical documents round-trip through every syntax and container; writes are atomic."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from altlas.errors import DecodeError, FormatError, ValidationError
from altlas.formats import io
from altlas.formats.plan import Plan
from altlas.testing import atlases, plans, results

ROUND_TRIP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VARIANTS = [
    {"syntax": "json"},
    {"syntax": "json", "pretty": False},
    {"syntax": "yaml"},
    {"syntax": "json", "compress": "zstd"},
    {"syntax": "yaml", "compress": "zstd"},
    {"syntax": "json", "compress": "gzip"},
]


@ROUND_TRIP
@given(plans())
def test_plan_round_trips(plan: Plan) -> None:
    """dump then load gives the same plan, in JSON, YAML, zstd and gzip."""
    for variant in VARIANTS:
        loaded = io.read_bytes(io.to_bytes(plan, **variant))
        assert loaded.document == plan, variant
        assert loaded.kind == "alt"


@ROUND_TRIP
@given(results())
def test_result_round_trips(result) -> None:  # type: ignore[no-untyped-def]
    """dump then load gives the same result."""
    for variant in VARIANTS:
        loaded = io.read_bytes(io.to_bytes(result, **variant))
        assert loaded.document == result, variant
        assert loaded.warnings == []


@ROUND_TRIP
@given(atlases())
def test_atlas_round_trips(atlas) -> None:  # type: ignore[no-untyped-def]
    """dump then load gives the same atlas."""
    for variant in VARIANTS:
        assert io.read_bytes(io.to_bytes(atlas, **variant)).document == atlas


@pytest.mark.parametrize(
    ("name", "container", "syntax"),
    [
        ("plan.alt", "plain", "json"),
        ("plan.alt.json", "plain", "json"),
        ("plan.alt.yaml", "plain", "yaml"),
        ("plan.alt.yml", "plain", "yaml"),
        ("plan.alt.zst", "zstd", "json"),
        ("plan.alt.yaml.zst", "zstd", "yaml"),
        ("result.json.gz", "gzip", "json"),
    ],
)
def test_write_picks_syntax_and_container_from_the_name(
    tmp_path: Path,
    name: str,
    container: str,
    syntax: str,
) -> None:
    """x.alt.yaml.zst is YAML inside zstd; the reader finds both by content."""
    plan = Plan(command="Dosyayı aç", tasks=[{"id": "t1", "type": "open"}])
    path = io.write(plan, tmp_path / name)
    loaded = io.read(path)
    assert (loaded.container, loaded.syntax) == (container, syntax)
    assert loaded.document == plan


def test_content_wins_over_a_misleading_extension(tmp_path: Path) -> None:
    """YAML in a .json file, zstd in a .alt file: both read fine."""
    plan = Plan(command="x")
    (tmp_path / "a.json").write_bytes(io.to_bytes(plan, syntax="yaml"))
    (tmp_path / "b.alt").write_bytes(io.to_bytes(plan, compress="zstd"))
    assert io.load_plan(tmp_path / "a.json") == plan
    assert io.load_plan(tmp_path / "b.alt") == plan


def test_failed_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash during a write never leaves half a file, and no temp file is left behind."""
    target = tmp_path / "out" / "plan.alt"
    io.write(Plan(id="old", command="old"), target)
    before = target.read_bytes()

    def boom(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(Exception, match="No space left on device"):
        io.write(Plan(id="new", command="new"), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.alt"]


def test_load_kind_mismatch_names_both_kinds(tmp_path: Path) -> None:
    """Asking for a plan and finding a result is a clear error, not a crash."""
    from altlas.formats.result import Result

    path = io.write(Result(id="r1"), tmp_path / "r.last")
    with pytest.raises(FormatError, match="not a known plan"):
        io.load_plan(path)


def test_unknown_document_lists_what_it_saw() -> None:
    """An unrecognised mapping is named with its keys."""
    with pytest.raises(
        FormatError, match="not a known altlas document dialect: a mapping with keys a, b"
    ):
        io.read_bytes(b'{"a": 1, "b": 2}')


def test_missing_and_directory_paths(tmp_path: Path) -> None:
    """A missing file and a directory are FormatErrors that name the path."""
    with pytest.raises(FormatError) as info:
        io.read(tmp_path / "nope.alt")
    assert info.value.one_line() == f"{tmp_path / 'nope.alt'}: no such file"
    with pytest.raises(FormatError, match="is a directory"):
        io.read(tmp_path)


def test_decode_errors_carry_the_file_name(tmp_path: Path) -> None:
    """Damage is reported against the file."""
    bad = tmp_path / "bad.last"
    bad.write_bytes(b'{"format": "altlas.last", "id":')
    with pytest.raises(DecodeError) as info:
        io.read(bad)
    assert info.value.one_line().startswith(f"{bad}: invalid or truncated JSON")


def test_validation_errors_carry_the_file_name(tmp_path: Path) -> None:
    """Rule violations are reported against the file and field."""
    bad = tmp_path / "bad.alt"
    bad.write_bytes(
        b'{"format": "altlas.alt", "format_version": 1, '
        b'"tasks": [{"id": "a", "dependencies": ["a"]}]}'
    )
    with pytest.raises(ValidationError) as info:
        io.read(bad)
    assert info.value.lines() == [f"{bad}: tasks[0].dependencies[0]: task 'a' depends on itself"]


def test_future_format_version_is_refused() -> None:
    """A newer format version is an error, not a silent misread."""
    with pytest.raises(ValidationError, match="format_version"):
        io.read_bytes(b'{"format": "altlas.alt", "format_version": 2}')


def test_runner_dialect_refuses_yaml() -> None:
    """The original runner reads JSON only, so YAML in its dialect is refused."""
    with pytest.raises(FormatError, match="JSON only"):
        io.to_bytes(
            Plan(title="t", tasks=[{"id": "a", "description": "d"}]),
            dialect="runner-alt",
            syntax="yaml",
        )
