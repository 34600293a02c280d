"""Admission for PersistentVolumes and PersistentVolumeClaims, as kube-apiserver's storage plugins.

* :func:`storage_object_in_use_protection` (StorageObjectInUseProtection): a new claim gets the
  ``kubernetes.io/pvc-protection`` finalizer and a new volume ``kubernetes.io/pv-protection``;
  the volume controller removes them once no scheduled pod uses the claim / no claim is bound to
  the volume. It also returns the registry strategies' warnings for these kinds: the Recycle
  reclaim policy's deprecation, the beta storage-class annotation, fractional byte sizes.
* :class:`PersistentVolumeClaimResize`: growing a bound claim is allowed only when its class sets
  ``allowVolumeExpansion``.

Register both on the ``persistentvolumes`` and ``persistentvolumeclaims`` stores; each ignores
other kinds. The plugin signature is the registry's: ``plugin(store, obj, old, operation, opts)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from petset.api import errors
from petset.api.quantity import Quantity, QuantityError
from petset.registry.options import WriteOptions

if TYPE_CHECKING:
    from petset.registry.rest import ResourceStore

__all__ = [
    "PVC_PROTECTION_FINALIZER",
    "PV_PROTECTION_FINALIZER",
    "PersistentVolumeClaimResize",
    "storage_object_in_use_protection",
]

Obj = dict[str, Any]

PVC_PROTECTION_FINALIZER: Final = "kubernetes.io/pvc-protection"
PV_PROTECTION_FINALIZER: Final = "kubernetes.io/pv-protection"

_BETA_STORAGE_CLASS: Final = "volume.beta.kubernetes.io/storage-class"
_DEPRECATED_CLASS_ANNOTATION: Final = 'deprecated since v1.8; use "storageClassName" attribute instead'

#: persistentvolume.GetWarningsForPersistentVolume: plugins that no longer work upstream.
_DEPRECATED_SOURCES: Final = (
    ("cephfs", "cephfs", "deprecated in v1.28, non-functional in v1.31+"),
    ("photonPersistentDisk", "photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+"),
    ("scaleIO", "scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
    ("storageos", "storageOS", "deprecated in v1.22, non-functional in v1.25+"),
    ("glusterfs", "glusterfs", "deprecated in v1.25, non-functional in v1.26+"),
    ("rbd", "rbd", "deprecated in v1.28, non-functional in v1.31+"),
)


def _annotations(obj: Obj) -> Obj:
    found = (obj.get("metadata") or {}).get("annotations")
    return found if isinstance(found, dict) else {}


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _quantity(raw: Any) -> Quantity | None:
    try:
        return Quantity.from_json(raw) if raw is not None else None
    except (QuantityError, ValueError):
        return None


def volume_warnings(volume: Obj) -> list[str]:
    """``GetWarningsForPersistentVolume`` (node-affinity label deprecations aside)."""
    warnings = []
    if _BETA_STORAGE_CLASS in _annotations(volume):
        warnings.append(f"metadata.annotations[{_BETA_STORAGE_CLASS}]: {_DEPRECATED_CLASS_ANNOTATION}")
    spec = _spec(volume)
    if spec.get("persistentVolumeReclaimPolicy") == "Recycle":
        warnings.append("spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, "
                        "the recommended approach is to use dynamic provisioning.")
    for key, field, text in _DEPRECATED_SOURCES:
        if isinstance(spec.get(key), dict):
            warnings.append(f"spec.{field}: {text}")
    return warnings


def claim_warnings(claim: Obj) -> list[str]:
    """``GetWarningsForPersistentVolumeClaim``."""
    warnings = []
    if _BETA_STORAGE_CLASS in _annotations(claim):
        warnings.append(f"metadata.annotations[{_BETA_STORAGE_CLASS}]: {_DEPRECATED_CLASS_ANNOTATION}")
    resources = _spec(claim).get("resources")
    resources = resources if isinstance(resources, dict) else {}
    for field in ("requests", "limits"):
        values = resources.get(field)
        q = _quantity(values.get("storage")) if isinstance(values, dict) else None
        if q is not None and (q.amount * 1000) % 1000 != 0:
            warnings.append(f'spec.resources.{field}[storage]: fractional byte value "{q}" is invalid, '
                            "must be an integer")
    return warnings


def storage_object_in_use_protection(store: ResourceStore, obj: Obj, old: Obj | None, operation: str,
                                     opts: WriteOptions) -> None:
    """StorageObjectInUseProtection: the protection finalizer on create, and the kinds' warnings."""
    kind = store.storage_rt.kind
    if kind == "PersistentVolume":
        finalizer, warnings = PV_PROTECTION_FINALIZER, volume_warnings(obj)
    elif kind == "PersistentVolumeClaim":
        finalizer, warnings = PVC_PROTECTION_FINALIZER, claim_warnings(obj)
    else:
        return
    opts.warnings.extend(w for w in warnings if w not in opts.warnings)
    if operation != "CREATE":
        return
    meta = obj.setdefault("metadata", {})
    finalizers = meta.get("finalizers")
    if not isinstance(finalizers, list):
        finalizers = []
    if finalizer not in finalizers:
        meta["finalizers"] = [*finalizers, finalizer]


def _class_of(claim: Obj) -> str:
    annotations = _annotations(claim)
    if _BETA_STORAGE_CLASS in annotations:
        return str(annotations[_BETA_STORAGE_CLASS])
    return str(_spec(claim).get("storageClassName") or "")


def _request(claim: Obj) -> Decimal | None:
    resources = _spec(claim).get("resources")
    requests = resources.get("requests") if isinstance(resources, dict) else None
    q = _quantity(requests.get("storage")) if isinstance(requests, dict) else None
    return q.amount if q is not None else None


class PersistentVolumeClaimResize:
    """PersistentVolumeClaimResize: only a class with ``allowVolumeExpansion: true`` lets claims grow."""

    def __init__(self, storage_classes: ResourceStore) -> None:
        self.storage_classes = storage_classes

    def __call__(self, store: ResourceStore, obj: Obj, old: Obj | None, operation: str, opts: WriteOptions) -> None:
        if store.storage_rt.kind != "PersistentVolumeClaim" or operation != "UPDATE" or old is None:
            return
        new_size, old_size = _request(obj), _request(old)
        if new_size is None or old_size is None or new_size <= old_size:
            return
        if (old.get("status") or {}).get("phase") != "Bound":
            return  # validation refuses changing an unbound claim's spec, with its own message
        class_name = _class_of(obj)
        storage_class = self.storage_classes.get_cached(None, class_name) if class_name else None
        if class_name != _class_of(old) or storage_class is None or storage_class.get("allowVolumeExpansion") is not True:
            meta = obj.get("metadata") or {}
            raise errors.forbidden_request(store.storage_rt.plural, store.storage_rt.group, str(meta.get("name", "")),
                                           "only dynamically provisioned pvc can be resized and the storageclass "
                                           "that provisions the pvc must support resize")
