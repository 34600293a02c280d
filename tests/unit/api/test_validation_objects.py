"""Builders of defaulted objects shared by the validation tests, and the proof that each is valid.

Validation runs on defaulted objects; these builders apply, by hand, the v1 defaults upstream's
SetDefaults_* functions and registry strategies would (so the tests do not depend on petset's own
defaulting), and ``messages`` turns an error list into the strings a user reads.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest

from petset.api.errors import FieldError
from petset.api.validation import validate_create

__all__ = [
    "apply_defaults",
    "container",
    "default_pod_spec",
    "messages",
    "pod",
    "pv",
    "pvc",
    "service",
    "statefulset",
]

JSON = dict[str, Any]


def messages(errors: Iterable[FieldError]) -> list[str]:
    return [str(e) for e in errors]


def _default_image_pull_policy(image: str) -> str:
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return "IfNotPresent"
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _default_probe(probe: JSON) -> None:
    for name, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                        ("failureThreshold", 3)):
        probe.setdefault(name, value)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def default_pod_spec(spec: JSON) -> JSON:
    """SetDefaults_PodSpec, _Container, _ContainerPort, _Probe, _HTTPGetAction and the volume sources."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("enableServiceLinks", True)
    for field in ("containers", "initContainers"):
        for c in spec.get(field) or []:
            c.setdefault("terminationMessagePath", "/dev/termination-log")
            c.setdefault("terminationMessagePolicy", "File")
            c.setdefault("imagePullPolicy", _default_image_pull_policy(c.get("image", "")))
            c.setdefault("resources", {})
            for port in c.get("ports") or []:
                port.setdefault("protocol", "TCP")
            for var in c.get("env") or []:
                field_ref = (var.get("valueFrom") or {}).get("fieldRef")
                if isinstance(field_ref, dict):
                    field_ref.setdefault("apiVersion", "v1")
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                if isinstance(c.get(probe), dict):
                    _default_probe(c[probe])
    for volume in spec.get("volumes") or []:
        for source in ("configMap", "secret", "downwardAPI", "projected"):
            if isinstance(volume.get(source), dict):
                volume[source].setdefault("defaultMode", 420)
    return spec


def _default_pvc_spec(spec: JSON) -> None:
    spec.setdefault("volumeMode", "Filesystem")


def apply_defaults(obj: JSON, namespace: str = "default") -> JSON:
    """A copy of a manifest with the v1 defaults (and the registry's namespace) applied."""
    obj = copy.deepcopy(obj)
    kind = obj.get("kind")
    meta = obj.setdefault("metadata", {})
    if kind not in ("PersistentVolume", "StorageClass", "Namespace", "Node"):
        meta.setdefault("namespace", namespace)
    spec = obj.setdefault("spec", {}) if kind not in ("ConfigMap", "Secret", "StorageClass") else {}
    if kind == "StatefulSet":
        spec.setdefault("replicas", 1)
        spec.setdefault("podManagementPolicy", "OrderedReady")
        strategy = spec.setdefault("updateStrategy", {})
        if not strategy.get("type"):
            strategy["type"] = "RollingUpdate"
            strategy.setdefault("rollingUpdate", {})
        if strategy["type"] == "RollingUpdate" and isinstance(strategy.get("rollingUpdate"), dict):
            strategy["rollingUpdate"].setdefault("partition", 0)
        spec.setdefault("revisionHistoryLimit", 10)
        policy = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
        policy.setdefault("whenDeleted", "Retain")
        policy.setdefault("whenScaled", "Retain")
        default_pod_spec(spec.setdefault("template", {}).setdefault("spec", {}))
        for template in spec.get("volumeClaimTemplates") or []:
            template.setdefault("apiVersion", "v1")
            template.setdefault("kind", "PersistentVolumeClaim")
            _default_pvc_spec(template.setdefault("spec", {}))
            template["status"] = {"phase": "Pending"}
    elif kind == "Pod":
        default_pod_spec(spec)
    elif kind == "Service":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for port in spec.get("ports") or []:
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
        if spec["type"] in ("ClusterIP", "NodePort", "LoadBalancer"):
            spec.setdefault("internalTrafficPolicy", "Cluster")
        # The registry allocates a cluster IP and syncs clusterIPs with it before validation.
        if spec["type"] != "ExternalName":
            spec.setdefault("clusterIP", "10.96.0.10")
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
    elif kind == "PersistentVolume":
        spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
        spec.setdefault("volumeMode", "Filesystem")
        obj["status"] = {"phase": "Pending"}
    elif kind == "PersistentVolumeClaim":
        _default_pvc_spec(spec)
        obj["status"] = {"phase": "Pending"}
    elif kind == "StorageClass":
        obj.setdefault("reclaimPolicy", "Delete")
        obj.setdefault("volumeBindingMode", "Immediate")
    return obj


