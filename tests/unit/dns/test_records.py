"""The record index: what Services, slices and pods contribute, and how names are answered."""

from __future__ import annotations

from typing import Any

from petset.dns.records import (
    AAAA,
    ANY,
    NS,
    PTR,
    SOA,
    SRV,
    TXT,
    A,
    RecordIndex,
    pod_records,
    reverse_name,
    service_records,
)

ZONE = "cluster.local"
SVC = "kubia.default.svc.cluster.local"


def headless(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "kubia", "namespace": "default"},
            "spec": {"clusterIP": "None", "ports": [{"name": "http", "port": 80}], **spec}}


def endpoint_slice(*endpoints: tuple[str, str | None, bool | None], ports: list[Any] | None = None) -> dict[str, Any]:
    out = []
    for ip, hostname, ready in endpoints:
        endpoint: dict[str, Any] = {"addresses": [ip], "conditions": {} if ready is None else {"ready": ready}}
        if hostname:
            endpoint["hostname"] = hostname
        out.append(endpoint)
    return {"metadata": {"name": "kubia-x", "namespace": "default"}, "addressType": "IPv4", "endpoints": out,
            "ports": ports if ports is not None else [{"name": "http", "port": 80, "protocol": "TCP"}]}


def test_headless_records() -> None:
    records = service_records(headless(), [endpoint_slice(("10.0.0.1", "kubia-0", True),
                                                          ("10.0.0.2", None, None),
                                                          ("10.0.0.3", "kubia-2", False))], ZONE)
    assert records == {
        (SVC, A, "10.0.0.1"), (SVC, A, "10.0.0.2"),
        (f"kubia-0.{SVC}", A, "10.0.0.1"), (f"10-0-0-2.{SVC}", A, "10.0.0.2"),
        (reverse_name("10.0.0.1"), PTR, f"kubia-0.{SVC}"), (reverse_name("10.0.0.2"), PTR, f"10-0-0-2.{SVC}"),
        (SVC, SRV, (0, 50, 80, f"kubia-0.{SVC}")), (SVC, SRV, (0, 50, 80, f"10-0-0-2.{SVC}")),
        (f"_http._tcp.{SVC}", SRV, (0, 50, 80, f"kubia-0.{SVC}")),
        (f"_http._tcp.{SVC}", SRV, (0, 50, 80, f"10-0-0-2.{SVC}")),
    }


def test_cluster_ip_records() -> None:
    svc = {"metadata": {"name": "web", "namespace": "default"},
           "spec": {"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5", "fd00::5"],
                    "ports": [{"name": "http", "port": 80, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]}}
    name = "web.default.svc.cluster.local"
    assert service_records(svc, [], ZONE) == {
        (name, A, "10.96.0.5"), (name, AAAA, "fd00::5"),
        (reverse_name("10.96.0.5"), PTR, name), (reverse_name("fd00::5"), PTR, name),
        (name, SRV, (0, 50, 80, name)), (name, SRV, (0, 50, 443, name)),
        (f"_http._tcp.{name}", SRV, (0, 100, 80, name)),
    }


def test_index_answers_nodata_nxdomain_and_empty_non_terminals() -> None:
    index = RecordIndex(ZONE, ttl=30)
    index.set_source("service/default/kubia", service_records(headless(), [endpoint_slice(("10.0.0.1", "kubia-0",
                                                                                            True))], ZONE))
    found = index.lookup(f"kubia-0.{SVC}", A)
    assert found is not None and found.answer == [(f"kubia-0.{SVC}", A, "10.0.0.1")]
    nodata = index.lookup(f"kubia-0.{SVC}", TXT)
    assert nodata is not None and (nodata.rcode, nodata.answer) == (0, [])
    assert nodata.authority[0][:2] == (ZONE, SOA)
    for existing in ("default.svc.cluster.local", "svc.cluster.local", f"_tcp.{SVC}"):
        ent = index.lookup(existing, A)
        assert ent is not None and (ent.rcode, ent.answer) == (0, []), existing
    missing = index.lookup(f"kubia-1.{SVC}", A)
    assert missing is not None and missing.rcode == 3
    assert index.lookup("example.com", A) is None
    assert index.lookup("in-addr.arpa", PTR) is None  # reverse names are ours only where we have a record


def test_srv_answers_carry_the_targets_addresses() -> None:
    index = RecordIndex(ZONE)
    index.set_source("s", service_records(headless(), [endpoint_slice(("10.0.0.2", "kubia-1", True),
                                                                      ("10.0.0.1", "kubia-0", True))], ZONE))
    found = index.lookup(SVC, SRV)
    assert found is not None
    assert [r[2][3] for r in found.answer] == [f"kubia-0.{SVC}", f"kubia-1.{SVC}"]
    assert found.additional == [(f"kubia-0.{SVC}", A, "10.0.0.1"), (f"kubia-1.{SVC}", A, "10.0.0.2")]


def test_sources_are_reference_counted_and_replaced_whole() -> None:
    index = RecordIndex(ZONE)
    changes: list[int] = []
    index.on_change(lambda: changes.append(1))
    records = {("x.default.pod.cluster.local", A, "10.0.0.9")}
    assert index.set_source("pod/default/a", records)
    assert index.set_source("pod/default/b", records)
    assert not index.set_source("pod/default/b", records)  # unchanged: no invalidation
    assert len(changes) == 2
    index.set_source("pod/default/a", set())
    assert index.lookup("x.default.pod.cluster.local", A).answer  # type: ignore[union-attr]
    index.set_source("pod/default/b", set())
    assert index.lookup("x.default.pod.cluster.local", A).rcode == 3  # type: ignore[union-attr]
    assert index.lookup("default.pod.cluster.local", A).rcode == 3  # type: ignore[union-attr]


def test_pod_ptr_gives_way_to_an_endpoint_name() -> None:
    index = RecordIndex(ZONE)
    pod: dict[str, Any] = {"metadata": {"name": "kubia-0", "namespace": "default"},
           "status": {"phase": "Running", "podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}]}}
    index.set_source("pod/default/kubia-0", pod_records(pod, ZONE))
    reverse = reverse_name("10.0.0.1")
    assert index.lookup(reverse, PTR).answer == [(reverse, PTR, "10-0-0-1.default.pod.cluster.local")]  # type: ignore[union-attr]
    index.set_source("service/default/kubia", service_records(headless(), [endpoint_slice(("10.0.0.1", "kubia-0",
                                                                                            True))], ZONE))
    assert index.lookup(reverse, PTR).answer == [(reverse, PTR, f"kubia-0.{SVC}")]  # type: ignore[union-attr]
    assert pod_records({**pod, "status": {**pod["status"], "phase": "Succeeded"}}, ZONE) == set()


def test_apex_and_any() -> None:
    index = RecordIndex(ZONE, ttl=7)
    soa = index.lookup(ZONE, SOA)
    assert soa is not None and soa.answer[0][2][-1] == 7
    ns = index.lookup(ZONE, NS)
    assert ns is not None and ns.answer == [(ZONE, NS, "ns.dns.cluster.local")]
    everything = index.lookup(ZONE, ANY)
    assert everything is not None and {r[1] for r in everything.answer} == {SOA, NS}


def test_serial_moves_forward_on_every_change() -> None:
    index = RecordIndex(ZONE, clock=lambda: 1000.0)
    first = index.serial
    index.set_source("a", {("a.cluster.local", A, "10.0.0.1")})
    assert index.serial == first + 1
