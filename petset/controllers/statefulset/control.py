"""The StatefulSet update algorithm: one sync of one set, given its pods (spec §4.3-§4.10).

Upstream's ``stateful_set_control.go``. A sync

1. finds the update revision (creating it, or re-numbering an equal older one on a rollback) and the
   current one;
2. sorts the pods into slots for ``[start, start+replicas)`` and condemned pods outside it, and
   fills empty slots with placeholders at the revision §4.4 chooses;
3. Phase A: each slot, in ordinal order: replace failed pods, create missing pods (claims first),
   create missing claims of Pending pods, wait for the pod to be Running, Ready and available, repair
   identity, storage and claim ownership;
4. Phase B: condemned pods' claims get the owner refs the retention policy wants;
5. Phase C: condemned pods are deleted, highest ordinal first;
6. Phase D: RollingUpdate deletes outdated pods from the highest ordinal down to the partition;
   Phase A re-creates them at the update revision in a later sync;
7. writes the status (on every exit path) and trims the revision history.

``OrderedReady`` sets stop the whole sync at the first step that must wait, so only one pod is
created or deleted per sync and nothing happens behind an unhealthy pod. ``Parallel`` sets process
all slots at once, in slow-start batches (1, 2, 4, ... up to 500; a failing batch stops the rest),
and never wait in Phases A to C.

Beyond upstream (see docs/statefulset.md): ``updateStrategy.rollingUpdate.maxUnavailable`` is
always honoured (upstream 1.32 has it behind an alpha gate). It is an int or a percentage of
``spec.replicas`` rounded down, at least 1, and 1 when absent. Pods that are unhealthy and cannot
be fixed by this rollout (at the update revision, below the partition, or Terminating) use up the
budget; outdated pods are then deleted from the highest ordinal down, each using one unit, healthy
or not. So a pod left broken by a bad revision is replaced when the template is reverted (as 1.32
without the gate does) instead of blocking the rollout forever (as the gate's algorithm would).
With the default of 1 this is upstream's one-pod-at-a-time rollout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from petset.api.errors import StatusError
from petset.controllers.statefulset.pod_control import StatefulPodControl, aggregate
from petset.controllers.statefulset.revisions import (
    apply_revision,
    equal_revision,
    find_equal_revisions,
    new_revision,
    next_revision,
    revisions_to_truncate,
    sort_revisions,
)
from petset.controllers.statefulset.status import (
    Blocker,
    StatefulSetStatus,
    complete_rolling_update,
    needs_write,
    update_status,
)
from petset.controllers.statefulset.utils import (
    allows_burst,
    deep_copy,
    get_ordinal,
    get_pod_revision,
    identity_matches,
    is_created,
    is_failed,
    is_healthy,
    is_pending,
    is_running_and_available,
    is_running_and_ready,
    is_succeeded,
    is_terminating,
    min_ready_seconds,
    new_versioned_statefulset_pod,
    pod_in_ordinal_range,
    spec_replicas,
    start_ordinal,
    storage_matches,
    utc_now,
)

__all__ = ["MAX_BATCH_SIZE", "StatefulSetControl", "max_unavailable", "slow_start_batch"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

#: The largest slow-start batch of a Parallel set (upstream's MaxBatchSize).
MAX_BATCH_SIZE = 500


def _name(obj: Obj | None) -> str:
    return str(((obj or {}).get("metadata") or {}).get("name", ""))


def max_unavailable(set_: Obj) -> int:
    """``rollingUpdate.maxUnavailable`` as a number of pods: percentages of spec.replicas rounded
    down, never below 1; 1 when there is no ``rollingUpdate`` block or no value."""
    rolling = ((set_.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate")
    value = rolling.get("maxUnavailable") if isinstance(rolling, dict) else None
    if value is None:
        return 1
    if isinstance(value, str):
        if not value.endswith("%"):
            return 1
        try:
            return max(int(value[:-1]) * spec_replicas(set_) // 100, 1)
        except ValueError:
            return 1
    return max(int(value), 1)


async def slow_start_batch(count: int, fn: Callable[[int], Awaitable[Any]]) -> int:
    """Run ``fn(0..count-1)`` in concurrent batches of 1, 2, 4, ... (at most MAX_BATCH_SIZE).

    A batch with failures stops the rest: a systematic error (quota, an invalid template) costs one
    call, not ``count``. Returns the number of successes; raises the batch's errors, aggregated.
    """
    successes = done = 0
    batch = min(count, 1)
    while batch > 0:
        results = await asyncio.gather(*(fn(k) for k in range(done, done + batch)), return_exceptions=True)
        done += batch
        errors: list[Exception] = []
        for result in results:
            if isinstance(result, Exception):
                errors.append(result)
            elif isinstance(result, BaseException):
                raise result
        successes += batch - len(errors)
        if errors:
            raise aggregate(errors)
        batch = min(2 * batch, count - done, MAX_BATCH_SIZE)
    return successes


def _terminating(pod: Obj) -> Blocker:
    """A pod on its way out: named with its node, which a stuck deletion is about (spec §9.5)."""
    node = (pod.get("spec") or {}).get("nodeName")
    where = f" on node {node}" if node else ""
    return Blocker(_name(pod), "PodTerminating",
                   f"pod {_name(pod)}{where} is Terminating; it must be gone before the StatefulSet goes on")


def _wait_for(pod: Obj, min_ready: int) -> Blocker:
    """Why an ordered sync waits for ``pod`` (§4.6 steps 4-6)."""
    if is_terminating(pod):
        return _terminating(pod)
    if not is_running_and_ready(pod):
        return Blocker(_name(pod), "PodNotReady", f"pod {_name(pod)} is not Running and Ready")
    return Blocker(_name(pod), "PodNotAvailable",
                   f"pod {_name(pod)} is Ready but not yet available (minReadySeconds: {min_ready})")


@dataclass
class _Round:
    """What one sync works on."""

    set: Obj
    current_set: Obj
    update_set: Obj
    current_revision: str
    update_revision: str
    #: The pod of each slot of [start, start+replicas); None for an empty slot not reached yet.
    replicas: list[Obj | None]
    condemned: list[Obj]
    monotonic: bool
    now: datetime
    first_unhealthy: Obj | None = None
    #: Set when a pod of an ordered set could not be created: the sync ends with that error.
    failed_creation: Blocker | None = None

    def slot(self, i: int) -> Obj:
        """Slot ``i``'s pod, a placeholder at the revision §4.4 chooses when it has none."""
        pod = self.replicas[i]
        if pod is None:
            pod = self.replicas[i] = new_versioned_statefulset_pod(
                self.current_set, self.update_set, self.current_revision, self.update_revision,
                start_ordinal(self.set) + i)
        return pod

    def pods(self) -> list[Obj]:
        """The slots' pods as this sync knows them (placeholders count as not created)."""
        return [pod for pod in self.replicas if pod is not None]


