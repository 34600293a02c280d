"""The update algorithm (spec §4.3-§4.10) against an in-memory world: the §10 matrix."""

from __future__ import annotations

import pytest

from petset.api.errors import StatusError, internal
from petset.controllers.statefulset.control import max_unavailable, slow_start_batch
from petset.controllers.statefulset.utils import get_pod_revision
from tests.unit.controllers.statefulset.fake import FakeWorld, statefulset


def _image(spec: dict, image: str) -> None:
    spec["template"]["spec"]["containers"][0]["image"] = image


def revision_of(world: FakeWorld, name: str) -> str:
    return get_pod_revision(world.pods[name])


async def ready_set(world: FakeWorld) -> None:
    """Bring every replica up (the kubelet's part included), ordered or not."""
    for _ in range(20):
        await world.sync()
        world.run_all()
        if len(world.pods) == world.set["spec"]["replicas"] and not [
                p for p in world.pods.values() if p["status"].get("phase") != "Running"]:
            await world.sync()
            return
    raise AssertionError("set did not come up")


# scaling (§4.6, §4.8)


async def test_ordered_ready_creates_one_pod_per_sync_after_its_predecessor_is_ready() -> None:
    world = FakeWorld(statefulset(replicas=3))
    await world.sync()
    assert world.names() == ["web-0"] and world.claims.keys() == {"www-web-0"}
    assert world.actions[-2:] == [("create-claim", "www-web-0"), ("create", "web-0")]
    await world.sync()
    assert world.names() == ["web-0"], "a Pending predecessor blocks the next ordinal"
    world.run("web-0", ready=False)
    await world.sync()
    assert world.names() == ["web-0"], "so does a Running but unready one"
    world.run("web-0")
    await world.sync()
    assert world.names() == ["web-0", "web-1"]
    world.run("web-1")
    await world.sync()
    world.run("web-2")
    await world.sync()
    status = world.status()
    assert status["replicas"] == status["readyReplicas"] == status["availableReplicas"] == 3
    assert status["currentReplicas"] == status["updatedReplicas"] == 3
    assert status["currentRevision"] == status["updateRevision"] == revision_of(world, "web-0")
    assert status["observedGeneration"] == 1 and status["collisionCount"] == 0


