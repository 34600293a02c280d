"""Tests for petset.api.defaults: what kube-apiserver 1.32 makes of the book's and the docs' manifests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from petset.api.defaults import (
    admit_pod,
    apply_defaults,
    convert_event_core_to_events_v1,
    convert_event_events_v1_to_core,
    convert_statefulset_v1_to_v1beta1,
    convert_statefulset_v1beta1_to_v1,
    drop_disabled_fields,
    image_tag,
    init_service_ip_families,
    normalize_cluster_ips,
    prepare_namespace_for_create,
)

EXAMPLES = Path(__file__).resolve().parents[4] / "shared" / "examples"
CHAPTER10 = EXAMPLES / "kubernetes-in-action" / "Chapter10"
DOCS = EXAMPLES / "kubernetes-docs"
CHAPTER16 = EXAMPLES / "kubernetes-in-action-2nd-edition" / "Chapter16"

JSON = dict[str, Any]


def load(path: Path) -> list[JSON]:
    docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    items: list[JSON] = []
    for doc in docs:
        items.extend(doc["items"] if doc.get("kind") == "List" else [doc])
    return items


def gvk(obj: JSON) -> tuple[str, str, str]:
    group, _, version = obj["apiVersion"].rpartition("/")
    return group, version, obj["kind"]


def defaulted(obj: JSON) -> JSON:
    obj = copy.deepcopy(obj)
    apply_defaults(*gvk(obj), obj)
    return obj


def one(path: Path, kind: str, index: int = 0) -> JSON:
    return [doc for doc in load(path) if doc["kind"] == kind][index]


def canonical_bytes(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


ALL_EXAMPLES = sorted(p for p in EXAMPLES.rglob("*.yaml"))

# --------------------------------------------------------------------------------------------------
# The book's StatefulSet, field by field


PET_CONTAINER: JSON = {
    "name": "kubia",
    "image": "luksa/kubia-pet",
    "imagePullPolicy": "Always",
    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
    "resources": {},
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "volumeMounts": [{"name": "data", "mountPath": "/var/data"}],
}

KUBIA_TEMPLATE_SPEC: JSON = {
    "containers": [PET_CONTAINER],
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "schedulerName": "default-scheduler",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
}

KUBIA_CLAIM_TEMPLATE = {
    "apiVersion": "v1",
    "kind": "PersistentVolumeClaim",
    "metadata": {"name": "data", "creationTimestamp": None},
    "spec": {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Mi"}},
        "volumeMode": "Filesystem",
    },
    "status": {"phase": "Pending"},
}


def test_kubia_statefulset_exactly() -> None:
    sts = defaulted(one(CHAPTER10 / "kubia-statefulset.yaml", "StatefulSet"))
    assert sts == {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "kubia"},
        "spec": {
            "serviceName": "kubia",
            "replicas": 2,
            "selector": {"matchLabels": {"app": "kubia"}},
            "template": {
                "metadata": {"labels": {"app": "kubia"}, "creationTimestamp": None},
                "spec": KUBIA_TEMPLATE_SPEC,
            },
            "volumeClaimTemplates": [KUBIA_CLAIM_TEMPLATE],
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "revisionHistoryLimit": 10,
        },
        "status": {"replicas": 0, "availableReplicas": 0},
    }


def test_kubia_revision_data_bytes() -> None:
    """The bytes kubectl compares for "skipped rollback" (KUBECTL-PROTOCOL.md §6.11).

    The protocol notes' example shows IfNotPresent, recorded from a test server; upstream defaults an
    untagged image such as luksa/kubia-pet to Always.
    """
    sts = defaulted(one(CHAPTER10 / "kubia-statefulset.yaml", "StatefulSet"))
    template = {**sts["spec"]["template"], "$patch": "replace"}
    assert canonical_bytes({"spec": {"template": template}}) == (
        b'{"spec":{"template":{"$patch":"replace",'
        b'"metadata":{"creationTimestamp":null,"labels":{"app":"kubia"}},'
        b'"spec":{"containers":[{"image":"luksa/kubia-pet","imagePullPolicy":"Always","name":"kubia",'
        b'"ports":[{"containerPort":8080,"name":"http","protocol":"TCP"}],"resources":{},'
        b'"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",'
        b'"volumeMounts":[{"mountPath":"/var/data","name":"data"}]}],"dnsPolicy":"ClusterFirst",'
        b'"restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},'
        b'"terminationGracePeriodSeconds":30}}}}'
    )


def test_kubia_peers_v1beta1_defaults() -> None:
    sts = defaulted(one(CHAPTER10 / "kubia-statefulset-peers.yaml", "StatefulSet"))
    assert sts["apiVersion"] == "apps/v1beta1"
    assert sts["metadata"] == {"name": "kubia", "labels": {"app": "kubia"}}
    spec = sts["spec"]
    assert spec["selector"] == {"matchLabels": {"app": "kubia"}}
    assert spec["selector"]["matchLabels"] is not spec["template"]["metadata"]["labels"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["replicas"] == 3
    assert spec["revisionHistoryLimit"] == 10
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    assert spec["volumeClaimTemplates"][0]["status"] == {"phase": "Pending"}


def test_kubia_peers_converted_to_v1_and_back() -> None:
    given = one(CHAPTER10 / "kubia-statefulset-peers.yaml", "StatefulSet")
    pristine = copy.deepcopy(given)
    v1 = convert_statefulset_v1beta1_to_v1(given)
    assert given == pristine
    assert v1["apiVersion"] == "apps/v1"
    assert v1["metadata"]["labels"] == {"app": "kubia"}
    assert v1["spec"]["selector"] == {"matchLabels": {"app": "kubia"}}
    assert v1["spec"]["updateStrategy"] == {"type": "OnDelete"}
    assert v1["spec"]["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    assert v1["spec"]["template"]["spec"] == {
        **KUBIA_TEMPLATE_SPEC,
        "containers": [{**PET_CONTAINER, "image": "luksa/kubia-pet-peers"}],
    }
    assert v1["status"] == {"replicas": 0, "availableReplicas": 0}
    assert canonical_bytes(defaulted(v1)) == canonical_bytes(v1)

    back = convert_statefulset_v1_to_v1beta1(v1)
    assert back["apiVersion"] == "apps/v1beta1"
    assert back["spec"] == v1["spec"]
    assert back["status"] == {"observedGeneration": 0, "replicas": 0, "availableReplicas": 0}


def test_v1beta1_status_observed_generation() -> None:
    sts = defaulted(one(CHAPTER10 / "kubia-statefulset.yaml", "StatefulSet"))
    sts["status"] = {"observedGeneration": 3, "replicas": 2, "readyReplicas": 2, "availableReplicas": 2}
    back = convert_statefulset_v1_to_v1beta1(sts)
    assert back["status"]["observedGeneration"] == 3
    again = convert_statefulset_v1beta1_to_v1({**back, "status": {**back["status"], "observedGeneration": 0}})
    assert "observedGeneration" not in again["status"]


def test_v1beta1_rolling_update_and_empty_template_labels() -> None:
    sts = {
        "apiVersion": "apps/v1beta1",
        "kind": "StatefulSet",
        "metadata": {"name": "x"},
        "spec": {
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {}},
            "template": {"metadata": {"labels": {}}},
        },
    }
    v1 = convert_statefulset_v1beta1_to_v1(sts)
    assert v1["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert v1["spec"]["selector"] == {}


# --------------------------------------------------------------------------------------------------
# The update strategy quirk (STATEFULSET-SPEC.md §1.2)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
        ({}, {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
        ({"type": "RollingUpdate"}, {"type": "RollingUpdate"}),
        (
            {"type": "RollingUpdate", "rollingUpdate": {}},
            {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        ),
        (
            {"type": "RollingUpdate", "rollingUpdate": {"partition": 3}},
            {"type": "RollingUpdate", "rollingUpdate": {"partition": 3}},
        ),
        ({"type": "OnDelete"}, {"type": "OnDelete"}),
        ({"rollingUpdate": {"partition": 2}}, {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}),
    ],
)
def test_update_strategy_quirk(given: JSON | None, expected: JSON) -> None:
    sts: JSON = {"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {}}
    if given is not None:
        sts["spec"]["updateStrategy"] = given
    apply_defaults("apps", "v1", "StatefulSet", sts)
    assert sts["spec"]["updateStrategy"] == expected


def test_zookeeper_explicit_rolling_update_gets_no_partition() -> None:
    sts = defaulted(one(DOCS / "zookeeper.yaml", "StatefulSet"))
    assert sts["spec"]["updateStrategy"] == {"type": "RollingUpdate"}
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"] == {"requests": {"memory": "1Gi", "cpu": "500m"}}
    assert container["imagePullPolicy"] == "Always"
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe] == {
            "exec": {"command": ["sh", "-c", "zookeeper-ready 2181"]},
            "initialDelaySeconds": 10,
            "timeoutSeconds": 5,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
    assert sts["spec"]["template"]["spec"]["securityContext"] == {"runAsUser": 1000, "fsGroup": 1000}
    assert (
        sts["spec"]["template"]["spec"]["affinity"]
        == one(DOCS / "zookeeper.yaml", "StatefulSet")["spec"]["template"]["spec"]["affinity"]
    )


def test_partitioned_quiz() -> None:
    sts = defaulted(one(CHAPTER16 / "sts.quiz.0.2.partition.yaml", "StatefulSet"))
    spec = sts["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 3}}
    api, mongo = spec["template"]["spec"]["containers"]
    assert api["imagePullPolicy"] == "IfNotPresent"
    assert api["readinessProbe"] == {
        "httpGet": {"port": 8080, "path": "/healthz/ready", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert mongo["imagePullPolicy"] == "IfNotPresent"
    assert spec["template"]["spec"]["volumes"] == [
        {"name": "db-data", "persistentVolumeClaim": {"claimName": "db-data"}}
    ]
    claim = spec["volumeClaimTemplates"][0]
    assert claim["metadata"] == {"name": "db-data", "labels": {"app": "quiz"}, "creationTimestamp": None}


def test_min_ready_seconds() -> None:
    sts = defaulted(one(CHAPTER16 / "sts.quiz.orderedReady.readinessProbe.yaml", "StatefulSet"))
    assert sts["spec"]["minReadySeconds"] == 10
    zero = defaulted({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {"minReadySeconds": 0}})
    assert "minReadySeconds" not in zero["spec"]
    absent = defaulted({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {}})
    assert "minReadySeconds" not in absent["spec"]
    assert absent["spec"]["serviceName"] == ""


def test_web_statefulset_and_headless_service() -> None:
    service = defaulted(one(DOCS / "web.yaml", "Service"))
    assert service["spec"] == {
        "ports": [{"port": 80, "name": "web", "protocol": "TCP", "targetPort": 80}],
        "clusterIP": "None",
        "selector": {"app": "nginx"},
        "sessionAffinity": "None",
        "type": "ClusterIP",
        "internalTrafficPolicy": "Cluster",
    }
    assert service["status"] == {"loadBalancer": {}}
    assert init_service_ip_families(service) == []
    normalize_cluster_ips(service)
    assert service["spec"]["ipFamilyPolicy"] == "SingleStack"
    assert service["spec"]["ipFamilies"] == ["IPv4"]
    assert service["spec"]["clusterIPs"] == ["None"]

    sts = defaulted(one(DOCS / "web.yaml", "StatefulSet"))
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.k8s.io/nginx-slim:0.8"
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}},
        "volumeMode": "Filesystem",
    }


def test_mysql_template() -> None:
    sts = defaulted(one(DOCS / "mysql-statefulset.yaml", "StatefulSet"))
    spec = sts["spec"]["template"]["spec"]
    assert spec["volumes"] == [
        {"name": "conf", "emptyDir": {}},
        {"name": "config-map", "configMap": {"name": "mysql", "defaultMode": 420}},
    ]
    for init in spec["initContainers"]:
        assert init["terminationMessagePolicy"] == "File"
        assert init["resources"] == {}
    assert spec["initContainers"][1]["imagePullPolicy"] == "IfNotPresent"
    mysql, xtrabackup = spec["containers"]
    assert mysql["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"}}
    assert mysql["env"] == [{"name": "MYSQL_ALLOW_EMPTY_PASSWORD", "value": "1"}]
    assert mysql["livenessProbe"]["timeoutSeconds"] == 5
    assert mysql["readinessProbe"]["periodSeconds"] == 2
    assert xtrabackup["resources"] == {"requests": {"cpu": "100m", "memory": "100Mi"}}
    # A template is not a pod: no enableServiceLinks, no requests copied from limits.
    assert "enableServiceLinks" not in spec


def test_cassandra_template_and_storage_class() -> None:
    sts = defaulted(one(DOCS / "cassandra-statefulset.yaml", "StatefulSet"))
    spec = sts["spec"]["template"]["spec"]
    assert spec["terminationGracePeriodSeconds"] == 1800
    container = spec["containers"][0]
    assert container["resources"] == {
        "limits": {"cpu": "500m", "memory": "1Gi"},
        "requests": {"cpu": "500m", "memory": "1Gi"},
    }
    assert container["env"][-1] == {
        "name": "POD_IP",
        "valueFrom": {"fieldRef": {"fieldPath": "status.podIP", "apiVersion": "v1"}},
    }
    assert container["lifecycle"] == {"preStop": {"exec": {"command": ["/bin/sh", "-c", "nodetool drain"]}}}
    assert [p["protocol"] for p in container["ports"]] == ["TCP"] * 4
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast"

    storage_class = defaulted(one(DOCS / "cassandra-statefulset.yaml", "StorageClass"))
    assert storage_class["reclaimPolicy"] == "Delete"
    assert storage_class["volumeBindingMode"] == "Immediate"
    assert storage_class["provisioner"] == "k8s.io/minikube-hostpath"


def test_hostpath_persistent_volumes() -> None:
    for pv in load(CHAPTER10 / "persistent-volumes-hostpath.yaml"):
        pv = defaulted(pv)
        name = pv["metadata"]["name"]
        assert pv["spec"] == {
            "capacity": {"storage": "1Mi"},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Recycle",
            "hostPath": {"path": f"/tmp/{name}", "type": ""},
            "volumeMode": "Filesystem",
        }
        assert pv["status"] == {"phase": "Pending"}
    gce = defaulted(load(CHAPTER10 / "persistent-volumes-gcepd.yaml")[0])
    assert gce["spec"]["persistentVolumeReclaimPolicy"] == "Recycle"


def test_zookeeper_pdb() -> None:
    pdb = defaulted(one(DOCS / "zookeeper.yaml", "PodDisruptionBudget"))
    assert pdb["spec"] == {"selector": {"matchLabels": {"app": "zk"}}, "maxUnavailable": 1}
    assert pdb["status"] == {
        "currentHealthy": 0,
        "desiredHealthy": 0,
        "disruptionsAllowed": 0,
        "expectedPods": 0,
    }


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_examples_default_idempotently(path: Path) -> None:
    for doc in load(path):
        once = defaulted(doc)
        twice = defaulted(once)
        assert canonical_bytes(once) == canonical_bytes(twice)
        assert canonical_bytes(defaulted(doc)) == canonical_bytes(once)


# --------------------------------------------------------------------------------------------------
# Pods


def pod(**spec: Any) -> JSON:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": spec,
    }


def test_pod_defaults() -> None:
    given = pod(
        containers=[
            {
                "name": "app",
                "image": "nginx",
                "resources": {"limits": {"cpu": "0.5", "memory": "128Mi"}, "requests": {"memory": "64Mi"}},
                "livenessProbe": {"httpGet": {"port": 80}},
                "startupProbe": {"tcpSocket": {"port": 80}, "failureThreshold": 30},
                "lifecycle": {"postStart": {"httpGet": {"port": 80, "path": "/start"}}},
                "env": [{"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}],
            }
        ]
    )
    result = defaulted(given)
    spec = result["spec"]
    assert spec["enableServiceLinks"] is True
    assert spec["dnsPolicy"] == "ClusterFirst"
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "Always"
    assert container["resources"] == {
        "limits": {"cpu": "500m", "memory": "128Mi"},
        "requests": {"cpu": "500m", "memory": "64Mi"},
    }
    assert container["livenessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert container["startupProbe"]["failureThreshold"] == 30
    assert container["lifecycle"]["postStart"]["httpGet"] == {"port": 80, "path": "/start", "scheme": "HTTP"}
    assert container["env"][0]["valueFrom"] == {
        "resourceFieldRef": {"resource": "limits.cpu", "divisor": "0"}
    }
    assert result["status"] == {}
    assert canonical_bytes(defaulted(result)) == canonical_bytes(result)


def test_pod_resource_lists_round_up_to_milli() -> None:
    result = defaulted(
        pod(
            containers=[
                {
                    "name": "a",
                    "resources": {"requests": {"cpu": "100u", "memory": 1024}},
                    "image": "busybox:1.36",
                }
            ]
        )
    )
    assert result["spec"]["containers"][0]["resources"] == {"requests": {"cpu": "1m", "memory": "1024"}}
    empty = defaulted(pod(containers=[{"name": "a", "resources": {"limits": {}, "requests": None}}]))
    assert empty["spec"]["containers"][0]["resources"] == {}


def test_pod_volumes() -> None:
    result = defaulted(
        pod(
            containers=[],
            volumes=[
                {"name": "scratch"},
                {"name": "cache", "emptyDir": {"sizeLimit": "1024Mi"}},
                {"name": "secret", "secret": {"secretName": "s"}},
                {"name": "host", "hostPath": {"path": "/tmp"}},
                {
                    "name": "info",
                    "downwardAPI": {
                        "items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]
                    },
                },
                {
                    "name": "token",
                    "projected": {
                        "sources": [
                            {"serviceAccountToken": {"path": "token"}},
                            {
                                "downwardAPI": {
                                    "items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]
                                }
                            },
                        ]
                    },
                },
                {"name": "mode", "configMap": {"name": "c", "defaultMode": 256}},
                {
                    "name": "claim",
                    "ephemeral": {
                        "volumeClaimTemplate": {
                            "spec": {
                                "accessModes": ["ReadWriteOnce"],
                                "resources": {"requests": {"storage": "1024Ki"}},
                            }
                        }
                    },
                },
            ],
        )
    )
    volumes = {v["name"]: v for v in result["spec"]["volumes"]}
    assert volumes["scratch"] == {"name": "scratch", "emptyDir": {}}
    assert volumes["cache"]["emptyDir"] == {"sizeLimit": "1Gi"}
    assert volumes["secret"]["secret"] == {"secretName": "s", "defaultMode": 420}
    assert volumes["host"]["hostPath"] == {"path": "/tmp", "type": ""}
    assert volumes["info"]["downwardAPI"] == {
        "defaultMode": 420,
        "items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels", "apiVersion": "v1"}}],
    }
    assert volumes["token"]["projected"] == {
        "defaultMode": 420,
        "sources": [
            {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
            {
                "downwardAPI": {
                    "items": [
                        {"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace", "apiVersion": "v1"}}
                    ]
                }
            },
        ],
    }
    assert volumes["mode"]["configMap"]["defaultMode"] == 256
    assert volumes["claim"]["ephemeral"]["volumeClaimTemplate"] == {
        "metadata": {"creationTimestamp": None},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Mi"}},
            "volumeMode": "Filesystem",
        },
    }


def test_pod_user_values_are_kept() -> None:
    given = pod(
        restartPolicy="Never",
        dnsPolicy="Default",
        schedulerName="mine",
        terminationGracePeriodSeconds=0,
        securityContext={"runAsNonRoot": True},
        enableServiceLinks=False,
        containers=[
            {
                "name": "a",
                "image": "nginx:latest",
                "imagePullPolicy": "Never",
                "terminationMessagePath": "/tmp/x",
                "terminationMessagePolicy": "FallbackToLogsOnError",
                "ports": [{"containerPort": 53, "protocol": "UDP"}],
                "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 2},
            }
        ],
    )
    result = defaulted(given)
    for key in (
        "restartPolicy",
        "dnsPolicy",
        "schedulerName",
        "terminationGracePeriodSeconds",
        "securityContext",
        "enableServiceLinks",
    ):
        assert result["spec"][key] == given["spec"][key]
    container = result["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "Never"
    assert container["terminationMessagePath"] == "/tmp/x"
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert container["ports"][0]["protocol"] == "UDP"
    assert container["readinessProbe"]["periodSeconds"] == 2


def test_zero_probe_fields_are_defaulted_like_go() -> None:
    result = defaulted(pod(containers=[{"name": "a", "readinessProbe": {"timeoutSeconds": 0, "exec": {}}}]))
    assert result["spec"]["containers"][0]["readinessProbe"]["timeoutSeconds"] == 1


def test_host_network_ports_and_service_account_alias() -> None:
    result = defaulted(
        pod(
            hostNetwork=True,
            serviceAccount="builder",
            containers=[
                {"name": "a", "ports": [{"containerPort": 8080}, {"containerPort": 53, "hostPort": 5353}]}
            ],
        )
    )
    assert [p["hostPort"] for p in result["spec"]["containers"][0]["ports"]] == [8080, 5353]
    assert result["spec"]["serviceAccountName"] == "builder"
    assert result["spec"]["serviceAccount"] == "builder"
    both = defaulted(pod(serviceAccount="old", serviceAccountName="new", containers=[]))
    assert both["spec"]["serviceAccount"] == both["spec"]["serviceAccountName"] == "new"


def test_pod_status_ips() -> None:
    given = pod(containers=[])
    given["status"] = {
        "phase": "Running",
        "podIP": "10.0.0.5",
        "hostIP": "192.168.1.2",
        "hostIPs": [{"ip": "192.168.1.2"}],
    }
    status = defaulted(given)["status"]
    assert status["podIPs"] == [{"ip": "10.0.0.5"}]
    assert status["hostIPs"] == [{"ip": "192.168.1.2"}]
    plural_only = pod(containers=[])
    plural_only["status"] = {"podIPs": [{"ip": "10.0.0.6"}]}
    assert defaulted(plural_only)["status"]["podIP"] == "10.0.0.6"


@pytest.mark.parametrize(
    ("image", "tag", "policy"),
    [
        ("nginx", "latest", "Always"),
        ("nginx:latest", "latest", "Always"),
        ("nginx:1.25", "1.25", "IfNotPresent"),
        ("luksa/kubia-pet", "latest", "Always"),
        ("registry.k8s.io/nginx-slim:0.8", "0.8", "IfNotPresent"),
        ("localhost:5000/app", "latest", "Always"),
        ("localhost:5000/app:v1", "v1", "IfNotPresent"),
        ("myregistry.io:443/team/app", "latest", "Always"),
        ("nginx@sha256:" + "a" * 64, "", "IfNotPresent"),
        ("nginx:latest@sha256:" + "a" * 64, "latest", "Always"),
        ("nginx:latest@sha256:abc", "", "IfNotPresent"),
        ("Nginx", "", "IfNotPresent"),
        ("", "", "IfNotPresent"),
        ("a" * 64, "", "IfNotPresent"),
        ("[::1]:5000/app", "latest", "Always"),
    ],
)
def test_image_pull_policy(image: str, tag: str, policy: str) -> None:
    assert image_tag(image) == tag
    result = defaulted(pod(containers=[{"name": "a", "image": image}]))
    assert result["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_pod_list_items() -> None:
    listed: JSON = {"apiVersion": "v1", "kind": "PodList", "items": [pod(containers=[{"name": "a"}])]}
    apply_defaults("", "v1", "PodList", listed)
    assert listed["items"][0]["spec"]["restartPolicy"] == "Always"


# --------------------------------------------------------------------------------------------------
# Admission


def test_admit_pod_on_create() -> None:
    created = defaulted(pod(containers=[{"name": "a", "image": "nginx"}]))
    assert admit_pod(created) == []
    spec = created["spec"]
    assert spec["serviceAccountName"] == spec["serviceAccount"] == "default"
    assert spec["priority"] == 0
    assert spec["preemptionPolicy"] == "PreemptLowerPriority"
    assert "priorityClassName" not in spec
    assert spec["tolerations"] == [
        {
            "key": "node.kubernetes.io/not-ready",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
        {
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
    ]
    before = canonical_bytes(created)
    assert admit_pod(created, old=copy.deepcopy(created)) == []
    assert canonical_bytes(created) == before


def test_admit_pod_respects_existing_tolerations_and_accounts() -> None:
    given = pod(
        serviceAccountName="builder",
        containers=[],
        tolerations=[
            {
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 5,
            },
        ],
    )
    assert admit_pod(given) == []
    assert given["spec"]["serviceAccountName"] == "builder"
    assert [t["key"] for t in given["spec"]["tolerations"]] == [
        "node.kubernetes.io/unreachable",
        "node.kubernetes.io/not-ready",
    ]
    tolerate_all = pod(containers=[], tolerations=[{"operator": "Exists"}])
    admit_pod(tolerate_all)
    assert tolerate_all["spec"]["tolerations"] == [{"operator": "Exists"}]


def test_admit_pod_mirror_and_priority() -> None:
    mirror = pod(containers=[])
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "x"}
    admit_pod(mirror)
    assert "serviceAccountName" not in mirror["spec"]

    critical = pod(containers=[], priorityClassName="system-node-critical")
    assert admit_pod(critical) == []
    assert critical["spec"]["priority"] == 2000001000

    unknown = pod(containers=[], priorityClassName="gold")
    assert admit_pod(unknown) == ["no PriorityClass with name gold was found"]

    forced = pod(containers=[], priority=7)
    assert admit_pod(forced) == [
        "the integer value of priority (7) must not be provided in pod spec; "
        "priority admission controller computed 0 from the given PriorityClass name"
    ]

    updated = pod(containers=[])
    admit_pod(updated, old={"spec": {"priority": 0, "preemptionPolicy": "PreemptLowerPriority"}})
    assert updated["spec"]["priority"] == 0
    assert "serviceAccountName" not in updated["spec"]


def test_template_pods_get_no_admission_defaults() -> None:
    sts = defaulted(one(CHAPTER10 / "kubia-statefulset.yaml", "StatefulSet"))
    spec = sts["spec"]["template"]["spec"]
    for key in ("serviceAccountName", "priority", "tolerations", "enableServiceLinks"):
        assert key not in spec


# --------------------------------------------------------------------------------------------------
# Services


def service(**spec: Any) -> JSON:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": spec}


def test_service_types() -> None:
    node_port = defaulted(service(type="NodePort", ports=[{"port": 80, "targetPort": "http"}]))["spec"]
    assert node_port["externalTrafficPolicy"] == "Cluster"
    assert node_port["internalTrafficPolicy"] == "Cluster"
    assert node_port["ports"] == [{"port": 80, "targetPort": "http", "protocol": "TCP"}]

    balancer = service(type="LoadBalancer", ports=[{"port": 443, "targetPort": 0}])
    balancer["status"] = {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}, {"hostname": "lb.example"}]}}
    balancer = defaulted(balancer)
    assert balancer["spec"]["allocateLoadBalancerNodePorts"] is True
    assert balancer["spec"]["ports"][0]["targetPort"] == 443
    assert balancer["status"]["loadBalancer"]["ingress"] == [
        {"ip": "1.2.3.4", "ipMode": "VIP"},
        {"hostname": "lb.example"},
    ]

    external = defaulted(service(type="ExternalName", externalName="example.com"))["spec"]
    assert "internalTrafficPolicy" not in external
    assert "externalTrafficPolicy" not in external

    external_ips = defaulted(service(externalIPs=["1.2.3.4"]))["spec"]
    assert external_ips["externalTrafficPolicy"] == "Cluster"


def test_service_session_affinity() -> None:
    client_ip = defaulted(service(sessionAffinity="ClientIP"))["spec"]
    assert client_ip["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    kept = defaulted(
        service(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})
    )
    assert kept["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 60}}
    dropped = defaulted(service(sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}}))["spec"]
    assert dropped["sessionAffinity"] == "None"
    assert "sessionAffinityConfig" not in dropped


def test_service_ip_families() -> None:
    selectorless = service(clusterIP="None", ports=[{"port": 80}])
    assert init_service_ip_families(selectorless) == []
    assert selectorless["spec"]["ipFamilyPolicy"] == "RequireDualStack"
    assert selectorless["spec"]["ipFamilies"] == ["IPv4", "IPv6"]

    allocated = service(clusterIP="10.96.0.10", selector={"app": "x"})
    normalize_cluster_ips(allocated)
    assert init_service_ip_families(allocated) == []
    assert allocated["spec"]["clusterIPs"] == ["10.96.0.10"]
    assert allocated["spec"]["ipFamilies"] == ["IPv4"]

    external = service(type="ExternalName", externalName="x.example")
    assert init_service_ip_families(external) == []
    assert "ipFamilyPolicy" not in external["spec"]

    v6 = service(clusterIP="fd00::1", clusterIPs=["fd00::1"], selector={"a": "b"})
    assert [str(e) for e in init_service_ip_families(v6)] == [
        'spec.clusterIPs[0]: Invalid value: []string{"fd00::1"}: IPv6 is not configured on this cluster'
    ]
    dual = service(ipFamilyPolicy="RequireDualStack", selector={"a": "b"})
    assert [str(e) for e in init_service_ip_families(dual)] == [
        'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": '
        "this cluster is not configured for dual-stack services"
    ]
    families = service(ipFamilies=["IPv6"], selector={"a": "b"})
    assert [str(e) for e in init_service_ip_families(families)] == [
        'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'
    ]


def test_service_ip_fields_on_update() -> None:
    old = service(
        clusterIP="10.96.0.10",
        clusterIPs=["10.96.0.10"],
        ipFamilyPolicy="SingleStack",
        ipFamilies=["IPv4"],
        selector={"a": "b"},
    )
    new = service(clusterIP="10.96.0.10", selector={"a": "b"})
    normalize_cluster_ips(new, old)
    assert init_service_ip_families(new, old) == []
    assert new["spec"]["clusterIPs"] == ["10.96.0.10"]
    assert new["spec"]["ipFamilyPolicy"] == "SingleStack"
    assert new["spec"]["ipFamilies"] == ["IPv4"]


# --------------------------------------------------------------------------------------------------
# The other kinds


def test_persistent_volume_claim() -> None:
    claim = defaulted(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "c"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1024Mi"}}},
        }
    )
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}},
        "volumeMode": "Filesystem",
    }
    assert claim["status"] == {"phase": "Pending"}
    bound = defaulted({**claim, "status": {"phase": "Bound", "capacity": {"storage": "1024Mi"}}})
    assert bound["status"] == {"phase": "Bound", "capacity": {"storage": "1Gi"}}


def test_namespace() -> None:
    namespace = defaulted(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "team", "labels": {"kubernetes.io/metadata.name": "wrong", "x": "y"}},
        }
    )
    assert namespace["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team", "x": "y"}
    assert namespace["status"] == {"phase": "Active"}
    assert namespace["spec"] == {}
    prepare_namespace_for_create(namespace)
    assert namespace["spec"] == {"finalizers": ["kubernetes"]}
    # Defaulting on a later update must not bring back a finalizer the controller removed.
    namespace["spec"] = {}
    namespace["status"] = {"phase": "Terminating"}
    apply_defaults("", "v1", "Namespace", namespace)
    assert namespace["spec"] == {}
    assert namespace["status"] == {"phase": "Terminating"}
    generated = defaulted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"generateName": "t-"}})
    assert "labels" not in generated["metadata"]


def test_node() -> None:
    node = defaulted(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "n1"},
            "spec": {"podCIDR": "10.244.1.0/24"},
            "status": {"capacity": {"cpu": "4", "memory": "8388608Ki", "pods": "110"}},
        }
    )
    assert node["spec"] == {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]}
    assert node["status"]["allocatable"] == {"cpu": "4", "memory": "8Gi", "pods": "110"}
    assert node["status"]["capacity"]["memory"] == "8Gi"
    assert node["status"]["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 0}}
    assert node["status"]["nodeInfo"]["kubeletVersion"] == ""


def test_secret() -> None:
    secret = defaulted(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "s"},
            "data": {"a": "b2xk"},
            "stringData": {"a": "new", "b": "ünï"},
        }
    )
    assert secret == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "type": "Opaque",
        "data": {"a": "bmV3", "b": "w7xuw68="},
    }
    typed = defaulted({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls"})
    assert typed["type"] == "kubernetes.io/tls"


def test_endpoints_and_slices() -> None:
    endpoints = defaulted(
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "subsets": [
                {"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}
            ],
        }
    )
    assert endpoints["subsets"][0]["ports"] == [
        {"port": 80, "protocol": "TCP"},
        {"port": 53, "protocol": "UDP"},
    ]
    slice_ = defaulted(
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.1"]}],
            "ports": [{"port": 80}],
        }
    )
    assert slice_["ports"] == [{"port": 80, "name": "", "protocol": "TCP"}]
    assert slice_["endpoints"] == [{"addresses": ["10.0.0.1"], "conditions": {}}]


def test_kinds_without_defaults() -> None:
    for obj in (
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}},
    ):
        assert defaulted(obj) == obj
    lease = defaulted({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "n1"}})
    assert lease["spec"] == {}
    revision = defaulted({"apiVersion": "apps/v1", "kind": "ControllerRevision", "data": {}})
    assert revision["revision"] == 0


CORE_EVENT = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": "kubia.1", "namespace": "default"},
    "involvedObject": {
        "kind": "StatefulSet",
        "namespace": "default",
        "name": "kubia",
        "apiVersion": "apps/v1",
    },
    "reason": "SuccessfulCreate",
    "message": "create Pod kubia-0 in StatefulSet kubia successful",
    "source": {"component": "statefulset-controller"},
    "firstTimestamp": "2026-11-28T15:45:21Z",
    "lastTimestamp": "2026-11-28T15:45:21Z",
    "count": 1,
    "type": "Normal",
    "eventTime": None,
    "reportingComponent": "statefulset-controller",
    "reportingInstance": "",
}


def test_events() -> None:
    minimal = defaulted({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "message": "m"})
    assert minimal == {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "e"},
        "message": "m",
        "involvedObject": {},
        "source": {},
        "firstTimestamp": None,
        "lastTimestamp": None,
        "eventTime": None,
        "reportingComponent": "",
        "reportingInstance": "",
    }
    assert defaulted(CORE_EVENT) == CORE_EVENT

    new_style = convert_event_core_to_events_v1(CORE_EVENT)
    assert new_style == {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "kubia.1", "namespace": "default"},
        "regarding": CORE_EVENT["involvedObject"],
        "reason": "SuccessfulCreate",
        "note": "create Pod kubia-0 in StatefulSet kubia successful",
        "deprecatedSource": {"component": "statefulset-controller"},
        "deprecatedFirstTimestamp": "2026-11-28T15:45:21Z",
        "deprecatedLastTimestamp": "2026-11-28T15:45:21Z",
        "deprecatedCount": 1,
        "type": "Normal",
        "eventTime": None,
        "reportingController": "statefulset-controller",
    }
    assert defaulted(new_style) == new_style
    assert convert_event_events_v1_to_core(new_style) == CORE_EVENT

    series = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "e2"},
        "eventTime": "2026-11-28T15:45:21.000000Z",
        "series": {"count": 2, "lastObservedTime": "2026-11-28T15:46:21.000000Z"},
        "reportingController": "kubelet",
        "reportingInstance": "node-1",
        "action": "Pulling",
        "reason": "Pulling",
        "regarding": {"kind": "Pod", "name": "kubia-0"},
        "related": {"kind": "Node", "name": "node-1"},
        "note": "Pulling image",
        "type": "Normal",
    }
    core = convert_event_events_v1_to_core(series)
    assert core["involvedObject"] == {"kind": "Pod", "name": "kubia-0"}
    assert core["message"] == "Pulling image"
    assert core["series"] == series["series"]
    assert core["related"] == series["related"]
    assert core["reportingComponent"] == "kubelet"
    assert core["reportingInstance"] == "node-1"
    assert core["firstTimestamp"] is None and core["lastTimestamp"] is None
    assert core["source"] == {}
    assert "count" not in core
    assert convert_event_core_to_events_v1(core) == {**defaulted(series)}


# --------------------------------------------------------------------------------------------------
# Disabled fields


def test_max_unavailable_is_kept() -> None:
    # petset serves MaxUnavailableStatefulSet as on: the field survives create and update.
    new = defaulted(one(CHAPTER10 / "kubia-statefulset.yaml", "StatefulSet"))
    new["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] = 2
    old = copy.deepcopy(new)
    drop_disabled_fields(new, None)
    assert new["spec"]["updateStrategy"]["rollingUpdate"] == {"partition": 0, "maxUnavailable": 2}
    kept = copy.deepcopy(old)
    drop_disabled_fields(kept, old)
    assert kept["spec"]["updateStrategy"]["rollingUpdate"] == {"partition": 0, "maxUnavailable": 2}


def test_drop_alpha_pod_fields() -> None:
    given = pod(
        resources={"limits": {"cpu": "1"}},
        hostUsers=False,
        resourceClaims=[{"name": "gpu"}],
        containers=[
            {
                "name": "a",
                "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
                "resources": {"claims": [{"name": "gpu"}]},
            }
        ],
        volumes=[{"name": "img", "image": {"reference": "busybox"}}],
    )
    new = copy.deepcopy(given)
    drop_disabled_fields(new, None)
    assert new["spec"] == {"containers": [{"name": "a", "resources": {}}], "volumes": [{"name": "img"}]}
    in_use = copy.deepcopy(given)
    drop_disabled_fields(in_use, given)
    assert in_use == given


# --------------------------------------------------------------------------------------------------
# Malformed input is left alone


@pytest.mark.parametrize(
    ("group", "version", "kind", "obj"),
    [
        ("apps", "v1", "StatefulSet", {"spec": []}),
        (
            "apps",
            "v1",
            "StatefulSet",
            {"spec": {"template": "x", "updateStrategy": 5, "volumeClaimTemplates": {}}},
        ),
        (
            "apps",
            "v1",
            "StatefulSet",
            {
                "spec": {
                    "template": {"metadata": [], "spec": {"containers": "c"}},
                    "volumeClaimTemplates": ["x", {"spec": 3}],
                }
            },
        ),
        ("apps", "v1beta1", "StatefulSet", {"spec": {"template": {"metadata": "x"}}}),
        (
            "",
            "v1",
            "Pod",
            {
                "spec": {
                    "containers": [
                        1,
                        {
                            "name": "a",
                            "ports": "p",
                            "resources": {"limits": {"cpu": "lots", "memory": True}, "requests": "x"},
                            "image": 7,
                            "livenessProbe": {"timeoutSeconds": "1"},
                        },
                    ],
                    "volumes": [None, {"name": "v", "secret": []}],
                    "hostNetwork": True,
                },
                "status": [],
            },
        ),
        (
            "",
            "v1",
            "Service",
            {
                "spec": {
                    "ports": [{"port": "80"}],
                    "type": 3,
                    "sessionAffinity": "ClientIP",
                    "sessionAffinityConfig": 1,
                }
            },
        ),
        ("", "v1", "Secret", {"stringData": {"a": 1}}),
        ("", "v1", "Node", {"status": {"capacity": [], "nodeInfo": 3}}),
        ("", "v1", "Namespace", {"metadata": {"name": "x", "labels": []}}),
        ("", "v1", "Event", {"source": "x"}),
        ("", "v1", "PersistentVolumeClaim", {"spec": {"resources": {"requests": {"storage": "1Gb"}}}}),
    ],
)
def test_malformed_input_does_not_crash(group: str, version: str, kind: str, obj: JSON) -> None:
    apply_defaults(group, version, kind, obj)
    once = canonical_bytes(obj)
    apply_defaults(group, version, kind, obj)
    assert canonical_bytes(obj) == once


def test_malformed_values_are_kept() -> None:
    claim = defaulted(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "spec": {"resources": {"requests": {"storage": "1Gb"}}, "volumeMode": 5},
        }
    )
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gb"
    assert claim["spec"]["volumeMode"] == 5
    sts = defaulted({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {"template": "x"}})
    assert sts["spec"]["template"] == "x"


def test_unknown_kinds_and_non_objects() -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Thing", "spec": {}}
    apply_defaults("example.com", "v1", "Thing", obj)
    assert obj == {"apiVersion": "example.com/v1", "kind": "Thing", "spec": {}}
    apply_defaults("", "v1", "Pod", [])  # type: ignore[arg-type]
