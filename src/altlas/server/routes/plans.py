"""``/v1/plans/validate`` and ``/v1/plans/convert``: the format checks over HTTP."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, post
from litestar.params import FromQuery, QueryParameter

from altlas.server.context import ctx_of
from altlas.server.documents import convert_document, validate_document
from altlas.server.roles import Permission
from altlas.server.routes._common import (
    PROTECTED,
    RawBodyOperation,
    errors,
    ok,
    read_body,
    route_opt,
)

__all__ = ["ROUTES"]

_OPT = route_opt(Permission.PLANS_READ, "plans")
_MEDIA = {"json": "application/json", "yaml": "application/yaml"}


@post(
    "/plans/validate",
    opt=_OPT,
    status_code=200,
    operation_class=RawBodyOperation,
    tags=["plans"],
    responses=errors(*PROTECTED),
)
async def validate(
    request: Request[Any, Any, Any],
    name: Annotated[
        str | None,
        QueryParameter(description="A file name, used only as a hint to the kind", max_length=255),
    ] = None,
) -> dict[str, Any]:
    """Every error and warning of a document (.alt, .last or .atlas). An invalid document is
    a 200 answer with ``valid: false``: the report is the result."""
    ctx = ctx_of(request)
    body = await read_body(request)
    report: dict[str, Any] = await ctx.documents.call(
        validate_document, body, name, ctx.read_limits
    )
    return report


@post(
    "/plans/convert",
    opt=_OPT,
    status_code=200,
    operation_class=RawBodyOperation,
    tags=["plans"],
    responses={
        **ok(dict[str, Any], "The document in the dialect asked for (YAML with syntax=yaml)"),
        **errors(*PROTECTED),
    },
)
async def convert(
    request: Request[Any, Any, Any],
    to: FromQuery[
        Literal["canonical", "segmentation-v1", "runner-alt", "runner-last"]
    ] = "canonical",
    syntax: FromQuery[Literal["json", "yaml"] | None] = None,
) -> Response[bytes]:
    """A document in another dialect (or syntax). The body may be any dialect or container."""
    ctx = ctx_of(request)
    raw = await read_body(request)
    body: bytes = await ctx.documents.call(convert_document, raw, to, syntax, ctx.read_limits)
    chosen = syntax or ("yaml" if to == "segmentation-v1" else "json")
    return Response(body, media_type=_MEDIA[chosen], status_code=200)


ROUTES = [validate, convert]
