"""Pure helpers of the volume controllers: Kubernetes' annotation names and the matching rules.

These are upstream's storage helpers (``k8s.io/component-helpers/storage/volume``) and the PV
controller's ``checkVolumeSatisfyClaim``, as functions of the observed objects; they are tested
without any server.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, Final

from petset.api import labels
from petset.api.quantity import QuantityError, parse_quantity

__all__ = [
    "ANN_BETA_DEFAULT_CLASS",
    "ANN_BETA_STORAGE_CLASS",
    "ANN_BETA_STORAGE_PROVISIONER",
    "ANN_BIND_COMPLETED",
    "ANN_BOUND_BY_CONTROLLER",
    "ANN_DEFAULT_CLASS",
    "ANN_DYNAMICALLY_PROVISIONED",
    "ANN_SELECTED_NODE",
    "ANN_STORAGE_PROVISIONER",
    "FILESYSTEM",
    "PROVISIONER_FINALIZER",
    "PVC_PROTECTION_FINALIZER",
    "PV_PROTECTION_FINALIZER",
    "access_modes",
    "annotations_of",
    "check_access_modes",
    "check_volume_satisfies_claim",
    "claim_capacity",
    "claim_class",
    "claim_class_unset",
    "claim_key",
    "claim_names_of_pod",
    "claim_request",
    "default_class",
    "is_default_class",
    "is_volume_bound_to_claim",
    "node_affinity_matches",
    "selector_matches",
    "volume_capacity",
    "volume_class",
    "volume_matches_claim",
    "volume_mode",
]

Obj = dict[str, Any]

ANN_BIND_COMPLETED: Final = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER: Final = "pv.kubernetes.io/bound-by-controller"
ANN_DYNAMICALLY_PROVISIONED: Final = "pv.kubernetes.io/provisioned-by"
ANN_STORAGE_PROVISIONER: Final = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER: Final = "volume.beta.kubernetes.io/storage-provisioner"
ANN_SELECTED_NODE: Final = "volume.kubernetes.io/selected-node"
ANN_BETA_STORAGE_CLASS: Final = "volume.beta.kubernetes.io/storage-class"
ANN_DEFAULT_CLASS: Final = "storageclass.kubernetes.io/is-default-class"
ANN_BETA_DEFAULT_CLASS: Final = "storageclass.beta.kubernetes.io/is-default-class"

PVC_PROTECTION_FINALIZER: Final = "kubernetes.io/pvc-protection"
PV_PROTECTION_FINALIZER: Final = "kubernetes.io/pv-protection"
#: The external provisioner's finalizer (HonorPVReclaimPolicy): deleting the PV object deletes its data.
PROVISIONER_FINALIZER: Final = "external-provisioner.volume.kubernetes.io/finalizer"

FILESYSTEM: Final = "Filesystem"


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def annotations_of(obj: Obj) -> dict[str, str]:
    found = _meta(obj).get("annotations")
    return found if isinstance(found, dict) else {}


def claim_key(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


def claim_class(claim: Obj) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation, else the field, else "" (no class)."""
    ann = annotations_of(claim)
    if ANN_BETA_STORAGE_CLASS in ann:
        return str(ann[ANN_BETA_STORAGE_CLASS])
    return str(_spec(claim).get("storageClassName") or "")


def claim_class_unset(claim: Obj) -> bool:
    """A claim that asked for no class at all (nil, not ""): it may get the default class."""
    return ANN_BETA_STORAGE_CLASS not in annotations_of(claim) and _spec(claim).get("storageClassName") is None


def volume_class(volume: Obj) -> str:
    """``GetPersistentVolumeClass``: the beta annotation wins over the field."""
    ann = annotations_of(volume)
    if ANN_BETA_STORAGE_CLASS in ann:
        return str(ann[ANN_BETA_STORAGE_CLASS])
    return str(_spec(volume).get("storageClassName") or "")


@functools.lru_cache(maxsize=4096)
def _parsed(raw: str | int | float) -> Decimal:
    try:
        return parse_quantity(raw)
    except (QuantityError, ValueError):
        return Decimal(0)


def _amount(raw: Any) -> Decimal:
    # A cluster has few distinct sizes ("1Mi", "10Gi"); each is parsed once.
    return _parsed(raw) if isinstance(raw, str | int | float) and not isinstance(raw, bool) else Decimal(0)


def claim_request(claim: Obj) -> Decimal:
    """The claim's ``resources.requests.storage`` in bytes (exact)."""
    resources = _spec(claim).get("resources") or {}
    return _amount((resources.get("requests") or {}).get("storage"))


def claim_capacity(claim: Obj) -> Decimal:
    status = claim.get("status") or {}
    return _amount((status.get("capacity") or {}).get("storage"))


def volume_capacity(volume: Obj) -> Decimal:
    return _amount((_spec(volume).get("capacity") or {}).get("storage"))


def volume_mode(spec: Obj) -> str:
    return str(spec.get("volumeMode") or FILESYSTEM)


def access_modes(obj: Obj) -> frozenset[str]:
    return frozenset(str(m) for m in _spec(obj).get("accessModes") or [])


