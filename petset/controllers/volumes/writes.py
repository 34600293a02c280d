"""Every write the volume controllers make to volumes and claims, remembered as soon as it is made.

Each write returns the server's new version, which goes straight into the controller's caches
(:class:`~petset.controllers.volumes.index.NewestCache`, the volume index), so the next decision
sees it even if the watch has not delivered it yet. A write whose result would equal the current
object is not sent at all: the controllers re-sync often and must stay quiet when nothing changed.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from petset.api.resources import ResourceType, lookup
from petset.client.interface import Client
from petset.controllers.volumes import helpers
from petset.controllers.volumes.index import NewestCache, VolumeIndex

__all__ = ["PVCS", "PVS", "UNUSABLE_CONDITION", "StorageWriter", "now"]

Obj = dict[str, Any]


def _rt(plural: str) -> ResourceType:
    found = lookup("", "v1", plural)
    assert found is not None
    return found


PVS = _rt("persistentvolumes")
PVCS = _rt("persistentvolumeclaims")

#: petset's claim condition naming a volume it refuses (an unsafe path, an unsupported source).
UNUSABLE_CONDITION = "VolumeUnusable"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StorageWriter:
    def __init__(self, client: Client, volumes: VolumeIndex, claims: NewestCache) -> None:
        self.client = client
        self.volumes = volumes
        self.claims = claims

    # volumes

    async def update_volume(self, volume: Obj) -> Obj:
        updated = await self.client.update(PVS, None, volume)
        self.volumes.observe(updated)
        return updated

    async def update_volume_phase(self, volume: Obj, phase: str, message: str = "", reason: str = "") -> Obj:
        """``updateVolumePhase``: phase, message and reason, with lastPhaseTransitionTime on a change."""
        status = volume.get("status") or {}
        if (status.get("phase") == phase and (status.get("message") or "") == message
                and (status.get("reason") or "") == reason):
            return volume
        new_status = {k: v for k, v in status.items() if k not in ("message", "reason")}
        new_status["phase"] = phase
        if message:
            new_status["message"] = message
        if reason:
            new_status["reason"] = reason
        if status.get("phase") != phase:
            new_status["lastPhaseTransitionTime"] = now()
        body = {**volume, "status": new_status}
        updated = await self.client.update(PVS, None, body, subresource="status")
        self.volumes.observe(updated)
        return updated

    async def bind_volume_to_claim(self, volume: Obj, claim: Obj) -> tuple[Obj, bool]:
        """``bindVolumeToClaim``: claimRef to the claim (with its UID); whether anything changed."""
        meta = claim["metadata"]
        ref = (volume.get("spec") or {}).get("claimRef") or {}
        body = copy.deepcopy(volume)
        dirty = False
        if (ref.get("name"), ref.get("namespace"), ref.get("uid")) != (meta["name"], meta["namespace"], meta["uid"]):
            body["spec"]["claimRef"] = {"kind": "PersistentVolumeClaim", "namespace": meta["namespace"],
                                        "name": meta["name"], "uid": meta["uid"], "apiVersion": "v1",
                                        "resourceVersion": meta.get("resourceVersion", "")}
            dirty = True
        if not helpers.is_volume_bound_to_claim(volume, claim) and \
                helpers.ANN_BOUND_BY_CONTROLLER not in helpers.annotations_of(volume):
            body["metadata"].setdefault("annotations", {})[helpers.ANN_BOUND_BY_CONTROLLER] = "yes"
            dirty = True
        if not dirty:
            return volume, False
        return await self.update_volume(body), True

    async def unbind_volume(self, volume: Obj) -> Obj:
        """``unbindVolume``: forget a controller-made binding; a user's pre-binding only loses its UID."""
        body = copy.deepcopy(volume)
        ann = body["metadata"].get("annotations") or {}
        if helpers.ANN_BOUND_BY_CONTROLLER in ann:
            body["spec"].pop("claimRef", None)
            del ann[helpers.ANN_BOUND_BY_CONTROLLER]
            if not ann:
                body["metadata"].pop("annotations")
        elif isinstance(body["spec"].get("claimRef"), dict):
            body["spec"]["claimRef"].pop("uid", None)
        updated = await self.update_volume(body)
        return await self.update_volume_phase(updated, "Available")

    # claims

    async def update_claim(self, claim: Obj) -> Obj:
        meta = claim["metadata"]
        updated = await self.client.update(PVCS, meta["namespace"], claim)
        self.claims.assume(updated)
        return updated

    async def bind_claim_to_volume(self, claim: Obj, volume: Obj) -> Obj:
        """``bindClaimToVolume``: volumeName, bind-completed, and bound-by-controller if we chose."""
        body = copy.deepcopy(claim)
        ann = body["metadata"].setdefault("annotations", {})
        dirty = False
        if (body.get("spec") or {}).get("volumeName") != volume["metadata"]["name"]:
            body["spec"]["volumeName"] = volume["metadata"]["name"]
            ann[helpers.ANN_BOUND_BY_CONTROLLER] = "yes"
            dirty = True
        if helpers.ANN_BIND_COMPLETED not in ann:
            ann[helpers.ANN_BIND_COMPLETED] = "yes"
            dirty = True
        if not dirty:
            return claim
        return await self.update_claim(body)

    async def update_claim_status(self, claim: Obj, phase: str, volume: Obj | None, *,
                                  unusable: tuple[str, str, str] | None = None) -> Obj:
        """``updateClaimStatus``: phase, and the volume's access modes and capacity once bound.

        ``unusable`` (volume, reason, message) sets petset's VolumeUnusable condition; binding
        clears it.
        """
        status = claim.get("status") or {}
        new = dict(status)
        new["phase"] = phase
        if volume is None:
            new.pop("accessModes", None)
            new.pop("capacity", None)
        else:
            spec = volume.get("spec") or {}
            if status.get("accessModes") != spec.get("accessModes"):
                new["accessModes"] = list(spec.get("accessModes") or [])
            if helpers.volume_capacity(volume) != helpers.claim_capacity(claim) or "capacity" not in status:
                new["capacity"] = dict(spec.get("capacity") or {})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != UNUSABLE_CONDITION]
        if unusable is not None:
            name, reason, message = unusable
            previous: Obj = next((c for c in status.get("conditions") or [] if c.get("type") == UNUSABLE_CONDITION), {})
            text = f'volume "{name}" cannot be used: {message}'
            conditions.append({"type": UNUSABLE_CONDITION, "status": "True", "reason": reason, "message": text,
                               "lastTransitionTime": previous.get("lastTransitionTime") or now()})
        if conditions:
            new["conditions"] = conditions
        else:
            new.pop("conditions", None)
        if new == status:
            return claim
        updated = await self.client.update(PVCS, claim["metadata"]["namespace"], {**claim, "status": new},
                                           subresource="status")
        self.claims.assume(updated)
        return updated
