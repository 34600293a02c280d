"""Answers follow the pods: scaling, readiness, publishNotReadyAddresses, deletion, within 100 ms."""

from __future__ import annotations

import time

from tests.integration.dns.harness import DNSCluster, answers, manifest, pod_ip, rcode
from tests.support.inproc import ENDPOINTSLICES, rt

SVC = "kubia.default.svc.cluster.local."
ENDPOINTS = rt("v1", "endpoints")


def srv_targets(message: object) -> list[str]:
    return [line.split()[-1] for line in answers(message)]  # type: ignore[arg-type]


def srv_weights(message: object) -> set[str]:
    return {line.split()[4] for line in answers(message)}  # type: ignore[arg-type]


async def test_srv_answers_follow_scaling_2_3_1(cluster: DNSCluster) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    for i in range(2):
        await cluster.create_pod(f"kubia-{i}")
    reply = await cluster.wait_for(SVC, "SRV", lambda m: len(m.answer and m.answer[0]) == 2)
    assert srv_targets(reply) == [f"kubia-0.{SVC}", f"kubia-1.{SVC}"]
    assert srv_weights(reply) == {"50"}

    await cluster.create_pod("kubia-2")
    reply = await cluster.wait_for(SVC, "SRV", lambda m: len(answers(m)) == 3)
    assert srv_targets(reply) == [f"kubia-0.{SVC}", f"kubia-1.{SVC}", f"kubia-2.{SVC}"]
    assert srv_weights(reply) == {"33"}
    assert len(reply.additional) == 3

    await cluster.delete_pod("kubia-2")
    await cluster.delete_pod("kubia-1")
    reply = await cluster.wait_for(SVC, "SRV", lambda m: len(answers(m)) == 1)
    assert answers(reply) == [f"{SVC} 30 SRV 0 100 80 kubia-0.{SVC}"]
    assert rcode(await cluster.query(f"kubia-1.{SVC}", "A")) == "NXDOMAIN"
    assert answers(await cluster.query(SVC, "A")) == [f"{SVC} 30 A {pod_ip(0)}"]


async def test_a_pod_that_is_not_ready_is_not_published(cluster: DNSCluster) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    await cluster.create_pod("kubia-0")
    await cluster.create_pod("kubia-1", ready=False)
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 1)
    assert srv_targets(await cluster.query(SVC, "SRV")) == [f"kubia-0.{SVC}"]
    assert rcode(await cluster.query(f"kubia-1.{SVC}", "A")) == "NXDOMAIN"

    await cluster.set_ready("kubia-1", True)
    reply = await cluster.wait_for(SVC, "SRV", lambda m: len(answers(m)) == 2)
    assert srv_targets(reply) == [f"kubia-0.{SVC}", f"kubia-1.{SVC}"]

    await cluster.set_ready("kubia-0", False)
    reply = await cluster.wait_for(SVC, "SRV", lambda m: len(answers(m)) == 1)
    assert srv_targets(reply) == [f"kubia-1.{SVC}"]
    assert answers(await cluster.query(SVC, "A")) == [f"{SVC} 30 A {pod_ip(1)}"]


async def test_headless_service_without_ready_endpoints_is_nxdomain(cluster: DNSCluster) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    await cluster.create_pod("kubia-0", ready=False)
    await cluster.wait_for(SVC, "A", lambda m: rcode(m) == "NXDOMAIN")
    assert rcode(await cluster.query(SVC, "SRV")) == "NXDOMAIN"
    await cluster.set_ready("kubia-0", True)
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 1)
    await cluster.set_ready("kubia-0", False)
    await cluster.wait_for(SVC, "A", lambda m: rcode(m) == "NXDOMAIN")


async def test_publish_not_ready_addresses_keeps_unready_pods(cluster: DNSCluster) -> None:
    body = manifest("kubia-service-headless.yaml")
    body["spec"]["publishNotReadyAddresses"] = True
    await cluster.create_service(body)
    await cluster.create_pod("kubia-0", ready=False)
    await cluster.create_pod("kubia-1", ready=False)
    reply = await cluster.wait_for(SVC, "SRV", lambda m: len(answers(m)) == 2)
    assert srv_targets(reply) == [f"kubia-0.{SVC}", f"kubia-1.{SVC}"]
    assert answers(await cluster.query(f"kubia-1.{SVC}", "A")) == [f"kubia-1.{SVC} 30 A {pod_ip(1)}"]


async def test_terminating_pod_leaves_the_answers(cluster: DNSCluster) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    await cluster.create_pod("kubia-0")
    await cluster.create_pod("kubia-1", node_name="node-a")
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 2)
    # A graceful delete: the pod stays (terminating) until its node confirms, but is no longer ready.
    await cluster.client.delete(rt("v1", "pods"), "default", "kubia-1")
    await cluster.wait_for(SVC, "A", lambda m: answers(m) == [f"{SVC} 30 A {pod_ip(0)}"])
    slices = (await cluster.client.list(ENDPOINTSLICES, "default"))["items"]
    terminating = [e for s in slices for e in s["endpoints"] if e["targetRef"]["name"] == "kubia-1"]
    assert terminating[0]["conditions"] == {"ready": False, "serving": True, "terminating": True}
    assert terminating[0]["nodeName"] == "node-a"


