"""A stub DNS resolver for the image programs: ask the pod's nameserver, over UDP, then TCP if truncated.

Why not the host resolver: in the unprivileged runtime a pod is a plain process on the host, whose
``/etc/resolv.conf`` knows nothing of ``cluster.local``. So kubia-pet-peers asks the DNS server it is
told to ask (``$PETSET_DNS_SERVER``, else the nameservers of ``$PETSET_RESOLV_CONF``, else of
``/etc/resolv.conf``) and resolves its peers' names through the same server. In a namespaced pod that
is simply the pod's own resolv.conf, as for any container.

Errors carry the c-ares codes Node.js reports (``ENOTFOUND`` for NXDOMAIN, ``ESERVFAIL``,
``EREFUSED``, ``ETIMEOUT``, ``ECONNREFUSED``...), since the book's app prints them. Like c-ares, a
server that fails (SERVFAIL, REFUSED, timeout) makes us try the next one, for ``attempts`` rounds.

resolv.conf: ``nameserver`` lines (petset also accepts ``ip:port`` and ``[ipv6]:port`` there, for a
DNS server on an unprivileged port) and ``options timeout:N attempts:N``; glibc's defaults otherwise.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Mapping
from pathlib import Path

from dnslib import QTYPE, RCODE, RR, DNSError, DNSRecord

from petset.images import overrides

__all__ = [
    "DnsLookupError",
    "ResolverConfig",
    "is_ip",
    "parse_server",
    "query",
    "resolver_config",
]

_DEFAULT_TIMEOUT = 5.0
_DEFAULT_ATTEMPTS = 2
_RCODE_ERRORS = {
    RCODE.FORMERR: "EFORMERR",
    RCODE.SERVFAIL: "ESERVFAIL",
    RCODE.NXDOMAIN: "ENOTFOUND",
    RCODE.NOTIMP: "ENOTIMP",
    RCODE.REFUSED: "EREFUSED",
}


class DnsLookupError(Exception):
    """A failed lookup; ``code`` is the c-ares error name (``ENOTFOUND``, ``ESERVFAIL``...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ResolverConfig:
    """The nameservers to ask in turn, the timeout of one query, and how many rounds to make."""

    __slots__ = ("attempts", "nameservers", "timeout")

    def __init__(self, nameservers: tuple[tuple[str, int], ...], timeout: float = _DEFAULT_TIMEOUT,
                 attempts: int = _DEFAULT_ATTEMPTS) -> None:
        self.nameservers = nameservers
        self.timeout = timeout
        self.attempts = attempts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResolverConfig) and \
            (self.nameservers, self.timeout, self.attempts) == (other.nameservers, other.timeout, other.attempts)

    def __hash__(self) -> int:
        return hash((self.nameservers, self.timeout, self.attempts))

    def __repr__(self) -> str:
        return f"ResolverConfig({self.nameservers!r}, {self.timeout!r}, {self.attempts!r})"


def parse_server(text: str) -> tuple[str, int]:
    """``1.2.3.4``, ``1.2.3.4:5353``, ``::1``, ``[::1]:5353`` -> (address, port)."""
    text = text.strip()
    if text.startswith("["):
        address, _, rest = text[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else 53
    elif text.count(":") == 1:
        address, _, port_text = text.partition(":")
        port = int(port_text)
    else:
        address, port = text, 53
    if not is_ip(address):
        raise ValueError(f"not an IP address: {address!r}")
    return address, port


def is_ip(text: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, text)
        except OSError:
            continue
        return True
    return False


def resolver_config(environ: Mapping[str, str] = os.environ) -> ResolverConfig:
    path = Path(environ.get(overrides.RESOLV_CONF) or "/etc/resolv.conf")
    nameservers: list[tuple[str, int]] = []
    timeout, attempts = _DEFAULT_TIMEOUT, _DEFAULT_ATTEMPTS
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                nameservers.append(parse_server(fields[1]))
            except ValueError:
                continue
        elif fields and fields[0] == "options":
            for option in fields[1:]:
                name, _, value = option.partition(":")
                if name == "timeout" and value.isdigit():
                    timeout = float(max(1, int(value)))
                elif name == "attempts" and value.isdigit():
                    attempts = max(1, int(value))
    if server := environ.get(overrides.DNS_SERVER):
        nameservers = [parse_server(s) for s in server.split(",") if s.strip()]
    return ResolverConfig(tuple(nameservers) or (("127.0.0.1", 53),), timeout, attempts)


def query(name: str, qtype: str, config: ResolverConfig) -> list[RR]:
    """The answer records of type ``qtype`` for ``name`` (NOERROR with none: an empty list)."""
    code = "ETIMEOUT"
    for _ in range(config.attempts):
        for server in config.nameservers:
            try:
                reply = _ask(name, qtype, server, config.timeout)
            except DnsLookupError as e:
                code = e.code
                continue
            rcode = reply.header.rcode
            if rcode == RCODE.NOERROR:
                return [rr for rr in reply.rr if rr.rtype == getattr(QTYPE, qtype)]
            if rcode == RCODE.NXDOMAIN:
                raise DnsLookupError("ENOTFOUND")
            code = _RCODE_ERRORS.get(rcode, "EBADRESP")
    raise DnsLookupError(code)


def _ask(name: str, qtype: str, server: tuple[str, int], timeout: float) -> DNSRecord:
    request = DNSRecord.question(name, qtype)
    request.header.id = int.from_bytes(os.urandom(2), "big") or 1
    deadline = time.monotonic() + timeout
    try:
        reply = _ask_udp(request, server, deadline)
        if reply.header.tc:
            reply = _ask_tcp(request, server, deadline)
    except TimeoutError as e:
        raise DnsLookupError("ETIMEOUT") from e
    except OSError as e:  # refused, unreachable: c-ares words them all ECONNREFUSED
        raise DnsLookupError("ECONNREFUSED") from e
    except EOFError as e:
        raise DnsLookupError("EBADRESP") from e
    return reply


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _matches(request: DNSRecord, data: bytes) -> DNSRecord | None:
    try:
        reply = DNSRecord.parse(data)
    except (DNSError, struct.error, IndexError, ValueError):
        return None
    if reply.header.id != request.header.id or not reply.header.qr:
        return None
    if reply.questions and str(reply.q.qname).lower() != str(request.q.qname).lower():
        return None
    return reply


def _family(server: tuple[str, int]) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in server[0] else socket.AF_INET


def _ask_udp(request: DNSRecord, server: tuple[str, int], deadline: float) -> DNSRecord:
    with socket.socket(_family(server), socket.SOCK_DGRAM) as sock:
        sock.connect(server)  # a connected socket hears ICMP port unreachable as ECONNREFUSED
        sock.send(request.pack())
        while True:
            sock.settimeout(_remaining(deadline))
            reply = _matches(request, sock.recv(65535))
            if reply is not None:
                return reply


def _ask_tcp(request: DNSRecord, server: tuple[str, int], deadline: float) -> DNSRecord:
    with socket.create_connection(server, timeout=_remaining(deadline)) as sock:
        payload = request.pack()
        sock.sendall(struct.pack("!H", len(payload)) + payload)
        (length,) = struct.unpack("!H", _recv_exactly(sock, 2, deadline))
        reply = _matches(request, _recv_exactly(sock, length, deadline))
    if reply is None:
        raise EOFError("a reply that does not answer the query")
    return reply


def _recv_exactly(sock: socket.socket, size: int, deadline: float) -> bytes:
    data = b""
    while len(data) < size:
        sock.settimeout(_remaining(deadline))
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError("connection closed in a reply")
        data += chunk
    return data
