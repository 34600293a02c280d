"""The EndpointSlices of a Service, as a pure function of the Service, its pods and the slices there are.

A port of the EndpointSlice reconciler (``staging/src/k8s.io/endpointslice``): every selected pod
with an IP becomes an endpoint with ready/serving/terminating conditions; endpoints are grouped
by address type and by the ports they resolve to (a named targetPort can resolve differently per
pod), and each group is cut into slices of at most 100 endpoints. When a Service has no
endpoints at all it keeps one empty placeholder slice, as upstream does, so consumers can tell
"no endpoints" from "not yet processed".

The plan changes as little as it can: a slice of the same address type and ports is updated in
place, and a slice that is no longer needed is recycled for a new group before one is created.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from petset.controllers.endpoints.pods import (
    find_port,
    is_pod_ready,
    pod_ips,
    should_pod_be_in_endpoints,
    should_set_hostname,
)

__all__ = [
    "CONTROLLER_NAME",
    "HEADLESS_LABEL",
    "MANAGED_BY_LABEL",
    "MAX_ENDPOINTS_PER_SLICE",
    "SERVICE_NAME_LABEL",
    "SlicePlan",
    "address_types",
    "endpoint_ports",
    "is_managed",
    "pod_to_endpoint",
    "reconcile",
    "slice_labels",
]

Obj = dict[str, Any]

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
HEADLESS_LABEL = "service.kubernetes.io/headless"
#: upstream's --max-endpoints-per-slice default.
MAX_ENDPOINTS_PER_SLICE = 100

_RESERVED_LABELS = (SERVICE_NAME_LABEL, MANAGED_BY_LABEL)

PortsKey = tuple[tuple[str, int, str, str], ...]
GroupKey = tuple[str, PortsKey]


@dataclass
class SlicePlan:
    """What to write, in the order to write it: creates, then updates, then deletes, so that an
    endpoint moving between slices is never missing from all of them."""

    create: list[Obj] = field(default_factory=list)
    update: list[Obj] = field(default_factory=list)
    delete: list[Obj] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete)


def is_managed(endpoint_slice: Mapping[str, Any]) -> bool:
    """A slice this controller owns the contents of (others' slices are never touched)."""
    return (endpoint_slice.get("metadata", {}).get("labels") or {}).get(MANAGED_BY_LABEL) == CONTROLLER_NAME


def address_types(service: Mapping[str, Any]) -> list[str]:
    """The address types a Service's slices carry: one per IP family of the Service."""
    families = [f for f in (service.get("spec") or {}).get("ipFamilies") or () if f in ("IPv4", "IPv6")]
    return families or ["IPv4"]


def _is_headless(service: Mapping[str, Any]) -> bool:
    return (service.get("spec") or {}).get("clusterIP") == "None"


def slice_labels(service: Mapping[str, Any]) -> dict[str, str]:
    """The Service's labels, plus the ones that tie a slice to it and to this controller."""
    out = {k: v for k, v in (service["metadata"].get("labels") or {}).items()
           if k not in _RESERVED_LABELS and k != HEADLESS_LABEL}
    out[SERVICE_NAME_LABEL] = service["metadata"]["name"]
    out[MANAGED_BY_LABEL] = CONTROLLER_NAME
    if _is_headless(service):
        out[HEADLESS_LABEL] = ""
    return out


def _owner_reference(service: Mapping[str, Any]) -> Obj:
    meta = service["metadata"]
    return {"apiVersion": "v1", "kind": "Service", "name": meta["name"], "uid": meta.get("uid", ""),
            "controller": True, "blockOwnerDeletion": True}


def _owned_by(endpoint_slice: Mapping[str, Any], service: Mapping[str, Any]) -> bool:
    uid = service["metadata"].get("uid")
    return any(ref.get("uid") == uid and ref.get("kind") == "Service" and ref.get("controller")
               for ref in endpoint_slice.get("metadata", {}).get("ownerReferences") or ())


def endpoint_ports(service: Mapping[str, Any], pod: Mapping[str, Any]) -> list[Obj]:
    """The Service's ports as this pod serves them: each targetPort resolved against the pod.

    A port the pod does not have (a named targetPort no container declares) is left out, as
    upstream does, rather than failing the whole Service.
    """
    out: list[Obj] = []
    for service_port in (service.get("spec") or {}).get("ports") or ():
        number = find_port(pod, service_port)
        if number is None:
            continue
        port: Obj = {"name": service_port.get("name") or "", "port": number,
                     "protocol": service_port.get("protocol") or "TCP"}
        if service_port.get("appProtocol"):
            port["appProtocol"] = service_port["appProtocol"]
        out.append(port)
    return out


def _ports_key(ports: Iterable[Mapping[str, Any]]) -> PortsKey:
    return tuple(sorted((str(p.get("name") or ""), int(p.get("port") or 0), str(p.get("protocol") or "TCP"),
                         str(p.get("appProtocol") or "")) for p in ports))


def pod_to_endpoint(pod: Mapping[str, Any], service: Mapping[str, Any], address_type: str) -> Obj | None:
    """The pod as an endpoint of the Service, or None when it has no address of that type.

    ``serving`` is the pod's readiness; ``ready`` is serving and not terminating. A Service that
    publishes not-ready addresses has every endpoint ready and serving, as upstream promises.
    """
    addresses = pod_ips(pod, address_type)
    if not addresses:
        return None
    meta = pod["metadata"]
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    serving = publish or is_pod_ready(pod)
    terminating = bool(meta.get("deletionTimestamp"))
    endpoint: Obj = {
        "addresses": addresses,
        "conditions": {"ready": publish or (serving and not terminating), "serving": serving,
                       "terminating": terminating},
    }
    if should_set_hostname(pod, service):
        endpoint["hostname"] = pod["spec"]["hostname"]
    endpoint["targetRef"] = {"kind": "Pod", "namespace": meta.get("namespace", ""), "name": meta["name"],
                             "uid": meta.get("uid", "")}
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        endpoint["nodeName"] = node_name
    return endpoint


def _name_order(name: str) -> tuple[str, int, str]:
    # kubia-2 before kubia-10: a StatefulSet's endpoints read in ordinal order.
    match = re.match(r"^(.*)-(\d+)$", name)
    return (match.group(1), int(match.group(2)), "") if match else (name, -1, name)


def _desired_groups(service: Mapping[str, Any], pods: Sequence[Mapping[str, Any]]
                    ) -> dict[GroupKey, tuple[list[Obj], list[Obj]]]:
    groups: dict[GroupKey, tuple[list[Obj], list[Obj]]] = {}
    types = address_types(service)
    for pod in sorted(pods, key=lambda p: _name_order(p["metadata"]["name"])):
        # Terminating pods stay, marked terminating, so consumers can drain them.
        if not should_pod_be_in_endpoints(pod, include_terminating=True):
            continue
        ports = endpoint_ports(service, pod)
        for address_type in types:
            endpoint = pod_to_endpoint(pod, service, address_type)
            if endpoint is None:
                continue
            key = (address_type, _ports_key(ports))
            groups.setdefault(key, (ports, []))[1].append(endpoint)
    return groups


def _new_slice(service: Mapping[str, Any], address_type: str) -> Obj:
    meta = service["metadata"]
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"generateName": f"{meta['name']}-", "namespace": meta.get("namespace", ""),
                     "labels": slice_labels(service), "ownerReferences": [_owner_reference(service)]},
        "addressType": address_type,
        "endpoints": [],
    }


