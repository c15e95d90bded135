from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from altlas.scale.local_server import LocalNatsServer, nats_server_binary


def test_the_binary_comes_from_the_package() -> None:
    assert nats_server_binary().is_file()


def test_server_starts_with_jetstream_and_stops(tmp_path: Path) -> None:
    import nats

    server = LocalNatsServer(tmp_path / "js").start()

    async def account_info() -> int:
        nc = await nats.connect(server.url)
        info = await nc.jetstream().account_info()
        await nc.close()
        return int(info.streams)

    try:
        assert asyncio.run(account_info()) == 0
    finally:
        server.stop()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", server.port)) != 0


def test_import_altlas_and_the_cli_do_not_import_nats() -> None:
    import subprocess
    import sys

    code = (
        "import sys, altlas, altlas.cli.main; "
        "print(sorted(m for m in sys.modules if m == 'nats' or m.startswith('nats.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
