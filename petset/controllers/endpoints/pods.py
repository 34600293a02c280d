"""What a pod contributes to a Service's endpoints: the predicates both endpoint controllers share.

Ports of upstream's ``pkg/controller/util/endpoint`` (ShouldPodBeInEndpoints, ShouldSetHostname)
and ``pkg/api/v1/pod`` (IsPodReady, FindPort), so the Endpoints and the EndpointSlices of a
Service always agree on which pods are in, which are ready and which port each one serves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from petset.api import labels

__all__ = [
    "find_port",
    "is_pod_ready",
    "is_pod_terminal",
    "pod_ips",
    "service_selector",
    "should_pod_be_in_endpoints",
    "should_set_hostname",
]

Obj = Mapping[str, Any]


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, Mapping) else {}


def _status(obj: Obj) -> Obj:
    status = obj.get("status")
    return status if isinstance(status, Mapping) else {}


def service_selector(service: Obj) -> labels.Selector | None:
    """The pods a Service selects, or None when its endpoints are not ours to manage.

    A Service without a selector (or with an empty one, which the API stores as none) has its
    endpoints written by hand; an ExternalName Service has no endpoints at all.
    """
    spec = _spec(service)
    selector = spec.get("selector")
    if spec.get("type") == "ExternalName" or not isinstance(selector, Mapping) or not selector:
        return None
    return labels.Selector(tuple(labels.Requirement(str(k), "=", (str(v),)) for k, v in sorted(selector.items())))


def is_pod_ready(pod: Obj) -> bool:
    """The pod's Ready condition is True (what the kubelet reports once every readiness probe passes)."""
    for condition in _status(pod).get("conditions") or ():
        if isinstance(condition, Mapping) and condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def is_pod_terminal(pod: Obj) -> bool:
    """Succeeded or Failed: the pod's containers will never run again."""
    return _status(pod).get("phase") in ("Succeeded", "Failed")


def pod_ips(pod: Obj, address_type: str | None = None) -> list[str]:
    """The pod's IPs (``status.podIPs``, else ``status.podIP``), optionally of one family only."""
    status = _status(pod)
    ips = [str(entry.get("ip")) for entry in status.get("podIPs") or () if isinstance(entry, Mapping) and entry.get("ip")]
    if not ips and status.get("podIP"):
        ips = [str(status["podIP"])]
    if address_type is None:
        return ips
    version = 6 if address_type == "IPv6" else 4
    out = []
    for ip in ips:
        try:
            if ipaddress.ip_address(ip).version == version:
                out.append(ip)
        except ValueError:
            continue
    return out


def should_pod_be_in_endpoints(pod: Obj, *, include_terminating: bool) -> bool:
    """A pod with an IP that may still serve: not terminal and, unless asked, not terminating.

    Readiness is not decided here: not-ready pods are listed too, as not ready.
    """
    if is_pod_terminal(pod) or not pod_ips(pod):
        return False
    return include_terminating or not pod.get("metadata", {}).get("deletionTimestamp")


def should_set_hostname(pod: Obj, service: Obj) -> bool:
    """The pod is named under this Service: its hostname is set and its subdomain is the Service.

    This is what gives a StatefulSet pod its DNS name ``<hostname>.<service>.<ns>.svc.<zone>``.
    """
    spec = _spec(pod)
    return (bool(spec.get("hostname")) and spec.get("subdomain") == service["metadata"]["name"]
            and pod["metadata"].get("namespace") == service["metadata"].get("namespace"))


def find_port(pod: Obj, service_port: Obj) -> int | None:
    """The pod port a Service port's targetPort means, or None when the pod has no such port.

    A numeric targetPort is taken as is; a named one is looked up among the containers' ports
    (and the restartable init containers', i.e. sidecars) with the same name and protocol.
    """
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    if not isinstance(target, str) or not target:
        return None
    protocol = service_port.get("protocol") or "TCP"
    spec = _spec(pod)
    containers = list(spec.get("containers") or ())
    containers += [c for c in spec.get("initContainers") or ()
                   if isinstance(c, Mapping) and c.get("restartPolicy") == "Always"]
    for container in containers:
        if not isinstance(container, Mapping):
            continue
        for port in container.get("ports") or ():
            if (isinstance(port, Mapping) and port.get("name") == target
                    and (port.get("protocol") or "TCP") == protocol and isinstance(port.get("containerPort"), int)):
                return int(port["containerPort"])
    return None
