"""The zstd dictionary a growing archive trains by itself, off the writer's path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from altlas.index.stager import DICT_SAMPLES
from altlas.index.staging import Staged

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts as Archive

__all__ = ["adopt_dictionary", "dictionary_due", "maybe_train_dictionary", "recompress_earlier"]


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