def _fill(endpoint_slice: Obj, service: Mapping[str, Any], ports: list[Obj] | None, endpoints: list[Obj]) -> Obj:
    """A copy of the slice with the contents it should have."""
    out = copy.deepcopy(endpoint_slice)
    meta = out["metadata"]
    meta["labels"] = slice_labels(service)
    others = [r for r in meta.get("ownerReferences") or () if not r.get("controller")]
    meta["ownerReferences"] = [_owner_reference(service), *others]
    out["endpoints"] = copy.deepcopy(endpoints)
    if ports is None:
        out.pop("ports", None)
    else:
        out["ports"] = copy.deepcopy(ports)
    return out


def _differs(current: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    cur_meta, want_meta = current.get("metadata", {}), desired["metadata"]
    return ((cur_meta.get("labels") or {}) != want_meta["labels"]
            or (cur_meta.get("ownerReferences") or []) != want_meta["ownerReferences"]
            or (current.get("endpoints") or []) != desired["endpoints"]
            or _ports_key(current.get("ports") or ()) != _ports_key(desired.get("ports") or ())
            or len(current.get("ports") or ()) != len(desired.get("ports") or ()))


def reconcile(service: Mapping[str, Any], pods: Sequence[Mapping[str, Any]], existing: Sequence[Obj], *,
              max_endpoints: int = MAX_ENDPOINTS_PER_SLICE) -> SlicePlan:
    """The writes that turn ``existing`` (this controller's slices for the Service) into the desired set.

    ``pods`` are the pods the Service selects, in its namespace.
    """
    plan = SlicePlan()
    groups = _desired_groups(service, pods)
    # Slices left by an earlier Service of the same name belong to nobody now.
    owned = sorted((s for s in existing if _owned_by(s, service)), key=lambda s: s["metadata"]["name"])
    stale = [s for s in existing if not _owned_by(s, service)]
    by_key: dict[GroupKey, list[Obj]] = {}
    for endpoint_slice in owned:
        key = (str(endpoint_slice.get("addressType")), _ports_key(endpoint_slice.get("ports") or ()))
        by_key.setdefault(key, []).append(endpoint_slice)

    wanted: list[tuple[str, list[Obj] | None, list[Obj]]] = []  # (address type, ports, endpoints) per new slice
    for address_type in address_types(service):
        type_groups = [(key, value) for key, value in groups.items() if key[0] == address_type]
        if not type_groups:
            placeholder = by_key.pop((address_type, ()), [])
            if placeholder:
                desired = _fill(placeholder[0], service, None, [])
                if _differs(placeholder[0], desired):
                    plan.update.append(desired)
                stale.extend(placeholder[1:])
            else:
                wanted.append((address_type, None, []))
            continue
        for key, (ports, endpoints) in sorted(type_groups, key=lambda kv: kv[0]):
            chunks = [endpoints[i:i + max_endpoints] for i in range(0, len(endpoints), max_endpoints)]
            current = by_key.pop(key, [])
            for i, chunk in enumerate(chunks):
                if i < len(current):
                    desired = _fill(current[i], service, ports, chunk)
                    if _differs(current[i], desired):
                        plan.update.append(desired)
                else:
                    wanted.append((address_type, ports, chunk))
            stale.extend(current[len(chunks):])
    for leftovers in by_key.values():
        stale.extend(leftovers)

    # Recycle an unneeded slice of the same address type (addressType is immutable) before creating one.
    recyclable = [s for s in stale if _owned_by(s, service)]
    for address_type, slice_ports, chunk in wanted:
        reuse = next((s for s in recyclable if s.get("addressType") == address_type), None)
        if reuse is not None:
            recyclable.remove(reuse)
            stale.remove(reuse)
            plan.update.append(_fill(reuse, service, slice_ports, chunk))
        else:
            plan.create.append(_fill(_new_slice(service, address_type), service, slice_ports, chunk))
    plan.delete.extend(stale)
    return plan
