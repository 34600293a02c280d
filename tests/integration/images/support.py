"""Helpers for the image tests: processes, raw HTTP, a fake cluster DNS."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from dnslib import QTYPE, RCODE, RR, SOA, SRV, A, DNSLabel, DNSRecord
from dnslib.server import BaseResolver


@dataclass
class ImageRun:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    stdout_path: Path
    stderr_path: Path

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 5.0) -> tuple[int, float]:
        """Send ``sig``; the exit status and how long the process took to exit."""
        start = time.monotonic()
        self.process.send_signal(sig)
        code = self.process.wait(timeout)
        return code, time.monotonic() - start


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_listening(run: ImageRun, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run.process.poll() is not None:
            raise AssertionError(f"exited {run.process.returncode}: {run.stderr}")
        try:
            socket.create_connection((run.host, run.port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"not listening on {run.host}:{run.port}")


def exchange(host: str, port: int, request: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes, read until the server closes the connection."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


@dataclass
class Reply:
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes
    raw_body: bytes = field(repr=False, default=b"")

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def names(self) -> list[str]:
        return [k for k, _ in self.headers]


def parse_reply(data: bytes, *, head: bool = False) -> tuple[Reply, bytes]:
    """One response off the front of ``data`` (strict framing); the reply and the bytes after it."""
    head_bytes, sep, rest = data.partition(b"\r\n\r\n")
    assert sep, data
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers = [(k, v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
    reply = Reply(lines[0], headers, b"")
    if head:
        return reply, rest
    if (reply.header("Transfer-Encoding") or "").lower() == "chunked":
        body: list[bytes] = []
        cursor = 0
        while True:
            end = rest.index(b"\r\n", cursor)
            size = int(rest[cursor:end], 16)
            if size == 0:
                assert rest[end:end + 4] == b"\r\n\r\n", rest[end:]
                reply.raw_body, reply.body = rest[:end + 4], b"".join(body)
                return reply, rest[end + 4:]
            body.append(rest[end + 2:end + 2 + size])
            assert rest[end + 2 + size:end + 4 + size] == b"\r\n"
            cursor = end + 4 + size
    if (length := reply.header("Content-Length")) is not None:
        reply.body = reply.raw_body = rest[:int(length)]
        return reply, rest[int(length):]
    reply.body = reply.raw_body = rest
    return reply, b""


def http(host: str, port: int, method: str = "GET", target: str = "/", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> Reply:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    data = exchange(host, port, ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
    reply, rest = parse_reply(data, head=method == "HEAD")
    assert rest == b"", rest
    return reply


class FakeCluster(BaseResolver):
    """A tiny cluster.local DNS: SRV and A records set by the test; modes for failures."""

    def __init__(self) -> None:
        self.srv: dict[str, list[tuple[str, int]]] = {}
        self.a: dict[str, str] = {}
        self.mode = "normal"  # or "servfail", "truncate" (UDP replies only say TC)
        self.udp_queries = 0
        self.tcp_queries = 0

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        protocol = getattr(handler, "protocol", "udp")
        if protocol == "udp":
            self.udp_queries += 1
        else:
            self.tcp_queries += 1
        reply = request.reply()
        name, qtype = str(request.q.qname).rstrip(".").lower(), QTYPE[request.q.qtype]
        if self.mode == "servfail":
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        if self.mode == "truncate" and protocol == "udp":
            reply.header.tc = 1
            return reply
        if qtype == "SRV" and name in self.srv:
            for target, port in self.srv[name]:
                reply.add_answer(RR(name, QTYPE.SRV, rdata=SRV(0, 50, port, DNSLabel(target)), ttl=30))
        elif qtype == "A" and name in self.a:
            reply.add_answer(RR(name, QTYPE.A, rdata=A(self.a[name]), ttl=30))
        elif name not in self.srv and name not in self.a:
            reply.header.rcode = RCODE.NXDOMAIN
            reply.add_auth(RR("cluster.local", QTYPE.SOA, rdata=SOA("ns.dns.cluster.local",
                                                                   "hostmaster.cluster.local"), ttl=30))
        return reply


def closed_udp_port() -> int:
    """A UDP port nothing listens on (a query there gets ICMP port unreachable)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
