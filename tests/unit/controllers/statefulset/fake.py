"""An in-memory world behind the StatefulPodControl interface, for tests of the control algorithm.

It keeps pods, claims and revisions in dicts, changes them only through the interface (and through
the kubelet-like helpers tests call), records every action, and can be told to fail an action.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from petset.api import labels
from petset.api.errors import StatusError, already_exists, not_found
from petset.controllers.statefulset.control import StatefulSetControl
from petset.controllers.statefulset.pod_control import SyncError
from petset.controllers.statefulset.revisions import canonical_json, hash_revision, revision_name
from petset.controllers.statefulset.status import StatefulSetStatus, render_status
from petset.controllers.statefulset.utils import (
    claim_owner_matches_set_and_pod,
    claims_match_retention_policy,
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
)

Obj = dict[str, Any]


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2024, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def rfc3339(self, delta: float = 0) -> str:
        return (self.now + timedelta(seconds=delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def statefulset(name: str = "web", replicas: int = 3, *, claims: tuple[str, ...] = ("www",), **spec: Any) -> Obj:
    """A StatefulSet as the API server stores it (defaulted), with a uid and a generation."""
    body: Obj = {
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "generation": 1,
                     "resourceVersion": "1"},
        "spec": {
            "replicas": replicas, "serviceName": "nginx", "selector": {"matchLabels": {"app": name}},
            "podManagementPolicy": "OrderedReady", "revisionHistoryLimit": 10,
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": {"metadata": {"creationTimestamp": None, "labels": {"app": name}},
                         "spec": {"containers": [{"name": "nginx", "image": "nginx:1"}]}},
            "volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                      "metadata": {"name": c, "creationTimestamp": None},
                                      "spec": {"accessModes": ["ReadWriteOnce"],
                                               "resources": {"requests": {"storage": "1Gi"}}},
                                      "status": {"phase": "Pending"}} for c in claims],
            **spec,
        },
        "status": {"replicas": 0, "availableReplicas": 0},
    }
    return body


class FakeWorld:
    """The pods, claims and revisions of one namespace, and one StatefulSet."""

    def __init__(self, set_: Obj, *, clock: FakeClock | None = None) -> None:
        self.set = set_
        self.clock = clock or FakeClock()
        self.pods: dict[str, Obj] = {}
        self.claims: dict[str, Obj] = {}
        self.revisions: dict[str, Obj] = {}
        self.events: list[tuple[str, str, str]] = []
        self.actions: list[tuple[str, str]] = []
        #: (action, name) -> error raised instead of doing it; action in create/delete/update/create-claim.
        self.failures: dict[tuple[str, str], Exception] = {}
        #: Deleted pods stay Terminating until finish_termination (pods on a node).
        self.graceful = False
        self.status_writes = 0
        self._uids = itertools.count(1)
        self._versions = itertools.count(2)
        self.control = StatefulSetControl(self, clock=self.clock)

    # the test's view

    async def sync(self) -> StatefulSetStatus | None:
        owned = [p for p in self.pods.values()
                 if (get_controller_of(p) or {}).get("uid") == self.set["metadata"]["uid"]]
        return await self.control.update_statefulset(self.set, owned)

    async def sync_until_stable(self, rounds: int = 50) -> None:
        for _ in range(rounds):
            before = len(self.actions)
            await self.sync()
            if len(self.actions) == before:
                return
        raise AssertionError("no steady state")

    def names(self) -> list[str]:
        return sorted(self.pods, key=lambda n: int(n.rsplit("-", 1)[1]))

    def status(self) -> Obj:
        status: Obj = self.set["status"]
        return status

    def condition(self) -> Any:
        """The OrderedProgressBlocked condition, or None."""
        return next((c for c in self.status().get("conditions") or [] if c["type"] == "OrderedProgressBlocked"), None)

    # the kubelet's part

    def run(self, name: str, *, ready: bool = True, since: float = 0) -> None:
        pod = self.pods[name]
        pod["status"] = {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": self.clock.rfc3339(since)}]}
        self._bump(pod)

    def run_all(self, *, ready: bool = True) -> None:
        for name in list(self.pods):
            if not self.pods[name]["metadata"].get("deletionTimestamp"):
                self.run(name, ready=ready)

    def set_phase(self, name: str, phase: str) -> None:
        self.pods[name]["status"]["phase"] = phase
        self._bump(self.pods[name])

    def finish_termination(self, name: str) -> None:
        del self.pods[name]

    def terminate(self, name: str) -> None:
        self.pods[name]["metadata"]["deletionTimestamp"] = self.clock.rfc3339()

    def add_claim(self, name: str, *, refs: list[Obj] | None = None, deleting: bool = False) -> Obj:
        claim: Obj = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "metadata": {"name": name, "namespace": "default", "uid": f"claim-{next(self._uids)}"},
                      "spec": {}}
        if refs:
            claim["metadata"]["ownerReferences"] = refs
        if deleting:
            claim["metadata"]["deletionTimestamp"] = self.clock.rfc3339()
        self.claims[name] = claim
        return claim

    def edit(self, change: Any) -> None:
        """A user's spec change: the generation moves on."""
        change(self.set["spec"])
        self.set["metadata"]["generation"] += 1

    def _bump(self, obj: Obj) -> None:
        obj["metadata"]["resourceVersion"] = str(next(self._versions))

    def _fail(self, action: str, name: str) -> None:
        error = self.failures.pop((action, name), None)
        if error is not None:
            raise error

    # StatefulPodControl

    def _get_claim(self, name: str) -> Obj | None:
        return self.claims.get(name)

    async def _create_claims(self, set_: Obj, pod: Obj) -> None:
        errors = []
        for claim in persistent_volume_claims(set_, pod).values():
            name = claim["metadata"]["name"]
            existing = self.claims.get(name)
            if existing is None:
                try:
                    self._fail("create-claim", name)
                except StatusError as exc:
                    errors.append(SyncError(f"failed to create PVC {name}: {exc}"))
                    continue
                claim["metadata"]["uid"] = f"claim-{next(self._uids)}"
                self.claims[name] = claim
                self.actions.append(("create-claim", name))
            elif existing["metadata"].get("deletionTimestamp"):
                errors.append(SyncError(f"pvc {name} is being deleted"))
        if errors:
            raise errors[0] if len(errors) == 1 else SyncError(str(errors))

    async def create_stateful_pod(self, set_: Obj, pod: Obj) -> Obj:
        await self._create_claims(set_, pod)
        name = pod["metadata"]["name"]
        if name in self.pods:
            raise already_exists("pods", "", name)
        self._fail("create", name)
        created = deep_copy(pod)
        created["metadata"]["uid"] = f"pod-{next(self._uids)}"
        created["metadata"]["creationTimestamp"] = self.clock.rfc3339()
        created["status"] = {"phase": "Pending"}
        self._bump(created)
        self.pods[name] = created
        self.actions.append(("create", name))
        await self.update_pod_claim_for_retention_policy(set_, created)
        return deep_copy(created)

    async def delete_stateful_pod(self, set_: Obj, pod: Obj) -> None:
        name = pod["metadata"]["name"]
        self._fail("delete", name)
        if name not in self.pods:
            raise not_found("pods", "", name)
        self.actions.append(("delete", name))
        if self.graceful:
            self.terminate(name)
        else:
            del self.pods[name]

    async def update_stateful_pod(self, set_: Obj, pod: Obj) -> None:
        name = pod["metadata"]["name"]
        self._fail("update", name)
        if not identity_matches(set_, pod):
            update_identity(set_, pod)
        if not storage_matches(set_, pod):
            update_storage(set_, pod)
            await self._create_claims(set_, pod)
        if not claims_match_retention_policy(set_, pod, self._get_claim):
            await self.update_pod_claim_for_retention_policy(set_, pod)
        self._bump(pod)
        self.pods[name] = pod
        self.actions.append(("update", name))

    async def create_missing_persistent_volume_claims(self, set_: Obj, pod: Obj) -> None:
        await self._create_claims(set_, pod)
        await self.update_pod_claim_for_retention_policy(set_, pod)

    async def pod_claim_is_stale(self, set_: Obj, pod: Obj) -> bool:
        return pod_claim_is_stale(set_, pod, self._get_claim)

    async def claims_match_retention_policy(self, set_: Obj, pod: Obj) -> bool:
        return claims_match_retention_policy(set_, pod, self._get_claim)

    async def update_pod_claim_for_retention_policy(self, set_: Obj, pod: Obj) -> None:
        for claim in persistent_volume_claims(set_, pod).values():
            existing = self.claims.get(claim["metadata"]["name"])
            if existing is None:
                continue
            if has_unexpected_controller(existing, set_, pod):
                self.events.append(("Warning", "ConflictingController", existing["metadata"]["name"]))
            if not claim_owner_matches_set_and_pod(existing, set_, pod):
                existing["metadata"]["ownerReferences"] = update_claim_owner_refs(existing, set_, pod)
                self.actions.append(("update-claim", existing["metadata"]["name"]))

    async def adopt_pod(self, set_: Obj, pod: Obj) -> None:
        raise AssertionError("not used by the control algorithm")

    async def release_pod(self, set_: Obj, pod: Obj) -> None:
        raise AssertionError("not used by the control algorithm")

    async def list_revisions(self, set_: Obj) -> list[Obj]:
        selector = labels.from_label_selector(set_["spec"]["selector"])
        return [deep_copy(r) for r in self.revisions.values() if selector.matches(r["metadata"].get("labels"))
                and (get_controller_of(r) or {}).get("uid") in (None, set_["metadata"]["uid"])]

    async def adopt_revision(self, set_: Obj, revision: Obj) -> None:
        raise AssertionError("not used by the control algorithm")

    async def create_controller_revision(self, set_: Obj, revision: Obj, collision_count: int) -> tuple[Obj, int]:
        data = canonical_json(revision["data"])
        while True:
            name = revision_name(set_["metadata"]["name"], hash_revision(data, collision_count))
            existing = self.revisions.get(name)
            if existing is None:
                created = deep_copy(revision)
                created["metadata"]["name"] = name
                created["metadata"]["creationTimestamp"] = self.clock.rfc3339()
                self.revisions[name] = created
                self.actions.append(("create-revision", name))
                return deep_copy(created), collision_count
            if existing["data"] == revision["data"]:
                return deep_copy(existing), collision_count
            collision_count += 1

    async def update_controller_revision(self, revision: Obj, number: int) -> Obj:
        stored = self.revisions[revision["metadata"]["name"]]
        stored["revision"] = number
        self.actions.append(("update-revision", revision["metadata"]["name"]))
        return deep_copy(stored)

    async def delete_controller_revision(self, revision: Obj) -> None:
        del self.revisions[revision["metadata"]["name"]]
        self.actions.append(("delete-revision", revision["metadata"]["name"]))

    async def update_statefulset_status(self, set_: Obj, status: StatefulSetStatus) -> None:
        self._fail("status", set_["metadata"]["name"])
        self.set["status"] = render_status(status, self.set, self.clock())
        self.status_writes += 1
