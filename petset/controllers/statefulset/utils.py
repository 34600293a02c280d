"""Pure helpers of the StatefulSet controller: ordinals, pod identity, claims, predicates, owner refs.

Upstream's ``stateful_set_utils.go`` in Python, with the same names in snake case. Nothing here
does I/O or keeps state, so every rule the controller follows about a pod's identity, its storage
and the ownership of its claims can be tested with plain dicts.

The retention-policy owner-reference matrix (§4.12 of the spec) is 1.32's: the set and pod
references on a claim are *controller* references; a claim with a stale reference (our name, another
UID) or with some other controller is left to the garbage collector and the user.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

__all__ = [
    "CONTROLLER_REVISION_HASH_LABEL",
    "POD_INDEX_LABEL",
    "STATEFULSET_POD_NAME_LABEL",
    "allows_burst",
    "claim_name",
    "claim_names",
    "claim_owner_matches_set_and_pod",
    "claims_match_retention_policy",
    "controller_ref",
    "deep_copy",
    "end_ordinal",
    "get_controller_of",
    "get_ordinal",
    "get_parent_name_and_ordinal",
    "get_pod_revision",
    "has_non_controller_owner",
    "has_owner_ref",
    "has_stale_owner_ref",
    "has_unexpected_controller",
    "identity_matches",
    "is_created",
    "is_failed",
    "is_healthy",
    "is_member_of",
    "is_pending",
    "is_pod_ready",
    "is_running_and_available",
    "is_running_and_ready",
    "is_succeeded",
    "is_terminating",
    "min_ready_seconds",
    "new_statefulset_pod",
    "new_versioned_statefulset_pod",
    "parse_time",
    "persistent_volume_claims",
    "pod_claim_is_stale",
    "pod_in_ordinal_range",
    "pod_name",
    "ready_condition",
    "retention_policy",
    "spec_replicas",
    "start_ordinal",
    "storage_matches",
    "update_claim_owner_refs",
    "update_identity",
    "update_storage",
    "utc_now",
]

Obj = dict[str, Any]

STATEFULSET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
CONTROLLER_REVISION_HASH_LABEL = "controller-revision-hash"

SET_API_VERSION, SET_KIND = "apps/v1", "StatefulSet"
POD_API_VERSION, POD_KIND = "v1", "Pod"

RETAIN, DELETE = "Retain", "Delete"

# Go's regexp "(.*)-([0-9]+)$": the greedy prefix makes the last dash the separator.
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")
_INT32_MAX = 2**31 - 1


def deep_copy(obj: Any) -> Any:
    """A private copy of a JSON-shaped value (cache objects are shared and never modified)."""
    return orjson.loads(orjson.dumps(obj))


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_time(text: str | None) -> datetime | None:
    """An RFC 3339 timestamp as the API writes it, or None."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------
# the set's spec, with the defaults the controller assumes when a field is absent


def _spec(set_: Obj) -> Obj:
    return set_.get("spec") or {}


def spec_replicas(set_: Obj) -> int:
    replicas = _spec(set_).get("replicas")
    return 1 if replicas is None else int(replicas)


def start_ordinal(set_: Obj) -> int:
    """``spec.ordinals.start``; 0 when ``ordinals`` is absent."""
    ordinals = _spec(set_).get("ordinals")
    return int(ordinals.get("start") or 0) if isinstance(ordinals, dict) else 0


def end_ordinal(set_: Obj) -> int:
    return start_ordinal(set_) + spec_replicas(set_) - 1


def min_ready_seconds(set_: Obj) -> int:
    return int(_spec(set_).get("minReadySeconds") or 0)


def allows_burst(set_: Obj) -> bool:
    """``Parallel`` pod management: no ordering, no waiting between pods."""
    return _spec(set_).get("podManagementPolicy") == "Parallel"


def retention_policy(set_: Obj) -> tuple[str, str]:
    """(whenDeleted, whenScaled); both Retain when the policy is absent or unknown."""
    policy = _spec(set_).get("persistentVolumeClaimRetentionPolicy") or {}
    return (DELETE if policy.get("whenDeleted") == DELETE else RETAIN,
            DELETE if policy.get("whenScaled") == DELETE else RETAIN)


