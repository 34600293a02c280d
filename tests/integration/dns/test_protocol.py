"""The wire: malformed, truncated and oversized queries, TC and TCP fallback, EDNS0, forwarding."""

from __future__ import annotations

import asyncio
import socket
import struct
from pathlib import Path
from typing import Any

import dns.asyncquery
import dns.flags
import dns.message
import dns.rcode
from dnslib import RR, DNSRecord

from petset.dns.forward import parse_upstreams, resolv_conf_nameservers, without_self
from tests.integration.dns.harness import DNSCluster, answers, dns_cluster, manifest, rcode

SVC = "kubia.default.svc.cluster.local."


def header(qid: int = 0x1234, flags: int = 0x0100, qd: int = 1, an: int = 0, ns: int = 0, ar: int = 0) -> bytes:
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def question(name: str = "kubia.default.svc.cluster.local", qtype: int = 1) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return labels + b"\0" + struct.pack("!HH", qtype, 1)


async def udp_exchange(port: int, packet: bytes, timeout: float = 0.3) -> bytes | None:
    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        await loop.sock_connect(sock, ("127.0.0.1", port))
        await loop.sock_sendall(sock, packet)
        try:
            return await asyncio.wait_for(loop.sock_recv(sock, 65535), timeout)
        except TimeoutError:
            return None


async def still_serving(cluster: DNSCluster) -> None:
    reply = await cluster.query("dns-version.cluster.local.", "TXT")
    assert answers(reply) == ['dns-version.cluster.local. 30 TXT "1.1.0"']


def rcode_of(data: bytes) -> int:
    return data[3] & 0xF


async def test_packets_too_short_for_a_header_get_no_answer(cluster: DNSCluster) -> None:
    for packet in (b"", b"\x00", b"\x12\x34\x01\x00\x00\x01"):
        assert await udp_exchange(cluster.port, packet) is None
    await still_serving(cluster)


async def test_malformed_queries_get_formerr(cluster: DNSCluster) -> None:
    bad = {
        "garbage after a header": header() + b"\xff" * 20,
        "truncated question": header() + question()[:10],
        "question without type": header() + question()[:-3],
        "two questions": header(qd=2) + question() + question(),
        "no question": header(qd=0),
        "compression pointer in the question": header() + b"\xc0\x0c" + struct.pack("!HH", 1, 1),
        "label past the end": header() + b"\x3fabc",
        "name over 255 bytes": header() + b"".join(b"\x3f" + b"a" * 63 for _ in range(5)) + b"\0\0\1\0\1",
        "truncated additional record": header(ar=1) + question() + b"\0\0\x29\x04",
        "two OPT records": header(ar=2) + question() + (b"\0\0\x29\x04\xd0\0\0\0\0\0\0" * 2),
        "oversized query": header(ar=1) + question() + b"\0\0\x29\x04\xd0\0\0\0\0\x13\x88" + bytes(5000),
    }
    for what, packet in bad.items():
        reply = await udp_exchange(cluster.port, packet)
        assert reply is not None, what
        assert reply[:2] == b"\x12\x34", what
        assert reply[2] & 0x80, what  # QR
        assert rcode_of(reply) == dns.rcode.FORMERR, what
    await still_serving(cluster)


async def test_responses_are_never_answered(cluster: DNSCluster) -> None:
    assert await udp_exchange(cluster.port, header(flags=0x8180) + question()) is None
    await still_serving(cluster)


async def test_other_opcodes_classes_and_transfers(cluster: DNSCluster) -> None:
    notify = await udp_exchange(cluster.port, header(flags=0x2000) + question())
    assert notify is not None and rcode_of(notify) == dns.rcode.NOTIMP
    chaos = header() + question("version.bind", 16)[:-2] + b"\0\3"
    refused = await udp_exchange(cluster.port, chaos)
    assert refused is not None and rcode_of(refused) == dns.rcode.REFUSED
    axfr = await udp_exchange(cluster.port, header() + question("cluster.local", 252))
    assert axfr is not None and rcode_of(axfr) == dns.rcode.REFUSED


async def test_edns_version_other_than_zero_is_badvers(cluster: DNSCluster) -> None:
    q = dns.message.make_query("dns-version.cluster.local.", "TXT", use_edns=1)
    reply = await dns.asyncquery.udp(q, "127.0.0.1", port=cluster.port, timeout=2)
    assert reply.rcode() == dns.rcode.BADVERS


async def test_tcp_survives_broken_streams(cluster: DNSCluster) -> None:
    for payload in (b"\x00", b"\x00\x40" + header(), b"\x00\x05abc", b"\x00\x00"):
        reader, writer = await asyncio.open_connection("127.0.0.1", cluster.port)
        writer.write(payload)
        await writer.drain()
        writer.close()
    # An oversized message over TCP is read whole, then refused as FORMERR.
    reader, writer = await asyncio.open_connection("127.0.0.1", cluster.port)
    big = header(ar=1) + question() + b"\0\0\x29\x04\xd0\0\0\0\0\x13\x88" + bytes(5000)
    writer.write(len(big).to_bytes(2, "big") + big)
    await writer.drain()
    length = int.from_bytes(await reader.readexactly(2), "big")
    reply = await reader.readexactly(length)
    assert rcode_of(reply) == dns.rcode.FORMERR
    writer.close()
    await still_serving(cluster)
    assert answers(await cluster.query("dns-version.cluster.local.", "TXT", tcp=True))


