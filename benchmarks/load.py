"""HTTP load generation on loopback: ``wrk`` when it is installed, else a bounded asyncio client.

Both run for a fixed duration with a fixed number of keep-alive connections and report
requests/s and latency percentiles. Only 127.0.0.1 is ever a target.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["LoadResult", "run_load"]

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass
class LoadResult:
    name: str
    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int

    def row(self) -> str:
        return (
            f"{self.name:<34} {self.rps:>9.0f} req/s  p50 {self.p50_ms:>6.2f} ms  "
            f"p90 {self.p90_ms:>6.2f} ms  p99 {self.p99_ms:>6.2f} ms  "
            f"non-2xx/3xx {self.errors}  ({self.tool}, {self.requests} requests)"
        )


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _lua(method: str, body: bytes | None, headers: dict[str, str]) -> str:
    def quote(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"wrk.method = {quote(method)}"]
    if body is not None:
        lines.append(f"wrk.body = {quote(body.decode())}")
    lines += [f"wrk.headers[{quote(k)}] = {quote(v)}" for k, v in headers.items()]
    return "\n".join(lines) + "\n"


def _wrk(
    name: str,
    url: str,
    *,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    threads: int,
) -> LoadResult:
    binary = shutil.which("wrk")
    assert binary is not None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(method, body, headers))
    try:
        out = subprocess.run(
            [binary, f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
             "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout  # fmt: skip
    finally:
        Path(script.name).unlink(missing_ok=True)
    pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE))
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: .*", out)
    if not (pct and total and rps):
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    return LoadResult(
        name=name,
        tool="wrk" + (f"; {socket_errors.group(0)}" if socket_errors else ""),
        requests=int(total.group(1)),
        seconds=_ms(total.group(2) + total.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=_ms(pct["50"]),
        p90_ms=_ms(pct["90"]),
        p99_ms=_ms(pct["99"]),
        errors=int(errors.group(1)) if errors else 0,
    )


async def _client(
    host: str,
    port: int,
    request: bytes,
    deadline: float,
    latencies: list[float],
    statuses: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(status)
    finally:
        writer.close()


def _asyncio_load(
    name: str,
    url: str,
    *,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    threads: int,
) -> LoadResult:
    del threads  # one event loop drives every connection
    parts = urlsplit(url)
    assert parts.hostname in ("127.0.0.1", "localhost"), "load tests target loopback only"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    head = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        head.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
    latencies: list[float] = []
    statuses: list[int] = []

    async def main() -> float:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(
                _client(parts.hostname or "127.0.0.1", parts.port or 80, request, deadline,
                        latencies, statuses)
                for _ in range(connections)
            )
        )  # fmt: skip
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0

    return LoadResult(
        name=name,
        tool="asyncio",
        requests=len(ordered),
        seconds=elapsed,
        rps=len(ordered) / elapsed,
        p50_ms=pct(0.50),
        p90_ms=pct(0.90),
        p99_ms=pct(0.99),
        errors=sum(1 for s in statuses if s >= 400),
    )


def run_load(
    name: str,
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    seconds: float = 10.0,
    connections: int = 16,
    threads: int = 2,
) -> LoadResult:
    """Load ``url`` for ``seconds`` over ``connections`` keep-alive connections (``threads``
    wrk threads)."""
    runner = _wrk if shutil.which("wrk") else _asyncio_load
    return runner(
        name,
        url,
        method=method,
        body=body,
        headers=headers or {},
        seconds=seconds,
        connections=connections,
        threads=threads,
    )