# --------------------------------------------------------------------------------------------------
# ordinals and identity


def _meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def _name(obj: Obj) -> str:
    return str(_meta(obj).get("name", ""))


def _uid(obj: Obj) -> str:
    return str(_meta(obj).get("uid", ""))


@functools.lru_cache(maxsize=16384)
def _parse_name(name: str) -> tuple[str, int]:
    # Every sync asks this of every pod; names do not change, so the answers are kept.
    match = _ORDINAL.match(name)
    if match is None:
        return "", -1
    ordinal = int(match.group(2))
    if ordinal > _INT32_MAX:
        return "", -1
    return match.group(1), ordinal


def get_parent_name_and_ordinal(pod: Obj) -> tuple[str, int]:
    """("web", 2) for "web-2"; ("", -1) when the name has no ordinal (or one beyond int32)."""
    return _parse_name(_name(pod))


def get_ordinal(pod: Obj) -> int:
    return get_parent_name_and_ordinal(pod)[1]


def pod_name(set_: Obj, ordinal: int) -> str:
    return f"{_name(set_)}-{ordinal}"


def is_member_of(set_: Obj, pod: Obj) -> bool:
    """The pod's name says it belongs to this set (the parent part of ``<set>-<ordinal>``)."""
    return get_parent_name_and_ordinal(pod)[0] == _name(set_)


def pod_in_ordinal_range(pod: Obj, set_: Obj) -> bool:
    ordinal = get_ordinal(pod)
    return start_ordinal(set_) <= ordinal <= end_ordinal(set_)


def identity_matches(set_: Obj, pod: Obj) -> bool:
    parent, ordinal = get_parent_name_and_ordinal(pod)
    meta = _meta(pod)
    return (ordinal >= 0 and parent == _name(set_) and meta.get("name") == pod_name(set_, ordinal)
            and meta.get("namespace") == _meta(set_).get("namespace")
            and (meta.get("labels") or {}).get(STATEFULSET_POD_NAME_LABEL) == meta.get("name"))


def update_identity(set_: Obj, pod: Obj) -> None:
    """Name, namespace and the identity labels of the pod, from its ordinal (in place)."""
    ordinal = get_ordinal(pod)
    meta = pod.setdefault("metadata", {})
    meta["name"] = pod_name(set_, ordinal)
    meta["namespace"] = _meta(set_).get("namespace")
    labels = meta.get("labels")
    if not isinstance(labels, dict):
        labels = meta["labels"] = {}
    labels[STATEFULSET_POD_NAME_LABEL] = meta["name"]
    labels[POD_INDEX_LABEL] = str(ordinal)


def _init_identity(set_: Obj, pod: Obj) -> None:
    update_identity(set_, pod)
    # hostname and subdomain are immutable pod fields: they are only ever set at creation.
    spec = pod.setdefault("spec", {})
    spec["hostname"] = _name(pod)
    spec["subdomain"] = _spec(set_).get("serviceName", "")


# --------------------------------------------------------------------------------------------------
# claims


def _claim_templates(set_: Obj) -> list[Obj]:
    return [t for t in _spec(set_).get("volumeClaimTemplates") or [] if isinstance(t, dict)]


def claim_name(set_: Obj, template: Obj, ordinal: int) -> str:
    return f"{_name(template)}-{_name(set_)}-{ordinal}"


def claim_names(set_: Obj, pod: Obj) -> list[str]:
    """The names of the claims the pod's ordinal needs (cheaper than building the claims)."""
    ordinal = get_ordinal(pod)
    return [claim_name(set_, template, ordinal) for template in _claim_templates(set_)]


