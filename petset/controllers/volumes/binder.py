"""The PersistentVolume binder: claims find volumes, volumes follow their claims (upstream's PV controller).

Two level-triggered loops, as upstream's ``syncClaim`` and ``syncVolume``, each a single worker so
that two claims never race for one volume:

* a claim without a volume gets the best match (see :meth:`VolumeIndex.find_best`), is sent to
  provisioning when it has a class, or waits with upstream's events; a claim that names a volume
  (``spec.volumeName``) is bound to it if the volume satisfies it; a bound claim whose volume
  vanished or went to another claim becomes Lost;
* a volume without a claim is Available; one whose claim is gone is Released and reclaimed
  (Retain, Recycle or Delete: :mod:`.reclaim`); one whose claim went elsewhere is unbound.

A binding is four writes in upstream's order (volume claimRef, volume phase, claim volumeName,
claim phase), so an interrupted binding is finished by the next sync from whichever side.

petset differs from upstream in one deliberate way (docs/storage.md): a claim that asks for no
class at all (``storageClassName`` unset, not ``""``) first looks for a class-less volume, and
only when none fits does it get the default class, at that moment, and go to provisioning.
Upstream's admission plugin stamps the default class at creation, which leaves the book's
class-less volumes unused.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from petset.api.errors import StatusError
from petset.api.volumepaths import HostDirectory
from petset.client.events import EventRecorder
from petset.client.informer import Informer
from petset.controllers.runner import QueueRunner
from petset.controllers.volumes import helpers
from petset.controllers.volumes.host import VolumeHost
from petset.controllers.volumes.index import ClaimUsers, NewestCache, VolumeIndex
from petset.controllers.volumes.reclaim import Reclaimer
from petset.controllers.volumes.writes import PVCS, PVS, StorageWriter

__all__ = ["Binder"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

NORMAL, WARNING = "Normal", "Warning"


class Binder:
    def __init__(self, *, writer: StorageWriter, index: VolumeIndex, claims: NewestCache, classes: Informer,
                 nodes: Informer, users: ClaimUsers, host: VolumeHost, reclaimer: Reclaimer,
                 recorder: EventRecorder) -> None:
        self.writer = writer
        self.client = writer.client
        self.index = index
        self.claims = claims
        self.classes = classes
        self.nodes = nodes
        self.users = users
        self.host = host
        self.reclaimer = reclaimer
        self.recorder = recorder
        #: claims that found no volume, by (class, volume mode): a volume turning Available wakes them
        self._waiting: dict[tuple[str, str], set[str]] = {}
        #: claims naming a volume that does not exist (yet), by that volume's name
        self._awaiting: dict[str, set[str]] = {}
        self.claim_runner = QueueRunner("persistentvolume-binder-claims", self.sync_claim)
        self.volume_runner = QueueRunner("persistentvolume-binder-volumes", self.sync_volume)

    def enqueue_claim(self, key: str) -> None:
        self.claim_runner.queue.add(key)

    def enqueue_volume(self, name: str) -> None:
        self.volume_runner.queue.add(name)

    def volume_seen(self, volume: Obj) -> None:
        """Wake the claims that name this volume and did not find it."""
        for key in sorted(self._awaiting.pop(volume["metadata"]["name"], ())):
            self.enqueue_claim(key)

    def volume_available(self, volume: Obj) -> None:
        """Wake the waiting claims this newly Available volume could serve (upstream waits for a resync)."""
        bucket = (helpers.volume_class(volume), helpers.volume_mode(volume.get("spec") or {}))
        waiting = self._waiting.get(bucket, set())
        for key in sorted(waiting):
            claim = self.claims.get(key)
            if claim is None or (claim.get("spec") or {}).get("volumeName"):
                waiting.discard(key)  # gone, or bound meanwhile
            elif helpers.volume_matches_claim(volume, claim):
                self.enqueue_claim(key)

    def _wait(self, claim: Obj, waiting: bool) -> None:
        key = helpers.claim_key(claim["metadata"]["namespace"], claim["metadata"]["name"])
        bucket = (helpers.claim_class(claim), helpers.volume_mode(claim.get("spec") or {}))
        if waiting:
            self._waiting.setdefault(bucket, set()).add(key)
            return
        for keys in self._waiting.values():
            keys.discard(key)

    def forget_claim(self, key: str) -> None:
        for keys in (*self._waiting.values(), *self._awaiting.values()):
            keys.discard(key)

    # claims

    async def sync_claim(self, key: str) -> None:
        claim = self.claims.get(key)
        if claim is None:
            self.forget_claim(key)
            return
        if helpers.ANN_BIND_COMPLETED in helpers.annotations_of(claim):
            await self._sync_bound_claim(claim)
        else:
            await self._sync_unbound_claim(claim)

    def _storage_class(self, name: str) -> Obj | None:
        return self.classes.get(None, name) if name else None

    def _delay_binding(self, claim: Obj) -> bool:
        """``IsDelayBindingMode``: the claim's class waits for the first consumer."""
        storage_class = self._storage_class(helpers.claim_class(claim))
        return storage_class is not None and storage_class.get("volumeBindingMode") == "WaitForFirstConsumer"

    def _selected_node(self, claim: Obj) -> str | None:
        """The node the scheduler chose (annotation), or where a pod using the claim was scheduled."""
        meta = claim["metadata"]
        chosen = helpers.annotations_of(claim).get(helpers.ANN_SELECTED_NODE)
        return chosen or self.users.selected_node(helpers.claim_key(meta["namespace"], meta["name"]))

    def _find(self, claim: Obj) -> tuple[Obj | None, bool, str | None]:
        delay = self._delay_binding(claim)
        node_name = self._selected_node(claim) if delay else None
        node = None
        if node_name:
            node = self.nodes.get(None, node_name) or {"metadata": {"name": node_name, "labels": {}}}
        return self.index.find_best(claim, delay_binding=delay, node=node), delay, node_name

    async def _sync_unbound_claim(self, claim: Obj) -> None:
        spec = claim.get("spec") or {}
        if spec.get("volumeName"):
            await self._sync_prebound_claim(claim, spec["volumeName"])
            return
        volume, delay, node_name = self._find(claim)
        if volume is None and helpers.claim_class_unset(claim):
            default = helpers.default_class(self.classes.list())
            if default is not None:
                body = copy.deepcopy(claim)
                body["spec"]["storageClassName"] = default["metadata"]["name"]
                claim = await self.writer.update_claim(body)
                volume, delay, node_name = self._find(claim)
        self._wait(claim, volume is None)
        if volume is not None:
            await self._bind(volume, claim)
            return
        unusable = None
        if delay and not node_name:
            self._wait_for_first_consumer(claim)
        elif helpers.claim_class(claim):
            claim = await self._provision(claim, delay, node_name)
        else:
            found = self.index.unusable_match(claim)
            if found is not None:
                name, refusal = found
                unusable = (name, refusal.reason, refusal.message)
                self.recorder.event(claim, WARNING, "FailedBinding",
                                    f'volume "{name}" matches this claim but cannot be used: {refusal.message}')
            else:
                self.recorder.event(claim, NORMAL, "FailedBinding",
                                    "no persistent volumes available for this claim and no storage class is set")
        await self.writer.update_claim_status(claim, "Pending", None, unusable=unusable)

    def _wait_for_first_consumer(self, claim: Obj) -> None:
        """``emitEventForUnboundDelayBindingClaim``."""
        meta = claim["metadata"]
        waiting = self.users.unscheduled(helpers.claim_key(meta["namespace"], meta["name"]))
        if len(waiting) > 1:
            self.recorder.event(claim, NORMAL, "WaitForPodScheduled",
                                f"waiting for pods {','.join(waiting)} to be scheduled")
        elif waiting:
            self.recorder.event(claim, NORMAL, "WaitForPodScheduled", f"waiting for pod {waiting[0]} to be scheduled")
        else:
            self.recorder.event(claim, NORMAL, "WaitForFirstConsumer",
                                "waiting for first consumer to be created before binding")

    async def _provision(self, claim: Obj, delay: bool, node_name: str | None) -> Obj:
        """``provisionClaim`` for an external provisioner: name it on the claim and say so.

        The ``petset.io/local-path`` provisioner (:mod:`.provisioner`) is external in upstream's
        sense: it watches for claims annotated with its name. With delayed binding the claim also
        gets the selected node, as the scheduler would set it.
        """
        class_name = helpers.claim_class(claim)
        storage_class = self._storage_class(class_name)
        if storage_class is None:
            self.recorder.event(claim, WARNING, "ProvisioningFailed",
                                f'storageclass.storage.k8s.io "{class_name}" not found')
            return claim
        provisioner = str(storage_class.get("provisioner") or "")
        if provisioner.startswith("kubernetes.io/"):
            # In-tree plugins (kubernetes.io/no-provisioner included) provision nothing in petset.
            self.recorder.event(claim, WARNING, "ProvisioningFailed",
                                f"no provisionable volume plugin matched name: {provisioner}")
            return claim
        wanted = {helpers.ANN_STORAGE_PROVISIONER: provisioner, helpers.ANN_BETA_STORAGE_PROVISIONER: provisioner}
        current = helpers.annotations_of(claim)
        if delay and node_name and helpers.ANN_SELECTED_NODE not in current:
            wanted[helpers.ANN_SELECTED_NODE] = node_name
        if any(current.get(k) != v for k, v in wanted.items()):
            body = copy.deepcopy(claim)
            body["metadata"].setdefault("annotations", {}).update(wanted)
            claim = await self.writer.update_claim(body)
        self.recorder.event(claim, NORMAL, "ExternalProvisioning",
                            f"Waiting for a volume to be created either by the external provisioner '{provisioner}' "
                            "or manually by the system administrator. If volume creation is delayed, please verify "
                            "that the provisioner is running and correctly registered.")
        return claim

    async def _sync_prebound_claim(self, claim: Obj, volume_name: str) -> None:
        """A claim that names its volume: bind if the volume is free and satisfies it."""
        volume = self.index.get(volume_name)
        if volume is None:
            meta = claim["metadata"]
            self._awaiting.setdefault(volume_name, set()).add(helpers.claim_key(meta["namespace"], meta["name"]))
            await self.writer.update_claim_status(claim, "Pending", None)
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if ref is None:
            refusal = self.index.unusable.get(volume_name)
            mismatch = helpers.check_volume_satisfies_claim(volume, claim)
            if mismatch is not None:
                self.recorder.event(claim, WARNING, "VolumeMismatch",
                                    f'Cannot bind to requested volume "{volume_name}": {mismatch}')
                await self.writer.update_claim_status(claim, "Pending", None)
            elif refusal is not None:
                self.recorder.event(claim, WARNING, "FailedBinding",
                                    f'volume "{volume_name}" cannot be used: {refusal.message}')
                await self.writer.update_claim_status(claim, "Pending", None,
                                                      unusable=(volume_name, refusal.reason, refusal.message))
            else:
                await self._bind(volume, claim)
            return
        if helpers.is_volume_bound_to_claim(volume, claim):
            await self._bind(volume, claim)
            return
        self.recorder.event(claim, WARNING, "FailedBinding", f'volume "{volume_name}" already bound to a different claim.')
        await self.writer.update_claim_status(claim, "Pending", None)

    async def _sync_bound_claim(self, claim: Obj) -> None:
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if not volume_name:
            await self._lose(claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. "
                                                 "Data on the volume is lost!")
            return
        volume = self.index.get(volume_name)
        if volume is None:
            # A lagging cache must never declare data lost: ask the server.
            try:
                volume = await self.client.get(PVS, None, volume_name)
            except StatusError as exc:
                if exc.code != 404:
                    raise
                await self._lose(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. "
                                                     "Data on the volume is lost!")
                return
            self.index.observe(volume)
        ref = (volume.get("spec") or {}).get("claimRef")
        if ref is None or ref.get("uid") == claim["metadata"]["uid"]:
            await self._bind(volume, claim)
            return
        await self._lose(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly")

    async def _lose(self, claim: Obj, reason: str, message: str) -> None:
        if (claim.get("status") or {}).get("phase") != "Lost":
            self.recorder.event(claim, WARNING, reason, message)
        await self.writer.update_claim_status(claim, "Lost", None)

    async def _bind(self, volume: Obj, claim: Obj) -> None:
        """``bind``: volume claimRef, volume phase, claim volumeName, claim phase, in that order."""
        volume, changed = await self.writer.bind_volume_to_claim(volume, claim)
        if changed:
            await self._prepare_directory(volume)
        volume = await self.writer.update_volume_phase(volume, "Bound")
        claim = await self.writer.bind_claim_to_volume(claim, volume)
        await self.writer.update_claim_status(claim, "Bound", volume)

    async def _prepare_directory(self, volume: Obj) -> None:
        """Create a newly bound volume's directory, so it exists before any pod mounts it."""
        directory = self.host.directory(volume)
        if not isinstance(directory, HostDirectory):
            return
        try:
            await self.host.ensure(directory)
        except OSError as exc:
            log.warning("volume %s: cannot create its directory: %s", volume["metadata"]["name"], exc)

    # volumes

    async def sync_volume(self, name: str) -> None:
        volume = self.index.get(name)
        if volume is None:
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if not isinstance(ref, dict):
            await self._sync_free_volume(volume)
            return
        key = helpers.claim_key(str(ref.get("namespace", "")), str(ref.get("name", "")))
        if not ref.get("uid"):
            # Pre-bound by a user to a claim that has not taken it yet.
            await self._sync_free_volume(volume)
            self.enqueue_claim(key)
            return
        claim = self.claims.get(key)
        if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
            claim = None  # a new claim with the old name: the volume's claim is gone
        if claim is None:
            await self._sync_released_volume(volume, key, str(ref.get("uid")))
            return
        claim_volume = (claim.get("spec") or {}).get("volumeName")
        if not claim_volume:
            if helpers.is_volume_bound_to_claim(volume, claim) and \
                    helpers.volume_mode(volume.get("spec") or {}) != helpers.volume_mode(claim.get("spec") or {}):
                self.recorder.event(volume, WARNING, "VolumeMismatch",
                                    f'Cannot bind PersistentVolume to requested PersistentVolumeClaim '
                                    f'"{claim["metadata"]["name"]}" due to incompatible volumeMode.')
                self.recorder.event(claim, WARNING, "VolumeMismatch",
                                    f'Cannot bind PersistentVolume "{name}" to requested PersistentVolumeClaim '
                                    "due to incompatible volumeMode.")
                return
            # Half bound (or provisioned for the claim): the claim's sync finishes it.
            self.enqueue_claim(key)
            return
        if claim_volume == name:
            await self.writer.update_volume_phase(volume, "Bound")
            return
        # The claim went to another volume.
        if helpers.ANN_DYNAMICALLY_PROVISIONED in helpers.annotations_of(volume) and \
                (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete":
            # Provisioned for this claim, which no longer needs it.
            await self.reclaimer.reclaim(volume)
        else:
            await self.writer.unbind_volume(volume)

    async def _sync_free_volume(self, volume: Obj) -> None:
        """An unclaimed volume is Available, unless petset cannot provide it (Failed, with the reason)."""
        name = volume["metadata"]["name"]
        refusal = self.index.unusable.get(name)
        if refusal is None:
            await self.writer.update_volume_phase(volume, "Available")
            return
        status = volume.get("status") or {}
        if status.get("reason") != refusal.reason or status.get("message") != refusal.message:
            self.recorder.event(volume, WARNING, refusal.reason, refusal.message)
        await self.writer.update_volume_phase(volume, "Failed", refusal.message, refusal.reason)

    async def _sync_released_volume(self, volume: Obj, key: str, uid: str) -> None:
        if (volume.get("status") or {}).get("phase") not in ("Released", "Failed"):
            # The claim may be too new for the cache (a provisioned volume's): ask the server.
            namespace, _, claim_name = key.partition("/")
            try:
                live = await self.client.get(PVCS, namespace, claim_name)
            except StatusError as exc:
                if exc.code != 404:
                    raise
                live = None
            if live is not None and live["metadata"].get("uid") == uid:
                self.claims.assume(live)
                self.enqueue_claim(key)
                return
            volume = await self.writer.update_volume_phase(volume, "Released")
        await self.reclaimer.reclaim(volume)