def container(name: str = "kubia", image: str = "luksa/kubia-pet", **fields: Any) -> JSON:
    return {"name": name, "image": image, **fields}


def pod(name: str = "kubia-0", **spec_fields: Any) -> JSON:
    return apply_defaults({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                           "spec": {"containers": [container()], **spec_fields}})


def statefulset(name: str = "kubia", **spec_fields: Any) -> JSON:
    """The book's kubia StatefulSet (apps/v1), defaulted; ``spec_fields`` override spec members."""
    manifest: JSON = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {
            "serviceName": "kubia",
            "replicas": 2,
            "selector": {"matchLabels": {"app": "kubia"}},
            "template": {
                "metadata": {"labels": {"app": "kubia"}},
                "spec": {"containers": [container(ports=[{"name": "http", "containerPort": 8080}],
                                                  volumeMounts=[{"name": "data", "mountPath": "/var/data"}])]},
            },
            "volumeClaimTemplates": [{
                "metadata": {"name": "data"},
                "spec": {"resources": {"requests": {"storage": "1Mi"}}, "accessModes": ["ReadWriteOnce"]},
            }],
        },
    }
    manifest["spec"].update(spec_fields)
    return apply_defaults(manifest)


def service(name: str = "kubia", **spec_fields: Any) -> JSON:
    manifest: JSON = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                      "spec": {"clusterIP": "None", "selector": {"app": "kubia"},
                               "ports": [{"name": "http", "port": 80}]}}
    manifest["spec"].update(spec_fields)
    return apply_defaults(manifest)


def pv(name: str = "pv-a", **spec_fields: Any) -> JSON:
    manifest: JSON = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
                      "spec": {"capacity": {"storage": "1Mi"}, "accessModes": ["ReadWriteOnce"],
                               "persistentVolumeReclaimPolicy": "Recycle", "hostPath": {"path": "/tmp/pv-a"}}}
    manifest["spec"].update(spec_fields)
    return apply_defaults(manifest)


def pvc(name: str = "data-kubia-0", **spec_fields: Any) -> JSON:
    manifest: JSON = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
                      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Mi"}}}}
    manifest["spec"].update(spec_fields)
    return apply_defaults(manifest)


@pytest.mark.parametrize(("group", "kind", "obj"), [
    ("", "Pod", pod()),
    ("apps", "StatefulSet", statefulset()),
    ("", "Service", service()),
    ("", "Service", service("kubia-public", clusterIP="10.96.0.20", ports=[{"port": 80, "targetPort": 8080}])),
    ("", "PersistentVolume", pv()),
    ("", "PersistentVolumeClaim", pvc()),
], ids=["pod", "statefulset", "headless-service", "service", "pv", "pvc"])
def test_builders_make_valid_objects(group: str, kind: str, obj: JSON) -> None:
    assert messages(validate_create(group, kind, obj)) == []


def test_defaults_pick_image_pull_policy_like_upstream() -> None:
    assert _default_image_pull_policy("luksa/kubia-pet") == "Always"
    assert _default_image_pull_policy("nginx:latest") == "Always"
    assert _default_image_pull_policy("registry.k8s.io/nginx-slim:0.8") == "IfNotPresent"
    assert _default_image_pull_policy("localhost:5000/app") == "Always"
