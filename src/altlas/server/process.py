"""A real ``altlas serve`` process on a free loopback port, for tests and load benchmarks.

::

    with ServerProcess(home) as server:
        httpx.get(server.url + "/health")
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["ServerProcess", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """Starts ``altlas serve`` with ``ALTLAS_HOME=home``; waits until ``/ready`` answers."""

    def __init__(
        self,
        home: Path,
        *args: str,
        port: int | None = None,
        env: dict[str, str] | None = None,
        scheme: str = "http",
        ready_timeout: float = 60.0,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.home = home
        self.port = port or free_port()
        self.args = args
        self.env = env or {}
        self.scheme = scheme
        self.ready_timeout = ready_timeout
        self.client_options = client_options or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = home / f"serve-{self.port}.log"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "altlas",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *self.args,
        ]

    def start(self) -> ServerProcess:
        import httpx

        env = {**os.environ, "ALTLAS_HOME": str(self.home), **self.env}
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                self.command(),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"altlas serve exited early:\n{self.output()}")
            try:
                with httpx.Client(**self.client_options) as client:
                    if client.get(self.url + "/ready", timeout=1.0).status_code == 200:
                        return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"altlas serve was not ready in time:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> int | None:
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.proc = None
        return proc.returncode

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
