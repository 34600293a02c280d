"""Claims in use (pvc-protection), waiting for the first consumer, and growing volumes."""

from __future__ import annotations

import pytest

from petset.api.errors import StatusError
from tests.integration.volumes.conftest import STORAGE_CLASSES, Volumes
from tests.support.inproc import PODS, PVCS, PVS, STATEFULSETS, eventually


async def test_claim_in_use_by_a_scheduled_pod_waits_for_the_pod(volumes: Volumes) -> None:
    await volumes.create_book_volumes("persistent-volumes-hostpath.yaml")
    await volumes.create_claim("data-kubia-0")
    claim = await volumes.bound("data-kubia-0")
    volume_name = claim["spec"]["volumeName"]
    await volumes.create_pod("kubia-0", "data-kubia-0", node="node-1")
    await volumes.create_pod("kubia-x", "data-kubia-0")  # unscheduled: does not hold the claim

    await volumes.client.delete(PVCS, "default", "data-kubia-0")
    terminating = await volumes.claim("data-kubia-0")
    assert terminating["metadata"]["deletionTimestamp"]
    assert terminating["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    # The volume cannot be deleted from under the claim either (pv-protection).
    await volumes.client.delete(PVS, None, volume_name)
    await volumes.controller.flush_events()
    assert (await volumes.claim("data-kubia-0"))["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert (await volumes.volume(volume_name))["status"]["phase"] == "Bound"

    await volumes.client.delete(PODS, "default", "kubia-0", grace_period_seconds=0)
    await volumes.gone(PVCS, "default", "data-kubia-0")
    # Released, then gone: the volume was being deleted, and pv-protection lets it go once unbound.
    await volumes.gone(PVS, None, volume_name)


async def test_unscheduled_pods_do_not_hold_a_claim(volumes: Volumes) -> None:
    await volumes.create_claim("data-web-0")
    await volumes.bound("data-web-0")
    await volumes.create_pod("web-0", "data-web-0")
    await volumes.client.delete(PVCS, "default", "data-web-0")
    await volumes.gone(PVCS, "default", "data-web-0")


async def test_wait_for_first_consumer(volumes: Volumes) -> None:
    await volumes.create_class("local-wait", volumeBindingMode="WaitForFirstConsumer")
    await volumes.create_claim("data-db-0", storage_class="local-wait")
    assert await volumes.event("data-db-0", "WaitForFirstConsumer") == \
        "waiting for first consumer to be created before binding"
    await volumes.create_pod("db-0", "data-db-0")
    assert await volumes.event("data-db-0", "WaitForPodScheduled") == "waiting for pod db-0 to be scheduled"
    assert (await volumes.claim("data-db-0"))["status"]["phase"] == "Pending"

    # The scheduler binds the pod to a node: the claim is provisioned and bound.
    await volumes.client.create(PODS, "default", {"apiVersion": "v1", "kind": "Binding",
                                                  "metadata": {"name": "db-0"},
                                                  "target": {"apiVersion": "v1", "kind": "Node", "name": "node-2"}},
                                subresource="binding", name="db-0")
    claim = await volumes.bound("data-db-0")
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == "node-2"

    # Or the scheduler sets the selected node on the claim itself.
    await volumes.create_claim("data-db-1", storage_class="local-wait")
    await volumes.event("data-db-1", "WaitForFirstConsumer")
    await volumes.client.patch(PVCS, "default", "data-db-1",
                               {"metadata": {"annotations": {"volume.kubernetes.io/selected-node": "node-1"}}},
                               patch_type="merge")
    await volumes.bound("data-db-1")


async def test_wait_for_first_consumer_binds_static_volumes_on_the_node(volumes: Volumes) -> None:
    await volumes.create_class("local-disks", provisioner="kubernetes.io/no-provisioner",
                               volumeBindingMode="WaitForFirstConsumer")
    for node in ("node-1", "node-2"):
        await volumes.create_volume(f"disk-{node}", storageClassName="local-disks", local={"path": f"/mnt/{node}"},
                                    nodeAffinity={"required": {"nodeSelectorTerms": [{"matchFields": [
                                        {"key": "metadata.name", "operator": "In", "values": [node]}]}]}})
    await volumes.create_claim("data-db-0", storage_class="local-disks")
    await volumes.event("data-db-0", "WaitForFirstConsumer")
    await volumes.create_pod("db-0", "data-db-0", node="node-2")
    claim = await volumes.bound("data-db-0")
    assert claim["spec"]["volumeName"] == "disk-node-2"
    assert volumes.host_path("/mnt/node-2").is_dir()


async def test_expanding_a_provisioned_claim(volumes: Volumes) -> None:
    await volumes.create_claim("data-web-0", storage_class="standard")
    claim = await volumes.bound("data-web-0")
    await volumes.client.patch(PVCS, "default", "data-web-0",
                               {"spec": {"resources": {"requests": {"storage": "3Mi"}}}}, patch_type="merge")

    async def grown() -> bool:
        current = await volumes.claim("data-web-0")
        return current["status"]["capacity"] == {"storage": "3Mi"}

    await eventually(grown)
    volume = await volumes.volume(claim["spec"]["volumeName"])
    assert volume["spec"]["capacity"] == {"storage": "3Mi"}
    assert (await volumes.claim("data-web-0"))["status"]["allocatedResources"] == {"storage": "3Mi"}
    assert await volumes.event("data-web-0", "VolumeResizeSuccessful") == "Resize volume succeeded"
    assert await volumes.event("data-web-0", "Resizing") == \
        f"External resizer is resizing volume {claim['spec']['volumeName']}"
    # Shrinking below the capacity is refused by validation.
    with pytest.raises(StatusError) as shrink:
        await volumes.client.patch(PVCS, "default", "data-web-0",
                                   {"spec": {"resources": {"requests": {"storage": "1Mi"}}}}, patch_type="merge")
    assert "field can not be less than status.capacity" in shrink.value.message


async def test_class_less_claims_cannot_grow(volumes: Volumes) -> None:
    await volumes.create_book_volumes("persistent-volumes-hostpath.yaml")
    await volumes.create_claim("data-kubia-0")
    await volumes.bound("data-kubia-0")
    with pytest.raises(StatusError) as refused:
        await volumes.client.patch(PVCS, "default", "data-kubia-0",
                                   {"spec": {"resources": {"requests": {"storage": "2Mi"}}}}, patch_type="merge")
    assert refused.value.code == 403
    assert refused.value.message == ('persistentvolumeclaims "data-kubia-0" is forbidden: only dynamically '
                                     "provisioned pvc can be resized and the storageclass that provisions the pvc "
                                     "must support resize")


def _statefulset(storage: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
            "spec": {"serviceName": "web", "replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "c", "image": "luksa/kubia-pet"}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                               "spec": {"accessModes": ["ReadWriteOnce"],
                                                        "resources": {"requests": {"storage": storage}}}}]}}


