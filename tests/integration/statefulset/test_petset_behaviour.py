"""What petset adds or makes visible beyond the e2e suite: the OrderedProgressBlocked condition,
at-most-one with a dead node, creation failures, rollbacks as kubectl makes them, and deletion
of a set through the garbage collector."""

from __future__ import annotations

from typing import Any

from petset.controllers.statefulset.revisions import canonical_json, revision_data
from tests.integration.statefulset.conftest import Cluster, book_manifest, new_statefulset, ready
from tests.support.inproc import STATEFULSETS, eventually

Obj = dict[str, Any]


def _condition(sts: Obj) -> Obj | None:
    return next((c for c in sts["status"].get("conditions", []) if c["type"] == "OrderedProgressBlocked"), None)


async def test_the_blocked_condition_names_the_pod_and_stays_put(cluster: Cluster) -> None:
    await cluster.create_service()
    cluster.node.pause_new_pods()
    await cluster.create(new_statefulset("ss", 3))
    sts = await cluster.wait_status("ss", lambda s: (_condition(s) or {}).get("reason") == "PodNotReady")
    assert _condition(sts) == {"type": "OrderedProgressBlocked", "status": "True", "reason": "PodNotReady",
                               "message": "pod ss-0 is not Running and Ready",
                               "lastTransitionTime": _condition(sts)["lastTransitionTime"]}  # type: ignore[index]
    # Syncing again while the same pod blocks writes nothing.
    version = sts["metadata"]["resourceVersion"]
    cluster.controller.runner.queue.add("default/ss")

    async def unchanged() -> bool:
        return (await cluster.sts("ss"))["metadata"]["resourceVersion"] == version

    await cluster.stays(unchanged, 0.2)
    cluster.node.resume("ss-0")
    await cluster.wait_status("ss", lambda s: (_condition(s) or {}).get("message") == "pod ss-1 is not Running and Ready")
    cluster.node.resume("ss-1")
    cluster.node.resume("ss-2")
    sts = await cluster.wait_status("ss", lambda s: s["status"].get("readyReplicas") == 3)
    await cluster.wait_status("ss", lambda s: _condition(s) is None)


async def test_a_pod_stuck_terminating_on_a_dead_node_is_never_duplicated(cluster: Cluster) -> None:
    await cluster.create(book_manifest("kubia-statefulset.yaml"))
    before = await cluster.wait_running_and_ready("kubia", 2)
    cluster.node.hold_termination("kubia-0")
    await cluster.delete_pod("kubia-0", grace=None)
    sts = await cluster.wait_status("kubia", lambda s: (_condition(s) or {}).get("reason") == "PodTerminating")
    assert _condition(sts)["message"] == (  # type: ignore[index]
        "pod kubia-0 on node node-1 is Terminating; it must be gone before the StatefulSet goes on")

    async def still_the_old_one() -> bool:
        pod = await cluster.pod("kubia-0")
        return pod is not None and pod["metadata"]["uid"] == before[0]["metadata"]["uid"]

    await cluster.stays(still_the_old_one, 0.2)
    # kubectl delete pod kubia-0 --force --grace-period=0
    await cluster.delete_pod("kubia-0", grace=0)

    async def replaced() -> bool:
        pod = await cluster.pod("kubia-0")
        return pod is not None and pod["metadata"]["uid"] != before[0]["metadata"]["uid"] and ready(pod)

    await eventually(replaced)
    await cluster.wait_status("kubia", lambda s: _condition(s) is None and s["status"].get("readyReplicas") == 2)


async def test_a_pod_that_cannot_be_created_is_reported(cluster: Cluster) -> None:
    body = new_statefulset("ss", 2)
    body["spec"]["template"]["spec"]["priorityClassName"] = "no-such-class"
    await cluster.create(body)
    sts = await cluster.wait_status("ss", lambda s: (_condition(s) or {}).get("reason") == "FailedCreate")
    assert _condition(sts)["message"] == (  # type: ignore[index]
        'pod ss-0 could not be created: pods "ss-0" is forbidden: no PriorityClass with name no-such-class was found')
    events = await cluster.events("FailedCreate")
    assert events[0]["type"] == "Warning" and events[0]["message"] == (
        'create Pod ss-0 in StatefulSet ss failed error: pods "ss-0" is forbidden: no PriorityClass with name '
        "no-such-class was found")
    assert await cluster.pods("ss") == []


