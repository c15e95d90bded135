"""The zstd dictionary a growing archive trains by itself, off the writer's path (the
adding process trains it while the staging workers parse; :mod:`altlas.index.stager`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from altlas.errors import AltlasError
from altlas.index.blobs import _ALREADY_COMPRESSED, BlobStore
from altlas.index.staging import _FILE, Staged

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts as Archive

__all__ = [
    "DICT_SAMPLES",
    "adopt_dictionary",
    "dictionary_due",
    "maybe_train_dictionary",
    "recompress_earlier",
    "train_dictionary",
]


_DICT_SIZE = 112_640
DICT_SAMPLES = 200
"""Enough ~10 KB results: on the synthetic corpus a dictionary trained on 200 compresses to
13.93% of the raw size against 13.90% for 400, in half the time."""


def train_dictionary(blobs: BlobStore, files: Sequence[_FILE]) -> int:
    """Train a zstd dictionary on some plain originals of the first batch; its id, or 0.

    Runs in the parent while the workers parse their first batches (which wait for it only
    to compress), so no core idles while it trains and every blob of the add uses it. The
    file is written (and synced) before any blob uses it; the writer records it as the
    current one when the first batch that used it arrives. Only an optimisation: when it
    cannot train, the end of the add or ``archive optimize`` does.
    """
    import zstandard

    samples: list[bytes] = []
    for _, path, _ in files:
        if len(samples) >= DICT_SAMPLES:
            break
        if path is None:
            continue
        try:
            with open(path, "rb") as fh:  # noqa: PTH123
                raw = fh.read()
        except OSError:
            continue
        if not raw.startswith(_ALREADY_COMPRESSED):
            samples.append(raw)
    if len(samples) < 20:
        return 0
    try:
        # k and d fixed: the parameter search took 96 ms of CPU against 26 ms, for the same
        # 13.97% on the synthetic corpus (it chose these); ``optimize`` still searches.
        trained = zstandard.train_dictionary(
            _DICT_SIZE, cast(Any, samples), level=blobs.level, k=1024, d=8
        )
        return blobs.save_dictionary(trained.as_bytes())
    except (zstandard.ZstdError, OSError, AltlasError):
        return 0


def adopt_dictionary(archive: Archive, staged: Sequence[Staged]) -> bool:
    """Record a dictionary the staging worker trained, and compress with it from now on.

    The worker wrote (and synced) the dictionary file before any blob used it; the row only
    makes it the current one, so a crash before it costs compression, never readability.
    True when it adopted one.
    """
    used = [st.dict_id for st in staged if st.dict_id and st.failure is None and not st.known]
    new = {d for d in used if d != archive.blobs.current_dict_id}
    if not new:
        return False
    dict_id = max(new)
    path = archive.blobs.dicts_dir / f"{dict_id}.zdict"
    archive.store.catalogue_dictionaries(
        [
            (
                dict_id,
                datetime.now(UTC).isoformat(),
                path.stat().st_size,
                min(used.count(dict_id), DICT_SAMPLES),
                True,
            )
        ]
    )
    archive.blobs.use_dictionary(dict_id)
    return True


def recompress_earlier(archive: Archive) -> int:
    """Re-encode the blobs stored before this add's dictionary existed (call with the lock).

    The first batch is staged while the worker trains, so it is compressed without the
    dictionary (about 19% of its raw size instead of 14%). Only originals kept as plain JSON
    are re-encoded, at most ``auto_dictionary_after`` and a batch of them, once: a few tens
    of milliseconds.
    """
    from altlas.index.dictionary import recompress_blobs

    dict_id = archive.blobs.current_dict_id
    if not dict_id:
        return 0
    done = recompress_blobs(archive, dict_id)
    if done:
        archive.blobs.packs.compact()
    return done


def dictionary_due(archive: Archive, adding: int) -> bool:
    """True when this add takes the archive past ``auto_dictionary_after`` with no dictionary."""
    settings = archive.settings
    if not settings.auto_dictionary or archive.blobs.current_dict_id:
        return False
    return archive.store.plain_count() + adding >= settings.auto_dictionary_after


def maybe_train_dictionary(archive: Archive, phase: Callable[[str], None] | None = None) -> None:
    """Small JSON files compress far better with a dictionary: train one once there is data."""
    settings = archive.settings
    if not settings.auto_dictionary or archive.blobs.current_dict_id:
        return
    if archive.store.plain_count() < settings.auto_dictionary_after:
        return
    from altlas.index.dictionary import optimize

    if phase is not None:
        phase("training a compression dictionary")
    optimize(archive, recompress=True, samples=min(settings.auto_dictionary_after, DICT_SAMPLES))
    if phase is not None:
        phase("adding")
