"""Upstream's e2e "[sig-apps] StatefulSet Basic StatefulSet functionality" (spec §5.1, items 1-15).

Same steps and assertions as test/e2e/apps/statefulset.go, on the in-process control plane: the
fake node stands in for the kubelet (``pause_new_pods``/``resume`` for the paused-pod readiness
probe, ``set_ready`` for breaking and restoring the HTTP probe, ``reject`` for the kubelet refusing
a pod), timeouts are seconds instead of minutes, and "stays for 10 s" checks are shorter.
"""

from __future__ import annotations

from typing import Any

import pytest

from petset.api.errors import StatusError
from petset.registry.options import DeleteOptions, ListOptions
from tests.integration.statefulset.conftest import (
    LABELS,
    Cluster,
    image_of,
    new_statefulset,
    ready,
    revision_of,
)
from tests.support.inproc import PODS, STATEFULSETS, eventually

Obj = dict[str, Any]


async def saturate(cluster: Cluster, name: str, replicas: int) -> None:
    """``Saturate``: for each ordinal, exactly i+1 pods exist, all Running, the first i Ready; resume pod i."""
    for i in range(replicas):
        async def ordered(i: int = i) -> bool:
            pods = await cluster.pods(name)
            running = all(p["status"].get("phase") == "Running" for p in pods)
            assert len(pods) <= i + 1, f"more than {i + 1} pods: ordered creation violated"
            return len(pods) == i + 1 and running and all(ready(p) for p in pods[:i])

        await eventually(ordered)
        cluster.node.resume(f"{name}-{i}")