async def test_pod_identity_claims_and_labels() -> None:
    world = FakeWorld(statefulset(replicas=1, claims=("www", "logs")))
    world.set["spec"]["template"]["spec"]["volumes"] = [{"name": "www", "emptyDir": {}},
                                                        {"name": "scratch", "emptyDir": {}}]
    await world.sync()
    pod = world.pods["web-0"]
    assert pod["metadata"]["generateName"] == "web-"
    assert pod["metadata"]["labels"] == {"app": "web", "statefulset.kubernetes.io/pod-name": "web-0",
                                         "apps.kubernetes.io/pod-index": "0",
                                         "controller-revision-hash": world.status()["updateRevision"]}
    assert pod["metadata"]["ownerReferences"] == [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                                                   "uid": "uid-web", "controller": True,
                                                   "blockOwnerDeletion": True}]
    assert pod["spec"]["hostname"] == "web-0" and pod["spec"]["subdomain"] == "nginx"
    # Claim volumes first, in template order; a template volume of a claim's name loses.
    assert pod["spec"]["volumes"] == [{"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}},
                                      {"name": "logs", "persistentVolumeClaim": {"claimName": "logs-web-0"}},
                                      {"name": "scratch", "emptyDir": {}}]
    claim = world.claims["www-web-0"]
    assert claim["metadata"]["labels"] == {"app": "web"} and "ownerReferences" not in claim["metadata"]
    assert "status" not in claim


async def test_parallel_creates_every_pod_in_one_sync_and_ignores_unhealthy_pods() -> None:
    world = FakeWorld(statefulset(replicas=4, podManagementPolicy="Parallel"))
    await world.sync()
    assert world.names() == ["web-0", "web-1", "web-2", "web-3"]
    assert world.status()["replicas"] == 0, "as upstream, new pods count once the cache shows them"
    await world.sync()
    assert world.status()["replicas"] == 4
    world.run_all(ready=False)
    world.edit(lambda spec: spec.__setitem__("replicas", 6))
    await world.sync()
    assert len(world.pods) == 6
    world.edit(lambda spec: spec.__setitem__("replicas", 0))
    await world.sync()
    assert world.pods == {}, "burst scale-down runs to completion with unhealthy pods"


async def test_ordered_scale_down_is_highest_first_one_at_a_time_and_keeps_claims() -> None:
    world = FakeWorld(statefulset(replicas=3))
    await ready_set(world)
    world.edit(lambda spec: spec.__setitem__("replicas", 1))
    world.graceful = True
    await world.sync()
    assert world.actions[-1] == ("delete", "web-2")
    await world.sync()
    assert world.actions[-1] == ("delete", "web-2"), "a terminating condemned pod blocks the next deletion"
    assert world.condition() is not None and world.condition()["reason"] == "PodTerminating"
    world.finish_termination("web-2")
    await world.sync()
    assert world.actions[-1] == ("delete", "web-1")
    world.finish_termination("web-1")
    await world.sync()
    assert world.names() == ["web-0"] and sorted(world.claims) == ["www-web-0", "www-web-1", "www-web-2"]
    assert world.status()["replicas"] == 1 and world.condition() is None


async def test_ordered_scale_down_halts_on_unhealthy_pods_except_the_lowest_one() -> None:
    world = FakeWorld(statefulset(replicas=3))
    await ready_set(world)
    world.run_all(ready=False)
    world.edit(lambda spec: spec.__setitem__("replicas", 0))
    await world.sync()
    assert world.names() == ["web-0", "web-1", "web-2"], "3 -> 0 with every pod broken halts"
    assert world.condition()["message"] == "pod web-0 is not Running and Ready"
    # 3 -> 2 with only web-2 broken works: web-2 is the first unhealthy pod.
    world.run_all()
    world.run("web-2", ready=False)
    world.edit(lambda spec: spec.__setitem__("replicas", 2))
    await world.sync()
    assert world.names() == ["web-0", "web-1"]


async def test_scale_up_waits_while_an_in_range_pod_is_unhealthy() -> None:
    world = FakeWorld(statefulset(replicas=1))
    await ready_set(world)
    world.run("web-0", ready=False)
    world.edit(lambda spec: spec.__setitem__("replicas", 3))
    for _ in range(3):
        await world.sync()
    assert world.names() == ["web-0"]
    assert world.status()["observedGeneration"] == 2, "a blocked sync still publishes the generation"


# terminating and failed pods (§4.6 steps 1 and 4, §4.11)


async def test_terminating_pod_blocks_ordered_progress_and_is_replaced_only_once_gone() -> None:
    world = FakeWorld(statefulset(replicas=3))
    await ready_set(world)
    world.terminate("web-0")
    world.edit(lambda spec: spec.__setitem__("replicas", 4))
    await world.sync()
    assert world.names() == ["web-0", "web-1", "web-2"], "no web-3 behind a terminating web-0"
    assert world.condition()["reason"] == "PodTerminating"
    world.finish_termination("web-0")
    await world.sync()
    assert world.actions[-1] == ("create", "web-0")
    assert world.pods["web-0"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "www-web-0"


async def test_parallel_manages_other_ordinals_past_a_terminating_pod() -> None:
    world = FakeWorld(statefulset(replicas=2, podManagementPolicy="Parallel"))
    await ready_set(world)
    world.terminate("web-0")
    world.edit(lambda spec: spec.__setitem__("replicas", 3))
    await world.sync()
    assert world.names() == ["web-0", "web-1", "web-2"] and world.actions[-1] == ("create", "web-2")


@pytest.mark.parametrize("phase", ["Failed", "Succeeded"])
async def test_failed_pod_is_deleted_and_recreated_in_a_later_sync(phase: str) -> None:
    world = FakeWorld(statefulset(replicas=2))
    await ready_set(world)
    world.graceful = True
    world.set_phase("web-0", phase)
    uid = world.pods["web-0"]["metadata"]["uid"]
    await world.sync()
    assert world.actions[-1] == ("delete", "web-0")
    assert world.condition()["reason"] == f"Pod{phase}"
    await world.sync()
    assert world.actions[-1] == ("delete", "web-0"), "a terminating failed pod is not deleted again"
    world.finish_termination("web-0")
    await world.sync()
    assert world.actions[-1] == ("create", "web-0") and world.pods["web-0"]["metadata"]["uid"] != uid


async def test_creation_failure_is_reported_and_retried() -> None:
    world = FakeWorld(statefulset(replicas=2))
    world.failures[("create", "web-0")] = internal("admission webhook said no")
    with pytest.raises(StatusError, match="admission webhook"):
        await world.sync()
    assert world.condition()["reason"] == "FailedCreate"
    assert "could not be created" in world.condition()["message"]
    assert world.status()["observedGeneration"] == 1
    await world.sync()
    assert world.names() == ["web-0"]


async def test_claim_being_deleted_blocks_pod_creation() -> None:
    world = FakeWorld(statefulset(replicas=1))
    world.add_claim("www-web-0", deleting=True)
    with pytest.raises(StatusError, match="pvc www-web-0 is being deleted"):
        await world.sync()
    assert world.pods == {}


async def test_missing_claim_of_a_pending_pod_is_recreated() -> None:
    world = FakeWorld(statefulset(replicas=1))
    await world.sync()
    del world.claims["www-web-0"]
    await world.sync()
    assert "www-web-0" in world.claims and world.actions[-1] == ("create-claim", "www-web-0")
    world.run("web-0")
    del world.claims["www-web-0"]
    await world.sync()
    assert "www-web-0" not in world.claims, "only Pending pods get their claims back"


async def test_identity_and_storage_are_repaired() -> None:
    world = FakeWorld(statefulset(replicas=1))
    await ready_set(world)
    del world.pods["web-0"]["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"]
    await world.sync()
    assert world.actions[-1] == ("update", "web-0")
    assert world.pods["web-0"]["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "web-0"


# rolling updates (§4.9)


async def test_rolling_update_replaces_highest_ordinal_first_and_completes() -> None:
    world = FakeWorld(statefulset(replicas=3))
    await ready_set(world)
    old = world.status()["currentRevision"]
    world.edit(lambda spec: _image(spec, "nginx:2"))
    await world.sync()
    new = world.status()["updateRevision"]
    assert new != old and world.actions[-1] == ("delete", "web-2")
    assert world.status()["currentRevision"] == old
    assert world.condition()["reason"] == "PodTerminating"
    order = []
    for _ in range(20):
        await world.sync()
        world.run_all()
        if world.actions[-1][0] == "delete":
            order.append(world.actions[-1][1])
    assert order == ["web-1", "web-0"]
    assert {revision_of(world, n) for n in world.names()} == {new}
    assert world.status()["currentRevision"] == new and world.status()["currentReplicas"] == 3
    assert world.condition() is None


async def test_rolling_update_waits_for_an_unhealthy_pod() -> None:
    world = FakeWorld(statefulset(replicas=3))
    await ready_set(world)
    world.run("web-1", ready=False)
    world.edit(lambda spec: _image(spec, "nginx:2"))
    await world.sync()
    assert ("delete", "web-2") not in world.actions
    assert world.status()["updateRevision"] != world.status()["currentRevision"], "published while blocked"
    assert world.status()["observedGeneration"] == 2


async def test_partition_is_relative_to_the_start_ordinal() -> None:
    world = FakeWorld(statefulset(replicas=3, ordinals={"start": 2}))
    world.set["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2
    await ready_set(world)
    assert world.names() == ["web-2", "web-3", "web-4"]
    current = world.status()["currentRevision"]
    world.edit(lambda spec: _image(spec, "nginx:2"))
    await world.sync_until_stable()
    world.run_all()
    await world.sync_until_stable()
    update = world.status()["updateRevision"]
    assert [revision_of(world, n) for n in world.names()] == [current, current, update]
    # A deleted pod below the partition comes back at the current revision.
    del world.pods["web-2"]
    await world.sync()
    assert revision_of(world, "web-2") == current
    assert world.pods["web-2"]["spec"]["containers"][0]["image"] == "nginx:1"


async def test_rollback_renumbers_the_old_revision_without_a_new_object() -> None:
    world = FakeWorld(statefulset(replicas=1))
    await ready_set(world)
    first = world.status()["updateRevision"]
    world.edit(lambda spec: _image(spec, "nginx:2"))
    await world.sync_until_stable()
    world.run_all()
    await world.sync_until_stable()
    second = world.status()["updateRevision"]
    assert {r["metadata"]["name"]: r["revision"] for r in world.revisions.values()} == {first: 1, second: 2}
    world.edit(lambda spec: _image(spec, "nginx:1"))
    await world.sync()
    assert world.status()["updateRevision"] == first
    assert {r["metadata"]["name"]: r["revision"] for r in world.revisions.values()} == {first: 3, second: 2}
    assert ("update-revision", first) in world.actions
    assert len([a for a in world.actions if a[0] == "create-revision"]) == 2


async def test_history_is_truncated_but_revisions_used_by_pods_are_kept() -> None:
    world = FakeWorld(statefulset(replicas=3, revisionHistoryLimit=1))
    world.set["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2
    await ready_set(world)
    first = world.status()["updateRevision"]
    names = [first]
    for image in ("nginx:2", "nginx:3", "nginx:4"):
        world.edit(lambda spec, image=image: _image(spec, image))
        await world.sync_until_stable()
        world.run_all()
        await world.sync_until_stable()
        names.append(world.status()["updateRevision"])
    # web-0 and web-1 (below the partition) still run the first revision, web-2 the last; of the
    # two unused ones only the newest stays (limit 1).
    assert set(world.revisions) == {first, names[2], names[3]}
    assert revision_of(world, "web-0") == first and revision_of(world, "web-2") == names[3]


async def test_on_delete_replaces_only_deleted_pods_and_then_advances_the_current_revision() -> None:
    world = FakeWorld(statefulset(replicas=2, updateStrategy={"type": "OnDelete"}))
    await ready_set(world)
    old = world.status()["currentRevision"]
    world.edit(lambda spec: _image(spec, "nginx:2"))
    await world.sync_until_stable()
    new = world.status()["updateRevision"]
    assert {revision_of(world, n) for n in world.names()} == {old}
    del world.pods["web-0"]
    await world.sync()
    assert revision_of(world, "web-0") == new, "replacements get the update revision"
    world.run_all()
    await world.sync()
    assert world.status()["currentRevision"] == old
    del world.pods["web-1"]
    await world.sync()
    world.run_all()
    await world.sync()
    assert world.status()["currentRevision"] == new and world.status()["currentReplicas"] == 2


async def test_without_rolling_update_block_recreated_pods_follow_current_replicas() -> None:
    world = FakeWorld(statefulset(replicas=3, updateStrategy={"type": "RollingUpdate"}))
    await ready_set(world)
    old = world.status()["currentRevision"]
    world.run("web-2", ready=False)
    world.edit(lambda spec: _image(spec, "nginx:2"))
    await world.sync()
    del world.pods["web-0"]
    await world.sync()
    assert revision_of(world, "web-0") == old, "ordinal 0 < currentReplicas (3): current revision"


# maxUnavailable (always on in petset)


async def test_max_unavailable_deletes_several_outdated_pods_at_once() -> None:
    world = FakeWorld(statefulset(replicas=5, podManagementPolicy="Parallel"))
    world.set["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] = 2
    await ready_set(world)
    world.edit(lambda spec: _image(spec, "nginx:2"))
    await world.sync()
    assert [a for a in world.actions if a[0] == "delete"] == [("delete", "web-4"), ("delete", "web-3")]


async def test_max_unavailable_counts_unhealthy_pods_it_cannot_fix() -> None:
    world = FakeWorld(statefulset(replicas=5, podManagementPolicy="Parallel"))
    world.set["spec"]["updateStrategy"]["rollingUpdate"].update({"maxUnavailable": 2, "partition": 1})
    await ready_set(world)
    world.run("web-0", ready=False)
    world.edit(lambda spec: _image(spec, "nginx:2"))
    await world.sync()
    assert [a for a in world.actions if a[0] == "delete"] == [("delete", "web-4")]


async def test_an_outdated_broken_pod_is_replaced_when_the_template_is_reverted() -> None:
    world = FakeWorld(statefulset(replicas=3, podManagementPolicy="Parallel"))
    await ready_set(world)
    world.edit(lambda spec: _image(spec, "nginx:broken"))
    await world.sync()
    await world.sync()
    world.run("web-2", ready=False)
    await world.sync()
    assert world.names() == ["web-0", "web-1", "web-2"] and ("delete", "web-1") not in world.actions
    world.edit(lambda spec: _image(spec, "nginx:1"))
    await world.sync()
    assert world.actions[-1] == ("delete", "web-2")


def test_max_unavailable_values() -> None:
    def value(v: object, replicas: int = 10) -> int:
        set_ = statefulset(replicas=replicas)
        set_["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] = v
        return max_unavailable(set_)

    assert value(3) == 3 and value("25%") == 2 and value("5%") == 1 and value("100%") == 10
    assert max_unavailable(statefulset()) == 1
    assert max_unavailable(statefulset(updateStrategy={"type": "RollingUpdate"})) == 1


# minReadySeconds (§4.5)


async def test_min_ready_seconds_gates_availability_and_ordered_creation() -> None:
    world = FakeWorld(statefulset(replicas=2, minReadySeconds=10))
    await world.sync()
    world.run("web-0")
    status = await world.sync()
    assert status is not None and status.ready_replicas == 1 and status.available_replicas == 0
    assert world.names() == ["web-0"] and world.condition()["reason"] == "PodNotAvailable"
    world.clock.advance(11)
    status = await world.sync()
    assert status is not None and status.available_replicas == 1 and world.names() == ["web-0", "web-1"]


# retention policy (§4.12)


async def test_when_scaled_delete_hands_condemned_claims_to_their_pods() -> None:
    world = FakeWorld(statefulset(replicas=2, persistentVolumeClaimRetentionPolicy={
        "whenDeleted": "Delete", "whenScaled": "Delete"}))
    await ready_set(world)
    assert world.claims["www-web-1"]["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"
    world.edit(lambda spec: spec.__setitem__("replicas", 1))
    pod_uid = world.pods["web-1"]["metadata"]["uid"]
    await world.sync()
    refs = world.claims["www-web-1"]["metadata"]["ownerReferences"]
    assert refs == [{"apiVersion": "v1", "kind": "Pod", "name": "web-1", "uid": pod_uid, "controller": True,
                     "blockOwnerDeletion": True}]
    assert "web-1" not in world.pods
    # Scaling up before the garbage collector removed the claim waits: the claim is stale.
    world.edit(lambda spec: spec.__setitem__("replicas", 2))
    await world.sync()
    assert "web-1" not in world.pods and world.condition()["reason"] == "StaleClaim"
    del world.claims["www-web-1"]
    await world.sync()
    assert "web-1" in world.pods


async def test_retention_policy_changes_are_reconciled_on_existing_claims() -> None:
    world = FakeWorld(statefulset(replicas=2))
    await ready_set(world)
    assert all("ownerReferences" not in c["metadata"] for c in world.claims.values())
    world.edit(lambda spec: spec.__setitem__("persistentVolumeClaimRetentionPolicy",
                                             {"whenDeleted": "Delete", "whenScaled": "Retain"}))
    await world.sync()
    assert all(c["metadata"]["ownerReferences"][0]["uid"] == "uid-web" for c in world.claims.values())


# status and the condition


async def test_status_is_written_only_when_it_changes() -> None:
    world = FakeWorld(statefulset(replicas=1))
    await ready_set(world)
    writes = world.status_writes
    for _ in range(3):
        await world.sync()
    assert world.status_writes == writes


async def test_blocked_condition_is_stable_while_the_same_pod_blocks() -> None:
    world = FakeWorld(statefulset(replicas=3))
    await world.sync()
    world.run("web-0", ready=False)
    await world.sync()
    condition = world.condition()
    assert condition == {"type": "OrderedProgressBlocked", "status": "True", "reason": "PodNotReady",
                         "message": "pod web-0 is not Running and Ready",
                         "lastTransitionTime": "2024-01-01T00:00:00Z"}
    writes = world.status_writes
    world.clock.advance(60)
    for _ in range(3):
        await world.sync()
    assert world.status_writes == writes and world.condition() == condition
    world.run("web-0")
    world.clock.advance(1)
    await world.sync()
    assert world.condition()["message"] == "pod web-1 is not Running and Ready"
    assert world.condition()["lastTransitionTime"] == "2024-01-01T00:01:01Z"


async def test_other_conditions_are_kept() -> None:
    world = FakeWorld(statefulset(replicas=1))
    world.set["status"]["conditions"] = [{"type": "StatusUpdate", "status": "True", "reason": "E2E"}]
    await ready_set(world)
    assert world.status()["conditions"] == [{"type": "StatusUpdate", "status": "True", "reason": "E2E"}]


async def test_a_set_being_deleted_only_gets_its_status() -> None:
    world = FakeWorld(statefulset(replicas=2))
    world.set["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    await world.sync()
    assert world.pods == {} and world.status()["observedGeneration"] == 1
    assert [a[0] for a in world.actions] == ["create-revision"]


# slow start


async def test_slow_start_batches_stop_at_the_first_failing_batch() -> None:
    calls: list[int] = []

    async def fn(i: int) -> None:
        calls.append(i)
        if i == 4:
            raise internal("quota exceeded")

    with pytest.raises(StatusError, match="quota exceeded"):
        await slow_start_batch(100, fn)
    assert sorted(calls) == list(range(7)), "batches of 1, 2 and 4; the failing one is the last"
    calls.clear()

    async def ok(i: int) -> None:
        calls.append(i)

    assert await slow_start_batch(1200, ok) == 1200 and len(calls) == 1200
