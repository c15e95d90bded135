"""Server fixtures: a real app over a fresh ALTLAS_HOME, real accounts and keys per role.

They are defined once, in tests/security/_server_support.py; the names are re-exported here.
"""

from __future__ import annotations

import pytest

pytest.importorskip("litestar")

from tests.security._server_support import (
    PASSWORD,
    ROLES,
    auth,
    client,
    error_of,
    keys,
    make_client,
    settings,
)

__all__ = ["PASSWORD", "ROLES", "auth", "client", "error_of", "keys", "make_client", "settings"]
