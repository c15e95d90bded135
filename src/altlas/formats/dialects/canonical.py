"""The canonical dialects: ``altlas.alt``, ``altlas.last`` and ``altlas.atlas``, version 1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from altlas.formats.dialects._base import Dialect, ReadOutcome, register

__all__: list[str] = []


def _sniffer(fmt: str) -> Any:
    def sniff(data: Mapping[str, Any]) -> bool:
        return data.get("format") == fmt

    return sniff


def _read(data: Mapping[str, Any]) -> ReadOutcome:
    return ReadOutcome(data=dict(data))


def _write(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=False)


for _kind, _fmt in (("alt", "altlas.alt"), ("last", "altlas.last"), ("atlas", "altlas.atlas")):
    register(
        Dialect(
            name=f"canonical-{_kind}",
            kind=_kind,  # type: ignore[arg-type]
            description=f"altlas canonical {_fmt} (format_version 1)",
            sniff=_sniffer(_fmt),
            read=_read,
            write=_write,
            order=0,
            aliases=("canonical",) if _kind == "alt" else (),
        ),
    )
