"""Who can call the server: users, API keys, and the principal a request acts as."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from altlas.server.roles import Role

__all__ = ["KEY_PREFIX", "ApiKey", "Principal", "TokenPair", "User", "parse_api_key"]

KEY_PREFIX = "altk"
_KEY = re.compile(r"^altk_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user (by name) or an API key (by id), and the role they act with."""

    kind: str
    id: str
    role: Role

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    role: Role
    created_at: str
    created_by: str | None
    expires_at: float | None
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > time.time()

    @property
    def prefix(self) -> str:
        return f"{KEY_PREFIX}_{self.id}_"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prefix": self.prefix,
            "name": self.name,
            "role": self.role.value,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "expires_at": self.expires_at,
            "last_used_at": self.last_used_at,
            "revoked_at": self.revoked_at,
            "active": self.active,
        }


def parse_api_key(text: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a well-formed key, else None."""
    match = _KEY.match(text.strip())
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    role: Role

    def as_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "refresh_expires_in": self.refresh_expires_in,
            "role": self.role.value,
        }
