"""Admission: the checks and mutations kube-apiserver's built-in plugins make on writes.

NamespaceLifecycle refuses content in missing or terminating namespaces; the service IP and
node-port allocators give ClusterIP and NodePort services their addresses, as the service REST
storage does upstream.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from petset.api import defaults as api_defaults
from petset.api import errors
from petset.registry.options import WriteOptions

if TYPE_CHECKING:
    from petset.registry.rest import ResourceStore

__all__ = ["NamespaceLifecycle", "ServiceAllocator"]

Obj = dict[str, Any]

#: Namespaces that always exist and may not be deleted.
IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")


class NamespaceLifecycle:
    def __init__(self, namespaces: ResourceStore) -> None:
        self.namespaces = namespaces

    def __call__(self, store: ResourceStore, obj: Obj, old: Obj | None, operation: str, opts: WriteOptions) -> None:
        if operation != "CREATE" or not store.namespaced:
            return
        meta = obj["metadata"]
        ns_name = meta.get("namespace", "")
        ns = self.namespaces.get_cached(None, ns_name)
        rt = store.storage_rt
        if ns is None:
            raise errors.not_found("namespaces", "", ns_name)
        if (ns.get("status") or {}).get("phase") == "Terminating" or ns["metadata"].get("deletionTimestamp"):
            raise errors.forbidden_request(rt.plural, rt.group, meta.get("name", ""),
                                           f"unable to create new content in namespace {ns_name} because it is "
                                           "being terminated")


class ServiceAllocator:
    """Cluster IPs from the service range and node ports from 30000-32767."""

    def __init__(self, cidr: str = "10.96.0.0/12") -> None:
        self.network = ipaddress.ip_network(cidr)

    def __call__(self, store: ResourceStore, obj: Obj, old: Obj | None, operation: str, opts: WriteOptions) -> None:
        spec = obj.setdefault("spec", {})
        if not isinstance(spec, dict):
            return
        if operation == "UPDATE" and old is not None:
            self._keep_allocations(spec, old.get("spec") or {})
        api_defaults.normalize_cluster_ips(obj, old)
        refused = api_defaults.init_service_ip_families(obj, old)
        if refused:
            raise errors.invalid("Service", "", obj["metadata"].get("name", ""), refused)
        svc_type = spec.get("type", "ClusterIP")
        if svc_type == "ExternalName":
            return
        used_ips, used_ports = self._in_use(store, obj)
        ip = spec.get("clusterIP")
        if not ip:
            ip = self._next_ip(used_ips)
            spec["clusterIP"] = ip
            spec["clusterIPs"] = [ip]
        elif ip != "None" and operation == "CREATE":
            self._check_ip(ip, used_ips, obj)
        spec.setdefault("clusterIPs", [ip])
        if svc_type in ("NodePort", "LoadBalancer"):
            for port in spec.get("ports") or []:
                if isinstance(port, dict) and not port.get("nodePort"):
                    port["nodePort"] = self._next_port(used_ports)
                    used_ports.add(port["nodePort"])

    @staticmethod
    def _keep_allocations(spec: Obj, old_spec: Obj) -> None:
        # An update that omits the address keeps it, as kubectl apply expects.
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if key not in spec and key in old_spec:
                spec[key] = old_spec[key]
        old_ports = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports") or [] if isinstance(p, dict)}
        for port in spec.get("ports") or []:
            if isinstance(port, dict) and not port.get("nodePort") and old_ports.get(port.get("port")):
                port["nodePort"] = old_ports[port.get("port")]

    def _in_use(self, store: ResourceStore, obj: Obj) -> tuple[set[str], set[int]]:
        me = (obj["metadata"].get("namespace"), obj["metadata"].get("name"))
        ips: set[str] = set()
        ports: set[int] = set()
        for svc in store.cache.items(None):
            meta = svc["metadata"]
            if (meta.get("namespace"), meta.get("name")) == me:
                continue
            spec = svc.get("spec") or {}
            ips.update(spec.get("clusterIPs") or [spec.get("clusterIP", "")])
            ports.update(p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort"))
        return ips, ports

    def _next_ip(self, used: set[str]) -> str:
        # .1 belongs to the "kubernetes" service, as upstream reserves the first address for it.
        for offset, host in enumerate(self.network.hosts()):
            if offset == 0:
                continue
            text = str(host)
            if text not in used:
                return text
        raise errors.internal("failed to allocate a serviceIP: range is full")

    def _check_ip(self, ip: str, used: set[str], obj: Obj) -> None:
        name = obj["metadata"].get("name", "")
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return  # validation reports the malformed address
        if addr not in self.network:
            raise errors.invalid("Service", "", name, [errors.invalid_value(
                "spec.clusterIPs", [ip], f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid "
                f"range. The range of valid IPs is {self.network}")])
        if ip in used:
            raise errors.invalid("Service", "", name, [errors.invalid_value(
                "spec.clusterIPs", [ip], f"failed to allocate IP {ip}: provided IP is already allocated")])

    @staticmethod
    def _next_port(used: set[int]) -> int:
        for port in range(30000, 32768):
            if port not in used:
                return port
        raise errors.internal("failed to allocate a nodePort: range is full")
