"""Volume expansion: a bound claim asks for more, its local-path volume grows.

Upstream splits this between the expand controller (which, for a volume an external driver
handles, only says ``ExternalExpanding`` "waiting for an external controller to expand this PVC")
and the CSI external-resizer (``Resizing``, then ``VolumeResizeSuccessful`` "Resize volume
succeeded"). petset's ``petset.io/local-path`` volumes are directories, so the resize is
bookkeeping: the PersistentVolume's ``spec.capacity`` and the claim's ``status.capacity`` (and
``status.allocatedResources``) take the new size; no filesystem resize is needed, and nothing is
enforced (see :mod:`.host`). Claims of other classes are left to their own resizer; the
PersistentVolumeClaimResize admission plugin refuses growing a claim whose class does not set
``allowVolumeExpansion``.

Beyond upstream (KEP-661's wish, kubernetes/kubernetes#68737): raising ``resources.requests.storage``
in a StatefulSet's ``volumeClaimTemplates`` raises it on the set's existing claims
``<template>-<set>-<ordinal>``, which then expand as above. Only raises are propagated, never a
shrink; a claim that is not bound yet is raised once it is; a claim whose class cannot expand is
left alone, with a FailedUpdate event on the StatefulSet.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

from petset.api.errors import StatusError
from petset.api.quantity import canonical_quantity, parse_quantity
from petset.client.events import EventRecorder
from petset.client.informer import Informer
from petset.controllers.runner import QueueRunner
from petset.controllers.volumes import helpers
from petset.controllers.volumes.index import NewestCache, VolumeIndex
from petset.controllers.volumes.writes import PVCS, StorageWriter

__all__ = ["ClaimTemplateExpansion", "VolumeExpander"]

Obj = dict[str, Any]


def _wants_more(claim: Obj) -> bool:
    """A bound claim whose request is above its capacity."""
    status = claim.get("status") or {}
    return status.get("phase") == "Bound" and "capacity" in status and \
        helpers.claim_request(claim) > helpers.claim_capacity(claim)


class VolumeExpander:
    def __init__(self, *, writer: StorageWriter, index: VolumeIndex, claims: NewestCache, classes: Informer,
                 provisioners: frozenset[str], expand_recorder: EventRecorder, resizer_recorder: EventRecorder) -> None:
        self.writer = writer
        self.index = index
        self.claims = claims
        self.classes = classes
        self.provisioners = provisioners
        self.expand_recorder = expand_recorder
        self.resizer_recorder = resizer_recorder
        self.runner = QueueRunner("volume-expand", self.sync)

    @staticmethod
    def wants(claim: Obj) -> bool:
        return _wants_more(claim)

    async def sync(self, key: str) -> None:
        claim = self.claims.get(key)
        if claim is None or not _wants_more(claim):
            return
        volume = self.index.get(str((claim.get("spec") or {}).get("volumeName") or ""))
        if volume is None:
            return
        storage_class = self.classes.get(None, helpers.claim_class(claim)) if helpers.claim_class(claim) else None
        external = storage_class is not None and storage_class.get("provisioner") not in self.provisioners
        self.expand_recorder.event(claim, "Warning" if storage_class is None else "Normal", "ExternalExpanding",
                                   "waiting for an external controller to expand this PVC")
        if storage_class is None or external or storage_class.get("allowVolumeExpansion") is not True:
            return
        request = claim["spec"]["resources"]["requests"]["storage"]
        size = canonical_quantity(request)
        self.resizer_recorder.event(claim, "Normal", "Resizing",
                                    f"External resizer is resizing volume {volume['metadata']['name']}")
        if helpers.volume_capacity(volume) < helpers.claim_request(claim):
            body = copy.deepcopy(volume)
            body["spec"]["capacity"] = {**(body["spec"].get("capacity") or {}), "storage": size}
            volume = await self.writer.update_volume(body)
        updated = await self._record_size(claim, size)
        self.resizer_recorder.event(updated, "Normal", "VolumeResizeSuccessful", "Resize volume succeeded")


    async def _record_size(self, claim: Obj, size: str) -> Obj:
        """The claim's new capacity; re-read on a conflict (the binder may copy the volume's size first)."""
        meta = claim["metadata"]
        for attempt in range(5):
            status = copy.deepcopy(claim.get("status") or {})
            status["capacity"] = {**(status.get("capacity") or {}), "storage": size}
            status["allocatedResources"] = {**(status.get("allocatedResources") or {}), "storage": size}
            status.pop("allocatedResourceStatuses", None)
            conditions = [c for c in status.pop("conditions", None) or []
                          if c.get("type") not in ("Resizing", "FileSystemResizePending")]
            if conditions:
                status["conditions"] = conditions
            try:
                updated = await self.writer.client.update(PVCS, meta["namespace"], {**claim, "status": status},
                                                          subresource="status")
            except StatusError as exc:
                if exc.code != 409 or attempt == 4:
                    raise
                claim = await self.writer.client.get(PVCS, meta["namespace"], meta["name"])
                continue
            self.claims.assume(updated)
            return updated
        raise AssertionError("unreachable")


class ClaimTemplateExpansion:
    """Propagates raised storage requests of a StatefulSet's claim templates to its existing claims."""

    def __init__(self, *, writer: StorageWriter, sets: Informer, claims: Informer, classes: Informer,
                 recorder: EventRecorder) -> None:
        self.writer = writer
        self.sets = sets
        self.claims = claims
        self.classes = classes
        self.recorder = recorder
        self.runner = QueueRunner("statefulset-claim-expansion", self.sync)

    def sets_for_claim(self, claim: Obj) -> list[str]:
        """Keys of the StatefulSets in the claim's namespace whose templates could have made it."""
        meta = claim["metadata"]
        keys = []
        for statefulset in self.sets.list(meta["namespace"]):
            set_name = statefulset["metadata"]["name"]
            for template in (statefulset.get("spec") or {}).get("volumeClaimTemplates") or []:
                prefix = f"{(template.get('metadata') or {}).get('name', '')}-{set_name}-"
                if meta["name"].startswith(prefix):
                    keys.append(f"{meta['namespace']}/{set_name}")
                    break
        return keys

    async def sync(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        statefulset = self.sets.get(namespace, name)
        if statefulset is None or statefulset["metadata"].get("deletionTimestamp"):
            return
        for template in (statefulset.get("spec") or {}).get("volumeClaimTemplates") or []:
            template_name = (template.get("metadata") or {}).get("name", "")
            raw = (((template.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
            if not template_name or raw is None:
                continue
            try:
                wanted = parse_quantity(raw)
            except ValueError:
                continue
            pattern = re.compile(rf"^{re.escape(template_name)}-{re.escape(name)}-(\d+)$")
            for claim in self.claims.list(namespace):
                match = pattern.match(claim["metadata"]["name"])
                if match is not None:
                    await self._raise(statefulset, claim, f"{name}-{match.group(1)}", wanted, raw)

    async def _raise(self, statefulset: Obj, claim: Obj, pod_name: str, wanted: Decimal, raw: Any) -> None:
        if helpers.claim_request(claim) >= wanted or claim["metadata"].get("deletionTimestamp"):
            return
        if (claim.get("status") or {}).get("phase") != "Bound":
            return  # raised once bound (a claim update wakes the set)
        claim_name, set_name = claim["metadata"]["name"], statefulset["metadata"]["name"]
        class_name = helpers.claim_class(claim)
        storage_class = self.classes.get(None, class_name) if class_name else None
        if storage_class is None or storage_class.get("allowVolumeExpansion") is not True:
            self.recorder.event(statefulset, "Warning", "FailedUpdate",
                                f"update Claim {claim_name} Pod {pod_name} in StatefulSet {set_name} failed error: "
                                "only dynamically provisioned pvc can be resized and the storageclass that "
                                "provisions the pvc must support resize")
            return
        body = copy.deepcopy(claim)
        requests = body["spec"].setdefault("resources", {}).setdefault("requests", {})
        requests["storage"] = canonical_quantity(raw)
        try:
            await self.writer.update_claim(body)
        except StatusError as exc:
            if exc.code == 409:
                raise
            self.recorder.event(statefulset, "Warning", "FailedUpdate",
                                f"update Claim {claim_name} Pod {pod_name} in StatefulSet {set_name} failed error: "
                                f"{exc.message}")
            return
        self.recorder.event(statefulset, "Normal", "SuccessfulUpdate",
                            f"update Claim {claim_name} Pod {pod_name} in StatefulSet {set_name} success")
