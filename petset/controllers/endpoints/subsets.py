"""The legacy Endpoints object of a Service, as a pure function of the Service and its pods.

A port of upstream's endpoints controller (``pkg/controller/endpoint``) and of
``RepackSubsets``: each selected pod with an IP is an address, ready or not ready, for each
Service port it resolves; addresses offering the same ports are packed into one subset.
Unlike EndpointSlices, terminating pods are left out unless the Service publishes not-ready
addresses, and a headless Service without ports still lists its addresses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from petset.controllers.endpoints.pods import (
    find_port,
    is_pod_ready,
    pod_ips,
    should_pod_be_in_endpoints,
    should_set_hostname,
)
from petset.controllers.endpoints.slices import HEADLESS_LABEL

__all__ = ["endpoints_labels", "endpoints_subsets", "pod_address"]

Obj = dict[str, Any]
PortKey = tuple[str, int, str, str]
#: Stands for "no ports" so that a headless Service without ports keeps its addresses.
_NO_PORTS: PortKey = ("", -1, "", "")


def endpoints_labels(service: Mapping[str, Any]) -> dict[str, str]:
    """The Service's labels, with the headless marker set exactly when the Service is headless."""
    out = {k: v for k, v in (service["metadata"].get("labels") or {}).items() if k != HEADLESS_LABEL}
    if (service.get("spec") or {}).get("clusterIP") == "None":
        out[HEADLESS_LABEL] = ""
    return out


def pod_address(pod: Mapping[str, Any], service: Mapping[str, Any]) -> Obj | None:
    """The pod as an EndpointAddress, using its IP of the Service's (first) family."""
    families = (service.get("spec") or {}).get("ipFamilies") or ["IPv4"]
    ips = pod_ips(pod, families[0])
    if not ips:
        return None
    meta = pod["metadata"]
    address: Obj = {"ip": ips[0]}
    if should_set_hostname(pod, service):
        address["hostname"] = pod["spec"]["hostname"]
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        address["nodeName"] = node_name
    address["targetRef"] = {"kind": "Pod", "namespace": meta.get("namespace", ""), "name": meta["name"],
                            "uid": meta.get("uid", "")}
    return address


def _port_object(key: PortKey) -> Obj:
    name, number, protocol, app_protocol = key
    port: Obj = {}
    if name:
        port["name"] = name
    port["port"] = number
    port["protocol"] = protocol
    if app_protocol:
        port["appProtocol"] = app_protocol
    return port


def endpoints_subsets(service: Mapping[str, Any], pods: Sequence[Mapping[str, Any]]) -> list[Obj]:
    """``subsets`` for the Service's Endpoints object; ``pods`` are the pods it selects."""
    spec = service.get("spec") or {}
    tolerate_unready = bool(spec.get("publishNotReadyAddresses"))
    headless = spec.get("clusterIP") == "None"
    addresses: dict[tuple[str, str], Obj] = {}
    # port -> {address key: ready}; an address ready on a port stays ready there.
    by_port: dict[PortKey, dict[tuple[str, str], bool]] = {}
    for pod in pods:
        if not should_pod_be_in_endpoints(pod, include_terminating=tolerate_unready):
            continue
        address = pod_address(pod, service)
        if address is None:
            continue
        key = (address["ip"], address["targetRef"]["uid"])
        ready = tolerate_unready or is_pod_ready(pod)
        ports: list[PortKey] = []
        service_ports = spec.get("ports") or []
        if not service_ports and headless:
            ports.append(_NO_PORTS)
        for service_port in service_ports:
            number = find_port(pod, service_port)
            if number is None:
                continue
            ports.append((service_port.get("name") or "", number, service_port.get("protocol") or "TCP",
                          service_port.get("appProtocol") or ""))
        for port in ports:
            addresses.setdefault(key, address)
            seen = by_port.setdefault(port, {})
            seen[key] = seen.get(key, False) or ready

    # Ports offered by exactly the same addresses (with the same readiness) share one subset.
    grouped: dict[tuple[tuple[tuple[str, str], bool], ...], list[PortKey]] = {}
    for port, members in by_port.items():
        grouped.setdefault(tuple(sorted(members.items())), []).append(port)
    subsets: list[Obj] = []
    for members_key, ports in grouped.items():
        ready_addresses = [addresses[k] for k, ready in members_key if ready]
        not_ready = [addresses[k] for k, ready in members_key if not ready]
        subset: Obj = {}
        if ready_addresses:
            subset["addresses"] = sorted(ready_addresses, key=_address_order)
        if not_ready:
            subset["notReadyAddresses"] = sorted(not_ready, key=_address_order)
        real_ports = sorted(p for p in ports if p != _NO_PORTS)
        if real_ports:
            subset["ports"] = [_port_object(p) for p in real_ports]
        subsets.append(subset)
    subsets.sort(key=_subset_order)
    return subsets


def _address_order(address: Mapping[str, Any]) -> tuple[str, str]:
    # As upstream's LessEndpointAddress: by IP text, then by the pod's uid.
    return address["ip"], (address.get("targetRef") or {}).get("uid", "")


def _subset_order(subset: Mapping[str, Any]) -> tuple[Any, ...]:
    first = (subset.get("addresses") or subset.get("notReadyAddresses") or [{"ip": ""}])[0]
    return first["ip"], [(p.get("name", ""), p["port"], p["protocol"]) for p in subset.get("ports") or ()]
