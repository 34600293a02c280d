"""Conversion between a resource's served versions and its storage version.

Two resources are served in more than one version: StatefulSets (apps/v1 and the book's
apps/v1beta1) and Events (core/v1 and events.k8s.io/v1). Each is stored once, in the first.
"""

from __future__ import annotations

from typing import Any

from petset.api import defaults as api_defaults
from petset.api.resources import ResourceType

__all__ = ["from_storage", "is_storage_version", "to_storage"]

Obj = dict[str, Any]


def is_storage_version(rt: ResourceType) -> bool:
    return rt.storage is None and not rt.legacy


def to_storage(rt: ResourceType, obj: Obj) -> Obj:
    """An object sent in ``rt``'s version, converted to the storage version."""
    if rt.group == "apps" and rt.version == "v1beta1":
        api_defaults.apply_defaults("apps", "v1beta1", "StatefulSet", obj)
        return api_defaults.convert_statefulset_v1beta1_to_v1(obj)
    if rt.group == "events.k8s.io":
        return api_defaults.convert_event_events_v1_to_core(obj)
    obj["apiVersion"] = rt.group_version
    obj["kind"] = rt.kind
    return obj


def from_storage(rt: ResourceType, obj: Obj) -> Obj:
    """A stored object as ``rt``'s version shows it (the input is never modified)."""
    if rt.group == "apps" and rt.version == "v1beta1":
        return api_defaults.convert_statefulset_v1_to_v1beta1(obj)
    if rt.group == "events.k8s.io":
        return api_defaults.convert_event_core_to_events_v1(obj)
    return obj
