"""Volumes of a pod, made real as host directories the runtime mounts into its containers.

emptyDir, hostPath, configMap, secret, downwardAPI, projected and persistentVolumeClaim sources are
supported; any other source leaves the pod waiting with a FailedMount event naming it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from petset.api import volumepaths

__all__ = ["VolumeError", "VolumeSources", "prepare_volumes", "remove_pod_volumes"]

Obj = dict[str, Any]


class VolumeError(Exception):
    """A volume is not ready (yet): the pod waits, with this message in a FailedMount event."""


class VolumeSources(Protocol):
    """Where the kubelet reads the objects volumes are made from (its informer caches)."""

    def configmap(self, namespace: str, name: str) -> Obj | None: ...

    def secret(self, namespace: str, name: str) -> Obj | None: ...

    def claim(self, namespace: str, name: str) -> Obj | None: ...

    def volume(self, name: str) -> Obj | None: ...


@dataclass
class PreparedVolume:
    host_path: str
    read_only: bool = False


def _write_files(target: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Make ``target`` hold exactly ``files`` (relative path -> content, mode), rewriting what changed."""
    target.mkdir(parents=True, exist_ok=True)
    wanted = {os.path.normpath(p) for p in files}
    for relative, (content, mode) in files.items():
        if relative.startswith("/") or ".." in Path(relative).parts:
            raise VolumeError(f"invalid path {relative!r} in volume")
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != content:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(content)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
    for root, _, names in os.walk(target):
        for name in names:
            relative = os.path.relpath(os.path.join(root, name), target)
            if relative not in wanted and not name.startswith("."):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(root, name))


def _key_files(data: dict[str, bytes], items: list[Obj] | None, default_mode: int, what: str,
               optional: bool) -> dict[str, tuple[bytes, int]]:
    if not items:
        return {key: (value, default_mode) for key, value in data.items()}
    files = {}
    for item in items:
        key = item.get("key", "")
        if key not in data:
            if optional:
                continue
            raise VolumeError(f'configmap references non-existent config key: {key}' if what == "configmap"
                              else f'references non-existent secret key: {key}')
        files[str(item.get("path", key))] = (data[key], int(item.get("mode", default_mode)))
    return files


def _configmap_data(obj: Obj) -> dict[str, bytes]:
    data = {k: str(v).encode() for k, v in (obj.get("data") or {}).items()}
    data.update({k: base64.b64decode(v) for k, v in (obj.get("binaryData") or {}).items()})
    return data


def _secret_data(obj: Obj) -> dict[str, bytes]:
    return {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}


def _field(pod: Obj, path: str) -> str:
    meta = pod["metadata"]
    if path.startswith("metadata.labels['") or path.startswith("metadata.annotations['"):
        source = meta.get("labels" if "labels" in path else "annotations") or {}
        return str(source.get(path.split("'")[1], ""))
    if path == "metadata.labels":
        return "\n".join(f'{k}="{v}"' for k, v in sorted((meta.get("labels") or {}).items()))
    if path == "metadata.annotations":
        return "\n".join(f'{k}="{v}"' for k, v in sorted((meta.get("annotations") or {}).items()))
    value: Any = pod
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def _downward_files(pod: Obj, items: list[Obj], default_mode: int) -> dict[str, tuple[bytes, int]]:
    files = {}
    for item in items:
        if "fieldRef" in item:
            text = _field(pod, item["fieldRef"].get("fieldPath", ""))
        elif "resourceFieldRef" in item:
            text = resource_field(pod, item["resourceFieldRef"])
        else:
            continue
        files[item["path"]] = (text.encode(), item.get("mode", default_mode))
    return files


