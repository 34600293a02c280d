"""A fake node for controller tests: plays the kubelet for pods, through the API only.

It watches pods (all, or one namespace) and writes what a kubelet would through the status
subresource: phase Running, every container started and ready, and the conditions PodScheduled,
Initialized, ContainersReady and Ready with their lastTransitionTime. When a pod gets a
deletionTimestamp it confirms the termination by deleting it with grace period 0, as a kubelet does
once the containers are gone. No processes run; nothing but the API is touched.

Controls, for the e2e-style tests (each takes effect at once and persists for that pod *name*,
re-created incarnations included, until changed, unless said otherwise):

* ``set_ready(name, False)``: the readiness probe fails (Ready False, phase stays Running);
* ``pause_new_pods()`` / ``resume(name)``: the e2e suite's paused pods: they run but stay unready
  until resumed; the resume marker lives "on the pod's first claim", so a re-created pod with the
  same claim is ready at once, as the e2e marker file on the PVC makes it;
* ``fail(name)``: the current pod ends Failed (its containers exited 1);
* ``reject(name)`` / ``accept(name)``: every incarnation fails as it starts (a kubelet refusing
  the pod, e.g. a host port in use) until accepted;
* ``hold_termination(name)`` / ``release_termination(name)``: a node that no longer confirms
  deletions (the pod stays Terminating);
* ``fail_on_termination(name)``: the pod ends Failed while it terminates (a container that exits 1
  on SIGTERM); otherwise a terminating pod held by finalizers ends Succeeded (containers exited 0);
* ``ready_since(name, moment)``: the Ready transition time to report (for minReadySeconds).

Pods are not bound to a node unless ``node_name`` is given; then the fake node also plays the
scheduler (the binding subresource), which makes deletions graceful (Terminating until confirmed)
as for real pods. Without it the API server deletes unscheduled pods at once.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from petset.api.errors import StatusError
from petset.client.informer import Informer
from petset.client.interface import Client
from petset.controllers.runner import QueueRunner
from petset.controllers.statefulset.utils import deep_copy
from tests.support.inproc import PODS

Obj = dict[str, Any]

__all__ = ["FakeNode"]


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeNode:
    def __init__(self, client: Client, *, namespace: str | None = None, node_name: str | None = None,
                 workers: int = 4) -> None:
        self.client = client
        self.namespace = namespace
        self.node_name = node_name
        self.informer = Informer(client, PODS, namespace=namespace)
        self.runner = QueueRunner("fake-node", self._sync, workers=workers)
        self._not_ready: set[str] = set()
        self._paused = False
        self._resumed: set[str] = set()
        self._failed_uids: set[str] = set()
        self._rejected: set[str] = set()
        self._held: set[str] = set()
        self._fail_on_termination: set[str] = set()
        self._ready_since: dict[str, datetime] = {}
        self._ips = itertools.count(2)
        self.informer.add_handlers(on_add=self._enqueue, on_update=lambda _old, new: self._enqueue(new))

    async def start(self) -> FakeNode:
        self.informer.start()
        await self.informer.wait_synced()
        self.runner.start()
        return self

    async def stop(self) -> None:
        await self.runner.stop()
        await self.informer.stop()

    # controls

    def _key(self, name: str, namespace: str) -> str:
        return f"{namespace}/{name}"

    def _touch(self, key: str) -> None:
        self.runner.queue.add(key)

    def set_ready(self, name: str, ready: bool = True, *, namespace: str = "default") -> None:
        key = self._key(name, namespace)
        (self._not_ready.discard if ready else self._not_ready.add)(key)
        self._touch(key)

    def pause_new_pods(self) -> None:
        self._paused = True

    def resume(self, name: str, *, namespace: str = "default") -> None:
        key = self._key(name, namespace)
        pod = self.informer.get(namespace, name)
        self._resumed.add(self._marker(pod) if pod is not None else key)
        self._touch(key)

    def fail(self, name: str, *, namespace: str = "default") -> None:
        pod = self.informer.get(namespace, name)
        assert pod is not None, f"no pod {namespace}/{name} to fail"
        self._failed_uids.add(pod["metadata"]["uid"])
        self._touch(self._key(name, namespace))

    def reject(self, name: str, *, namespace: str = "default") -> None:
        self._rejected.add(self._key(name, namespace))
        self._touch(self._key(name, namespace))

    def accept(self, name: str, *, namespace: str = "default") -> None:
        self._rejected.discard(self._key(name, namespace))
        self._touch(self._key(name, namespace))

    def hold_termination(self, name: str, *, namespace: str = "default") -> None:
        self._held.add(self._key(name, namespace))

    def release_termination(self, name: str, *, namespace: str = "default") -> None:
        self._held.discard(self._key(name, namespace))
        self._touch(self._key(name, namespace))

    def fail_on_termination(self, name: str, *, namespace: str = "default") -> None:
        self._fail_on_termination.add(self._key(name, namespace))

    def ready_since(self, name: str, moment: datetime, *, namespace: str = "default") -> None:
        self._ready_since[self._key(name, namespace)] = moment
        self._touch(self._key(name, namespace))

    # the node's work

    def _enqueue(self, pod: Obj) -> None:
        meta = pod["metadata"]
        self.runner.queue.add(self._key(meta["name"], meta.get("namespace", "")))

    def _marker(self, pod: Obj) -> str:
        """Where a resume marker lives: the pod's first claim, else the pod itself."""
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                return f"{pod['metadata'].get('namespace')}/claim/{claim}"
        return self._key(pod["metadata"]["name"], pod["metadata"].get("namespace", ""))

    async def _sync(self, key: str) -> None:
        namespace, _, name = key.rpartition("/")
        pod = self.informer.get(namespace, name)
        if pod is None:
            return
        meta = pod["metadata"]
        try:
            if meta.get("deletionTimestamp"):
                await self._terminate(key, pod)
            elif self.node_name and not (pod.get("spec") or {}).get("nodeName"):
                await self.client.create(PODS, namespace, {"apiVersion": "v1", "kind": "Binding",
                                                           "metadata": {"name": name},
                                                           "target": {"kind": "Node", "name": self.node_name}},
                                         subresource="binding", name=name)
            else:
                await self._write_status(pod, self._desired_status(key, pod))
        except StatusError as exc:
            # Gone, or changed meanwhile: the next event for the pod brings it back here.
            if exc.code not in (404, 409):
                raise

    async def _terminate(self, key: str, pod: Obj) -> None:
        meta = pod["metadata"]
        if key in self._held:
            return
        failing = key in self._fail_on_termination
        final = "Failed" if failing else "Succeeded"
        if (meta.get("finalizers") or failing) and (pod.get("status") or {}).get("phase") != final:
            # The containers are stopped and the pod reaches its final phase; with finalizers it then
            # stays, visible, until they are removed.
            await self._write_status(pod, self._status(pod, phase=final, ready=False, exit_code=1 if failing else 0))
            return
        await self.client.delete(PODS, meta.get("namespace"), meta["name"], grace_period_seconds=0,
                                 preconditions={"uid": meta["uid"]})

    def _desired_status(self, key: str, pod: Obj) -> Obj:
        if pod["metadata"]["uid"] in self._failed_uids or key in self._rejected:
            return self._status(pod, phase="Failed", ready=False, exit_code=1)
        ready = key not in self._not_ready and (not self._paused or self._marker(pod) in self._resumed)
        return self._status(pod, phase="Running", ready=ready, since=self._ready_since.get(key))

    def _status(self, pod: Obj, *, phase: str, ready: bool, exit_code: int | None = None,
                since: datetime | None = None) -> Obj:
        old = pod.get("status") or {}
        now = _rfc3339(datetime.now(UTC))
        previous = {c.get("type"): c for c in old.get("conditions") or []}

        def condition(kind: str, value: bool) -> Obj:
            text = "True" if value else "False"
            kept = previous.get(kind)
            moment = _rfc3339(since) if since is not None and kind in ("Ready", "ContainersReady") and value else None
            if kept is not None and kept.get("status") == text and (moment is None
                                                                    or kept.get("lastTransitionTime") == moment):
                return kept
            return {"type": kind, "status": text, "lastProbeTime": None, "lastTransitionTime": moment or now}

        started = old.get("startTime") or now
        containers = []
        for container in (pod.get("spec") or {}).get("containers") or []:
            state: Obj = ({"terminated": {"exitCode": exit_code, "reason": "Error" if exit_code else "Completed",
                                          "startedAt": started,
                                          "finishedAt": now}}
                          if exit_code is not None else {"running": {"startedAt": started}})
            kept = next((c for c in old.get("containerStatuses") or [] if c.get("name") == container["name"]), None)
            if kept is not None and set(kept.get("state") or {}) == set(state):
                state = kept["state"]
            containers.append({"name": container["name"], "state": state, "ready": ready and exit_code is None,
                               "restartCount": 0, "image": container.get("image", ""), "imageID": "",
                               "started": exit_code is None})
        ip = old.get("podIP") or self._next_ip()
        return {**deep_copy(old), "phase": phase, "startTime": started, "podIP": ip, "podIPs": [{"ip": ip}],
                "conditions": [condition("PodScheduled", True), condition("Initialized", True),
                               condition("ContainersReady", ready), condition("Ready", ready)],
                "containerStatuses": containers}

    def _next_ip(self) -> str:
        n = next(self._ips)
        return f"10.244.{n // 250}.{n % 250 + 2}"

    async def _write_status(self, pod: Obj, status: Obj) -> None:
        if status == pod.get("status"):
            return
        body = {**pod, "status": status}
        await self.client.update(PODS, pod["metadata"].get("namespace"), body, subresource="status")
