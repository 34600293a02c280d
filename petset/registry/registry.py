"""The registry: one ResourceStore per stored resource, reached through any served version."""

from __future__ import annotations

from typing import Any

from petset.api import errors
from petset.api.resources import RESOURCES, ResourceType, lookup
from petset.registry.admission import NamespaceLifecycle, ServiceAllocator
from petset.registry.rest import ResourceStore, now_rfc3339
from petset.storage.interface import Store

__all__ = ["Registry"]

Obj = dict[str, Any]

#: Namespaces every cluster starts with.
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class Registry:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._stores: dict[tuple[str, str], ResourceStore] = {}
        for rt in RESOURCES:
            if rt.storage is None and not rt.legacy:
                self._stores[(rt.group, rt.plural)] = ResourceStore(
                    store, rt.group, rt.plural, namespaced=rt.namespaced, storage_rt=rt)
        namespaces = self._stores[("", "namespaces")]
        lifecycle = NamespaceLifecycle(namespaces)
        for _key, resource_store in self._stores.items():
            if resource_store.namespaced:
                resource_store.admission.append(lifecycle)
        self._stores[("", "services")].admission.append(ServiceAllocator())

    async def start(self) -> None:
        for resource_store in self._stores.values():
            await resource_store.start()
        await self._bootstrap()

    async def _bootstrap(self) -> None:
        """Create what every cluster has: the system namespaces."""
        ns_rt = self.resource("", "v1", "namespaces")
        ns_store = self.store_for(ns_rt)
        for name in SYSTEM_NAMESPACES:
            if ns_store.get_cached(None, name) is None:
                await ns_store.create(ns_rt, None, {"apiVersion": "v1", "kind": "Namespace",
                                                    "metadata": {"name": name}})

    def stop(self) -> None:
        for resource_store in self._stores.values():
            resource_store.cache.stop()

    @staticmethod
    def resource(group: str, version: str, plural: str) -> ResourceType:
        rt = lookup(group, version, plural)
        if rt is None:
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        return rt

    def store_for(self, rt: ResourceType) -> ResourceStore:
        return self._stores[rt.storage_key]

    def stores(self) -> list[ResourceStore]:
        return list(self._stores.values())

    def object_count(self) -> int:
        return sum(s.cache.count() for s in self._stores.values())

    @staticmethod
    def timestamp() -> str:
        return now_rfc3339()
