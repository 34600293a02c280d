"""The volume controllers' side effects on this machine's filesystem, behind one small class.

Every path comes from :mod:`petset.api.volumepaths` (the rules the node agent applies too) and is
checked for symlinks right before it is used. Blocking calls run in a thread, so a big recycle or
delete does not stall the event loop.

What is and is not enforced: a volume here is a plain directory, so its capacity is recorded (the
PersistentVolume's ``spec.capacity``, and the claim's ``status.capacity``) but not enforced: a pod
can write past it until the disk is full. No quota (XFS project quotas, loop images) is set up.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

from petset.api import volumepaths
from petset.api.volumepaths import HostDirectory, Refusal

__all__ = ["VolumeHost"]

Obj = dict[str, Any]


class VolumeHost:
    def __init__(self, data_dir: Path, host_root: Path) -> None:
        # The trusted bases are resolved once; everything below them is checked on every use.
        self.data_dir = Path(os.path.realpath(data_dir))
        self.host_root = Path(os.path.realpath(host_root))

    @property
    def local_path_root(self) -> Path:
        return self.data_dir / volumepaths.LOCAL_PATH_DIR

    def directory(self, volume: Obj) -> HostDirectory | Refusal:
        """The volume's directory if petset can provide it safely, else why not."""
        found = volumepaths.host_directory(volume.get("spec") or {}, self.data_dir, host_root=self.host_root)
        if isinstance(found, Refusal):
            return found
        escape = volumepaths.symlink_escape(found, os.path.realpath(found.path), os.path.realpath(found.base))
        if escape is not None:
            return escape
        if not found.create and not os.path.isdir(found.path):
            # The kubelet's words for a hostPath of type Directory that is missing.
            return Refusal("HostPathTypeCheckFailed", f"hostPath type check failed: {found.path} is not a directory")
        return found

    def usability(self, volume: Obj) -> Refusal | None:
        found = self.directory(volume)
        return found if isinstance(found, Refusal) else None

    async def ensure(self, directory: HostDirectory) -> None:
        """Create the directory (and its parents) if missing, writable by any pod's user."""
        if directory.create:
            await asyncio.to_thread(self._ensure, directory.path)

    @staticmethod
    def _ensure(path: str) -> None:
        if not os.path.isdir(path):
            os.makedirs(path, exist_ok=True)
            # Containers run as various users; a new volume is theirs to write (as local-path does).
            os.chmod(path, 0o777)

    async def empty(self, directory: HostDirectory) -> None:
        """Recycle: remove everything inside the directory, keep the directory (``rm -rf dir/*``)."""
        await asyncio.to_thread(self._empty, directory.path)

    @staticmethod
    def _empty(path: str) -> None:
        if not os.path.isdir(path):
            return
        with os.scandir(path) as entries:
            for entry in entries:
                # rmtree never follows symlinks; a symlink itself is just unlinked.
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)

    async def remove(self, directory: HostDirectory) -> None:
        """Delete: remove the directory and everything in it."""
        await asyncio.to_thread(self._remove, directory.path)

    @staticmethod
    def _remove(path: str) -> None:
        if os.path.islink(path):
            raise OSError(f"refusing to remove {path}: it is a symlink")
        if os.path.isdir(path):
            shutil.rmtree(path)
