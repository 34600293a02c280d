"""The StatefulSet controller's side effects, behind one interface.

``StatefulPodControl`` is everything the control algorithm does to the world: creating a pod and
its claims, deleting and repairing pods, owner references of claims (the retention policy),
adopting and releasing pods and revisions, creating, re-numbering and deleting ControllerRevisions,
and writing the status. The algorithm in ``control.py`` only decides; tests drive it with an
in-memory fake of this protocol. ``ClientStatefulPodControl`` is the real one: it reads claims and
revisions from informer caches, writes through the client, and records upstream's events:

* ``SuccessfulCreate``/``FailedCreate``, ``SuccessfulDelete``/``FailedDelete``,
  ``SuccessfulUpdate``/``FailedUpdate`` for pods and claims, with upstream's exact texts;
* ``ConflictingController`` when a claim has another controller (sic "manging", as upstream).

An AlreadyExists on pod creation is an error (the sync is retried) without an event, as upstream.
Two small departures, both safer: a claim creation that meets AlreadyExists (a cache not yet
showing a claim just created) is checked against the live claim instead of failing the sync, and
pod deletions carry a UID precondition so a stale cache can never delete a newer incarnation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from petset.api import labels
from petset.api.errors import StatusError
from petset.client.informer import Informer
from petset.client.interface import Client, resource
from petset.controllers.statefulset.revisions import canonical_json, hash_revision, revision_name
from petset.controllers.statefulset.status import StatefulSetStatus, render_status
from petset.controllers.statefulset.utils import (
    SET_API_VERSION,
    SET_KIND,
    claim_names,
    claim_owner_matches_set_and_pod,
    claims_match_retention_policy,
    controller_ref,
    deep_copy,
    get_controller_of,
    has_unexpected_controller,
    identity_matches,
    persistent_volume_claims,
    pod_claim_is_stale,
    storage_matches,
    update_claim_owner_refs,
    update_identity,
    update_storage,
    utc_now,
)

__all__ = ["ClientStatefulPodControl", "EventSink", "StatefulPodControl", "SyncError", "aggregate"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

PODS = resource("v1", "pods")
CLAIMS = resource("v1", "persistentvolumeclaims")
STATEFULSETS = resource("apps/v1", "statefulsets")
REVISIONS = resource("apps/v1", "controllerrevisions")

#: Attempts of a read-modify-write that keeps meeting conflicts (client-go's DefaultRetry has 5).
_CONFLICT_RETRIES = 5


class SyncError(StatusError):
    """A sync that failed for the controller's own reasons, or with several errors at once.

    A StatusError so the queue runner logs it in one line and retries it with back-off, like any
    API error; the message is upstream's aggregate text (``[err1, err2]``).
    """

    def __init__(self, message: str, *, code: int = 500) -> None:
        super().__init__(code, "InternalError" if code != 409 else "Conflict", message)


def aggregate(errors: list[Exception]) -> Exception:
    """``utilerrors.NewAggregate``: one error as itself, several as ``[e1, e2, ...]``."""
    if len(errors) == 1:
        return errors[0]
    conflicts = all(isinstance(e, StatusError) and e.code == 409 for e in errors)
    return SyncError("[" + ", ".join(str(e) for e in errors) + "]", code=409 if conflicts else 500)


class EventSink(Protocol):
    def event(self, obj: Obj, event_type: str, reason: str, message: str) -> None: ...


class StatefulPodControl(Protocol):
    """The side effects of the StatefulSet controller (and the cached reads they depend on)."""

    async def create_stateful_pod(self, set_: Obj, pod: Obj) -> Obj:
        """Create the pod's missing claims, then the pod, then apply the retention policy to the
        claims; returns the created pod."""
        ...

    async def delete_stateful_pod(self, set_: Obj, pod: Obj) -> None: ...

    async def update_stateful_pod(self, set_: Obj, pod: Obj) -> None:
        """Repair identity, storage (creating missing claims) and claim ownership of an existing pod."""
        ...

    async def create_missing_persistent_volume_claims(self, set_: Obj, pod: Obj) -> None: ...

    async def pod_claim_is_stale(self, set_: Obj, pod: Obj) -> bool: ...

    async def claims_match_retention_policy(self, set_: Obj, pod: Obj) -> bool: ...

    async def update_pod_claim_for_retention_policy(self, set_: Obj, pod: Obj) -> None: ...

    async def adopt_pod(self, set_: Obj, pod: Obj) -> None: ...

    async def release_pod(self, set_: Obj, pod: Obj) -> None: ...

    async def list_revisions(self, set_: Obj) -> list[Obj]:
        """Revisions in the set's namespace matching its selector, owned by it or by nobody."""
        ...

    async def adopt_revision(self, set_: Obj, revision: Obj) -> None: ...

    async def create_controller_revision(self, set_: Obj, revision: Obj, collision_count: int) -> tuple[Obj, int]:
        """Create ``revision``, re-hashing with a bumped collision count while another revision holds
        the name; returns the revision (possibly an existing identical one) and the count."""
        ...

    async def update_controller_revision(self, revision: Obj, number: int) -> Obj: ...

    async def delete_controller_revision(self, revision: Obj) -> None: ...

    async def update_statefulset_status(self, set_: Obj, status: StatefulSetStatus) -> None: ...


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _namespace(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("namespace", ""))


