"""Tests for petset.api.patch: JSON patch, merge patch, strategic merge patch, server-side apply.

The strategic-merge-patch vectors marked "upstream" are taken from
k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go (the three-way patch applied to the
current object must give the result), run against a schema that mirrors the Go test's MergeItem.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from petset.api.errors import StatusError
from petset.api.patch import (
    MAX_JSON_PATCH_OPERATIONS,
    apply_json_patch,
    apply_merge_patch,
    apply_server_side_apply,
    apply_strategic_merge_patch,
)
from petset.api.schema import SchemaNode, node

STATEFULSET = node("apps", "v1", "StatefulSet")
DEPLOYMENT = node("apps", "v1", "Deployment")
POD = node("", "v1", "Pod")
SERVICE = node("", "v1", "Service")


def _merge_item_schema() -> SchemaNode:
    """The schema of upstream's test type MergeItem (recursive, so built from shared dicts)."""
    string = {"type": "string"}
    simple_map = {"type": "object", "additionalProperties": {"type": "string"}}
    item: dict[str, Any] = {"type": "object", "properties": {}}
    merging_list = {"type": "array", "items": item, "x-kubernetes-patch-strategy": "merge",
                    "x-kubernetes-patch-merge-key": "name"}
    merging_int_list = {"type": "array", "items": {"type": "integer"}, "x-kubernetes-patch-strategy": "merge"}
    retain_keys_item = {
        "type": "object",
        "x-kubernetes-patch-strategy": "retainKeys",
        "properties": {"name": string, "value": string, "other": string, "simpleMap": simple_map,
                       "mergingIntList": merging_int_list, "mergingList": merging_list,
                       "nonMergingList": {"type": "array", "items": item}},
    }
    item["properties"].update({
        "name": string,
        "value": string,
        "other": string,
        "mergingList": merging_list,
        "nonMergingList": {"type": "array", "items": item},
        "mergingIntList": merging_int_list,
        "nonMergingIntList": {"type": "array", "items": {"type": "integer"}},
        "mergeItemPtr": merging_list,
        "simpleMap": simple_map,
        "replacingItem": {"type": "object", "x-kubernetes-patch-strategy": "replace"},
        "retainKeysMap": retain_keys_item,
        "retainKeysMergingList": {**merging_list, "x-kubernetes-patch-strategy": "merge,retainKeys"},
    })
    return SchemaNode(item)


MERGE_ITEM = _merge_item_schema()


def _status(excinfo: pytest.ExceptionInfo[StatusError]) -> dict[str, Any]:
    return excinfo.value.status()


def _stateful_set() -> dict[str, Any]:
    """The book's StatefulSet as the server stores it after `kubectl apply` created it."""
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": "kubia",
            "namespace": "default",
            "uid": "2c9d4c5e-7b7e-4d7a-9a63-0d3cbbd8c9a1",
            "generation": 1,
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": '{"old":true}\n'},
        },
        "spec": {
            "replicas": 2,
            "serviceName": "kubia",
            "selector": {"matchLabels": {"app": "kubia"}},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": {"app": "kubia"}},
                "spec": {
                    "containers": [{
                        "name": "kubia",
                        "image": "luksa/kubia-pet",
                        "imagePullPolicy": "Always",
                        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                        "resources": {},
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File",
                        "volumeMounts": [{"name": "data", "mountPath": "/var/data"}],
                    }],
                    "dnsPolicy": "ClusterFirst",
                    "restartPolicy": "Always",
                    "schedulerName": "default-scheduler",
                    "securityContext": {},
                    "terminationGracePeriodSeconds": 30,
                },
            },
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "podManagementPolicy": "OrderedReady",
            "revisionHistoryLimit": 10,
            "volumeClaimTemplates": [{
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data", "creationTimestamp": None},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Mi"}},
                         "volumeMode": "Filesystem"},
                "status": {"phase": "Pending"},
            }],
        },
        "status": {"replicas": 2, "readyReplicas": 2, "observedGeneration": 1},
    }


# --- strategic merge patch: kubectl's real requests -----------------------------------------------


def test_kubectl_apply_second_apply_patch_from_protocol_doc() -> None:
    """KUBECTL-PROTOCOL.md §6.5: the client-side apply patch of a re-applied StatefulSet."""
    live = _stateful_set()
    manifest = '{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"kubia"}}\n'
    claim_spec = {"resources": {"requests": {"storage": "1Mi"}}, "accessModes": ["ReadWriteOnce"]}
    patch = {"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": manifest}},
             "spec": {"replicas": 3, "template": {"spec": {"$setElementOrder/containers": [{"name": "kubia"}],
                                                            "containers": [{"image": "luksa/kubia-pet:v2",
                                                                            "name": "kubia"}]}},
                      "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": claim_spec}]}}

    result = apply_strategic_merge_patch(live, patch, STATEFULSET)

    assert result["metadata"]["annotations"] == {"kubectl.kubernetes.io/last-applied-configuration": manifest}
    assert result["spec"]["replicas"] == 3
    containers = result["spec"]["template"]["spec"]["containers"]
    expected = copy.deepcopy(live["spec"]["template"]["spec"]["containers"][0])
    expected["image"] = "luksa/kubia-pet:v2"
    assert containers == [expected]
    # volumeClaimTemplates has no merge key: the list is replaced, defaults and status included.
    assert result["spec"]["volumeClaimTemplates"] == [{"metadata": {"name": "data"}, "spec": claim_spec}]
    assert "$setElementOrder/containers" not in json.dumps(result)
    assert result["status"] == live["status"]


