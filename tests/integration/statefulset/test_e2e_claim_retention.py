"""Upstream's e2e "Non-retain StatefulSetPersistentVolumeClaimPolicy" (spec §5.4, items 22-27).

The real garbage collector deletes the claims; the controller only maintains their owner references.
The volume controller runs too: its pvc-protection part lets a deleted claim go once no scheduled
pod uses it, and it provisions and binds the claims from the default StorageClass, as the e2e
suite's cluster does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.statefulset.conftest import Cluster, new_statefulset, running_cluster
from tests.support.inproc import PODS, PVCS, STATEFULSETS, eventually, rt

Obj = dict[str, Any]
CONFIG_MAPS = rt("v1", "configmaps")


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    async with running_cluster(tmp_path, volumes=True) as running:
        yield running


def _policy(when_deleted: str = "Retain", when_scaled: str = "Retain") -> Obj:
    return {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": when_deleted, "whenScaled": when_scaled}}


async def _claims_are(cluster: Cluster, names: list[str]) -> bool:
    return await cluster.claim_names() == names


async def _set_claim_refs(cluster: Cluster, name: str, refs: list[Obj] | None, **meta: Any) -> None:
    await cluster.client.patch(PVCS, "default", name, {"metadata": {"ownerReferences": refs, **meta}},
                               patch_type="merge")


async def _orphan_pod(cluster: Cluster, name: str) -> None:
    await cluster.client.patch(PODS, "default", name, {"metadata": {"ownerReferences": None}}, patch_type="merge")


async def _config_map(cluster: Cluster) -> Obj:
    return await cluster.client.create(CONFIG_MAPS, "default", {"apiVersion": "v1", "kind": "ConfigMap",
                                                                "metadata": {"name": "owner"}})


async def test_should_delete_pvcs_with_a_when_deleted_policy(cluster: Cluster) -> None:
    """Item 22."""
    await cluster.create_service()
    sts = await cluster.create(new_statefulset("ss", 3, claims=("datadir",), **_policy(when_deleted="Delete")))
    await cluster.wait_running_and_ready("ss", 3)

    async def owned_by_the_set() -> bool:
        claims = [await cluster.claim(f"datadir-ss-{i}") for i in range(3)]
        return all([r["uid"] for r in c["metadata"].get("ownerReferences", [])] == [sts["metadata"]["uid"]]
                   for c in claims)

    await eventually(owned_by_the_set)
    await cluster.client.delete(STATEFULSETS, "default", "ss")
    await eventually(lambda: _claims_are(cluster, []))


async def test_should_delete_pvcs_with_an_on_scaledown_policy(cluster: Cluster) -> None:
    """Item 23."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 3, claims=("datadir",), **_policy(when_scaled="Delete")))
    await cluster.wait_running_and_ready("ss", 3)
    await cluster.scale("ss", 1)
    await cluster.wait_running_and_ready("ss", 1)
    await eventually(lambda: _claims_are(cluster, ["datadir-ss-0"]))


async def test_should_not_delete_pvc_with_on_scaledown_policy_if_another_controller_owns_the_pvc(
        cluster: Cluster) -> None:
    """Item 24."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 3, claims=("datadir",)))
    await cluster.wait_running_and_ready("ss", 3)
    owner = await _config_map(cluster)
    await _set_claim_refs(cluster, "datadir-ss-1", [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                                     "uid": owner["metadata"]["uid"], "controller": True}])
    await cluster.update("ss", lambda s: s["spec"].update(_policy(when_scaled="Delete")))
    await cluster.scale("ss", 0)
    await eventually(lambda: _no_pods(cluster))
    await eventually(lambda: _claims_are(cluster, ["datadir-ss-1"]))
    await _set_claim_refs(cluster, "datadir-ss-1", None)
    await cluster.scale("ss", 2)
    await cluster.wait_running_and_ready("ss", 2)
    await eventually(lambda: _claims_are(cluster, ["datadir-ss-0", "datadir-ss-1"]))
    await cluster.scale("ss", 1)
    await eventually(lambda: _claims_are(cluster, ["datadir-ss-0"]))


async def _no_pods(cluster: Cluster) -> bool:
    return await cluster.pods("ss") == []


async def test_should_delete_pvcs_after_adopting_pod_when_deleted(cluster: Cluster) -> None:
    """Item 25."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 3, claims=("datadir",), **_policy(when_deleted="Delete")))
    await cluster.wait_running_and_ready("ss", 3)
    await _orphan_pod(cluster, "ss-2")
    await eventually(lambda: _adopted(cluster, "ss-2"))
    await cluster.client.delete(STATEFULSETS, "default", "ss")
    await eventually(lambda: _claims_are(cluster, []))


