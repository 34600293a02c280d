"""A running StatefulSet controller and garbage collector on an in-process control plane, with a
fake node playing the kubelet, and helpers shaped like the e2e framework's (test/e2e/framework/
statefulset)."""

from __future__ import annotations

import asyncio
import contextlib
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
from petset.controllers.garbagecollector import GarbageCollector
from petset.controllers.statefulset import StatefulSetController
from petset.controllers.volumes import VolumeController
from tests.conftest import CHAPTER10
from tests.support.fakenode import FakeNode
from tests.support.inproc import (
    EVENTS,
    PODS,
    PVCS,
    REVISIONS,
    SERVICES,
    STATEFULSETS,
    control_plane,
    eventually,
)

Obj = dict[str, Any]

#: The e2e suite's default labels and headless service.
LABELS = {"foo": "bar", "baz": "blah"}
SERVICE = "test"
#: The node the fake node agent binds pods to: deletions are then graceful, as for real pods.
NODE = "node-1"


def book_manifest(name: str) -> Obj:
    """One of the book's chapter 10 manifests, read unchanged."""
    loaded: Obj = yaml.safe_load((CHAPTER10 / name).read_text())
    return loaded


def new_statefulset(name: str, replicas: int, *, claims: tuple[str, ...] = (), labels: dict[str, str] | None = None,
                    image: str = "httpd:2.4", **spec: Any) -> Obj:
    """``NewStatefulSet``: selector = labels, one ``webserver`` container, a 1-byte RWO claim per
    stateful mount, ``updateStrategy: {type: RollingUpdate}`` without a rollingUpdate block."""
    labels = labels or dict(LABELS)
    return {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
        "spec": {
            "replicas": replicas, "serviceName": SERVICE, "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels)},
                         "spec": {"containers": [{"name": "webserver", "image": image,
                                                  "volumeMounts": [{"name": c, "mountPath": f"/{c}"}
                                                                   for c in claims]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": c},
                                      "spec": {"accessModes": ["ReadWriteOnce"],
                                               "resources": {"requests": {"storage": "1"}}}} for c in claims],
            "updateStrategy": {"type": "RollingUpdate"},
            **spec,
        },
    }


@dataclass
class Cluster:
    client: LocalClient
    node: FakeNode
    controller: StatefulSetController
    recorder: EventRecorder
    namespace: str = "default"

    # reads

    async def sts(self, name: str) -> Obj:
        return await self.client.get(STATEFULSETS, self.namespace, name)

    async def pods(self, name: str, *, include_terminating: bool = True, selector: str | None = None) -> list[Obj]:
        """The set's pods (by its selector, or ``selector``), in ordinal order."""
        text = selector or ",".join(f"{k}={v}" for k, v in sorted(
            (await self.sts(name))["spec"]["selector"]["matchLabels"].items()))
        items = (await self.client.list(PODS, self.namespace, label_selector=text))["items"]
        if not include_terminating:
            items = [p for p in items if not p["metadata"].get("deletionTimestamp")]
        return sorted(items, key=lambda p: int(p["metadata"]["name"].rsplit("-", 1)[1]))

    async def pod_names(self, name: str, *, include_terminating: bool = True) -> list[str]:
        return [p["metadata"]["name"] for p in await self.pods(name, include_terminating=include_terminating)]

    async def pod(self, name: str) -> Obj | None:
        try:
            return await self.client.get(PODS, self.namespace, name)
        except StatusError as exc:
            if exc.code == 404:
                return None
            raise

    async def claim_names(self) -> list[str]:
        return sorted(c["metadata"]["name"] for c in (await self.client.list(PVCS, self.namespace))["items"])

    async def claim(self, name: str) -> Obj:
        return await self.client.get(PVCS, self.namespace, name)

    async def revisions(self, name: str) -> list[Obj]:
        items = (await self.client.list(REVISIONS, self.namespace))["items"]
        return sorted((r for r in items if r["metadata"]["name"].startswith(f"{name}-")), key=lambda r: r["revision"])

    async def events(self, reason: str | None = None) -> list[Obj]:
        await self.recorder.flush()
        items = (await self.client.list(EVENTS, self.namespace))["items"]
        return [e for e in items if reason is None or e["reason"] == reason]

    # writes

    async def create(self, body: Obj) -> Obj:
        return await self.client.create(STATEFULSETS, self.namespace, body)

    async def create_service(self, name: str = SERVICE, selector: dict[str, str] | None = None) -> Obj:
        return await self.client.create(SERVICES, self.namespace, {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"clusterIP": "None", "selector": selector or dict(LABELS), "ports": [{"name": "http", "port": 80}]}})

    async def update(self, name: str, change: Any) -> Obj:
        """Read-modify-write of the set (``change(set)`` edits it in place), retried on conflicts."""
        for _ in range(10):
            current = await self.sts(name)
            change(current)
            try:
                return await self.client.update(STATEFULSETS, self.namespace, current)
            except StatusError as exc:
                if exc.code != 409:
                    raise
        raise AssertionError("could not update the StatefulSet")

    async def scale(self, name: str, replicas: int) -> Obj:
        return await self.update(name, lambda s: s["spec"].__setitem__("replicas", replicas))

    async def set_image(self, name: str, image: str) -> Obj:
        return await self.update(name, lambda s: s["spec"]["template"]["spec"]["containers"][0].__setitem__(
            "image", image))

    async def delete_pod(self, name: str, *, grace: int | None = 0) -> None:
        """``deleteStatefulPodAtIndex``: DELETE with gracePeriodSeconds 0."""
        await self.client.delete(PODS, self.namespace, name, grace_period_seconds=grace)

    # waits (the e2e helpers, with short timeouts: everything here is in-process)

    async def wait_running_and_ready(self, name: str, count: int, *, timeout: float = 5.0) -> list[Obj]:
        """``WaitForRunningAndReady``: exactly ``count`` pods, all Running and Ready."""

        async def check() -> list[Obj] | None:
            pods = await self.pods(name)
            ready = [p for p in pods if p["status"].get("phase") == "Running" and _ready(p)
                     and not p["metadata"].get("deletionTimestamp")]
            return pods if len(pods) == count and len(ready) == count else None

        result: list[Obj] = await eventually(check, timeout=timeout)
        return result

    async def wait_status(self, name: str, predicate: Any, *, timeout: float = 5.0) -> Obj:
        """Until the set (observed generation caught up) satisfies ``predicate(set)``; the set."""

        async def check() -> Obj | None:
            sts = await self.sts(name)
            observed = sts["status"].get("observedGeneration", 0) >= sts["metadata"]["generation"]
            return sts if observed and predicate(sts) else None

        result: Obj = await eventually(check, timeout=timeout)
        return result

    async def wait_rolling_update(self, name: str, *, timeout: float = 5.0) -> Obj:
        """``waitForRollingUpdate``: enough pods and currentRevision == updateRevision."""

        async def check() -> Obj | None:
            sts = await self.sts(name)
            status = sts["status"]
            pods = await self.pods(name)
            if status.get("observedGeneration", 0) < sts["metadata"]["generation"]:
                return None
            if len(pods) < sts["spec"]["replicas"] or status.get("currentRevision") != status.get("updateRevision"):
                return None
            if any(p["metadata"]["labels"].get("controller-revision-hash") != status["updateRevision"] for p in pods):
                return None
            return sts

        result: Obj = await eventually(check, timeout=timeout)
        return result

    @contextlib.asynccontextmanager
    async def pod_events(self) -> AsyncIterator[list[tuple[str, str, bool]]]:
        """Record pod watch events as (type, name, terminating) while the block runs."""
        events: list[tuple[str, str, bool]] = []
        since = (await self.client.list(PODS, self.namespace))["metadata"]["resourceVersion"]

        async def watch() -> None:
            async for kind, pod in self.client.watch(PODS, self.namespace, resource_version=since):
                meta = pod["metadata"]
                events.append((kind, meta["name"], bool(meta.get("deletionTimestamp"))))

        task = asyncio.create_task(watch())
        try:
            yield events
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stays(self, check: Any, seconds: float) -> None:
        """``check()`` holds for the whole period (the e2e "consistently")."""
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            assert await check()
            await asyncio.sleep(0.02)


