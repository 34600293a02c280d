"""The ``petset.io/local-path`` provisioner: a directory per claim, as an external provisioner does it.

It plays the part of a CSI external-provisioner (sig-storage-lib-external-provisioner) next to
the binder: it takes claims the binder annotated with its name
(``volume.kubernetes.io/storage-provisioner``), creates ``<data-dir>/volumes/local-path/pvc-<uid>``
and a PersistentVolume ``pvc-<uid>`` pre-bound to the claim (claimRef with the claim's UID), and
the binder completes the binding. Events come from ``petset.io/local-path_<host>``, with the
library's texts: Provisioning, ProvisioningSucceeded, ProvisioningFailed.

The volume is a hostPath directory of type DirectoryOrCreate with the claim's request as its
capacity, recorded but not enforced (see :mod:`.host`). It has no node affinity: every petset
node shares this machine's disk, so a pet rescheduled to another node keeps its data, as the
book's node-failure walk-through needs. Deleting the PersistentVolume object (through the Delete
reclaim policy, or ``kubectl delete pv``) removes the directory first: the PersistentVolume
carries the provisioner's finalizer, as with upstream's HonorPVReclaimPolicy.
"""

from __future__ import annotations

import logging
from typing import Any

from petset.api import volumepaths
from petset.api.errors import StatusError
from petset.api.quantity import canonical_quantity
from petset.api.volumepaths import HostDirectory, Refusal
from petset.client.events import EventRecorder
from petset.client.informer import Informer
from petset.controllers.runner import QueueRunner
from petset.controllers.volumes import helpers
from petset.controllers.volumes.host import VolumeHost
from petset.controllers.volumes.index import NewestCache, VolumeIndex
from petset.controllers.volumes.writes import PVS, StorageWriter

