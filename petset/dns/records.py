"""The cluster's DNS records, kept in memory and updated one object at a time.

The records follow the Kubernetes DNS-based service discovery specification (schema 1.1.0):
for a ClusterIP Service ``<svc>.<ns>.svc.<zone>`` has the cluster IP, an SRV record per port
(and per named port under ``_<port>._<proto>``) and a PTR for the address; for a headless
Service it has one A/AAAA per ready endpoint, every ready endpoint is
``<hostname>.<svc>.<ns>.svc.<zone>`` (its hostname, else its dashed IP), and the SRV records
point at those names. ExternalName Services are a CNAME. Pods are ``<a-b-c-d>.<ns>.pod.<zone>``
(only for an address a pod of that namespace has, CoreDNS's "pods verified").

Each object contributes a set of records (its *source*); an event replaces that one set, so
the index is never rebuilt whole and a query never computes anything from the API objects.
Nothing here does I/O: the server feeds it from informers and reads it per query.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AAAA",
    "ANY",
    "CNAME",
    "NS",
    "PTR",
    "SOA",
    "SRV",
    "TXT",
    "A",
    "Lookup",
    "Record",
    "RecordIndex",
    "pod_records",
    "reverse_name",
    "service_records",
]

A, NS, CNAME, SOA, PTR, TXT, AAAA, SRV, ANY = 1, 2, 5, 6, 12, 16, 28, 33, 255
#: A private-use type for a pod address's PTR: answered only when no endpoint names the address,
#: so an endpoint's stable name wins over the pod's dashed-IP name.
POD_PTR = 65400

SCHEMA_VERSION = "1.1.0"

#: (owner, type, rdata); owner names are lower-case, without the trailing dot. rdata is the
#: address (A/AAAA), the target (CNAME/PTR/NS), the text (TXT), (priority, weight, port, target)
#: for SRV, (mname, rname, serial, refresh, retry, expire, minimum) for SOA.
Record = tuple[str, int, Any]


def reverse_name(ip: str) -> str:
    """``10.244.0.5`` -> ``5.0.244.10.in-addr.arpa`` (nibbles under ip6.arpa for IPv6)."""
    return ipaddress.ip_address(ip).reverse_pointer


def _address_type(ip: str) -> int | None:
    try:
        return A if ipaddress.ip_address(ip).version == 4 else AAAA
    except ValueError:
        return None


def _dashed(ip: str) -> str:
    return ip.replace(".", "-").replace(":", "-")


def service_records(service: Mapping[str, Any], endpoint_slices: Iterable[Mapping[str, Any]], zone: str
                    ) -> set[Record]:
    """The records a Service and its EndpointSlices give, per the DNS specification."""
    meta = service["metadata"]
    spec = service.get("spec") or {}
    base = f"{meta['name']}.{meta.get('namespace', '')}.svc.{zone}".lower()
    out: set[Record] = set()
    if spec.get("type") == "ExternalName":
        target = str(spec.get("externalName") or "").rstrip(".").lower()
        if target:
            out.add((base, CNAME, target))
        return out
    srv: dict[str, set[tuple[int, int, str]]] = {}  # owner -> {(port, ..., target)} before weights

    def add_srv(owner: str, port: int, target: str) -> None:
        srv.setdefault(owner, set()).add((port, 0, target))

    if spec.get("clusterIP") != "None":
        for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
            rtype = _address_type(str(ip or ""))
            if rtype is None:
                continue
            out.add((base, rtype, ip))
            out.add((reverse_name(ip), PTR, base))
        for port in spec.get("ports") or ():
            number = port.get("port")
            if not isinstance(number, int):
                continue
            add_srv(base, number, base)
            if port.get("name"):
                add_srv(f"_{port['name']}._{str(port.get('protocol') or 'TCP').lower()}.{base}".lower(), number, base)
    else:
        for endpoint_slice in endpoint_slices:
            ports = [p for p in endpoint_slice.get("ports") or () if isinstance(p.get("port"), int)]
            for endpoint in endpoint_slice.get("endpoints") or ():
                # ready is true for a Service that publishes not-ready addresses; unset means ready.
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                for ip in endpoint.get("addresses") or ():
                    rtype = _address_type(str(ip))
                    if rtype is None:
                        continue
                    host = f"{str(endpoint.get('hostname') or _dashed(ip)).lower()}.{base}"
                    out.add((base, rtype, ip))
                    out.add((host, rtype, ip))
                    out.add((reverse_name(ip), PTR, host))
                    for port in ports:
                        add_srv(base, port["port"], host)
                        if port.get("name"):
                            owner = f"_{port['name']}._{str(port.get('protocol') or 'TCP').lower()}.{base}".lower()
                            add_srv(owner, port["port"], host)
    for owner, entries in srv.items():
        # Equal weights summing to about 100, as CoreDNS gives: 2 records weigh 50 each.
        weight = max(1, 100 // len(entries))
        out.update((owner, SRV, (0, weight, port, target)) for port, _, target in entries)
    return out


def pod_records(pod: Mapping[str, Any], zone: str) -> set[Record]:
    """``<a-b-c-d>.<ns>.pod.<zone>`` for each address of a pod that is not finished."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return set()
    ips = [str(e.get("ip")) for e in status.get("podIPs") or () if e.get("ip")] or (
        [str(status["podIP"])] if status.get("podIP") else [])
    namespace = pod["metadata"].get("namespace", "")
    out: set[Record] = set()
    for ip in ips:
        rtype = _address_type(ip)
        if rtype is None:
            continue
        name = f"{_dashed(ip)}.{namespace}.pod.{zone}".lower()
        out.add((name, rtype, ip))
        out.add((reverse_name(ip), POD_PTR, name))
    return out


