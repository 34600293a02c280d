"""DNS messages: reading a query strictly, writing a response with dnslib.

The query is read by hand, not by a general parser, because every byte of it comes from an
untrusted peer: a short, truncated or oversized packet, a name longer than 255 bytes, a
compression pointer in a question or a second OPT record is a FormatError (FORMERR when the
header can be echoed), never an exception escaping into the server. Responses are built with
dnslib, which compresses names; the owner of records at the question name reuses the question's
own labels, so the answer echoes the case the client asked with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dnslib import (
    AAAA,
    CNAME,
    EDNS0,
    NS,
    PTR,
    RR,
    SOA,
    SRV,
    TXT,
    DNSHeader,
    DNSLabel,
    DNSQuestion,
    DNSRecord,
)
from dnslib import A as ARecord

from petset.dns import records as rec
from petset.dns.records import Lookup, Record

__all__ = [
    "BADVERS",
    "CLASS_ANY",
    "CLASS_IN",
    "EDNS_PAYLOAD",
    "FORMERR",
    "MAX_MESSAGE",
    "NOTIMP",
    "OPT",
    "REFUSED",
    "SERVFAIL",
    "FormatError",
    "Query",
    "badvers_response",
    "build_response",
    "error_response",
    "parse_query",
]

FORMERR, SERVFAIL, NOTIMP, REFUSED = 1, 2, 4, 5
BADVERS = 16
CLASS_IN, CLASS_ANY = 1, 255
OPT = 41
#: The UDP payload we advertise and accept at most (the DNS flag day 2020 value).
EDNS_PAYLOAD = 1232
#: A query is a header, one question and an OPT record: anything near this size is not one.
MAX_MESSAGE = 4096
CLASSIC_UDP = 512


class FormatError(ValueError):
    """The message is not a well-formed query."""


@dataclass(frozen=True)
class Query:
    id: int
    flags: int
    labels: tuple[bytes, ...]
    #: Lower-case, without the trailing dot; a label holding a dot is escaped, so it matches nothing.
    name: str
    qtype: int
    qclass: int
    edns: bool = False
    edns_version: int = 0
    #: The largest UDP response the client takes.
    udp_size: int = CLASSIC_UDP

    @property
    def opcode(self) -> int:
        return (self.flags >> 11) & 0xF

    @property
    def rd(self) -> int:
        return (self.flags >> 8) & 1


def _skip_name(data: bytes, pos: int) -> int:
    """The offset after a (possibly compressed) name in a record other than the question."""
    while True:
        if pos >= len(data):
            raise FormatError("name runs past the end of the message")
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if pos + 2 > len(data):
                raise FormatError("truncated compression pointer")
            return pos + 2
        if length & 0xC0:
            raise FormatError("unknown label type")
        if length == 0:
            return pos + 1
        pos += 1 + length


def parse_query(data: bytes) -> Query | None:
    """The query in ``data``; None for what deserves no answer at all (not a query, or no header)."""
    if len(data) < 12 or data[2] & 0x80:
        return None  # too short to echo an id, or a response: answering it could start a loop
    if len(data) > MAX_MESSAGE:
        raise FormatError("message too large for a query")
    qdcount, ancount, nscount, arcount = (int.from_bytes(data[i:i + 2], "big") for i in (4, 6, 8, 10))
    if qdcount != 1:
        raise FormatError("a query has exactly one question")
    labels: list[bytes] = []
    pos, wire_length = 12, 1
    while True:
        if pos >= len(data):
            raise FormatError("question name runs past the end of the message")
        length = data[pos]
        if length == 0:
            pos += 1
            break
        if length & 0xC0:
            raise FormatError("compressed or unknown label in the question")
        wire_length += length + 1
        if wire_length > 255:
            raise FormatError("name longer than 255 bytes")
        if pos + 1 + length > len(data):
            raise FormatError("label runs past the end of the message")
        labels.append(data[pos + 1:pos + 1 + length])
        pos += 1 + length
    if pos + 4 > len(data):
        raise FormatError("question without type and class")
    qtype = int.from_bytes(data[pos:pos + 2], "big")
    qclass = int.from_bytes(data[pos + 2:pos + 4], "big")
    pos += 4
    edns, version, udp_size = False, 0, CLASSIC_UDP
    for index in range(ancount + nscount + arcount):
        owner = pos
        pos = _skip_name(data, pos)
        if pos + 10 > len(data):
            raise FormatError("truncated resource record")
        rtype = int.from_bytes(data[pos:pos + 2], "big")
        rclass = int.from_bytes(data[pos + 2:pos + 4], "big")
        rdlength = int.from_bytes(data[pos + 8:pos + 10], "big")
        if rtype == OPT:
            if edns or index < ancount + nscount or data[owner] != 0:
                raise FormatError("misplaced or repeated OPT record")
            edns, version, udp_size = True, data[pos + 5], max(CLASSIC_UDP, min(rclass, EDNS_PAYLOAD))
        pos += 10 + rdlength
        if pos > len(data):
            raise FormatError("truncated record data")
    name = ".".join(label.decode("latin-1").replace(".", "\\.") for label in labels).lower()
    return Query(id=int.from_bytes(data[0:2], "big"), flags=int.from_bytes(data[2:4], "big"), labels=tuple(labels),
                 name=name, qtype=qtype, qclass=qclass, edns=edns, edns_version=version, udp_size=udp_size)


def error_response(data: bytes, rcode: int, query: Query | None = None) -> bytes:
    """An answer carrying only an error: the question is echoed when it could be read."""
    if query is None:
        # Only the header is trusted: id, opcode and RD come back, every count is zero.
        flags = 0x8000 | (int.from_bytes(data[2:4], "big") & 0x7900) | rcode
        return data[0:2] + flags.to_bytes(2, "big") + bytes(8)
    record = _new_response(query, rcode=rcode, authoritative=False, ra=False)
    if query.edns:
        record.add_ar(EDNS0(udp_len=EDNS_PAYLOAD))
    return bytes(record.pack())


def _new_response(query: Query, *, rcode: int, authoritative: bool, ra: bool) -> DNSRecord:
    header = DNSHeader(id=query.id, qr=1, opcode=query.opcode, aa=int(authoritative), rd=query.rd, ra=int(ra),
                       rcode=rcode & 0xF)
    return DNSRecord(header, q=DNSQuestion(DNSLabel(list(query.labels)), query.qtype, query.qclass))


def _rdata(rtype: int, value: Any) -> Any:
    if rtype == rec.A:
        return ARecord(value)
    if rtype == rec.AAAA:
        return AAAA(value)
    if rtype == rec.SRV:
        priority, weight, port, target = value
        return SRV(priority, weight, port, target + ".")
    if rtype == rec.PTR:
        return PTR(value + ".")
    if rtype == rec.CNAME:
        return CNAME(value + ".")
    if rtype == rec.NS:
        return NS(value + ".")
    if rtype == rec.TXT:
        return TXT(value)
    if rtype == rec.SOA:
        mname, rname, *times = value
        return SOA(mname + ".", rname + ".", times)
    raise ValueError(f"no rdata for type {rtype}")


def _rrs(query: Query, records: Sequence[Record], ttl: int) -> list[RR]:
    asked = DNSLabel(list(query.labels))
    return [RR(asked if owner == query.name else DNSLabel(owner + "."), rtype, ttl=ttl, rdata=_rdata(rtype, value))
            for owner, rtype, value in records]


def build_response(query: Query, lookup: Lookup, *, ttl: int, ra: bool, limit: int) -> bytes:
    """The packed answer; over ``limit`` bytes the additional records go, then everything (TC set)."""
    def pack(*, answer: bool, additional: bool, truncated: bool = False) -> bytes:
        record = _new_response(query, rcode=lookup.rcode, authoritative=lookup.authoritative, ra=ra)
        record.header.tc = int(truncated)
        if answer:
            for rr in _rrs(query, lookup.answer, ttl):
                record.add_answer(rr)
            for rr in _rrs(query, lookup.authority, ttl):
                record.add_auth(rr)
        if additional:
            for rr in _rrs(query, lookup.additional, ttl):
                record.add_ar(rr)
        if query.edns:
            record.add_ar(EDNS0(udp_len=EDNS_PAYLOAD))
        return bytes(record.pack())

    packed = pack(answer=True, additional=True)
    if len(packed) <= limit:
        return packed
    # Additional records are a courtesy (RFC 2181 9): dropping them needs no TC.
    packed = pack(answer=True, additional=False)
    if len(packed) <= limit:
        return packed
    return pack(answer=False, additional=False, truncated=True)


def badvers_response(query: Query) -> bytes:
    """EDNS version other than 0: BADVERS, whose upper bits travel in the OPT record."""
    record = _new_response(query, rcode=BADVERS & 0xF, authoritative=False, ra=False)
    record.add_ar(EDNS0(udp_len=EDNS_PAYLOAD, ext_rcode=BADVERS >> 4))
    return bytes(record.pack())
