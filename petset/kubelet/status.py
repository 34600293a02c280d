"""Pod status as the kubelet reports it: phase, conditions and container statuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["ContainerView", "now", "pod_phase", "pod_status"]

Obj = dict[str, Any]


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ContainerView:
    """What the kubelet knows of one container, in the shape of a containerStatus."""

    name: str
    image: str
    init: bool = False
    state: Obj = field(default_factory=lambda: {"waiting": {"reason": "ContainerCreating"}})
    last_state: Obj = field(default_factory=dict)
    ready: bool = False
    started: bool = False
    restart_count: int = 0
    container_id: str = ""
    image_id: str = ""
    #: Exited and will not be started again (restartPolicy), or an init container that succeeded.
    finished: bool = False

    @property
    def running(self) -> bool:
        return "running" in self.state

    @property
    def exit_code(self) -> int | None:
        terminated = self.state.get("terminated")
        return terminated.get("exitCode") if terminated else None

    def as_status(self) -> Obj:
        status: Obj = {"name": self.name, "state": self.state, "lastState": self.last_state, "ready": self.ready,
                       "restartCount": self.restart_count, "image": self.image,
                       "imageID": self.image_id, "started": self.started}
        if self.container_id:
            status["containerID"] = self.container_id
        return status


def pod_phase(restart_policy: str, init: list[ContainerView], containers: list[ContainerView],
              sandbox_ready: bool) -> str:
    """The phase rules of the kubelet's getPhase."""
    if not sandbox_ready:
        return "Pending"
    for view in init:
        if not view.finished or view.exit_code not in (0, None):
            if view.finished and restart_policy == "Never":
                return "Failed"
            return "Pending"
    running = sum(1 for c in containers if c.running)
    waiting = sum(1 for c in containers if "waiting" in c.state)
    stopped = [c for c in containers if "terminated" in c.state]
    succeeded = sum(1 for c in stopped if c.exit_code == 0)
    failed = len(stopped) - succeeded
    if waiting and not running and not stopped:
        return "Pending"
    if running:
        return "Running"
    if waiting:
        # Restarting after an exit: a pod that ran stays Running.
        return "Running" if any(c.restart_count for c in containers) else "Pending"
    if len(stopped) == len(containers):
        if restart_policy == "Always":
            return "Running"
        if failed and restart_policy == "Never":
            return "Failed"
        if failed and restart_policy == "OnFailure":
            return "Running"
        return "Succeeded" if not failed else "Failed"
    return "Pending"


def _condition(old: Obj, kind: str, status: str, reason: str | None = None, message: str | None = None) -> Obj:
    previous = next((c for c in old.get("conditions") or [] if c.get("type") == kind), None)
    moment = previous.get("lastTransitionTime") if previous and previous.get("status") == status else now()
    cond: Obj = {"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": moment}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def pod_status(pod: Obj, *, phase: str, host_ip: str, pod_ip: str | None, start_time: str,
               init: list[ContainerView], containers: list[ContainerView], sandbox_ready: bool,
               reason: str | None = None, message: str | None = None) -> Obj:
    old = pod.get("status") or {}
    done = phase in ("Succeeded", "Failed")
    conditions = [_condition(old, "PodReadyToStartContainers", "True" if sandbox_ready and not done else "False")]
    unfinished = [c.name for c in init if not (c.finished and c.exit_code == 0)]
    if not unfinished:
        conditions.append(_condition(old, "Initialized", "True", "PodCompleted" if done and init else None))
    else:
        conditions.append(_condition(old, "Initialized", "False", "ContainersNotInitialized",
                                     f"containers with incomplete status: [{' '.join(unfinished)}]"))
    unready = [c.name for c in containers if not c.ready]
    ready: tuple[str, str | None, str | None]
    if done:
        ready = ("False", "PodCompleted", None)
    elif unready:
        ready = ("False", "ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]")
    else:
        ready = ("True", None, None)
    conditions.append(_condition(old, "Ready", *ready))
    conditions.append(_condition(old, "ContainersReady", *ready))
    managed = {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"}
    conditions += [c for c in old.get("conditions") or [] if c.get("type") not in managed]
    status: Obj = {"phase": phase, "conditions": conditions, "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
                   "startTime": start_time, "containerStatuses": [c.as_status() for c in containers]}
    if pod_ip:
        status["podIP"] = pod_ip
        status["podIPs"] = [{"ip": pod_ip}]
    if init:
        status["initContainerStatuses"] = [c.as_status() for c in init]
    # None clears a reason another writer left (the node controller's NodeLost) through the merge patch.
    status["reason"] = reason or None
    status["message"] = message or None
    if old.get("qosClass"):
        status["qosClass"] = old["qosClass"]
    return status
