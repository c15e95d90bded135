"""What ``altlas users`` and ``altlas keys`` share: the role choice and the account store."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from altlas.server.accounts import AccountStore

__all__ = ["RoleChoice", "account_store"]


class RoleChoice(StrEnum):
    """The roles as a CLI choice; the server's own Role enum would import argon2 for --help."""

    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


def account_store() -> AccountStore:
    from altlas.config import load_settings
    from altlas.server.accounts import AccountStore

    return AccountStore(load_settings().home)
