"""One error envelope for every failure, and the mapping from exceptions to HTTP statuses.

Every error response has the same JSON body::

    {"error": {"status": 422, "type": "validation_failed", "message": "...",
               "details": [{"path": "tasks[0].id", "message": "..."}]},
     "request_id": "req_..."}

Bad input is never a 500: malformed bodies are 400, bodies that parse but break the rules
422, too large 413. A 500 is a bug or a damaged store, and its message says nothing about
internals. Every AltlasError gets its status from its group in :data:`HTTP_STATUSES`.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import orjson
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)

from altlas.errors import (
    AltlasError,
    AuthError,
    ConflictError,
    CorruptError,
    ExecutionError,
    InvalidInputError,
    MissingExtraError,
    NotAllowedError,
    NotFoundError,
    QuotaError,
    TooLargeError,
    UnavailableError,
    UnprocessableError,
    ValidationError,
    lookup,
)

__all__ = [
    "ERROR_TYPES",
    "HTTP_STATUSES",
    "envelope",
    "error_response",
    "exception_handlers",
    "status_for",
]

log = logging.getLogger("altlas.server")

ERROR_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
}
REQUEST_ID_KEY = "altlas.request_id"


def envelope(
    status: int,
    message: str,
    *,
    details: list[dict[str, Any]] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "status": status,
        "type": ERROR_TYPES.get(status, "error"),
        "message": message,
    }
    if details:
        error["details"] = details
    return {"error": error, "request_id": request_id}


def error_response(
    request: Request[Any, Any, Any] | None,
    status: int,
    message: str,
    *,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    scope: Any = request.scope if request is not None else {}
    request_id = scope.get(REQUEST_ID_KEY)
    body = orjson.dumps(envelope(status, message, details=details, request_id=request_id))
    out_headers = dict(headers or {})
    if status == 401:
        out_headers.setdefault("WWW-Authenticate", 'Bearer realm="altlas"')
    return Response(
        body,
        status_code=status,
        media_type="application/json",
        headers=out_headers,
    )


def _validation_details(extra: Any) -> list[dict[str, Any]]:
    details: list[dict[str, Any]] = []
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, dict):
                entry = {"message": str(item.get("message", "invalid"))}
                if item.get("key"):
                    entry["path"] = str(item["key"])
                if item.get("source"):
                    entry["source"] = str(item["source"])
                details.append(entry)
    return details


def _http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    headers = {k: str(v) for k, v in (exc.headers or {}).items()}
    if isinstance(exc, ValidationException):
        # Litestar answers 400 for a body that parsed but failed the model; that is a 422.
        details = _validation_details(exc.extra)
        message = "the request does not match its schema"
        return error_response(request, 422, message, details=details)
    if status >= 500:
        log.error("server error on %s %s: %s", request.method, request.url.path, exc.detail)
        message = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "error"
        return error_response(request, status, message, headers=headers)
    message = str(exc.detail) if exc.detail else HTTPStatus(status).phrase
    if status == 404 and message == "Not Found":
        policy = request.app.state.get("versions")
        unknown = policy.unknown_version_message(request.url.path) if policy else None
        message = unknown or f"no route for {request.method} {request.url.path}"
    if (
        status == 401
        and isinstance(exc, NotAuthorizedException)
        and (message == "Unauthorized" or message.startswith("No JWT token found"))
    ):
        message = "authentication required: send Authorization: Bearer <token> or X-API-Key"
    return error_response(request, status, message, headers=headers)


HTTP_STATUSES: dict[type[BaseException], int] = {
    AltlasError: 400,
    InvalidInputError: 400,
    UnprocessableError: 422,
    TooLargeError: 413,
    NotFoundError: 404,
    ConflictError: 409,
    NotAllowedError: 403,
    AuthError: 401,
    QuotaError: 402,
    UnavailableError: 503,
    MissingExtraError: 501,
    CorruptError: 500,
    ExecutionError: 400,
}
"""HTTP status per error group, the one table (docs/architecture.md prints it).

An ExecutionError seldom reaches a response: a run reports its failures in its result, and what
a request gets wrong (an unknown option, a task not in the plan) is an InvalidInputError. When
one does, it keeps the 400 it always had. A bare AltlasError has no group and keeps its old 400.
"""
_RETRY_AFTER_SECONDS = "1"
_CORRUPT_MESSAGE = "a server store is damaged; the server log names it and how to repair it"


def status_for(exc: AltlasError | type[AltlasError]) -> int:
    """The status for ``exc``: that of its most specific class in :data:`HTTP_STATUSES`."""
    status = lookup(HTTP_STATUSES, exc)
    return 400 if status is None else status


def _altlas_error(request: Request[Any, Any, Any], exc: AltlasError) -> Response[bytes]:
    status = status_for(exc)
    details = None
    if isinstance(exc, ValidationError):
        details = [
            {k: v for k, v in d.as_dict().items() if v not in ("", [], None)}
            for d in exc.diagnostics
        ]
    # a validation error's paths are in its details
    message = exc.one_line(locate=not isinstance(exc, ValidationError))
    if status >= 500:
        # the server's own trouble: its one line names files on the server, which the log
        # keeps and the client does not need
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, message)
        message = _CORRUPT_MESSAGE if isinstance(exc, CorruptError) else exc.one_line(locate=False)
    headers = {"Retry-After": _RETRY_AFTER_SECONDS} if status == 503 else None
    return error_response(request, status, message, details=details, headers=headers)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal error; the server log has the details")


def exception_handlers() -> dict[int | type[Exception], Any]:
    return {
        HTTPException: _http_exception,
        AltlasError: _altlas_error,
        Exception: _unexpected,
    }
