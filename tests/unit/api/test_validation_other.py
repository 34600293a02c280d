"""The smaller kinds: ConfigMap, Secret, ServiceAccount, Namespace, Node, Event, EndpointSlice, Lease and
PodDisruptionBudget."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from petset.api.validation import validate_create, validate_status_update, validate_update
from tests.unit.api.test_validation_objects import messages

JSON = dict[str, Any]

DNS_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def meta(name: str, namespace: str | None = "default", **fields: Any) -> JSON:
    data: JSON = {"name": name, **fields}
    if namespace is not None:
        data["namespace"] = namespace
    return data


def stored(obj: JSON) -> JSON:
    obj = copy.deepcopy(obj)
    obj["metadata"].update(uid="u1", resourceVersion="5", creationTimestamp="2024-05-01T10:00:00Z")
    return obj


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# --- ConfigMap and Secret -----------------------------------------------------------------------------

def test_config_map_keys_and_size() -> None:
    obj = {"metadata": meta("mysql"), "data": {"primary.cnf": "[mysqld]\nlog-bin", "replica.cnf": "x"}}
    assert messages(validate_create("", "ConfigMap", obj)) == []
    obj = {"metadata": meta("mysql"), "data": {"my.cnf": "a", "bad/key": "b"}, "binaryData": {"my.cnf": b64("x")}}
    assert messages(validate_create("", "ConfigMap", obj)) == [
        'data[bad/key]: Invalid value: "bad/key": a valid config key must consist of alphanumeric characters, '
        "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
        "'[-._a-zA-Z0-9]+')",
        'data[my.cnf]: Invalid value: "my.cnf": duplicate of key present in binaryData']
    big = {"metadata": meta("big"), "data": {"blob": "x" * (1024 * 1024 + 1)}}
    assert messages(validate_create("", "ConfigMap", big)) == [": Too long: may not be more than 1048576 bytes"]


def test_immutable_config_maps_stay_put() -> None:
    old = stored({"metadata": meta("mysql"), "data": {"a": "1"}, "immutable": True})
    new = copy.deepcopy(old)
    new["data"]["a"] = "2"
    new["immutable"] = False
    assert messages(validate_update("", "ConfigMap", new, old)) == [
        "immutable: Forbidden: field is immutable when `immutable` is set",
        "data: Forbidden: field is immutable when `immutable` is set"]


def test_secrets() -> None:
    obj = {"metadata": meta("creds"), "type": "Opaque", "data": {"password": b64("s3cret")},
           "stringData": {"user": "kubia"}}
    assert messages(validate_create("", "Secret", obj)) == []
    tls = {"metadata": meta("tls"), "type": "kubernetes.io/tls", "data": {"tls.crt": b64("cert")}}
    assert messages(validate_create("", "Secret", tls)) == ["data[tls.key]: Required value"]
    docker = {"metadata": meta("pull"), "type": "kubernetes.io/dockerconfigjson",
              "data": {".dockerconfigjson": b64("{not json")}}
    assert messages(validate_create("", "Secret", docker)) == [
        "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'n' looking "
        "for beginning of value"]
    token = {"metadata": meta("token"), "type": "kubernetes.io/service-account-token"}
    assert messages(validate_create("", "Secret", token)) == [
        "metadata.annotations[kubernetes.io/service-account.name]: Required value"]


def test_secret_type_is_immutable() -> None:
    old = stored({"metadata": meta("creds"), "type": "Opaque", "data": {}})
    new = copy.deepcopy(old)
    new["type"] = "kubernetes.io/basic-auth"
    new["data"] = {"username": b64("kubia")}
    assert messages(validate_update("", "Secret", new, old)) == [
        'type: Invalid value: "kubernetes.io/basic-auth": field is immutable']


def test_service_accounts() -> None:
    assert messages(validate_create("", "ServiceAccount", {"metadata": meta("default")})) == []
    assert messages(validate_create("", "ServiceAccount", {"metadata": meta("Default")}))[0].startswith(
        'metadata.name: Invalid value: "Default": a lowercase RFC 1123 subdomain')


# --- Namespace and Node -------------------------------------------------------------------------------

def test_namespaces() -> None:
    assert messages(validate_create("", "Namespace", {"metadata": meta("kubia-ns", None),
                                                       "spec": {"finalizers": ["kubernetes"]}})) == []
    assert messages(validate_create("", "Namespace", {"metadata": meta("kubia.ns", None)})) == [
        f'metadata.name: Invalid value: "kubia.ns": {DNS_LABEL}']
    assert messages(validate_create("", "Namespace", {"metadata": meta("ns", None),
                                                       "spec": {"finalizers": ["custom"]}})) == [
        'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully '
        "qualified"]


def test_namespace_phase_follows_deletion() -> None:
    old = stored({"metadata": meta("kubia-ns", None), "status": {"phase": "Active"}})
    new = copy.deepcopy(old)
    new["status"]["phase"] = "Terminating"
    assert messages(validate_status_update("", "Namespace", new, old)) == [
        "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"]


def node(**spec: Any) -> JSON:
    return {"metadata": meta("node-1", None, labels={"kubernetes.io/hostname": "node-1"}), "spec": spec,
            "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                       "allocatable": {"cpu": "3900m", "memory": "7Gi", "pods": "110"}}}


def test_nodes() -> None:
    assert messages(validate_create("", "Node", node(podCIDRs=["10.244.1.0/24"]))) == []
    taints = [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
              {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
              {"key": "dedicated", "effect": "Sometimes"}]
    assert messages(validate_create("", "Node", node(taints=taints))) == [
        'metadata.taints[1]: Duplicate value: core.Taint{Key:"node.kubernetes.io/unreachable", Value:"", '
        'Effect:"NoExecute", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
        'metadata.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", '
        '"PreferNoSchedule", "NoExecute"']
    bad_pods = node()
    bad_pods["status"]["capacity"]["pods"] = "110.5"
    assert messages(validate_create("", "Node", bad_pods)) == [
        "status.capacity.pods: Invalid value: 110500m: must be an integer"]


def test_node_pod_cidr_is_fixed_once_set() -> None:
    old = stored(node(podCIDRs=["10.244.1.0/24"]))
    new = copy.deepcopy(old)
    new["spec"]["unschedulable"] = True
    assert messages(validate_update("", "Node", new, old)) == []
    new["spec"]["podCIDRs"] = ["10.244.2.0/24"]
    assert messages(validate_update("", "Node", new, old)) == [
        'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']


# --- Event --------------------------------------------------------------------------------------------

def event(**fields: Any) -> JSON:
    obj: JSON = {"metadata": meta("kubia.17e1a2b3c4d5e6f7"),
                 "involvedObject": {"kind": "StatefulSet", "namespace": "default", "name": "kubia"},
                 "reason": "SuccessfulCreate", "message": "create Pod kubia-0 in StatefulSet kubia successful",
                 "type": "Normal", "count": 1, "source": {"component": "statefulset-controller"}}
    obj.update(fields)
    return obj


def test_core_events_are_checked_loosely() -> None:
    assert messages(validate_create("", "Event", event())) == []
    moved = event(involvedObject={"kind": "Pod", "namespace": "other", "name": "kubia-0"})
    assert messages(validate_create("", "Event", moved)) == [
        'involvedObject.namespace: Invalid value: "other": does not match event.namespace']
    assert messages(validate_create("", "Event", event(metadata=meta("a/b")))) == [
        "metadata.name: Invalid value: \"a/b\": may not contain '/'"]


def test_new_style_core_events_need_reporting_fields() -> None:
    obj = event(eventTime="2024-05-01T10:00:00.000000Z", reportingComponent="", reportingInstance="")
    assert messages(validate_create("", "Event", obj)) == [
        "reportingComponent: Required value",
        "reportingComponent: Invalid value: \"\": name part must be non-empty",
        "reportingComponent: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or "
        "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
        "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        "reportingInstance: Required value",
        "action: Required value"]


# --- discovery, coordination, policy ------------------------------------------------------------------

def endpoint_slice(**fields: Any) -> JSON:
    obj: JSON = {"metadata": meta("kubia-abc12", labels={"kubernetes.io/service-name": "kubia"}),
                 "addressType": "IPv4",
                 "endpoints": [{"addresses": ["10.244.1.5"], "hostname": "kubia-0", "nodeName": "node-1",
                                "conditions": {"ready": True}}],
                 "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}
    obj.update(fields)
    return obj


def test_endpoint_slices() -> None:
    assert messages(validate_create("discovery.k8s.io", "EndpointSlice", endpoint_slice())) == []
    bad = endpoint_slice(endpoints=[{"addresses": []}, {"addresses": ["2001:db8::1"], "hostname": "kubia.1"}],
                         ports=[{"name": "http", "port": 1, "protocol": "TCP"},
                                {"name": "http", "port": 2, "protocol": "ICMP"}])
    assert messages(validate_create("discovery.k8s.io", "EndpointSlice", bad)) == [
        "endpoints[0].addresses: Required value: must contain at least 1 address",
        'endpoints[1].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address',
        f'endpoints[1].hostname: Invalid value: "kubia.1": {DNS_LABEL}',
        'ports[1].name: Duplicate value: "http"',
        'ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']
    assert messages(validate_create("discovery.k8s.io", "EndpointSlice", endpoint_slice(addressType="IPX"))) == [
        'addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"']


def test_endpoint_slice_address_type_is_fixed() -> None:
    old = stored(endpoint_slice())
    new = copy.deepcopy(old)
    new["addressType"] = "FQDN"
    new["endpoints"][0]["addresses"] = ["kubia-0.kubia.default.svc.cluster.local"]
    assert messages(validate_update("discovery.k8s.io", "EndpointSlice", new, old)) == [
        'addressType: Invalid value: "FQDN": field is immutable']


def test_leases() -> None:
    lease = {"metadata": meta("node-1", "kube-node-lease"),
             "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40}}
    assert messages(validate_create("coordination.k8s.io", "Lease", lease)) == []
    lease["spec"].update(leaseDurationSeconds=0, leaseTransitions=-1)
    assert messages(validate_create("coordination.k8s.io", "Lease", lease)) == [
        "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
        "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"]


@pytest.mark.parametrize(("spec", "expected"), [
    ({"maxUnavailable": 1}, []),
    ({"minAvailable": "50%"}, []),
    ({"minAvailable": -1}, ["spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"]),
    ({"maxUnavailable": "120%"}, ["spec.maxUnavailable: Invalid value: 120%: must not be greater than 100%"]),
    ({"minAvailable": 1, "maxUnavailable": 1}, [
        "spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000000000), "
        "Selector:(*v1.LabelSelector)(0xc000000000), MaxUnavailable:(*intstr.IntOrString)(0xc000000000), "
        "UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and "
        "maxUnavailable cannot be both set"]),
])
def test_pod_disruption_budgets(spec: JSON, expected: list[str]) -> None:
    pdb = {"metadata": meta("zk-pdb"), "spec": {"selector": {"matchLabels": {"app": "zk"}}, **spec}}
    assert messages(validate_create("policy", "PodDisruptionBudget", pdb)) == expected


def test_pod_disruption_budget_status() -> None:
    old = stored({"metadata": meta("zk-pdb"), "spec": {"maxUnavailable": 1}})
    new = copy.deepcopy(old)
    new["status"] = {"disruptionsAllowed": -1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3}
    assert messages(validate_status_update("policy", "PodDisruptionBudget", new, old)) == [
        "status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0"]
