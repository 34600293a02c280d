"""The storage admission plugins: protection finalizers, warnings, and who may grow a claim."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from petset.api.errors import StatusError
from petset.registry.options import WriteOptions
from petset.registry.storage_protection import PersistentVolumeClaimResize, storage_object_in_use_protection


def _store(kind: str, cached: dict[str, Any] | None = None) -> Any:
    plural = {"PersistentVolume": "persistentvolumes", "PersistentVolumeClaim": "persistentvolumeclaims",
              "Pod": "pods"}[kind]
    return SimpleNamespace(storage_rt=SimpleNamespace(kind=kind, plural=plural, group=""),
                           get_cached=lambda _ns, name: (cached or {}).get(name))


def test_finalizers_are_added_on_create_only() -> None:
    claim: dict[str, Any] = {"metadata": {"name": "c", "finalizers": ["example.com/keep"]}, "spec": {}}
    storage_object_in_use_protection(_store("PersistentVolumeClaim"), claim, None, "CREATE", WriteOptions())
    assert claim["metadata"]["finalizers"] == ["example.com/keep", "kubernetes.io/pvc-protection"]
    volume: dict[str, Any] = {"metadata": {"name": "v"}, "spec": {}}
    storage_object_in_use_protection(_store("PersistentVolume"), volume, None, "CREATE", WriteOptions())
    assert volume["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    updated: dict[str, Any] = {"metadata": {"name": "v"}, "spec": {}}
    storage_object_in_use_protection(_store("PersistentVolume"), updated, volume, "UPDATE", WriteOptions())
    assert "finalizers" not in updated["metadata"]
    pod: dict[str, Any] = {"metadata": {"name": "p"}}
    storage_object_in_use_protection(_store("Pod"), pod, None, "CREATE", WriteOptions())
    assert "finalizers" not in pod["metadata"]


def test_warnings_of_upstream() -> None:
    opts = WriteOptions()
    volume = {"metadata": {"name": "pv-a", "annotations": {"volume.beta.kubernetes.io/storage-class": "x"}},
              "spec": {"persistentVolumeReclaimPolicy": "Recycle", "hostPath": {"path": "/tmp/pv-a"}}}
    storage_object_in_use_protection(_store("PersistentVolume"), volume, None, "CREATE", opts)
    assert opts.warnings == [
        'metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use '
        '"storageClassName" attribute instead',
        "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended "
        "approach is to use dynamic provisioning.",
    ]
    opts = WriteOptions()
    claim = {"metadata": {"name": "c"}, "spec": {"resources": {"requests": {"storage": "1500m"}}}}
    storage_object_in_use_protection(_store("PersistentVolumeClaim"), claim, None, "CREATE", opts)
    assert opts.warnings == ['spec.resources.requests[storage]: fractional byte value "1500m" is invalid, '
                             "must be an integer"]


def _claim(size: str, phase: str = "Bound", storage_class: str | None = "standard") -> dict[str, Any]:
    spec: dict[str, Any] = {"resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    return {"metadata": {"name": "data"}, "spec": spec, "status": {"phase": phase}}


def test_only_expandable_classes_let_bound_claims_grow() -> None:
    classes = _store("PersistentVolume", {"standard": {"allowVolumeExpansion": True}, "fixed": {}})
    resize = PersistentVolumeClaimResize(classes)
    claims = _store("PersistentVolumeClaim")
    resize(claims, _claim("2Mi"), _claim("1Mi"), "UPDATE", WriteOptions())
    resize(claims, _claim("1Mi"), _claim("2Mi"), "UPDATE", WriteOptions())  # shrinking: validation's business
    resize(claims, _claim("2Mi", "Pending"), _claim("1Mi", "Pending"), "UPDATE", WriteOptions())
    for storage_class in ("fixed", None, "missing"):
        with pytest.raises(StatusError) as refused:
            resize(claims, _claim("2Mi", storage_class=storage_class), _claim("1Mi", storage_class=storage_class),
                   "UPDATE", WriteOptions())
        assert refused.value.code == 403