async def test_should_provide_basic_identity(cluster: Cluster) -> None:
    """Item 1. Instead of exec'ing ``hostname`` and writing it to /data, the pod spec's hostname and
    subdomain are checked, and the claims (by UID) must come back to the same ordinals after a restart;
    the paused pods become Ready again by themselves because their resume markers live on the claims."""
    await cluster.create_service()
    cluster.node.pause_new_pods()
    await cluster.create(new_statefulset("ss", 3, claims=("datadir",)))
    await saturate(cluster, "ss", 3)
    pods = await cluster.wait_running_and_ready("ss", 3)
    for pod in pods:
        assert pod["spec"]["hostname"] == pod["metadata"]["name"] and pod["spec"]["subdomain"] == "test"
    assert (await cluster.sts("ss"))["spec"]["serviceName"] == "test"
    claims = {c: (await cluster.claim(c))["metadata"]["uid"] for c in await cluster.claim_names()}
    await cluster.scale("ss", 0)
    await cluster.wait_status("ss", lambda s: s["status"]["replicas"] == 0)
    await cluster.scale("ss", 3)
    pods = await cluster.wait_running_and_ready("ss", 3)
    assert {c: (await cluster.claim(c))["metadata"]["uid"] for c in await cluster.claim_names()} == claims
    assert [p["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] for p in pods] == [
        "datadir-ss-0", "datadir-ss-1", "datadir-ss-2"]


async def test_should_adopt_matching_orphans_and_release_non_matching_pods(cluster: Cluster) -> None:
    """Item 2."""
    await cluster.create_service()
    cluster.node.pause_new_pods()
    sts = await cluster.create(new_statefulset("ss", 1))
    await eventually(lambda: cluster.pod("ss-0"))

    def controller_ref(pod: Obj | None) -> Obj | None:
        refs = [r for r in (pod or {}).get("metadata", {}).get("ownerReferences") or [] if r.get("controller")]
        return refs[0] if refs else None

    async def owned() -> bool:
        ref = controller_ref(await cluster.pod("ss-0"))
        return ref is not None and (ref["kind"], ref["name"], ref["uid"]) == (
            "StatefulSet", "ss", sts["metadata"]["uid"])

    await eventually(owned)
    await cluster.client.patch(PODS, "default", "ss-0", {"metadata": {"ownerReferences": None}}, patch_type="merge")
    await eventually(owned)  # orphaned, then adopted again
    uid = (await cluster.pod("ss-0") or {})["metadata"]["uid"]
    await cluster.client.patch(PODS, "default", "ss-0", {"metadata": {"labels": None}}, patch_type="merge")

    async def released() -> bool:
        return controller_ref(await cluster.pod("ss-0")) is None

    await eventually(released)

    async def no_duplicate() -> bool:
        pods = (await cluster.client.list(PODS, "default"))["items"]
        return [p["metadata"]["uid"] for p in pods] == [uid]

    await cluster.stays(no_duplicate, 0.2)
    await cluster.client.patch(PODS, "default", "ss-0", {"metadata": {"labels": dict(LABELS)}}, patch_type="merge")
    await eventually(owned)


async def test_should_not_deadlock_when_a_pods_predecessor_fails(cluster: Cluster) -> None:
    """Item 3. Pod 0 comes back Ready by itself: its resume marker lives on its claim."""
    await cluster.create_service()
    cluster.node.pause_new_pods()
    await cluster.create(new_statefulset("ss", 2, claims=("datadir",)))

    async def running(count: int, ready_count: int) -> list[Obj] | None:
        pods = await cluster.pods("ss", include_terminating=False)
        running = [p for p in pods if p["status"].get("phase") == "Running"]
        return pods if len(running) == count and len([p for p in pods if ready(p)]) == ready_count else None

    await eventually(lambda: running(1, 0))
    cluster.node.resume("ss-0")
    await eventually(lambda: running(2, 1))
    old = await cluster.pod("ss-0")
    await cluster.delete_pod("ss-0")

    async def recreated_and_ready() -> bool:
        pods = await running(2, 1)
        return bool(pods) and pods is not None and pods[0]["metadata"]["uid"] != (old or {})["metadata"]["uid"] \
            and ready(pods[0]) and not ready(pods[1])

    await eventually(recreated_and_ready)
    cluster.node.resume("ss-1")
    await cluster.wait_running_and_ready("ss", 2)


async def rollback_test(cluster: Cluster, body: Obj) -> None:
    """``rollbackTest``: a rollout and a rollback of the template, with pod 1's probe broken meanwhile."""
    name = body["metadata"]["name"]
    await cluster.create_service()
    await cluster.create(body)
    await cluster.wait_running_and_ready(name, 3)
    sts = await cluster.wait_status(name, lambda s: s["status"].get("readyReplicas") == 3)
    prior = sts["status"]["currentRevision"]
    assert prior == sts["status"]["updateRevision"]
    assert [revision_of(p) for p in await cluster.pods(name)] == [prior] * 3

    cluster.node.set_ready(f"{name}-1", False)
    await cluster.wait_status(name, lambda s: s["status"].get("readyReplicas") == 2)
    await cluster.set_image(name, "httpd:2.4.39-alpine")
    sts = await cluster.wait_status(name, lambda s: s["status"].get("updateRevision") != prior)
    assert sts["status"]["currentRevision"] != sts["status"]["updateRevision"], "published while blocked"
    updated = sts["status"]["updateRevision"]
    cluster.node.set_ready(f"{name}-1", True)
    sts = await cluster.wait_rolling_update(name)
    await cluster.wait_running_and_ready(name, 3)
    assert sts["status"]["currentRevision"] == updated
    assert [(image_of(p), revision_of(p)) for p in await cluster.pods(name)] == [("httpd:2.4.39-alpine", updated)] * 3

    cluster.node.set_ready(f"{name}-1", False)
    await cluster.wait_status(name, lambda s: s["status"].get("readyReplicas") == 2)
    await cluster.set_image(name, "httpd:2.4")
    sts = await cluster.wait_status(name, lambda s: s["status"].get("updateRevision") == prior)
    assert sts["status"]["currentRevision"] != sts["status"]["updateRevision"]
    assert len(await cluster.revisions(name)) == 2, "a rollback re-uses the old revision"
    cluster.node.set_ready(f"{name}-1", True)
    sts = await cluster.wait_rolling_update(name)
    await cluster.wait_running_and_ready(name, 3)
    assert sts["status"]["currentRevision"] == prior
    assert [(image_of(p), revision_of(p)) for p in await cluster.pods(name)] == [("httpd:2.4", prior)] * 3
    assert [r["revision"] for r in await cluster.revisions(name)] == [2, 3]


async def test_should_perform_rolling_updates_and_roll_backs_of_template_modifications_with_pvcs(
        cluster: Cluster) -> None:
    """Item 4."""
    await rollback_test(cluster, new_statefulset("ss", 3, claims=("datadir",)))


async def test_should_perform_rolling_updates_and_roll_backs_of_template_modifications(cluster: Cluster) -> None:
    """Item 5 [Conformance]."""
    await rollback_test(cluster, new_statefulset("ss2", 3))


async def _split(cluster: Cluster, name: str) -> list[tuple[str, str]]:
    return [(image_of(p), revision_of(p)) for p in await cluster.pods(name, include_terminating=False)]


async def test_should_perform_canary_updates_and_phased_rolling_updates(cluster: Cluster) -> None:
    """Item 6 [Conformance]."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss2", 3, updateStrategy={"type": "RollingUpdate",
                                                                  "rollingUpdate": {"partition": 3}}))
    await cluster.wait_running_and_ready("ss2", 3)
    sts = await cluster.wait_status("ss2", lambda s: s["status"].get("readyReplicas") == 3)
    current = sts["status"]["currentRevision"]
    assert current == sts["status"]["updateRevision"]
    await cluster.set_image("ss2", "httpd:2.4.39-alpine")
    sts = await cluster.wait_status("ss2", lambda s: s["status"].get("updateRevision") != current)
    update = sts["status"]["updateRevision"]
    old, new = ("httpd:2.4", current), ("httpd:2.4.39-alpine", update)

    async def unchanged() -> bool:
        return await _split(cluster, "ss2") == [old] * 3

    await cluster.stays(unchanged, 0.2)

    async def split_is(expected: list[tuple[str, str]]) -> bool:
        return await _split(cluster, "ss2") == expected and len(await cluster.pods("ss2")) == 3

    def partition(value: int) -> Any:
        return lambda s: s["spec"]["updateStrategy"]["rollingUpdate"].__setitem__("partition", value)

    await cluster.update("ss2", partition(2))
    await eventually(lambda: split_is([old, old, new]))
    await cluster.wait_running_and_ready("ss2", 3)
    for pod in ("ss2-0", "ss2-2"):
        await cluster.delete_pod(pod)
    await cluster.wait_running_and_ready("ss2", 3)
    await eventually(lambda: split_is([old, old, new]))
    await cluster.update("ss2", partition(1))
    await eventually(lambda: split_is([old, new, new]))
    await cluster.wait_running_and_ready("ss2", 3)
    await cluster.update("ss2", partition(0))
    await eventually(lambda: split_is([new, new, new]))
    sts = await cluster.wait_status("ss2", lambda s: s["status"].get("currentRevision") == update)
    assert sts["status"]["updateRevision"] == update


@pytest.mark.parametrize("failing_container", [False, True], ids=["without-failing-container",
                                                                  "with-failing-container"])
async def test_should_perform_canary_updates_for_partition_1_and_delete_pod_0(cluster: Cluster,
                                                                             failing_container: bool) -> None:
    """Items 7 and 8: pod 0 held by a finalizer while it terminates (ending Failed in item 8, as the
    second container that exits 1 on SIGTERM makes it) comes back at the current revision."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 3, updateStrategy={"type": "RollingUpdate",
                                                                 "rollingUpdate": {"partition": 1}}))
    await cluster.wait_running_and_ready("ss", 3)
    if failing_container:
        cluster.node.fail_on_termination("ss-0")
    await cluster.client.patch(PODS, "default", "ss-0", {"metadata": {"finalizers": ["example.com/test"]}},
                               patch_type="merge")
    sts = await cluster.sts("ss")
    current = sts["status"]["currentRevision"]
    await cluster.set_image("ss", "httpd:2.4.39-alpine")
    sts = await cluster.wait_status("ss", lambda s: s["status"].get("updatedReplicas") == 2
                                    and s["status"]["replicas"] == 3 and s["status"].get("readyReplicas") == 3)
    update = sts["status"]["updateRevision"]
    old, new = ("httpd:2.4", current), ("httpd:2.4.39-alpine", update)
    assert await _split(cluster, "ss") == [old, new, new]
    await cluster.delete_pod("ss-0")
    await cluster.wait_status("ss", lambda s: s["status"].get("readyReplicas") == 2)
    await cluster.client.patch(PODS, "default", "ss-0", {"metadata": {"finalizers": None}}, patch_type="merge")
    await cluster.wait_status("ss", lambda s: s["status"].get("readyReplicas") == 3)
    await cluster.wait_running_and_ready("ss", 3)
    assert await _split(cluster, "ss") == [old, new, new]


