"""``altlas serve``: the pipeline over a versioned, authenticated, rate-limited HTTP API.

Needs the ``server`` extra. Nothing here imports Litestar until :func:`create_app` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Litestar

    from altlas.config import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, **overrides: Any) -> Litestar:
    """The Litestar application (see :func:`altlas.server.app.create_app`)."""
    try:
        import litestar  # noqa: F401
    except ImportError:
        from altlas.errors import MissingExtraError

        raise MissingExtraError("server", "litestar") from None
    from altlas.server.app import create_app as _create_app

    return _create_app(settings, **overrides)
