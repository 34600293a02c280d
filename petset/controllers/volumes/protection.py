"""pvc-protection and pv-protection: a claim in use, or a bound volume, is not removed yet.

The admission plugin (:mod:`petset.registry.storage_protection`) puts the finalizers on at
creation; these controllers take them off once it is safe, as upstream's pvc-protection and
pv-protection controllers do:

* a claim being deleted keeps ``kubernetes.io/pvc-protection`` while a *scheduled* pod (one with
  ``spec.nodeName``) uses it; an unscheduled pod does not hold it (the node agent refuses to start
  a pod whose claim is being deleted). The cache's answer "unused" is confirmed with a live list
  of the namespace's pods before the finalizer goes, so a pod the cache has not seen yet counts;
* a volume being deleted keeps ``kubernetes.io/pv-protection`` while it is Bound.
"""

from __future__ import annotations

from typing import Any

from petset.api.errors import StatusError
from petset.api.resources import ResourceType, lookup
from petset.client.informer import Informer
from petset.client.interface import Client
from petset.controllers.runner import QueueRunner
from petset.controllers.volumes import helpers
from petset.controllers.volumes.index import ClaimUsers
from petset.controllers.volumes.writes import PVCS, PVS

__all__ = ["ClaimProtection", "VolumeProtection"]

Obj = dict[str, Any]

_PODS = lookup("", "v1", "pods")


async def _drop_finalizer(client: Client, rt: ResourceType, obj: Obj, finalizer: str) -> None:
    meta = obj["metadata"]
    remaining = [f for f in meta.get("finalizers") or [] if f != finalizer]
    body = {"metadata": {"finalizers": remaining or None, "resourceVersion": meta["resourceVersion"]}}
    try:
        await client.patch(rt, meta.get("namespace"), meta["name"], body, patch_type="merge")
    except StatusError as exc:
        if exc.code != 404:
            raise


class ClaimProtection:
    def __init__(self, client: Client, claims: Informer, users: ClaimUsers) -> None:
        self.client = client
        self.claims = claims
        self.users = users
        self.runner = QueueRunner("pvc-protection", self.sync)

    @staticmethod
    def wants(claim: Obj) -> bool:
        meta = claim["metadata"]
        return bool(meta.get("deletionTimestamp")) and helpers.PVC_PROTECTION_FINALIZER in (meta.get("finalizers") or [])

    async def sync(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        claim = self.claims.get(namespace, name)
        if claim is None or not self.wants(claim):
            return
        if self.users.scheduled(key):
            return  # the pod index wakes this claim when its pods change
        assert _PODS is not None
        pods = await self.client.list(_PODS, namespace)
        for pod in pods["items"]:
            if (pod.get("spec") or {}).get("nodeName") and name in helpers.claim_names_of_pod(pod):
                self.users.observe(pod)
                return
        await _drop_finalizer(self.client, PVCS, claim, helpers.PVC_PROTECTION_FINALIZER)


class VolumeProtection:
    def __init__(self, client: Client, volumes: Informer) -> None:
        self.client = client
        self.volumes = volumes
        self.runner = QueueRunner("pv-protection", self.sync)

    @staticmethod
    def wants(volume: Obj) -> bool:
        meta = volume["metadata"]
        return bool(meta.get("deletionTimestamp")) and helpers.PV_PROTECTION_FINALIZER in (meta.get("finalizers") or [])

    async def sync(self, name: str) -> None:
        volume = self.volumes.get(None, name)
        if volume is None or not self.wants(volume):
            return
        if (volume.get("status") or {}).get("phase") == "Bound":
            return
        await _drop_finalizer(self.client, PVS, volume, helpers.PV_PROTECTION_FINALIZER)