async def test_should_implement_legacy_replacement_when_the_update_strategy_is_on_delete(cluster: Cluster) -> None:
    """Item 9."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 3, updateStrategy={"type": "OnDelete"}))
    await cluster.wait_running_and_ready("ss", 3)
    sts = await cluster.wait_status("ss", lambda s: s["status"].get("readyReplicas") == 3)
    current = sts["status"]["currentRevision"]
    assert current == sts["status"]["updateRevision"]

    async def replace_all() -> None:
        uids = {p["metadata"]["uid"] for p in await cluster.pods("ss")}
        for i in range(3):
            await cluster.delete_pod(f"ss-{i}")

        async def replaced() -> bool:
            pods = await cluster.wait_running_and_ready("ss", 3)
            return not uids & {p["metadata"]["uid"] for p in pods}

        await eventually(replaced)

    await replace_all()
    assert [revision_of(p) for p in await cluster.pods("ss")] == [current] * 3
    await cluster.set_image("ss", "httpd:2.4.39-alpine")
    sts = await cluster.wait_status("ss", lambda s: s["status"].get("updateRevision") != current)
    update = sts["status"]["updateRevision"]
    assert sts["status"]["currentRevision"] == current

    async def unchanged() -> bool:
        return await _split(cluster, "ss") == [("httpd:2.4", current)] * 3

    await cluster.stays(unchanged, 0.2)
    await replace_all()
    assert await _split(cluster, "ss") == [("httpd:2.4.39-alpine", update)] * 3


async def test_scaling_should_happen_in_predictable_order_and_halt_if_any_stateful_pod_is_unhealthy(
        cluster: Cluster) -> None:
    """Item 10 [Conformance]."""
    await cluster.create_service()
    async with cluster.pod_events() as events:
        await cluster.create(new_statefulset("ss", 1))
        await cluster.wait_running_and_ready("ss", 1)
        cluster.node.set_ready("ss-0", False)
        await cluster.wait_status("ss", lambda s: s["status"].get("readyReplicas", 0) == 0)
        await cluster.scale("ss", 3)

        async def one_pod() -> bool:
            return len(await cluster.pods("ss")) == 1

        await cluster.stays(one_pod, 0.3)
        cluster.node.set_ready("ss-0", True)
        await cluster.wait_running_and_ready("ss", 3)
    assert [name for kind, name, _ in events if kind == "ADDED"] == ["ss-0", "ss-1", "ss-2"]

    async with cluster.pod_events() as events:
        for i in range(3):
            cluster.node.set_ready(f"ss-{i}", False)
        await cluster.wait_status("ss", lambda s: s["status"].get("readyReplicas", 0) == 0)
        await cluster.scale("ss", 0)

        async def three_pods() -> bool:
            return len(await cluster.pods("ss")) == 3

        await cluster.stays(three_pods, 0.3)
        for i in range(3):
            cluster.node.set_ready(f"ss-{i}", True)
        await cluster.wait_status("ss", lambda s: s["status"]["replicas"] == 0)
        await eventually(lambda: _no_pods(cluster, "ss"))
    assert [name for kind, name, _ in events if kind == "DELETED"] == ["ss-2", "ss-1", "ss-0"]


async def _no_pods(cluster: Cluster, name: str) -> bool:
    return await cluster.pods(name) == []


async def test_burst_scaling_should_run_to_completion_even_with_unhealthy_pods(cluster: Cluster) -> None:
    """Item 11 [Conformance]."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 1, podManagementPolicy="Parallel"))
    await cluster.wait_running_and_ready("ss", 1)
    cluster.node.set_ready("ss-0", False)
    await cluster.wait_status("ss", lambda s: s["status"].get("readyReplicas", 0) == 0)
    await cluster.scale("ss", 3)

    async def three() -> bool:
        return len(await cluster.pods("ss")) == 3

    await eventually(three)
    cluster.node.set_ready("ss-0", True)
    await cluster.wait_running_and_ready("ss", 3)
    for i in range(3):
        cluster.node.set_ready(f"ss-{i}", False)
    await cluster.wait_status("ss", lambda s: s["status"].get("readyReplicas", 0) == 0)
    await cluster.scale("ss", 0)
    await eventually(lambda: _no_pods(cluster, "ss"))
    await cluster.wait_status("ss", lambda s: s["status"]["replicas"] == 0)