def persistent_volume_claims(set_: Obj, pod: Obj) -> dict[str, Obj]:
    """The claims the pod's ordinal needs, by claim template name, in template order.

    Each is a copy of its template, named ``<template>-<set>-<ordinal>``, labelled with the
    template's labels and the selector's ``matchLabels`` (the selector wins), without owner
    references: the retention policy adds those afterwards.
    """
    ordinal = get_ordinal(pod)
    match_labels = ((_spec(set_).get("selector") or {}).get("matchLabels")) or {}
    claims: dict[str, Obj] = {}
    for template in _claim_templates(set_):
        claim = deep_copy(template)
        claim.pop("status", None)
        meta = claim.setdefault("metadata", {})
        if meta.get("creationTimestamp") is None:
            meta.pop("creationTimestamp", None)
        meta["name"] = claim_name(set_, template, ordinal)
        meta["namespace"] = _meta(set_).get("namespace")
        labels = meta.get("labels")
        meta["labels"] = {**labels, **match_labels} if isinstance(labels, dict) else dict(match_labels)
        if not meta["labels"]:
            del meta["labels"]
        claim["apiVersion"] = "v1"
        claim["kind"] = "PersistentVolumeClaim"
        claims[_name(template)] = claim
    return claims


def storage_matches(set_: Obj, pod: Obj) -> bool:
    """Every claim template has a volume in the pod pointing at this ordinal's claim."""
    ordinal = get_ordinal(pod)
    if ordinal < 0:
        return False
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or [] if isinstance(v, dict)}
    for template in _claim_templates(set_):
        volume = volumes.get(_name(template))
        source = (volume or {}).get("persistentVolumeClaim")
        if not isinstance(source, dict) or source.get("claimName") != claim_name(set_, template, ordinal):
            return False
    return True


def update_storage(set_: Obj, pod: Obj) -> None:
    """Claim volumes first (claim templates win over template volumes of the same name), in place."""
    spec = pod.setdefault("spec", {})
    claims = persistent_volume_claims(set_, pod)
    volumes: list[Obj] = [{"name": name, "persistentVolumeClaim": {"claimName": _name(claim)}}
                          for name, claim in claims.items()]
    volumes.extend(v for v in spec.get("volumes") or [] if isinstance(v, dict) and v.get("name") not in claims)
    spec["volumes"] = volumes


def pod_claim_is_stale(set_: Obj, pod: Obj, get_claim: Callable[[str], Obj | None]) -> bool:
    """A claim of the pod's ordinal still owned by an older pod of that name (whenScaled: Delete).

    Such a claim is waiting for the garbage collector; creating the pod now would hand it a volume
    about to be deleted, so creation waits. A placeholder pod has no UID, so any pod ref is stale.
    """
    if retention_policy(set_)[1] == RETAIN:
        return False
    for name in claim_names(set_, pod):
        existing = get_claim(name)
        if existing is not None and has_stale_owner_ref(existing, pod, POD_API_VERSION, POD_KIND):
            return True
    return False


def claims_match_retention_policy(set_: Obj, pod: Obj, get_claim: Callable[[str], Obj | None]) -> bool:
    """All existing claims of the pod carry the owner refs the retention policy asks for."""
    for name in claim_names(set_, pod):
        existing = get_claim(name)
        # A missing claim is picked up by a later sync, once it exists.
        if existing is not None and not claim_owner_matches_set_and_pod(existing, set_, pod):
            return False
    return True


# --------------------------------------------------------------------------------------------------
# pods for ordinals


def new_statefulset_pod(set_: Obj, ordinal: int) -> Obj:
    """The pod for ``ordinal`` from the set's template: identity, claim volumes, controller ref."""
    template = _spec(set_).get("template") or {}
    template_meta = template.get("metadata") or {}
    meta: Obj = {"name": pod_name(set_, ordinal), "generateName": f"{_name(set_)}-",
                 "namespace": _meta(set_).get("namespace"),
                 "labels": dict(template_meta.get("labels") or {})}
    if template_meta.get("annotations"):
        meta["annotations"] = dict(template_meta["annotations"])
    if template_meta.get("finalizers"):
        meta["finalizers"] = list(template_meta["finalizers"])
    meta["ownerReferences"] = [controller_ref(set_, SET_API_VERSION, SET_KIND)]
    pod: Obj = {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                "spec": deep_copy(template.get("spec") or {})}
    _init_identity(set_, pod)
    update_storage(set_, pod)
    return pod


