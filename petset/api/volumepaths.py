"""Where a PersistentVolume's data lives on this machine, and which paths petset refuses.

petset backs every volume with a directory. The volume controller (binding, recycling, deleting)
and the node agent (bind-mounting into a pod) must agree on that directory and on what is unsafe,
so both ask this module. It is pure: it never touches the filesystem. The one check that needs the
filesystem, symlinks, is split into a pure comparison (:func:`symlink_escape`) whose input, the
resolved path, the caller computes with ``os.path.realpath``::

    found = host_directory(pv["spec"], data_dir, host_root=host_root)
    if isinstance(found, Refusal): ...  # report found.reason / found.message
    escape = symlink_escape(found, os.path.realpath(found.path), os.path.realpath(found.base))
    if escape is not None: ...          # refused as well

Sources petset provides (everything else is stored, never bound, and reported):

* ``hostPath``: the path on this machine (under ``host_root``, ``/`` unless a test moves it).
  Type ``""`` and ``DirectoryOrCreate`` are created if missing, ``Directory`` must exist; the file,
  socket and device types are not directories and are unsupported.
* ``local``: like a hostPath directory, created if missing.
* ``gcePersistentDisk``: the book's GCE disks, emulated as ``<data-dir>/volumes/gce-pd/<pdName>``.
* the ``petset.io/local-path`` provisioner's volumes: hostPath directories
  ``<data-dir>/volumes/local-path/pvc-<claim uid>``.

What "escape" means (each refusal names its rule in the message):

1. a hostPath or local path that is not absolute, or has a ``..`` component (checked on the path
   as written, before any normalisation), or is ``/`` itself;
2. a hostPath or local path that is petset's data directory, lies inside it or contains it (that
   directory holds the cluster's state and keys), except the provisioner's own directories,
   exactly one level below ``<data-dir>/volumes/local-path``;
3. a pdName that is not a single path component (contains ``/``, is ``.`` or ``..``);
4. a path that resolves through a symlink: once the trusted base (the host root, or the data
   directory's volume root) is resolved, every component below it must be a real directory, so
   the resolved path must equal the path as written. A dangling symlink counts too.

The checks are repeated at mount time by the node agent, since a symlink can appear later.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Final

__all__ = [
    "GCE_PD_DIR",
    "LOCAL_PATH_DIR",
    "SUPPORTED_SOURCES",
    "UNSAFE_PATH",
    "UNSUPPORTED_SOURCE",
    "HostDirectory",
    "Refusal",
    "host_directory",
    "provisioned_directory",
    "symlink_escape",
    "volume_source",
]

#: Below the data directory: the provisioner's volumes and the emulated GCE disks.
LOCAL_PATH_DIR: Final = "volumes/local-path"
GCE_PD_DIR: Final = "volumes/gce-pd"

SUPPORTED_SOURCES: Final = ("hostPath", "local", "gcePersistentDisk")

#: Reasons, as they appear in a volume's status.reason, events and claim conditions.
UNSAFE_PATH: Final = "UnsafePath"
UNSUPPORTED_SOURCE: Final = "UnsupportedVolumeSource"

#: Every volume source key of a PersistentVolumeSpec, to name the one a volume uses.
_SOURCE_KEYS: Final = (
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd",
    "quobyte", "cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi",
)

_DIRECTORY_HOST_PATH_TYPES: Final = {"": True, "DirectoryOrCreate": True, "Directory": False}


@dataclass(frozen=True)
class HostDirectory:
    """The directory backing a volume: bind-mount ``path``; it lies below the trusted ``base``."""

    path: str
    base: str
    source: str
    read_only: bool = False
    #: Created when missing (hostPath ``""``/``DirectoryOrCreate``, local, gcePersistentDisk).
    create: bool = True


@dataclass(frozen=True)
class Refusal:
    """Why a volume cannot be used: ``reason`` is CamelCase (UnsafePath, UnsupportedVolumeSource)."""

    reason: str
    message: str


def volume_source(spec: dict[str, Any]) -> str | None:
    """The JSON key of the volume source a PersistentVolumeSpec uses, if any."""
    for key in _SOURCE_KEYS:
        if isinstance(spec.get(key), dict):
            return key
    return None


def provisioned_directory(data_dir: str | PurePath, volume_name: str) -> str:
    """Where the ``petset.io/local-path`` provisioner keeps the volume ``volume_name``."""
    return posixpath.join(str(data_dir), LOCAL_PATH_DIR, volume_name)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _check_host_path(raw: Any, source: str) -> Refusal | str:
    """Rule 1: absolute, no '..', not '/'; returns the normalised path."""
    if not isinstance(raw, str) or not raw:
        return Refusal(UNSAFE_PATH, f"{source} path is empty")
    if "\x00" in raw:
        return Refusal(UNSAFE_PATH, f"{source} path {raw!r} contains a NUL byte")
    if not raw.startswith("/"):
        return Refusal(UNSAFE_PATH, f'{source} path "{raw}" is not absolute')
    if ".." in raw.split("/"):
        return Refusal(UNSAFE_PATH, f'{source} path "{raw}" has a ".." component')
    normal = posixpath.normpath(raw)
    if normal.startswith("//"):
        normal = "/" + normal.lstrip("/")
    if normal == "/":
        return Refusal(UNSAFE_PATH, f'{source} path "{raw}" is the host\'s root directory')
    return normal


def _check_data_dir(path: str, raw: str, source: str, data_dir: str) -> Refusal | None:
    """Rule 2: keep pods out of petset's own state."""
    if _within(path, data_dir) or _within(data_dir, path):
        return Refusal(UNSAFE_PATH, f'{source} path "{raw}" overlaps petset\'s data directory {data_dir}, '
                                    "which holds the cluster's state and keys")
    return None


