"""Per-kind behaviour of the generic registry, as upstream's RESTCreateStrategy/UpdateStrategy.

A strategy says how an object is prepared on create and update, how its status subresource
differs from the main resource, which fields a field selector may use, and whether deleting it is
graceful. Pure rules live in petset.api (defaults, validation); this module wires them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from petset.api import defaults as api_defaults
from petset.api import validation as api_validation
from petset.api.errors import FieldError
from petset.api.resources import ResourceType

__all__ = ["STRATEGIES", "Strategy", "strategy_for"]

Obj = dict[str, Any]


def _initial_status(kind: str) -> Obj | None:
    """The status an object gets on create (create never takes status from the client)."""
    initial: dict[str, Obj] = {
        "StatefulSet": {"replicas": 0, "availableReplicas": 0},
        "Pod": {"phase": "Pending"},
        "PersistentVolumeClaim": {"phase": "Pending"},
        "PersistentVolume": {"phase": "Pending"},
        "Namespace": {"phase": "Active"},
        "Service": {"loadBalancer": {}},
        "PodDisruptionBudget": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                                "expectedPods": 0},
    }
    return initial.get(kind)


@dataclass(frozen=True)
class Strategy:
    kind: str
    group: str
    #: The main resource ignores .status and a status update ignores everything else.
    has_status: bool = False
    #: metadata.generation starts at 1 and grows with every spec change.
    tracks_generation: bool = False
    #: Deleting waits for a grace period to pass (pods: until the kubelet confirms).
    graceful: bool = False
    allow_create_on_update: bool = False
    #: Objects created with a status keep it (nodes report their own).
    keeps_status_on_create: bool = False
    #: Admission of the kind: returns reasons to refuse the object (403 Forbidden), if any.
    admit: Callable[[Obj, Obj | None], list[str]] | None = None

    def prepare_for_create(self, obj: Obj) -> None:
        meta = obj.setdefault("metadata", {})
        if self.kind == "Namespace":
            api_defaults.prepare_namespace_for_create(obj)
            return
        if self.tracks_generation:
            meta["generation"] = 1
        if self.has_status and not self.keeps_status_on_create:
            status = _initial_status(self.kind)
            if status is None:
                obj.pop("status", None)
            else:
                obj["status"] = copy.deepcopy(status)

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        if self.has_status:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        if self.tracks_generation:
            generation = old.get("metadata", {}).get("generation", 1)
            if new.get("spec") != old.get("spec"):
                generation += 1
            new.setdefault("metadata", {})["generation"] = generation

    def prepare_for_status_update(self, new: Obj, old: Obj) -> None:
        """Only status may change; metadata is reset as metav1.ResetObjectMetaForStatus does."""
        for key in list(new):
            if key not in ("status", "metadata", "apiVersion", "kind"):
                del new[key]
        for key, value in old.items():
            if key not in ("status", "metadata"):
                new[key] = copy.deepcopy(value)
        meta = new.setdefault("metadata", {})
        old_meta = old.get("metadata", {})
        for key in ("labels", "annotations", "finalizers", "ownerReferences", "generation", "deletionTimestamp",
                    "deletionGracePeriodSeconds"):
            if key in old_meta:
                meta[key] = copy.deepcopy(old_meta[key])
            else:
                meta.pop(key, None)

    def default(self, version: str, obj: Obj) -> None:
        api_defaults.apply_defaults(self.group, version, self.kind, obj)

    def validate(self, obj: Obj) -> list[FieldError]:
        return api_validation.validate_create(self.group, self.kind, obj)

    def validate_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return api_validation.validate_update(self.group, self.kind, new, old)

    def validate_status_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return api_validation.validate_status_update(self.group, self.kind, new, old)

    def drop_disabled_fields(self, new: Obj, old: Obj | None) -> None:
        if self.kind == "StatefulSet":
            api_defaults.drop_disabled_fields(new, old)


STRATEGIES: dict[tuple[str, str], Strategy] = {
    ("", "pods"): Strategy("Pod", "", has_status=True, graceful=True, admit=api_defaults.admit_pod),
    ("", "services"): Strategy("Service", "", has_status=True),
    ("", "endpoints"): Strategy("Endpoints", "", allow_create_on_update=True),
    ("", "nodes"): Strategy("Node", "", has_status=True, keeps_status_on_create=True),
    ("", "namespaces"): Strategy("Namespace", "", has_status=True),
    ("", "persistentvolumes"): Strategy("PersistentVolume", "", has_status=True),
    ("", "persistentvolumeclaims"): Strategy("PersistentVolumeClaim", "", has_status=True),
    ("", "configmaps"): Strategy("ConfigMap", ""),
    ("", "secrets"): Strategy("Secret", ""),
    ("", "serviceaccounts"): Strategy("ServiceAccount", ""),
    ("", "events"): Strategy("Event", "", allow_create_on_update=True),
    ("apps", "statefulsets"): Strategy("StatefulSet", "apps", has_status=True, tracks_generation=True),
    ("apps", "controllerrevisions"): Strategy("ControllerRevision", "apps"),
    ("discovery.k8s.io", "endpointslices"): Strategy("EndpointSlice", "discovery.k8s.io"),
    ("coordination.k8s.io", "leases"): Strategy("Lease", "coordination.k8s.io", allow_create_on_update=True),
    ("storage.k8s.io", "storageclasses"): Strategy("StorageClass", "storage.k8s.io"),
    ("policy", "poddisruptionbudgets"): Strategy("PodDisruptionBudget", "policy", has_status=True,
                                                  tracks_generation=True),
}


def strategy_for(resource: ResourceType) -> Strategy:
    return STRATEGIES[resource.storage_key]
