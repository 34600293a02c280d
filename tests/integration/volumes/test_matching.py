"""Claims that no volume fits, volumes petset refuses, claims and volumes that name each other."""

from __future__ import annotations

import os

import pytest

from petset.api.errors import StatusError
from tests.integration.volumes.conftest import Volumes
from tests.support.inproc import PVS, eventually


async def test_claim_bigger_than_any_volume_waits_unless_it_has_a_class(volumes: Volumes) -> None:
    await volumes.create_book_volumes("persistent-volumes-hostpath.yaml")
    await volumes.create_claim("big", size="1Gi", storage_class="")
    message = await volumes.event("big", "FailedBinding")
    assert message == "no persistent volumes available for this claim and no storage class is set"
    assert ("Normal", "FailedBinding", message) in await volumes.events("big")
    claim = await volumes.claim("big")
    assert claim["status"]["phase"] == "Pending" and "volumeName" not in claim["spec"]
    # The same request with a class is provisioned; the book's volumes stay free.
    await volumes.create_claim("big-with-class", size="1Gi", storage_class="standard")
    bound = await volumes.bound("big-with-class")
    assert bound["status"]["capacity"] == {"storage": "1Gi"}
    for name in ("pv-a", "pv-b", "pv-c"):
        assert (await volumes.volume(name))["status"]["phase"] == "Available"


async def test_smallest_fitting_volume_with_matching_modes_and_selector(volumes: Volumes) -> None:
    await volumes.create_volume("small", size="1Mi")
    await volumes.create_volume("medium", size="5Mi")
    await volumes.create_volume("large", size="10Mi")
    await volumes.create_volume("many-modes", size="2Mi", modes=["ReadWriteOnce", "ReadOnlyMany"])
    await volumes.create_volume("fast", size="50Mi")
    await volumes.client.patch(PVS, None, "fast", {"metadata": {"labels": {"disk": "ssd"}}}, patch_type="merge")
    await volumes.create_claim("two", size="2Mi", storage_class="")
    assert (await volumes.bound("two"))["spec"]["volumeName"] == "medium"
    await volumes.create_claim("rox", size="1Mi", storage_class="", modes=["ReadOnlyMany"])
    assert (await volumes.bound("rox"))["spec"]["volumeName"] == "many-modes"
    await volumes.create_claim("ssd", storage_class="", selector={"matchLabels": {"disk": "ssd"}})
    assert (await volumes.bound("ssd"))["spec"]["volumeName"] == "fast"


async def test_classes_must_be_equal(volumes: Volumes) -> None:
    await volumes.create_class("gold")
    await volumes.create_volume("gold-1", storageClassName="gold")
    await volumes.create_volume("plain")
    await volumes.create_claim("goldie", storage_class="gold")
    assert (await volumes.bound("goldie"))["spec"]["volumeName"] == "gold-1"
    await volumes.create_claim("plain-claim", storage_class="")
    assert (await volumes.bound("plain-claim"))["spec"]["volumeName"] == "plain"


async def test_hostpath_escapes_are_refused(volumes: Volumes) -> None:
    with pytest.raises(StatusError) as refused:
        await volumes.create_volume("dots", path="/tmp/../etc")
    assert refused.value.code == 422 and "must not contain '..'" in refused.value.message

    outside = volumes.host_root.parent / "outside"
    outside.mkdir()
    (volumes.host_root / "srv").mkdir()
    os.symlink(outside, volumes.host_root / "srv" / "link")
    await volumes.create_volume("sneaky", path="/srv/link/data")
    failed = await volumes.volume_phase("sneaky", "Failed")
    assert failed["status"]["reason"] == "UnsafePath"
    assert "resolves through a symlink" in failed["status"]["message"]
    assert await volumes.event("sneaky", "UnsafePath") == failed["status"]["message"]

    await volumes.create_claim("victim", storage_class="")
    message = await volumes.event("victim", "FailedBinding")
    assert message.startswith('volume "sneaky" matches this claim but cannot be used: hostPath path')
    claim = await volumes.claim("victim")
    assert claim["status"]["phase"] == "Pending"
    (condition,) = claim["status"]["conditions"]
    assert (condition["type"], condition["status"], condition["reason"]) == ("VolumeUnusable", "True", "UnsafePath")
    assert not (outside / "data").exists()