async def test_tcp_answers_several_queries_on_one_connection(cluster: DNSCluster) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", cluster.port)
    for qid in (1, 2, 3):
        packet = header(qid=qid) + question("dns-version.cluster.local", 16)
        writer.write(len(packet).to_bytes(2, "big") + packet)
    await writer.drain()
    for qid in (1, 2, 3):
        length = int.from_bytes(await reader.readexactly(2), "big")
        reply = DNSRecord.parse(await reader.readexactly(length))
        assert reply.header.id == qid
        assert str(reply.rr[0].rdata) == '"1.1.0"'
    writer.close()


async def big_set(cluster: DNSCluster, pods: int = 40) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    for i in range(pods):
        await cluster.create_pod(f"kubia-{i}")
    await cluster.wait_for(SVC, "SRV", lambda m: len(answers(m)) == pods, tcp=True)


async def test_tcp_fallback_for_answers_too_large_for_udp(cluster: DNSCluster) -> None:
    await big_set(cluster)
    for rtype in ("A", "SRV"):
        q = dns.message.make_query(SVC, rtype)
        truncated = await dns.asyncquery.udp(q, "127.0.0.1", port=cluster.port, timeout=2)
        assert truncated.flags & dns.flags.TC, rtype
        assert truncated.answer == [], rtype
        full, used_tcp = await dns.asyncquery.udp_with_fallback(q, "127.0.0.1", port=cluster.port, timeout=2)
        assert used_tcp, rtype
        assert len(answers(full)) == 40, rtype
    srv = await cluster.query(SVC, "SRV", tcp=True)
    assert len(srv.additional[0]) + sum(len(r) for r in srv.additional[1:]) == 40
    assert {line.split()[4] for line in answers(srv)} == {"2"}  # 100 // 40


async def test_edns_size_decides_when_to_truncate(cluster: DNSCluster) -> None:
    await big_set(cluster)
    # 40 A records (~700 bytes) fit the 1232 bytes an EDNS0 client takes.
    reply = await cluster.query(SVC, "A", payload=1232)
    assert not reply.flags & dns.flags.TC
    assert len(answers(reply)) == 40
    assert reply.edns == 0
    # 40 SRV records (targets are never compressed) do not.
    srv = await cluster.query(SVC, "SRV", payload=1232)
    assert srv.flags & dns.flags.TC
    # An advertised size below 512 means 512.
    small = await cluster.query(SVC, "A", payload=100)
    assert small.flags & dns.flags.TC


class Upstream(asyncio.DatagramProtocol):
    """A second DNS server on 127.0.0.1 that answers every A question with 192.0.2.1."""

    def __init__(self) -> None:
        self.transport: Any = None
        self.seen: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = DNSRecord.parse(data)
        self.seen.append(str(request.q.qname))
        reply = request.reply()
        reply.add_answer(*RR.fromZone(f"{request.q.qname} 60 A 192.0.2.1"))
        self.transport.sendto(reply.pack(), addr)


async def test_names_outside_the_zone_are_forwarded_to_the_upstream(tmp_path: Path) -> None:
    loop = asyncio.get_running_loop()
    transport, upstream = await loop.create_datagram_endpoint(Upstream, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    try:
        async with dns_cluster(tmp_path, upstreams=[f"127.0.0.1:{port}"]) as cluster:
            reply = await cluster.query("example.com.", "A")
            assert answers(reply) == ["example.com. 60 A 192.0.2.1"]
            assert reply.flags & dns.flags.RA
            assert upstream.seen == ["example.com."]
            # The cluster zone is never forwarded.
            assert rcode(await cluster.query("nosuch.cluster.local.", "A")) == "NXDOMAIN"
            assert upstream.seen == ["example.com."]
    finally:
        transport.close()


async def test_a_silent_upstream_gives_servfail(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        async with dns_cluster(tmp_path, upstreams=[("127.0.0.1", silent.getsockname()[1])]) as cluster:
            cluster.server.forwarder.timeout = 0.1
            assert rcode(await cluster.query("example.com.", "A")) == "SERVFAIL"
            assert rcode(await cluster.query("example.com.", "A", tcp=True)) == "SERVFAIL"


async def test_without_upstreams_other_names_are_refused(cluster: DNSCluster) -> None:
    reply = await cluster.query("example.com.", "A")
    assert rcode(reply) == "REFUSED"
    assert not reply.flags & dns.flags.RA
    assert rcode(await cluster.query("99.99.99.99.in-addr.arpa.", "PTR")) == "REFUSED"


def test_upstreams_come_from_resolv_conf_without_ourselves(tmp_path: Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# generated\nsearch default.svc.cluster.local\nnameserver 127.0.0.1\n"
                    "nameserver 10.0.0.2 # site\nnameserver fe80::1%eth0\nnameserver bogus\noptions ndots:5\n")
    assert resolv_conf_nameservers(conf) == ["127.0.0.1", "10.0.0.2", "fe80::1"]
    assert resolv_conf_nameservers(tmp_path / "missing") == []
    servers = resolv_conf_nameservers(conf)
    assert without_self(servers, "127.0.0.1", 53) == [("10.0.0.2", 53), ("fe80::1", 53)]
    assert without_self(servers, "0.0.0.0", 53) == [("10.0.0.2", 53), ("fe80::1", 53)]
    assert without_self(servers, "127.0.0.1", 5353) == [("127.0.0.1", 53), ("10.0.0.2", 53), ("fe80::1", 53)]
    assert parse_upstreams(["1.2.3.4", "1.2.3.4:5353", "[::1]:54", ("5.6.7.8", 55)]) == [
        ("1.2.3.4", 53), ("1.2.3.4", 5353), ("::1", 54), ("5.6.7.8", 55)]