def _owner_ref_patch(obj: Obj, refs: list[Obj]) -> Obj:
    """An owner-reference patch pinned to the object seen (uid and resourceVersion preconditions)."""
    meta = obj.get("metadata") or {}
    return {"metadata": {"ownerReferences": refs, "uid": meta.get("uid"),
                         "resourceVersion": meta.get("resourceVersion")}}


class ClientStatefulPodControl:
    def __init__(self, client: Client, recorder: EventSink, *, claims: Informer, revisions: Informer,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.client = client
        self.recorder = recorder
        self.claims = claims
        self.revisions = revisions
        self.clock = clock

    # events

    def _record_pod_event(self, verb: str, set_: Obj, pod: Obj, err: Exception | None) -> None:
        if err is None:
            self.recorder.event(set_, "Normal", f"Successful{verb.title()}",
                                f"{verb} Pod {_name(pod)} in StatefulSet {_name(set_)} successful")
        else:
            self.recorder.event(set_, "Warning", f"Failed{verb.title()}",
                                f"{verb} Pod {_name(pod)} in StatefulSet {_name(set_)} failed error: {err}")

    def _record_claim_event(self, verb: str, set_: Obj, pod: Obj, claim: Obj, err: Exception | None) -> None:
        if err is None:
            self.recorder.event(set_, "Normal", f"Successful{verb.title()}",
                                f"{verb} Claim {_name(claim)} Pod {_name(pod)} in StatefulSet {_name(set_)} success")
        else:
            self.recorder.event(set_, "Warning", f"Failed{verb.title()}",
                                f"{verb} Claim {_name(claim)} for Pod {_name(pod)} in StatefulSet {_name(set_)} "
                                f"failed error: {err}")

    # claims

    def _get_claim(self, namespace: str) -> Callable[[str], Obj | None]:
        return lambda name: self.claims.get(namespace, name)

    async def _create_persistent_volume_claims(self, set_: Obj, pod: Obj) -> None:
        errors: list[Exception] = []
        for claim in persistent_volume_claims(set_, pod).values():
            name = _name(claim)
            existing = self.claims.get(_namespace(set_), name)
            if existing is None:
                try:
                    await self.client.create(CLAIMS, _namespace(set_), claim)
                except StatusError as exc:
                    if exc.reason != "AlreadyExists":
                        errors.append(SyncError(f"failed to create PVC {name}: {exc}"))
                        self._record_claim_event("create", set_, pod, claim, exc)
                        continue
                    # The cache is behind: the claim exists; only a claim being deleted is a problem.
                    try:
                        existing = await self.client.get(CLAIMS, _namespace(set_), name)
                    except StatusError as get_exc:
                        errors.append(SyncError(f"failed to retrieve PVC {name}: {get_exc}"))
                        continue
                else:
                    self._record_claim_event("create", set_, pod, claim, None)
                    continue
            if (existing.get("metadata") or {}).get("deletionTimestamp"):
                errors.append(SyncError(f"pvc {name} is being deleted"))
        if errors:
            raise aggregate(errors)

    async def create_missing_persistent_volume_claims(self, set_: Obj, pod: Obj) -> None:
        await self._create_persistent_volume_claims(set_, pod)
        try:
            await self.update_pod_claim_for_retention_policy(set_, pod)
        except StatusError as exc:
            self._record_pod_event("update", set_, pod, exc)
            raise

    async def pod_claim_is_stale(self, set_: Obj, pod: Obj) -> bool:
        return pod_claim_is_stale(set_, pod, self._get_claim(_namespace(set_)))

    async def claims_match_retention_policy(self, set_: Obj, pod: Obj) -> bool:
        return claims_match_retention_policy(set_, pod, self._get_claim(_namespace(set_)))

    async def update_pod_claim_for_retention_policy(self, set_: Obj, pod: Obj) -> None:
        namespace = _namespace(set_)
        for name in claim_names(set_, pod):
            existing = self.claims.get(namespace, name)
            if existing is None:
                # Not in the cache yet: a later sync picks it up.
                continue
            if has_unexpected_controller(existing, set_, pod):
                self.recorder.event(set_, "Warning", "ConflictingController",
                                    f"PersistentVolumeClaim {name} has a conflicting OwnerReference that acts as a "
                                    "manging controller, the retention policy is ignored for this claim")
            if claim_owner_matches_set_and_pod(existing, set_, pod):
                continue
            updated = deep_copy(existing)
            refs = update_claim_owner_refs(existing, set_, pod)
            if refs:
                updated["metadata"]["ownerReferences"] = refs
            else:
                updated["metadata"].pop("ownerReferences", None)
            try:
                await self.client.update(CLAIMS, namespace, updated)
            except StatusError as exc:
                raise SyncError(f"could not update claim {name} for delete policy ownerRefs: {exc}",
                                code=exc.code if exc.code == 409 else 500) from exc

    # pods

    async def create_stateful_pod(self, set_: Obj, pod: Obj) -> Obj:
        try:
            await self._create_persistent_volume_claims(set_, pod)
        except StatusError as exc:
            self._record_pod_event("create", set_, pod, exc)
            raise
        try:
            created = await self.client.create(PODS, _namespace(set_), pod)
        except StatusError as exc:
            if exc.reason == "AlreadyExists":
                raise
            self._record_pod_event("create", set_, pod, exc)
            raise
        try:
            await self.update_pod_claim_for_retention_policy(set_, created)
        except StatusError as exc:
            self._record_pod_event("update", set_, pod, exc)
            raise
        self._record_pod_event("create", set_, pod, None)
        return created

    async def delete_stateful_pod(self, set_: Obj, pod: Obj) -> None:
        uid = (pod.get("metadata") or {}).get("uid")
        try:
            await self.client.delete(PODS, _namespace(pod) or _namespace(set_), _name(pod),
                                     preconditions={"uid": uid} if uid else None)
        except StatusError as exc:
            self._record_pod_event("delete", set_, pod, exc)
            raise
        self._record_pod_event("delete", set_, pod, None)

    async def update_stateful_pod(self, set_: Obj, pod: Obj) -> None:
        attempted = False
        error: StatusError | None = None
        for attempt in range(_CONFLICT_RETRIES):
            consistent = True
            if not identity_matches(set_, pod):
                update_identity(set_, pod)
                consistent = False
            if not storage_matches(set_, pod):
                update_storage(set_, pod)
                consistent = False
                try:
                    await self._create_persistent_volume_claims(set_, pod)
                except StatusError as exc:
                    self._record_pod_event("update", set_, pod, exc)
                    raise
            if not await self.claims_match_retention_policy(set_, pod):
                try:
                    await self.update_pod_claim_for_retention_policy(set_, pod)
                except StatusError as exc:
                    self._record_pod_event("update", set_, pod, exc)
                    raise
                consistent = False
            if consistent:
                return
            attempted = True
            try:
                await self.client.update(PODS, _namespace(set_), pod)
                error = None
                break
            except StatusError as exc:
                error = exc
                if exc.code != 409 or attempt == _CONFLICT_RETRIES - 1:
                    break
                try:
                    pod = await self.client.get(PODS, _namespace(set_), _name(pod))
                except StatusError:
                    break
        if attempted:
            self._record_pod_event("update", set_, pod, error)
        if error is not None:
            raise error

    async def adopt_pod(self, set_: Obj, pod: Obj) -> None:
        await self.client.patch(PODS, _namespace(pod), _name(pod),
                                _owner_ref_patch(pod, [controller_ref(set_, SET_API_VERSION, SET_KIND)]))

    async def release_pod(self, set_: Obj, pod: Obj) -> None:
        set_uid = (set_.get("metadata") or {}).get("uid")
        try:
            await self.client.patch(PODS, _namespace(pod), _name(pod),
                                    _owner_ref_patch(pod, [{"$patch": "delete", "uid": set_uid}]))
        except StatusError as exc:
            # Gone, or no longer ours (invalid): either way there is nothing left to release.
            if exc.code not in (404, 422):
                raise

    # revisions

    async def list_revisions(self, set_: Obj) -> list[Obj]:
        selector = labels.from_label_selector((set_.get("spec") or {}).get("selector"))
        uid = (set_.get("metadata") or {}).get("uid")
        owned = []
        for revision in self.revisions.list(_namespace(set_), selector):
            ref = get_controller_of(revision)
            if ref is None or ref.get("uid") == uid:
                owned.append(revision)
        return owned

    async def adopt_revision(self, set_: Obj, revision: Obj) -> None:
        await self.client.patch(REVISIONS, _namespace(revision), _name(revision),
                                _owner_ref_patch(revision, [controller_ref(set_, SET_API_VERSION, SET_KIND)]))

    async def create_controller_revision(self, set_: Obj, revision: Obj, collision_count: int) -> tuple[Obj, int]:
        data = canonical_json(revision.get("data"))
        clone = deep_copy(revision)
        while True:
            clone["metadata"]["name"] = revision_name(_name(set_), hash_revision(data, collision_count))
            try:
                return await self.client.create(REVISIONS, _namespace(set_), clone), collision_count
            except StatusError as exc:
                if exc.reason != "AlreadyExists":
                    raise
            existing = await self.client.get(REVISIONS, _namespace(set_), _name(clone))
            if existing.get("data") == clone.get("data"):
                return existing, collision_count
            collision_count += 1

    async def update_controller_revision(self, revision: Obj, number: int) -> Obj:
        clone = deep_copy(revision)
        for attempt in range(_CONFLICT_RETRIES):
            if clone.get("revision") == number:
                return clone
            clone["revision"] = number
            try:
                return await self.client.update(REVISIONS, _namespace(clone), clone)
            except StatusError as exc:
                if exc.code != 409 or attempt == _CONFLICT_RETRIES - 1:
                    raise
                clone = await self.client.get(REVISIONS, _namespace(clone), _name(clone))
        return clone

    async def delete_controller_revision(self, revision: Obj) -> None:
        try:
            await self.client.delete(REVISIONS, _namespace(revision), _name(revision))
        except StatusError as exc:
            if exc.code != 404:
                raise

    # status

    async def update_statefulset_status(self, set_: Obj, status: StatefulSetStatus) -> None:
        current = set_
        for attempt in range(_CONFLICT_RETRIES):
            body = {**current, "status": render_status(status, current, self.clock())}
            if current is not set_ and body["status"] == current.get("status"):
                # A stale cache made the write look necessary; the stored status already says it.
                return
            try:
                await self.client.update(STATEFULSETS, _namespace(set_), body, subresource="status")
                return
            except StatusError as exc:
                if exc.code != 409 or attempt == _CONFLICT_RETRIES - 1:
                    raise
            current = await self.client.get(STATEFULSETS, _namespace(set_), _name(set_))
            if (current.get("metadata") or {}).get("uid") != (set_.get("metadata") or {}).get("uid"):
                return