async def test_changes_reach_dns_within_100_ms(cluster: DNSCluster) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    await cluster.create_pod("kubia-0")
    await cluster.create_pod("kubia-1", ready=False)
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 1)
    worst = 0.0
    for ready, count in ((True, 2), (False, 1), (True, 2)):
        started = time.monotonic()
        await cluster.set_ready("kubia-1", ready)
        await cluster.wait_for(SVC, "A", lambda m, n=count: len(answers(m)) == n)
        worst = max(worst, time.monotonic() - started)
    started = time.monotonic()
    await cluster.delete_pod("kubia-1")
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 1)
    worst = max(worst, time.monotonic() - started)
    assert worst < 0.1, f"slowest change took {worst * 1000:.0f} ms"


async def test_endpoints_object_matches_the_slices(cluster: DNSCluster) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    await cluster.create_service(manifest("kubia-service-public.yaml"))
    pods = [await cluster.create_pod("kubia-0"), await cluster.create_pod("kubia-1", ready=False)]

    async def endpoints() -> dict[str, object] | None:
        listed = (await cluster.client.list(ENDPOINTS, "default"))["items"]
        found = {e["metadata"]["name"]: e for e in listed}
        ok = all(len((e.get("subsets") or [{}])[0].get("notReadyAddresses", [])) == 1 for e in found.values())
        return found if {"kubia", "kubia-public"} <= set(found) and ok else None

    from tests.support.inproc import eventually
    found = await eventually(endpoints)
    ref = {"kind": "Pod", "namespace": "default", "name": "kubia-0", "uid": pods[0]["metadata"]["uid"]}
    assert found["kubia"]["metadata"]["labels"] == {"service.kubernetes.io/headless": ""}
    assert found["kubia"]["subsets"] == [{
        "addresses": [{"ip": pod_ip(0), "hostname": "kubia-0", "targetRef": ref}],
        "notReadyAddresses": [{"ip": pod_ip(1), "hostname": "kubia-1", "targetRef": {**ref, "name": "kubia-1",
                                                                                     "uid": pods[1]["metadata"]["uid"]}}],
        "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
    }]
    # kubia-public: no hostname (the pods' subdomain is kubia), the targetPort 8080.
    public = found["kubia-public"]["subsets"][0]
    assert public["addresses"] == [{"ip": pod_ip(0), "targetRef": ref}]
    assert public["ports"] == [{"port": 8080, "protocol": "TCP"}]

    slices = (await cluster.client.list(ENDPOINTSLICES, "default"))["items"]
    by_service = {s["metadata"]["labels"]["kubernetes.io/service-name"]: s for s in slices}
    headless = by_service["kubia"]
    assert headless["metadata"]["generateName"] == "kubia-"
    assert headless["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert headless["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}]
    assert [e.get("hostname") for e in headless["endpoints"]] == ["kubia-0", "kubia-1"]
    assert [e.get("hostname") for e in by_service["kubia-public"]["endpoints"]] == [None, None]


async def test_deleting_the_service_removes_its_records_and_objects(cluster: DNSCluster) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    await cluster.create_pod("kubia-0")
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 1)
    await cluster.client.delete(rt("v1", "services"), "default", "kubia")
    await cluster.wait_for(SVC, "A", lambda m: rcode(m) == "NXDOMAIN")

    async def gone() -> bool:
        slices = (await cluster.client.list(ENDPOINTSLICES, "default"))["items"]
        endpoints = (await cluster.client.list(ENDPOINTS, "default"))["items"]
        return not slices and not [e for e in endpoints if e["metadata"]["name"] == "kubia"]

    from tests.support.inproc import eventually
    await eventually(gone)


async def test_kubectl_get_columns_for_the_written_objects(cluster: DNSCluster) -> None:
    from datetime import UTC, datetime

    from petset.api.printers import row_cells
    from tests.support.inproc import eventually

    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    empty = await eventually(lambda: cluster.controller.endpoint_slices.list("default"))
    now = datetime.now(UTC)
    # No endpoints yet: the placeholder slice, as `kubectl get endpointslices` shows it upstream.
    assert row_cells("discovery.k8s.io", "endpointslices", empty[0], now)[1:4] == ["IPv4", "<unset>", "<unset>"]
    for i in range(4):
        await cluster.create_pod(f"kubia-{i}")
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 4)
    endpoints = await eventually(lambda: [e for e in cluster.controller.endpoints.list("default")
                                          if len((e.get("subsets") or [{}])[0].get("addresses", [])) == 4])
    assert row_cells("", "endpoints", endpoints[0], now)[1] == (
        f"{pod_ip(0)}:80,{pod_ip(1)}:80,{pod_ip(2)}:80 + 1 more...")
    [endpoint_slice] = cluster.controller.endpoint_slices.list("default")
    assert row_cells("discovery.k8s.io", "endpointslices", endpoint_slice, now)[1:4] == [
        "IPv4", "80", f"{pod_ip(0)},{pod_ip(1)},{pod_ip(2)} + 1 more..."]


async def test_a_server_started_on_synced_informers_loads_what_they_hold(cluster: DNSCluster) -> None:
    from petset.dns import DNSServer

    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    await cluster.create_pod("kubia-0")
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 1)
    late = DNSServer(cluster.informers, port=0, upstreams=[])
    await late.start()
    try:
        found = late.index.lookup(f"kubia-0.{SVC}".rstrip("."), 1)
        assert found is not None and found.answer[0][2] == pod_ip(0)
    finally:
        await late.stop()
