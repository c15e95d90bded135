"""Export, prune (archive-first) and bundles."""

from __future__ import annotations

import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from altlas.errors import ArchiveError
from altlas.index import Archive
from altlas.index.bundles import read_bundle


@pytest.fixture
def aged(archive: Archive, mkresult) -> Archive:
    """Six results: three a year old (two failed), three from yesterday."""
    now = datetime.now(UTC)
    for n in range(6):
        old = n < 3
        statuses = ["failed"] if old and n < 2 else ["completed"]
        started = now - (timedelta(days=365 + n) if old else timedelta(days=1, hours=n))
        archive.add_result(
            mkresult(f"r{n}", statuses, started=started, command=f"job number {n} report")
        )
    return archive


def test_export_to_a_directory_is_byte_exact(archive: Archive, write_results, tmp_path) -> None:
    files = write_results(5)
    archive.add(files)
    report = archive.export(tmp_path / "out")
    assert report.count == 5
    for path in files:
        assert (tmp_path / "out" / path.name).read_bytes() == path.read_bytes()
    one = archive.records(limit=1)[0]
    report = archive.export(tmp_path / "one", ids=[one.id])
    assert report.count == 1 and (tmp_path / "one" / (one.name or "")).exists()


def test_export_bundle_then_import_into_another_home(archive, write_results, tmp_path) -> None:
    files = write_results(8)
    archive.add(files)
    bundle = tmp_path / "all.tar.zst"
    report = archive.export(bundle)
    assert report.count == 8 and bundle.stat().st_size == report.bytes
    members = {m: raw for m, raw, _ in read_bundle(bundle)}
    assert len(members) == 8
    with Archive(tmp_path / "other-home") as other:
        imported = other.import_bundle(bundle)
        assert imported.added == 8
        theirs = {r.id: r for r in other.records(limit=None)}
        for mine in archive.records(limit=None):
            assert theirs[mine.id].added_at == mine.added_at
            assert theirs[mine.id].name == mine.name
            assert other.show(mine.id) == archive.show(mine.id)
        assert other.import_bundle(bundle).existing == 8


def test_prune_with_archive_first(aged: Archive, tmp_path: Path) -> None:
    bundle = tmp_path / "old.tar.zst"
    dry = aged.prune("90d", archive_to=bundle, dry_run=True)
    assert dry.matched == 3 and not bundle.exists()
    old = {r.id: r for r in aged.records(limit=None) if r.result_id in {"r0", "r1", "r2"}}
    originals = {rid: aged.show(rid) for rid in old}
    report = aged.prune("90d", archive_to=bundle)
    assert report.pruned == 3 and report.bytes_freed > 0
    assert {r.result_id for r in aged.records(limit=None)} == {"r3", "r4", "r5"}
    assert aged.search("*").total == 3
    for rid, record in old.items():
        assert not aged.blobs.exists(record.sha256)
        assert rid in report.ids
    in_bundle = {entry["id"]: raw for _, raw, entry in read_bundle(bundle) if entry}
    assert in_bundle == originals
    assert aged.verify().ok
    restored = aged.import_bundle(bundle)
    assert restored.added == 3
    assert len(aged.records(limit=None)) == 6


def test_prune_by_status_without_bundle(aged: Archive) -> None:
    report = aged.prune("90d", {"status": "failure"})
    assert report.pruned == 2
    assert {r.result_id for r in aged.records(limit=None)} == {"r2", "r3", "r4", "r5"}


def test_prune_refuses_an_existing_bundle_and_deletes_nothing(aged: Archive, tmp_path) -> None:
    bundle = tmp_path / "taken.tar.zst"
    bundle.write_bytes(b"something precious")
    with pytest.raises(ArchiveError, match="already exists"):
        aged.prune("90d", archive_to=bundle)
    assert bundle.read_bytes() == b"something precious"
    assert len(aged.records(limit=None)) == 6


def test_prune_stops_before_deleting_when_the_bundle_cannot_be_written(
    aged, tmp_path, drop_blob
) -> None:
    """A blob that cannot be read makes the bundle fail: nothing is deleted."""
    victim = next(r for r in aged.records(limit=None) if r.result_id == "r0")
    drop_blob(aged.blobs.root, victim.sha256)
    with pytest.raises(ArchiveError, match="missing"):
        aged.prune("90d", archive_to=tmp_path / "b.tar.zst")
    assert not (tmp_path / "b.tar.zst").exists()
    assert not list(tmp_path.glob(".b.tar.zst.*"))
    assert len(aged.records(limit=None)) == 6


def test_import_of_a_damaged_or_foreign_bundle(archive: Archive, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.zst"
    junk.write_bytes(b"\x28\xb5\x2f\xfd" + b"not really zstd" * 10)
    with pytest.raises(ArchiveError, match="damaged"):
        archive.import_bundle(junk)
    with pytest.raises(ArchiveError, match="no such bundle"):
        archive.import_bundle(tmp_path / "nope.tar.zst")
    # A plain tar of .last files, without a manifest, is accepted file by file.
    from altlas.formats import io
    from altlas.index.synthetic import synthetic_result

    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        for i in range(2):
            path = io.write(synthetic_result(i), tmp_path / f"r{i}.last")
            tar.add(path, arcname=f"r{i}.last")
        bad = tmp_path / "bad.last"
        bad.write_bytes(b"{}")
        tar.add(bad, arcname="bad.last")
    report = archive.import_bundle(plain)
    assert report.added == 2 and report.failed == 1
