"""``POST /v1/segment``: a command in natural language becomes a plan (``.alt``)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from litestar import Request, Response, post
from litestar.params import FromQuery, JSONBody

from altlas.server.context import ctx_of
from altlas.server.models import SegmentRequest
from altlas.server.roles import Permission
from altlas.server.routes._common import (
    JSON_BODY_OPT,
    PROTECTED,
    TEXT_BODY,
    errors,
    ok,
    route_opt,
)

__all__ = ["ROUTES"]

_MEDIA = {"json": "application/json", "yaml": "application/yaml"}


@post(
    "/segment",
    opt={**route_opt(Permission.SEGMENT, "segment"), JSON_BODY_OPT: TEXT_BODY},
    status_code=200,
    tags=["segment"],
    responses={
        **ok(dict[str, Any], "The plan: canonical JSON, or YAML with syntax=yaml"),
        **errors(*PROTECTED),
    },
)
async def segment(
    request: Request[Any, Any, Any],
    data: JSONBody[SegmentRequest],
    dialect: FromQuery[Literal["canonical", "segmentation-v1"]] = "canonical",
    syntax: FromQuery[Literal["json", "yaml"] | None] = None,
) -> Response[bytes]:
    """Segment ``text`` into a plan: canonical JSON by default, or the original
    segmentation service's YAML (``dialect=segmentation-v1``)."""
    from altlas.formats.io import to_bytes
    from altlas.segment import segment as segment_text

    options: dict[str, Any] = {
        "mode": data.mode,
        "persona": data.persona,
        "language": data.language,
        "seed": data.seed,
        "chaos_level": data.chaos_level,
    }

    def run() -> bytes:
        plan = segment_text(data.text, **{k: v for k, v in options.items() if v is not None})
        return to_bytes(plan, dialect=dialect, syntax=syntax)

    # Segmenting is CPU work: off the event loop, in a bounded pool of its own.
    body = await asyncio.get_running_loop().run_in_executor(ctx_of(request).text_threads, run)
    chosen = syntax or ("yaml" if dialect == "segmentation-v1" else "json")
    return Response(body, media_type=_MEDIA[chosen])


ROUTES = [segment]
