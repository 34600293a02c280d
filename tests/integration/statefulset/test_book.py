"""The book's chapter 10 StatefulSet (Kubernetes in Action, §10.3-10.5), end to end.

The manifests are read unchanged from the shared examples; a fake node plays the kubelet, the real
garbage collector runs.
"""

from __future__ import annotations

from tests.integration.statefulset.conftest import Cluster, book_manifest, image_of, ready, revision_of
from tests.support.inproc import STATEFULSETS, eventually, rt

STATEFULSETS_V1BETA1 = rt("apps/v1beta1", "statefulsets")


def _first(events: list[tuple[str, str, bool]], kind: str, name: str, terminating: bool | None = None) -> int:
    return next(i for i, (k, n, t) in enumerate(events)
                if k == kind and n == name and (terminating is None or t == terminating))


async def test_pods_come_up_one_at_a_time(cluster: Cluster) -> None:
    cluster.node.pause_new_pods()
    await cluster.create(book_manifest("kubia-statefulset.yaml"))
    await eventually(lambda: cluster.pod("kubia-0"))

    async def only_kubia_0() -> bool:
        return await cluster.pod_names("kubia") == ["kubia-0"]

    await cluster.stays(only_kubia_0, 0.2)
    cluster.node.resume("kubia-0")
    await eventually(lambda: cluster.pod("kubia-1"))
    kubia0 = await cluster.pod("kubia-0")
    assert kubia0 is not None and ready(kubia0)
    cluster.node.resume("kubia-1")
    pods = await cluster.wait_running_and_ready("kubia", 2)
    assert pods[0]["spec"]["volumes"][0] == {"name": "data", "persistentVolumeClaim": {"claimName": "data-kubia-0"}}
    assert pods[0]["spec"]["containers"][0]["volumeMounts"] == [{"mountPath": "/var/data", "name": "data"}]
    assert await cluster.claim_names() == ["data-kubia-0", "data-kubia-1"]
    assert image_of(pods[0]) == "luksa/kubia-pet"
    sts = await cluster.wait_status("kubia", lambda s: s["status"].get("readyReplicas") == 2)
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"] == revision_of(pods[1])


async def test_scaling_down_removes_the_highest_pod_first_and_keeps_its_claim(cluster: Cluster) -> None:
    await cluster.create(book_manifest("kubia-statefulset.yaml"))
    await cluster.wait_running_and_ready("kubia", 2)
    await cluster.scale("kubia", 3)
    await cluster.wait_running_and_ready("kubia", 3)
    claims = {c: (await cluster.claim(c))["metadata"]["uid"] for c in await cluster.claim_names()}
    async with cluster.pod_events() as events:
        await cluster.scale("kubia", 1)
        await cluster.wait_running_and_ready("kubia", 1)
    # One at a time: kubia-1 is deleted only after kubia-2 is gone.
    assert _first(events, "DELETED", "kubia-2") < _first(events, "MODIFIED", "kubia-1", terminating=True)
    assert await cluster.claim_names() == ["data-kubia-0", "data-kubia-1", "data-kubia-2"]
    await cluster.scale("kubia", 3)
    pods = await cluster.wait_running_and_ready("kubia", 3)
    assert {c: (await cluster.claim(c))["metadata"]["uid"] for c in await cluster.claim_names()} == claims
    assert [p["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] for p in pods] == sorted(claims)


async def test_a_deleted_pod_comes_back_with_the_same_name_and_claim(cluster: Cluster) -> None:
    await cluster.create(book_manifest("kubia-statefulset.yaml"))
    before = await cluster.wait_running_and_ready("kubia", 2)
    await cluster.delete_pod("kubia-0", grace=None)
    terminating = await cluster.pod("kubia-0")
    assert terminating is not None and terminating["metadata"].get("deletionTimestamp"), "graceful, on a node"

    async def replaced() -> bool:
        pod = await cluster.pod("kubia-0")
        return pod is not None and pod["metadata"]["uid"] != before[0]["metadata"]["uid"] and ready(pod)

    await eventually(replaced)
    after = await cluster.wait_running_and_ready("kubia", 2)
    assert after[0]["spec"]["volumes"] == before[0]["spec"]["volumes"]
    assert after[0]["spec"]["hostname"] == "kubia-0" and after[0]["spec"]["subdomain"] == "kubia"
    assert await cluster.claim_names() == ["data-kubia-0", "data-kubia-1"]


async def test_an_image_change_rolls_pods_from_the_highest_ordinal(cluster: Cluster) -> None:
    manifest = book_manifest("kubia-statefulset.yaml")
    manifest["spec"]["replicas"] = 3
    await cluster.create(manifest)
    await cluster.wait_running_and_ready("kubia", 3)
    async with cluster.pod_events() as events:
        await cluster.set_image("kubia", "luksa/kubia-pet-peers")
        sts = await cluster.wait_rolling_update("kubia")
        await cluster.wait_running_and_ready("kubia", 3)
    added = [name for kind, name, _ in events if kind == "ADDED"]
    deleted = [name for kind, name, _ in events if kind == "DELETED"]
    assert added == deleted == ["kubia-2", "kubia-1", "kubia-0"]
    assert [image_of(p) for p in await cluster.pods("kubia")] == ["luksa/kubia-pet-peers"] * 3
    assert [r["revision"] for r in await cluster.revisions("kubia")] == [1, 2]
    assert sts["status"]["currentReplicas"] == 3


async def test_the_v1beta1_peers_manifest_updates_with_on_delete_semantics(cluster: Cluster) -> None:
    await cluster.create(book_manifest("kubia-statefulset.yaml"))
    await cluster.wait_running_and_ready("kubia", 2)
    # kubectl edit/replace of the book's apps/v1beta1 manifest: 3 replicas, the peers image, and
    # the v1beta1 default update strategy, OnDelete.
    current = await cluster.client.get(STATEFULSETS_V1BETA1, "default", "kubia")
    peers = book_manifest("kubia-statefulset-peers.yaml")
    peers["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
    await cluster.client.update(STATEFULSETS_V1BETA1, "default", peers)
    stored = await cluster.client.get(STATEFULSETS, "default", "kubia")
    assert stored["spec"]["updateStrategy"] == {"type": "OnDelete"}
    pods = await cluster.wait_running_and_ready("kubia", 3)
    assert [image_of(p) for p in pods] == ["luksa/kubia-pet", "luksa/kubia-pet", "luksa/kubia-pet-peers"]
    await cluster.stays(lambda: _images_are(cluster, ["luksa/kubia-pet"] * 2 + ["luksa/kubia-pet-peers"]), 0.2)
    for name in ("kubia-0", "kubia-1"):
        await cluster.delete_pod(name, grace=None)
    await eventually(lambda: _images_are(cluster, ["luksa/kubia-pet-peers"] * 3))
    await cluster.wait_running_and_ready("kubia", 3)
    sts = await cluster.wait_status("kubia", lambda s: s["status"].get("readyReplicas") == 3)
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"], "petset: OnDelete completes"


async def _images_are(cluster: Cluster, images: list[str]) -> bool:
    pods = await cluster.pods("kubia", include_terminating=False)
    return [image_of(p) for p in pods] == images