async def test_rollout_undo_as_kubectl_sends_it(cluster: Cluster) -> None:
    manifest = book_manifest("kubia-statefulset.yaml")
    await cluster.create(manifest)
    await cluster.wait_running_and_ready("kubia", 2)
    await cluster.set_image("kubia", "luksa/kubia-pet-peers")
    await cluster.wait_rolling_update("kubia")
    first, second = await cluster.revisions("kubia")
    # kubectl rollout undo: PATCH (strategic merge) with the revision's data, verbatim.
    await cluster.client.patch(STATEFULSETS, "default", "kubia", first["data"])
    sts = await cluster.wait_rolling_update("kubia")
    assert sts["status"]["updateRevision"] == first["metadata"]["name"]
    revisions = await cluster.revisions("kubia")
    assert [(r["metadata"]["name"], r["revision"]) for r in revisions] == [
        (second["metadata"]["name"], 2), (first["metadata"]["name"], 3)]
    # kubectl's "skipped rollback" check: the live template encodes to the revision's bytes.
    assert revision_data(sts) == canonical_json(first["data"])


async def test_deleting_a_set_lets_the_garbage_collector_remove_pods_and_revisions(cluster: Cluster) -> None:
    manifest = book_manifest("kubia-statefulset.yaml")
    manifest["spec"]["replicas"] = 3
    await cluster.create(manifest)
    await cluster.wait_running_and_ready("kubia", 3)
    async with cluster.pod_events() as events:
        await cluster.client.delete(STATEFULSETS, "default", "kubia")
        await eventually(lambda: _gone(cluster))
    terminating = [name for kind, name, dying in events if kind == "MODIFIED" and dying]
    assert sorted(set(terminating), key=terminating.index) == ["kubia-2", "kubia-1", "kubia-0"]
    assert await cluster.revisions("kubia") == []
    assert await cluster.claim_names() == ["data-kubia-0", "data-kubia-1", "data-kubia-2"], "Retain keeps claims"


async def _gone(cluster: Cluster) -> bool:
    from tests.support.inproc import PODS

    return (await cluster.client.list(PODS, "default"))["items"] == [] and await cluster.revisions("kubia") == []


async def test_an_orphaning_delete_leaves_pods_and_revisions_to_a_new_set(cluster: Cluster) -> None:
    """kubectl delete sts --cascade=orphan, then the same set again: it adopts the pods and the
    revision instead of creating new ones (spec §4.13)."""
    manifest = book_manifest("kubia-statefulset.yaml")
    await cluster.create(manifest)
    pods = await cluster.wait_running_and_ready("kubia", 2)
    (revision,) = await cluster.revisions("kubia")
    await cluster.client.delete(STATEFULSETS, "default", "kubia", propagation_policy="Orphan")

    async def orphaned() -> bool:
        objects = [*await cluster.pods("kubia", selector="app=kubia"), *await cluster.revisions("kubia")]
        return len(objects) == 3 and not any(o["metadata"].get("ownerReferences") for o in objects)

    await eventually(orphaned)
    again = await cluster.create(book_manifest("kubia-statefulset.yaml"))

    async def adopted() -> bool:
        objects = [*await cluster.pods("kubia"), *await cluster.revisions("kubia")]
        return len(objects) == 3 and all(
            [r["uid"] for r in o["metadata"].get("ownerReferences", [])] == [again["metadata"]["uid"]] for o in objects)

    await eventually(adopted)
    assert [p["metadata"]["uid"] for p in await cluster.pods("kubia")] == [p["metadata"]["uid"] for p in pods]
    sts = await cluster.wait_status("kubia", lambda s: s["status"].get("readyReplicas") == 2)
    assert sts["status"]["updateRevision"] == revision["metadata"]["name"]
    assert [r["metadata"]["uid"] for r in await cluster.revisions("kubia")] == [revision["metadata"]["uid"]]
