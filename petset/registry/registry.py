"""The registry: one ResourceStore per stored resource, reached through any served version."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from petset.api import defaults as api_defaults
from petset.api import errors
from petset.api.resources import RESOURCES, ResourceType, lookup
from petset.registry.admission import NamespaceLifecycle, ServiceAllocator
from petset.registry.rest import ResourceStore, now_rfc3339
from petset.registry.storage_protection import PersistentVolumeClaimResize, storage_object_in_use_protection
from petset.storage.interface import Store

__all__ = ["Registry"]

Obj = dict[str, Any]

#: Namespaces every cluster starts with.
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class Registry:
    def __init__(self, store: Store, *, not_ready_toleration_seconds: int = 300,
                 unreachable_toleration_seconds: int = 300) -> None:
        self.store = store
        self._stores: dict[tuple[str, str], ResourceStore] = {}
        for rt in RESOURCES:
            if rt.storage is None and not rt.legacy:
                self._stores[(rt.group, rt.plural)] = ResourceStore(
                    store, rt.group, rt.plural, namespaced=rt.namespaced, storage_rt=rt)
        pods = self._stores[("", "pods")]
        pods.strategy = dataclasses.replace(pods.strategy, admit=functools.partial(
            api_defaults.admit_pod, not_ready_seconds=not_ready_toleration_seconds,
            unreachable_seconds=unreachable_toleration_seconds))
        namespaces = self._stores[("", "namespaces")]
        lifecycle = NamespaceLifecycle(namespaces)
        for _key, resource_store in self._stores.items():
            if resource_store.namespaced:
                resource_store.admission.append(lifecycle)
        self._stores[("", "services")].admission.append(ServiceAllocator())
        resize = PersistentVolumeClaimResize(self._stores[("storage.k8s.io", "storageclasses")])
        for key in (("", "persistentvolumes"), ("", "persistentvolumeclaims")):
            self._stores[key].admission += [storage_object_in_use_protection, resize]

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
