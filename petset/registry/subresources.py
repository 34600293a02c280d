"""Subresources with their own shapes: statefulsets/scale, pods/binding and pods/eviction."""

from __future__ import annotations

import math
from typing import Any

from petset.api import errors, labels
from petset.api.resources import ResourceType
from petset.registry.options import DeleteOptions, ListOptions, WriteOptions
from petset.registry.rest import ResourceStore, now_rfc3339

__all__ = ["bind_pod", "evict_pod", "get_scale", "update_scale"]

Obj = dict[str, Any]


def _scale_of(obj: Obj) -> Obj:
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                     if k in meta},
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                   "selector": labels.format_label_selector((obj.get("spec") or {}).get("selector")).replace(
                       "<none>", "")},
    }


async def get_scale(store: ResourceStore, rt: ResourceType, namespace: str, name: str) -> Obj:
    return _scale_of(await store.get(rt, namespace, name))


async def update_scale(store: ResourceStore, rt: ResourceType, namespace: str, name: str, mutate: Any,
                       opts: WriteOptions) -> Obj:
    """Apply ``mutate(scale) -> scale`` and write the new replica count to the parent's spec."""

    def change(current: Obj | None) -> Obj:
        assert current is not None
        scale = mutate(_scale_of(current))
        if not isinstance(scale, dict):
            raise errors.bad_request("the body of the request must be a Scale")
        replicas = (scale.get("spec") or {}).get("replicas", 0)
        if not isinstance(replicas, int) or isinstance(replicas, bool):
            raise errors.bad_request('Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
                                     f"{type(replicas).__name__} into Go struct field ScaleSpec.spec.replicas of "
                                     "type int32")
        if replicas < 0:
            raise errors.invalid("Scale", "autoscaling", name, [errors.invalid_value(
                "spec.replicas", replicas, "must be greater than or equal to 0")])
        scale_rv = (scale.get("metadata") or {}).get("resourceVersion")
        if scale_rv and scale_rv != current["metadata"]["resourceVersion"]:
            raise errors.optimistic_lock_conflict(rt.plural, rt.group, name)
        current.setdefault("spec", {})["replicas"] = replicas
        return current

    updated, _ = await store.update_with(rt, namespace, name, change, opts)
    return _scale_of(updated)


async def bind_pod(pods: ResourceStore, rt: ResourceType, namespace: str, name: str, binding: Obj,
                   opts: WriteOptions) -> Obj:
    """pods/binding: the scheduler's one write, setting spec.nodeName exactly once."""
    target = (binding.get("target") or {}).get("name")
    if not target:
        raise errors.invalid("Binding", "", name, [errors.required("target.name")])

    def change(pod: Obj | None) -> Obj:
        assert pod is not None
        spec = pod.setdefault("spec", {})
        if pod["metadata"].get("deletionTimestamp"):
            raise errors.conflict(rt.plural, rt.group, name, f"pod {name} is being deleted, cannot be assigned to a "
                                  "host")
        if spec.get("nodeName"):
            raise errors.conflict(rt.plural, rt.group, name,
                                  f"pod {name} is already assigned to node \"{spec['nodeName']}\"")
        spec["nodeName"] = target
        status = pod.setdefault("status", {})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        conditions.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                           "lastTransitionTime": now_rfc3339()})
        status["conditions"] = conditions
        return pod

    # Binding changes spec.nodeName, which a pod update may not; it writes through the status path's
    # sibling: a direct update with the pod strategy's checks relaxed, as upstream's BindingREST does.
    await pods.update_with(rt, namespace, name, change, opts, subresource="binding")
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def _disruptions_allowed(pdb: Obj, pods: list[Obj]) -> int:
    spec = pdb.get("spec") or {}
    healthy = sum(1 for p in pods if any(c.get("type") == "Ready" and c.get("status") == "True"
                                         for c in (p.get("status") or {}).get("conditions") or []))
    expected = len(pods)

    def amount(value: Any) -> int:
        if isinstance(value, str) and value.endswith("%"):
            return math.ceil(expected * int(value[:-1]) / 100)
        return int(value)

    if "minAvailable" in spec:
        desired = amount(spec["minAvailable"])
    elif "maxUnavailable" in spec:
        desired = expected - amount(spec["maxUnavailable"])
    else:
        desired = expected
    return healthy - desired


async def evict_pod(pods: ResourceStore, pdbs: ResourceStore, rt: ResourceType, pdb_rt: ResourceType, namespace: str,
                    name: str, eviction: Obj) -> Obj:
    """pods/eviction: delete the pod unless a PodDisruptionBudget forbids the disruption."""
    pod = await pods.get(rt, namespace, name)
    pod_labels = pod["metadata"].get("labels") or {}
    listed = await pdbs.list(pdb_rt, namespace, ListOptions())
    namespace_pods = (await pods.list(rt, namespace, ListOptions()))["items"]
    for pdb in listed["items"]:
        selector = labels.from_label_selector((pdb.get("spec") or {}).get("selector"))
        if not selector.matches(pod_labels):
            continue
        covered = [p for p in namespace_pods if selector.matches(p["metadata"].get("labels"))]
        if _disruptions_allowed(pdb, covered) <= 0:
            raise errors.StatusError(
                429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                {"causes": [{"reason": "DisruptionBudget", "message": f"The disruption budget "
                             f"{pdb['metadata']['name']} needs {len(covered)} healthy pods and has "
                             f"{len(covered)} currently"}]})
    options = DeleteOptions.from_body(eviction.get("deleteOptions"))
    await pods.delete(rt, namespace, name, options)
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
