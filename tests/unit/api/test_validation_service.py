"""Service and Endpoints validation."""

from __future__ import annotations

import copy
from typing import Any

from petset.api.errors import invalid
from petset.api.validation import validate_create, validate_status_update, validate_update
from tests.unit.api.test_validation_objects import messages, service

JSON = dict[str, Any]


def service_errors(obj: JSON) -> list[str]:
    return messages(validate_create("", "Service", obj))


def test_headless_and_cluster_ip_services_are_valid() -> None:
    assert service_errors(service()) == []
    assert service_errors(service("kubia-public", clusterIP="10.96.0.20",
                                  ports=[{"port": 80, "targetPort": 8080}])) == []


def test_service_names_are_dns_1035_labels() -> None:
    assert service_errors(service("1kubia")) == [
        'metadata.name: Invalid value: "1kubia": a DNS-1035 label must consist of lower case alphanumeric '
        "characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. "
        "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]


def test_ports_are_required_unless_headless() -> None:
    assert service_errors(service(ports=[])) == []
    assert service_errors(service(clusterIP="10.96.0.20", clusterIPs=["10.96.0.20"], ports=[])) == [
        "spec.ports: Required value"]


def test_port_rules() -> None:
    obj = service(ports=[{"name": "http", "port": 0}, {"port": 443, "protocol": "HTTP"},
                         {"name": "Web", "port": 8080, "targetPort": "web-port-too-long"}])
    assert service_errors(obj) == [
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        "spec.ports[1].name: Required value",
        'spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        'spec.ports[2].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case '
        "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
        "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        'spec.ports[2].targetPort: Invalid value: "web-port-too-long": must be no more than 15 characters']


def test_duplicate_ports_and_names() -> None:
    obj = service(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 80}])
    assert service_errors(obj) == [
        'spec.ports[1].name: Duplicate value: "http"',
        'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
        'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}']


def test_types_and_cluster_ip() -> None:
    assert service_errors(service(type="Internal")) == [
        'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", '
        '"NodePort"']
    obj = service(type="NodePort", externalTrafficPolicy="Cluster")
    assert service_errors(obj) == [
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]
    assert service_errors(service(clusterIP="10.96.0.300", clusterIPs=["10.96.0.300"])) == [
        'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or '
        '2001:db8::ffff)']
    assert service_errors(service(clusterIP="10.96.0.20", clusterIPs=["10.96.0.21"])) == [
        'spec.clusterIPs: Invalid value: []string{"10.96.0.21"}: first value must match `clusterIP`']


def test_node_ports_need_an_externally_reachable_type() -> None:
    obj = service(clusterIP="10.96.0.20", clusterIPs=["10.96.0.20"], ports=[{"port": 80, "nodePort": 30080}])
    assert service_errors(obj) == ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]


def test_session_affinity() -> None:
    assert service_errors(service(sessionAffinity="Sticky")) == [
        'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']
    assert service_errors(service(sessionAffinity="ClientIP")) == [
        "spec.sessionAffinityConfig: Required value: when session affinity type is ClientIP"]
    config = {"clientIP": {"timeoutSeconds": 0}}
    assert service_errors(service(sessionAffinity="ClientIP", sessionAffinityConfig=config)) == [
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less "
        "than 86400"]


def test_selector_is_a_label_map() -> None:
    assert service_errors(service(selector={"app": "kubia pets"}))[0].startswith(
        'spec.selector: Invalid value: "kubia pets": a valid label must be an empty string')


def test_external_name_services() -> None:
    obj = copy.deepcopy(service(type="ExternalName", externalName="db.example.com."))
    for field in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"):
        obj["spec"].pop(field, None)
    obj["spec"]["ports"] = []
    assert service_errors(obj) == []
    obj["spec"]["externalName"] = ""
    assert service_errors(obj) == ["spec.externalName: Required value"]


def stored(obj: JSON) -> JSON:
    obj = copy.deepcopy(obj)
    obj["metadata"].update(uid="u1", resourceVersion="3", creationTimestamp="2024-05-01T10:00:00Z")
    return obj


def test_cluster_ip_may_not_change() -> None:
    old = stored(service("kubia-public", clusterIP="10.96.0.20", ports=[{"port": 80, "targetPort": 8080}]))
    new = copy.deepcopy(old)
    new["spec"]["ports"][0]["targetPort"] = 8081
    assert messages(validate_update("", "Service", new, old)) == []
    new["spec"].update(clusterIP="10.96.0.21", clusterIPs=["10.96.0.21"])
    errors = validate_update("", "Service", new, old)
    assert messages(errors) == [
        'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set']
    assert invalid("Service", "", "kubia-public", errors).message == (
        'Service "kubia-public" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: '
        "may not change once set")


def test_load_balancer_status_needs_a_load_balancer() -> None:
    old = stored(service())
    new = copy.deepcopy(old)
    new["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.1.100", "ipMode": "VIP"}]}}
    assert messages(validate_status_update("", "Service", new, old)) == [
        "status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'"]


# --- Endpoints ----------------------------------------------------------------------------------------

def endpoints(subsets: list[JSON]) -> JSON:
    return {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "kubia", "namespace": "default"},
            "subsets": subsets}


def test_endpoints() -> None:
    good = {"addresses": [{"ip": "10.244.1.5", "hostname": "kubia-0", "nodeName": "node-1",
                           "targetRef": {"kind": "Pod", "name": "kubia-0", "namespace": "default"}}],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}
    assert messages(validate_create("", "Endpoints", endpoints([good]))) == []
    bad: list[JSON] = [{"ports": [{"port": 8080, "protocol": "TCP"}]},
           {"addresses": [{"ip": "127.0.0.1"}, {"ip": "10.244.1.6", "hostname": "kubia.1"}],
            "ports": [{"port": 1, "protocol": "TCP"}, {"port": 2, "protocol": "TCP"}]}]
    assert messages(validate_create("", "Endpoints", endpoints(bad))) == [
        "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`",
        'subsets[1].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, '
        "::1/128)",
        'subsets[1].addresses[1].hostname: Invalid value: "kubia.1": a lowercase RFC 1123 label must consist of '
        "lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. "
        "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        "subsets[1].ports[0].name: Required value",
        "subsets[1].ports[1].name: Required value"]
