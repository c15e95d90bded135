"""A real nats-server with JetStream per test, on a free loopback port and a temp store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("nats")


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[object]:
    from altlas.scale.local_server import LocalNatsServer

    server = LocalNatsServer(tmp_path / "jetstream").start()
    try:
        yield server
    finally:
        server.stop()