async def test_raising_a_claim_template_grows_the_sets_claims(volumes: Volumes) -> None:
    await volumes.client.create(STATEFULSETS, "default", _statefulset("1Mi"))
    # The StatefulSet controller's claims (it is not running here): <template>-<set>-<ordinal>.
    await volumes.create_claim("data-web-0")
    await volumes.create_claim("data-web-1")
    await volumes.create_claim("data-other-0")
    for name in ("data-web-0", "data-web-1", "data-other-0"):
        await volumes.bound(name)

    await volumes.client.patch(STATEFULSETS, "default", "web", [
        {"op": "replace", "path": "/spec/volumeClaimTemplates/0/spec/resources/requests/storage", "value": "2Mi"}],
        patch_type="json")

    async def grown() -> bool:
        claims = [await volumes.claim(n) for n in ("data-web-0", "data-web-1")]
        return all(c["status"].get("capacity") == {"storage": "2Mi"} for c in claims)

    await eventually(grown)
    assert (await volumes.claim("data-other-0"))["spec"]["resources"]["requests"]["storage"] == "1Mi"
    assert await volumes.event("web", "SuccessfulUpdate") in (
        "update Claim data-web-0 Pod web-0 in StatefulSet web success",
        "update Claim data-web-1 Pod web-1 in StatefulSet web success")

    # A claim grown beyond its template is never shrunk back (validation refuses lowering templates).
    await volumes.client.patch(PVCS, "default", "data-web-0",
                               {"spec": {"resources": {"requests": {"storage": "3Mi"}}}}, patch_type="merge")
    volumes.controller.resync()
    await eventually(lambda: len(volumes.controller.templates.runner.queue) == 0)
    assert (await volumes.claim("data-web-0"))["spec"]["resources"]["requests"]["storage"] == "3Mi"


async def test_default_class_is_created(volumes: Volumes) -> None:
    standard = await volumes.client.get(STORAGE_CLASSES, None, "standard")
    assert standard["provisioner"] == "petset.io/local-path"
    assert standard["reclaimPolicy"] == "Delete" and standard["volumeBindingMode"] == "Immediate"
    assert standard["allowVolumeExpansion"] is True
    assert standard["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
