"""Released volumes under each reclaim policy: Retain keeps, Delete removes, Recycle empties."""

from __future__ import annotations

from tests.integration.volumes.conftest import Volumes
from tests.support.inproc import PVCS, PVS


async def test_data_survives_rebinding_of_a_retained_volume(volumes: Volumes) -> None:
    await volumes.create_volume("keep", path="/srv/keep", policy="Retain")
    await volumes.create_claim("data-kubia-0")
    claim = await volumes.bound("data-kubia-0")
    assert claim["spec"]["volumeName"] == "keep"
    (volumes.host_path("/srv/keep") / "kubia.txt").write_text("Data stored on pod kubia-0\n")

    await volumes.client.delete(PVCS, "default", "data-kubia-0")
    await volumes.gone(PVCS, "default", "data-kubia-0")
    released = await volumes.volume_phase("keep", "Released")
    # The claimRef keeps the old UID, so a new claim of the same name does not take the volume.
    assert released["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert (volumes.host_path("/srv/keep") / "kubia.txt").read_text() == "Data stored on pod kubia-0\n"

    # The administrator makes it available again; the next claim gets the old data.
    await volumes.client.patch(PVS, None, "keep", [{"op": "remove", "path": "/spec/claimRef"}], patch_type="json")
    await volumes.volume_phase("keep", "Available")
    await volumes.create_claim("data-kubia-0", storage_class="")
    again = await volumes.bound("data-kubia-0")
    assert again["spec"]["volumeName"] == "keep"
    assert (volumes.host_path("/srv/keep") / "kubia.txt").read_text() == "Data stored on pod kubia-0\n"


async def test_provisioned_volume_and_directory_are_deleted_with_the_claim(volumes: Volumes) -> None:
    created = await volumes.create_claim("data-web-0")
    claim = await volumes.bound("data-web-0")
    name = f"pvc-{created['metadata']['uid']}"
    directory = volumes.data_dir / "volumes" / "local-path" / name
    volume = await volumes.volume(name)
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert volume["spec"]["storageClassName"] == "standard"
    assert volume["spec"]["capacity"] == {"storage": "1Mi"}
    assert volume["spec"]["hostPath"] == {"path": str(directory.resolve()), "type": "DirectoryOrCreate"}
    assert volume["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "petset.io/local-path"
    assert directory.is_dir()
    reasons = [reason for _, reason, _ in await volumes.events("data-web-0")]
    assert {"ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"} <= set(reasons)
    assert await volumes.event("data-web-0", "ProvisioningSucceeded") == f"Successfully provisioned volume {name}"
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == "petset.io/local-path"

    (directory / "data").write_text("x")
    await volumes.client.delete(PVCS, "default", "data-web-0")
    await volumes.gone(PVS, None, name)
    assert not directory.exists()


async def test_retain_class_keeps_the_directory(volumes: Volumes) -> None:
    await volumes.create_class("keep", reclaimPolicy="Retain")
    created = await volumes.create_claim("data-db-0", storage_class="keep")
    await volumes.bound("data-db-0")
    name = f"pvc-{created['metadata']['uid']}"
    directory = volumes.data_dir / "volumes" / "local-path" / name
    await volumes.client.delete(PVCS, "default", "data-db-0")
    await volumes.volume_phase(name, "Released")
    assert directory.is_dir()
    # Deleting the volume object of a Retain volume keeps the data, too.
    await volumes.client.delete(PVS, None, name)
    await volumes.gone(PVS, None, name)
    assert directory.is_dir()


async def test_recycle_empties_the_directory_and_frees_the_volume(volumes: Volumes) -> None:
    await volumes.create_book_volumes("persistent-volumes-hostpath.yaml")
    await volumes.create_claim("data-kubia-0")
    claim = await volumes.bound("data-kubia-0")
    volume_name = claim["spec"]["volumeName"]
    directory = volumes.host_path(f"/tmp/{volume_name}")
    (directory / "kubia.txt").write_text("old data")
    (directory / "sub").mkdir()
    (directory / "sub" / "more").write_text("more")

    await volumes.client.delete(PVCS, "default", "data-kubia-0")
    volume = await volumes.volume_phase(volume_name, "Available")
    assert "claimRef" not in volume["spec"] and "annotations" not in volume["metadata"]
    assert directory.is_dir() and list(directory.iterdir()) == []
    assert await volumes.event(volume_name, "VolumeRecycled") == "Volume recycled"


async def test_delete_policy_on_static_volumes(volumes: Volumes) -> None:
    await volumes.create_volume("scratch", path="/tmp/scratch", policy="Delete")
    await volumes.create_volume("precious", path="/srv/precious", policy="Delete", size="2Mi")
    await volumes.create_claim("a", storage_class="")
    await volumes.create_claim("b", storage_class="", size="2Mi")
    await volumes.bound("a")
    await volumes.bound("b")
    assert volumes.host_path("/tmp/scratch").is_dir()
    await volumes.client.delete(PVCS, "default", "a")
    await volumes.client.delete(PVCS, "default", "b")
    # hostPath under /tmp: the deleter removes the directory and the volume.
    await volumes.gone(PVS, None, "scratch")
    assert not volumes.host_path("/tmp/scratch").exists()
    # Elsewhere upstream's hostPath deleter refuses: Failed, data kept.
    failed = await volumes.volume_phase("precious", "Failed")
    assert failed["status"]["message"] == "host_path deleter only supports /tmp/.+ but received provided /srv/precious"
    assert volumes.host_path("/srv/precious").is_dir()
    assert await volumes.event("precious", "VolumeFailedDelete") == failed["status"]["message"]
