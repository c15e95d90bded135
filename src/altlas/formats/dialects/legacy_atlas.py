"""The archive service's atlas records (read-only): Go ``AtlasFile`` (T2) and ``Atlas`` (T1).

Both describe one ``.last``; they become a canonical atlas with one run digest. The success
category follows the original rule (``high`` >= 0.9, ``medium`` >= 0.7, else ``low``). What has
no canonical field (``file_path``, the record ``status``, ``segment_results``, ``raw_output``...)
is kept verbatim under ``metadata.altlas.legacy_atlas``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from altlas.formats.atlas import Atlas, RunDigest, success_category
from altlas.formats.dialects._base import Dialect, ReadOutcome, register
from altlas.formats.dialects._reader import Reader
from altlas.formats.dialects._support import MISSING, canonical_metadata, plain
from altlas.formats.result import run_status_for

__all__ = ["FAMILY", "read"]

FAMILY = "legacy_atlas"
_DIGEST_FIELDS = {
    "last_file_id": "result_id",
    "success_rate": "success_rate",
    "timestamp": "started_at",
    "processing_time_ms": "duration_ms",
    "original_prompt": "command",
    "tags": "tags",
}


def _sniff(data: Mapping[str, Any]) -> bool:
    return (
        "format" not in data
        and "last_file_id" in data
        and "success_rate" in data
        and ("segment_results" in data or "file_path" in data)
    )


def read(data: Mapping[str, Any]) -> ReadOutcome:
    rd = Reader()
    shape = "AtlasFile" if "segment_results" in data else "Atlas"
    record: dict[str, Any] = {"shape": shape}
    skip = {*_DIGEST_FIELDS, "metadata", "id"}  # these have canonical homes
    record.update({str(k): plain(v) for k, v in data.items() if k not in skip})
    last_id = rd.string(data.get("last_file_id", MISSING), "last_file_id", nonempty=True)
    rate = data.get("success_rate")
    if not isinstance(rate, int | float) or isinstance(rate, bool):
        rd.error("success_rate", "Input should be a valid number", "float_type")
        rate = 0.0
    digest: dict[str, Any] = {
        "result_id": last_id if last_id is not MISSING else "<last_file_id>",
        "status": run_status_for(rate, has_tasks=True).value,
        "success_rate": rate,
        "success_category": success_category(rate).value,
    }
    names = {canonical: source for source, canonical in _DIGEST_FIELDS.items()}
    names["success_category"] = "success_rate"
    moment = rd.time(data.get("timestamp"), "timestamp")
    if moment is not MISSING and moment is not None:
        digest["started_at"] = moment
    for source in ("processing_time_ms", "original_prompt", "tags"):
        if data.get(source) is not None:
            digest[_DIGEST_FIELDS[source]] = plain(data[source])
    segments = data.get("segment_results")
    segments = segments if isinstance(segments, list) else []
    types = [s.get("segment_type") for s in segments if isinstance(s, Mapping)]
    digest["task_count"] = len(segments)
    digest["task_types"] = sorted({t for t in types if isinstance(t, str) and t})
    if data.get("metadata") is not None:
        digest["metadata"] = plain(rd.mapping(data["metadata"], "metadata") or {})
    fallback = {k: digest[k] for k in ("result_id", "status", "success_category")}
    rd.check(RunDigest, digest, names=names, fallback={**fallback, "success_rate": 0.0})
    atlas: dict[str, Any] = {
        "id": data["id"]
        if isinstance(data.get("id"), str) and data["id"]
        else f"atlas_{digest['result_id']}",
        "source": {
            "results": 1,
            "since": digest.get("started_at"),
            "until": digest.get("started_at"),
        },
        "digests": [digest],
        "tag_counts": {t: 1 for t in digest.get("tags", []) if isinstance(t, str)},
        "success_by": _success_by_type(segments),
        "metadata": canonical_metadata({}, {}, FAMILY, record),
    }
    created = rd.time(data.get("created_at"), "created_at")
    if created is not MISSING and created is not None:
        atlas["created_at"] = created
    elif moment is not MISSING and moment is not None:
        atlas["created_at"] = moment
    rd.check(Atlas, atlas, names={"id": "id"})
    return ReadOutcome(data=atlas, diagnostics=rd.diagnostics)


def _success_by_type(segments: list[Any]) -> dict[str, Any]:
    """``task_type`` -> success rate of the segment results that name their type."""
    stats: dict[str, list[int]] = {}
    for seg in segments:
        if not isinstance(seg, Mapping) or not isinstance(seg.get("segment_type"), str):
            continue
        total_done = stats.setdefault(seg["segment_type"], [0, 0])
        total_done[0] += 1
        total_done[1] += seg.get("success") is True
    if not stats:
        return {}
    return {
        "task_type": {
            kind: {"total": total, "completed": done, "rate": done / total}
            for kind, (total, done) in stats.items()
        },
    }


register(
    Dialect(
        name="legacy-atlas",
        kind="atlas",
        description="archive service Atlas record (T1) or AtlasFile (T2), read-only",
        sniff=_sniff,
        read=read,
        order=40,
        aliases=("go-atlas",),
    ),
)
