"""Tests for petset.api.printers: the Table cells kubectl prints, case by case against upstream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from petset.api import printers
from petset.api.printers import (
    column_definitions,
    human_duration,
    row_cells,
    table,
    translate_timestamp_since,
)

NOW = datetime(2026, 11, 28, 15, 45, 31, tzinfo=UTC)
CREATED = "2026-11-28T15:45:21Z"  # 10s before NOW


def ago(**kwargs: float) -> str:
    return (NOW - timedelta(**kwargs)).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": "default", "uid": f"uid-{name}", "creationTimestamp": CREATED, **extra}


# ---------------------------------------------------------------------------------------------------------
# HumanDuration and timestamps


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (timedelta(seconds=-3), "<invalid>"),
        (timedelta(seconds=-2), "<invalid>"),
        (timedelta(seconds=-1.9), "0s"),  # truncated toward zero: tolerated clock skew
        (timedelta(seconds=-1), "0s"),
        (timedelta(0), "0s"),
        (timedelta(seconds=0.9), "0s"),
        (timedelta(seconds=9), "9s"),
        (timedelta(seconds=119), "119s"),
        (timedelta(seconds=120), "2m"),
        (timedelta(minutes=5, seconds=10), "5m10s"),
        (timedelta(minutes=9, seconds=59), "9m59s"),
        (timedelta(minutes=10, seconds=30), "10m"),
        (timedelta(minutes=179), "179m"),
        (timedelta(hours=3), "3h"),
        (timedelta(hours=3, minutes=5), "3h5m"),
        (timedelta(hours=7, minutes=59), "7h59m"),
        (timedelta(hours=8, minutes=30), "8h"),
        (timedelta(hours=47), "47h"),
        (timedelta(days=2), "2d"),
        (timedelta(days=2, hours=3), "2d3h"),
        (timedelta(days=7, hours=23), "7d23h"),
        (timedelta(days=8, hours=5), "8d"),
        (timedelta(days=45), "45d"),
        (timedelta(days=729), "729d"),
        (timedelta(days=730), "2y"),
        (timedelta(days=365 * 3 + 200), "3y200d"),
        (timedelta(days=365 * 8 - 1), "7y364d"),
        (timedelta(days=365 * 8), "8y"),
        (timedelta(days=365 * 20 + 100), "20y"),
    ],
)
def test_human_duration(duration: timedelta, expected: str) -> None:
    assert human_duration(duration) == expected


def test_translate_timestamp_since() -> None:
    assert translate_timestamp_since(CREATED, NOW) == "10s"
    assert translate_timestamp_since("2026-11-28T15:45:21.123456Z", NOW) == "9s"
    assert translate_timestamp_since("2026-11-28T16:45:21+01:00", NOW) == "10s"
    assert translate_timestamp_since(None, NOW) == "<unknown>"
    assert translate_timestamp_since("", NOW) == "<unknown>"
    assert translate_timestamp_since("0001-01-01T00:00:00Z", NOW) == "<unknown>"
    assert translate_timestamp_since("2026-11-28T15:45:32Z", NOW) == "0s"
    assert translate_timestamp_since("2026-11-28T15:46:31Z", NOW) == "<invalid>"
    # A naive `now` is taken as UTC.
    assert translate_timestamp_since(CREATED, NOW.replace(tzinfo=None)) == "10s"


# ---------------------------------------------------------------------------------------------------------
# Pods


def pod(
    *,
    phase: str = "Running",
    containers: int = 1,
    statuses: list[dict[str, Any]] | None = None,
    init_containers: list[dict[str, Any]] | None = None,
    init_statuses: list[dict[str, Any]] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    reason: str | None = None,
    metadata: dict[str, Any] | None = None,
    **status: Any,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{"name": f"c{i}", "image": "luksa/kubia-pet"} for i in range(containers)]
    }
    if init_containers is not None:
        spec["initContainers"] = init_containers
    pod_status: dict[str, Any] = {"phase": phase, **status}
    if statuses is not None:
        pod_status["containerStatuses"] = statuses
    if init_statuses is not None:
        pod_status["initContainerStatuses"] = init_statuses
    if conditions is not None:
        pod_status["conditions"] = conditions
    if reason is not None:
        pod_status["reason"] = reason
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata or meta("kubia-0"),
        "spec": spec,
        "status": pod_status,
    }


RUNNING = {"running": {"startedAt": CREATED}}


def ready(name: str = "c0", restarts: int = 0, **extra: Any) -> dict[str, Any]:
    return {"name": name, "ready": True, "started": True, "restartCount": restarts, "state": RUNNING, **extra}


def pod_status_cells(obj: dict[str, Any]) -> list[Any]:
    """NAME READY STATUS RESTARTS (the age and wide cells are tested separately)."""
    return row_cells("", "pods", obj, NOW)[:4]


def test_pod_running_matches_the_protocol_example() -> None:
    obj = pod(
        statuses=[ready()],
        conditions=[{"type": "Ready", "status": "True"}],
        podIP="10.244.0.11",
        podIPs=[{"ip": "10.244.0.11"}],
    )
    obj["spec"]["nodeName"] = "node-1"
    assert row_cells("", "pods", obj, NOW) == [
        "kubia-0", "1/1", "Running", "0", "10s", "10.244.0.11", "node-1", "<none>", "<none>",
    ]  # fmt: skip


def test_pod_pending_without_statuses() -> None:
    assert row_cells("", "pods", pod(phase="Pending"), NOW) == [
        "kubia-0", "0/1", "Pending", "0", "10s", "<none>", "<none>", "<none>", "<none>",
    ]  # fmt: skip


def test_pod_waiting_reason_wins() -> None:
    waiting = {
        "name": "c0",
        "ready": False,
        "restartCount": 0,
        "state": {"waiting": {"reason": "ContainerCreating"}},
    }
    assert pod_status_cells(pod(phase="Pending", statuses=[waiting])) == [
        "kubia-0",
        "0/1",
        "ContainerCreating",
        "0",
    ]


def test_pod_upstream_cases() -> None:
    # printers_test.go TestPrintPod: an empty state contributes restarts but no reason.
    obj = pod(phase="podPhase", containers=2, statuses=[ready(restarts=3), {"restartCount": 3}])
    assert pod_status_cells(obj) == ["kubia-0", "1/2", "podPhase", "6"]
    obj = pod(
        phase="podPhase",
        containers=2,
        statuses=[
            {"restartCount": 3, "state": {"waiting": {"reason": "ContainerWaitingReason"}}},
            ready(restarts=3),
        ],
    )
    assert pod_status_cells(obj) == ["kubia-0", "1/2", "ContainerWaitingReason", "6"]
    obj = pod(
        phase="podPhase",
        containers=2,
        statuses=[
            {
                "restartCount": 3,
                "state": {"terminated": {"reason": "ContainerTerminatedReason", "exitCode": 2}},
            },
            ready(restarts=3),
        ],
    )
    assert pod_status_cells(obj) == ["kubia-0", "1/2", "ContainerTerminatedReason", "6"]


@pytest.mark.parametrize(
    ("terminated", "expected"),
    [
        ({"exitCode": 0, "reason": "Completed"}, "Completed"),
        ({"exitCode": 1, "reason": "Error"}, "Error"),
        ({"exitCode": 137, "signal": 9}, "Signal:9"),
        ({"exitCode": 3}, "ExitCode:3"),
        ({"exitCode": 0}, "ExitCode:0"),
    ],
)
def test_pod_terminated_container(terminated: dict[str, Any], expected: str) -> None:
    status = {"name": "c0", "ready": False, "restartCount": 0, "state": {"terminated": terminated}}
    assert pod_status_cells(pod(phase="Running", statuses=[status]))[2] == expected


def test_pod_restarts_show_when_the_last_one_happened() -> None:
    crashing = {
        "name": "c0",
        "ready": False,
        "restartCount": 5,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(minutes=5)}},
    }
    assert pod_status_cells(pod(statuses=[crashing])) == ["kubia-0", "0/1", "CrashLoopBackOff", "5 (5m ago)"]


def test_pod_restarts_use_the_latest_termination_across_containers() -> None:
    older = ready("c0", restarts=1, lastState={"terminated": {"exitCode": 1, "finishedAt": ago(hours=3)}})
    newer = ready("c1", restarts=2, lastState={"terminated": {"exitCode": 1, "finishedAt": ago(seconds=40)}})
    obj = pod(containers=2, statuses=[older, newer], conditions=[{"type": "Ready", "status": "True"}])
    assert pod_status_cells(obj) == ["kubia-0", "2/2", "Running", "3 (40s ago)"]


def test_pod_restarts_without_a_termination_time_have_no_suffix() -> None:
    restarted = ready(restarts=2, lastState={"terminated": {"exitCode": 1}})
    assert pod_status_cells(pod(statuses=[restarted]))[3] == "2"


def test_pod_completed_with_a_container_still_running() -> None:
    completed = {
        "name": "c1",
        "ready": False,
        "restartCount": 0,
        "state": {"terminated": {"reason": "Completed"}},
    }
    # Statuses are walked last to first, so the first container's reason is the one left standing.
    statuses = [completed, ready("c0")]
    not_ready = pod(containers=2, statuses=statuses, conditions=[{"type": "Ready", "status": "False"}])
    assert pod_status_cells(not_ready) == ["kubia-0", "1/2", "NotReady", "0"]
    still_ready = pod(containers=2, statuses=statuses, conditions=[{"type": "Ready", "status": "True"}])
    assert pod_status_cells(still_ready) == ["kubia-0", "1/2", "Running", "0"]


def test_pod_succeeded() -> None:
    done = {
        "name": "c0",
        "ready": False,
        "restartCount": 0,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
    }
    assert pod_status_cells(pod(phase="Succeeded", statuses=[done])) == ["kubia-0", "0/1", "Completed", "0"]


def test_pod_status_reason() -> None:
    assert pod_status_cells(pod(phase="Failed", reason="Evicted"))[2] == "Evicted"


def test_pod_scheduling_gated() -> None:
    obj = pod(
        phase="Pending", conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]
    )
    assert pod_status_cells(obj)[2] == "SchedulingGated"


def test_pod_terminating() -> None:
    deleting = meta("kubia-0", deletionTimestamp=CREATED)
    assert pod_status_cells(pod(statuses=[ready()], metadata=deleting))[2] == "Terminating"
    # A pod that already finished keeps its final status while it is deleted.
    done = {
        "name": "c0",
        "ready": False,
        "restartCount": 0,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
    }
    assert pod_status_cells(pod(phase="Succeeded", statuses=[done], metadata=deleting))[2] == "Completed"
    assert pod_status_cells(pod(phase="Failed", metadata=deleting))[2] == "Failed"
    # The node lifecycle controller's mark for an unreachable node.
    assert pod_status_cells(pod(reason="NodeLost", statuses=[ready()], metadata=deleting))[2] == "Unknown"


def init_status(name: str, state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "ready": False, "restartCount": 0, "state": state, **extra}


INIT_SPECS = [{"name": "init-a", "image": "busybox"}, {"name": "init-b", "image": "busybox"}]
DONE = {"terminated": {"exitCode": 0, "reason": "Completed"}}


@pytest.mark.parametrize(
    ("init_statuses", "expected"),
    [
        (
            [
                init_status("init-a", {"running": {}}),
                init_status("init-b", {"waiting": {"reason": "PodInitializing"}}),
            ],
            "Init:0/2",
        ),
        ([init_status("init-a", DONE), init_status("init-b", {"running": {}})], "Init:1/2"),
        ([init_status("init-a", {"waiting": {"reason": "PodInitializing"}})], "Init:0/2"),
        ([init_status("init-a", {"waiting": {"reason": "CrashLoopBackOff"}})], "Init:CrashLoopBackOff"),
        ([init_status("init-a", {"terminated": {"exitCode": 1, "reason": "Error"}})], "Init:Error"),
        ([init_status("init-a", {"terminated": {"exitCode": 1}})], "Init:ExitCode:1"),
        ([init_status("init-a", {"terminated": {"exitCode": 137, "signal": 9}})], "Init:Signal:9"),
    ],
)
def test_pod_initializing(init_statuses: list[dict[str, Any]], expected: str) -> None:
    waiting = {
        "name": "c0",
        "ready": False,
        "restartCount": 0,
        "state": {"waiting": {"reason": "PodInitializing"}},
    }
    obj = pod(phase="Pending", statuses=[waiting], init_containers=INIT_SPECS, init_statuses=init_statuses)
    assert pod_status_cells(obj) == ["kubia-0", "0/1", expected, "0"]


def test_pod_init_restarts_count_while_initializing() -> None:
    crashing = init_status(
        "init-a",
        {"waiting": {"reason": "CrashLoopBackOff"}},
        restartCount=4,
        lastState={"terminated": {"exitCode": 1, "finishedAt": ago(minutes=2)}},
    )
    obj = pod(phase="Pending", init_containers=INIT_SPECS, init_statuses=[crashing])
    assert pod_status_cells(obj) == ["kubia-0", "0/1", "Init:CrashLoopBackOff", "4 (2m ago)"]


def test_pod_after_initialization_only_sidecar_restarts_count() -> None:
    done = init_status("init-a", DONE, restartCount=2)
    obj = pod(
        init_containers=INIT_SPECS[:1],
        init_statuses=[done],
        statuses=[ready(restarts=1)],
        conditions=[{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
    )
    assert pod_status_cells(obj) == ["kubia-0", "1/1", "Running", "1"]


def test_pod_sidecar_init_containers() -> None:
    specs = [
        {"name": "proxy", "image": "envoy", "restartPolicy": "Always"},
        {"name": "init-b", "image": "busybox"},
    ]
    sidecar = init_status("proxy", {"running": {}}, ready=True, started=True, restartCount=1)
    obj = pod(
        init_containers=specs,
        init_statuses=[sidecar, init_status("init-b", DONE)],
        statuses=[ready()],
        conditions=[{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
    )
    # The sidecar counts as a container, ready and restarts included.
    assert pod_status_cells(obj) == ["kubia-0", "2/2", "Running", "1"]
    not_started = init_status("proxy", {"running": {}}, started=False)
    obj = pod(phase="Pending", init_containers=specs, init_statuses=[not_started])
    assert pod_status_cells(obj) == ["kubia-0", "0/2", "Init:0/2", "0"]


def test_pod_wide_cells() -> None:
    obj = pod(
        statuses=[ready()],
        podIP="10.244.0.12",
        nominatedNodeName="node-2",
        conditions=[{"type": "Ready", "status": "True"}, {"type": "example.com/gate-a", "status": "True"}],
    )
    obj["spec"]["nodeName"] = "node-1"
    obj["spec"]["readinessGates"] = [
        {"conditionType": "example.com/gate-a"},
        {"conditionType": "example.com/gate-b"},
    ]
    assert row_cells("", "pods", obj, NOW)[5:] == ["10.244.0.12", "node-1", "node-2", "1/2"]


def test_pod_ip_falls_back_to_pod_ips() -> None:
    obj = pod(podIPs=[{"ip": "fd00::1"}, {"ip": "10.0.0.1"}])
    assert row_cells("", "pods", obj, NOW)[5] == "fd00::1"


def test_pod_columns() -> None:
    columns = column_definitions("", "pods")
    assert [(c["name"], c["type"], c["format"], c["priority"]) for c in columns] == [
        ("Name", "string", "name", 0),
        ("Ready", "string", "", 0),
        ("Status", "string", "", 0),
        ("Restarts", "string", "", 0),
        ("Age", "string", "", 0),
        ("IP", "string", "", 1),
        ("Node", "string", "", 1),
        ("Nominated Node", "string", "", 1),
        ("Readiness Gates", "string", "", 1),
    ]
    assert columns[0]["description"].startswith("Name must be unique within a namespace.")
    assert columns[4]["description"].startswith("CreationTimestamp is a timestamp")


# ---------------------------------------------------------------------------------------------------------
# Services, Endpoints, EndpointSlices


def service(spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta("kubia"),
        "spec": spec,
        "status": status or {},
    }


def test_service_headless_matches_the_protocol_example() -> None:
    obj = service(
        {
            "type": "ClusterIP",
            "clusterIP": "None",
            "clusterIPs": ["None"],
            "selector": {"app": "kubia"},
            "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}],
        }
    )
    assert row_cells("", "services", obj, NOW - timedelta(seconds=7)) == [
        "kubia", "ClusterIP", "None", "<none>", "80/TCP", "3s", "app=kubia",
    ]  # fmt: skip


def test_service_node_port_and_external_ips() -> None:
    obj = service(
        {
            "type": "NodePort",
            "clusterIP": "10.96.0.20",
            "clusterIPs": ["10.96.0.20"],
            "externalIPs": ["1.2.3.4", "5.6.7.8"],
            "selector": {"tier": "web", "app": "kubia"},
            "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}, {"port": 53, "protocol": "UDP"}],
        }
    )
    assert row_cells("", "services", obj, NOW) == [
        "kubia", "NodePort", "10.96.0.20", "1.2.3.4,5.6.7.8", "80:30080/TCP,53/UDP", "10s",
        "app=kubia,tier=web",
    ]  # fmt: skip


def test_service_load_balancer() -> None:
    spec = {"type": "LoadBalancer", "clusterIPs": ["10.96.0.21"], "ports": [{"port": 443, "protocol": "TCP"}]}
    assert row_cells("", "services", service(spec), NOW)[3] == "<pending>"
    status = {
        "loadBalancer": {"ingress": [{"ip": "9.9.9.9"}, {"hostname": "lb.example.com"}, {"ip": "1.1.1.1"}]}
    }
    assert row_cells("", "services", service(spec, status), NOW)[3] == "1.1.1.1,9.9.9.9,lb.example.com"
    with_external = {**spec, "externalIPs": ["5.5.5.5"]}
    assert (
        row_cells("", "services", service(with_external, status), NOW)[3]
        == "1.1.1.1,9.9.9.9,lb.example.com,5.5.5.5"
    )
    assert row_cells("", "services", service(with_external), NOW)[3] == "5.5.5.5"


def test_service_external_name_and_no_ports() -> None:
    obj = service({"type": "ExternalName", "externalName": "db.example.com"})
    assert row_cells("", "services", obj, NOW) == [
        "kubia", "ExternalName", "<none>", "db.example.com", "<none>", "10s", "<none>",
    ]  # fmt: skip
    assert row_cells("", "services", service({"type": "Weird"}), NOW)[3] == "<unknown>"


def endpoints(subsets: list[dict[str, Any]] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta("kubia")}
    if subsets is not None:
        obj["subsets"] = subsets
    return obj


def addresses(*ips: str) -> list[dict[str, str]]:
    return [{"ip": ip} for ip in ips]


def test_endpoints() -> None:
    obj = endpoints(
        [{"addresses": addresses("10.244.0.13", "10.244.0.14"), "ports": [{"port": 80, "protocol": "TCP"}]}]
    )
    assert row_cells("", "endpoints", obj, NOW) == ["kubia", "10.244.0.13:80,10.244.0.14:80", "10s"]


def test_endpoints_truncation_and_edge_cases() -> None:
    many = endpoints(
        [
            {"addresses": addresses("10.0.0.1", "10.0.0.2"), "ports": [{"port": 80}, {"port": 443}]},
            {"addresses": addresses("10.0.0.3")},
        ]
    )
    assert row_cells("", "endpoints", many, NOW)[1] == "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more..."
    assert row_cells("", "endpoints", endpoints(None), NOW)[1] == "<none>"
    # Headless services may have no ports: bare IPs.
    assert row_cells("", "endpoints", endpoints([{"addresses": addresses("10.0.0.9")}]), NOW)[1] == "10.0.0.9"
    # Only not-ready addresses: an empty cell, not <none>.
    not_ready = endpoints([{"notReadyAddresses": addresses("10.0.0.5"), "ports": [{"port": 80}]}])
    assert row_cells("", "endpoints", not_ready, NOW)[1] == ""
    ipv6 = endpoints([{"addresses": addresses("fd00::5"), "ports": [{"port": 80}]}])
    assert row_cells("", "endpoints", ipv6, NOW)[1] == "[fd00::5]:80"


def endpoint_slice(ports: list[dict[str, Any]], slice_endpoints: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": meta("kubia-abcde"),
        "addressType": "IPv4",
        "ports": ports,
        "endpoints": slice_endpoints,
    }


def test_endpoint_slices() -> None:
    obj = endpoint_slice(
        [{"name": "http", "port": 80, "protocol": "TCP"}],
        [{"addresses": ["10.244.0.13"]}, {"addresses": ["10.244.0.14"]}],
    )
    assert row_cells("discovery.k8s.io", "endpointslices", obj, NOW) == [
        "kubia-abcde", "IPv4", "80", "10.244.0.13,10.244.0.14", "10s",
    ]  # fmt: skip
    # printers_test.go TestPrintEndpointSlice
    obj = endpoint_slice(
        [{"name": "http", "port": 80}, {"name": "https", "port": 443}, {"port": 3000}, {"port": 3001}],
        [
            {"addresses": ["10.1.2.3", "2001:db8::1234:5678"]},
            {"addresses": ["10.2.3.4", "2001:db8::2345:6789"]},
        ],
    )
    assert row_cells("discovery.k8s.io", "endpointslices", obj, NOW)[2:4] == [
        "80,443,3000 + 1 more...",
        "10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...",
    ]
    # A port without a number is named, or all ports; nothing at all is <unset>.
    obj = endpoint_slice([{"name": "dns"}, {}], [])
    assert row_cells("discovery.k8s.io", "endpointslices", obj, NOW)[2:4] == ["dns,*", "<unset>"]


# ---------------------------------------------------------------------------------------------------------
# Nodes and Namespaces


def node(
    conditions: list[dict[str, Any]], *, labels: dict[str, str] | None = None, **spec: Any
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1", "creationTimestamp": ago(days=2, hours=3), "labels": labels or {}},
        "spec": spec,
        "status": {
            "conditions": conditions,
            "addresses": [
                {"type": "Hostname", "address": "node-1"},
                {"type": "InternalIP", "address": "10.0.0.2"},
            ],
            "nodeInfo": {
                "kubeletVersion": "v1.32.0",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "kernelVersion": "6.1.0-18-amd64",
                "containerRuntimeVersion": "petset://0.1.0",
            },
        },
    }


def test_node() -> None:
    obj = node([{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}])
    assert row_cells("", "nodes", obj, NOW) == [
        "node-1", "Ready", "<none>", "2d3h", "v1.32.0",
        "10.0.0.2", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64", "petset://0.1.0",
    ]  # fmt: skip


def test_node_status() -> None:
    assert row_cells("", "nodes", node([{"type": "Ready", "status": "False"}]), NOW)[1] == "NotReady"
    assert row_cells("", "nodes", node([{"type": "Ready", "status": "Unknown"}]), NOW)[1] == "NotReady"
    assert row_cells("", "nodes", node([]), NOW)[1] == "Unknown"
    cordoned = node([{"type": "Ready", "status": "True"}], unschedulable=True)
    assert row_cells("", "nodes", cordoned, NOW)[1] == "Ready,SchedulingDisabled"


def test_node_roles_and_missing_info() -> None:
    labels = {
        "node-role.kubernetes.io/worker": "",
        "node-role.kubernetes.io/control-plane": "",
        "node-role.kubernetes.io/": "",
        "kubernetes.io/role": "edge",
    }
    obj = node([{"type": "Ready", "status": "True"}], labels=labels)
    obj["status"]["nodeInfo"] = {}
    obj["status"]["addresses"] = [{"type": "ExternalIP", "address": "203.0.113.7"}]
    assert row_cells("", "nodes", obj, NOW)[2:] == [
        "control-plane,edge,worker", "2d3h", "",
        "<none>", "203.0.113.7", "<unknown>", "<unknown>", "<unknown>",
    ]  # fmt: skip


def test_namespace() -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "default", "creationTimestamp": ago(days=2)},
        "status": {"phase": "Active"},
    }
    assert row_cells("", "namespaces", obj, NOW) == ["default", "Active", "2d"]
    assert [c["name"] for c in column_definitions("", "namespaces")] == ["Name", "Status", "Age"]


# ---------------------------------------------------------------------------------------------------------
# PersistentVolumes and PersistentVolumeClaims


def claim(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta("data-kubia-0", labels={"app": "kubia"}),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Mi"}},
            "volumeMode": "Filesystem",
            **spec,
        },
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Mi"}},
    }


def volume(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "pv-a", "creationTimestamp": CREATED},
        "spec": {
            "capacity": {"storage": "1Mi"},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Recycle",
            "volumeMode": "Filesystem",
            "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data-kubia-0"},
            **spec,
        },
        "status": {"phase": "Bound"},
    }


def test_persistent_volume_claim() -> None:
    # KUBECTL-PROTOCOL.md 5.2 shows "<unset>" in the StorageClass cell; upstream v1.32 prints
    # helper.GetPersistentVolumeClaimClass, which is "" for a claim without a class.
    assert row_cells("", "persistentvolumeclaims", claim(volumeName="pv-a"), NOW) == [
        "data-kubia-0", "Bound", "pv-a", "1Mi", "RWO", "", "<unset>", "10s", "Filesystem",
    ]  # fmt: skip


def test_persistent_volume_claim_with_class_and_attributes_class() -> None:
    obj = claim(volumeName="pv-a", storageClassName="standard", volumeAttributesClassName="gold")
    assert row_cells("", "persistentvolumeclaims", obj, NOW)[5:7] == ["standard", "gold"]
    obj["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": "legacy"}
    assert row_cells("", "persistentvolumeclaims", obj, NOW)[5] == "legacy"


def test_persistent_volume_claim_unbound_and_terminating() -> None:
    obj = claim()
    obj["status"] = {"phase": "Pending"}
    del obj["spec"]["volumeMode"]
    assert row_cells("", "persistentvolumeclaims", obj, NOW) == [
        "data-kubia-0", "Pending", "", "", "", "", "<unset>", "10s", "<unset>",
    ]  # fmt: skip
    obj = claim(volumeName="pv-a")
    obj["metadata"]["deletionTimestamp"] = CREATED
    assert row_cells("", "persistentvolumeclaims", obj, NOW)[1] == "Terminating"
    # Bound to a volume but no capacity reported yet: a zero quantity.
    obj = claim(volumeName="pv-a")
    obj["status"] = {"phase": "Bound"}
    assert row_cells("", "persistentvolumeclaims", obj, NOW)[3:5] == ["0", ""]


def test_persistent_volume_matches_the_protocol_example() -> None:
    assert row_cells("", "persistentvolumes", volume(), NOW) == [
        "pv-a", "1Mi", "RWO", "Recycle", "Bound", "default/data-kubia-0", "", "<unset>", "", "10s",
        "Filesystem",
    ]  # fmt: skip


def test_persistent_volume_variants() -> None:
    obj = volume(
        accessModes=["ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOnce", "ReadWriteOnce"],
        storageClassName="local",
        volumeAttributesClassName="",
    )
    del obj["spec"]["claimRef"]
    del obj["spec"]["volumeMode"]
    obj["status"] = {"phase": "Failed", "reason": "RecyclerFailed"}
    assert row_cells("", "persistentvolumes", obj, NOW) == [
        "pv-a", "1Mi", "RWO,ROX,RWX,RWOP", "Recycle", "Failed", "", "local", "", "RecyclerFailed", "10s",
        "<unset>",
    ]  # fmt: skip
    obj["metadata"]["deletionTimestamp"] = CREATED
    obj["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": "legacy"}
    assert row_cells("", "persistentvolumes", obj, NOW)[4:7] == ["Terminating", "", "legacy"]


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("1Mi", "1Mi"),
        ("1024Mi", "1Gi"),
        ("1536Mi", "1536Mi"),
        ("8Gi", "8Gi"),
        ("0.5Gi", "512Mi"),
        ("1.5Gi", "1536Mi"),
        ("512", "512"),
        ("1000M", "1G"),
        ("1.5G", "1500M"),
        ("100m", "100m"),
        ("0.1", "100m"),
        ("1.0000000001", "1000000001n"),
        ("1e3", "1e3"),
        ("12e2", "1200"),
        ("10Ki", "10Ki"),
        ("0", "0"),
        ("0Gi", "0"),
        ("01Mi", "01Mi"),
        (2048, "2048"),
        (None, "0"),
        ("bogus", "bogus"),
    ],
)
def test_capacity_prints_as_a_canonical_quantity(quantity: Any, expected: str) -> None:
    obj = volume(capacity={} if quantity is None else {"storage": quantity})
    assert row_cells("", "persistentvolumes", obj, NOW)[1] == expected


# ---------------------------------------------------------------------------------------------------------
# ConfigMaps, Secrets, ServiceAccounts


def test_config_map_secret_and_service_account() -> None:
    config_map = {
        "kind": "ConfigMap",
        "metadata": meta("kubia-config"),
        "data": {"a": "1", "b": "2"},
        "binaryData": {"c": "AA=="},
    }
    assert row_cells("", "configmaps", config_map, NOW) == ["kubia-config", 3, "10s"]
    assert row_cells("", "configmaps", {"metadata": meta("empty")}, NOW) == ["empty", 0, "10s"]
    secret = {
        "kind": "Secret",
        "metadata": meta("creds"),
        "type": "Opaque",
        "data": {"user": "YQ==", "pw": "Yg=="},
    }
    assert row_cells("", "secrets", secret, NOW) == ["creds", "Opaque", 2, "10s"]
    account = {"kind": "ServiceAccount", "metadata": meta("default"), "secrets": [{"name": "default-token"}]}
    assert row_cells("", "serviceaccounts", account, NOW) == ["default", 1, "10s"]
    assert [c["name"] for c in column_definitions("", "secrets")] == ["Name", "Type", "Data", "Age"]


# ---------------------------------------------------------------------------------------------------------
# Events


def core_event(**fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": meta("kubia-0.17f2a"),
        "involvedObject": {
            "kind": "Pod",
            "namespace": "default",
            "name": "kubia-0",
            "fieldPath": "spec.containers{kubia}",
        },
        "reason": "Started",
        "message": "Started container kubia\n",
        "source": {"component": "kubelet", "host": "node-1"},
        "type": "Normal",
        **fields,
    }


def test_event() -> None:
    obj = core_event(firstTimestamp=ago(minutes=3), lastTimestamp=ago(seconds=30), count=2)
    assert row_cells("", "events", obj, NOW) == [
        "30s", "Normal", "Started", "pod/kubia-0", "spec.containers{kubia}", "kubelet, node-1",
        "Started container kubia", "3m", 2, "kubia-0.17f2a",
    ]  # fmt: skip


def test_event_columns() -> None:
    columns = column_definitions("", "events")
    assert [(c["name"], c["format"], c["priority"]) for c in columns] == [
        ("Last Seen", "", 0),
        ("Type", "", 0),
        ("Reason", "", 0),
        ("Object", "", 0),
        ("Subobject", "", 1),
        ("Source", "", 1),
        ("Message", "", 0),
        ("First Seen", "", 1),
        ("Count", "", 1),
        ("Name", "name", 1),
    ]
    assert column_definitions("events.k8s.io", "events") == columns


def test_event_time_fallbacks() -> None:
    # New-API events: eventTime for both times, count 1, reporting controller/instance as the source.
    obj = core_event(
        eventTime="2026-11-28T15:44:31.000000Z",
        reportingComponent="petset-controller",
        reportingInstance="host-1",
        source={},
    )
    assert row_cells("", "events", obj, NOW)[:9] == [
        "60s", "Normal", "Started", "pod/kubia-0", "spec.containers{kubia}", "petset-controller, host-1",
        "Started container kubia", "60s", 1,
    ]  # fmt: skip
    # No last timestamp: first seen stands in.
    obj = core_event(firstTimestamp=ago(minutes=3), count=1, source={"component": "kubelet"})
    assert row_cells("", "events", obj, NOW)[0] == "3m"
    assert row_cells("", "events", obj, NOW)[5] == "kubelet"
    # A series gives the last time and the count.
    obj = core_event(
        eventTime=ago(hours=1),
        series={"count": 7, "lastObservedTime": "2026-11-28T15:45:01.500000Z"},
        count=1,
    )
    cells = row_cells("", "events", obj, NOW)
    assert (cells[0], cells[7], cells[8]) == ("29s", "60m", 7)
    # No time at all.
    assert row_cells("", "events", core_event(), NOW)[0] == "<unknown>"
    assert row_cells("", "events", core_event(), NOW)[7] == "<unknown>"


def test_event_object_without_a_name() -> None:
    obj = core_event(involvedObject={"kind": "Node"}, firstTimestamp=CREATED)
    assert row_cells("", "events", obj, NOW)[3:5] == ["node", ""]


def test_events_k8s_io_event() -> None:
    obj = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": meta("kubia-0.17f2b"),
        "eventTime": "2026-11-28T15:45:11.000000Z",
        "reportingController": "statefulset-controller",
        "reportingInstance": "",
        "action": "Create",
        "reason": "SuccessfulCreate",
        "regarding": {
            "kind": "StatefulSet",
            "namespace": "default",
            "name": "kubia",
            "apiVersion": "apps/v1",
        },
        "note": "create Pod kubia-1 in StatefulSet kubia successful",
        "type": "Normal",
        "deprecatedSource": {"component": ""},
        "deprecatedCount": 0,
    }
    assert row_cells("events.k8s.io", "events", obj, NOW) == [
        "20s", "Normal", "SuccessfulCreate", "statefulset/kubia", "", "statefulset-controller",
        "create Pod kubia-1 in StatefulSet kubia successful", "20s", 1, "kubia-0.17f2b",
    ]  # fmt: skip
    # The same printer reads a core-shaped object as it is.
    assert row_cells("events.k8s.io", "events", core_event(firstTimestamp=CREATED), NOW)[3] == "pod/kubia-0"


# ---------------------------------------------------------------------------------------------------------
# StatefulSets, ControllerRevisions, PodDisruptionBudgets, Leases, StorageClasses


def test_stateful_set() -> None:
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta("kubia"),
        "spec": {
            "replicas": 2,
            "serviceName": "kubia",
            "template": {
                "spec": {
                    "containers": [
                        {"name": "kubia", "image": "luksa/kubia-pet"},
                        {"name": "sidecar", "image": "busybox"},
                    ]
                }
            },
        },
        "status": {"replicas": 2, "readyReplicas": 2},
    }
    assert row_cells("apps", "statefulsets", obj, NOW - timedelta(seconds=1)) == [
        "kubia", "2/2", "9s", "kubia,sidecar", "luksa/kubia-pet,busybox",
    ]  # fmt: skip
    del obj["status"]["readyReplicas"]
    assert row_cells("apps", "statefulsets", obj, NOW)[1] == "0/2"
    assert [(c["name"], c["priority"]) for c in column_definitions("apps", "statefulsets")] == [
        ("Name", 0), ("Ready", 0), ("Age", 0), ("Containers", 1), ("Images", 1),
    ]  # fmt: skip


def revision(owners: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": meta("kubia-6f4b8d9c7", ownerReferences=owners),
        "revision": 1,
        "data": {},
    }


def test_controller_revision() -> None:
    owner = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "kubia", "uid": "u", "controller": True}
    assert row_cells("apps", "controllerrevisions", revision([owner]), NOW) == [
        "kubia-6f4b8d9c7", "statefulset.apps/kubia", 1, "10s",
    ]  # fmt: skip
    not_controller = {**owner, "controller": False}
    assert row_cells("apps", "controllerrevisions", revision([not_controller]), NOW)[1] == "<none>"
    core_owner = {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u", "controller": True}
    assert row_cells("apps", "controllerrevisions", revision([not_controller, core_owner]), NOW)[1] == "pod/p"
    bare = {"apiVersion": "", "kind": "", "name": "p", "uid": "u", "controller": True}
    assert row_cells("apps", "controllerrevisions", revision([bare]), NOW)[1] == "p"
    broken = {**owner, "apiVersion": "a/b/c"}
    with pytest.raises(ValueError, match="unexpected GroupVersion string: a/b/c"):
        row_cells("apps", "controllerrevisions", revision([broken]), NOW)


def test_pod_disruption_budget() -> None:
    obj = {
        "kind": "PodDisruptionBudget",
        "metadata": meta("kubia-pdb"),
        "spec": {"minAvailable": 2},
        "status": {"disruptionsAllowed": 1},
    }
    assert row_cells("policy", "poddisruptionbudgets", obj, NOW) == ["kubia-pdb", "2", "N/A", 1, "10s"]
    obj["spec"] = {"maxUnavailable": "50%"}
    assert row_cells("policy", "poddisruptionbudgets", obj, NOW)[1:3] == ["N/A", "50%"]
    assert column_definitions("policy", "poddisruptionbudgets")[3]["type"] == "integer"


def test_lease() -> None:
    lease = {
        "kind": "Lease",
        "metadata": meta("node-1"),
        "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40},
    }
    assert row_cells("coordination.k8s.io", "leases", lease, NOW) == ["node-1", "node-1", "10s"]
    assert row_cells("coordination.k8s.io", "leases", {"metadata": meta("free"), "spec": {}}, NOW)[1] == ""


def test_storage_class() -> None:
    obj: dict[str, Any] = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": "local",
            "creationTimestamp": CREATED,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "petset.io/local-directory",
    }
    assert row_cells("storage.k8s.io", "storageclasses", obj, NOW) == [
        "local (default)", "petset.io/local-directory", "Delete", "Immediate", False, "10s",
    ]  # fmt: skip
    obj["metadata"]["annotations"] = {"storageclass.beta.kubernetes.io/is-default-class": "false"}
    obj.update(reclaimPolicy="Retain", volumeBindingMode="WaitForFirstConsumer", allowVolumeExpansion=True)
    assert row_cells("storage.k8s.io", "storageclasses", obj, NOW) == [
        "local", "petset.io/local-directory", "Retain", "WaitForFirstConsumer", True, "10s",
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------------------
# The default convertor


def test_fallback_for_resources_without_a_printer() -> None:
    columns = column_definitions("example.com", "widgets")
    assert [(c["name"], c["type"], c["format"]) for c in columns] == [
        ("Name", "string", "name"),
        ("Created At", "date", ""),
    ]
    obj = {"metadata": {"name": "w", "creationTimestamp": "2026-11-28T16:45:21+01:00"}}
    assert row_cells("example.com", "widgets", obj, NOW) == ["w", "2026-11-28T15:45:21Z"]
    assert row_cells("apps", "deployments", {"metadata": {"name": "d"}}, NOW) == ["d", "0001-01-01T00:00:00Z"]


def test_every_column_has_every_key() -> None:
    for group, resource in [*printers._PRINTERS, ("example.com", "widgets")]:
        for column in column_definitions(group, resource):
            assert set(column) == {"name", "type", "format", "description", "priority"}
            assert column["description"]
        cells = row_cells(group, resource, {"metadata": {"name": "x"}}, NOW)
        assert len(cells) == len(column_definitions(group, resource)), (group, resource)


def test_column_definitions_are_fresh_copies() -> None:
    column_definitions("", "pods")[0]["name"] = "Mutated"
    assert column_definitions("", "pods")[0]["name"] == "Name"


# ---------------------------------------------------------------------------------------------------------
# Tables


def test_table_with_partial_object_metadata() -> None:
    obj = pod(statuses=[ready()], conditions=[{"type": "Ready", "status": "True"}], podIP="10.244.0.11")
    result = table("", "pods", [obj], now=NOW, resource_version="1056")
    assert list(result) == ["kind", "apiVersion", "metadata", "columnDefinitions", "rows"]
    assert result["kind"] == "Table"
    assert result["apiVersion"] == "meta.k8s.io/v1"
    assert result["metadata"] == {"resourceVersion": "1056"}
    assert result["columnDefinitions"] == column_definitions("", "pods")
    assert result["rows"] == [
        {
            "cells": ["kubia-0", "1/1", "Running", "0", "10s", "10.244.0.11", "<none>", "<none>", "<none>"],
            "object": {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj["metadata"],
            },
        }
    ]


def test_table_include_object_variants() -> None:
    obj = pod()
    assert table("", "pods", [obj], now=NOW, include_object="Object")["rows"][0]["object"] is obj
    assert "object" not in table("", "pods", [obj], now=NOW, include_object="None")["rows"][0]
    with pytest.raises(ValueError, match='unrecognized includeObject value: "Everything"'):
        table("", "pods", [obj], now=NOW, include_object="Everything")


def test_table_for_watch_events_and_pages() -> None:
    result = table("apps", "statefulsets", [], now=NOW, with_columns=False)
    assert result["columnDefinitions"] is None
    assert result["rows"] == []
    assert result["metadata"] == {}
    result = table(
        "", "pods", [], now=NOW, resource_version="7", continue_token="abc", remaining_item_count=3
    )
    assert result["metadata"] == {"resourceVersion": "7", "continue": "abc", "remainingItemCount": 3}


def test_table_marks_finished_pods_completed() -> None:
    rows = table("", "pods", [pod(phase="Succeeded"), pod(phase="Failed"), pod()], now=NOW)["rows"]
    assert rows[0]["conditions"] == [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ]
    assert rows[1]["conditions"] == [
        {"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}
    ]
    assert "conditions" not in rows[2]
    assert list(rows[0]) == ["cells", "conditions", "object"]


def test_table_for_an_unknown_resource() -> None:
    obj = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "creationTimestamp": CREATED},
    }
    result = table("example.com", "widgets", [obj], now=NOW)
    assert [c["name"] for c in result["columnDefinitions"]] == ["Name", "Created At"]
    assert result["rows"][0]["cells"] == ["w", CREATED]
