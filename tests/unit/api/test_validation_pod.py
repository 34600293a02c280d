"""Pod validation: the pod spec (containers, volumes, probes, resources, scheduling), updates and status."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from petset.api.errors import invalid
from petset.api.validation import validate_create, validate_status_update, validate_update
from tests.unit.api.test_validation_objects import container, messages, pod

JSON = dict[str, Any]

DNS_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def errors_after(change: Callable[[JSON], None]) -> list[str]:
    obj = pod()
    change(obj["spec"])
    return messages(validate_create("", "Pod", obj))


def first_container(spec: JSON) -> JSON:
    container_spec: JSON = spec["containers"][0]
    return container_spec


def test_a_defaulted_pod_is_valid() -> None:
    assert messages(validate_create("", "Pod", pod())) == []


def test_containers_are_required() -> None:
    assert errors_after(lambda s: s.__setitem__("containers", [])) == ["spec.containers: Required value"]


def test_image_is_required() -> None:
    assert errors_after(lambda s: first_container(s).pop("image")) == ["spec.containers[0].image: Required value"]


def test_image_may_not_be_padded() -> None:
    assert errors_after(lambda s: first_container(s).__setitem__("image", " luksa/kubia ")) == [
        'spec.containers[0].image: Invalid value: " luksa/kubia ": must not have leading or trailing whitespace']


def test_container_names_are_unique_dns_labels() -> None:
    assert errors_after(lambda s: first_container(s).__setitem__("name", "Kubia")) == [
        f'spec.containers[0].name: Invalid value: "Kubia": {DNS_LABEL}']

    def twice(spec: JSON) -> None:
        spec["containers"].append(copy.deepcopy(spec["containers"][0]))
    assert errors_after(twice) == ['spec.containers[1].name: Duplicate value: "kubia"']


def test_termination_message_policy_and_pull_policy() -> None:
    def bad(spec: JSON) -> None:
        first_container(spec).update(terminationMessagePolicy="Always", imagePullPolicy="Sometimes")
    assert errors_after(bad) == [
        'spec.containers[0].terminationMessagePolicy: Unsupported value: "Always": supported values: "File", '
        '"FallbackToLogsOnError"',
        'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", '
        '"IfNotPresent", "Never"']


def test_container_ports() -> None:
    def ports(spec: JSON) -> None:
        first_container(spec)["ports"] = [
            {"name": "http", "containerPort": 8080, "protocol": "TCP"},
            {"name": "http", "containerPort": 70000, "protocol": "TCP"},
            {"containerPort": 0, "protocol": "HTTP"},
        ]
    assert errors_after(ports) == [
        'spec.containers[0].ports[1].name: Duplicate value: "http"',
        "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        "spec.containers[0].ports[2].containerPort: Required value",
        'spec.containers[0].ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']


def test_host_ports_may_not_collide() -> None:
    def host_ports(spec: JSON) -> None:
        spec["containers"].append(container("sidecar", "busybox:1.36", terminationMessagePolicy="File",
                                            imagePullPolicy="IfNotPresent"))
        for c in spec["containers"]:
            c["ports"] = [{"containerPort": 80, "hostPort": 8080, "protocol": "TCP"}]
    assert errors_after(host_ports) == ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']


def test_environment() -> None:
    def env(spec: JSON) -> None:
        first_container(spec)["env"] = [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "", "value": "x"},
            {"name": "A=B", "value": "x"},
            {"name": "BOTH", "value": "x", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                       "fieldPath": "metadata.name"}}},
            {"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.schedulerName"}}},
        ]
    assert errors_after(env) == [
        "spec.containers[0].env[1].name: Required value",
        'spec.containers[0].env[2].name: Invalid value: "A=B": a valid environment variable name must consist '
        "only of printable ASCII characters other than '='",
        'spec.containers[0].env[3].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].env[4].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.schedulerName": '
        'supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", '
        '"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"']


def test_volume_names_are_unique_labels_with_one_source_each() -> None:
    def volumes(spec: JSON) -> None:
        spec["volumes"] = [
            {"name": "data", "emptyDir": {}},
            {"name": "data", "emptyDir": {}},
            {"name": "Config", "configMap": {"name": "kubia", "defaultMode": 420}},
            {"name": "both", "emptyDir": {}, "hostPath": {"path": "/tmp"}},
            {"name": "none"},
        ]
    assert errors_after(volumes) == [
        'spec.volumes[1].name: Duplicate value: "data"',
        f'spec.volumes[2].name: Invalid value: "Config": {DNS_LABEL}',
        "spec.volumes[3].hostPath: Forbidden: may not specify more than 1 volume type",
        "spec.volumes[4]: Required value: must specify a volume type"]


def test_volume_sources_have_their_own_rules() -> None:
    def volumes(spec: JSON) -> None:
        spec["volumes"] = [
            {"name": "a", "hostPath": {"path": ""}},
            {"name": "b", "persistentVolumeClaim": {"claimName": ""}},
            {"name": "c", "secret": {"secretName": "s", "defaultMode": 1000}},
            {"name": "d", "configMap": {"name": "c", "items": [{"key": "k", "path": "../etc/passwd"}]}},
        ]
    assert errors_after(volumes) == [
        "spec.volumes[0].hostPath.path: Required value",
        "spec.volumes[1].persistentVolumeClaim.claimName: Required value",
        "spec.volumes[2].secret.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), "
        "both inclusive",
        "spec.volumes[3].configMap.items[0].path: Invalid value: \"../etc/passwd\": must not contain '..'"]


def test_volume_mounts_must_name_a_volume() -> None:
    def mounts(spec: JSON) -> None:
        spec["volumes"] = [{"name": "data", "emptyDir": {}}]
        first_container(spec)["volumeMounts"] = [
            {"name": "data", "mountPath": "/var/data"},
            {"name": "logs", "mountPath": "/var/data"},
            {"name": "data", "mountPath": ""},
        ]
    assert errors_after(mounts) == [
        'spec.containers[0].volumeMounts[1].name: Not found: "logs"',
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/var/data": must be unique',
        "spec.containers[0].volumeMounts[2].mountPath: Required value"]


def test_a_pod_may_not_mount_a_claim_template_name() -> None:
    # Unlike a StatefulSet template, a pod has no claim templates to fall back on.
    def mount(spec: JSON) -> None:
        first_container(spec)["volumeMounts"] = [{"name": "data", "mountPath": "/var/data"}]
    assert errors_after(mount) == ['spec.containers[0].volumeMounts[0].name: Not found: "data"']


def test_restart_and_dns_policies() -> None:
    assert errors_after(lambda s: s.__setitem__("restartPolicy", "Sometimes")) == [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']
    assert errors_after(lambda s: s.__setitem__("dnsPolicy", "Cluster")) == [
        'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", '
        '"Default", "None"']
    assert errors_after(lambda s: s.__setitem__("dnsPolicy", "None")) == [
        "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]


def test_hostname_and_subdomain_are_dns_labels() -> None:
    assert errors_after(lambda s: s.update(hostname="kubia-0", subdomain="kubia")) == []
    assert errors_after(lambda s: s.update(hostname="kubia.0", subdomain="Kubia")) == [
        f'spec.hostname: Invalid value: "kubia.0": {DNS_LABEL}',
        f'spec.subdomain: Invalid value: "Kubia": {DNS_LABEL}']


def test_grace_period_and_deadline() -> None:
    assert errors_after(lambda s: s.pop("terminationGracePeriodSeconds")) == [
        "spec.terminationGracePeriodSeconds: Required value"]
    assert errors_after(lambda s: s.__setitem__("activeDeadlineSeconds", 0)) == [
        "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]


def test_probes() -> None:
    def probes(spec: JSON) -> None:
        first_container(spec).update(
            livenessProbe={"httpGet": {"path": "/", "port": 8080, "scheme": "HTTP"}, "tcpSocket": {"port": 8080},
                           "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 2, "failureThreshold": 3},
            readinessProbe={"exec": {"command": []}, "timeoutSeconds": -1, "periodSeconds": 10,
                            "successThreshold": 1, "failureThreshold": 3},
            startupProbe={"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
    assert errors_after(probes) == [
        "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
        "spec.containers[0].readinessProbe.exec.command: Required value",
        "spec.containers[0].readinessProbe.timeoutSeconds: Invalid value: -1: must be greater than or equal to 0",
        "spec.containers[0].startupProbe: Required value: must specify a handler type"]


def test_probe_ports() -> None:
    def probe(spec: JSON) -> None:
        first_container(spec)["readinessProbe"] = {
            "httpGet": {"path": "/healthz", "port": "8080", "scheme": "FTP"},
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert errors_after(probe) == [
        'spec.containers[0].readinessProbe.httpGet.port: Invalid value: "8080": must contain at least one letter '
        "(a-z)",
        'spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", '
        '"HTTPS"']


def test_resources() -> None:
    def resources(spec: JSON) -> None:
        first_container(spec)["resources"] = {
            "limits": {"cpu": "500m", "memory": "64Mi", "example.com/gpu": "1"},
            "requests": {"cpu": "1", "memory": "-1Mi", "storage": "1Gi", "example.com/gpu": "2"},
        }
    # Go walks resource maps in random order; petset reports them by resource name.
    assert errors_after(resources) == [
        'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
        'spec.containers[0].resources.requests: Invalid value: "2": must be equal to example.com/gpu limit of 1',
        'spec.containers[0].resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0',
        'spec.containers[0].resources.requests[storage]: Invalid value: "storage": must be a standard resource '
        "for containers"]


def test_tolerations() -> None:
    def tolerations(spec: JSON) -> None:
        spec["tolerations"] = [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
            {"operator": "Equal", "value": "x"},
            {"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5},
        ]
    assert errors_after(tolerations) == [
        'spec.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which '
        'means "match all values and all keys"',
        "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
        "`tolerationSeconds` is set"]


def test_node_and_service_account_names() -> None:
    assert errors_after(lambda s: s.update(nodeName="node-1.example.com", serviceAccountName="default")) == []
    assert errors_after(lambda s: s.__setitem__("nodeName", "Node_1"))[0].startswith(
        'spec.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain')


def test_ephemeral_containers_cannot_be_created() -> None:
    assert errors_after(lambda s: s.__setitem__("ephemeralContainers", [{"name": "debug", "image": "busybox"}])) == [
        "spec.ephemeralContainers: Forbidden: cannot be set on create"]


def test_status_message_for_a_pod() -> None:
    obj = pod()
    del obj["spec"]["containers"][0]["image"]
    status = invalid("Pod", "", "kubia-0", validate_create("", "Pod", obj))
    assert status.message == 'Pod "kubia-0" is invalid: spec.containers[0].image: Required value'


# --- updates ------------------------------------------------------------------------------------------

@pytest.fixture
def old() -> JSON:
    obj = pod()
    obj["metadata"].update(uid="a1b2", resourceVersion="7", creationTimestamp="2024-05-01T10:00:00Z")
    obj["spec"]["tolerations"] = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                   "effect": "NoExecute", "tolerationSeconds": 300}]
    return obj


def update_errors(old: JSON, change: Callable[[JSON], None]) -> list[str]:
    new = copy.deepcopy(old)
    change(new["spec"])
    return messages(validate_update("", "Pod", new, old))


def test_image_changes_are_allowed(old: JSON) -> None:
    assert update_errors(old, lambda s: first_container(s).__setitem__("image", "luksa/kubia-pet:v2")) == []


def test_other_spec_changes_are_forbidden(old: JSON) -> None:
    errors = update_errors(old, lambda s: s.__setitem__("dnsPolicy", "Default"))
    assert len(errors) == 1
    assert errors[0].startswith(
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
        "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
        "negative)\n")
    assert '- \tDnsPolicy: "ClusterFirst",' in errors[0]
    assert '+ \tDnsPolicy: "Default",' in errors[0]


def test_containers_may_not_be_added(old: JSON) -> None:
    def add(spec: JSON) -> None:
        spec["containers"].append(container("sidecar", "busybox:1.36", terminationMessagePolicy="File",
                                            imagePullPolicy="IfNotPresent"))
    assert update_errors(old, add) == ["spec.containers: Forbidden: pod updates may not add or remove containers"]


def test_active_deadline_may_only_shrink(old: JSON) -> None:
    assert update_errors(old, lambda s: s.__setitem__("activeDeadlineSeconds", 600)) == []
    old["spec"]["activeDeadlineSeconds"] = 600
    assert update_errors(old, lambda s: s.__setitem__("activeDeadlineSeconds", 300)) == []
    assert update_errors(old, lambda s: s.__setitem__("activeDeadlineSeconds", 900)) == [
        "spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value"]
    assert update_errors(old, lambda s: s.pop("activeDeadlineSeconds")) == [
        'spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value']


def test_tolerations_may_only_be_added(old: JSON) -> None:
    def add(spec: JSON) -> None:
        spec["tolerations"].append({"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                    "effect": "NoExecute", "tolerationSeconds": 300})
    assert update_errors(old, add) == []
    assert update_errors(old, lambda s: s["tolerations"][0].__setitem__("tolerationSeconds", 30)) == []
    assert update_errors(old, lambda s: s.__setitem__("tolerations", [])) == [
        "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]


# --- status -------------------------------------------------------------------------------------------

def status_errors(old: JSON, status: JSON, node: str | None = None) -> list[str]:
    new = copy.deepcopy(old)
    new["status"] = status
    if node is not None:
        new["spec"]["nodeName"] = node
    return messages(validate_status_update("", "Pod", new, old))


def test_pod_status_updates(old: JSON) -> None:
    running = {"phase": "Running", "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}],
               "hostIP": "192.168.1.10", "hostIPs": [{"ip": "192.168.1.10"}],
               "conditions": [{"type": "Ready", "status": "True"}, {"type": "example.com/Warm", "status": "True"}]}
    assert status_errors(old, running) == []
    assert status_errors(old, {"podIPs": [{"ip": "10.244.1.300"}]}) == [
        'status.podIPs[0]: Invalid value: "10.244.1.300": must be a valid IP address, (e.g. 10.9.8.7 or '
        '2001:db8::ffff)']
    assert status_errors(old, {}, node="node-2") == ["status.nodeName: Forbidden: may not be changed directly"]
    assert status_errors(old, {"hostIP": "192.168.1.10", "hostIPs": [{"ip": "192.168.1.11"}]}) == [
        'status.hostIPs[0].ip: Invalid value: "192.168.1.11": must be equal to `hostIP`']


def test_terminated_containers_stay_terminated_without_restarts(old: JSON) -> None:
    old["spec"]["restartPolicy"] = "Never"
    old["status"] = {"containerStatuses": [{"name": "kubia", "state": {"terminated": {"exitCode": 0}}}]}
    assert status_errors(old, {"containerStatuses": [{"name": "kubia", "state": {"running": {}}}]}) == [
        "status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"]