def check_access_modes(claim: Obj, volume: Obj) -> bool:
    """``CheckAccessModes``: the volume offers every mode the claim asks for."""
    return access_modes(claim) <= access_modes(volume)


def is_volume_bound_to_claim(volume: Obj, claim: Obj) -> bool:
    """``IsVolumeBoundToClaim``: claimRef names the claim, and its UID if the ref has one."""
    ref = _spec(volume).get("claimRef")
    if not isinstance(ref, dict):
        return False
    meta = _meta(claim)
    if ref.get("name") != meta.get("name") or ref.get("namespace") != meta.get("namespace"):
        return False
    return not ref.get("uid") or ref.get("uid") == meta.get("uid")


def selector_matches(claim: Obj, volume: Obj) -> bool:
    """A claim without a selector takes any volume; with one, the volume's labels must match."""
    selector = _spec(claim).get("selector")
    if not isinstance(selector, dict):
        return True
    try:
        parsed = labels.from_label_selector(selector)
    except labels.SelectorError:
        return False
    return parsed.matches(_meta(volume).get("labels") or {})


def _requirement_matches(req: Obj, values_of: dict[str, str]) -> bool:
    key, operator = str(req.get("key", "")), req.get("operator")
    values = [str(v) for v in req.get("values") or []]
    present = key in values_of
    if operator == "In":
        return present and values_of[key] in values
    if operator == "NotIn":
        return not present or values_of[key] not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    if operator in ("Gt", "Lt") and present and len(values) == 1:
        try:
            have, want = int(values_of[key]), int(values[0])
        except ValueError:
            return False
        return have > want if operator == "Gt" else have < want
    return False


def node_affinity_matches(volume: Obj, node: Obj | None) -> bool:
    """``CheckNodeAffinity``: a volume without required node affinity fits every node.

    The terms are ORed, the expressions and fields within a term ANDed, as in a node selector.
    """
    affinity = _spec(volume).get("nodeAffinity")
    required = affinity.get("required") if isinstance(affinity, dict) else None
    if not isinstance(required, dict):
        return True
    if node is None:
        return False
    node_labels = {str(k): str(v) for k, v in (_meta(node).get("labels") or {}).items()}
    node_fields = {"metadata.name": str(_meta(node).get("name", ""))}
    for term in required.get("nodeSelectorTerms") or []:
        expressions = term.get("matchExpressions") or []
        fields = term.get("matchFields") or []
        if not expressions and not fields:
            continue
        if all(_requirement_matches(r, node_labels) for r in expressions) and \
                all(_requirement_matches(r, node_fields) for r in fields):
            return True
    return False


def check_volume_satisfies_claim(volume: Obj, claim: Obj) -> str | None:
    """``checkVolumeSatisfyClaim``: why a volume the claim names cannot serve it, with upstream's words."""
    if _meta(volume).get("deletionTimestamp"):
        return f'the volume is marked for deletion "{_meta(volume).get("name", "")}"'
    if volume_capacity(volume) < claim_request(claim):
        return "requested PV is too small"
    if volume_class(volume) != claim_class(claim):
        return "storageClassName does not match"
    if volume_mode(_spec(volume)) != volume_mode(_spec(claim)):
        return "incompatible volumeMode"
    if not check_access_modes(claim, volume):
        return "incompatible accessMode"
    return None


def volume_matches_claim(volume: Obj, claim: Obj) -> bool:
    """Every rule of the search for an unbound volume except phase and the claimRef (pure filter)."""
    return (volume_capacity(volume) >= claim_request(claim) and volume_class(volume) == claim_class(claim)
            and volume_mode(_spec(volume)) == volume_mode(_spec(claim)) and check_access_modes(claim, volume)
            and selector_matches(claim, volume) and not _meta(volume).get("deletionTimestamp"))


def is_default_class(storage_class: Obj) -> bool:
    ann = annotations_of(storage_class)
    return ann.get(ANN_DEFAULT_CLASS) == "true" or ann.get(ANN_BETA_DEFAULT_CLASS) == "true"


def default_class(classes: list[Obj]) -> Obj | None:
    """``GetDefaultClass``: of several default classes, the newest (then the name) wins."""
    defaults = [c for c in classes if is_default_class(c) and not _meta(c).get("deletionTimestamp")]
    if not defaults:
        return None
    return max(defaults, key=lambda c: (str(_meta(c).get("creationTimestamp", "")), str(_meta(c).get("name", ""))))


def claim_names_of_pod(pod: Obj) -> list[str]:
    """The claims a pod uses: persistentVolumeClaim volumes and generic ephemeral ones (<pod>-<volume>)."""
    names: list[str] = []
    pod_name = str(_meta(pod).get("name", ""))
    for volume in _spec(pod).get("volumes") or []:
        if not isinstance(volume, dict):
            continue
        source = volume.get("persistentVolumeClaim")
        if isinstance(source, dict) and source.get("claimName"):
            names.append(str(source["claimName"]))
        elif isinstance(volume.get("ephemeral"), dict):
            names.append(f"{pod_name}-{volume.get('name', '')}")
    return names