__all__ = ["PROVISIONER", "SERVED_PROVISIONERS", "LocalPathProvisioner"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

PROVISIONER = "petset.io/local-path"

#: The local host-path provisioners of the single-machine clusters the tutorials are written for
#: (the Cassandra tutorial's class "fast" names minikube's): petset serves them too, the same way.
SERVED_PROVISIONERS = frozenset({PROVISIONER, "k8s.io/minikube-hostpath", "rancher.io/local-path",
                                 "docker.io/hostpath", "microk8s.io/hostpath"})


class LocalPathProvisioner:
    def __init__(self, *, writer: StorageWriter, index: VolumeIndex, claims: NewestCache, classes: Informer,
                 host: VolumeHost, recorder: EventRecorder) -> None:
        self.writer = writer
        self.client = writer.client
        self.index = index
        self.claims = claims
        self.classes = classes
        self.host = host
        self.recorder = recorder
        self.claim_runner = QueueRunner("local-path-provisioner", self.sync_claim)
        self.volume_runner = QueueRunner("local-path-deleter", self.sync_volume)

    # triggers

    def wants_claim(self, claim: Obj) -> bool:
        ann = helpers.annotations_of(claim)
        return (ann.get(helpers.ANN_STORAGE_PROVISIONER) in SERVED_PROVISIONERS
                and not (claim.get("spec") or {}).get("volumeName")
                and not claim["metadata"].get("deletionTimestamp"))

    def wants_volume(self, volume: Obj) -> bool:
        return bool(volume["metadata"].get("deletionTimestamp")) and \
            helpers.PROVISIONER_FINALIZER in (volume["metadata"].get("finalizers") or [])

    # provisioning

    async def sync_claim(self, key: str) -> None:
        claim = self.claims.get(key)
        if claim is None or not self.wants_claim(claim):
            return
        class_name = helpers.claim_class(claim)
        storage_class = self.classes.get(None, class_name) if class_name else None
        if storage_class is None or storage_class.get("provisioner") not in SERVED_PROVISIONERS:
            return  # the binder reports a missing class
        ann = helpers.annotations_of(claim)
        if storage_class.get("volumeBindingMode") == "WaitForFirstConsumer" and not ann.get(helpers.ANN_SELECTED_NODE):
            return  # the binder sets the selected node once a consumer is scheduled
        meta = claim["metadata"]
        name = f"pvc-{meta['uid']}"
        if self.index.get(name) is not None:
            return
        self.recorder.event(claim, "Normal", "Provisioning",
                            f'External provisioner is provisioning volume for claim "{meta["namespace"]}/{meta["name"]}"')
        refused = self._unsupported(claim, storage_class["provisioner"])
        if refused is not None:
            self._failed(claim, class_name, refused)
            return
        volume = self._volume(claim, storage_class, name)
        directory = self.host.directory(volume)
        if isinstance(directory, Refusal):
            self._failed(claim, class_name, directory.message)
            return
        try:
            await self.host.ensure(directory)
        except OSError as exc:
            self._failed(claim, class_name, f"cannot create {directory.path}: {exc}")
            raise
        try:
            created = await self.client.create(PVS, None, volume)
        except StatusError as exc:
            if exc.code != 409:
                self._failed(claim, class_name, exc.message)
                raise
        else:
            self.index.observe(created)
        self.recorder.event(claim, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {name}")

    def _failed(self, claim: Obj, class_name: str, why: str) -> None:
        self.recorder.event(claim, "Warning", "ProvisioningFailed",
                            f'failed to provision volume with StorageClass "{class_name}": {why}')

    @staticmethod
    def _unsupported(claim: Obj, provisioner: str) -> str | None:
        spec = claim.get("spec") or {}
        if spec.get("selector") is not None:
            return "claim Selector is not supported"
        if helpers.volume_mode(spec) != helpers.FILESYSTEM:
            return f"{provisioner} provides Filesystem volumes only"
        if spec.get("dataSource") is not None or spec.get("dataSourceRef") is not None:
            return f"{provisioner} cannot populate a volume from a data source"
        return None

    def _volume(self, claim: Obj, storage_class: Obj, name: str) -> Obj:
        meta, spec = claim["metadata"], claim.get("spec") or {}
        request = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        volume_spec: Obj = {
            "capacity": {"storage": canonical_quantity(request)},
            "accessModes": list(spec.get("accessModes") or []),
            "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
            "storageClassName": storage_class["metadata"]["name"],
            "volumeMode": helpers.volume_mode(spec),
            "claimRef": {"kind": "PersistentVolumeClaim", "namespace": meta["namespace"], "name": meta["name"],
                         "uid": meta["uid"], "apiVersion": "v1", "resourceVersion": meta.get("resourceVersion", "")},
            "hostPath": {"path": volumepaths.provisioned_directory(self.host.data_dir.as_posix(), name),
                         "type": "DirectoryOrCreate"},
        }
        if storage_class.get("mountOptions"):
            volume_spec["mountOptions"] = list(storage_class["mountOptions"])
        return {"apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": name,
                             "annotations": {helpers.ANN_DYNAMICALLY_PROVISIONED: storage_class["provisioner"]},
                             "finalizers": [helpers.PROVISIONER_FINALIZER]},
                "spec": volume_spec}

    # deleting

    async def sync_volume(self, name: str) -> None:
        """A provisioned volume being deleted: remove its data (Delete policy), then let it go."""
        volume = self.index.get(name)
        if volume is None or not self.wants_volume(volume):
            return
        if (volume.get("status") or {}).get("phase") == "Bound":
            return  # pv-protection holds it until its claim is gone
        spec = volume.get("spec") or {}
        if spec.get("persistentVolumeReclaimPolicy") == "Delete" and \
                helpers.annotations_of(volume).get(helpers.ANN_DYNAMICALLY_PROVISIONED) in SERVED_PROVISIONERS:
            directory = self.host.directory(volume)
            if isinstance(directory, HostDirectory) and directory.base == str(self.host.local_path_root):
                try:
                    await self.host.remove(directory)
                except OSError as exc:
                    self.recorder.event(volume, "Warning", "VolumeFailedDelete", str(exc))
                    raise
            elif isinstance(directory, Refusal):
                self.recorder.event(volume, "Warning", "VolumeFailedDelete", directory.message)
                return
        meta = volume["metadata"]
        remaining = [f for f in meta.get("finalizers") or [] if f != helpers.PROVISIONER_FINALIZER]
        try:
            await self.client.patch(PVS, None, name, {"metadata": {"finalizers": remaining or None,
                                                                   "resourceVersion": meta["resourceVersion"]}},
                                    patch_type="merge")
        except StatusError as exc:
            if exc.code != 404:
                raise
