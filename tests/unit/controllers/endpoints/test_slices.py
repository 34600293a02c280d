"""The EndpointSlice computation: endpoints, conditions, ports, grouping, and the write plan."""

from __future__ import annotations

import copy
from typing import Any

from petset.controllers.endpoints.slices import (
    CONTROLLER_NAME,
    MANAGED_BY_LABEL,
    SERVICE_NAME_LABEL,
    endpoint_ports,
    pod_to_endpoint,
    reconcile,
)

Obj = dict[str, Any]


def service(name: str = "kubia", *, headless: bool = True, ports: list[Obj] | None = None, **spec: Any) -> Obj:
    body: Obj = {"metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "labels": {"team": "a"}},
                 "spec": {"clusterIP": "None" if headless else "10.96.0.9", "selector": {"app": "kubia"},
                          "ipFamilies": ["IPv4"],
                          "ports": ports if ports is not None else [{"name": "http", "port": 80, "protocol": "TCP",
                                                                      "targetPort": 80}],
                          **spec}}
    return body


def pod(name: str, ip: str | None = "10.244.0.5", *, ready: bool = True, subdomain: str = "kubia",
        namespace: str = "default", terminating: bool = False, phase: str = "Running",
        ports: list[Obj] | None = None, node: str | None = None) -> Obj:
    body: Obj = {
        "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}", "labels": {"app": "kubia"}},
        "spec": {"hostname": name, "subdomain": subdomain,
                 "containers": [{"name": "c", "ports": ports if ports is not None else
                                 [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]}]},
        "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }
    if ip:
        body["status"]["podIP"] = ip
        body["status"]["podIPs"] = [{"ip": ip}]
    if terminating:
        body["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    if node:
        body["spec"]["nodeName"] = node
    return body


def created(plan_slice: Obj, name: str) -> Obj:
    """The slice as the API server would return it after the create."""
    out = copy.deepcopy(plan_slice)
    out["metadata"]["name"] = name
    out["metadata"]["resourceVersion"] = "1"
    return out


def test_ready_pod_endpoint() -> None:
    endpoint = pod_to_endpoint(pod("kubia-0", node="node-a"), service(), "IPv4")
    assert endpoint == {
        "addresses": ["10.244.0.5"],
        "conditions": {"ready": True, "serving": True, "terminating": False},
        "hostname": "kubia-0",
        "targetRef": {"kind": "Pod", "namespace": "default", "name": "kubia-0", "uid": "uid-kubia-0"},
        "nodeName": "node-a",
    }


def test_conditions_matrix() -> None:
    cases = {
        # (pod ready, terminating, publishNotReadyAddresses): (ready, serving, terminating)
        (True, False, False): (True, True, False),
        (False, False, False): (False, False, False),
        (True, True, False): (False, True, True),
        (False, True, False): (False, False, True),
        (False, False, True): (True, True, False),
        (False, True, True): (True, True, True),
    }
    for (ready, terminating, publish), expected in cases.items():
        svc = service(publishNotReadyAddresses=publish)
        endpoint = pod_to_endpoint(pod("kubia-0", ready=ready, terminating=terminating), svc, "IPv4")
        assert endpoint is not None
        conditions = endpoint["conditions"]
        assert (conditions["ready"], conditions["serving"], conditions["terminating"]) == expected, (
            ready, terminating, publish)


def test_hostname_only_under_the_pods_own_subdomain_and_namespace() -> None:
    assert "hostname" in pod_to_endpoint(pod("kubia-0"), service(), "IPv4")  # type: ignore[operator]
    assert "hostname" not in pod_to_endpoint(pod("kubia-0", subdomain="other"), service(), "IPv4")  # type: ignore[operator]
    assert "hostname" not in pod_to_endpoint(pod("kubia-0"), service("kubia-public"), "IPv4")  # type: ignore[operator]
    elsewhere = pod("kubia-0", namespace="prod")
    assert "hostname" not in pod_to_endpoint(elsewhere, service(), "IPv4")  # type: ignore[operator]
    no_hostname = pod("kubia-0")
    del no_hostname["spec"]["hostname"]
    assert "hostname" not in pod_to_endpoint(no_hostname, service(), "IPv4")  # type: ignore[operator]


def test_named_target_port_resolves_against_the_pod() -> None:
    svc = service(ports=[{"name": "web", "port": 80, "protocol": "TCP", "targetPort": "http"},
                         {"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": "metrics"},
                         {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": "http"}])
    # "metrics" is declared by no container, "http" is TCP only: both ports are left out for this pod.
    assert endpoint_ports(svc, pod("kubia-0")) == [{"name": "web", "port": 8080, "protocol": "TCP"}]
    sidecar = pod("kubia-0")
    sidecar["spec"]["initContainers"] = [{"name": "s", "restartPolicy": "Always",
                                          "ports": [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}]}]
    assert [p["port"] for p in endpoint_ports(svc, sidecar)] == [8080, 9100]


def test_unnamed_port_has_an_empty_name_and_app_protocol_is_kept() -> None:
    svc = service(ports=[{"port": 80, "protocol": "TCP", "targetPort": 8080, "appProtocol": "http"}])
    assert endpoint_ports(svc, pod("kubia-0")) == [{"name": "", "port": 8080, "protocol": "TCP",
                                                    "appProtocol": "http"}]


def test_first_sync_creates_one_slice_owned_by_the_service() -> None:
    plan = reconcile(service(), [pod("kubia-1", "10.244.0.6"), pod("kubia-0", "10.244.0.5")], [])
    assert not plan.update and not plan.delete
    [endpoint_slice] = plan.create
    assert endpoint_slice["metadata"]["generateName"] == "kubia-"
    assert endpoint_slice["metadata"]["labels"] == {
        "team": "a", SERVICE_NAME_LABEL: "kubia", MANAGED_BY_LABEL: CONTROLLER_NAME,
        "service.kubernetes.io/headless": ""}
    assert endpoint_slice["metadata"]["ownerReferences"] == [{
        "apiVersion": "v1", "kind": "Service", "name": "kubia", "uid": "uid-kubia", "controller": True,
        "blockOwnerDeletion": True}]
    assert endpoint_slice["addressType"] == "IPv4"
    assert endpoint_slice["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}]
    assert [e["targetRef"]["name"] for e in endpoint_slice["endpoints"]] == ["kubia-0", "kubia-1"]


def test_endpoints_read_in_ordinal_order() -> None:
    pods = [pod(f"kubia-{i}", f"10.244.0.{i + 1}") for i in (10, 2, 1, 0)]
    [endpoint_slice] = reconcile(service(), pods, []).create
    assert [e["hostname"] for e in endpoint_slice["endpoints"]] == ["kubia-0", "kubia-1", "kubia-2", "kubia-10"]


def test_pods_without_ip_or_finished_are_left_out() -> None:
    pods = [pod("kubia-0", None), pod("kubia-1", phase="Succeeded"), pod("kubia-2", phase="Failed"),
            pod("kubia-3", "10.244.0.9")]
    [endpoint_slice] = reconcile(service(), pods, []).create
    assert [e["targetRef"]["name"] for e in endpoint_slice["endpoints"]] == ["kubia-3"]


def test_no_endpoints_gives_one_placeholder() -> None:
    [placeholder] = reconcile(service(), [], []).create
    assert placeholder["endpoints"] == []
    assert "ports" not in placeholder
    again = reconcile(service(), [], [created(placeholder, "kubia-abcde")])
    assert not again


def test_placeholder_is_recycled_when_endpoints_appear() -> None:
    [placeholder] = reconcile(service(), [], []).create
    plan = reconcile(service(), [pod("kubia-0")], [created(placeholder, "kubia-abcde")])
    assert not plan.create and not plan.delete
    [update] = plan.update
    assert update["metadata"]["name"] == "kubia-abcde"
    assert update["metadata"]["resourceVersion"] == "1"  # the update is conditional on what was read
    assert len(update["endpoints"]) == 1 and update["ports"][0]["port"] == 80


def test_unchanged_state_writes_nothing_and_changes_update_in_place() -> None:
    pods = [pod("kubia-0", "10.244.0.5"), pod("kubia-1", "10.244.0.6")]
    [first] = reconcile(service(), pods, []).create
    existing = [created(first, "kubia-abcde")]
    assert not reconcile(service(), pods, existing)
    pods[1]["status"]["conditions"][0]["status"] = "False"
    plan = reconcile(service(), pods, existing)
    assert not plan.create and not plan.delete
    assert [e["conditions"]["ready"] for e in plan.update[0]["endpoints"]] == [True, False]
    relabelled = service()
    relabelled["metadata"]["labels"] = {"team": "b"}
    assert reconcile(relabelled, pods[:1], existing).update[0]["metadata"]["labels"]["team"] == "b"


def test_pods_resolving_ports_differently_get_separate_slices() -> None:
    svc = service(ports=[{"name": "web", "port": 80, "protocol": "TCP", "targetPort": "http"}])
    old = pod("kubia-0", "10.244.0.5")
    new = pod("kubia-1", "10.244.0.6", ports=[{"name": "http", "containerPort": 9000, "protocol": "TCP"}])
    plan = reconcile(svc, [old, new], [])
    assert sorted((s["ports"][0]["port"], len(s["endpoints"])) for s in plan.create) == [(8080, 1), (9000, 1)]


def test_slices_hold_at_most_max_endpoints() -> None:
    pods = [pod(f"kubia-{i}", f"10.244.1.{i + 1}") for i in range(7)]
    plan = reconcile(service(), pods, [], max_endpoints=3)
    assert [len(s["endpoints"]) for s in plan.create] == [3, 3, 1]
    existing = [created(s, f"kubia-{n}") for n, s in zip("abc", plan.create, strict=True)]
    shrunk = reconcile(service(), pods[:2], existing, max_endpoints=3)
    assert len(shrunk.update) == 1 and len(shrunk.delete) == 2 and not shrunk.create


def test_slices_of_a_former_service_of_the_same_name_are_deleted() -> None:
    [mine] = reconcile(service(), [pod("kubia-0")], []).create
    stale = created(mine, "kubia-old")
    stale["metadata"]["ownerReferences"][0]["uid"] = "uid-of-a-deleted-service"
    plan = reconcile(service(), [pod("kubia-0")], [stale])
    assert [s["metadata"]["name"] for s in plan.delete] == ["kubia-old"]
    assert len(plan.create) == 1


def test_dual_stack_service_gets_a_slice_per_family() -> None:
    svc = service(ipFamilies=["IPv4", "IPv6"])
    dual = pod("kubia-0", "10.244.0.5")
    dual["status"]["podIPs"] = [{"ip": "10.244.0.5"}, {"ip": "fd00::5"}]
    plan = reconcile(svc, [dual], [])
    assert sorted((s["addressType"], s["endpoints"][0]["addresses"][0]) for s in plan.create) == [
        ("IPv4", "10.244.0.5"), ("IPv6", "fd00::5")]


def test_headless_service_without_ports_lists_addresses_without_ports() -> None:
    plan = reconcile(service(ports=[]), [pod("kubia-0")], [])
    assert plan.create[0]["ports"] == [] and len(plan.create[0]["endpoints"]) == 1