def test_kubectl_rollout_undo_replaces_the_template_from_protocol_doc() -> None:
    """KUBECTL-PROTOCOL.md §6.11: the ControllerRevision's data, sent verbatim, replaces the template."""
    data = json.loads(
        '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"kubia"}},'
        '"spec":{"containers":[{"image":"luksa/kubia-pet","imagePullPolicy":"IfNotPresent","name":"kubia",'
        '"ports":[{"containerPort":8080,"name":"http","protocol":"TCP"}],"resources":{},'
        '"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",'
        '"volumeMounts":[{"mountPath":"/var/data","name":"data"}]}],"dnsPolicy":"ClusterFirst",'
        '"restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},'
        '"terminationGracePeriodSeconds":30}}}}')
    live = _stateful_set()
    live["spec"]["template"]["metadata"]["annotations"] = {"kubectl.kubernetes.io/restartedAt": "2026-11-28T15:42:15Z"}
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "luksa/kubia-pet:v2"
    live["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "busybox"})
    live["spec"]["template"]["spec"]["nodeSelector"] = {"disk": "ssd"}

    result = apply_strategic_merge_patch(live, data, STATEFULSET)

    expected_template = copy.deepcopy(data["spec"]["template"])
    del expected_template["$patch"]
    assert result["spec"]["template"] == expected_template
    assert "$patch" not in json.dumps(result)
    assert result["spec"]["template"]["metadata"] == {"creationTimestamp": None, "labels": {"app": "kubia"}}
    assert result["spec"]["replicas"] == live["spec"]["replicas"]
    assert result["spec"]["volumeClaimTemplates"] == live["spec"]["volumeClaimTemplates"]


def test_kubectl_rollout_restart_adds_the_template_annotation_from_protocol_doc() -> None:
    patch = {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-11-28T15:42:15Z"}}}}}
    live = _stateful_set()
    result = apply_strategic_merge_patch(live, patch, STATEFULSET)
    assert result["spec"]["template"]["metadata"] == {
        "creationTimestamp": None, "labels": {"app": "kubia"},
        "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-28T15:42:15Z"}}
    assert result["spec"]["template"]["spec"] == live["spec"]["template"]["spec"]


def test_kubectl_patch_default_strategic_body() -> None:
    result = apply_strategic_merge_patch(_stateful_set(), {"spec": {"replicas": 5}}, STATEFULSET)
    assert result["spec"]["replicas"] == 5


def test_containers_merge_by_name_and_their_lists_by_their_keys() -> None:
    live = _stateful_set()
    live["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"},
                                                                {"name": "B", "value": "2"}]
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "kubia"}],
        "containers": [{
            "name": "kubia",
            "$setElementOrder/env": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
            "env": [{"name": "B", "value": "two"}, {"name": "C", "value": "3"}],
            "$setElementOrder/ports": [{"containerPort": 8080}, {"containerPort": 9090}],
            "ports": [{"containerPort": 8080, "name": "web"}, {"containerPort": 9090, "name": "metrics"}],
            "$setElementOrder/volumeMounts": [{"mountPath": "/var/data"}, {"mountPath": "/cache"}],
            "volumeMounts": [{"mountPath": "/cache", "name": "cache"}],
        }],
    }}}}
    container = apply_strategic_merge_patch(live, patch, STATEFULSET)["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "two"},
                                {"name": "C", "value": "3"}]
    assert container["ports"] == [{"name": "web", "containerPort": 8080, "protocol": "TCP"},
                                  {"containerPort": 9090, "name": "metrics"}]
    assert container["volumeMounts"] == [{"name": "data", "mountPath": "/var/data"},
                                         {"mountPath": "/cache", "name": "cache"}]
    assert not [k for k in container if k.startswith("$")]


def test_kubectl_apply_removing_a_container_and_an_env_var() -> None:
    live = {"spec": {"containers": [
        {"name": "a", "image": "x", "env": [{"name": "E1", "value": "1"}, {"name": "E2", "value": "2"}]},
        {"name": "b", "image": "y"}]}}
    patch = {"spec": {"$setElementOrder/containers": [{"name": "a"}],
                      "containers": [{"name": "a", "$setElementOrder/env": [{"name": "E2"}],
                                      "env": [{"name": "E1", "$patch": "delete"}]},
                                     {"name": "b", "$patch": "delete"}]}}
    assert apply_strategic_merge_patch(live, patch, POD) == {
        "spec": {"containers": [{"name": "a", "image": "x", "env": [{"name": "E2", "value": "2"}]}]}}


def test_new_merge_list_items_go_before_unmentioned_ones_without_set_element_order() -> None:
    """As upstream (and the kubectl patch docs' example): an added container comes first."""
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox"}]}}}}
    result = apply_strategic_merge_patch(_stateful_set(), patch, STATEFULSET)
    assert [c["name"] for c in result["spec"]["template"]["spec"]["containers"]] == ["sidecar", "kubia"]


def test_set_element_order_places_a_new_container_where_listed() -> None:
    patch = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "kubia"}, {"name": "sidecar"}],
                                            "containers": [{"name": "sidecar", "image": "busybox"}]}}}}
    result = apply_strategic_merge_patch(_stateful_set(), patch, STATEFULSET)
    assert [c["name"] for c in result["spec"]["template"]["spec"]["containers"]] == ["kubia", "sidecar"]


