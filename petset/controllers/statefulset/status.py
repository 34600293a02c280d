"""StatefulSet status: the counters, the end of a rollout, the write rule, and the blocked condition.

Upstream computes the counters over the pods it manages (§1.3 of the spec), completes a rolling
update when every replica is updated and ready, and writes the status only when something it tracks
changed (``inconsistentStatus``): a newer generation, a counter or a revision. The write replaces
the whole status through the status subresource, and happens on every exit path of a sync, also
when the sync was blocked or failed, so ``observedGeneration`` and ``updateRevision`` are published
while a rollout waits.

Beyond upstream (documented in docs/statefulset.md):

* ``OrderedProgressBlocked``: a condition naming the pod that holds up an ordered scale or a rollout
  and why (not Running and Ready, not yet available, Terminating, failed, a stale claim, a creation
  that fails). It is present only while something waits on a pod and removed when nothing does. It
  is rewritten only when the blocking pod or the reason changes (``lastTransitionTime`` then says
  since when *this* pod blocks), so a stuck set causes no status writes; in a progressing set it
  changes in the same syncs as the counters, so it adds no writes there either.
* OnDelete completes like RollingUpdate: once every replica is at the update revision and ready,
  ``currentRevision`` becomes the update revision (spec §9.11; 1.32 never advances it).
* Conditions written by others are kept (upstream drops them at its next status write).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from petset.controllers.statefulset.utils import (
    get_pod_revision,
    is_created,
    is_running_and_available,
    is_running_and_ready,
    is_terminating,
    spec_replicas,
)

__all__ = [
    "ORDERED_PROGRESS_BLOCKED",
    "Blocker",
    "StatefulSetStatus",
    "complete_rolling_update",
    "desired_conditions",
    "inconsistent_status",
    "needs_write",
    "render_status",
    "update_status",
]

Obj = dict[str, Any]

#: The condition type petset adds; see the module docstring.
ORDERED_PROGRESS_BLOCKED = "OrderedProgressBlocked"


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Blocker:
    """The pod an ordered scale or a rollout waits for, and why (a CamelCase reason and a sentence)."""

    pod: str
    reason: str
    message: str


@dataclass
class StatefulSetStatus:
    observed_generation: int = 0
    replicas: int = 0
    ready_replicas: int = 0
    current_replicas: int = 0
    updated_replicas: int = 0
    available_replicas: int = 0
    current_revision: str = ""
    update_revision: str = ""
    collision_count: int = 0
    #: What held this sync up; None when nothing did.
    blocker: Blocker | None = None
    #: False when the sync could not tell (the set is being deleted, or an error cut the sync short):
    #: the condition is then left as it is.
    blocker_known: bool = True


def update_status(status: StatefulSetStatus, min_ready_seconds: int, current_revision: str, update_revision: str,
                  *pod_lists: list[Obj], now: datetime) -> None:
    """Recount the replicas of ``status`` over the pods (upstream's ``updateStatus``)."""
    status.replicas = status.ready_replicas = status.available_replicas = 0
    status.current_replicas = status.updated_replicas = 0
    for pods in pod_lists:
        for pod in pods:
            if not is_created(pod):
                continue
            status.replicas += 1
            if is_running_and_ready(pod):
                status.ready_replicas += 1
                if is_running_and_available(pod, min_ready_seconds, now):
                    status.available_replicas += 1
            if not is_terminating(pod):
                revision = get_pod_revision(pod)
                if revision == current_revision:
                    status.current_replicas += 1
                if revision == update_revision:
                    status.updated_replicas += 1


def complete_rolling_update(set_: Obj, status: StatefulSetStatus) -> None:
    """Make the update revision current once every replica is updated and ready.

    Upstream does this for RollingUpdate only; petset also for OnDelete (see the module docstring).
    """
    strategy = ((set_.get("spec") or {}).get("updateStrategy") or {}).get("type", "RollingUpdate")
    if strategy in ("RollingUpdate", "OnDelete") and (
            status.updated_replicas == status.ready_replicas == status.replicas == spec_replicas(set_)):
        status.current_replicas = status.updated_replicas
        status.current_revision = status.update_revision


def inconsistent_status(set_: Obj, status: StatefulSetStatus) -> bool:
    """Upstream's write rule: a newer generation, or a counter or revision that changed."""
    stored = set_.get("status") or {}
    return (status.observed_generation > int(stored.get("observedGeneration") or 0)
            or status.replicas != int(stored.get("replicas") or 0)
            or status.current_replicas != int(stored.get("currentReplicas") or 0)
            or status.ready_replicas != int(stored.get("readyReplicas") or 0)
            or status.updated_replicas != int(stored.get("updatedReplicas") or 0)
            or status.current_revision != (stored.get("currentRevision") or "")
            or status.available_replicas != int(stored.get("availableReplicas") or 0)
            or status.update_revision != (stored.get("updateRevision") or ""))


def desired_conditions(existing: list[Obj], status: StatefulSetStatus, now: datetime) -> list[Obj]:
    """The conditions to write: others' as they are, ours from the blocker (kept if unchanged)."""
    ours = next((c for c in existing if c.get("type") == ORDERED_PROGRESS_BLOCKED), None)
    others = [c for c in existing if c.get("type") != ORDERED_PROGRESS_BLOCKED]
    if not status.blocker_known:
        return existing
    blocker = status.blocker
    if blocker is None:
        return others
    if ours is not None and ours.get("status") == "True" and ours.get("reason") == blocker.reason \
            and ours.get("message") == blocker.message:
        return existing
    condition = {"type": ORDERED_PROGRESS_BLOCKED, "status": "True", "lastTransitionTime": _rfc3339(now),
                 "reason": blocker.reason, "message": blocker.message}
    return [*others, condition]


def _conditions_of(set_: Obj) -> list[Obj]:
    return [c for c in (set_.get("status") or {}).get("conditions") or [] if isinstance(c, dict)]


def needs_write(set_: Obj, status: StatefulSetStatus, now: datetime) -> bool:
    """Upstream's rule, plus a change of the OrderedProgressBlocked condition."""
    existing = _conditions_of(set_)
    return inconsistent_status(set_, status) or desired_conditions(existing, status, now) != existing


def render_status(status: StatefulSetStatus, current: Obj, now: datetime) -> Obj:
    """The whole ``.status`` to write over the stored object ``current``, field order and omissions as Go's."""
    out: Obj = {}
    if status.observed_generation:
        out["observedGeneration"] = status.observed_generation
    out["replicas"] = status.replicas
    if status.ready_replicas:
        out["readyReplicas"] = status.ready_replicas
    if status.current_replicas:
        out["currentReplicas"] = status.current_replicas
    if status.updated_replicas:
        out["updatedReplicas"] = status.updated_replicas
    if status.current_revision:
        out["currentRevision"] = status.current_revision
    if status.update_revision:
        out["updateRevision"] = status.update_revision
    out["collisionCount"] = status.collision_count
    conditions = desired_conditions(_conditions_of(current), status, now)
    if conditions:
        out["conditions"] = conditions
    out["availableReplicas"] = status.available_replicas
    return out