def _ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in pod["status"].get("conditions") or [])


def ready(pod: Obj) -> bool:
    return _ready(pod)


def image_of(pod: Obj) -> str:
    image: str = pod["spec"]["containers"][0]["image"]
    return image


def revision_of(pod: Obj) -> str:
    revision: str = pod["metadata"]["labels"]["controller-revision-hash"]
    return revision


@contextlib.asynccontextmanager
async def running_cluster(data_dir: Path, *, volumes: bool = False) -> AsyncIterator[Cluster]:
    """The control plane, the StatefulSet controller, the garbage collector and the fake node; with
    ``volumes`` also the volume controller (binding, provisioning, and pvc-protection, without
    which a deleted claim keeps its ``kubernetes.io/pvc-protection`` finalizer)."""
    async with control_plane(data_dir) as client:
        informers = InformerFactory(client)
        recorder = EventRecorder(client, "statefulset-controller")
        parts: list[Any] = [GarbageCollector(client, informers), StatefulSetController(client, informers, recorder)]
        if volumes:
            parts.append(VolumeController(client, informers, recorder, data_dir=data_dir, host_root=data_dir))
        informers.start()
        for part in parts:
            part.start()
        node = await FakeNode(client, node_name=NODE).start()
        try:
            yield Cluster(client, node, parts[1], recorder)
        finally:
            for stopping in (*parts, node, recorder, informers):
                await stopping.stop()


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    async with running_cluster(tmp_path) as running:
        yield running
