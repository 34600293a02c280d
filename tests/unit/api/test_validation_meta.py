"""ObjectMeta rules every kind shares: names, namespaces, labels, annotations, owners, finalizers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from petset.api.validation import validate_create, validate_update
from tests.unit.api.test_validation_objects import messages, pod, pv

JSON = dict[str, Any]

QUALIFIED_NAME_PART = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                       "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                       "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
               "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
               "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
DNS_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def pod_errors(**meta: Any) -> list[str]:
    obj = pod()
    obj["metadata"].update(meta)
    return messages(validate_create("", "Pod", obj))


def test_name_or_generate_name_is_required() -> None:
    assert pod_errors(name="") == ["metadata.name: Required value: name or generateName is required"]


def test_namespace_must_be_a_dns_label() -> None:
    assert pod_errors(namespace="Default") == [f'metadata.namespace: Invalid value: "Default": {DNS_LABEL}']


def test_cluster_scoped_kinds_refuse_a_namespace() -> None:
    obj = pv()
    obj["metadata"]["namespace"] = "default"
    assert messages(validate_create("", "PersistentVolume", obj)) == [
        "metadata.namespace: Forbidden: not allowed on this type"]


def test_labels() -> None:
    assert pod_errors(labels={"app": "kubia", "statefulset.kubernetes.io/pod-name": "kubia-0"}) == []
    assert pod_errors(labels={"bad key": "kubia"}) == [f'metadata.labels: Invalid value: "bad key": {QUALIFIED_NAME_PART}']
    assert pod_errors(labels={"app": "kubia pet"}) == [f'metadata.labels: Invalid value: "kubia pet": {LABEL_VALUE}']
    assert pod_errors(labels={"app": "a" * 64}) == [
        f'metadata.labels: Invalid value: "{"a" * 64}": must be no more than 63 characters']


def test_annotation_keys_are_case_insensitive_qualified_names() -> None:
    assert pod_errors(annotations={"Kubectl.Kubernetes.IO/Restarted": "now"}) == []
    assert pod_errors(annotations={"bad key": "x"}) == [
        f'metadata.annotations: Invalid value: "bad key": {QUALIFIED_NAME_PART}']


def test_annotations_are_limited_to_256_kib() -> None:
    assert pod_errors(annotations={"big": "x" * (256 * 1024 - 3)}) == []
    assert pod_errors(annotations={"big": "x" * (256 * 1024)}) == [
        "metadata.annotations: Too long: may not be more than 262144 bytes"]


def test_negative_generation() -> None:
    assert pod_errors(generation=-1) == ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"]


def owner(kind: str = "StatefulSet", name: str = "kubia", controller: bool | None = True, **fields: Any) -> JSON:
    ref = {"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": "6f1c0d3a", "controller": controller,
           "blockOwnerDeletion": True}
    ref.update(fields)
    return {k: v for k, v in ref.items() if v is not None}


def test_owner_references_need_every_field() -> None:
    assert pod_errors(ownerReferences=[owner()]) == []
    assert pod_errors(ownerReferences=[owner(apiVersion="", kind="", name="", uid="")]) == [
        'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
        'metadata.ownerReferences.name: Invalid value: "": must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty']


def test_only_one_owner_may_be_the_controller() -> None:
    errors = pod_errors(ownerReferences=[owner(), owner("ReplicaSet", "kubia-7d9")])
    assert errors == [
        'metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"apps/v1", '
        'Kind:"StatefulSet", Name:"kubia", UID:"6f1c0d3a", Controller:(*bool)(0xc000000000), '
        'BlockOwnerDeletion:(*bool)(0xc000000000)}, v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", '
        'Name:"kubia-7d9", UID:"6f1c0d3a", Controller:(*bool)(0xc000000000), '
        'BlockOwnerDeletion:(*bool)(0xc000000000)}}: Only one reference can have Controller set to true. '
        'Found "true" in references for StatefulSet/kubia and ReplicaSet/kubia-7d9']


def test_events_cannot_own_objects() -> None:
    assert pod_errors(ownerReferences=[owner("Event", "e", controller=None, apiVersion="v1",
                                             blockOwnerDeletion=None)]) == [
        "metadata.ownerReferences: Invalid value: &OwnerReference{Kind:Event,Name:e,UID:6f1c0d3a,APIVersion:v1,"
        "Controller:nil,BlockOwnerDeletion:nil,}: /v1, Kind=Event is disallowed from being an owner"]


def test_finalizers() -> None:
    assert pod_errors(finalizers=["kubernetes.io/pvc-protection", "orphan"]) == []
    assert pod_errors(finalizers=["protect"]) == [
        'metadata.finalizers[0]: Invalid value: "protect": name is neither a standard finalizer name nor is it '
        "fully qualified"]
    assert pod_errors(finalizers=["orphan", "foregroundDeletion"]) == [
        'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and '
        "foregroundDeletion cannot be both set"]


# --- updates ------------------------------------------------------------------------------------------

@pytest.fixture
def stored_pod() -> JSON:
    obj = pod()
    obj["metadata"].update(uid="a1b2", resourceVersion="7", creationTimestamp="2024-05-01T10:00:00Z")
    return obj


def update_errors(old: JSON, **meta: Any) -> list[str]:
    new = copy.deepcopy(old)
    new["metadata"].update(meta)
    return messages(validate_update("", "Pod", new, old))


def test_identity_fields_are_immutable(stored_pod: JSON) -> None:
    assert update_errors(stored_pod, labels={"app": "kubia"}) == []
    assert update_errors(stored_pod, name="kubia-1") == ['metadata.name: Invalid value: "kubia-1": field is immutable']
    assert update_errors(stored_pod, uid="c3d4") == ['metadata.uid: Invalid value: "c3d4": field is immutable']
    assert update_errors(stored_pod, creationTimestamp="2024-05-02T11:30:00Z") == [
        "metadata.creationTimestamp: Invalid value: 2024-05-02 11:30:00 +0000 UTC: field is immutable"]
    assert update_errors(stored_pod, deletionTimestamp="2024-05-02T11:30:00Z") == [
        "metadata.deletionTimestamp: Invalid value: 2024-05-02 11:30:00 +0000 UTC: field is immutable"]


def test_resource_version_and_generation(stored_pod: JSON) -> None:
    assert update_errors(stored_pod, resourceVersion="") == [
        'metadata.resourceVersion: Invalid value: "": must be specified for an update']
    stored_pod["metadata"]["generation"] = 3
    assert update_errors(stored_pod, generation=2) == [
        "metadata.generation: Invalid value: 2: must not be decremented"]


def test_no_new_finalizers_while_deleting(stored_pod: JSON) -> None:
    stored_pod["metadata"].update(deletionTimestamp="2024-05-02T11:30:00Z", deletionGracePeriodSeconds=30,
                                  finalizers=["kubernetes.io/pvc-protection"])
    assert update_errors(stored_pod, finalizers=[]) == []
    assert update_errors(stored_pod, finalizers=["kubernetes.io/pvc-protection", "example.com/hold"]) == [
        'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new '
        'finalizers []string{"example.com/hold"}']


def test_unknown_kinds_get_the_generic_name_rule() -> None:
    obj: JSON = {"apiVersion": "example.com/v1", "kind": "Widget",
                 "metadata": {"name": "a/b", "namespace": "default"}}
    assert messages(validate_create("example.com", "Widget", obj)) == [
        "metadata.name: Invalid value: \"a/b\": may not contain '/'"]
    obj["metadata"]["name"] = "Any_Name.Really"
    assert messages(validate_create("example.com", "Widget", obj)) == []