async def test_unsupported_sources_are_stored_and_reported(volumes: Volumes) -> None:
    await volumes.create_volume("nfs", nfs={"server": "nfs.example.com", "path": "/exports"})
    failed = await volumes.volume_phase("nfs", "Failed")
    assert failed["status"]["reason"] == "UnsupportedVolumeSource"
    assert failed["status"]["message"].startswith("petset cannot provide nfs volumes")
    await volumes.create_claim("wants-nfs", storage_class="", volumeName="nfs")
    await volumes.event("wants-nfs", "FailedBinding")
    claim = await volumes.claim("wants-nfs")
    assert claim["status"]["conditions"][0]["reason"] == "UnsupportedVolumeSource"


async def test_prebound_claims_and_volumes(volumes: Volumes) -> None:
    # A claim naming its volume takes it, even if a smaller one would fit.
    await volumes.create_volume("small")
    await volumes.create_volume("chosen", size="8Mi")
    await volumes.create_claim("mine", storage_class="", volumeName="chosen")
    claim = await volumes.bound("mine")
    assert claim["spec"]["volumeName"] == "chosen"
    # The user chose: no bound-by-controller on the claim.
    assert "pv.kubernetes.io/bound-by-controller" not in claim["metadata"]["annotations"]
    # A volume naming its claim waits for it, and only it.
    await volumes.create_volume("reserved", claimRef={"namespace": "default", "name": "later"})
    await volumes.volume_phase("reserved", "Available")
    await volumes.create_claim("other", storage_class="")
    assert (await volumes.bound("other"))["spec"]["volumeName"] == "small"
    await volumes.create_claim("later", storage_class="")
    assert (await volumes.bound("later"))["spec"]["volumeName"] == "reserved"
    # A claim naming a volume that does not satisfy it says why.
    await volumes.create_volume("tiny", size="1Ki")
    await volumes.create_claim("too-big", storage_class="", volumeName="tiny")
    assert await volumes.event("too-big", "VolumeMismatch") == 'Cannot bind to requested volume "tiny": ' \
        "requested PV is too small"
    # And a claim naming a volume bound elsewhere.
    await volumes.create_claim("late", storage_class="", volumeName="chosen")
    assert await volumes.event("late", "FailedBinding") == 'volume "chosen" already bound to a different claim.'


async def test_missing_class_and_restart_keeps_bindings(volumes: Volumes) -> None:
    await volumes.create_claim("orphan", storage_class="nosuch")
    assert await volumes.event("orphan", "ProvisioningFailed") == 'storageclass.storage.k8s.io "nosuch" not found'
    await volumes.create_book_volumes("persistent-volumes-hostpath.yaml")
    await volumes.create_claim("data-kubia-0")
    before = await volumes.bound("data-kubia-0")
    # A second controller over the same objects changes nothing.
    volumes.controller.resync()
    await eventually(lambda: len(volumes.controller.binder.claim_runner.queue) == 0)
    after = await volumes.claim("data-kubia-0")
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


async def test_a_waiting_claim_takes_a_volume_as_soon_as_it_appears(volumes: Volumes) -> None:
    await volumes.create_claim("early", storage_class="", size="3Mi")
    await volumes.event("early", "FailedBinding")
    await volumes.create_volume("too-small", size="2Mi")
    await volumes.create_volume("late", size="4Mi")
    # Well before the 15 s resync.
    assert (await volumes.bound("early", timeout=2))["spec"]["volumeName"] == "late"