async def _adopted(cluster: Cluster, name: str) -> bool:
    pod = await cluster.pod(name)
    return bool(pod and pod["metadata"].get("ownerReferences"))


async def test_should_delete_pvcs_after_adopting_pod_when_scaled(cluster: Cluster) -> None:
    """Item 26: the controller re-adopts ss-2 and hands its claim to it before deleting it."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 3, claims=("datadir",), **_policy(when_scaled="Delete")))
    await cluster.wait_running_and_ready("ss", 3)
    await _orphan_pod(cluster, "ss-2")
    await cluster.scale("ss", 1)
    await cluster.wait_running_and_ready("ss", 1)
    await eventually(lambda: _claims_are(cluster, ["datadir-ss-0"]))


async def test_should_not_delete_pvcs_when_there_is_another_controller(cluster: Cluster) -> None:
    """Item 27."""
    await cluster.create_service()
    sts = await cluster.create(new_statefulset("ss", 4, claims=("datadir",)))
    await cluster.wait_running_and_ready("ss", 4)
    owner = await _config_map(cluster)
    config_map_ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    stale_ref = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "unknown", "uid": "9d86d6ae-4e06-4ff1-bc55",
                 "controller": True}
    await _set_claim_refs(cluster, "datadir-ss-1", [config_map_ref])
    await _set_claim_refs(cluster, "datadir-ss-3", [stale_ref], finalizers=["keep-with/stale-ref"])
    set_ref = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "ss", "uid": sts["metadata"]["uid"],
               "controller": True, "blockOwnerDeletion": True}

    async def refs(index: int) -> list[Obj]:
        return (await cluster.claim(f"datadir-ss-{index}"))["metadata"].get("ownerReferences", [])

    await cluster.update("ss", lambda s: s["spec"].update(_policy(when_deleted="Delete")))

    async def reconciled() -> bool:
        return ([await refs(i) for i in range(4)] == [[set_ref], [config_map_ref, set_ref], [set_ref], [stale_ref]])

    await eventually(reconciled)
    await _set_claim_refs(cluster, "datadir-ss-0", [{**set_ref, "controller": False}])
    await cluster.update("ss", lambda s: s["spec"].update(_policy(when_deleted="Delete", when_scaled="Delete")))
    await eventually(reconciled)
    await cluster.client.delete(STATEFULSETS, "default", "ss")
    await eventually(lambda: _claims_are(cluster, ["datadir-ss-1", "datadir-ss-3"]))
    assert await refs(1) == [config_map_ref] and await refs(3) == [stale_ref]


async def test_a_claim_with_another_controller_is_reported_when_its_pod_is_created(cluster: Cluster) -> None:
    """Not an e2e test: upstream's ConflictingController event, emitted when the pod is (re)created."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 2, claims=("datadir",), **_policy(when_scaled="Delete")))
    await cluster.wait_running_and_ready("ss", 2)
    owner = await _config_map(cluster)
    config_map_ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"],
                      "controller": True}
    await _set_claim_refs(cluster, "datadir-ss-1", [config_map_ref])
    await cluster.delete_pod("ss-1")
    await eventually(lambda: cluster.events("ConflictingController"))
    event = (await cluster.events("ConflictingController"))[0]
    assert event["type"] == "Warning" and event["message"] == (
        "PersistentVolumeClaim datadir-ss-1 has a conflicting OwnerReference that acts as a manging controller, "
        "the retention policy is ignored for this claim")
    await cluster.wait_running_and_ready("ss", 2)
    assert (await cluster.claim("datadir-ss-1"))["metadata"]["ownerReferences"] == [config_map_ref]
