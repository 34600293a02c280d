"""PersistentVolume, PersistentVolumeClaim and StorageClass validation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from petset.api.errors import invalid
from petset.api.validation import validate_create, validate_status_update, validate_update
from tests.unit.api.test_validation_objects import messages, pv, pvc

JSON = dict[str, Any]


def pv_errors(obj: JSON) -> list[str]:
    return messages(validate_create("", "PersistentVolume", obj))


def pvc_errors(obj: JSON) -> list[str]:
    return messages(validate_create("", "PersistentVolumeClaim", obj))


def stored(obj: JSON) -> JSON:
    obj = copy.deepcopy(obj)
    obj["metadata"].update(uid="u1", resourceVersion="9", creationTimestamp="2024-05-01T10:00:00Z")
    return obj


# --- PersistentVolume ---------------------------------------------------------------------------------

def test_a_host_path_volume_is_valid() -> None:
    assert pv_errors(pv()) == []


def test_capacity_is_required() -> None:
    obj = pv()
    del obj["spec"]["capacity"]
    assert pv_errors(obj) == [
        "spec.capacity: Required value",
        'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"']


def test_capacity_holds_storage_only_and_positive() -> None:
    assert pv_errors(pv(capacity={"storage": "0"})) == [
        'spec.capacity[storage]: Invalid value: "0": must be greater than zero']
    errors = pv_errors(pv(capacity={"storage": "1Mi", "cpu": "1"}))
    assert errors == [
        'spec.capacity: Unsupported value: core.ResourceList{"cpu":resource.Quantity{i:resource.int64Amount{'
        'value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}, '
        '"storage":resource.Quantity{i:resource.int64Amount{value:1048576, scale:0}, d:resource.infDecAmount{'
        'Dec:(*inf.Dec)(nil)}, s:"1Mi", Format:"BinarySI"}}: supported values: "storage"']


def test_access_modes() -> None:
    assert pv_errors(pv(accessModes=[])) == ["spec.accessModes: Required value"]
    assert pv_errors(pv(accessModes=["ReadWriteSometimes"])) == [
        'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", '
        '"ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"']
    assert pv_errors(pv(accessModes=["ReadWriteOncePod", "ReadOnlyMany"])) == [
        "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"]


def test_exactly_one_volume_source() -> None:
    obj = pv()
    del obj["spec"]["hostPath"]
    assert pv_errors(obj) == ["spec: Required value: must specify a volume type"]
    obj["spec"]["hostPath"] = {"path": "/tmp/pv-a"}
    obj["spec"]["nfs"] = {"server": "nfs.example.com", "path": "/exports/a"}
    assert pv_errors(obj) == ["spec.nfs: Forbidden: may not specify more than 1 volume type"]


def test_source_rules() -> None:
    assert pv_errors(pv(hostPath={"path": ""})) == ["spec.hostPath.path: Required value"]
    assert pv_errors(pv(hostPath={"path": "/tmp/../etc"})) == [
        "spec.hostPath.path: Invalid value: \"/tmp/../etc\": must not contain '..'"]
    assert pv_errors(pv(hostPath={"path": "/tmp/pv-a", "type": "Folder"})) == [
        'spec.hostPath.type: Unsupported value: "Folder": supported values: "", "BlockDevice", "CharDevice", '
        '"Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"']
    assert pv_errors(pv(hostPath={"path": "/"})) == [
        "spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"]
    obj = pv()
    del obj["spec"]["hostPath"]
    obj["spec"]["gcePersistentDisk"] = {"pdName": "", "fsType": "ext4"}
    assert pv_errors(obj) == ["spec.persistentDisk.pdName: Required value"]


def test_local_volumes_need_node_affinity() -> None:
    obj = pv()
    del obj["spec"]["hostPath"]
    obj["spec"]["local"] = {"path": "/mnt/disks/a"}
    assert pv_errors(obj) == ["spec.nodeAffinity: Required value: Local volume requires node affinity"]
    obj["spec"]["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}]}]}}
    assert pv_errors(obj) == []


def test_reclaim_policy_and_class() -> None:
    assert pv_errors(pv(persistentVolumeReclaimPolicy="Keep")) == [
        'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", '
        '"Retain"']
    assert pv_errors(pv(storageClassName="Fast_SSD"))[0].startswith(
        'spec.storageClassName: Invalid value: "Fast_SSD": a lowercase RFC 1123 subdomain')


def test_volume_source_is_immutable() -> None:
    old = stored(pv())
    new = copy.deepcopy(old)
    new["spec"]["claimRef"] = {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data-kubia-0"}
    assert messages(validate_update("", "PersistentVolume", new, old)) == []
    new["spec"]["hostPath"]["path"] = "/tmp/pv-b"
    errors = messages(validate_update("", "PersistentVolume", new, old))
    assert len(errors) == 1
    assert errors[0].startswith("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable "
                                "after creation\n")


def test_pv_status_update() -> None:
    old = stored(pv())
    new = copy.deepcopy(old)
    new["status"] = {"phase": "Bound"}
    assert messages(validate_status_update("", "PersistentVolume", new, old)) == []


# --- PersistentVolumeClaim ----------------------------------------------------------------------------

def test_a_claim_is_valid() -> None:
    assert pvc_errors(pvc()) == []


def test_claims_need_access_modes_and_storage() -> None:
    assert pvc_errors(pvc(accessModes=[])) == [
        "spec.accessModes: Required value: at least 1 access mode is required"]
    assert pvc_errors(pvc(resources={})) == ["spec.resources[storage]: Required value"]
    assert pvc_errors(pvc(resources={"requests": {"storage": "-1Gi"}})) == [
        'spec.resources[storage]: Invalid value: "-1Gi": must be greater than zero']


def test_claim_selectors_and_modes() -> None:
    assert pvc_errors(pvc(volumeMode="Raw")) == [
        'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"']
    assert pvc_errors(pvc(selector={"matchLabels": {"tier": "-"}}))[0].startswith(
        'spec.selector.matchLabels: Invalid value: "-": a valid label must be an empty string')


def test_claim_data_sources() -> None:
    assert pvc_errors(pvc(dataSource={"kind": "VolumeSnapshot", "name": "snap"})) == [
        "spec.dataSource: Invalid value: \"VolumeSnapshot\": must be 'PersistentVolumeClaim' when referencing the "
        "default apiGroup"]


IMMUTABLE_PREFIX = ("spec: Forbidden: spec is immutable after creation except resources.requests and "
                    "volumeAttributesClassName for bound claims\n")


@pytest.fixture
def pending() -> JSON:
    return stored(pvc())


def claim_update(old: JSON, change: Any) -> list[str]:
    new = copy.deepcopy(old)
    change(new)
    return messages(validate_update("", "PersistentVolumeClaim", new, old))


def test_volume_name_may_be_set_once(pending: JSON) -> None:
    assert claim_update(pending, lambda n: n["spec"].__setitem__("volumeName", "pv-a")) == []
    pending["spec"]["volumeName"] = "pv-a"
    errors = claim_update(pending, lambda n: n["spec"].__setitem__("volumeName", "pv-b"))
    assert len(errors) == 1
    assert errors[0].startswith(IMMUTABLE_PREFIX)
    assert '- \tVolumeName: "pv-a",' in errors[0]
    assert '+ \tVolumeName: "pv-b",' in errors[0]


def test_pending_claims_may_not_resize(pending: JSON) -> None:
    errors = claim_update(pending, lambda n: n["spec"]["resources"]["requests"].__setitem__("storage", "2Mi"))
    assert len(errors) == 1
    assert errors[0].startswith(IMMUTABLE_PREFIX)


def test_bound_claims_may_grow(pending: JSON) -> None:
    pending["spec"]["volumeName"] = "pv-a"
    pending["status"] = {"phase": "Bound", "capacity": {"storage": "1Mi"}, "accessModes": ["ReadWriteOnce"]}
    assert claim_update(pending, lambda n: n["spec"]["resources"]["requests"].__setitem__("storage", "2Mi")) == []
    # RecoverVolumeExpansionFailure (beta in v1.32): shrinking is allowed, but not to the recorded capacity.
    pending["spec"]["resources"]["requests"]["storage"] = "4Mi"
    assert claim_update(pending, lambda n: n["spec"]["resources"]["requests"].__setitem__("storage", "2Mi")) == []
    assert claim_update(pending, lambda n: n["spec"]["resources"]["requests"].__setitem__("storage", "1Mi")) == [
        "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"]


def test_claim_status_message(pending: JSON) -> None:
    new = copy.deepcopy(pending)
    new["spec"]["accessModes"] = ["ReadWriteMany"]
    errors = validate_update("", "PersistentVolumeClaim", new, pending)
    assert invalid("PersistentVolumeClaim", "", "data-kubia-0", errors).message.startswith(
        'PersistentVolumeClaim "data-kubia-0" is invalid: ' + IMMUTABLE_PREFIX)


def test_claim_status_update(pending: JSON) -> None:
    new = copy.deepcopy(pending)
    new["status"] = {"phase": "Bound", "capacity": {"storage": "1Mi"}}
    assert messages(validate_status_update("", "PersistentVolumeClaim", new, pending)) == []


# --- StorageClass -------------------------------------------------------------------------------------

def storage_class(**fields: Any) -> JSON:
    obj: JSON = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local-path"},
                 "provisioner": "petset.io/local-path", "reclaimPolicy": "Delete",
                 "volumeBindingMode": "WaitForFirstConsumer"}
    obj.update(fields)
    return obj


def class_errors(obj: JSON) -> list[str]:
    return messages(validate_create("storage.k8s.io", "StorageClass", obj))


def test_storage_classes() -> None:
    assert class_errors(storage_class()) == []
    assert class_errors(storage_class(provisioner="")) == ["provisioner: Required value"]
    assert class_errors(storage_class(reclaimPolicy="Recycle")) == [
        'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']
    assert class_errors(storage_class(volumeBindingMode="Lazy")) == [
        'volumeBindingMode: Unsupported value: "Lazy": supported values: "Immediate", "WaitForFirstConsumer"']
    obj = storage_class()
    del obj["volumeBindingMode"]
    assert class_errors(obj) == ["volumeBindingMode: Required value"]


def test_storage_class_updates() -> None:
    old = stored(storage_class(parameters={"path": "/var/petset"}))
    new = copy.deepcopy(old)
    new["metadata"]["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    assert messages(validate_update("storage.k8s.io", "StorageClass", new, old)) == []
    new.update(parameters={"path": "/srv"}, provisioner="example.com/nfs", reclaimPolicy="Retain",
               volumeBindingMode="Immediate")
    errors = validate_update("storage.k8s.io", "StorageClass", new, old)
    assert invalid("StorageClass", "storage.k8s.io", "local-path", errors).message == (
        'StorageClass.storage.k8s.io "local-path" is invalid: [parameters: Forbidden: updates to parameters are '
        "forbidden., provisioner: Forbidden: updates to provisioner are forbidden., reclaimPolicy: Forbidden: "
        'updates to reclaimPolicy are forbidden., volumeBindingMode: Invalid value: "Immediate": field is '
        "immutable]")
