"""What happens to a Released volume: its reclaim policy (Retain, Recycle, Delete), with upstream's events.

* Retain: nothing; the volume stays Released, its data kept, until an administrator deletes it or
  removes its claimRef (then it is Available again, data included).
* Recycle (deprecated upstream, still accepted): the directory is emptied (``rm -rf dir/*``) and
  the volume becomes Available. Upstream recycles only hostPath and NFS volumes; petset recycles
  every directory it provides (hostPath, local, the emulated gcePersistentDisk), which is what
  the book's volumes ask for.
* Delete: the PersistentVolume is deleted, and its data:
  - volumes of the ``petset.io/local-path`` provisioner: the provisioner removes the directory
    when the PersistentVolume object goes (its finalizer), as an external provisioner does;
  - gcePersistentDisk: the emulated disk (its directory) is removed, as GCE would delete the disk;
  - hostPath: removed only under ``/tmp/``, the one place upstream's hostPath deleter accepts
    (stricter than upstream's regexp, which matches "/tmp/" anywhere in the path);
  - local: upstream has no deleter; the volume is Failed with VolumeFailedDelete.

A volume whose path petset refuses (see :mod:`petset.api.volumepaths`) is never touched on disk:
recycling or deleting it fails with the reason.
"""

from __future__ import annotations

import logging
import posixpath
from typing import Any

from petset.api.errors import StatusError
from petset.api.volumepaths import HostDirectory, Refusal
from petset.client.events import EventRecorder
from petset.controllers.volumes import helpers
from petset.controllers.volumes.host import VolumeHost
from petset.controllers.volumes.index import ClaimUsers
from petset.controllers.volumes.writes import PVS, StorageWriter

__all__ = ["Reclaimer"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)


class Reclaimer:
    def __init__(self, *, writer: StorageWriter, host: VolumeHost, users: ClaimUsers, recorder: EventRecorder,
                 provisioners: frozenset[str]) -> None:
        self.writer = writer
        self.host = host
        self.users = users
        self.recorder = recorder
        self.provisioners = provisioners

    async def reclaim(self, volume: Obj) -> None:
        """``reclaimVolume``."""
        policy = (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy")
        if policy == "Retain":
            return
        if policy == "Recycle":
            await self.recycle(volume)
        elif policy == "Delete":
            await self.delete(volume)
        else:
            await self._fail(volume, "VolumeUnknownReclaimPolicy", "Volume has unrecognized PersistentVolumeReclaimPolicy")

    async def _fail(self, volume: Obj, reason: str, message: str) -> None:
        if (volume.get("status") or {}).get("message") != message:
            self.recorder.event(volume, "Warning", reason, message)
        await self.writer.update_volume_phase(volume, "Failed", message)

    async def recycle(self, volume: Obj) -> None:
        """``recycleVolumeOperation``: empty the directory, then make the volume Available again."""
        ref = (volume.get("spec") or {}).get("claimRef") or {}
        namespace = str(ref.get("namespace", ""))
        users = self.users.scheduled(helpers.claim_key(namespace, str(ref.get("name", ""))))
        if users:
            # Retried when those pods go (the pod index wakes this volume).
            self.recorder.event(volume, "Normal", "VolumeFailedRecycle",
                                "Volume is used by pods: " + ",".join(f"{namespace}/{p}" for p in users))
            return
        directory = self.host.directory(volume)
        if isinstance(directory, Refusal):
            await self._fail(volume, "VolumeFailedRecycle", f"Recycle failed: {directory.message}")
            return
        try:
            await self.host.empty(directory)
        except OSError as exc:
            await self._fail(volume, "VolumeFailedRecycle", f"Recycle failed: {exc}")
            return
        self.recorder.event(volume, "Normal", "VolumeRecycled", "Volume recycled")
        await self.writer.unbind_volume(volume)

    async def delete(self, volume: Obj) -> None:
        """``deleteVolumeOperation``: the data (where petset may), then the PersistentVolume."""
        name = volume["metadata"]["name"]
        if volume["metadata"].get("deletionTimestamp"):
            return
        provisioned_by = helpers.annotations_of(volume).get(helpers.ANN_DYNAMICALLY_PROVISIONED)
        if provisioned_by in self.provisioners:
            await self._delete_object(volume)
            return
        if provisioned_by:
            # Another external provisioner's volume: deleting it is that provisioner's job.
            return
        directory = self.host.directory(volume)
        if isinstance(directory, Refusal):
            await self._fail(volume, "VolumeFailedDelete", directory.message)
            return
        refused = self._deleter_refuses(name, directory)
        if refused is not None:
            await self._fail(volume, "VolumeFailedDelete", refused)
            return
        try:
            await self.host.remove(directory)
        except OSError as exc:
            await self._fail(volume, "VolumeFailedDelete", str(exc))
            return
        await self._delete_object(volume)

    def _deleter_refuses(self, name: str, directory: HostDirectory) -> str | None:
        if directory.source == "local":
            return f'error getting deleter volume plugin for volume "{name}": no deletable volume plugin matched'
        if directory.source == "hostPath":
            relative = "/" + posixpath.relpath(directory.path, directory.base)
            if not relative.startswith("/tmp/") or relative.rstrip("/") == "/tmp":
                return f"host_path deleter only supports /tmp/.+ but received provided {relative}"
        return None

    async def _delete_object(self, volume: Obj) -> None:
        meta = volume["metadata"]
        try:
            await self.writer.client.delete(PVS, None, meta["name"], preconditions={"uid": meta["uid"]})
        except StatusError as exc:
            if exc.code not in (404, 409):
                raise