def resource_field(pod: Obj, ref: Obj, container_name: str | None = None) -> str:
    """The downward API's resourceFieldRef: a container's limit or request, or the node's capacity."""
    name = ref.get("containerName") or container_name
    containers = (pod.get("spec") or {}).get("containers") or []
    container = next((c for c in containers if c.get("name") == name), containers[0] if containers else {})
    resource = ref.get("resource", "")
    kind, _, what = resource.partition(".")
    value = ((container.get("resources") or {}).get(kind) or {}).get(what)
    if value is None:
        value = str(os.cpu_count() or 1) if what == "cpu" else str(_memory_bytes())
    from petset.api.quantity import parse_quantity

    divisor = parse_quantity(ref.get("divisor") or "1")
    amount = parse_quantity(value) / (divisor if divisor else 1)
    return str(max(int(-(-amount // 1)), 1) if what == "cpu" else int(-(-amount // 1)))


def _memory_bytes() -> int:
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return 0


def _claim_directory(volume: Obj, pod: Obj, sources: VolumeSources, data_dir: Path) -> PreparedVolume:
    ref = volume["persistentVolumeClaim"]
    namespace = pod["metadata"].get("namespace", "default")
    claim_name = ref.get("claimName", "")
    claim = sources.claim(namespace, claim_name)
    if claim is None:
        raise VolumeError(f'persistentvolumeclaim "{claim_name}" not found')
    if claim["metadata"].get("deletionTimestamp"):
        raise VolumeError(f'persistentvolumeclaim "{claim_name}" is being deleted')
    if (claim.get("status") or {}).get("phase") != "Bound" or not (claim.get("spec") or {}).get("volumeName"):
        raise VolumeError(f'pod has unbound immediate PersistentVolumeClaims: persistentvolumeclaim "{claim_name}" '
                          "is not bound")
    pv_name = claim["spec"]["volumeName"]
    pv = sources.volume(pv_name)
    if pv is None:
        raise VolumeError(f'persistentvolume "{pv_name}" not found')
    found = volumepaths.host_directory(pv.get("spec") or {}, data_dir)
    if isinstance(found, volumepaths.Refusal):
        raise VolumeError(f'volume "{pv_name}": {found.message}')
    # The symlink check runs before a missing directory is made (making it could follow a link out
    # of the allowed tree) and again after, in case a link appeared in between.
    for _ in range(2):
        escape = volumepaths.symlink_escape(found, os.path.realpath(found.path), os.path.realpath(found.base))
        if escape is not None:
            raise VolumeError(f'volume "{pv_name}": {escape.message}')
        if os.path.isdir(found.path):
            break
        if not found.create:
            raise VolumeError(f"hostPath type check failed: {found.path} is not a directory")
        os.makedirs(found.path, exist_ok=True)
    return PreparedVolume(found.path, read_only=bool(ref.get("readOnly")) or found.read_only)


def prepare_volumes(pod: Obj, sources: VolumeSources, pod_dir: Path, data_dir: Path) -> dict[str, PreparedVolume]:
    """Each volume of the pod as a host directory; raises VolumeError for the first that is not ready."""
    prepared: dict[str, PreparedVolume] = {}
    namespace = pod["metadata"].get("namespace", "default")
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        name = volume.get("name", "")
        base = pod_dir / "volumes" / name
        if "emptyDir" in volume:
            base.mkdir(parents=True, exist_ok=True)
            prepared[name] = PreparedVolume(str(base))
        elif "hostPath" in volume:
            source = volume["hostPath"]
            path = source.get("path", "")
            kind = source.get("type") or ""
            if kind == "DirectoryOrCreate" or (kind == "" and not os.path.exists(path)):
                os.makedirs(path, exist_ok=True)
            elif kind == "FileOrCreate" and not os.path.exists(path):
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).touch()
            elif kind == "Directory" and not os.path.isdir(path):
                raise VolumeError(f"hostPath type check failed: {path} is not a directory")
            prepared[name] = PreparedVolume(path)
        elif "configMap" in volume or "secret" in volume:
            kind = "configmap" if "configMap" in volume else "secret"
            ref = volume["configMap" if kind == "configmap" else "secret"]
            object_name = ref.get("name" if kind == "configmap" else "secretName", "")
            found = sources.configmap(namespace, object_name) if kind == "configmap" else sources.secret(
                namespace, object_name)
            if found is None and not ref.get("optional"):
                raise VolumeError(f'{kind} "{object_name}" not found')
            data = {} if found is None else _configmap_data(found) if kind == "configmap" else _secret_data(found)
            _write_files(base, _key_files(data, ref.get("items"), ref.get("defaultMode", 0o644), kind,
                                          bool(ref.get("optional"))) if found is not None else {})
            prepared[name] = PreparedVolume(str(base), read_only=True)
        elif "downwardAPI" in volume:
            ref = volume["downwardAPI"]
            _write_files(base, _downward_files(pod, ref.get("items") or [], ref.get("defaultMode", 0o644)))
            prepared[name] = PreparedVolume(str(base), read_only=True)
        elif "projected" in volume:
            ref = volume["projected"]
            mode = ref.get("defaultMode", 0o644)
            files: dict[str, tuple[bytes, int]] = {}
            for source in ref.get("sources") or []:
                if "configMap" in source:
                    cm = sources.configmap(namespace, source["configMap"].get("name", ""))
                    if cm is not None:
                        files.update(_key_files(_configmap_data(cm), source["configMap"].get("items"), mode,
                                                "configmap", bool(source["configMap"].get("optional"))))
                    elif not source["configMap"].get("optional"):
                        raise VolumeError(f'configmap "{source["configMap"].get("name")}" not found')
                elif "secret" in source:
                    secret = sources.secret(namespace, source["secret"].get("name", ""))
                    if secret is not None:
                        files.update(_key_files(_secret_data(secret), source["secret"].get("items"), mode,
                                                "secret", bool(source["secret"].get("optional"))))
                    elif not source["secret"].get("optional"):
                        raise VolumeError(f'secret "{source["secret"].get("name")}" not found')
                elif "downwardAPI" in source:
                    files.update(_downward_files(pod, source["downwardAPI"].get("items") or [], mode))
            _write_files(base, files)
            prepared[name] = PreparedVolume(str(base), read_only=True)
        elif "persistentVolumeClaim" in volume:
            prepared[name] = _claim_directory(volume, pod, sources, data_dir)
        else:
            kinds = [k for k in volume if k != "name"]
            raise VolumeError(f'volume "{name}": petset cannot provide {", ".join(kinds) or "this"} volumes')
    return prepared


def remove_pod_volumes(pod_dir: Path) -> None:
    """Delete the pod's own volume directories (emptyDir, configMap, ...); claims' data stays."""
    shutil.rmtree(pod_dir / "volumes", ignore_errors=True)
