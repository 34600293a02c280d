"""Stable storage: PersistentVolume/PersistentVolumeClaim binding, a local-directory provisioner,
reclaim policies, protection finalizers and expansion. See docs/storage.md."""

from petset.controllers.volumes.controller import DEFAULT_STORAGE_CLASS, VolumeController

__all__ = ["DEFAULT_STORAGE_CLASS", "VolumeController"]