@dataclass
class Lookup:
    """The answer to one question; ``authoritative`` is False for names outside what we serve."""

    rcode: int = 0
    answer: list[Record] = field(default_factory=list)
    authority: list[Record] = field(default_factory=list)
    additional: list[Record] = field(default_factory=list)
    authoritative: bool = True


NOERROR, NXDOMAIN = 0, 3


class RecordIndex:
    """Records by owner name and type, with reference counts (two sources may give the same record)."""

    def __init__(self, zone: str = "cluster.local", *, ttl: int = 30, clock: Callable[[], float] = time.time) -> None:
        self.zone = zone.strip(".").lower()
        self.ttl = ttl
        self._clock = clock
        self._records: dict[str, dict[int, dict[Any, int]]] = {}
        #: Every owner and each of its parents, counted: a parent of a name is an existing name
        #: (an "empty non-terminal"), which answers NODATA rather than NXDOMAIN.
        self._nodes: dict[str, int] = {}
        self._sources: dict[str, set[Record]] = {}
        self._listeners: list[Callable[[], None]] = []
        self.serial = int(self._clock())
        self._add_all({(self.zone, SOA, self._soa_rdata()), (self.zone, NS, f"ns.dns.{self.zone}"),
                       (f"dns-version.{self.zone}", TXT, SCHEMA_VERSION)})

    def _soa_rdata(self) -> tuple[Any, ...]:
        return (f"ns.dns.{self.zone}", f"hostmaster.{self.zone}", self.serial, 7200, 1800, 86400, self.ttl)

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    # updates

    def set_source(self, source: str, records: set[Record]) -> bool:
        """Replace what ``source`` contributes; returns whether anything changed."""
        old = self._sources.get(source, set())
        if old == records:
            return False
        self._remove_all(old - records)
        self._add_all(records - old)
        if records:
            self._sources[source] = records
        else:
            self._sources.pop(source, None)
        self.serial = max(self.serial + 1, int(self._clock()))
        for listener in self._listeners:
            listener()
        return True

    def _add_all(self, records: Iterable[Record]) -> None:
        for owner, rtype, rdata in records:
            types = self._records.get(owner)
            if types is None:
                types = self._records[owner] = {}
                self._count_node(owner, 1)
            bucket = types.setdefault(rtype, {})
            bucket[rdata] = bucket.get(rdata, 0) + 1

    def _remove_all(self, records: Iterable[Record]) -> None:
        for owner, rtype, rdata in records:
            types = self._records[owner]
            bucket = types[rtype]
            if bucket[rdata] > 1:
                bucket[rdata] -= 1
                continue
            del bucket[rdata]
            if not bucket:
                del types[rtype]
            if not types:
                del self._records[owner]
                self._count_node(owner, -1)

    def _count_node(self, owner: str, delta: int) -> None:
        labels = owner.split(".")
        for i in range(len(labels)):
            name = ".".join(labels[i:])
            count = self._nodes.get(name, 0) + delta
            if count:
                self._nodes[name] = count
            else:
                self._nodes.pop(name, None)

    # queries

    def in_zone(self, name: str) -> bool:
        return name == self.zone or name.endswith("." + self.zone)

    def serves(self, name: str) -> bool:
        """Whether we answer for ``name``: anything in the zone, and the reverse names we know."""
        return self.in_zone(name) or name in self._records

    def _rrset(self, owner: str, rtype: int) -> list[Record]:
        bucket = self._records.get(owner, {}).get(rtype)
        if not bucket:
            return []
        if rtype == SOA:
            return [(owner, SOA, self._soa_rdata())]
        return [(owner, rtype, rdata) for rdata in sorted(bucket, key=_rdata_order)]

    def _soa(self, name: str) -> Record:
        if self.in_zone(name):
            return (self.zone, SOA, self._soa_rdata())
        apex = "ip6.arpa" if name.endswith("ip6.arpa") else "in-addr.arpa"
        return (apex, SOA, (f"ns.dns.{self.zone}", f"hostmaster.{self.zone}", self.serial, 7200, 1800, 86400,
                            self.ttl))

    def lookup(self, name: str, qtype: int) -> Lookup | None:
        """The answer for a lower-case name without trailing dot, or None when it is not ours."""
        if not self.serves(name):
            return None
        types = self._records.get(name)
        if not types:
            if name in self._nodes:
                return Lookup(NOERROR, authority=[self._soa(name)])
            return Lookup(NXDOMAIN, authority=[self._soa(name)])
        if qtype == ANY:
            answer = [r for t in sorted(types) for r in self._rrset(name, t) if t != POD_PTR]
            if PTR not in types:
                answer += [(o, PTR, d) for o, _, d in self._rrset(name, POD_PTR)]
        elif qtype in types and qtype != POD_PTR:
            answer = self._rrset(name, qtype)
        elif qtype == PTR and POD_PTR in types:
            answer = [(o, PTR, d) for o, _, d in self._rrset(name, POD_PTR)]
        elif CNAME in types:
            answer = self._rrset(name, CNAME)
        else:
            return Lookup(NOERROR, authority=[self._soa(name)])
        result = Lookup(NOERROR, answer=answer)
        if qtype in (SRV, ANY):
            targets = dict.fromkeys(r[2][3] for r in answer if r[1] == SRV)
            for target in targets:
                result.additional += self._rrset(target, A) + self._rrset(target, AAAA)
        elif qtype == NS:
            for _, _, target in answer:
                result.additional += self._rrset(target, A) + self._rrset(target, AAAA)
        return result


def _rdata_order(rdata: Any) -> tuple[Any, ...]:
    if isinstance(rdata, tuple):
        return tuple(_natural(x) if isinstance(x, str) else (x,) for x in rdata)
    if isinstance(rdata, str):
        try:
            return (0, int(ipaddress.ip_address(rdata)))
        except ValueError:
            return (1, _natural(rdata))
    return (2, rdata)


def _natural(text: str) -> tuple[Any, ...]:
    # kubia-2 before kubia-10, so an SRV set reads in ordinal order.
    parts: list[Any] = []
    for label in text.split("."):
        head, sep, tail = label.rpartition("-")
        parts.append((head, int(tail), "") if sep and tail.isdigit() else (label, -1, label))
    return tuple(parts)
