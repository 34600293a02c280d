"""The volume controller: wiring of the binder, provisioner, reclaimers, protection and expansion.

One object for the controller manager to start and stop, as kube-controller-manager runs the
persistentvolume-binder, persistentvolume-expander, pvc-protection and pv-protection controllers
(and a CSI driver's external provisioner and resizer run beside them). They share the informers
and two indexes (volumes by what claims ask for, pods by claim); each has its own queue.

At start, once the caches are filled, it creates the default StorageClass ``standard`` if there is
none by that name (provisioner ``petset.io/local-path``, Delete, Immediate, expansion allowed).
Every ``resync_period`` (15 s, as ``--pvclaimbinder-sync-period``) every claim and volume is
synced again, which also re-checks volume paths on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from pathlib import Path
from typing import Any

from petset.api.errors import StatusError
from petset.client.events import EventRecorder
from petset.client.informer import InformerFactory, key_of
from petset.client.interface import Client, resource
from petset.controllers.runner import QueueRunner
from petset.controllers.volumes import helpers
from petset.controllers.volumes.binder import Binder
from petset.controllers.volumes.expansion import ClaimTemplateExpansion, VolumeExpander
from petset.controllers.volumes.host import VolumeHost
from petset.controllers.volumes.index import ClaimUsers, NewestCache, VolumeIndex
from petset.controllers.volumes.protection import ClaimProtection, VolumeProtection
from petset.controllers.volumes.provisioner import PROVISIONER, SERVED_PROVISIONERS, LocalPathProvisioner
from petset.controllers.volumes.reclaim import Reclaimer
from petset.controllers.volumes.writes import PVCS, PVS, StorageWriter

__all__ = ["DEFAULT_STORAGE_CLASS", "VolumeController"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)


STORAGE_CLASSES = resource("storage.k8s.io/v1", "storageclasses")
PODS = resource("v1", "pods")
NODES = resource("v1", "nodes")
STATEFULSETS = resource("apps/v1", "statefulsets")

DEFAULT_STORAGE_CLASS: Obj = {
    "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
    "metadata": {"name": "standard", "annotations": {helpers.ANN_DEFAULT_CLASS: "true"}},
    "provisioner": PROVISIONER, "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate",
    "allowVolumeExpansion": True,
}


class VolumeController:
    def __init__(self, client: Client, informers: InformerFactory, recorder: EventRecorder, *, data_dir: Path,
                 host_root: Path = Path("/"), resync_period: float = 15.0) -> None:
        self.client = client
        self.recorder = recorder
        self.resync_period = resync_period
        self.host = VolumeHost(data_dir, host_root)
        host = socket.gethostname()
        self._own_recorders = [
            EventRecorder(client, f"{PROVISIONER}_{host}"),
            EventRecorder(client, "volume_expand"),
            EventRecorder(client, f"external-resizer {PROVISIONER}"),
        ]
        provisioner_events, expand_events, resizer_events = self._own_recorders

        self.claim_informer = informers.get(PVCS)
        self.volume_informer = informers.get(PVS)
        self.class_informer = informers.get(STORAGE_CLASSES)
        self.pod_informer = informers.get(PODS)
        self.node_informer = informers.get(NODES)
        self.set_informer = informers.get(STATEFULSETS)

        self.index = VolumeIndex(self.host.usability)
        self.claims = NewestCache(self.claim_informer)
        self.users = ClaimUsers()
        writer = StorageWriter(client, self.index, self.claims)
        reclaimer = Reclaimer(writer=writer, host=self.host, users=self.users, recorder=recorder,
                              provisioners=SERVED_PROVISIONERS)
        self.binder = Binder(writer=writer, index=self.index, claims=self.claims, classes=self.class_informer,
                             nodes=self.node_informer, users=self.users, host=self.host, reclaimer=reclaimer,
                             recorder=recorder)
        self.provisioner = LocalPathProvisioner(writer=writer, index=self.index, claims=self.claims,
                                                classes=self.class_informer, host=self.host,
                                                recorder=provisioner_events)
        self.claim_protection = ClaimProtection(client, self.claim_informer, self.users)
        self.volume_protection = VolumeProtection(client, self.volume_informer)
        self.expander = VolumeExpander(writer=writer, index=self.index, claims=self.claims,
                                       classes=self.class_informer, provisioners=SERVED_PROVISIONERS,
                                       expand_recorder=expand_events, resizer_recorder=resizer_events)
        self.templates = ClaimTemplateExpansion(writer=writer, sets=self.set_informer, claims=self.claim_informer,
                                                classes=self.class_informer, recorder=recorder)
        self._runners: list[QueueRunner] = [
            self.binder.claim_runner, self.binder.volume_runner, self.provisioner.claim_runner,
            self.provisioner.volume_runner, self.claim_protection.runner, self.volume_protection.runner,
            self.expander.runner, self.templates.runner,
        ]
        self._task: asyncio.Task[None] | None = None
        self._class_ensured = False

        self.claim_informer.add_handlers(on_add=self._claim_changed, on_update=lambda _, new: self._claim_changed(new),
                                         on_delete=self._claim_deleted)
        self.volume_informer.add_handlers(on_add=self._volume_changed,
                                          on_update=lambda _, new: self._volume_changed(new),
                                          on_delete=self._volume_deleted)
        self.class_informer.add_handlers(on_add=self._class_changed, on_update=lambda _, new: self._class_changed(new))
        self.pod_informer.add_handlers(on_add=self.users.observe, on_update=lambda _, new: self.users.observe(new),
                                       on_delete=self.users.forget)
        self.set_informer.add_handlers(on_add=self._set_changed, on_update=lambda _, new: self._set_changed(new))
        self.users.on_change(self._claim_users_changed)

    # event handlers: each decides which loops to wake

    def _claim_changed(self, claim: Obj) -> None:
        key = key_of(claim)
        self.binder.enqueue_claim(key)
        if self.provisioner.wants_claim(claim):
            self.provisioner.claim_runner.queue.add(key)
        if ClaimProtection.wants(claim):
            self.claim_protection.runner.queue.add(key)
        if VolumeExpander.wants(claim):
            self.expander.runner.queue.add(key)
        if (claim.get("status") or {}).get("phase") == "Bound":
            for set_key in self.templates.sets_for_claim(claim):
                self.templates.runner.queue.add(set_key)

    def _claim_deleted(self, claim: Obj) -> None:
        key = key_of(claim)
        self.claims.forget(key)
        self.binder.forget_claim(key)
        for volume in self.index.volumes_for_claim(key):
            self.binder.enqueue_volume(volume["metadata"]["name"])

    def _volume_changed(self, volume: Obj) -> None:
        self.index.observe(volume)
        name = volume["metadata"]["name"]
        self.binder.enqueue_volume(name)
        self.binder.volume_seen(volume)
        if self.index.is_available(name):
            self.binder.volume_available(volume)
        if VolumeProtection.wants(volume):
            self.volume_protection.runner.queue.add(name)
        if self.provisioner.wants_volume(volume):
            self.provisioner.volume_runner.queue.add(name)

    def _volume_deleted(self, volume: Obj) -> None:
        self.index.remove(volume["metadata"]["name"])
        ref = (volume.get("spec") or {}).get("claimRef")
        if isinstance(ref, dict):
            self.binder.enqueue_claim(helpers.claim_key(str(ref.get("namespace", "")), str(ref.get("name", ""))))

    def _class_changed(self, _: Obj) -> None:
        # A new (default) class may serve claims that were waiting.
        for claim in self.claim_informer.list():
            if (claim.get("status") or {}).get("phase") == "Pending":
                self.binder.enqueue_claim(key_of(claim))

    def _claim_users_changed(self, key: str) -> None:
        self.binder.enqueue_claim(key)
        self.claim_protection.runner.queue.add(key)
        for volume in self.index.volumes_for_claim(key):
            self.binder.enqueue_volume(volume["metadata"]["name"])

    def _set_changed(self, statefulset: Obj) -> None:
        if (statefulset.get("spec") or {}).get("volumeClaimTemplates"):
            self.templates.runner.queue.add(key_of(statefulset))

    # lifecycle

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="volume-controller")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for runner in self._runners:
            await runner.stop()
        for recorder in self._own_recorders:
            await recorder.stop()

    async def flush_events(self) -> None:
        """Wait until the controller's own recorders have written their events (tests use this)."""
        for recorder in (self.recorder, *self._own_recorders):
            await recorder.flush()

    async def _run(self) -> None:
        informers = (self.claim_informer, self.volume_informer, self.class_informer, self.pod_informer,
                     self.node_informer, self.set_informer)
        await asyncio.gather(*(i.wait_synced() for i in informers))
        await self._ensure_default_class()
        # Let the class reach the cache first, so no claim is judged without its default class.
        for _ in range(100):
            if self.class_informer.get(None, DEFAULT_STORAGE_CLASS["metadata"]["name"]) is not None:
                break
            await asyncio.sleep(0.01)
        for runner in self._runners:
            runner.start()
        while True:
            await asyncio.sleep(self.resync_period)
            await self._ensure_default_class()
            self.resync()

    def resync(self) -> None:
        """Sync every claim and volume again, re-checking volume paths on disk."""
        for name in self.index.names():
            self.index.recheck(name)
            self.binder.enqueue_volume(name)
        for claim in self.claim_informer.list():
            self._claim_changed(claim)
        for volume in self.volume_informer.list():
            if self.provisioner.wants_volume(volume):
                self.provisioner.volume_runner.queue.add(volume["metadata"]["name"])

    async def _ensure_default_class(self) -> None:
        """Create ``standard`` once, at start, if absent (a later deletion by a user is respected)."""
        if self._class_ensured:
            return
        name = DEFAULT_STORAGE_CLASS["metadata"]["name"]
        try:
            await self.client.get(STORAGE_CLASSES, None, name)
        except StatusError as exc:
            if exc.code != 404:
                log.warning("volume controller: cannot read StorageClass %s: %s", name, exc)
                return
            try:
                await self.client.create(STORAGE_CLASSES, None, DEFAULT_STORAGE_CLASS)
            except StatusError as create_exc:
                if create_exc.code != 409:
                    log.warning("volume controller: cannot create StorageClass %s: %s", name, create_exc)
                    return
        self._class_ensured = True
