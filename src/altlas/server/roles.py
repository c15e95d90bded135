"""Roles and permissions: who may do what. Routes name a permission; roles grant sets of them.

=====================  =====  ========  ======
permission             admin  operator  viewer
=====================  =====  ========  ======
plans:read             yes    yes       yes
runs:read              yes    yes       yes
archive:read           yes    yes       yes
segment                yes    yes       no
runs:write             yes    yes       no
archive:write          yes    yes       no
atlas:write            yes    yes       no
metrics:read           yes    yes       no
llm:chat               yes    yes       no
keys:admin             yes    no        no
analytics:read         yes    no        no
=====================  =====  ========  ======
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PERMISSIONS", "Permission", "Role", "allowed"]


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class Permission(StrEnum):
    PLANS_READ = "plans:read"
    RUNS_READ = "runs:read"
    ARCHIVE_READ = "archive:read"
    SEGMENT = "segment"
    RUNS_WRITE = "runs:write"
    ARCHIVE_WRITE = "archive:write"
    ATLAS_WRITE = "atlas:write"
    METRICS_READ = "metrics:read"
    LLM_CHAT = "llm:chat"
    KEYS_ADMIN = "keys:admin"
    ANALYTICS_READ = "analytics:read"


_VIEWER = frozenset({Permission.PLANS_READ, Permission.RUNS_READ, Permission.ARCHIVE_READ})
_OPERATOR = _VIEWER | {
    Permission.SEGMENT,
    Permission.RUNS_WRITE,
    Permission.ARCHIVE_WRITE,
    Permission.ATLAS_WRITE,
    Permission.METRICS_READ,
    Permission.LLM_CHAT,
}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    Role.OPERATOR: frozenset(_OPERATOR),
    Role.ADMIN: frozenset(Permission),
}


def allowed(role: Role | str, permission: Permission | str) -> bool:
    try:
        return Permission(permission) in PERMISSIONS[Role(role)]
    except ValueError:
        return False