def test_owner_references_merge_by_uid() -> None:
    live = {"metadata": {"name": "kubia-0", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "kubia", "uid": "u1", "controller": True}]}}
    patch = {"metadata": {"ownerReferences": [{"uid": "u1", "blockOwnerDeletion": True},
                                              {"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "u2"}]}}
    refs = apply_strategic_merge_patch(live, patch, POD)["metadata"]["ownerReferences"]
    assert refs == [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "kubia", "uid": "u1",
                     "controller": True, "blockOwnerDeletion": True},
                    {"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "u2"}]


def test_conditions_merge_by_type() -> None:
    live = {"status": {"conditions": [{"type": "Ready", "status": "False"},
                                      {"type": "PodScheduled", "status": "True"}]}}
    patch = {"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Up"}]}}
    conditions = apply_strategic_merge_patch(live, patch, POD)["status"]["conditions"]
    assert conditions == [{"type": "Ready", "status": "True", "reason": "Up"},
                          {"type": "PodScheduled", "status": "True"}]


def test_service_ports_merge_by_port() -> None:
    live = {"spec": {"ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
                     "selector": {"app": "kubia"}, "clusterIP": "None"}}
    patch = {"spec": {"$setElementOrder/ports": [{"port": 80}, {"port": 443}],
                      "ports": [{"port": 80, "targetPort": 9090}, {"port": 443, "name": "https"}]}}
    spec = apply_strategic_merge_patch(live, patch, SERVICE)["spec"]
    assert spec["ports"] == [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 9090},
                             {"port": 443, "name": "https"}]
    assert spec["selector"] == {"app": "kubia"}


def test_list_without_merge_strategy_is_replaced() -> None:
    live = {"spec": {"tolerations": [{"key": "a", "operator": "Exists"}],
                     "containers": [{"name": "c", "args": ["x", "y"]}]}}
    patch = {"spec": {"tolerations": [{"key": "b", "operator": "Exists"}],
                      "containers": [{"name": "c", "args": ["z"]}]}}
    spec = apply_strategic_merge_patch(live, patch, POD)["spec"]
    assert spec["tolerations"] == [{"key": "b", "operator": "Exists"}]
    assert spec["containers"] == [{"name": "c", "args": ["z"]}]


def test_null_deletes_a_key_and_absent_keys_are_kept() -> None:
    live = _stateful_set()
    patch = {"metadata": {"annotations": None}, "spec": {"template": {"spec": {"securityContext": None}}}}
    result = apply_strategic_merge_patch(live, patch, STATEFULSET)
    assert "annotations" not in result["metadata"]
    assert "securityContext" not in result["spec"]["template"]["spec"]
    assert result["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


def test_null_for_a_missing_key_is_ignored_and_nulls_inside_new_values_are_dropped() -> None:
    patch = {"spec": {"minReadySeconds": None, "ordinals": {"start": 1, "extra": None}}}
    spec = apply_strategic_merge_patch(_stateful_set(), patch, STATEFULSET)["spec"]
    assert "minReadySeconds" not in spec
    assert spec["ordinals"] == {"start": 1}


def test_finalizers_are_a_merged_set_with_delete_from_primitive_list() -> None:
    live = {"metadata": {"finalizers": ["a", "b", "c"]}}
    patch = {"metadata": {"$setElementOrder/finalizers": ["a", "c", "d"], "finalizers": ["d"],
                          "$deleteFromPrimitiveList/finalizers": ["b"]}}
    assert apply_strategic_merge_patch(live, patch, POD)["metadata"]["finalizers"] == ["a", "c", "d"]


def test_new_primitive_in_merge_list_comes_first_without_set_element_order() -> None:
    live = {"metadata": {"finalizers": ["a", "b"]}}
    result = apply_strategic_merge_patch(live, {"metadata": {"finalizers": ["b", "c"]}}, POD)
    assert result["metadata"]["finalizers"] == ["a", "b", "c"]
    result = apply_strategic_merge_patch(live, {"metadata": {"finalizers": ["c"]}}, POD)
    assert result["metadata"]["finalizers"] == ["c", "a", "b"]


def test_delete_from_primitive_list_applies_to_non_merge_lists_too() -> None:
    live = {"spec": {"containers": [{"name": "c", "args": ["x", "y", "z"]}]}}
    patch = {"spec": {"containers": [{"name": "c", "$deleteFromPrimitiveList/args": ["y"]}]}}
    assert apply_strategic_merge_patch(live, patch, POD)["spec"]["containers"][0]["args"] == ["x", "z"]


def test_delete_from_primitive_list_of_absent_list_is_ignored() -> None:
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}
    assert apply_strategic_merge_patch({"metadata": {"name": "p"}}, patch, POD) == {"metadata": {"name": "p"}}


def test_patch_delete_item_in_merge_list() -> None:
    live = {"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}
    patch = {"spec": {"containers": [{"name": "b", "$patch": "delete"}]}}
    assert apply_strategic_merge_patch(live, patch, POD)["spec"]["containers"] == [{"name": "a"}, {"name": "c"}]


def test_patch_replace_item_replaces_the_whole_merge_list() -> None:
    live = {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b"}]}}
    patch = {"spec": {"containers": [{"name": "c", "image": "y"}, {"$patch": "replace"}]}}
    assert apply_strategic_merge_patch(live, patch, POD)["spec"]["containers"] == [{"name": "c", "image": "y"}]


def test_patch_replace_on_a_map_replaces_it_without_the_directive() -> None:
    live = {"metadata": {"labels": {"a": "1", "b": "2"}}}
    patch = {"metadata": {"labels": {"$patch": "replace", "c": "3"}}}
    assert apply_strategic_merge_patch(live, patch, POD)["metadata"]["labels"] == {"c": "3"}


def test_patch_delete_on_a_map_empties_it_as_upstream() -> None:
    live = {"metadata": {"labels": {"a": "1"}}}
    assert apply_strategic_merge_patch(live, {"metadata": {"labels": {"$patch": "delete"}}}, POD) == {
        "metadata": {"labels": {}}}


def test_directive_maps_in_new_values_are_dropped() -> None:
    live = {"metadata": {"name": "p"}}
    patch = {"metadata": {"labels": {"$patch": "delete"}, "annotations": {"a": "1", "$retainKeys": ["a"]}}}
    assert apply_strategic_merge_patch(live, patch, POD) == {"metadata": {"name": "p", "annotations": {"a": "1"}}}


def test_new_list_items_are_stored_without_directives() -> None:
    live = {"spec": {"containers": [{"name": "a"}]}}
    patch = {"spec": {"containers": [{"name": "b", "$setElementOrder/ports": [{"containerPort": 1}],
                                      "ports": [{"containerPort": 1}], "image": None}]}}
    containers = apply_strategic_merge_patch(live, patch, POD)["spec"]["containers"]
    assert containers == [{"name": "b", "ports": [{"containerPort": 1}]}, {"name": "a"}]


def test_retain_keys_clears_unlisted_keys_of_a_deployment_strategy() -> None:
    live = {"spec": {"strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert apply_strategic_merge_patch(live, patch, DEPLOYMENT)["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_in_a_merge_retain_keys_list_item() -> None:
    live = {"spec": {"volumes": [{"name": "data", "emptyDir": {}}, {"name": "other", "emptyDir": {}}]}}
    patch = {"spec": {"$setElementOrder/volumes": [{"name": "data"}, {"name": "other"}],
                      "volumes": [{"$retainKeys": ["hostPath", "name"], "name": "data",
                                   "hostPath": {"path": "/x"}}]}}
    volumes = apply_strategic_merge_patch(live, patch, POD)["spec"]["volumes"]
    assert volumes == [{"name": "data", "hostPath": {"path": "/x"}}, {"name": "other", "emptyDir": {}}]


def test_unknown_fields_merge_like_a_json_merge_patch() -> None:
    live = {"spec": {"x-custom": {"list": [1, 2], "keep": True}}}
    patch = {"spec": {"x-custom": {"list": [3], "gone": None}}}
    assert apply_strategic_merge_patch(live, patch, POD) == {"spec": {"x-custom": {"list": [3], "keep": True}}}


def test_without_a_schema_lists_are_replaced_and_maps_merged() -> None:
    live = {"spec": {"containers": [{"name": "a", "image": "x"}], "labels": {"a": "1"}}}
    patch = {"spec": {"containers": [{"name": "a", "image": "y"}], "labels": {"b": "2"}}}
    assert apply_strategic_merge_patch(live, patch, None) == {
        "spec": {"containers": [{"name": "a", "image": "y"}], "labels": {"a": "1", "b": "2"}}}


def test_type_change_takes_the_patch_value() -> None:
    live = {"spec": {"containers": [{"name": "a", "command": ["sh"]}]}}
    patch = {"spec": {"containers": {"name": "oops"}}}
    assert apply_strategic_merge_patch(live, patch, POD) == {"spec": {"containers": {"name": "oops"}}}


def test_null_patch_changes_nothing() -> None:
    live = _stateful_set()
    assert apply_strategic_merge_patch(live, None, STATEFULSET) == live


def test_root_patch_replace_directive() -> None:
    assert apply_strategic_merge_patch({"a": 1, "b": 2}, {"$patch": "replace", "c": 3}, None) == {"c": 3}


# --- strategic merge patch: upstream vectors --------------------------------------------------------

# (description, current, patch, expected); from patch_test.go's ThreeWay/Result and TwoWay/Modified.
UPSTREAM_VECTORS: list[tuple[str, str, str, str]] = [
    ("unique scalars when merging lists", "mergingIntList: [1, 2]", "mergingIntList: [2, 3]",
     "mergingIntList: [1, 2, 3]"),
    ("delete map from nested map", "simpleMap: {key1: 1, key2: 1}", "simpleMap: {$patch: delete}",
     "simpleMap: {}"),
    ("delete all items from merging list", "mergingList: [{name: 1}, {name: 2}]",
     "mergingList: [{$patch: replace}]", "mergingList: []"),
    ("delete all keys from map", "{name: 1, value: 1}", "{$patch: replace}", "{}"),
    ("add key and delete all keys from map", "{name: 1, value: 1}", "{other: a, $patch: replace}",
     "{other: a}"),
    ("de-duplicate entries in a merging list",
     "mergingList: [{name: 1}, {name: 1}, {name: 2, value: a}, {name: 3}, {name: 3}]",
     "mergingList: [{name: 1, $patch: delete}, {name: 3, $patch: delete}]",
     "mergingList: [{name: 2, value: a}]"),
    ("preserve the order from the patch in a merging list",
     "mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]",
     "mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, other: x}]",
     "mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, value: b, other: x}]"),
    ("preserve the order from the patch in a merging list 2",
     "mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]",
     "mergingList: [{name: 3, value: c}, {name: 1, value: a}]",
     "mergingList: [{name: 2, value: b}, {name: 3, value: c}, {name: 1, value: a}]"),
    ("preserve the order from the patch in a merging int list", "mergingIntList: [1, 2, 3]",
     "mergingIntList: [3, 1]", "mergingIntList: [2, 3, 1]"),
    ("$setElementOrder contains item that is not present in the list to be merged",
     "mergingList: [{name: 1}, {name: 3}]",
     "{$setElementOrder/mergingList: [{name: 3}, {name: 2}, {name: 1}],"
     " mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}",
     "mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]"),
    ("$setElementOrder contains item that is not present in the int list to be merged",
     "mergingIntList: [1, 3]", "$setElementOrder/mergingIntList: [3, 2, 1]", "mergingIntList: [3, 1]"),
    ("delete items in lists of scalars", "mergingIntList: [1, 2, 3, 4]",
     "{$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}",
     "mergingIntList: [1, 2, 4]"),
    ("delete all duplicate items in lists of scalars", "mergingIntList: [1, 2, 3, 3, 4]",
     "{$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}",
     "mergingIntList: [1, 2, 4]"),
    ("merge lists of maps", "mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]",
     "{$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}],"
     " mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}",
     "mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b},"
     " {name: 3, value: 3}]"),
    ("add field to map in merging list with conflict",
     "mergingList: [{name: 1, other: a}, {name: 3, value: 2, other: b}]",
     "{$setElementOrder/mergingList: [{name: 1}, {name: 2}],"
     " mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}",
     "mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2}, {name: 3, value: 2, other: b}]"),
    ("delete missing map from merging list with conflict", "mergingList: [{name: 3, other: a}]",
     "{$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 2}, {name: 1, $patch: delete}]}",
     "mergingList: [{name: 2}, {name: 3, other: a}]"),
    ("add map and delete map from merging list",
     "mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]",
     "{$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}",
     "mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]"),
    ("add map and delete map from merging list with conflict",
     "mergingList: [{name: 1, other: a}, {name: 4, other: c}]",
     "{$setElementOrder/mergingList: [{name: 2}, {name: 3}],"
     " mergingList: [{name: 2}, {name: 3}, {name: 1, $patch: delete}]}",
     "mergingList: [{name: 4, other: c}, {name: 2}, {name: 3}]"),
    ("delete field from map in merging list with conflict",
     "mergingList: [{name: 1, value: a, other: a}, {name: 2, value: 2}]",
     "{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: null}]}",
     "mergingList: [{name: 1, other: a}, {name: 2, value: 2}]"),
    ("replace non merging list nested in merging list with deletion conflict",
     "mergingList: [{name: 1, other: a, nonMergingList: [{name: 2, value: 2}]}, {name: 2, other: b}]",
     "{$setElementOrder/mergingList: [{name: 1}, {name: 2}],"
     " mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]}",
     "mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]}, {name: 2, other: b}]"),
    ("add field to map in merging list nested in merging list with deletion conflict",
     "mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}]}, {name: 2, other: b}]",
     "{$setElementOrder/mergingList: [{name: 1}, {name: 2}],"
     " mergingList: [{$setElementOrder/mergingList: [{name: 2}, {name: 1}], name: 1,"
     " mergingList: [{name: 1, value: 1}]}]}",
     "mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}, {name: 1, value: 1}]},"
     " {name: 2, other: b}]"),
    ("add map to merging list by pointer with conflict", "mergeItemPtr: [{name: 3}]",
     "{$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], mergeItemPtr: [{name: 1}, {name: 2}]}",
     "mergeItemPtr: [{name: 1}, {name: 2}, {name: 3}]"),
    ("merge lists of scalars", "mergingIntList: [1, 2, 4]",
     "{$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3]}", "mergingIntList: [1, 2, 3, 4]"),
    ("add an item in a list of primitives and preserve order", "mergingIntList: [1, 4, 2]",
     "{$setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3]}", "mergingIntList: [3, 1, 4, 2]"),
    ("add and delete an item in a list and preserve order",
     "mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]",
     "{$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}],"
     " mergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]}",
     "mergingList: [{name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 1, other: a}]"),
    ("set elements order in a list with server-only items 3",
     "mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 7}, {name: 9}, {name: 8},"
     " {name: 3, value: 3}, {name: 4, value: 4}]",
     "$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]",
     "mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 7}, {name: 9}, {name: 8},"
     " {name: 4, value: 4}, {name: 3, value: 3}]"),
    ("set elements order in a int list with server-only items 2", "mergingIntList: [1, 2, 9, 3, 4]",
     "$setElementOrder/mergingIntList: [2, 1, 4, 3]", "mergingIntList: [2, 1, 9, 4, 3]"),
    ("behavior of set element order for a merging list with duplicate",
     "mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]",
     "$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]",
     "mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]"),
    ("retainKeys map should clear defaulted field with conflict (discriminated union)",
     "retainKeysMap: {name: type1, value: foo}",
     "retainKeysMap: {$retainKeys: [name, other], name: type2, other: bar}",
     "retainKeysMap: {name: type2, other: bar}"),
    ("retainKeys map deletes a field and clears a field", "retainKeysMap: {name: foo, value: bar, other: a}",
     "retainKeysMap: {$retainKeys: [name], value: null}", "retainKeysMap: {name: foo}"),
    ("retainKeys map adds an item in nested merging int list", "retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}",
     "retainKeysMap: {$setElementOrder/mergingIntList: [1, 2, 4], $retainKeys: [mergingIntList, name],"
     " mergingIntList: [4]}",
     "retainKeysMap: {name: foo, mergingIntList: [1, 2, 4, 3]}"),
    ("retainKeys map adds an item and deletes an item in nested merging int list",
     "retainKeysMap: {name: foo, mergingIntList: [1, 2, 3, 4]}",
     "retainKeysMap: {$retainKeys: [mergingIntList, name], mergingIntList: [5],"
     " $deleteFromPrimitiveList/mergingIntList: [2], $setElementOrder/mergingIntList: [1, 3, 5]}",
     "retainKeysMap: {name: foo, mergingIntList: [1, 3, 5, 4]}"),
    ("retainKeys map deletes an item in nested merging list",
     "retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: x}]}",
     "retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}],"
     " mergingList: [{name: b, $patch: delete}]}",
     "retainKeysMap: {name: foo, mergingList: [{name: a}, {name: x}]}"),
    ("retainKeys list of maps clears a field with conflict",
     "retainKeysMergingList: [{name: bar}, {name: foo, value: new, other: x}]",
     "{$setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}],"
     " retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: modified}]}",
     "retainKeysMergingList: [{name: bar}, {name: foo, value: modified}]"),
    ("replace list of scalars", "nonMergingIntList: [1, 4]", "nonMergingIntList: [2, 3]",
     "nonMergingIntList: [2, 3]"),
    ("replacing item is replaced, not merged", "replacingItem: {a: 1, b: {c: 2}}",
     "replacingItem: {b: {d: 3}}", "replacingItem: {b: {d: 3}}"),
]


@pytest.mark.parametrize(("current", "patch", "expected"), [v[1:] for v in UPSTREAM_VECTORS],
                         ids=[v[0] for v in UPSTREAM_VECTORS])
def test_upstream_vectors(current: str, patch: str, expected: str) -> None:
    result = apply_strategic_merge_patch(yaml.safe_load(current), yaml.safe_load(patch), MERGE_ITEM)
    assert result == yaml.safe_load(expected)


@pytest.mark.parametrize(("current", "patch", "message"), [
    ("mergingList: [{name: 1}, {name: 3}, {name: 2}]",
     "{$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}],"
     " mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}", "doesn't match"),
    ("mergingIntList: [1, 3, 2]",
     "{$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3, 1]}", "doesn't match"),
    ("mergingList: [{name: 1, value: a}]", "mergingList: [{value: b}]",
     "map: map[value:b] does not contain declared merge key: name"),
], ids=["order mismatch", "int order mismatch", "missing merge key"])
def test_upstream_error_vectors(current: str, patch: str, message: str) -> None:
    with pytest.raises(StatusError) as excinfo:
        apply_strategic_merge_patch(yaml.safe_load(current), yaml.safe_load(patch), MERGE_ITEM)
    assert excinfo.value.code == 400
    assert message in excinfo.value.message


# --- strategic merge patch: errors ----------------------------------------------------------------


@pytest.mark.parametrize(("patch", "message"), [
    ([{"op": "add"}], "json: cannot unmarshal array into Go value of type map[string]interface {}"),
    ("text", "json: cannot unmarshal string into Go value of type map[string]interface {}"),
    (5, "json: cannot unmarshal number into Go value of type map[string]interface {}"),
    ({"metadata": {"labels": {"$patch": "merge"}}}, "unknown patch type: merge in map: map[$patch:merge]"),
    ({"metadata": {"labels": {"$patch": "bogus", "a": "1"}}},
     "unknown patch type: bogus in map: map[$patch:bogus a:1]"),
    ({"spec": {"containers": [{"name": "a", "$patch": "merge"}]}},
     "merging lists cannot yet be specified in the patch"),
    ({"spec": {"containers": [{"name": "a", "$patch": "bogus"}]}},
     "unknown patch type: bogus in map: map[$patch:bogus name:a]"),
    ({"spec": {"containers": [{"$patch": "delete"}]}},
     "map: map[$patch:delete] does not contain declared merge key: name"),
    ({"spec": {"$retainKeys": "containers"}}, "invalid patch format of retainKeys"),
    ({"spec": {"$retainKeys": ["volumes"], "containers": []}}, "invalid patch format of retainKeys"),
    ({"spec": {"$setElementOrderX/containers": []}}, "invalid patch format of setElementOrder list"),
    ({"spec": {"$setElementOrder": []}}, "invalid patch format of setElementOrder list"),
    ({"spec": {"$setElementOrder/containers": "a"}}, "expected a []interface {}, but received a string"),
    ({"spec": {"$deleteFromPrimitiveListX/args": []}}, "invalid patch format of primitive list"),
    ({"spec": {"containers": [1]}}, "list element types are not identical"),
])
def test_invalid_patches_are_bad_requests(patch: Any, message: str) -> None:
    live = {"metadata": {"labels": {"a": "1"}}, "spec": {"containers": [{"name": "a"}], "args": ["x"]}}
    with pytest.raises(StatusError) as excinfo:
        apply_strategic_merge_patch(live, patch, POD)
    assert _status(excinfo)["code"] == 400
    assert _status(excinfo)["reason"] == "BadRequest"
    assert _status(excinfo)["message"] == message or message in _status(excinfo)["message"]


def test_list_of_lists_is_unprocessable() -> None:
    with pytest.raises(StatusError) as excinfo:
        apply_strategic_merge_patch({"metadata": {"finalizers": [["a"]]}},
                                    {"metadata": {"finalizers": [["b"]]}}, POD)
    status = _status(excinfo)
    assert status["code"] == 422
    assert status["reason"] == "Invalid"
    assert status["details"]["causes"] == [{"reason": "UnexpectedServerResponse",
                                            "message": "lists of lists are not supported"}]


def test_strategic_merge_patch_does_not_mutate_its_inputs() -> None:
    live = _stateful_set()
    patch = {"metadata": {"labels": {"$patch": "replace", "x": "y"}, "finalizers": ["f"]},
             "spec": {"$retainKeys": ["template", "replicas", "volumeClaimTemplates"], "replicas": 4,
                      "template": {"spec": {"$setElementOrder/containers": [{"name": "kubia"}, {"name": "b"}],
                                            "containers": [{"name": "kubia", "image": "v3"},
                                                           {"name": "b", "image": "busybox"}]}},
                      "volumeClaimTemplates": [{"metadata": {"name": "data"}}]}}
    live_before, patch_before = copy.deepcopy(live), copy.deepcopy(patch)
    result = apply_strategic_merge_patch(live, patch, STATEFULSET)
    assert live == live_before
    assert patch == patch_before
    assert set(result["spec"]) == {"template", "replicas", "volumeClaimTemplates"}
    result["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    assert live == live_before
    assert patch == patch_before


# --- JSON patch ---------------------------------------------------------------------------------------


def test_json_patch_from_kubectl_patch_type_json() -> None:
    patch = json.loads('[{"op":"replace","path":"/spec/replicas","value":2}]')
    result = apply_json_patch(_stateful_set(), patch)
    assert result["spec"]["replicas"] == 2


def test_json_patch_operations() -> None:
    doc = {"metadata": {"labels": {"a": "1"}}, "spec": {"list": [1, 2, 3], "x~y/z": "k"}}
    patch = [
        {"op": "add", "path": "/metadata/labels/b", "value": "2"},
        {"op": "add", "path": "/spec/list/1", "value": 9},
        {"op": "add", "path": "/spec/list/-", "value": 10},
        {"op": "remove", "path": "/spec/list/0"},
        {"op": "replace", "path": "/metadata/labels/a", "value": "one"},
        {"op": "move", "from": "/spec/x~0y~1z", "path": "/spec/moved"},
        {"op": "copy", "from": "/metadata/labels", "path": "/spec/labels"},
        {"op": "test", "path": "/spec/list", "value": [9, 2, 3, 10]},
        {"op": "test", "path": "/spec/missing", "value": None},
    ]
    assert apply_json_patch(doc, patch) == {
        "metadata": {"labels": {"a": "one", "b": "2"}},
        "spec": {"list": [9, 2, 3, 10], "moved": "k", "labels": {"a": "one", "b": "2"}},
    }


def test_json_patch_v4_quirks() -> None:
    doc = {"spec": {"list": ["a", "b", "c"]}}
    # replace of an absent member adds it; negative indices count from the end; a path without a
    # leading slash is taken from its first slash; add without a value adds null.
    patch = [
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "replace", "path": "/spec/list/-1", "value": "C"},
        {"op": "add", "path": "/spec/list/-4", "value": "first"},
        {"op": "remove", "path": "/spec/list/-2"},
        {"op": "add", "path": "ignored/top"},
    ]
    assert apply_json_patch(doc, patch) == {"spec": {"list": ["first", "a", "C"], "replicas": 3}, "top": None}


def test_json_patch_replace_of_the_root() -> None:
    assert apply_json_patch({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}]) == {"b": 2}
    assert apply_json_patch({"a": 1}, [{"op": "replace", "path": "", "value": 5}]) == {"a": 1}


def test_json_patch_null_and_empty_patches_change_nothing() -> None:
    doc = _stateful_set()
    assert apply_json_patch(doc, None) == doc
    assert apply_json_patch(doc, []) == doc


@pytest.mark.parametrize(("operation", "cause"), [
    ({"op": "remove", "path": "/spec/nope"},
     "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value"),
    ({"op": "remove", "path": "/nope/deeper"},
     'remove operation does not apply: doc is missing path: "/nope/deeper": missing value'),
    ({"op": "add", "path": "/nope/deeper", "value": 1},
     'add operation does not apply: doc is missing path: "/nope/deeper": missing value'),
    ({"op": "add", "path": "", "value": 1}, 'add operation does not apply: doc is missing path: "": missing value'),
    ({"op": "add", "path": "/spec/list/5", "value": 1},
     "error in add for path: '/spec/list/5': Unable to access invalid index: 5: invalid index referenced"),
    ({"op": "add", "path": "/spec/list/x", "value": 1},
     "error in add for path: '/spec/list/x': value was not a proper array index: 'x': "
     'strconv.Atoi: parsing "x": invalid syntax'),
    ({"op": "remove", "path": "/spec/list/3"},
     "error in remove for path: '/spec/list/3': Unable to access invalid index: 3: invalid index referenced"),
    ({"op": "replace", "path": "/spec/list/7", "value": 1},
     "replace operation does not apply: doc is missing key: /spec/list/7: missing value"),
    ({"op": "replace", "path": "/a/b/c", "value": 1},
     "replace operation does not apply: doc is missing path: /a/b/c: missing value"),
    ({"op": "test", "path": "/spec/replicas", "value": 3}, "testing value /spec/replicas failed: test failed"),
    ({"op": "test", "path": "/spec/replicas", "value": 2.0}, "testing value /spec/replicas failed: test failed"),
    ({"op": "test", "path": "/spec/flag", "value": 1}, "testing value /spec/flag failed: test failed"),
    ({"op": "test", "path": "/spec/absent", "value": 1}, "testing value /spec/absent failed: test failed"),
    ({"op": "test", "path": "/x/y", "value": 1}, "test operation does not apply: is missing path: /x/y: missing value"),
    ({"op": "move", "from": "/spec/absent", "path": "/spec/x"},
     "error in move for path: 'absent': Unable to remove nonexistent key: absent: missing value"),
    ({"op": "move", "from": "/spec/replicas", "path": "/nope/x"},
     "move operation does not apply: doc is missing destination path: /nope/x: missing value"),
    ({"op": "copy", "from": "/nope/x", "path": "/spec/x"},
     "copy operation does not apply: doc is missing from path: /nope/x: missing value"),
    ({"op": "add", "value": 1}, "add operation failed to decode path: missing value"),
    ({"op": "replace", "value": 1},
     "replace operation failed to decode path: operation missing path field: missing value"),
    ({"op": "move", "path": "/a"}, "move operation failed to decode from: operation, missing from field: missing value"),
    ({"op": "frobnicate", "path": "/a"}, "Unexpected kind: frobnicate"),
    ({"path": "/a"}, "Unexpected kind: unknown"),
])
def test_json_patch_failures_are_unprocessable_with_the_library_error_as_cause(operation: dict[str, Any],
                                                                                cause: str) -> None:
    doc = {"spec": {"replicas": 2, "list": [1, 2, 3], "flag": True}}
    with pytest.raises(StatusError) as excinfo:
        apply_json_patch(doc, [operation])
    assert _status(excinfo) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the server rejected our request due to an error in our request", "reason": "Invalid",
        "details": {"causes": [{"reason": "UnexpectedServerResponse", "message": cause}]}, "code": 422,
    }


def test_json_patch_failure_leaves_nothing_half_applied() -> None:
    doc = {"spec": {"replicas": 2}}
    with pytest.raises(StatusError):
        apply_json_patch(doc, [{"op": "replace", "path": "/spec/replicas", "value": 9},
                               {"op": "test", "path": "/spec/replicas", "value": 2}])
    assert doc == {"spec": {"replicas": 2}}


@pytest.mark.parametrize(("patch", "validation", "message"), [
    ({"op": "add"}, "Warn",
     "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"),
    ({"op": "add"}, "Strict",
     "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"),
    ({"op": "add"}, "Ignore", "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    ("x", "Ignore", "json: cannot unmarshal string into Go value of type jsonpatch.Patch"),
    ([1], "Warn", "error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp"),
    ([True], "Ignore", "json: cannot unmarshal bool into Go value of type jsonpatch.Operation"),
    ([{"op": "add", "path": 5}], "Strict",
     "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string"),
])
def test_json_patch_decoding_errors_are_bad_requests(patch: Any, validation: str, message: str) -> None:
    with pytest.raises(StatusError) as excinfo:
        apply_json_patch({"a": 1}, patch, field_validation=validation)
    assert (excinfo.value.code, excinfo.value.reason, excinfo.value.message) == (400, "BadRequest", message)


def test_json_patch_with_too_many_operations_is_too_large() -> None:
    patch = [{"op": "test", "path": "/a", "value": 1}] * (MAX_JSON_PATCH_OPERATIONS + 1)
    with pytest.raises(StatusError) as excinfo:
        apply_json_patch({"a": 1}, patch)
    assert excinfo.value.code == 413
    assert excinfo.value.message == "The allowed maximum operations in a JSON patch is 10000, got 10001"


def test_json_patch_that_turns_the_object_into_an_array_is_invalid() -> None:
    with pytest.raises(StatusError) as excinfo:
        apply_json_patch({"a": 1}, [{"op": "replace", "path": "", "value": [1, 2]}])
    status = _status(excinfo)
    assert status["code"] == 422
    assert status["message"].startswith(' "" is invalid: patch: Invalid value: "[1,2]": couldn\'t get version/kind')
    assert status["details"]["causes"][0]["field"] == "patch"


def test_json_patch_does_not_mutate_its_inputs() -> None:
    doc = {"spec": {"list": [{"a": 1}], "m": {"k": "v"}}}
    value = {"nested": ["x"]}
    patch = [{"op": "add", "path": "/spec/new", "value": value}, {"op": "remove", "path": "/spec/m"},
             {"op": "copy", "from": "/spec/list/0", "path": "/spec/copied"}]
    doc_before, patch_before = copy.deepcopy(doc), copy.deepcopy(patch)
    result = apply_json_patch(doc, patch)
    result["spec"]["new"]["nested"].append("y")
    result["spec"]["list"][0]["a"] = 2
    assert doc == doc_before
    assert patch == patch_before


# --- JSON merge patch -----------------------------------------------------------------------------


@pytest.mark.parametrize(("doc", "patch", "expected"), [
    # RFC 7386 appendix A, the cases whose document is an object.
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    # evanphx/json-patch v4 details: nulls are pruned from added values, but not from array elements.
    ({"a": None}, {"a": {"b": None, "c": [None, {"d": None}]}}, {"a": {"c": [None, {}]}}),
    ({"a": {"b": 1}}, {"a": [{"c": None}]}, {"a": [{"c": None}]}),
])
def test_merge_patch_rfc7386(doc: dict[str, Any], patch: Any, expected: dict[str, Any]) -> None:
    assert apply_merge_patch(doc, patch) == expected


def test_merge_patch_from_kubectl_scale() -> None:
    result = apply_merge_patch(_stateful_set(), json.loads('{"spec":{"replicas":3}}'))
    assert result["spec"]["replicas"] == 3
    assert result["spec"]["template"] == _stateful_set()["spec"]["template"]


def test_merge_patch_replaces_lists_even_merge_lists() -> None:
    live = _stateful_set()
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "kubia", "image": "v2"}]}}}}
    assert apply_merge_patch(live, patch)["spec"]["template"]["spec"]["containers"] == [
        {"name": "kubia", "image": "v2"}]


