"""The legacy Endpoints object: addresses and not-ready addresses, packed by ports."""

from __future__ import annotations

from petset.controllers.endpoints.subsets import endpoints_labels, endpoints_subsets
from tests.unit.controllers.endpoints.test_slices import pod, service


def ref(name: str) -> dict[str, str]:
    return {"kind": "Pod", "namespace": "default", "name": name, "uid": f"uid-{name}"}


def test_ready_and_not_ready_addresses_share_a_subset() -> None:
    pods = [pod("kubia-1", "10.244.0.6", ready=False), pod("kubia-0", "10.244.0.5", node="node-a")]
    assert endpoints_subsets(service(), pods) == [{
        "addresses": [{"ip": "10.244.0.5", "hostname": "kubia-0", "nodeName": "node-a", "targetRef": ref("kubia-0")}],
        "notReadyAddresses": [{"ip": "10.244.0.6", "hostname": "kubia-1", "targetRef": ref("kubia-1")}],
        "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
    }]


def test_terminating_pods_are_left_out_unless_not_ready_addresses_are_published() -> None:
    pods = [pod("kubia-0", "10.244.0.5", terminating=True)]
    assert endpoints_subsets(service(), pods) == []
    unready = pod("kubia-1", "10.244.0.6", ready=False)
    published = endpoints_subsets(service(publishNotReadyAddresses=True), [*pods, unready])
    assert [a["ip"] for a in published[0]["addresses"]] == ["10.244.0.5", "10.244.0.6"]
    assert "notReadyAddresses" not in published[0]


def test_unnamed_port_omits_the_name_and_uses_the_target_port() -> None:
    svc = service("kubia-public", headless=False, ports=[{"port": 80, "protocol": "TCP", "targetPort": 8080}])
    [subset] = endpoints_subsets(svc, [pod("kubia-0")])
    assert subset["ports"] == [{"port": 8080, "protocol": "TCP"}]
    assert subset["addresses"] == [{"ip": "10.244.0.5", "targetRef": ref("kubia-0")}]


def test_addresses_are_packed_by_the_ports_they_offer() -> None:
    svc = service(ports=[{"name": "web", "port": 80, "protocol": "TCP", "targetPort": "http"},
                         {"name": "admin", "port": 81, "protocol": "TCP", "targetPort": "admin"}])
    both = pod("kubia-0", "10.244.0.5", ports=[{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                                               {"name": "admin", "containerPort": 9000, "protocol": "TCP"}])
    web_only = pod("kubia-1", "10.244.0.6")
    subsets = endpoints_subsets(svc, [both, web_only])
    assert [([a["ip"] for a in s["addresses"]], [p["port"] for p in s["ports"]]) for s in subsets] == [
        (["10.244.0.5"], [9000]), (["10.244.0.5", "10.244.0.6"], [8080])]


def test_headless_service_without_ports() -> None:
    assert endpoints_subsets(service(ports=[]), [pod("kubia-0")]) == [
        {"addresses": [{"ip": "10.244.0.5", "hostname": "kubia-0", "targetRef": ref("kubia-0")}]}]


def test_labels_mark_headless_services() -> None:
    assert endpoints_labels(service()) == {"team": "a", "service.kubernetes.io/headless": ""}
    assert endpoints_labels(service(headless=False)) == {"team": "a"}
