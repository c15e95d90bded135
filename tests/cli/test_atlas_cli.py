"""``altlas atlas build|show|list`` through the real Typer app."""

from __future__ import annotations

from pathlib import Path

import orjson

from altlas.formats import io
from altlas.index.synthetic import synthetic_result


def _fill(cli, tmp_path: Path, n: int = 15) -> None:
    folder = tmp_path / "runs"
    for i in range(n):
        io.write(synthetic_result(i, seed=11), folder / f"r{i}.last")
    assert cli("archive", "add", str(folder)).exit_code == 0


def test_build_show_list_and_validate(cli, tmp_path: Path) -> None:
    _fill(cli, tmp_path)
    target = tmp_path / "knowledge.atlas"
    built = cli("atlas", "build", "-o", str(target))
    assert built.exit_code == 0, built.stderr
    assert f"wrote {target}: 15 result(s)" in built.stdout
    assert cli("validate", str(target)).exit_code == 0
    data = orjson.loads(cli("atlas", "show", str(target), "-f", "json").stdout)
    assert data["format"] == "altlas.atlas" and len(data["digests"]) == 15
    assert all(d["tags"][-1].startswith("type:") for d in data["digests"] if d["task_types"])
    tree = cli("atlas", "show", str(target))
    assert "success by task_type" in tree.stdout
    listed = orjson.loads(cli("atlas", "list", "-f", "json").stdout)
    assert [e["id"] for e in listed] == [data["id"]]
    by_id = orjson.loads(cli("atlas", "show", data["id"], "-f", "json").stdout)
    assert by_id == data


def test_build_since_and_no_record(cli, tmp_path: Path, monkeypatch) -> None:
    _fill(cli, tmp_path, n=5)
    monkeypatch.chdir(tmp_path)
    built = cli("atlas", "build", "--since", "2025-01-01T00:06:00Z", "--no-record")
    assert built.exit_code == 0
    written = list(tmp_path.glob("atlas_*.atlas"))
    assert len(written) == 1
    atlas = io.load_atlas(written[0])
    assert 0 < atlas.source.results < 5
    assert orjson.loads(cli("atlas", "list", "-f", "json").stdout) == []


def test_bad_since_and_missing_atlas(cli, tmp_path: Path) -> None:
    bad = cli("atlas", "build", "--since", "last tuesday")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --since: invalid time")
    missing = cli("atlas", "show", "atlas_nope")
    assert missing.exit_code == 3 and "no recorded atlas" in missing.stderr
