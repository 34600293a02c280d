"""Which rules each kind gets, and how they combine with the checks every kind gets.

Upstream splits validation between a kind's registry strategy (``Validate``, ``ValidateUpdate``) and the
generic store (k8s.io/apiserver/pkg/registry/rest ``BeforeCreate``/``BeforeUpdate``):

* create: the strategy's rules run first; only if they pass does the store add its own ObjectMeta check
  (names as path segments), which is how kinds without name rules (Events, PodDisruptionBudgets) get one;
* update (and status update): the store's ObjectMeta create and update checks run first, then the
  strategy's; the API server prints each distinct message once (``ErrorList.ToAggregate``), so repeats are
  dropped here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from petset.api.errors import FieldError
from petset.api.resources import RESOURCES
from petset.api.validation import apps, coordination, core, discovery, pod, policy, storage
from petset.api.validation.common import JSON, as_dict, dedupe
from petset.api.validation.content import validate_path_segment_name
from petset.api.validation.meta import validate_object_meta, validate_object_meta_update

__all__ = ["validate_create", "validate_status_update", "validate_update"]

Create = Callable[[JSON], list[FieldError]]
Update = Callable[[JSON, JSON], list[FieldError]]


@dataclass(frozen=True)
class _Rules:
    create: Create
    update: Update
    status: Update | None = None


def _status_then_meta(status: Create) -> Update:
    """A status rule that looks at the new object only (upstream then checks ObjectMeta as usual)."""
    def check(new: JSON, old: JSON) -> list[FieldError]:
        errs = status(new)
        errs.extend(validate_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata"))))
        return errs
    return check


_RULES: dict[tuple[str, str], _Rules] = {
    ("", "Pod"): _Rules(pod.validate_pod_create, pod.validate_pod_update, pod.validate_pod_status_update),
    ("", "Service"): _Rules(core.validate_service, core.validate_service_update, core.validate_service_status_update),
    ("", "Endpoints"): _Rules(core.validate_endpoints, core.validate_endpoints_update),
    ("", "Node"): _Rules(core.validate_node, core.validate_node_update, core.validate_node_update),
    ("", "Namespace"): _Rules(core.validate_namespace, core.validate_namespace_update,
                              core.validate_namespace_status_update),
    ("", "PersistentVolume"): _Rules(storage.validate_persistent_volume, storage.validate_persistent_volume_update,
                                     storage.validate_persistent_volume_status_update),
    ("", "PersistentVolumeClaim"): _Rules(storage.validate_persistent_volume_claim,
                                          storage.validate_persistent_volume_claim_update,
                                          storage.validate_persistent_volume_claim_status_update),
    ("", "ConfigMap"): _Rules(core.validate_config_map, core.validate_config_map_update),
    ("", "Secret"): _Rules(core.validate_secret, core.validate_secret_update),
    ("", "ServiceAccount"): _Rules(core.validate_service_account, core.validate_service_account_update),
    ("", "Event"): _Rules(core.validate_event, core.validate_event_update),
    ("events.k8s.io", "Event"): _Rules(lambda event: core.validate_event(event, events_api=True),
                                       lambda new, old: core.validate_event_update(new, old, events_api=True)),
    ("apps", "StatefulSet"): _Rules(apps.validate_statefulset, apps.validate_statefulset_update,
                                    apps.validate_statefulset_status_update),
    ("apps", "ControllerRevision"): _Rules(apps.validate_controller_revision,
                                           apps.validate_controller_revision_update),
    ("discovery.k8s.io", "EndpointSlice"): _Rules(discovery.validate_endpoint_slice,
                                                  discovery.validate_endpoint_slice_update),
    ("coordination.k8s.io", "Lease"): _Rules(coordination.validate_lease, coordination.validate_lease_update),
    ("storage.k8s.io", "StorageClass"): _Rules(storage.validate_storage_class, storage.validate_storage_class_update),
    ("policy", "PodDisruptionBudget"): _Rules(policy.validate_pod_disruption_budget,
                                              lambda new, _old: policy.validate_pod_disruption_budget(new),
                                              _status_then_meta(policy.validate_pod_disruption_budget_status)),
}


def _namespaced(group: str, kind: str) -> bool:
    for resource in RESOURCES:
        if resource.group == group and resource.kind == kind:
            return resource.namespaced
    return True


def _generic_meta(group: str, kind: str, obj: JSON) -> list[FieldError]:
    """The store's own ObjectMeta check: names need only be usable as a URL path segment."""
    return validate_object_meta(as_dict(obj.get("metadata")), _namespaced(group, kind), validate_path_segment_name)


def validate_create(group: str, kind: str, obj: JSON) -> list[FieldError]:
    """All errors a create of ``obj`` (defaulted, name generated) gets, in the API server's order."""
    rules = _RULES.get((group, kind))
    errs = rules.create(obj) if rules else []
    if errs:
        return dedupe(errs)
    return dedupe(_generic_meta(group, kind, obj))


def validate_update(group: str, kind: str, new: JSON, old: JSON) -> list[FieldError]:
    """All errors an update from ``old`` to ``new`` gets (``new`` defaulted, its status already reset)."""
    rules = _RULES.get((group, kind))
    errs = _generic_meta(group, kind, new)
    errs.extend(validate_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata"))))
    if rules:
        errs.extend(rules.update(new, old))
    return dedupe(errs)


def validate_status_update(group: str, kind: str, new: JSON, old: JSON) -> list[FieldError]:
    """All errors a write to the status subresource gets (``new`` carries the old spec)."""
    rules = _RULES.get((group, kind))
    errs = _generic_meta(group, kind, new)
    errs.extend(validate_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata"))))
    if rules and rules.status:
        errs.extend(rules.status(new, old))
    return dedupe(errs)
