"""The node lifecycle controller: notices nodes that stopped reporting, and what follows.

As upstream 1.32: a node whose Lease and Ready heartbeat are both older than the grace period (50 s)
gets its conditions set to Unknown ("Kubelet stopped posting node status."), the
``node.kubernetes.io/unreachable`` NoSchedule taint at once and the NoExecute taint after it, and its
pods' Ready condition goes False (so they leave endpoints and DNS). Pods that do not tolerate the
NoExecute taint (by default each tolerates it for 300 s) are deleted gracefully; since no kubelet
confirms, they stay Terminating until a force delete, a returning node, or the Node's deletion.
When every node is unreachable nothing is evicted (upstream's "master disruption" rule).

Beyond upstream, documented: an evicted pod also gets ``status.reason: NodeLost`` with a message
naming the node, so ``kubectl get pods`` shows it as ``Unknown`` while it waits for a confirmation
that cannot come, as the book shows, instead of a plain ``Terminating``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from petset.api.errors import StatusError
from petset.client.events import EventRecorder
from petset.client.informer import InformerFactory
from petset.client.interface import Client, resource

__all__ = ["NodeLifecycleController"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

UNREACHABLE = "node.kubernetes.io/unreachable"
NODE_LOST = "NodeLost"




PODS, NODES, LEASES = resource("v1", "pods"), resource("v1", "nodes"), resource("coordination.k8s.io/v1", "leases")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _age(stamp: str | None) -> float:
    if not stamp:
        return float("inf")
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        with contextlib.suppress(ValueError):
            return (datetime.now(UTC) - datetime.strptime(stamp, fmt).replace(tzinfo=UTC)).total_seconds()
    return float("inf")


class NodeLifecycleController:
    def __init__(self, client: Client, informers: InformerFactory, *, monitor_period: float = 5.0,
                 grace_period: float = 50.0) -> None:
        self.client = client
        self.nodes = informers.get(NODES)
        self.leases = informers.get(LEASES)
        self.pods = informers.get(PODS)
        self.recorder = EventRecorder(client, "node-controller")
        self.monitor_period = monitor_period
        self.grace_period = grace_period
        #: When each node's NoExecute taint was added (for tolerationSeconds).
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._monitor(), name="node-lifecycle")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.recorder.stop()

    async def _monitor(self) -> None:
        while True:
            await asyncio.sleep(self.monitor_period)
            try:
                await self.check()
            except StatusError as exc:
                log.info("node lifecycle: %s", exc)
            except Exception:
                log.exception("node lifecycle check failed")

    def _heartbeat_age(self, node: Obj) -> float:
        name = node["metadata"]["name"]
        lease = self.leases.get("kube-node-lease", name)
        lease_age = _age(((lease or {}).get("spec") or {}).get("renewTime"))
        ready: Obj = next((c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), {})
        return min(lease_age, _age(ready.get("lastHeartbeatTime")))

    async def check(self) -> None:
        nodes = self.nodes.list()
        lost = []
        for node in nodes:
            if self._heartbeat_age(node) > self.grace_period:
                lost.append(node)
                await self._mark_unknown(node)
            else:
                await self._clear_taints(node)
        everyone_lost = bool(nodes) and len(lost) == len(nodes)
        for node in lost:
            await self._evict(node, allowed=not everyone_lost)

    async def _clear_taints(self, node: Obj) -> None:
        """A node that reports again loses the taints its silence earned."""
        taints = (node.get("spec") or {}).get("taints") or []
        kept = [t for t in taints if t.get("key") != UNREACHABLE]
        if len(kept) != len(taints):
            await self.client.patch(NODES, None, node["metadata"]["name"], {"spec": {"taints": kept or None}},
                                    patch_type="merge")

    async def _mark_unknown(self, node: Obj) -> None:
        name = node["metadata"]["name"]
        status = node.get("status") or {}
        conditions = status.get("conditions") or []
        ready = next((c for c in conditions if c.get("type") == "Ready"), None)
        if ready is None or ready.get("status") != "Unknown":
            stamp = _stamp()
            updated = []
            for cond in conditions:
                if cond.get("type") in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
                    cond = {**cond, "status": "Unknown", "reason": "NodeStatusUnknown",
                            "message": "Kubelet stopped posting node status.", "lastTransitionTime": stamp}
                updated.append(cond)
            await self.client.patch(NODES, None, name, {"status": {"conditions": updated}}, patch_type="merge",
                                    subresource="status")
            self.recorder.event(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady")
        taints = list((node.get("spec") or {}).get("taints") or [])
        wanted = [{"key": UNREACHABLE, "effect": "NoSchedule"},
                  {"key": UNREACHABLE, "effect": "NoExecute"}]
        missing = [t for t in wanted if not any(x.get("key") == t["key"] and x.get("effect") == t["effect"]
                                                 for x in taints)]
        if missing:
            taints += [{**t, "timeAdded": _stamp()} if t["effect"] == "NoExecute" else t for t in missing]
            await self.client.patch(NODES, None, name, {"spec": {"taints": taints}}, patch_type="merge")
        for pod in self.pods.list():
            if (pod.get("spec") or {}).get("nodeName") != name:
                continue
            await self._mark_pod_not_ready(pod, name)

    async def _mark_pod_not_ready(self, pod: Obj, node_name: str) -> None:
        status = pod.get("status") or {}
        conditions = status.get("conditions") or []
        ready = next((c for c in conditions if c.get("type") == "Ready"), None)
        if ready is None or ready.get("status") == "False":
            return
        stamp = _stamp()
        updated = [({**c, "status": "False", "lastTransitionTime": stamp} if c.get("type") == "Ready" else c)
                   for c in conditions]
        meta = pod["metadata"]
        try:
            await self.client.patch(PODS, meta.get("namespace"), meta["name"], {"status": {"conditions": updated}},
                                    patch_type="merge", subresource="status")
        except StatusError as exc:
            if exc.code != 404:
                raise
            return
        self.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready")

    async def _evict(self, node: Obj, *, allowed: bool) -> None:
        if not allowed:
            return
        name = node["metadata"]["name"]
        taint = next((t for t in (node.get("spec") or {}).get("taints") or []
                      if t.get("key") == UNREACHABLE and t.get("effect") == "NoExecute"), None)
        if taint is None:
            return
        taint_age = _age(taint.get("timeAdded"))
        for pod in self.pods.list():
            spec = pod.get("spec") or {}
            if spec.get("nodeName") != name or pod["metadata"].get("deletionTimestamp"):
                continue
            tolerated = [t for t in spec.get("tolerations") or []
                         if ((t.get("key") in (UNREACHABLE, None, "") and t.get("operator") == "Exists")
                             or t.get("key") == UNREACHABLE) and t.get("effect") in ("NoExecute", None, "")]
            if tolerated and any(t.get("tolerationSeconds") is None for t in tolerated):
                continue
            seconds = min((t.get("tolerationSeconds") or 0) for t in tolerated) if tolerated else 0
            if taint_age < seconds:
                continue
            meta = pod["metadata"]
            self.recorder.event(pod, "Normal", "TaintManagerEviction",
                                f"Marking for deletion Pod {meta.get('namespace')}/{meta['name']}")
            try:
                # petset's addition: the reason kubectl shows as "Unknown" for a terminating pod.
                await self.client.patch(PODS, meta.get("namespace"), meta["name"], {"status": {
                    "reason": NODE_LOST,
                    "message": f"Node {name} which was running pod {meta['name']} is unresponsive"}},
                    patch_type="merge", subresource="status")
                await self.client.delete(PODS, meta.get("namespace"), meta["name"],
                                         preconditions={"uid": meta["uid"]})
            except StatusError as exc:
                if exc.code not in (404, 409):
                    raise
