"""``optimize``: train a zstd dictionary on stored results; new blobs use it.

Its own module because ingest trains one too (``autodict``): ingest imports this, and this
imports nothing of ingest, so the imports inside ``altlas.index`` go one way.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from altlas.errors import ArchiveConflictError
from altlas.index.models import OptimizeReport

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts

__all__ = ["optimize", "recompress_blobs"]

_DICT_SIZE = 112_640


def optimize(
    archive: ArchiveParts, *, recompress: bool, samples: int, level: int | None = None
) -> OptimizeReport:
    """``level`` is the recompression's zstd level (default: the add's ``zstd_level``)."""
    import zstandard

    level = level or archive.settings.zstd_level

    started = time.perf_counter()
    report = OptimizeReport()
    with archive.lock.held("altlas archive optimize"):
        rows = archive.store.dictionary_samples(samples)
        if len(rows) < 20:
            raise ArchiveConflictError(
                f"too few results to train a dictionary (need 20 uncompressed originals, "
                f"have {len(rows)})"
            )
        sample = [archive.blobs.get(r["sha256"]) for r in rows]
        try:
            # Trained at the add's level whatever the recompression's: training at 15 took
            # 15x as long (28 s for 2,000 samples) for frames no smaller.
            trained = zstandard.train_dictionary(
                _DICT_SIZE, cast(Any, sample), level=archive.settings.zstd_level
            )
        except zstandard.ZstdError as exc:
            raise ArchiveConflictError(f"dictionary training failed: {exc}") from None
        dict_id = archive.blobs.save_dictionary(trained.as_bytes())
        raw_total = sum(len(s) for s in sample)
        report.ratio_before = sum(r["stored_size"] for r in rows) / raw_total
        report.ratio_after = (
            sum(len(archive.blobs.compress(s, dict_id=dict_id, level=level)[0]) for s in sample)
            / raw_total
        )
        report.dict_id, report.samples, report.dict_size = (
            dict_id,
            len(sample),
            len(trained.as_bytes()),
        )
        now = datetime.now(UTC).isoformat()
        archive.store.catalogue_dictionaries([(dict_id, now, report.dict_size, len(sample), True)])
        archive.blobs.use_dictionary(dict_id)
        if recompress:
            report.recompressed = recompress_blobs(archive, dict_id, level=level)
            archive.blobs.packs.compact(rebuild=True)
        archive.store.tidy()
    report.seconds = time.perf_counter() - started
    return report


def recompress_blobs(archive: ArchiveParts, dict_id: int, *, level: int | None = None) -> int:
    """Re-encode every blob with the new dictionary (atomic per blob; the hash never changes)."""
    done = 0
    last = 0
    while True:
        rows = archive.store.not_using_dictionary(dict_id, last, 500)
        if not rows:
            return done
        updates: list[tuple[int, int, int]] = []
        frames: list[tuple[str, bytes]] = []
        for row in rows:
            raw = archive.blobs.get(row["sha256"])
            frame, used = archive.blobs.compress(raw, dict_id=dict_id, level=level)
            frames.append((row["sha256"], frame))
            updates.append((used, len(frame), row["rid"]))
        archive.blobs.put_many(frames, replace=True)
        archive.store.set_encodings(updates)
        done += len(rows)
        last = rows[-1]["rid"]
