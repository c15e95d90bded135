"""The content-addressed blob store: round trips, damage, dictionaries."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from altlas.errors import ArchiveUnavailableError
from altlas.index.blobs import BlobDamaged, BlobMissing, BlobStore
from altlas.index.extract import sha256_hex
from altlas.index.synthetic import synthetic_result


def _store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs", level=3)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(min_size=0, max_size=5000))
def test_compress_decompress_round_trip(tmp_path: Path, raw: bytes) -> None:
    """Any bytes come back exactly, and the hash check passes."""
    store = _store(tmp_path)
    frame, dict_id = store.compress(raw)
    assert dict_id == 0
    assert store.decompress(frame, sha=sha256_hex(raw)) == raw


def test_put_get_and_layout(tmp_path: Path) -> None:
    """A blob is packed in blobs/blobs.db (no file of its own) and reads back verified."""
    store = _store(tmp_path)
    raw = b'{"format": "altlas.last"}' * 40
    sha = sha256_hex(raw)
    store.put_many([(sha, store.compress(raw)[0])])
    assert (tmp_path / "blobs" / "blobs.db").is_file()
    assert not store.path_for(sha).exists()
    assert store.get(sha) == raw
    assert list(store.iter_shas()) == [sha]
    # Writing the same blob again (an interrupted add retried) is harmless.
    store.put_many([(sha, store.compress(raw)[0])])
    assert store.get(sha) == raw


def test_damaged_and_missing_blobs_are_named(tmp_path: Path, damage_blob, drop_blob) -> None:
    """A flipped byte or a missing frame raises a clear, specific error."""
    store = _store(tmp_path)
    raw = b"hello archive " * 100
    sha = sha256_hex(raw)
    store.put_many([(sha, store.compress(raw)[0])])
    damage_blob(store.root, sha)
    with pytest.raises(BlobDamaged, match=sha):
        store.get(sha)
    assert store.check(sha) == "damaged"
    drop_blob(store.root, sha)
    with pytest.raises(BlobMissing, match=sha):
        store.get(sha)
    assert store.check(sha) == "missing"


def test_wrong_content_under_a_name_is_damage(tmp_path: Path) -> None:
    """A sound zstd frame holding other bytes fails the hash check."""
    store = _store(tmp_path)
    sha = sha256_hex(b"expected")
    store.put_many([(sha, store.compress(b"something else")[0])])
    with pytest.raises(BlobDamaged, match="no longer matches"):
        store.get(sha)


def test_dictionary_blobs_and_old_blobs_stay_readable(tmp_path: Path) -> None:
    """After switching dictionaries, blobs from before and after all decompress."""
    from altlas.formats import io

    store = _store(tmp_path)
    samples = [io.to_bytes(synthetic_result(i)) for i in range(120)]
    plain_frame, _ = store.compress(samples[0])
    import zstandard

    first = store.save_dictionary(zstandard.train_dictionary(16_384, samples[:100]).as_bytes())
    store.use_dictionary(first)
    with_first, used = store.compress(samples[1])
    assert used == first
    second = store.save_dictionary(zstandard.train_dictionary(8_192, samples[20:120]).as_bytes())
    store.use_dictionary(second)
    with_second, used2 = store.compress(samples[2])
    assert used2 == second != first
    fresh = _store(tmp_path)  # a new process: dictionaries are found on disk by frame id
    assert fresh.decompress(plain_frame) == samples[0]
    assert fresh.decompress(with_first) == samples[1]
    assert fresh.decompress(with_second) == samples[2]
    assert len(with_second) < len(plain_frame)


def test_already_compressed_input_skips_the_dictionary(tmp_path: Path) -> None:
    """A .json.gz original is stored at level 1 without a dictionary (nothing to gain)."""
    store = _store(tmp_path)
    raw = gzip.compress(b"x" * 5000)
    store.current_dict_id = 123  # would fail if it were used: no such dictionary
    frame, used = store.compress(raw)
    assert used == 0
    assert store.decompress(frame) == raw


def test_missing_dictionary_is_a_clear_error(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.dicts_dir.mkdir(parents=True)
    with pytest.raises(Exception, match="dictionary 42 is missing"):
        store.use_dictionary(42)


def test_delete_and_quarantine(tmp_path: Path) -> None:
    store = _store(tmp_path)
    raw = b"abc" * 300
    sha = sha256_hex(raw)
    store.put_many([(sha, store.compress(raw)[0])])
    moved = store.quarantine(sha)
    assert moved is not None and moved.parent == store.quarantine_dir
    assert not store.exists(sha)
    assert list(store.iter_shas()) == []
    store.put_many([(sha, store.compress(raw)[0])])
    assert store.delete_many([sha, "0" * 64]) > 0
    assert not store.exists(sha)


def test_one_file_blobs_of_the_earlier_layout_are_read_and_moved_in(tmp_path: Path) -> None:
    """Blobs written one file each (before the packed store) read, list, and migrate."""
    store = _store(tmp_path)
    raws = [f"old blob {n} ".encode() * 50 for n in range(3)]
    shas = [sha256_hex(raw) for raw in raws]
    for sha, raw in zip(shas, raws, strict=True):
        path = store.path_for(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(store.compress(raw)[0])
    assert list(store.iter_shas()) == sorted(shas)
    assert store.get(shas[0]) == raws[0] and store.exists(shas[1])
    assert store.migrate_files() == 3
    assert not any(p.name != "blobs.db" and p.suffix == ".zst" for p in store.root.rglob("*"))
    assert [p.name for p in store.root.iterdir() if len(p.name) == 2] == []
    assert [store.get(sha) for sha in shas] == raws
    assert list(store.iter_shas()) == sorted(shas)
    assert store.migrate_files() == 0


def test_an_archive_of_the_earlier_layout_upgrades_on_open(altlas_home, write_results) -> None:
    """One file per blob (as altlas wrote before the pack): opened, moved in, all still there."""
    from altlas.index import Archive

    files = write_results(6)
    with Archive(altlas_home) as arch:
        arch.add(files)
        records = arch.records(limit=None)
        frames = {r.sha256: arch.blobs.read_frame(r.sha256) for r in records}
    pack = altlas_home / "blobs" / "blobs.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{pack}{suffix}").unlink(missing_ok=True)
    for sha, frame in frames.items():  # the earlier layout, byte for byte
        path = altlas_home / "blobs" / sha[:2] / f"{sha}.zst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(frame)
    with Archive(altlas_home) as arch:
        assert arch.verify().ok
        assert not list((altlas_home / "blobs").glob("??/*.zst"))
        assert pack.is_file()
        for record in records:
            assert arch.show(record.id) == Path(record.source or "").read_bytes()
        assert arch.search("*").total == 6


def test_names_are_committed_with_their_frames_and_older_sidecars_still_read(
    tmp_path: Path,
) -> None:
    """A batch's names go into the pack in the frames' transaction, compressed; names.jsonl
    of earlier versions is read first, so a later entry for the same blob wins."""
    store = _store(tmp_path)
    raws = [f'{{"n": {i}}}'.encode() * 30 for i in range(3)]
    shas = [sha256_hex(raw) for raw in raws]
    legacy = {"sha256": shas[0], "name": "old.last", "source": None, "added_at": "2020"}
    store.root.mkdir(parents=True)
    store.names_path.write_bytes(orjson.dumps(legacy) + b"\n" + b'{"sha256": "ab')
    entries = [
        {"sha256": sha, "name": f"r{i}.last", "source": f"/runs/r{i}.last", "added_at": "2026"}
        for i, sha in enumerate(shas)
    ]
    store.put_many([(sha, store.compress(raw)[0]) for sha, raw in zip(shas, raws, strict=True)],
                   names=entries)  # fmt: skip
    names = store.read_names()
    assert names == {e["sha256"]: e for e in entries}
    blocks = store.packs.name_blocks()
    assert len(blocks) == 1 and len(blocks[0]) < len(orjson.dumps(entries))
    store.close()
    # A failed batch (a NOT NULL frame refused) commits its names block neither.
    with pytest.raises(ArchiveUnavailableError):
        store.packs.put([("ab" * 32, None)], replace=True, names=b"block")  # type: ignore[list-item]
    assert len(store.packs.name_blocks()) == 1
