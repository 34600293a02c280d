"""The namespace controller: empties a terminating namespace, then finalizes it."""

from __future__ import annotations

import logging
from typing import Any

from petset.api.errors import StatusError
from petset.api.resources import RESOURCES, lookup
from petset.client.informer import InformerFactory
from petset.client.interface import Client
from petset.controllers.runner import QueueRunner

__all__ = ["NamespaceController"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)


class NamespaceController:
    def __init__(self, client: Client, informers: InformerFactory) -> None:
        self.client = client
        rt = lookup("", "v1", "namespaces")
        assert rt is not None
        self.rt = rt
        self.informer = informers.get(rt)
        self.runner = QueueRunner("namespace-controller", self._sync)
        self.informer.add_handlers(on_add=self._enqueue, on_update=lambda _, new: self._enqueue(new))

    def _enqueue(self, ns: Obj) -> None:
        if ns["metadata"].get("deletionTimestamp"):
            self.runner.queue.add(ns["metadata"]["name"])

    def start(self) -> None:
        self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()

    async def _sync(self, name: str) -> None:
        ns = self.informer.get(None, name)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return
        remaining = 0
        for rt in RESOURCES:
            if not rt.namespaced or rt.storage is not None or rt.legacy:
                continue
            listed = await self.client.list(rt, name)
            for item in listed["items"]:
                remaining += 1
                if item["metadata"].get("deletionTimestamp"):
                    continue
                try:
                    await self.client.delete(rt, name, item["metadata"]["name"], propagation_policy="Background")
                except StatusError as exc:
                    if exc.code != 404:
                        raise
        if remaining:
            # Pods may take their grace period; look again shortly.
            self.runner.queue.add_after(name, 0.5)
            return
        spec_finalizers = (ns.get("spec") or {}).get("finalizers") or []
        if "kubernetes" in spec_finalizers:
            ns = dict(ns)
            ns["spec"] = {**(ns.get("spec") or {}), "finalizers": [f for f in spec_finalizers if f != "kubernetes"]}
            try:
                await self.client.update(self.rt, None, ns, subresource="finalize")
            except StatusError as exc:
                if exc.code != 404:
                    raise
