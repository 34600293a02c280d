"""The scheduler's filters (node_fits): one rule per test, on plain objects."""

from __future__ import annotations

from typing import Any

from petset.controllers.scheduler import node_fits


def _node(name: str = "node-1", *, ready: bool = True, labels: dict | None = None, taints: list | None = None,
          unschedulable: bool = False, pods: str = "110", cpu: str = "2", memory: str = "4Gi") -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": {"taints": taints or [], "unschedulable": unschedulable},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                       "allocatable": {"pods": pods, "cpu": cpu, "memory": memory}}}


def _pod(name: str = "p", labels: dict | None = None, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "default", "labels": labels or {}},
            "spec": {"containers": [{"name": "c", "image": "x"}], **spec}}


def test_a_ready_node_fits_and_a_not_ready_one_does_not() -> None:
    assert node_fits(_pod(), _node(), [], volume_nodes=[]) is None
    assert node_fits(_pod(), _node(ready=False), [], volume_nodes=[]) == "node(s) were not ready"


def test_cordoned_nodes_are_skipped() -> None:
    assert node_fits(_pod(), _node(unschedulable=True), [], volume_nodes=[]) == "node(s) were unschedulable"


def test_taints_need_tolerations() -> None:
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    assert node_fits(_pod(), _node(taints=[taint]), [], volume_nodes=[]) == \
        "node(s) had untolerated taint {dedicated: db}"
    tolerated = _pod(tolerations=[{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}])
    assert node_fits(tolerated, _node(taints=[taint]), [], volume_nodes=[]) is None
    anything = _pod(tolerations=[{"operator": "Exists"}])
    assert node_fits(anything, _node(taints=[taint]), [], volume_nodes=[]) is None
    prefer = {"key": "x", "effect": "PreferNoSchedule"}
    assert node_fits(_pod(), _node(taints=[prefer]), [], volume_nodes=[]) is None


def test_node_selector_and_required_node_affinity() -> None:
    assert node_fits(_pod(nodeSelector={"disk": "ssd"}), _node(), [], volume_nodes=[]) == \
        "node(s) didn't match Pod's node affinity/selector"
    assert node_fits(_pod(nodeSelector={"disk": "ssd"}), _node(labels={"disk": "ssd"}), [], volume_nodes=[]) is None
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]}}}
    assert node_fits(_pod(affinity=affinity), _node(labels={"zone": "c"}), [], volume_nodes=[]) is not None
    assert node_fits(_pod(affinity=affinity), _node(labels={"zone": "b"}), [], volume_nodes=[]) is None


def test_required_pod_anti_affinity_on_hostname() -> None:
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "zk"}}, "topologyKey": "kubernetes.io/hostname"}]}}
    pod = _pod("zk-1", {"app": "zk"}, affinity=anti)
    running = [_pod("zk-0", {"app": "zk"}, nodeName="node-1")]
    assert node_fits(pod, _node(), running, volume_nodes=[]) == "node(s) didn't match pod anti-affinity rules"
    assert node_fits(pod, _node(), [_pod("other", {"app": "web"})], volume_nodes=[]) is None


def test_a_bound_volume_pins_the_pod_to_its_nodes() -> None:
    terms = [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-2"]}]}]
    assert node_fits(_pod(), _node("node-1"), [], volume_nodes=[terms]) == "node(s) had volume node affinity conflict"
    assert node_fits(_pod(), _node("node-2"), [], volume_nodes=[terms]) is None


def test_pod_count_and_requests_must_fit() -> None:
    assert node_fits(_pod(), _node(pods="1"), [_pod("other")], volume_nodes=[]) == "Too many pods"
    big = _pod(containers=[{"name": "c", "image": "x", "resources": {"requests": {"cpu": "3"}}}])
    assert node_fits(big, _node(cpu="2"), [], volume_nodes=[]) == "Insufficient cpu"
    hungry = _pod(containers=[{"name": "c", "image": "x", "resources": {"requests": {"memory": "3Gi"}}}])
    used = [_pod("o", containers=[{"name": "c", "image": "x", "resources": {"requests": {"memory": "2Gi"}}}])]
    assert node_fits(hungry, _node(memory="4Gi"), used, volume_nodes=[]) == "Insufficient memory"
    assert node_fits(hungry, _node(memory="8Gi"), used, volume_nodes=[]) is None