@dataclass
class _Outcome:
    current: Obj | None = None
    update: Obj | None = None
    status: StatefulSetStatus | None = None


class StatefulSetControl:
    """Runs the update algorithm for one set; every side effect goes through ``pod_control``."""

    def __init__(self, pod_control: StatefulPodControl, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.pod_control = pod_control
        self.clock = clock

    async def update_statefulset(self, set_: Obj, pods: list[Obj]) -> StatefulSetStatus | None:
        """Sync ``set_`` with its (claimed) pods; returns the status computed, or raises.

        The revision history is trimmed after the sync, also when it failed.
        """
        set_ = deep_copy(set_)
        revisions = sort_revisions(await self.pod_control.list_revisions(set_))
        outcome = _Outcome()
        errors: list[Exception] = []
        try:
            await self._perform_update(set_, pods, revisions, outcome)
        except Exception as exc:
            errors.append(exc)
        try:
            # Without an update revision the live set is unknown; nothing is trimmed then.
            if outcome.update is not None:
                for revision in revisions_to_truncate(set_, pods, revisions, outcome.current, outcome.update):
                    await self.pod_control.delete_controller_revision(revision)
        except Exception as exc:
            errors.append(exc)
        if errors:
            raise aggregate(errors)
        return outcome.status

    async def _perform_update(self, set_: Obj, pods: list[Obj], revisions: list[Obj], outcome: _Outcome) -> None:
        current, update, collision_count = await self._get_revisions(set_, revisions)
        outcome.current, outcome.update = current, update
        status, error = await self._update_statefulset(set_, current, update, collision_count, pods)
        outcome.status = status
        try:
            await self._write_status(set_, status)
        except StatusError as status_error:
            if error is None:
                raise
            log.warning("statefulset %s/%s: could not update status: %s",
                        (set_.get("metadata") or {}).get("namespace"), _name(set_), status_error)
        if error is not None:
            raise error

    async def _write_status(self, set_: Obj, status: StatefulSetStatus) -> None:
        complete_rolling_update(set_, status)
        if needs_write(set_, status, self.clock()):
            await self.pod_control.update_statefulset_status(set_, status)

    # revisions (§4.3)

    async def _get_revisions(self, set_: Obj, revisions: list[Obj]) -> tuple[Obj, Obj, int]:
        collision_count = int((set_.get("status") or {}).get("collisionCount") or 0)
        candidate = new_revision(set_, next_revision(revisions), collision_count)
        equal = find_equal_revisions(revisions, candidate)
        if equal and equal_revision(revisions[-1], equal[-1]):
            update = revisions[-1]
        elif equal:
            # A rollback: the old revision becomes the newest again, under its own name.
            update = await self.pod_control.update_controller_revision(equal[-1], int(candidate["revision"]))
        else:
            update, collision_count = await self.pod_control.create_controller_revision(
                set_, candidate, collision_count)
        current_name = (set_.get("status") or {}).get("currentRevision")
        current = next((r for r in revisions if _name(r) == current_name), None)
        return current or update, update, collision_count

    # the phases

    async def _update_statefulset(self, set_: Obj, current_revision: Obj, update_revision: Obj,
                                  collision_count: int, pods: list[Obj]) -> tuple[StatefulSetStatus, Exception | None]:
        current_set = apply_revision(set_, current_revision)
        update_set = apply_revision(set_, update_revision)
        current_name, update_name = _name(current_revision), _name(update_revision)
        now = self.clock()
        min_ready = min_ready_seconds(set_)
        status = StatefulSetStatus(observed_generation=int((set_.get("metadata") or {}).get("generation") or 0),
                                   current_revision=current_name, update_revision=update_name,
                                   collision_count=collision_count)
        update_status(status, min_ready, current_name, update_name, pods, now=now)

        start = start_ordinal(set_)
        replicas: list[Obj | None] = [None] * spec_replicas(set_)
        condemned: list[Obj] = []
        for pod in pods:
            if pod_in_ordinal_range(pod, set_):
                replicas[get_ordinal(pod) - start] = pod
            elif get_ordinal(pod) >= 0:
                condemned.append(pod)
        condemned.sort(key=get_ordinal, reverse=True)
        round_ = _Round(set=set_, current_set=current_set, update_set=update_set, current_revision=current_name,
                        update_revision=update_name, replicas=replicas, condemned=condemned,
                        monotonic=not allows_burst(set_), now=now)
        # An empty slot is unhealthy too; its placeholder pod is only built when the slot is reached.
        first = next((i for i, p in enumerate(replicas) if p is None or not is_healthy(p)), None)
        round_.first_unhealthy = replicas[first] if first is not None else next(
            (p for p in reversed(condemned) if not is_healthy(p)), None)

        if (set_.get("metadata") or {}).get("deletionTimestamp"):
            status.blocker_known = False
            return status, None

        try:
            blocker = await self._run_for_all(round_, len(replicas), self._process_replica)
            if blocker is None:
                blocker = await self._run_for_all(round_, len(condemned), self._fix_pod_claim)
            if blocker is None:
                blocker = await self._run_for_all(round_, len(condemned), self._process_condemned)
        except Exception as exc:
            update_status(status, min_ready, current_name, update_name, round_.pods(), condemned, now=now)
            status.blocker = round_.failed_creation
            status.blocker_known = round_.failed_creation is not None
            return status, exc
        update_status(status, min_ready, current_name, update_name, round_.pods(), condemned, now=now)
        if blocker is None:
            strategy = ((set_.get("spec") or {}).get("updateStrategy") or {}).get("type", "RollingUpdate")
            if strategy == "RollingUpdate":
                try:
                    blocker = await self._rolling_update(round_, status, current_name, update_name)
                except Exception as exc:
                    status.blocker_known = False
                    return status, exc
        status.blocker = blocker
        return status, None

    async def _run_for_all(self, round_: _Round, count: int,
                           fn: Callable[[_Round, int], Awaitable[Blocker | None]]) -> Blocker | None:
        """Ordered: one by one, stopping at the first blocker. Parallel: slow-start batches."""
        if round_.monotonic:
            for i in range(count):
                blocker = await fn(round_, i)
                if blocker is not None:
                    return blocker
            return None
        await slow_start_batch(count, lambda i: fn(round_, i))
        return None

    async def _process_replica(self, round_: _Round, i: int) -> Blocker | None:
        """Phase A for slot ``i`` (§4.6)."""
        pod = round_.slot(i)
        control = self.pod_control
        name = _name(pod)
        # Succeeded counts too: a pod's final phase after eviction or a node reboot depends on the
        # exit code, not on why it stopped; either way it is replaced.
        if is_failed(pod) or is_succeeded(pod):
            if not is_terminating(pod):
                await control.delete_stateful_pod(round_.set, pod)
            phase = "Failed" if is_failed(pod) else "Succeeded"
            # The replacement comes in a later sync, once the old object is gone (at most one pod).
            return Blocker(name, f"Pod{phase}", f"pod {name} is {phase} and is being replaced")

        if not is_created(pod):
            if await control.pod_claim_is_stale(round_.set, pod):
                return Blocker(name, "StaleClaim", f"a claim of pod {name} still belongs to a deleted pod of that "
                                                   "name; waiting for the garbage collector to remove it")
            try:
                created = await control.create_stateful_pod(round_.set, pod)
            except StatusError as exc:
                if round_.monotonic and exc.reason != "AlreadyExists":
                    round_.failed_creation = Blocker(name, "FailedCreate", f"pod {name} could not be created: {exc}")
                raise
            # As upstream, the new pod counts in the status once the pod cache shows it: counting it now
            # would make a sync that runs before the cache has it write a lower count again.
            if round_.monotonic:
                # One creation per sync; the new pod is what the set waits for now.
                return _wait_for(created, min_ready_seconds(round_.set))

        if is_pending(pod):
            # A claim deleted while the pod could not start (e.g. unschedulable) is re-created.
            await control.create_missing_persistent_volume_claims(round_.set, pod)

        min_ready = min_ready_seconds(round_.set)
        if round_.monotonic and (is_terminating(pod) or not is_running_and_ready(pod)
                                 or not is_running_and_available(pod, min_ready, round_.now)):
            return _wait_for(pod, min_ready)

        try:
            retention_match = await control.claims_match_retention_policy(round_.update_set, pod)
        except StatusError:
            # Expected while the pod is not fully updated; the update below repairs it.
            retention_match = True
        if identity_matches(round_.set, pod) and storage_matches(round_.set, pod) and retention_match:
            return None
        await control.update_stateful_pod(round_.update_set, deep_copy(pod))
        return None

    async def _fix_pod_claim(self, round_: _Round, i: int) -> Blocker | None:
        """Phase B (§4.7): a condemned pod's claims get the owner refs the policy wants, before the
        pod goes (so whenScaled: Delete claims follow their pod to the garbage collector)."""
        pod = round_.condemned[i]
        if not await self.pod_control.claims_match_retention_policy(round_.update_set, pod):
            await self.pod_control.update_pod_claim_for_retention_policy(round_.update_set, pod)
        return None

    async def _process_condemned(self, round_: _Round, i: int) -> Blocker | None:
        """Phase C (§4.8): scale down, highest ordinal first, one at a time when ordered."""
        pod = round_.condemned[i]
        if is_terminating(pod):
            return _wait_for(pod, 0) if round_.monotonic else None
        min_ready = min_ready_seconds(round_.set)
        if round_.monotonic and pod is not round_.first_unhealthy and (
                not is_running_and_ready(pod) or not is_running_and_available(pod, min_ready, round_.now)):
            # Only the lowest unhealthy pod may go while others are unhealthy: that is the one named.
            return _wait_for(round_.first_unhealthy or pod, min_ready)
        await self.pod_control.delete_stateful_pod(round_.set, pod)
        # Said as the next sync will find it, so the condition need not be rewritten then.
        return _terminating(pod) if round_.monotonic else None

    async def _rolling_update(self, round_: _Round, status: StatefulSetStatus, current_name: str,
                              update_name: str) -> Blocker | None:
        """Phase D (§4.9): delete outdated pods, highest ordinal first, within maxUnavailable."""
        rolling = ((round_.set.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate")
        update_min = int(rolling.get("partition") or 0) if isinstance(rolling, dict) else 0
        # Every slot was reached by Phase A (it did not block), so every slot has a pod.
        replicas = [round_.slot(i) for i in range(len(round_.replicas))]

        def outdated(index: int) -> bool:
            pod = replicas[index]
            return index >= update_min and is_created(pod) and get_pod_revision(pod) != update_name

        # Unhealthy pods this rollout cannot fix by deleting them use up the budget first.
        stuck = [p for i, p in enumerate(replicas) if not is_healthy(p) and (not outdated(i) or is_terminating(p))]
        budget = max_unavailable(round_.set) - len(stuck)
        deleted: list[Obj] = []
        for target in range(len(replicas) - 1, update_min - 1, -1):
            if budget <= 0:
                break
            pod = replicas[target]
            if not outdated(target) or is_terminating(pod):
                continue
            await self.pod_control.delete_stateful_pod(round_.set, pod)
            deleted.append(pod)
            budget -= 1
            if get_pod_revision(pod) == current_name:
                status.current_replicas -= 1
        if deleted:
            return _terminating(deleted[0])
        if any(outdated(i) for i in range(len(replicas))) and stuck:
            return _wait_for(stuck[0], 0)
        return None
