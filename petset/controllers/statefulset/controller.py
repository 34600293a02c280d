"""The StatefulSet controller: informers, event routing, the work queue and the sync of one key.

Upstream's ``stateful_set.go``. Four informers feed it (StatefulSets, Pods, PersistentVolumeClaims
and ControllerRevisions); only set and pod events enqueue work, claims and revisions are read from
their caches. A pod event goes to the set named by the pod's controller reference; an orphan pod
goes to every set whose selector matches it, so one of them may adopt it. A key is never synced by
two workers at once, failures are retried with per-key exponential back-off.

Syncing ``namespace/name``:

1. the set from the cache (gone: nothing to do);
2. orphan ControllerRevisions matching the selector are adopted;
3. pods are claimed: wanted orphans (selector matches, name is ``<set>-<ordinal>``) are adopted and
   owned pods no longer wanted are released, by patching ``ownerReferences`` with the pod's uid and
   resourceVersion as preconditions. Adoption first re-reads the set from the API server, so a set
   deleted (or re-created) meanwhile adopts nothing;
4. the update algorithm (``control.py``) runs and writes the status;
5. with ``minReadySeconds``, the key comes back after that long while not every replica is available.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from petset.api import labels
from petset.api.errors import StatusError
from petset.client.events import EventRecorder
from petset.client.informer import InformerFactory, key_of
from petset.client.interface import Client
from petset.controllers.runner import QueueRunner
from petset.controllers.statefulset.control import StatefulSetControl
from petset.controllers.statefulset.pod_control import (
    CLAIMS,
    PODS,
    REVISIONS,
    STATEFULSETS,
    ClientStatefulPodControl,
    StatefulPodControl,
    SyncError,
    aggregate,
)
from petset.controllers.statefulset.utils import (
    SET_KIND,
    get_controller_of,
    is_member_of,
    is_pod_ready,
    min_ready_seconds,
    spec_replicas,
    utc_now,
)

__all__ = ["ADOPT", "CLAIM", "IGNORE", "RELEASE", "StatefulSetController", "claim_decision"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

CLAIM, ADOPT, RELEASE, IGNORE = "claim", "adopt", "release", "ignore"


def claim_decision(set_: Obj, selector: labels.Selector, pod: Obj) -> str:
    """What the controller-ref manager does with ``pod`` for ``set_`` (upstream's ``ClaimObject``).

    CLAIM: ours and wanted. ADOPT: a wanted orphan. RELEASE: ours but no longer wanted. IGNORE:
    someone else's, unwanted, being deleted, or the set itself is being deleted.
    """
    meta, set_meta = pod.get("metadata") or {}, set_.get("metadata") or {}
    wanted = selector.matches(meta.get("labels")) and is_member_of(set_, pod)
    set_deleting = bool(set_meta.get("deletionTimestamp"))
    ref = get_controller_of(pod)
    if ref is not None:
        if ref.get("uid") != set_meta.get("uid"):
            return IGNORE
        if wanted:
            # Owned pods are claimed even while the set is being deleted: that takes no action.
            return CLAIM
        return IGNORE if set_deleting else RELEASE
    if set_deleting or not wanted or meta.get("deletionTimestamp"):
        return IGNORE
    if meta.get("namespace") != set_meta.get("namespace"):
        return IGNORE
    return ADOPT


class StatefulSetController:
    def __init__(self, client: Client, informers: InformerFactory, recorder: EventRecorder, *, workers: int = 5,
                 pod_control: StatefulPodControl | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.client = client
        self.sets = informers.get(STATEFULSETS)
        self.pods = informers.get(PODS)
        self.claims = informers.get(CLAIMS)
        self.revisions = informers.get(REVISIONS)
        self.pod_control: StatefulPodControl = pod_control or ClientStatefulPodControl(
            client, recorder, claims=self.claims, revisions=self.revisions, clock=clock)
        self.control = StatefulSetControl(self.pod_control, clock=clock)
        self.runner = QueueRunner("statefulset-controller", self.sync, workers=workers)
        self._start_task: asyncio.Task[None] | None = None
        self.sets.add_handlers(on_add=self._enqueue, on_update=lambda _old, new: self._enqueue(new),
                               on_delete=self._enqueue)
        self.pods.add_handlers(on_add=self._add_pod, on_update=self._update_pod, on_delete=self._delete_pod)

    # lifecycle

    def start(self) -> None:
        for informer in (self.sets, self.pods, self.claims, self.revisions):
            informer.start()
        self._start_task = asyncio.create_task(self._start_when_synced(), name="statefulset-controller-start")

    async def _start_when_synced(self) -> None:
        # Syncing from half-filled caches would create pods that already exist.
        await asyncio.gather(*(i.wait_synced() for i in (self.sets, self.pods, self.claims, self.revisions)))
        self.runner.start()

    async def stop(self) -> None:
        if self._start_task is not None:
            self._start_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._start_task
            self._start_task = None
        await self.runner.stop()

    # event handlers (§4.1)

    def _enqueue(self, set_: Obj) -> None:
        self.runner.queue.add(key_of(set_))

    def _resolve_controller_ref(self, namespace: str | None, ref: Obj) -> Obj | None:
        if ref.get("kind") != SET_KIND:
            return None
        set_ = self.sets.get(namespace, str(ref.get("name", "")))
        if set_ is None or (set_.get("metadata") or {}).get("uid") != ref.get("uid"):
            return None
        return set_

    def _sets_for_pod(self, pod: Obj) -> list[Obj]:
        meta = pod.get("metadata") or {}
        found = []
        for set_ in self.sets.list(meta.get("namespace") or ""):
            try:
                selector = labels.from_label_selector((set_.get("spec") or {}).get("selector"))
            except labels.SelectorError:
                continue
            # A nil or empty selector matches nothing here, never everything.
            if selector.empty or selector.nothing or not selector.matches(meta.get("labels")):
                continue
            found.append(set_)
        if len(found) > 1:
            log.warning("user error: more than one StatefulSet is selecting pods with labels: %s. Sets: %s",
                        meta.get("labels"), [s["metadata"]["name"] for s in found])
        return found

    def _add_pod(self, pod: Obj) -> None:
        meta = pod.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            # A pod first seen already terminating (e.g. after a restart) is no creation.
            self._delete_pod(pod)
            return
        ref = get_controller_of(pod)
        if ref is not None:
            set_ = self._resolve_controller_ref(meta.get("namespace"), ref)
            if set_ is not None:
                self._enqueue(set_)
            return
        for set_ in self._sets_for_pod(pod):
            self._enqueue(set_)

    def _update_pod(self, old: Obj, cur: Obj) -> None:
        old_meta, cur_meta = old.get("metadata") or {}, cur.get("metadata") or {}
        if old_meta.get("resourceVersion") == cur_meta.get("resourceVersion"):
            return
        labels_changed = old_meta.get("labels") != cur_meta.get("labels")
        old_ref, cur_ref = get_controller_of(old), get_controller_of(cur)
        ref_changed = old_ref != cur_ref
        if ref_changed and old_ref is not None:
            previous = self._resolve_controller_ref(old_meta.get("namespace"), old_ref)
            if previous is not None:
                self._enqueue(previous)
        if cur_ref is not None:
            set_ = self._resolve_controller_ref(cur_meta.get("namespace"), cur_ref)
            if set_ is None:
                return
            self._enqueue(set_)
            min_ready = min_ready_seconds(set_)
            if min_ready > 0 and not is_pod_ready(old) and is_pod_ready(cur):
                # Availability comes with time, not with an event: look again once it may have come
                # (a second more, against clock skew between the pod's timestamp and this clock).
                self.runner.queue.add_after(key_of(set_), min_ready + 1)
            return
        if labels_changed or ref_changed:
            for set_ in self._sets_for_pod(cur):
                self._enqueue(set_)

    def _delete_pod(self, pod: Obj) -> None:
        ref = get_controller_of(pod)
        if ref is None:
            return
        set_ = self._resolve_controller_ref((pod.get("metadata") or {}).get("namespace"), ref)
        if set_ is not None:
            self._enqueue(set_)

    # sync (§4.2)

    async def sync(self, key: str) -> None:
        namespace, _, name = key.rpartition("/")
        set_ = self.sets.get(namespace, name)
        if set_ is None:
            log.info("StatefulSet has been deleted: %s", key)
            return
        try:
            selector = labels.from_label_selector((set_.get("spec") or {}).get("selector"))
        except labels.SelectorError as exc:
            # Not transient: retrying cannot help.
            log.warning("error converting StatefulSet %s selector: %s", key, exc)
            return
        can_adopt = self._can_adopt(set_)
        await self._adopt_orphan_revisions(set_, can_adopt)
        pods = await self._get_pods_for_statefulset(set_, selector, can_adopt)
        status = await self.control.update_statefulset(set_, pods)
        min_ready = min_ready_seconds(set_)
        if min_ready > 0 and status is not None and status.available_replicas != spec_replicas(set_):
            self.runner.queue.add_after(key, min_ready)

    def _can_adopt(self, set_: Obj) -> Callable[[], Awaitable[None]]:
        """Once per sync, before the first adoption: the set, read live, is still this one and alive."""
        meta = set_.get("metadata") or {}
        verdict: list[Exception | None] = []

        async def check() -> None:
            if not verdict:
                verdict.append(await self._recheck(meta))
            if verdict[0] is not None:
                raise verdict[0]

        return check

    async def _recheck(self, meta: Obj) -> Exception | None:
        namespace, name = meta.get("namespace"), str(meta.get("name", ""))
        try:
            fresh = await self.client.get(STATEFULSETS, namespace, name)
        except StatusError as exc:
            return exc
        fresh_meta = fresh.get("metadata") or {}
        if fresh_meta.get("uid") != meta.get("uid"):
            return SyncError(f"original StatefulSet {namespace}/{name} is gone: got uid {fresh_meta.get('uid')}, "
                             f"wanted {meta.get('uid')}")
        if fresh_meta.get("deletionTimestamp"):
            return SyncError(f"{namespace}/{name} has just been deleted at {fresh_meta['deletionTimestamp']}")
        return None

    async def _adopt_orphan_revisions(self, set_: Obj, can_adopt: Callable[[], Awaitable[None]]) -> None:
        orphans = [r for r in await self.pod_control.list_revisions(set_) if get_controller_of(r) is None]
        if not orphans:
            return
        try:
            await can_adopt()
        except StatusError as exc:
            raise SyncError(f"can't adopt ControllerRevisions: {exc}") from exc
        for revision in orphans:
            await self.pod_control.adopt_revision(set_, revision)

    async def _get_pods_for_statefulset(self, set_: Obj, selector: labels.Selector,
                                        can_adopt: Callable[[], Awaitable[None]]) -> list[Obj]:
        """The set's pods: owned ones still wanted, plus orphans adopted now (§4.2 step 4)."""
        claimed: list[Obj] = []
        errors: list[Exception] = []
        for pod in self.pods.list((set_.get("metadata") or {}).get("namespace") or ""):
            decision = claim_decision(set_, selector, pod)
            try:
                if decision == CLAIM:
                    claimed.append(pod)
                elif decision == ADOPT:
                    try:
                        await can_adopt()
                    except StatusError as exc:
                        raise SyncError(f"can't adopt Pod {key_of(pod)} ({pod['metadata'].get('uid')}): "
                                        f"{exc}") from exc
                    await self.pod_control.adopt_pod(set_, pod)
                    claimed.append(pod)
                elif decision == RELEASE:
                    await self.pod_control.release_pod(set_, pod)
            except StatusError as exc:
                # A pod gone meanwhile is simply not ours; anything else is retried with the key.
                if exc.code != 404:
                    errors.append(exc)
        if errors:
            raise aggregate(errors)
        return claimed
