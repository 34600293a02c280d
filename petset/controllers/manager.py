"""The controller manager: shared informers, the controllers, and leader election.

Like kube-controller-manager, it holds the ``kube-controller-manager`` Lease in kube-system
while it runs controllers, so a second manager pointed at the same API waits instead of fighting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from petset.api.errors import StatusError
from petset.api.resources import lookup
from petset.client.events import EventRecorder
from petset.client.informer import InformerFactory
from petset.client.interface import Client
from petset.controllers.endpoints import EndpointsController
from petset.controllers.garbagecollector import GarbageCollector
from petset.controllers.namespace import NamespaceController
from petset.controllers.nodelifecycle import NodeLifecycleController
from petset.controllers.scheduler import Scheduler
from petset.controllers.statefulset.controller import StatefulSetController
from petset.controllers.volumes.controller import VolumeController

__all__ = ["ControllerManager"]

log = logging.getLogger(__name__)

LEASE_NAME = "kube-controller-manager"
LEASE_DURATION = 15
RENEW_INTERVAL = 2.0


class Controller(Protocol):
    def start(self) -> None: ...

    async def stop(self) -> None: ...


def _micro_time() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ControllerManager:
    def __init__(self, client: Client, *, options: dict[str, Any] | None = None) -> None:
        self.client = client
        self.options = options or {}
        self.informers = InformerFactory(client)
        # petset up passes an identity stable per data dir (only one process may hold a data dir),
        # so a restart after a crash takes its own lease back at once instead of waiting it out.
        self.identity = self.options.get("identity") or f"{socket.gethostname()}_{os.getpid()}"
        self.recorder = EventRecorder(client, "statefulset-controller")
        self.volume_recorder = EventRecorder(client, "persistentvolume-controller")
        data_dir = self.options.get("data_dir")
        self.controllers: list[Controller] = [
            StatefulSetController(client, self.informers, self.recorder),
            GarbageCollector(client, self.informers),
            NamespaceController(client, self.informers),
            EndpointsController(client, self.informers),
            Scheduler(client, self.informers),
            NodeLifecycleController(client, self.informers,
                                    monitor_period=float(self.options.get("node_monitor_period", 5.0)),
                                    grace_period=float(self.options.get("node_monitor_grace_period", 50.0))),
        ]
        if data_dir is not None:
            self.controllers.append(VolumeController(client, self.informers, self.volume_recorder,
                                                     data_dir=Path(data_dir)))
        self._lease_task: asyncio.Task[None] | None = None
        self._leading = asyncio.Event()

    async def start(self) -> None:
        await self._acquire_lease()
        self._lease_task = asyncio.create_task(self._renew_lease(), name="leader-election")
        self.informers.start()
        for controller in self.controllers:
            controller.start()

    async def stop(self) -> None:
        for controller in self.controllers:
            await controller.stop()
        await self.informers.stop()
        await self.recorder.stop()
        await self.volume_recorder.stop()
        if self._lease_task is not None:
            self._lease_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lease_task
        await self._release_lease()

    # leader election

    async def _try_lease(self) -> bool:
        rt = lookup("coordination.k8s.io", "v1", "leases")
        assert rt is not None
        spec = {"holderIdentity": self.identity, "leaseDurationSeconds": LEASE_DURATION,
                "renewTime": _micro_time()}
        try:
            lease = await self.client.get(rt, "kube-system", LEASE_NAME)
        except StatusError as exc:
            if exc.code != 404:
                raise
            await self.client.create(rt, "kube-system", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                                         "metadata": {"name": LEASE_NAME},
                                                         "spec": {**spec, "acquireTime": _micro_time(),
                                                                  "leaseTransitions": 0}})
            return True
        current = lease.get("spec") or {}
        holder = current.get("holderIdentity")
        if holder and holder != self.identity:
            renewed = current.get("renewTime", "")
            try:
                age = (datetime.now(UTC) - datetime.strptime(renewed, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                    tzinfo=UTC)).total_seconds()
            except ValueError:
                age = LEASE_DURATION + 1
            if age < current.get("leaseDurationSeconds", LEASE_DURATION):
                return False
            spec["acquireTime"] = _micro_time()
            spec["leaseTransitions"] = current.get("leaseTransitions", 0) + 1
        lease["spec"] = {**current, **spec}
        await self.client.update(rt, "kube-system", lease)
        return True

    async def _acquire_lease(self) -> None:
        while True:
            try:
                if await self._try_lease():
                    self._leading.set()
                    return
            except StatusError as exc:
                log.info("leader election: %s", exc)
            await asyncio.sleep(RENEW_INTERVAL)

    async def _release_lease(self) -> None:
        """Give the lease up on a clean stop, as client-go's ReleaseOnCancel does.

        Without this, a `petset up` restarted within LEASE_DURATION found the lease held by its
        predecessor's identity and waited for it to expire: no banner, and Ctrl-C ignored, for up to 15 s.
        """
        if not self._leading.is_set():
            return
        rt = lookup("coordination.k8s.io", "v1", "leases")
        assert rt is not None
        try:
            lease = await self.client.get(rt, "kube-system", LEASE_NAME)
            spec = lease.get("spec") or {}
            if spec.get("holderIdentity") != self.identity:
                return
            lease["spec"] = {**spec, "holderIdentity": "", "leaseDurationSeconds": 1, "renewTime": _micro_time()}
            await self.client.update(rt, "kube-system", lease)
        except StatusError as exc:
            log.info("leader election: releasing the lease failed: %s", exc)
        self._leading.clear()

    async def _renew_lease(self) -> None:
        while True:
            await asyncio.sleep(RENEW_INTERVAL)
            try:
                await self._try_lease()
            except StatusError as exc:
                log.warning("leader election: renewing the lease failed: %s", exc)