def _partition(set_: Obj) -> int | None:
    """The partition when a ``rollingUpdate`` block exists (absent partition: 0), else None."""
    rolling = (_spec(set_).get("updateStrategy") or {}).get("rollingUpdate")
    if not isinstance(rolling, dict):
        return None
    return int(rolling.get("partition") or 0)


def new_versioned_statefulset_pod(current_set: Obj, update_set: Obj, current_revision: str, update_revision: str,
                                  ordinal: int) -> Obj:
    """The pod for an empty slot, at the revision §4.4 chooses.

    Below the partition (or, with a RollingUpdate strategy that has no ``rollingUpdate`` block,
    below ``start + status.currentReplicas``) the current revision is used; otherwise, and always
    for OnDelete, the update revision.
    """
    strategy = (_spec(current_set).get("updateStrategy") or {}).get("type", "RollingUpdate")
    partition = _partition(current_set)
    start = start_ordinal(current_set)
    current_replicas = int((current_set.get("status") or {}).get("currentReplicas") or 0)
    at_current = (strategy == "RollingUpdate" and partition is None and ordinal < start + current_replicas) or (
        partition is not None and ordinal < start + partition)
    if at_current:
        pod = new_statefulset_pod(current_set, ordinal)
        pod["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL] = current_revision
    else:
        pod = new_statefulset_pod(update_set, ordinal)
        pod["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL] = update_revision
    return pod


def get_pod_revision(pod: Obj) -> str:
    return str((_meta(pod).get("labels") or {}).get(CONTROLLER_REVISION_HASH_LABEL, ""))


# --------------------------------------------------------------------------------------------------
# pod predicates (§4.5)


def _phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def is_created(pod: Obj) -> bool:
    """The API server gave the pod a phase; placeholders for empty slots have none."""
    return _phase(pod) != ""


def is_pending(pod: Obj) -> bool:
    return _phase(pod) == "Pending"


def is_failed(pod: Obj) -> bool:
    return _phase(pod) == "Failed"


def is_succeeded(pod: Obj) -> bool:
    return _phase(pod) == "Succeeded"


def is_terminating(pod: Obj) -> bool:
    return bool(_meta(pod).get("deletionTimestamp"))


def ready_condition(pod: Obj) -> Obj | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            return condition
    return None


def is_pod_ready(pod: Obj) -> bool:
    condition = ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def is_running_and_ready(pod: Obj) -> bool:
    return _phase(pod) == "Running" and is_pod_ready(pod)


def is_running_and_available(pod: Obj, min_ready: int, now: datetime) -> bool:
    """Ready for at least ``min_ready`` seconds (strictly: transition + min_ready is before now)."""
    if not is_pod_ready(pod):
        return False
    if min_ready == 0:
        return True
    since = parse_time((ready_condition(pod) or {}).get("lastTransitionTime"))
    return since is not None and since.timestamp() + min_ready < now.timestamp()


def is_healthy(pod: Obj) -> bool:
    return is_running_and_ready(pod) and not is_terminating(pod)


# --------------------------------------------------------------------------------------------------
# owner references


def controller_ref(owner: Obj, api_version: str, kind: str) -> Obj:
    """``metav1.NewControllerRef``: the one reference that says who manages a dependent."""
    return {"apiVersion": api_version, "kind": kind, "name": _name(owner), "uid": _uid(owner),
            "controller": True, "blockOwnerDeletion": True}


def get_controller_of(obj: Obj) -> Obj | None:
    for ref in _meta(obj).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller") is True:
            return ref
    return None


def _refs(obj: Obj) -> list[Obj]:
    return [r for r in _meta(obj).get("ownerReferences") or [] if isinstance(r, dict)]


def _matches_ref(ref: Obj, owner: Obj, api_version: str, kind: str) -> bool:
    return (ref.get("apiVersion") == api_version and ref.get("kind") == kind and ref.get("name") == _name(owner)
            and ref.get("uid") == _uid(owner))


def has_owner_ref(target: Obj, owner: Obj) -> bool:
    uid = _uid(owner)
    return bool(uid) and any(ref.get("uid") == uid for ref in _refs(target))


def has_stale_owner_ref(target: Obj, owner: Obj, api_version: str, kind: str) -> bool:
    """A reference to an owner of this kind and name but another UID: a previous incarnation."""
    return any(ref.get("apiVersion") == api_version and ref.get("kind") == kind and ref.get("name") == _name(owner)
               and ref.get("uid") != _uid(owner) for ref in _refs(target))


def has_unexpected_controller(claim: Obj, set_: Obj, pod: Obj) -> bool:
    """Some controller other than this set or pod manages the claim (irrelevant under Retain/Retain)."""
    if retention_policy(set_) == (RETAIN, RETAIN):
        return False
    for ref in _refs(claim):
        if _matches_ref(ref, set_, SET_API_VERSION, SET_KIND) or _matches_ref(ref, pod, POD_API_VERSION, POD_KIND):
            continue
        if ref.get("controller") is True:
            return True
    return False


def has_non_controller_owner(claim: Obj, set_: Obj, pod: Obj) -> bool:
    """The set or pod owns the claim through a plain reference that should be a controller one."""
    uids = {u for u in (_uid(set_), _uid(pod)) if u}
    return any(ref.get("uid") in uids and ref.get("controller") is not True for ref in _refs(claim))


def claim_owner_matches_set_and_pod(claim: Obj, set_: Obj, pod: Obj) -> bool:
    """The claim's owner refs are what the retention policy asks for (§4.12's matrix).

    A claim with another controller is only "wrong" while it still carries refs to this set or
    pod (which are then scrubbed); otherwise it is left alone.
    """
    when_deleted, when_scaled = retention_policy(set_)
    if not _refs(claim):
        # The common case, answered without the matrix: no refs is right unless the policy wants one.
        return when_deleted == RETAIN and (when_scaled == RETAIN or pod_in_ordinal_range(pod, set_))
    if has_unexpected_controller(claim, set_, pod):
        return not (has_owner_ref(claim, set_) or has_owner_ref(claim, pod))
    if has_non_controller_owner(claim, set_, pod):
        return False
    set_ref, pod_ref = has_owner_ref(claim, set_), has_owner_ref(claim, pod)
    scaled_down = not pod_in_ordinal_range(pod, set_)
    if when_scaled == RETAIN and when_deleted == RETAIN:
        return not set_ref and not pod_ref
    if when_scaled == RETAIN and when_deleted == DELETE:
        return set_ref and not pod_ref
    if when_scaled == DELETE and when_deleted == RETAIN:
        return not set_ref and scaled_down == pod_ref
    # Delete / Delete: a scaled-down pod's claim belongs to the pod, any other to the set.
    return scaled_down != set_ref and scaled_down == pod_ref


def update_claim_owner_refs(claim: Obj, set_: Obj, pod: Obj) -> list[Obj]:
    """The claim's owner refs as the retention policy wants them (the claim is not modified).

    Refs to this set and pod are scrubbed first and re-added as controller refs where the policy
    asks for them, so plain refs become controller refs and a policy change is reconciled. A claim
    with another controller keeps only its foreign refs.
    """
    unexpected = has_unexpected_controller(claim, set_, pod)
    refs = [dict(r) for r in _refs(claim) if not (_matches_ref(r, set_, SET_API_VERSION, SET_KIND)
                                                  or _matches_ref(r, pod, POD_API_VERSION, POD_KIND))]
    if unexpected:
        return refs
    when_deleted, when_scaled = retention_policy(set_)
    scaled_down = not pod_in_ordinal_range(pod, set_)

    def add(owner: Obj, api_version: str, kind: str) -> None:
        if _uid(owner) and not any(r.get("uid") == _uid(owner) for r in refs):
            refs.append(controller_ref(owner, api_version, kind))

    if when_scaled == DELETE and scaled_down:
        add(pod, POD_API_VERSION, POD_KIND)
    elif when_deleted == DELETE:
        add(set_, SET_API_VERSION, SET_KIND)
    return refs
