"""Where a plan's HTTP request may connect (docs/security.md, issue 9 item 3).

The check sits where the socket is opened: an httpcore network backend that resolves the host
itself, refuses loopback, private, link-local, CGNAT, multicast, unspecified, reserved and
metadata addresses (IPv4-mapped, 6to4, Teredo and NAT64 forms by the IPv4 address inside), and
then connects to the very address it checked, so a second DNS answer cannot swap it (DNS
rebinding). Every connection goes through it: the first request and each redirect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

if TYPE_CHECKING:
    from httpcore import AsyncNetworkStream

__all__ = ["AddressBlocked", "GuardedTransport", "blocked_reason", "host_allowed"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressBlocked(Exception):
    """A connection the sandbox refused; the handler turns it into a one-line task error."""


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why a plan may not connect to ``ip`` ("a loopback address"...), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            reason = blocked_reason(inner)
            return f"{reason} (inside {ip})" if reason else None
    checks = (
        (ip in _METADATA, "a cloud metadata address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a carrier-grade NAT address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    return next((why for hit, why in checks if hit), None)


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def host_allowed(host: str, port: int, allow: Iterable[str]) -> bool:
    """Whether ``[run] http_allow_hosts`` names ``host`` (any port) or ``host:port``."""
    name = _normal_host(host)
    for entry in allow:
        entry = entry.strip().lower()
        if entry.startswith("["):  # [::1] or [::1]:8080
            addr, _, rest = entry[1:].partition("]")
            entry_host, entry_port = addr, rest.lstrip(":")
        elif entry.count(":") == 1:
            entry_host, entry_port = entry.split(":")
        else:
            entry_host, entry_port = entry, ""
        if _normal_host(entry_host) == name and entry_port in ("", str(port)):
            return True
    return False


async def _resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from None
    seen: list[IPAddress] = []
    for info in infos:
        # scope ids (fe80::1%eth0) are dropped: the address itself decides
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if ip not in seen:
            seen.append(ip)
    return seen


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks every address, and connects to a checked one."""

    def __init__(self, allow_hosts: list[str]) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow = list(allow_hosts)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncNetworkStream:
        addresses = await asyncio.wait_for(_resolve(host, port), timeout)
        if not host_allowed(host, port, self._allow):
            for ip in addresses:
                reason = blocked_reason(ip)
                if reason is not None:
                    shown = host if host == str(ip) else f"{host} ({ip})"
                    raise AddressBlocked(
                        f"{shown} is {reason}; an operator can allow it in [run] "
                        f"http_allow_hosts as '{_normal_host(host)}' or "
                        f"'{_normal_host(host)}:{port}'"
                    )
        last: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> AsyncNetworkStream:
        raise AddressBlocked("unix sockets are never reachable from a plan")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with its connection pool on the guarded backend.

    ``trust_env`` is off so a proxy from the server's environment cannot take the connection
    past the check (the check would then see the proxy, not the target).
    """

    def __init__(self, allow_hosts: list[str]) -> None:
        super().__init__(trust_env=False)
        # httpx has no public hook for the network backend; the pool it built above is
        # replaced by the same pool on ours (httpx's own defaults otherwise).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            network_backend=_GuardedBackend(allow_hosts),
        )
