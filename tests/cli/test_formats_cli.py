"""validate, convert, schema and inspect through the real Typer app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from altlas.formats import io
from altlas.formats.plan import Plan


@pytest.fixture
def good_plan(tmp_path: Path) -> Path:
    plan = Plan(
        id="p1",
        command="Raporu indir ve özetle",
        language="tr",
        tasks=[
            {"id": "t1", "type": "execute", "description": "Raporu indir"},
            {"id": "t2", "type": "summarize", "description": "özetle", "dependencies": ["t1"]},
        ],
    )
    return io.write(plan, tmp_path / "good.alt")


@pytest.fixture
def bad_plan(tmp_path: Path) -> Path:
    path = tmp_path / "bad.alt.json"
    path.write_bytes(
        orjson.dumps(
            {
                "format": "altlas.alt",
                "format_version": 1,
                "mode": "chaos",
                "tasks": [
                    {"id": "a", "dependencies": ["b"]},
                    {"id": "b", "dependencies": ["a", "zz"]},
                ],
            },
        ),
    )
    return path


def test_validate_ok_exits_zero(cli, good_plan: Path) -> None:
    """A valid file says so and exits 0."""
    res = cli("validate", str(good_plan))
    assert res.exit_code == 0
    assert res.stdout.strip() == f"{good_plan}: ok (alt, canonical-alt, plain)"


def test_validate_lists_every_error_one_per_line(cli, good_plan: Path, bad_plan: Path) -> None:
    """All errors of all files, one line each, and exit 1 when any file is invalid."""
    res = cli("validate", str(good_plan), str(bad_plan))
    assert res.exit_code == 1
    errors = res.stderr.strip().splitlines()
    assert errors == [
        f"{bad_plan}: tasks[1].dependencies[1]: task 'b' depends on unknown task 'zz'",
        f"{bad_plan}: tasks[0].dependencies: dependency cycle: a -> b -> a",
        f"{bad_plan}: chaos_level: chaos_level must be an integer from 1 to 10 "
        "when mode is chaos (got None)",
    ]
    assert f"{good_plan}: ok" in res.stdout


def test_validate_json_report(cli, good_plan: Path, bad_plan: Path) -> None:
    """--format json gives one machine-readable report."""
    res = cli("validate", "--format", "json", str(good_plan), str(bad_plan))
    assert res.exit_code == 1
    report = orjson.loads(res.stdout)
    assert report["valid"] is False
    by_file = {f["file"]: f for f in report["files"]}
    assert by_file[str(good_plan)]["valid"] is True
    bad = by_file[str(bad_plan)]
    assert [e["code"] for e in bad["errors"]] == ["unknown_dependency", "cycle", "chaos_level"]
    assert bad["errors"][1]["ids"] == ["a", "b"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b'{"format": "altlas.alt", "tasks": [', "invalid or truncated JSON"),
        (bytes(range(256)) * 4, "binary data"),
    ],
)
def test_validate_damaged_files_cleanly(cli, tmp_path: Path, content: bytes, message: str) -> None:
    """Empty, truncated and binary files get one clean line, never a traceback."""
    path = tmp_path / "x.alt"
    path.write_bytes(content)
    res = cli("validate", str(path))
    assert res.exit_code == 1
    assert res.stderr.startswith(f"{path}: {message}")
    assert "Traceback" not in res.stderr


def test_validate_strict_fails_on_warnings(cli, tmp_path: Path) -> None:
    """A naive timestamp is a warning, and --strict makes it fail."""
    path = tmp_path / "w.alt"
    path.write_bytes(
        b'{"format": "altlas.alt", "format_version": 1, "created_at": "2025-01-01T10:00:00"}'
    )
    assert cli("validate", str(path)).exit_code == 0
    res = cli("validate", "--strict", str(path))
    assert res.exit_code == 1
    assert "warning: timestamp 2025-01-01T10:00:00 has no timezone; assumed UTC" in res.stdout


def test_usage_error_exits_two(cli) -> None:
    """A bad option is a usage error: exit 2."""
    assert cli("validate", "--format", "xml", "x").exit_code == 2
    assert cli("validate").exit_code == 2


def test_convert_to_yaml_and_back(cli, good_plan: Path, tmp_path: Path) -> None:
    """convert writes YAML to -o atomically and the result reads back equal."""
    out = tmp_path / "plan.alt.yaml"
    res = cli("convert", str(good_plan), "--to", "yaml", "-o", str(out))
    assert res.exit_code == 0, res.stderr
    assert "Raporu indir ve özetle" in out.read_text(encoding="utf-8")
    assert io.load_plan(out) == io.load_plan(good_plan)


def test_convert_to_stdout(cli, good_plan: Path) -> None:
    """Without -o the converted document goes to stdout."""
    res = cli("convert", str(good_plan), "--to", "json", "--compact")
    assert res.exit_code == 0
    assert orjson.loads(res.stdout)["id"] == "p1"


def test_convert_missing_file(cli, tmp_path: Path) -> None:
    """A missing input is one line naming it, exit 2 (bad input)."""
    res = cli("convert", str(tmp_path / "nope.alt"))
    assert res.exit_code == 2
    assert res.stderr == f"error: {tmp_path / 'nope.alt'}: no such file\n"


@pytest.mark.parametrize("kind", ["alt", "last", "atlas"])
def test_schema_prints_json_schema(cli, kind: str) -> None:
    """`altlas schema KIND` prints the schema of that format."""
    res = cli("schema", kind)
    assert res.exit_code == 0
    assert orjson.loads(res.stdout)["properties"]["format"]["const"] == f"altlas.{kind}"


def test_inspect_text_and_json(cli, good_plan: Path) -> None:
    """inspect renders a tree, or the canonical JSON."""
    res = cli("inspect", str(good_plan))
    assert res.exit_code == 0
    assert "t2 summarize" in res.stdout
    assert "← t1" in res.stdout
    data = orjson.loads(cli("inspect", "--format", "json", str(good_plan)).stdout)
    assert [t["id"] for t in data["tasks"]] == ["t1", "t2"]


def test_debug_env_shows_traceback(tmp_path: Path) -> None:
    """ALTLAS_DEBUG=1 lets the traceback through; without it there is one line."""
    missing = str(tmp_path / "nope.alt")
    cmd = [sys.executable, "-m", "altlas.cli.main", "inspect", missing]
    quiet = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert quiet.returncode == 2
    assert quiet.stderr == f"error: {missing}: no such file\n"
    loud = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ALTLAS_DEBUG": "1"},
    )
    assert loud.returncode == 1
    assert "Traceback" in loud.stderr
    assert "FormatError" in loud.stderr


def test_version(cli) -> None:
    """--version prints the package version."""
    import altlas

    assert cli("--version").stdout == f"altlas {altlas.__version__}\n"
