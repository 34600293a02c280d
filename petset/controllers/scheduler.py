"""The scheduler: binds each pending pod to a Ready, schedulable node that fits it.

Filters, in kube-scheduler's words: NodeName, NodeUnschedulable, TaintToleration (NoSchedule and
NoExecute), NodeAffinity (nodeSelector and required node affinity), InterPodAffinity (required pod
anti-affinity on kubernetes.io/hostname), VolumeBinding (a bound volume's node affinity; an unbound
WaitForFirstConsumer claim gets the chosen node as volume.kubernetes.io/selected-node) and
NodeResourcesFit (cpu, memory and pod count). Among the nodes left, the one with the fewest pods wins.
A pod that fits nowhere gets PodScheduled=False (Unschedulable) and a FailedScheduling event with
the message kube-scheduler would print, and is tried again whenever nodes or pods change.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from petset.api import labels
from petset.api.errors import StatusError
from petset.api.quantity import parse_quantity
from petset.client.events import EventRecorder
from petset.client.informer import InformerFactory, key_of
from petset.client.interface import Client, resource
from petset.controllers.runner import QueueRunner

__all__ = ["Scheduler", "node_fits"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)
SCHEDULER_NAME = "default-scheduler"




PODS, NODES = resource("v1", "pods"), resource("v1", "nodes")
PVCS, PVS, CLASSES = resource("v1", "persistentvolumeclaims"), resource("v1", "persistentvolumes"), resource(
    "storage.k8s.io/v1", "storageclasses")


def _ready(node: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


def _tolerates(tolerations: list[Obj], taint: Obj) -> bool:
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t.get("key") == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and t.get("value", "") == taint.get("value", ""):
            return True
    return False


def _match_expression(node_labels: dict[str, str], expr: Obj) -> bool:
    key, op, values = expr.get("key", ""), expr.get("operator"), expr.get("values") or []
    present = key in node_labels
    if op == "In":
        return present and node_labels[key] in values
    if op == "NotIn":
        return not present or node_labels[key] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and values:
        try:
            have, want = int(node_labels[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def _node_selector_terms_match(node: Obj, terms: list[Obj]) -> bool:
    node_labels = node["metadata"].get("labels") or {}
    fields = {"metadata.name": node["metadata"]["name"]}
    for term in terms:
        exprs = term.get("matchExpressions") or []
        field_exprs = term.get("matchFields") or []
        if not exprs and not field_exprs:
            continue
        if all(_match_expression(node_labels, e) for e in exprs) and all(
                _match_expression(fields, e) for e in field_exprs):
            return True
    return False


def _requests(pod: Obj) -> tuple[float, float]:
    cpu = memory = 0.0
    for c in (pod.get("spec") or {}).get("containers") or []:
        requests = (c.get("resources") or {}).get("requests") or {}
        if "cpu" in requests:
            cpu += float(parse_quantity(requests["cpu"]))
        if "memory" in requests:
            memory += float(parse_quantity(requests["memory"]))
    return cpu, memory


def node_fits(pod: Obj, node: Obj, node_pods: list[Obj], *, volume_nodes: list[list[Obj]]) -> str | None:
    """None when ``pod`` may go to ``node``, else the reason kube-scheduler gives (per-node text)."""
    spec = pod.get("spec") or {}
    node_spec = node.get("spec") or {}
    if not _ready(node):
        return "node(s) were not ready"
    if node_spec.get("unschedulable") and not _tolerates(spec.get("tolerations") or [],
                                                         {"key": "node.kubernetes.io/unschedulable",
                                                          "effect": "NoSchedule"}):
        return "node(s) were unschedulable"
    for taint in node_spec.get("taints") or []:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not _tolerates(spec.get("tolerations") or [], taint):
            return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value', '')}}}"
    node_labels = node["metadata"].get("labels") or {}
    for key, value in (spec.get("nodeSelector") or {}).items():
        if node_labels.get(key) != value:
            return "node(s) didn't match Pod's node affinity/selector"
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    if required.get("nodeSelectorTerms") and not _node_selector_terms_match(node, required["nodeSelectorTerms"]):
        return "node(s) didn't match Pod's node affinity/selector"
    anti = (((spec.get("affinity") or {}).get("podAntiAffinity") or {})
            .get("requiredDuringSchedulingIgnoredDuringExecution") or [])
    namespace = pod["metadata"].get("namespace")
    for term in anti:
        if term.get("topologyKey") != "kubernetes.io/hostname":
            continue
        selector = labels.from_label_selector(term.get("labelSelector"))
        namespaces = term.get("namespaces") or [namespace]
        if any(selector.matches(p["metadata"].get("labels")) and p["metadata"].get("namespace") in namespaces
               for p in node_pods):
            return "node(s) didn't match pod anti-affinity rules"
    for terms in volume_nodes:
        if terms and not _node_selector_terms_match(node, terms):
            return "node(s) had volume node affinity conflict"
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    if len(node_pods) + 1 > int(parse_quantity(allocatable.get("pods", "110"))):
        return "Too many pods"
    cpu, memory = _requests(pod)
    used_cpu = sum(_requests(p)[0] for p in node_pods)
    used_memory = sum(_requests(p)[1] for p in node_pods)
    if cpu and used_cpu + cpu > float(parse_quantity(allocatable.get("cpu", "0"))):
        return "Insufficient cpu"
    if memory and used_memory + memory > float(parse_quantity(allocatable.get("memory", "0"))):
        return "Insufficient memory"
    return None


class Scheduler:
    def __init__(self, client: Client, informers: InformerFactory, *, workers: int = 2) -> None:
        self.client = client
        self.recorder = EventRecorder(client, SCHEDULER_NAME)
        self.pods = informers.get(PODS)
        self.nodes = informers.get(NODES)
        self.claims = informers.get(PVCS)
        self.volumes = informers.get(PVS)
        self.classes = informers.get(CLASSES)
        self.runner = QueueRunner("scheduler", self._schedule, workers=workers)
        #: Pods bound by this scheduler whose binding the cache has not shown yet.
        self._assumed: dict[str, str] = {}
        self.pods.add_handlers(on_add=self._pod_changed, on_update=lambda _, new: self._pod_changed(new),
                               on_delete=self._pod_gone)
        self.nodes.add_handlers(on_add=lambda _: self._retry_pending(), on_update=lambda _a, _b: self._retry_pending())

    def start(self) -> None:
        self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()
        await self.recorder.stop()

    def _wants(self, pod: Obj) -> bool:
        spec = pod.get("spec") or {}
        return (not spec.get("nodeName") and spec.get("schedulerName", SCHEDULER_NAME) == SCHEDULER_NAME
                and not pod["metadata"].get("deletionTimestamp")
                and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"))

    def _pod_changed(self, pod: Obj) -> None:
        if self._wants(pod):
            self.runner.queue.add(key_of(pod))
        else:
            self._assumed.pop(key_of(pod), None)

    def _pod_gone(self, pod: Obj) -> None:
        self._assumed.pop(key_of(pod), None)
        self._retry_pending()

    def _retry_pending(self) -> None:
        for pod in self.pods.list():
            if self._wants(pod):
                self.runner.queue.add(key_of(pod))

    def _volume_nodes(self, pod: Obj) -> tuple[list[list[Obj]], list[Obj]]:
        """Node affinity terms of the pod's bound volumes, and its unbound WaitForFirstConsumer claims."""
        namespace = pod["metadata"].get("namespace")
        terms: list[list[Obj]] = []
        waiting: list[Obj] = []
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            ref = volume.get("persistentVolumeClaim")
            if not ref:
                continue
            claim = self.claims.get(namespace, ref.get("claimName", ""))
            if claim is None:
                continue
            volume_name = (claim.get("spec") or {}).get("volumeName")
            if volume_name:
                pv = self.volumes.get(None, volume_name)
                required = (((pv or {}).get("spec") or {}).get("nodeAffinity") or {}).get("required") or {}
                terms.append(required.get("nodeSelectorTerms") or [])
            else:
                sc = self.classes.get(None, (claim.get("spec") or {}).get("storageClassName") or "")
                if sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer":
                    waiting.append(claim)
        return terms, waiting

    async def _schedule(self, key: str) -> None:
        namespace, _, name = key.rpartition("/")
        pod = self.pods.get(namespace or None, name)
        if pod is None or not self._wants(pod) or key in self._assumed:
            return
        load: Counter[str] = Counter()
        by_node: dict[str, list[Obj]] = {}
        for other in self.pods.list():
            node = (other.get("spec") or {}).get("nodeName") or self._assumed.get(key_of(other))
            if node and (other.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
                load[node] += 1
                by_node.setdefault(node, []).append(other)
        terms, waiting = self._volume_nodes(pod)
        reasons: Counter[str] = Counter()
        candidates = []
        nodes = sorted(self.nodes.list(), key=lambda n: n["metadata"]["name"])
        for node in nodes:
            why = node_fits(pod, node, by_node.get(node["metadata"]["name"], []), volume_nodes=terms)
            if why is None:
                candidates.append(node["metadata"]["name"])
            else:
                reasons[why] += 1
        if not candidates:
            await self._unschedulable(pod, len(nodes), reasons)
            return
        chosen = min(candidates, key=lambda n: (load[n], n))
        for claim in waiting:
            if (claim["metadata"].get("annotations") or {}).get("volume.kubernetes.io/selected-node") != chosen:
                await self.client.patch(PVCS, namespace, claim["metadata"]["name"], {"metadata": {"annotations": {
                    "volume.kubernetes.io/selected-node": chosen}}}, patch_type="merge")
        self._assumed[key] = chosen
        try:
            await self.client.create(PODS, namespace, {"apiVersion": "v1", "kind": "Binding",
                                                       "metadata": {"name": name, "namespace": namespace},
                                                       "target": {"apiVersion": "v1", "kind": "Node", "name": chosen}},
                                     subresource="binding", name=name)
        except StatusError as exc:
            self._assumed.pop(key, None)
            if exc.code in (404, 409):
                return
            raise
        self.recorder.event(pod, "Normal", "Scheduled", f"Successfully assigned {namespace}/{name} to {chosen}")

    async def _unschedulable(self, pod: Obj, total: int, reasons: Counter[str]) -> None:
        parts = ", ".join(f"{count} {why}" for why, count in sorted(reasons.items()))
        message = f"0/{total} nodes are available: {parts}." if total else "no nodes available to schedule pods"
        if total:
            message += f" preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
        conditions = (pod.get("status") or {}).get("conditions") or []
        current = next((c for c in conditions if c.get("type") == "PodScheduled"), None)
        if current is not None and current.get("status") == "False" and current.get("message") == message:
            return  # already said; the next node or pod change retries
        scheduled = {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                     "lastTransitionTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": "Unschedulable", "message": message}
        others = [c for c in conditions if c.get("type") != "PodScheduled"]
        meta = pod["metadata"]
        try:
            await self.client.patch(PODS, meta.get("namespace"), meta["name"],
                                    {"status": {"conditions": [*others, scheduled]}}, patch_type="merge",
                                    subresource="status")
        except StatusError as exc:
            if exc.code != 404:
                raise
        self.recorder.event(pod, "Warning", "FailedScheduling", message)
