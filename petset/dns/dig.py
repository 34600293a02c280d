"""``petset dig``: ask a DNS server one question and print the answer the way dig does.

Plain queries (no EDNS), as the book's ``dig SRV kubia.default.svc.cluster.local`` sends; a
truncated UDP answer is asked again over TCP, as dig does.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence

from dnslib import CLASS, QTYPE, RR, DNSError, DNSRecord

from petset.dns.forward import UdpAnswer, tcp_exchange

__all__ = ["dig"]


async def _udp(packet: bytes, server: str, port: int) -> bytes:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(lambda: UdpAnswer(packet[:2]), remote_addr=(server, port))
    try:
        transport.sendto(packet)
        return await protocol.answer
    finally:
        transport.close()


def _section(title: str, records: Sequence[RR]) -> list[str]:
    if not records:
        return []
    lines = ["", f";; {title} SECTION:"]
    for rr in records:
        lines.append(f"{rr.rname} {rr.ttl} {CLASS.get(rr.rclass)} {QTYPE.get(rr.rtype)} {rr.rdata.toZone()}")
    return lines


async def dig(name: str, rtype: str = "A", server: str = "127.0.0.1", port: int = 53, *,
              tcp: bool = False, timeout: float = 2.0) -> str:
    """The dig-like text of the answer to ``name`` ``rtype`` from ``server``:``port``."""
    qname = name if name.endswith(".") else name + "."
    qtype = rtype.upper()
    if not hasattr(QTYPE, qtype):
        raise ValueError(f"unknown record type {rtype!r}")
    query = DNSRecord.question(qname, qtype)
    query.header.id = random.randrange(1 << 16)
    packet = bytes(query.pack())
    lines = [f"; <<>> petset dig <<>> {name} {qtype}"]
    transport = "TCP" if tcp else "UDP"
    started = time.perf_counter()
    try:
        if tcp:
            data = await asyncio.wait_for(tcp_exchange(packet, server, port), timeout)
        else:
            data = await asyncio.wait_for(_udp(packet, server, port), timeout)
            if len(data) > 2 and data[2] & 0x02:
                lines.append(";; Truncated, retrying in TCP mode.")
                transport = "TCP"
                started = time.perf_counter()
                data = await asyncio.wait_for(tcp_exchange(packet, server, port), timeout)
    except (TimeoutError, OSError, asyncio.IncompleteReadError):
        lines.append(";; connection timed out; no servers could be reached")
        return "\n".join(lines) + "\n"
    elapsed = time.perf_counter() - started
    try:
        reply = DNSRecord.parse(data)
    except DNSError as exc:
        lines.append(f";; Got bad packet: {exc}")
        return "\n".join(lines) + "\n"
    lines.append(";; Got answer:")
    lines.extend(str(reply.header).splitlines())
    lines += ["", ";; QUESTION SECTION:"]
    lines += [f";{q.qname} IN {QTYPE.get(q.qtype)}" for q in reply.questions]
    lines += _section("ANSWER", reply.rr)
    lines += _section("AUTHORITY", reply.auth)
    lines += _section("ADDITIONAL", [rr for rr in reply.ar if rr.rtype != QTYPE.OPT])
    lines += ["", f";; Query time: {round(elapsed * 1000)} msec",
              f";; SERVER: {server}#{port}({server}) ({transport})",
              f";; MSG SIZE  rcvd: {len(data)}"]
    return "\n".join(lines) + "\n"
