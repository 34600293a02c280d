"""A container's environment as the kubelet builds it: service links, envFrom, env with the downward
API and key references, and ``$(VAR)`` expansion."""

from __future__ import annotations

import base64
import re
from typing import Any, Protocol

from petset.kubelet.volumes import resource_field

__all__ = ["EnvError", "EnvSources", "container_env", "expand"]

Obj = dict[str, Any]
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


class EnvError(Exception):
    """The environment cannot be built (a missing key or object): CreateContainerConfigError."""


class EnvSources(Protocol):
    def configmap(self, namespace: str, name: str) -> Obj | None: ...

    def secret(self, namespace: str, name: str) -> Obj | None: ...

    def services(self, namespace: str) -> list[Obj]: ...


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion: known names are replaced, unknown ones kept, ``$$`` is ``$``."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env.get(name, match.group(0))

    return _REF.sub(one, text)


def _service_env(services: list[Obj]) -> dict[str, str]:
    env: dict[str, str] = {}
    for svc in sorted(services, key=lambda s: s["metadata"]["name"]):
        spec = svc.get("spec") or {}
        ip = spec.get("clusterIP")
        if not ip or ip == "None" or spec.get("type") == "ExternalName":
            continue
        name = svc["metadata"]["name"].upper().replace("-", "_")
        ports = spec.get("ports") or []
        if not ports:
            continue
        env[f"{name}_SERVICE_HOST"] = ip
        env[f"{name}_SERVICE_PORT"] = str(ports[0].get("port"))
        for port in ports:
            if port.get("name"):
                env[f"{name}_SERVICE_PORT_{port['name'].upper().replace('-', '_')}"] = str(port.get("port"))
        first = ports[0]
        protocol = first.get("protocol", "TCP")
        env[f"{name}_PORT"] = f"{protocol.lower()}://{ip}:{first.get('port')}"
        for port in ports:
            proto = port.get("protocol", "TCP")
            prefix = f"{name}_PORT_{port.get('port')}_{proto}"
            env[prefix] = f"{proto.lower()}://{ip}:{port.get('port')}"
            env[f"{prefix}_PROTO"] = proto.lower()
            env[f"{prefix}_PORT"] = str(port.get("port"))
            env[f"{prefix}_ADDR"] = ip
    return env


def _field_value(pod: Obj, path: str, pod_ip: str, host_ip: str) -> str:
    meta = pod["metadata"]
    spec = pod.get("spec") or {}
    simple = {
        "metadata.name": meta.get("name", ""), "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""), "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""), "status.podIP": pod_ip,
        "status.podIPs": pod_ip, "status.hostIP": host_ip, "status.hostIPs": host_ip,
    }
    if path in simple:
        return simple[path]
    match = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if match:
        return str((meta.get(match.group(1)) or {}).get(match.group(2), ""))
    raise EnvError(f"unsupported fieldPath: {path}")


def container_env(pod: Obj, container: Obj, sources: EnvSources, *, pod_ip: str, host_ip: str,
                  image_env: dict[str, str]) -> dict[str, str]:
    """The environment of ``container``: image ENV, then service links, envFrom and env, in that order."""
    meta = pod["metadata"]
    namespace = meta.get("namespace", "default")
    spec = pod.get("spec") or {}
    env: dict[str, str] = dict(image_env)
    env["HOSTNAME"] = spec.get("hostname") or meta["name"]
    if spec.get("enableServiceLinks", True):
        env.update(_service_env(sources.services(namespace)))
    env.update(_service_env([s for s in sources.services("default") if s["metadata"]["name"] == "kubernetes"]))
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            ref = source["configMapRef"]
            cm = sources.configmap(namespace, ref.get("name", ""))
            if cm is None:
                if ref.get("optional"):
                    continue
                raise EnvError(f'configmap "{ref.get("name")}" not found')
            env.update({prefix + k: str(v) for k, v in (cm.get("data") or {}).items()})
        elif "secretRef" in source:
            ref = source["secretRef"]
            secret = sources.secret(namespace, ref.get("name", ""))
            if secret is None:
                if ref.get("optional"):
                    continue
                raise EnvError(f'secret "{ref.get("name")}" not found')
            env.update({prefix + k: base64.b64decode(v).decode(errors="replace")
                        for k, v in (secret.get("data") or {}).items()})
    for var in container.get("env") or []:
        name = var.get("name", "")
        if "value" in var:
            env[name] = expand(str(var.get("value") or ""), env)
            continue
        source = var.get("valueFrom") or {}
        if not source:
            env[name] = ""
        elif "fieldRef" in source:
            env[name] = _field_value(pod, source["fieldRef"].get("fieldPath", ""), pod_ip, host_ip)
        elif "resourceFieldRef" in source:
            env[name] = resource_field(pod, source["resourceFieldRef"], container.get("name"))
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            cm = sources.configmap(namespace, ref.get("name", ""))
            value = (cm.get("data") or {}).get(ref.get("key")) if cm is not None else None
            if value is None:
                if ref.get("optional"):
                    continue
                raise EnvError(f'couldn\'t find key {ref.get("key")} in ConfigMap {namespace}/{ref.get("name")}'
                               if cm is not None else f'configmap "{ref.get("name")}" not found')
            env[name] = str(value)
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            secret = sources.secret(namespace, ref.get("name", ""))
            raw = (secret.get("data") or {}).get(ref.get("key")) if secret is not None else None
            if raw is None:
                if ref.get("optional"):
                    continue
                raise EnvError(f'couldn\'t find key {ref.get("key")} in Secret {namespace}/{ref.get("name")}'
                               if secret is not None else f'secret "{ref.get("name")}" not found')
            env[name] = base64.b64decode(raw).decode(errors="replace")
    return env