@pytest.mark.parametrize(("patch", "validation", "message"), [
    (None, "Warn", "Invalid JSON Patch"),
    (None, "Ignore", "Invalid JSON Patch"),
    ("x", "Ignore", "Invalid JSON Patch"),
    (3, "Ignore", "Invalid JSON Patch"),
    ([1], "Warn", "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"),
    (True, "Strict", "error decoding patch: json: cannot unmarshal bool into Go value of type map[string]interface {}"),
])
def test_merge_patch_that_is_not_an_object_is_a_bad_request(patch: Any, validation: str, message: str) -> None:
    with pytest.raises(StatusError) as excinfo:
        apply_merge_patch({"a": 1}, patch, field_validation=validation)
    assert (excinfo.value.code, excinfo.value.message) == (400, message)


def test_merge_patch_array_without_strict_decoding_fails_to_decode() -> None:
    with pytest.raises(StatusError) as excinfo:
        apply_merge_patch({"a": 1}, [{"b": None}], field_validation="Ignore")
    assert excinfo.value.code == 422
    # RFC 7386 replaces the document with the array, pruned of nulls, which is no object.
    assert excinfo.value.message.startswith(' "" is invalid: patch: Invalid value: "[{}]": ')


def test_merge_patch_does_not_mutate_its_inputs() -> None:
    doc = {"a": {"b": {"c": 1}}, "l": [1]}
    patch = {"a": {"b": {"d": {"e": None, "f": 2}}}, "l": None, "n": {"x": None}}
    doc_before, patch_before = copy.deepcopy(doc), copy.deepcopy(patch)
    result = apply_merge_patch(doc, patch)
    assert result == {"a": {"b": {"c": 1, "d": {"f": 2}}}, "n": {}}
    result["a"]["b"]["c"] = 9
    assert doc == doc_before
    assert patch == patch_before