def host_directory(spec: dict[str, Any], data_dir: str | PurePath, *,
                   host_root: str | PurePath = "/") -> HostDirectory | Refusal:
    """The directory backing a PersistentVolume (its spec), or why petset refuses it.

    ``data_dir`` is petset's data directory; ``host_root`` is where hostPath and local paths are
    rooted (``/`` in a real cluster; tests point it at a temporary directory). Pass both as the
    node agent and the controller are configured, ideally already resolved (``realpath``).
    """
    data = posixpath.normpath(str(data_dir))
    root = posixpath.normpath(str(host_root))
    source = volume_source(spec)
    if source is None:
        return Refusal(UNSUPPORTED_SOURCE, "the volume has no volume source")
    body: dict[str, Any] = spec[source]
    if source in ("hostPath", "local"):
        if source == "hostPath":
            kind = body.get("type") or ""
            if kind not in _DIRECTORY_HOST_PATH_TYPES:
                return Refusal(UNSUPPORTED_SOURCE, f'hostPath type "{kind}" is not supported: petset volumes are '
                                                   "directories (use DirectoryOrCreate or Directory)")
            create = _DIRECTORY_HOST_PATH_TYPES[kind]
        else:
            create = True
        checked = _check_host_path(body.get("path"), source)
        if isinstance(checked, Refusal):
            return checked
        local_path_root = posixpath.join(data, LOCAL_PATH_DIR)
        if source == "hostPath" and posixpath.dirname(checked) == local_path_root:
            # The provisioner's own volumes name real paths, wherever hostPaths are rooted.
            return HostDirectory(path=checked, base=local_path_root, source=source, create=create)
        path = checked if root == "/" else posixpath.join(root, checked.lstrip("/"))
        refused = _check_data_dir(path, str(body.get("path")), source, data)
        if refused is not None:
            return refused
        return HostDirectory(path=path, base=root, source=source, create=create)
    if source == "gcePersistentDisk":
        name = body.get("pdName")
        if not isinstance(name, str) or not name or "/" in name or "\x00" in name or name in (".", ".."):
            return Refusal(UNSAFE_PATH, f"gcePersistentDisk pdName {name!r} is not a single path component")
        base = posixpath.join(data, GCE_PD_DIR)
        return HostDirectory(path=posixpath.join(base, name), base=base, source=source,
                             read_only=body.get("readOnly") is True, create=True)
    return Refusal(UNSUPPORTED_SOURCE, f"petset cannot provide {source} volumes: only hostPath, local and "
                                       "gcePersistentDisk (emulated as a directory) are supported")


def symlink_escape(directory: HostDirectory, resolved_path: str, resolved_base: str) -> Refusal | None:
    """Rule 4: the path must resolve to itself below its (resolved) base; else it goes through a symlink.

    ``resolved_path`` and ``resolved_base`` are ``os.path.realpath`` of ``directory.path`` and
    ``directory.base``, computed by the caller (this module does no I/O).
    """
    relative = posixpath.relpath(directory.path, directory.base)
    expected = posixpath.normpath(posixpath.join(resolved_base, relative))
    if posixpath.normpath(resolved_path) == expected:
        return None
    return Refusal(UNSAFE_PATH, f'{directory.source} path "{directory.path}" resolves through a symlink '
                                f'(to "{resolved_path}")')