async def test_should_recreate_evicted_statefulset(cluster: Cluster) -> None:
    """Item 12 [Conformance]. The kubelet's hostPort conflict is the fake node rejecting ss-0 (each
    incarnation ends Failed) until the conflicting pod is gone (``accept``)."""
    await cluster.create_service()
    cluster.node.reject("ss-0")
    async with cluster.pod_events() as events:
        await cluster.create(new_statefulset("ss", 1))
        await eventually(lambda: any(kind == "DELETED" and name == "ss-0" for kind, name, _ in events))
    first = await eventually(lambda: cluster.pod("ss-0"))
    cluster.node.accept("ss-0")

    async def running_again() -> bool:
        pod = await cluster.pod("ss-0")
        return pod is not None and pod["status"].get("phase") == "Running" and pod["metadata"]["uid"] != (
            first["metadata"]["uid"] if first["status"].get("phase") == "Failed" else "")

    await eventually(running_again)
    assert (await cluster.events("SuccessfulDelete"))[0]["message"] == "delete Pod ss-0 in StatefulSet ss successful"


async def test_should_have_a_working_scale_subresource(cluster: Cluster) -> None:
    """Item 13 [Conformance]."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 1))
    await cluster.wait_running_and_ready("ss", 1)
    await cluster.wait_status("ss", lambda s: s["status"]["replicas"] == 1)
    scale = await cluster.client.get(STATEFULSETS, "default", "ss", subresource="scale")
    assert scale["spec"]["replicas"] == 1 and scale["status"]["replicas"] == 1
    scale["spec"]["replicas"] = 2
    scale["metadata"]["resourceVersion"] = ""
    updated = await cluster.client.update(STATEFULSETS, "default", scale, subresource="scale")
    assert updated["spec"]["replicas"] == 2 and (await cluster.sts("ss"))["spec"]["replicas"] == 2
    await cluster.client.patch(STATEFULSETS, "default", "ss", {"spec": {"replicas": 4}}, subresource="scale")
    assert (await cluster.sts("ss"))["spec"]["replicas"] == 4
    await cluster.wait_running_and_ready("ss", 4)


async def test_should_list_patch_and_delete_a_collection_of_statefulsets(cluster: Cluster) -> None:
    """Item 14 [Conformance]."""
    labels = {"name": "sample-pod", "pod": "httpd"}
    await cluster.create_service(selector=labels)
    await cluster.create(new_statefulset("test-ss", 1, labels=labels))
    await cluster.wait_running_and_ready("test-ss", 1)
    patched = await cluster.client.patch(STATEFULSETS, "default", "test-ss", {
        "metadata": {"labels": {"test-ss": "patched"}},
        "spec": {"replicas": 2, "template": {"spec": {"terminationGracePeriodSeconds": 1, "containers": [
            {"name": "webserver", "image": "registry.k8s.io/pause:3.10"}]}}}})
    assert patched["spec"]["replicas"] == 2 and image_of(patched["spec"]["template"]) == "registry.k8s.io/pause:3.10"
    await cluster.wait_running_and_ready("test-ss", 2)
    listed = await cluster.client.list(STATEFULSETS, None, label_selector="test-ss=patched")
    assert len(listed["items"]) == 1
    store = cluster.client.registry.store_for(STATEFULSETS)
    await store.delete_collection(STATEFULSETS, "default", ListOptions(label_selector="test-ss=patched"),
                                  DeleteOptions(grace_period_seconds=1))
    listed = await cluster.client.list(STATEFULSETS, None, label_selector="test-ss=patched")
    assert listed["items"] == []


async def test_should_validate_statefulset_status_endpoints(cluster: Cluster) -> None:
    """Item 15 [Conformance]."""
    since = (await cluster.client.list(STATEFULSETS, "default"))["metadata"]["resourceVersion"]
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 1))
    await cluster.wait_running_and_ready("ss", 1)
    await cluster.client.patch(STATEFULSETS, "default", "ss", {"metadata": {"labels": {"e2e": "testing"}}})
    current = await cluster.client.get(STATEFULSETS, "default", "ss", subresource="status")
    condition = {"type": "StatusUpdate", "status": "True", "reason": "E2E", "message": "Set from e2e test"}
    current["status"]["conditions"] = [*current["status"].get("conditions", []), condition]
    for _ in range(10):
        try:
            await cluster.client.update(STATEFULSETS, "default", current, subresource="status")
            break
        except StatusError as exc:
            assert exc.code == 409
            current = await cluster.sts("ss")
            current["status"]["conditions"] = [*current["status"].get("conditions", []), condition]
    seen: list[set[str]] = []

    async def watch() -> bool:
        async for _kind, sts in cluster.client.watch(STATEFULSETS, "default", resource_version=since,
                                                     label_selector="e2e=testing", timeout_seconds=1):
            seen.append({c["type"] for c in sts["status"].get("conditions", [])})
            if "StatusUpdate" in seen[-1]:
                return True
        return False

    assert await watch()
    await cluster.client.patch(STATEFULSETS, "default", "ss", {"status": {"conditions": [
        {"type": "StatusPatched", "status": "True"}]}}, patch_type="merge", subresource="status")
    seen.clear()

    async def watch_patched() -> bool:
        async for _kind, sts in cluster.client.watch(STATEFULSETS, "default", resource_version=since,
                                                     label_selector="e2e=testing", timeout_seconds=1):
            if "StatusPatched" in {c["type"] for c in sts["status"].get("conditions", [])}:
                return True
        return False

    assert await watch_patched()
