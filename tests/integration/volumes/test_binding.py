"""Binding as the book shows it: its class-less volumes serve its claims; what is left, is provisioned."""

from __future__ import annotations

import yaml

from tests.conftest import SHARED_EXAMPLES
from tests.integration.volumes.conftest import STORAGE_CLASSES, Volumes
from tests.support.inproc import PVS


async def test_book_hostpath_volumes_serve_the_claim_templates(volumes: Volumes) -> None:
    assert await volumes.create_book_volumes("persistent-volumes-hostpath.yaml") == ["pv-a", "pv-b", "pv-c"]
    for name in ("pv-a", "pv-b", "pv-c"):
        await volumes.volume_phase(name, "Available")
    await volumes.create_claim("data-kubia-0")
    await volumes.create_claim("data-kubia-1")
    first = await volumes.bound("data-kubia-0")
    second = await volumes.bound("data-kubia-1")
    taken = {first["spec"]["volumeName"], second["spec"]["volumeName"]}
    assert len(taken) == 2 and taken <= {"pv-a", "pv-b", "pv-c"}
    # A claim without a class that found a class-less volume keeps no class, as upstream without a default.
    assert "storageClassName" not in first["spec"]
    assert first["status"]["capacity"] == {"storage": "1Mi"} and first["status"]["accessModes"] == ["ReadWriteOnce"]
    assert first["metadata"]["annotations"] == {"pv.kubernetes.io/bind-completed": "yes",
                                                "pv.kubernetes.io/bound-by-controller": "yes"}
    assert first["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    volume = await volumes.volume(first["spec"]["volumeName"])
    ref = volume["spec"]["claimRef"]
    assert (ref["kind"], ref["namespace"], ref["name"], ref["uid"]) == (
        "PersistentVolumeClaim", "default", "data-kubia-0", first["metadata"]["uid"])
    assert volume["metadata"]["annotations"] == {"pv.kubernetes.io/bound-by-controller": "yes"}
    assert volume["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    assert volume["status"]["lastPhaseTransitionTime"]
    # The volume's directory exists once bound.
    assert volumes.host_path(volume["spec"]["hostPath"]["path"]).is_dir()

    await volumes.create_claim("data-kubia-2")
    third = await volumes.bound("data-kubia-2")
    assert {third["spec"]["volumeName"]} == {"pv-a", "pv-b", "pv-c"} - taken

    # No class-less volume left: the next claim gets the default class and a provisioned volume.
    created = await volumes.create_claim("data-kubia-3")
    fourth = await volumes.bound("data-kubia-3")
    assert fourth["spec"]["storageClassName"] == "standard"
    assert fourth["spec"]["volumeName"] == f"pvc-{created['metadata']['uid']}"


async def test_book_gce_disks_are_directories_under_the_data_dir(volumes: Volumes) -> None:
    await volumes.create_book_volumes("persistent-volumes-gcepd.yaml")
    await volumes.create_claim("data-kubia-0")
    claim = await volumes.bound("data-kubia-0")
    disk = volumes.data_dir / "volumes" / "gce-pd" / claim["spec"]["volumeName"]
    assert disk.is_dir()


async def test_tutorial_class_of_minikube_is_served(volumes: Volumes) -> None:
    """The Cassandra tutorial's class `fast` names minikube's hostpath provisioner: petset serves it."""
    documents = list(yaml.safe_load_all((SHARED_EXAMPLES / "kubernetes-docs" / "cassandra-statefulset.yaml")
                                        .read_text()))
    (fast,) = [d for d in documents if d and d["kind"] == "StorageClass"]
    await volumes.client.create(STORAGE_CLASSES, None, fast)
    created = await volumes.create_claim("cassandra-data-cassandra-0", size="1Gi", storage_class="fast")
    claim = await volumes.bound("cassandra-data-cassandra-0")
    volume = await volumes.volume(claim["spec"]["volumeName"])
    assert volume["metadata"]["name"] == f"pvc-{created['metadata']['uid']}"
    assert volume["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "k8s.io/minikube-hostpath"


async def test_a_bound_claim_whose_volume_vanishes_is_lost(volumes: Volumes) -> None:
    await volumes.create_volume("fragile")
    await volumes.create_claim("data", storage_class="")
    await volumes.bound("data")
    # An administrator forces the volume away (pv-protection removed by hand).
    await volumes.client.patch(PVS, None, "fragile", {"metadata": {"finalizers": None}}, patch_type="merge")
    await volumes.client.delete(PVS, None, "fragile")
    assert await volumes.event("data", "ClaimLost") == \
        "Bound claim has lost its PersistentVolume. Data on the volume is lost!"
    assert (await volumes.claim("data"))["status"]["phase"] == "Lost"