# --- server-side apply (simplified) -------------------------------------------------------------------


def test_server_side_apply_creates_from_the_applied_configuration() -> None:
    applied: dict[str, Any] = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubia"},
                               "spec": {"clusterIP": "None", "ports": [{"name": "http", "port": 80}]}}
    result = apply_server_side_apply(None, applied, SERVICE)
    assert result == applied
    result["spec"]["ports"].append({})
    assert applied["spec"]["ports"] == [{"name": "http", "port": 80}]


def test_server_side_apply_merges_by_list_map_keys_and_keeps_unapplied_fields() -> None:
    live = _stateful_set()
    applied = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "kubia"},
               "spec": {"replicas": 3, "template": {"spec": {"containers": [{
                   "name": "kubia", "image": "luksa/kubia-pet:v2",
                   "ports": [{"containerPort": 8080, "name": "web"}, {"containerPort": 9090}],
                   "args": ["--verbose"]}]}}}}
    result = apply_server_side_apply(live, applied, STATEFULSET)
    container = result["spec"]["template"]["spec"]["containers"][0]
    assert result["spec"]["replicas"] == 3
    assert container["image"] == "luksa/kubia-pet:v2"
    assert container["imagePullPolicy"] == "Always"
    # Ports are keyed by (containerPort, protocol); the applied port without a protocol is TCP's.
    assert container["ports"] == [{"name": "web", "containerPort": 8080, "protocol": "TCP"},
                                  {"containerPort": 9090}]
    assert container["args"] == ["--verbose"]
    assert container["volumeMounts"] == live["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert result["status"] == live["status"]
    assert result["metadata"]["uid"] == live["metadata"]["uid"]


def test_server_side_apply_list_and_map_types() -> None:
    live = {"metadata": {"finalizers": ["a"], "ownerReferences": [{"uid": "u1", "name": "x"}]},
            "spec": {"selector": {"matchLabels": {"app": "kubia"}, "matchExpressions": []},
                     "volumeClaimTemplates": [{"metadata": {"name": "old"}}],
                     "template": {"spec": {"containers": [{"name": "a", "command": ["sh", "-c"]}]}}}}
    applied = {"metadata": {"finalizers": ["b", "a"], "ownerReferences": [{"uid": "u1", "kind": "K"}]},
               "spec": {"selector": {"matchLabels": {"app": "new"}},
                        "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
                        "template": {"spec": {"containers": [{"name": "a", "command": ["true"]}]}}}}
    result = apply_server_side_apply(live, applied, STATEFULSET)
    assert result["metadata"]["finalizers"] == ["a", "b"]  # set: union
    assert result["metadata"]["ownerReferences"] == [{"uid": "u1", "name": "x", "kind": "K"}]
    assert result["spec"]["selector"] == {"matchLabels": {"app": "new"}}  # atomic map
    assert result["spec"]["volumeClaimTemplates"] == [{"metadata": {"name": "data"}}]  # atomic list
    assert result["spec"]["template"]["spec"]["containers"] == [{"name": "a", "command": ["true"]}]


def test_server_side_apply_null_removes_and_unknown_fields_merge() -> None:
    live = {"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"custom": {"x": 1}}}
    applied = {"metadata": {"labels": {"b": None, "c": "3"}}, "spec": {"custom": {"y": 2}}}
    assert apply_server_side_apply(live, applied, POD) == {
        "metadata": {"labels": {"a": "1", "c": "3"}}, "spec": {"custom": {"x": 1, "y": 2}}}


def test_server_side_apply_drops_nulls_inside_new_values() -> None:
    applied = {"metadata": {"name": "p", "labels": None, "annotations": {"a": None, "b": "1"}}}
    assert apply_server_side_apply(None, applied, POD) == {"metadata": {"name": "p", "annotations": {"b": "1"}}}
    assert apply_server_side_apply({"metadata": {"name": "p"}}, applied, POD) == {
        "metadata": {"name": "p", "annotations": {"b": "1"}}}


def test_server_side_apply_without_schema_replaces_lists() -> None:
    assert apply_server_side_apply({"l": [1, 2], "m": {"a": 1}}, {"l": [3], "m": {"b": 2}}, None) == {
        "l": [3], "m": {"a": 1, "b": 2}}


def test_server_side_apply_rejects_a_non_object() -> None:
    with pytest.raises(StatusError) as excinfo:
        apply_server_side_apply({}, ["x"], POD)
    assert excinfo.value.code == 400
    assert excinfo.value.message == ("error decoding YAML: error unmarshaling JSON: while decoding JSON: json: "
                                     "cannot unmarshal array into Go value of type map[string]interface {}")


def test_server_side_apply_does_not_mutate_its_inputs() -> None:
    live = _stateful_set()
    applied = {"spec": {"template": {"spec": {"containers": [{"name": "kubia", "env": [{"name": "A"}]},
                                                             {"name": "new", "image": "x"}]}}}}
    live_before, applied_before = copy.deepcopy(live), copy.deepcopy(applied)
    result = apply_server_side_apply(live, applied, STATEFULSET)
    assert [c["name"] for c in result["spec"]["template"]["spec"]["containers"]] == ["kubia", "new"]
    result["spec"]["template"]["spec"]["containers"][1]["image"] = "changed"
    result["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "B"})
    assert live == live_before
    assert applied == applied_before
