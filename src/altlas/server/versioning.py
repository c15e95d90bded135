"""API versions: the ``/v1`` prefix, the ``API-Version`` header, deprecation and sunset.

A version or a single route can be marked deprecated; its responses then carry
``Deprecation: @<unix time>`` (RFC 9745), ``Sunset: <HTTP date>`` (RFC 8594) and a
``Link`` to the successor. A request for a version that does not exist is answered 404
with the list of versions that do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

__all__ = ["SUPPORTED", "Deprecation", "VersionPolicy", "deprecated"]

SUPPORTED = ("v1",)
CURRENT = "v1"
_VERSION = re.compile(r"^/(v\d+)(?:/|$)")
OPT_KEY = "deprecation"


@dataclass(frozen=True, slots=True)
class Deprecation:
    """When something was (or will be) deprecated, when it goes away, and what replaces it."""

    at: datetime
    sunset: datetime | None = None
    successor: str | None = None

    def headers(self) -> list[tuple[bytes, bytes]]:
        out = [(b"deprecation", f"@{int(self.at.timestamp())}".encode())]
        if self.sunset is not None:
            out.append((b"sunset", format_datetime(self.sunset, usegmt=True).encode()))
        if self.successor:
            out.append((b"link", f'<{self.successor}>; rel="successor-version"'.encode()))
        return out


def deprecated(
    at: datetime,
    sunset: datetime | None = None,
    successor: str | None = None,
) -> dict[str, Any]:
    """Route ``opt`` marking one route deprecated: ``@get(..., opt=deprecated(...))``."""
    return {OPT_KEY: Deprecation(at, sunset, successor)}


class VersionPolicy:
    """Which versions exist and which are deprecated."""

    def __init__(
        self,
        supported: tuple[str, ...] = SUPPORTED,
        deprecations: Mapping[str, Deprecation] | None = None,
    ) -> None:
        self.supported = supported
        self.deprecations = dict(deprecations or {})
        self._cache: dict[str, list[tuple[bytes, bytes]]] = {}
        for name in supported:
            headers = [(b"api-version", name.encode())]
            dep = self.deprecations.get(name)
            if dep is not None:
                headers.extend(dep.headers())
            self._cache[name] = headers

    def version_of(self, path: str) -> str | None:
        # Asked on every request: a known version is found without the regular expression.
        first = path[1:].partition("/")[0]
        if first in self._cache:
            return first
        match = _VERSION.match(path)
        return match.group(1) if match else None

    def headers_for_path(self, path: str) -> list[tuple[bytes, bytes]]:
        version = self.version_of(path)
        if version is None:
            return []
        return self._cache.get(version, [])

    def route_headers(self, scope: Mapping[str, Any]) -> list[tuple[bytes, bytes]]:
        handler = scope.get("route_handler")
        opt = getattr(handler, "opt", None)
        dep = opt.get(OPT_KEY) if opt else None
        return dep.headers() if isinstance(dep, Deprecation) else []

    def unknown_version_message(self, path: str) -> str | None:
        version = self.version_of(path)
        if version is None or version in self.supported:
            return None
        return f"API version {version} is not supported; supported versions: " + ", ".join(
            self.supported
        )
