"""Names outside the cluster: passed on to the host's resolvers, as CoreDNS's ``forward`` plugin.

The upstreams are the host's ``/etc/resolv.conf`` nameservers (minus this server itself, which
would otherwise ask itself forever), or an explicit list. Each forwarded query gets its own
socket and a deadline, so a silent upstream costs one timer, never the server's attention.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["Forwarder", "Upstream", "parse_upstreams", "resolv_conf_nameservers"]

log = logging.getLogger(__name__)

Upstream = tuple[str, int]


def resolv_conf_nameservers(path: str | Path = "/etc/resolv.conf") -> list[str]:
    """The ``nameserver`` addresses of a resolv.conf, in order; none when it cannot be read."""
    try:
        text = Path(path).read_text()
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            address = fields[1].split("%", 1)[0]
            try:
                ipaddress.ip_address(address)
            except ValueError:
                continue
            out.append(address)
    return out


def parse_upstreams(upstreams: Iterable[str | Upstream]) -> list[Upstream]:
    """``"1.2.3.4"``, ``"1.2.3.4:5353"``, ``"[::1]:53"`` or ``(host, port)`` into (host, port)."""
    out: list[Upstream] = []
    for entry in upstreams:
        if isinstance(entry, tuple):
            out.append((str(entry[0]), int(entry[1])))
            continue
        text = entry.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            out.append((host, int(rest[1:]) if rest.startswith(":") else 53))
        elif text.count(":") == 1:
            host, _, port = text.partition(":")
            out.append((host, int(port)))
        else:
            out.append((text, 53))
    return out


def without_self(nameservers: Sequence[str], host: str, port: int) -> list[Upstream]:
    """resolv.conf nameservers (port 53) that are not this server listening on (host, port)."""
    if port != 53:
        return [(ns, 53) for ns in nameservers]
    wildcard = host in ("0.0.0.0", "::", "")
    out = []
    for ns in nameservers:
        if ns == host or (wildcard and ipaddress.ip_address(ns).is_loopback):
            continue
        out.append((ns, 53))
    return out


async def tcp_exchange(query: bytes, host: str, port: int) -> bytes:
    """One DNS query over TCP: two length bytes, then the message, each way."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(len(query).to_bytes(2, "big") + query)
        await writer.drain()
        length = int.from_bytes(await reader.readexactly(2), "big")
        return await reader.readexactly(length)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


class UdpAnswer(asyncio.DatagramProtocol):
    """Receives the one UDP reply whose id matches the query's."""

    def __init__(self, query_id: bytes) -> None:
        self.query_id = query_id
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: object) -> None:
        if data[:2] == self.query_id and not self.answer.done():
            self.answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(exc)


class Forwarder:
    """Sends a query to each upstream in turn until one answers."""

    def __init__(self, upstreams: Sequence[Upstream], *, timeout: float = 2.0, max_in_flight: int = 1000) -> None:
        self.upstreams = list(upstreams)
        self.timeout = timeout
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    def __bool__(self) -> bool:
        return bool(self.upstreams)

    @property
    def busy(self) -> bool:
        return self.in_flight >= self.max_in_flight

    async def forward(self, query: bytes, *, tcp: bool) -> bytes | None:
        """The first upstream's answer (over TCP when asked, or when the UDP answer is truncated)."""
        self.in_flight += 1
        try:
            for upstream in self.upstreams:
                try:
                    answer = await asyncio.wait_for(self._exchange(upstream, query, tcp=tcp), self.timeout)
                except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                    log.debug("dns: upstream %s:%d failed: %r", *upstream, exc)
                    continue
                if answer is not None:
                    return answer
            return None
        finally:
            self.in_flight -= 1

    async def _exchange(self, upstream: Upstream, query: bytes, *, tcp: bool) -> bytes | None:
        if not tcp:
            answer = await self._udp(upstream, query)
            if len(answer) < 3 or not answer[2] & 0x02:  # not truncated
                return answer
        return await self._tcp(upstream, query)

    @staticmethod
    async def _udp(upstream: Upstream, query: bytes) -> bytes:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(lambda: UdpAnswer(query[:2]),
                                                                  remote_addr=upstream)
        try:
            transport.sendto(query)
            return await protocol.answer
        finally:
            transport.close()

    @staticmethod
    async def _tcp(upstream: Upstream, query: bytes) -> bytes:
        return await tcp_exchange(query, *upstream)
