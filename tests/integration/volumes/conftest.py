"""A running volume controller on an in-process control plane, with helpers to drive it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from petset.api.errors import StatusError
from petset.client.events import EventRecorder
from petset.client.informer import InformerFactory
from petset.client.local import LocalClient
from petset.controllers.volumes import VolumeController
from petset.registry.storage_protection import PersistentVolumeClaimResize, storage_object_in_use_protection
from tests.conftest import CHAPTER10
from tests.support.inproc import EVENTS, PODS, PVCS, PVS, control_plane, eventually, rt

Obj = dict[str, Any]
STORAGE_CLASSES = rt("storage.k8s.io/v1", "storageclasses")
UNSET = object()


@dataclass
class Volumes:
    client: LocalClient
    controller: VolumeController
    data_dir: Path
    host_root: Path

    def host_path(self, path: str) -> Path:
        """Where a hostPath volume's path lives in this test's host root."""
        return self.host_root / path.lstrip("/")

    async def create_book_volumes(self, manifest: str) -> list[str]:
        """The book's `kind: List` of PersistentVolumes, read unchanged."""
        document = yaml.safe_load((CHAPTER10 / manifest).read_text())
        names = []
        for item in document["items"]:
            created = await self.client.create(PVS, None, item)
            names.append(created["metadata"]["name"])
        return names

    async def create_volume(self, name: str, *, size: str = "1Mi", path: str | None = None,
                            policy: str = "Retain", modes: list[str] | None = None, **spec: Any) -> Obj:
        body: Obj = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
                     "spec": {"capacity": {"storage": size}, "accessModes": modes or ["ReadWriteOnce"],
                              "persistentVolumeReclaimPolicy": policy, **spec}}
        if not any(k in spec for k in ("hostPath", "local", "gcePersistentDisk", "nfs", "csi")):
            body["spec"]["hostPath"] = {"path": path or f"/tmp/{name}"}
        return await self.client.create(PVS, None, body)

    async def create_claim(self, name: str, *, size: str = "1Mi", storage_class: Any = UNSET,
                           modes: list[str] | None = None, namespace: str = "default", **spec: Any) -> Obj:
        """A claim shaped like the book's volumeClaimTemplates: 1Mi, ReadWriteOnce, no class."""
        body: Obj = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
                     "spec": {"resources": {"requests": {"storage": size}},
                              "accessModes": modes or ["ReadWriteOnce"], **spec}}
        if storage_class is not UNSET:
            body["spec"]["storageClassName"] = storage_class
        return await self.client.create(PVCS, namespace, body)

    async def create_class(self, name: str, **fields: Any) -> Obj:
        body = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
                "provisioner": "petset.io/local-path", **fields}
        return await self.client.create(STORAGE_CLASSES, None, body)

    async def claim(self, name: str, namespace: str = "default") -> Obj:
        return await self.client.get(PVCS, namespace, name)

    async def volume(self, name: str) -> Obj:
        return await self.client.get(PVS, None, name)

    async def bound(self, name: str, namespace: str = "default", timeout: float = 5.0) -> Obj:
        """Wait until the claim and its volume are both Bound; the claim."""

        async def check() -> Obj | None:
            claim = await self.claim(name, namespace)
            if claim["status"].get("phase") != "Bound":
                return None
            volume = await self.volume(claim["spec"]["volumeName"])
            return claim if volume["status"].get("phase") == "Bound" else None

        return await eventually(check, timeout=timeout)

    async def volume_phase(self, name: str, phase: str, timeout: float = 5.0) -> Obj:
        async def check() -> Obj | None:
            try:
                volume = await self.volume(name)
            except StatusError:
                return None
            return volume if volume["status"].get("phase") == phase else None

        return await eventually(check, timeout=timeout)

    async def gone(self, rt_: Any, namespace: str | None, name: str, timeout: float = 5.0) -> None:
        async def check() -> bool:
            try:
                await self.client.get(rt_, namespace, name)
            except StatusError as exc:
                return exc.code == 404
            return False

        await eventually(check, timeout=timeout)

    async def events(self, name: str, namespace: str = "default") -> list[tuple[str, str, str]]:
        """(type, reason, message) of the events about the object ``name``."""
        await self.controller.flush_events()
        listed = await self.client.list(EVENTS, namespace)
        return [(e["type"], e["reason"], e["message"]) for e in listed["items"]
                if e["involvedObject"].get("name") == name]

    async def event(self, name: str, reason: str, namespace: str = "default", timeout: float = 5.0) -> str:
        """Wait for an event with this reason about ``name``; its message."""

        async def check() -> str | None:
            for _, found, message in await self.events(name, namespace):
                if found == reason:
                    return message
            return None

        return await eventually(check, timeout=timeout)

    async def create_pod(self, name: str, claim: str, *, node: str | None = None, namespace: str = "default") -> Obj:
        spec: Obj = {"containers": [{"name": "c", "image": "luksa/kubia-pet",
                                     "volumeMounts": [{"name": "data", "mountPath": "/var/data"}]}],
                     "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]}
        if node:
            spec["nodeName"] = node
        return await self.client.create(PODS, namespace, {"apiVersion": "v1", "kind": "Pod",
                                                          "metadata": {"name": name}, "spec": spec})


def register_admission(client: LocalClient) -> None:
    """What the lead wires in the registry: the storage admission plugins."""
    registry = client.registry
    resize = PersistentVolumeClaimResize(registry.store_for(STORAGE_CLASSES))
    for resource in (PVS, PVCS):
        registry.store_for(resource).admission.extend([storage_object_in_use_protection, resize])


@pytest.fixture
async def volumes(tmp_path: Path) -> AsyncIterator[Volumes]:
    async with control_plane(tmp_path) as client:
        register_admission(client)
        informers = InformerFactory(client)
        recorder = EventRecorder(client, "persistentvolume-controller")
        data_dir, host_root = tmp_path / "data", tmp_path / "host"
        host_root.mkdir()
        controller = VolumeController(client, informers, recorder, data_dir=data_dir, host_root=host_root)
        informers.start()
        controller.start()
        try:
            await eventually(lambda: controller.class_informer.get(None, "standard"))
            yield Volumes(client, controller, data_dir, host_root)
        finally:
            await controller.stop()
            await recorder.stop()
            await informers.stop()
