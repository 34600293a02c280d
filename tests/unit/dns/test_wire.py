"""Reading queries strictly and writing responses that fit."""

from __future__ import annotations

import struct

import pytest
from dnslib import DNSRecord

from petset.dns import records as rec
from petset.dns.records import Lookup
from petset.dns.wire import FormatError, build_response, error_response, parse_query


def query_bytes(name: str = "Kubia.default.svc.cluster.local", qtype: int = 33, *, edns: int | None = None) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    body = struct.pack("!HHHHHH", 7, 0x0100, 1, 0, 0, 1 if edns else 0) + labels + b"\0" + struct.pack("!HH", qtype, 1)
    if edns:
        body += b"\0" + struct.pack("!HHIH", 41, edns, 0, 0)
    return body


def test_parse_query() -> None:
    query = parse_query(query_bytes(edns=4096))
    assert query is not None
    assert (query.id, query.name, query.qtype, query.qclass, query.rd) == (
        7, "kubia.default.svc.cluster.local", 33, 1, 1)
    assert query.labels[0] == b"Kubia"
    assert query.edns and query.udp_size == 1232  # capped to what we advertise
    assert parse_query(query_bytes()).udp_size == 512  # type: ignore[union-attr]


def test_a_dot_inside_a_label_matches_nothing() -> None:
    packet = struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + b"\x09kubia.svc\x07cluster\x05local\x00\x00\x01\x00\x01"
    assert parse_query(packet).name == "kubia\\.svc.cluster.local"  # type: ignore[union-attr]


def test_format_errors() -> None:
    with pytest.raises(FormatError):
        parse_query(query_bytes()[:-1])
    with pytest.raises(FormatError):
        parse_query(query_bytes() + bytes(5000))
    assert parse_query(b"\x00" * 11) is None


def test_error_response_echoes_id_opcode_and_rd() -> None:
    reply = error_response(b"\xab\xcd\x29\x00" + bytes(8) + b"junk", 1)
    assert reply == b"\xab\xcd\xa9\x01" + bytes(8)


def test_additional_records_are_dropped_before_truncating() -> None:
    query = parse_query(query_bytes())
    assert query is not None
    targets = [f"kubia-{i}.kubia.default.svc.cluster.local" for i in range(3)]
    lookup = Lookup(answer=[(query.name, rec.SRV, (0, 33, 80, t)) for t in targets],
                    additional=[(t, rec.A, f"10.0.0.{i}") for i, t in enumerate(targets)])
    full = build_response(query, lookup, ttl=30, ra=False, limit=512)
    assert len(DNSRecord.parse(full).ar) == 3
    without_additional = build_response(query, lookup, ttl=30, ra=False, limit=len(full) - 1)
    parsed = DNSRecord.parse(without_additional)
    assert (len(parsed.rr), len(parsed.ar), parsed.header.tc) == (3, 0, 0)
    truncated = DNSRecord.parse(build_response(query, lookup, ttl=30, ra=False, limit=100))
    assert (len(truncated.rr), truncated.header.tc) == (0, 1)
    # The answer owner is the question's own name, case included.
    assert str(parsed.rr[0].rname) == "Kubia.default.svc.cluster.local."
