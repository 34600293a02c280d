"""Pure helpers: ordinals, identity, predicates and the retention-policy owner-reference matrix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from petset.controllers.statefulset.utils import (
    claim_owner_matches_set_and_pod,
    get_parent_name_and_ordinal,
    has_stale_owner_ref,
    identity_matches,
    is_healthy,
    is_running_and_available,
    new_versioned_statefulset_pod,
    pod_claim_is_stale,
    pod_in_ordinal_range,
    storage_matches,
    update_claim_owner_refs,
)
from tests.unit.controllers.statefulset.fake import statefulset

Obj = dict


def pod(name: str, uid: str = "", **meta: object) -> Obj:
    return {"metadata": {"name": name, "namespace": "default", "uid": uid, **meta}}


def set_ref(uid: str = "uid-web", name: str = "web", controller: bool = True) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": name, "uid": uid, "controller": controller,
            "blockOwnerDeletion": True}


def pod_ref(name: str = "web-1", uid: str = "pod-1") -> Obj:
    return {"apiVersion": "v1", "kind": "Pod", "name": name, "uid": uid, "controller": True, "blockOwnerDeletion": True}


def claim(*refs: Obj) -> Obj:
    meta: Obj = {"name": "www-web-1", "namespace": "default"}
    if refs:
        meta["ownerReferences"] = list(refs)
    return {"metadata": meta}


def policy_set(when_deleted: str, when_scaled: str, replicas: int = 3) -> Obj:
    return statefulset(replicas=replicas, persistentVolumeClaimRetentionPolicy={
        "whenDeleted": when_deleted, "whenScaled": when_scaled})


@pytest.mark.parametrize(("name", "expected"), [
    ("web-0", ("web", 0)), ("my-web-12", ("my-web", 12)), ("web", ("", -1)), ("web-", ("", -1)),
    ("web-x1", ("", -1)), ("web-99999999999", ("", -1)),
])
def test_parent_and_ordinal(name: str, expected: tuple[str, int]) -> None:
    assert get_parent_name_and_ordinal(pod(name)) == expected


def test_ordinal_range_follows_start_and_replicas() -> None:
    set_ = statefulset(replicas=2, ordinals={"start": 3})
    assert [pod_in_ordinal_range(pod(f"web-{i}"), set_) for i in range(6)] == [False] * 3 + [True] * 2 + [False]


def test_identity_and_storage_checks() -> None:
    set_ = statefulset()
    good = new_versioned_statefulset_pod(set_, set_, "web-a", "web-b", 1)
    assert identity_matches(set_, good) and storage_matches(set_, good)
    wrong_label = {**good, "metadata": {**good["metadata"], "labels": {}}}
    assert not identity_matches(set_, wrong_label)
    other_namespace = {**good, "metadata": {**good["metadata"], "namespace": "other"}}
    assert not identity_matches(set_, other_namespace)
    no_claim = {**good, "spec": {**good["spec"], "volumes": []}}
    assert not storage_matches(set_, no_claim)


def test_revision_of_new_pods_follows_partition_and_strategy() -> None:
    set_ = statefulset(replicas=4)
    set_["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2

    def revision(s: Obj, ordinal: int) -> str:
        return new_versioned_statefulset_pod(s, s, "cur", "upd", ordinal)["metadata"]["labels"][
            "controller-revision-hash"]

    assert [revision(set_, i) for i in range(4)] == ["cur", "cur", "upd", "upd"]
    plain = statefulset(updateStrategy={"type": "RollingUpdate"})
    plain["status"]["currentReplicas"] = 1
    assert [revision(plain, i) for i in range(3)] == ["cur", "upd", "upd"]
    on_delete = statefulset(updateStrategy={"type": "OnDelete"})
    on_delete["status"]["currentReplicas"] = 3
    assert [revision(on_delete, i) for i in range(3)] == ["upd"] * 3


def test_availability_needs_min_ready_seconds_strictly_passed() -> None:
    ready = {"status": {"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True", "lastTransitionTime": "2024-01-01T00:00:00Z"}]}, "metadata": {}}
    assert is_healthy(ready)
    at = datetime(2024, 1, 1, 0, 0, 10, tzinfo=UTC)
    assert is_running_and_available(ready, 0, at)
    assert not is_running_and_available(ready, 10, at)
    assert is_running_and_available(ready, 9, at)
    terminating = {**ready, "metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"}}
    assert not is_healthy(terminating)


# the retention-policy matrix (§4.12)

IN_RANGE, CONDEMNED = pod("web-1", "pod-1"), pod("web-5", "pod-5")


@pytest.mark.parametrize(("when_deleted", "when_scaled", "in_range", "condemned"), [
    ("Retain", "Retain", [], []),
    ("Delete", "Retain", ["set"], ["set"]),
    ("Retain", "Delete", [], ["pod"]),
    ("Delete", "Delete", ["set"], ["pod"]),
])
def test_owner_refs_the_policy_wants(when_deleted: str, when_scaled: str, in_range: list[str],
                                     condemned: list[str]) -> None:
    set_ = policy_set(when_deleted, when_scaled)
    for member, wanted in ((IN_RANGE, in_range), (CONDEMNED, condemned)):
        refs = update_claim_owner_refs(claim(), set_, member)
        kinds = ["set" if r["kind"] == "StatefulSet" else "pod" for r in refs]
        assert kinds == wanted
        assert all(r["controller"] is True and r["blockOwnerDeletion"] is True for r in refs)
        fixed = claim(*refs)
        assert claim_owner_matches_set_and_pod(fixed, set_, member)
        if wanted:
            assert not claim_owner_matches_set_and_pod(claim(), set_, member)


def test_scale_down_moves_the_ref_from_the_set_to_the_pod() -> None:
    set_ = policy_set("Delete", "Delete")
    owned = claim(set_ref())
    refs = update_claim_owner_refs(owned, set_, CONDEMNED)
    assert refs == [pod_ref("web-5", "pod-5")]


def test_plain_refs_are_upgraded_to_controller_refs() -> None:
    set_ = policy_set("Delete", "Retain")
    plain = claim(set_ref(controller=False))
    assert not claim_owner_matches_set_and_pod(plain, set_, IN_RANGE)
    assert update_claim_owner_refs(plain, set_, IN_RANGE) == [set_ref()]


def test_a_foreign_controller_wins_and_our_refs_are_scrubbed() -> None:
    set_ = policy_set("Delete", "Delete")
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "cm-1", "controller": True}
    foreign = claim(config_map)
    assert claim_owner_matches_set_and_pod(foreign, set_, IN_RANGE), "left alone"
    both = claim(config_map, set_ref())
    assert not claim_owner_matches_set_and_pod(both, set_, IN_RANGE)
    assert update_claim_owner_refs(both, set_, IN_RANGE) == [config_map]
    # Under Retain/Retain other controllers do not matter.
    assert claim_owner_matches_set_and_pod(foreign, policy_set("Retain", "Retain"), IN_RANGE)


def test_a_non_controller_foreign_ref_is_kept_before_ours() -> None:
    set_ = policy_set("Delete", "Retain")
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "cm-1"}
    assert update_claim_owner_refs(claim(config_map), set_, IN_RANGE) == [config_map, set_ref()]


def test_stale_refs_make_claims_untouchable_and_block_creation() -> None:
    set_ = policy_set("Delete", "Delete")
    stale_set = claim(set_ref(uid="old-uid"))
    assert has_stale_owner_ref(stale_set, set_, "apps/v1", "StatefulSet")
    assert claim_owner_matches_set_and_pod(stale_set, set_, IN_RANGE), "a stale controller is foreign"
    assert update_claim_owner_refs(stale_set, set_, IN_RANGE) == [set_ref(uid="old-uid")]
    # A claim still owned by a deleted web-1 blocks creating the new web-1 (no UID yet).
    claims = {"www-web-1": claim(pod_ref("web-1", "old-pod"))}
    placeholder = new_versioned_statefulset_pod(set_, set_, "a", "a", 1)
    assert pod_claim_is_stale(set_, placeholder, claims.get)
    assert not pod_claim_is_stale(policy_set("Delete", "Retain"), placeholder, claims.get)
    assert not pod_claim_is_stale(set_, placeholder, lambda name: None)
