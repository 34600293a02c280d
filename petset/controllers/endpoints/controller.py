"""The endpoints controllers: EndpointSlices and Endpoints for every Service with a selector.

Upstream runs two controllers, the EndpointSlice controller and the (legacy) Endpoints
controller; here one object runs both, each with its own queue and workers, fed by the same
informers: Services, pods, and the objects they write. A pod event enqueues the Services whose
selectors match the pod (before and after the change); each sync compares the desired objects,
computed by the pure functions in ``slices`` and ``subsets``, with the cached ones and writes
only the difference. Nothing is polled, so a pod becoming Ready reaches the slices (and the
cluster DNS) within milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from petset.api import labels
from petset.api.errors import StatusError
from petset.client.informer import InformerFactory
from petset.client.interface import Client, resource
from petset.controllers.endpoints.pods import is_pod_ready, pod_ips, service_selector
from petset.controllers.endpoints.slices import (
    CONTROLLER_NAME,
    MANAGED_BY_LABEL,
    SERVICE_NAME_LABEL,
    is_managed,
    reconcile,
)
from petset.controllers.endpoints.subsets import endpoints_labels, endpoints_subsets
from petset.controllers.endpoints.tracker import WriteTracker
from petset.controllers.runner import QueueRunner

__all__ = ["EndpointsController"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

#: How long a sync that found its cache behind its own writes waits at most before looking again
#: (the watch event that ends the wait usually enqueues it much sooner).
STALE_RETRY = 0.5




SERVICES = resource("v1", "services")
PODS = resource("v1", "pods")
ENDPOINTS = resource("v1", "endpoints")
ENDPOINT_SLICES = resource("discovery.k8s.io/v1", "endpointslices")


def _key(obj: Mapping[str, Any]) -> str:
    meta = obj["metadata"]
    return f"{meta.get('namespace', '')}/{meta['name']}"


def _endpoint_relevant(pod: Mapping[str, Any]) -> tuple[Any, ...]:
    """The parts of a pod its endpoints depend on; an update changing none of them is ignored."""
    spec = pod.get("spec") or {}
    meta = pod["metadata"]
    ports = [c.get("ports") for c in spec.get("containers") or ()]
    ports += [c.get("ports") for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    return (meta.get("labels"), meta.get("deletionTimestamp"), meta.get("uid"), pod_ips(pod), is_pod_ready(pod),
            (pod.get("status") or {}).get("phase"), spec.get("hostname"), spec.get("subdomain"),
            spec.get("nodeName"), ports)


class EndpointsController:
    def __init__(self, client: Client, informers: InformerFactory, *, workers: int = 5) -> None:
        self.client = client
        self.services = informers.get(SERVICES)
        self.pods = informers.get(PODS)
        self.endpoint_slices = informers.get(ENDPOINT_SLICES)
        self.endpoints = informers.get(ENDPOINTS)
        self.slice_runner = QueueRunner("endpointslice-controller", self._sync_slices, workers=workers)
        self.endpoints_runner = QueueRunner("endpoint-controller", self._sync_endpoints, workers=workers)
        self._slice_writes = WriteTracker()
        self._endpoints_writes = WriteTracker()
        self._selectors: dict[str, tuple[str, labels.Selector | None]] = {}
        self._start_task: asyncio.Task[None] | None = None

        self.services.add_handlers(on_add=self._service_changed, on_update=lambda _, new: self._service_changed(new),
                                   on_delete=self._service_changed)
        self.pods.add_handlers(on_add=self._pod_added, on_update=self._pod_updated, on_delete=self._pod_added)
        self.endpoint_slices.add_handlers(on_add=self._slice_changed,
                                          on_update=lambda _, new: self._slice_changed(new),
                                          on_delete=self._slice_deleted)
        self.endpoints.add_handlers(on_add=self._endpoints_changed,
                                    on_update=lambda _, new: self._endpoints_changed(new),
                                    on_delete=self._endpoints_deleted)

    # lifecycle

    def start(self) -> None:
        if self._start_task is None:
            self._start_task = asyncio.create_task(self._run(), name="endpoints-controller-start")

    async def _run(self) -> None:
        informers = (self.services, self.pods, self.endpoint_slices, self.endpoints)
        for informer in informers:
            informer.start()  # a no-op when the factory has started it already
        # Deciding from a half-filled cache would briefly empty every Service's endpoints.
        await asyncio.gather(*(i.wait_synced() for i in informers))
        for service in self.services.list():
            self._service_changed(service)
        self.slice_runner.start()
        self.endpoints_runner.start()

    async def stop(self) -> None:
        if self._start_task is not None:
            self._start_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._start_task
            self._start_task = None
        await self.slice_runner.stop()
        await self.endpoints_runner.stop()

    # event handlers

    def _enqueue(self, key: str) -> None:
        self.slice_runner.queue.add(key)
        self.endpoints_runner.queue.add(key)

    def _service_changed(self, service: Obj) -> None:
        self._enqueue(_key(service))

    def _selector(self, service: Obj) -> labels.Selector | None:
        key = _key(service)
        revision = service["metadata"].get("resourceVersion", "")
        cached = self._selectors.get(key)
        if cached is None or cached[0] != revision:
            cached = (revision, service_selector(service))
            self._selectors[key] = cached
        return cached[1]

    def _services_for(self, pod: Obj) -> set[str]:
        namespace = pod["metadata"].get("namespace", "")
        pod_labels = pod["metadata"].get("labels") or {}
        keys = set()
        for service in self.services.list(namespace):
            selector = self._selector(service)
            if selector is not None and selector.matches(pod_labels):
                keys.add(_key(service))
        return keys

    def _pod_added(self, pod: Obj) -> None:
        for key in self._services_for(pod):
            self._enqueue(key)

    def _pod_updated(self, old: Obj, new: Obj) -> None:
        if _endpoint_relevant(old) == _endpoint_relevant(new):
            return
        keys = self._services_for(new)
        if old["metadata"].get("labels") != new["metadata"].get("labels"):
            keys |= self._services_for(old)
        for key in keys:
            self._enqueue(key)

    def _slice_changed(self, endpoint_slice: Obj) -> None:
        service = (endpoint_slice["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
        if service and is_managed(endpoint_slice):
            self.slice_runner.queue.add(f"{endpoint_slice['metadata'].get('namespace', '')}/{service}")

    def _slice_deleted(self, endpoint_slice: Obj) -> None:
        service = (endpoint_slice["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
        if service:
            key = f"{endpoint_slice['metadata'].get('namespace', '')}/{service}"
            self._slice_writes.observed_deletion(key, endpoint_slice["metadata"]["name"])
        self._slice_changed(endpoint_slice)

    def _endpoints_changed(self, endpoints: Obj) -> None:
        # Only a sync waiting for its own write to show up cares; a deletion is handled below.
        key = _key(endpoints)
        if not self._endpoints_writes.stale(key, [endpoints]):
            self.endpoints_runner.queue.add(key)

    def _endpoints_deleted(self, endpoints: Obj) -> None:
        key = _key(endpoints)
        self._endpoints_writes.observed_deletion(key, endpoints["metadata"]["name"])
        self.endpoints_runner.queue.add(key)

    # EndpointSlices

    def _managed_slices(self, namespace: str, service_name: str) -> list[Obj]:
        selector = labels.Selector((labels.Requirement(SERVICE_NAME_LABEL, "=", (service_name,)),
                                    labels.Requirement(MANAGED_BY_LABEL, "=", (CONTROLLER_NAME,))))
        return self.endpoint_slices.list(namespace, selector)

    async def _sync_slices(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        existing = self._managed_slices(namespace, name)
        if self._slice_writes.stale(key, existing):
            self.slice_runner.queue.add_after(key, STALE_RETRY)
            return
        service = self.services.get(namespace, name)
        selector = self._selector(service) if service is not None else None
        if service is None or selector is None:
            # Upstream leaves the deleted Service's slices to the garbage collector; removing them
            # here gives the same result without depending on it.
            self._selectors.pop(key, None)
            for endpoint_slice in existing:
                await self._delete_slice(key, endpoint_slice)
            return
        pods = self.pods.list(namespace, selector)
        plan = reconcile(service, pods, existing)
        for endpoint_slice in plan.create:
            created = await self.client.create(ENDPOINT_SLICES, namespace, endpoint_slice)
            self._slice_writes.wrote(key, created)
        for endpoint_slice in plan.update:
            updated = await self.client.update(ENDPOINT_SLICES, namespace, endpoint_slice)
            self._slice_writes.wrote(key, updated)
        for endpoint_slice in plan.delete:
            await self._delete_slice(key, endpoint_slice)

    async def _delete_slice(self, key: str, endpoint_slice: Obj) -> None:
        meta = endpoint_slice["metadata"]
        try:
            await self.client.delete(ENDPOINT_SLICES, meta.get("namespace"), meta["name"],
                                     preconditions={"uid": meta.get("uid")} if meta.get("uid") else None)
        except StatusError as exc:
            if exc.code not in (404, 409):
                raise
        self._slice_writes.deleted(key, meta["name"])

    # Endpoints

    async def _sync_endpoints(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        current = self.endpoints.get(namespace, name)
        if self._endpoints_writes.stale(key, [current] if current is not None else []):
            self.endpoints_runner.queue.add_after(key, STALE_RETRY)
            return
        service = self.services.get(namespace, name)
        if service is None:
            if current is not None:
                try:
                    await self.client.delete(ENDPOINTS, namespace, name)
                except StatusError as exc:
                    if exc.code != 404:
                        raise
                self._endpoints_writes.deleted(key, name)
            return
        selector = self._selector(service)
        if selector is None:
            return  # endpoints of a Service without a selector are written by hand
        subsets = endpoints_subsets(service, self.pods.list(namespace, selector))
        want_labels = endpoints_labels(service)
        if current is None:
            body: Obj = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": namespace}}
            if want_labels:
                body["metadata"]["labels"] = want_labels
            if subsets:
                body["subsets"] = subsets
            written = await self.client.create(ENDPOINTS, namespace, body)
        else:
            if (current.get("subsets") or []) == subsets and (current["metadata"].get("labels") or {}) == want_labels:
                return
            body = {**current, "metadata": {**current["metadata"], "labels": want_labels}}
            if not want_labels:
                del body["metadata"]["labels"]
            body.pop("subsets", None)
            if subsets:
                body["subsets"] = subsets
            written = await self.client.update(ENDPOINTS, namespace, body)
        self._endpoints_writes.wrote(key, written)
