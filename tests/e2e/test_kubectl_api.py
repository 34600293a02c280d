"""Real kubectl against a real `petset up`: the API server's behaviour as kubectl sees it.

Every test runs with the pinned kubectl and with /usr/bin/kubectl when the machine has one.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from tests.conftest import CHAPTER10
from tests.support.kubectl import Kubectl

SERVICE = CHAPTER10 / "kubia-service-headless.yaml"
PUBLIC_SERVICE = CHAPTER10 / "kubia-service-public.yaml"
STATEFULSET = CHAPTER10 / "kubia-statefulset.yaml"
PEERS = CHAPTER10 / "kubia-statefulset-peers.yaml"
PV_HOSTPATH = CHAPTER10 / "persistent-volumes-hostpath.yaml"
PV_GCEPD = CHAPTER10 / "persistent-volumes-gcepd.yaml"


def _configmap(kubectl: Kubectl, name: str) -> None:
    kubectl.run("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                       "metadata": {"name": name}}))


def _deleted(out: str) -> list[str]:
    """Deletion lines without the " from <ns> namespace" that kubectl 1.33+ appends."""
    return [re.sub(r" from \S+ namespace$", "", line) for line in out.strip().splitlines()]


def _columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_version_and_api_resources(kubectl: Kubectl) -> None:
    out = kubectl.run("version", "-o", "json").stdout
    server = json.loads(out)["serverVersion"]
    assert (server["major"], server["minor"]) == ("1", "32")
    resources = kubectl.run("api-resources").stdout.splitlines()
    header = resources[0].split()
    assert header == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    rows = {line.split()[0]: line.split() for line in resources[1:]}
    assert rows["statefulsets"][1:] == ["sts", "apps/v1", "true", "StatefulSet"]
    assert rows["persistentvolumes"][1:] == ["pv", "v1", "false", "PersistentVolume"]
    assert rows["pods"][1:] == ["po", "v1", "true", "Pod"]
    assert "controllerrevisions" in rows and "endpointslices" in rows and "leases" in rows


def test_create_the_books_service_and_statefulset(kubectl: Kubectl) -> None:
    out = kubectl.run("create", "-f", str(SERVICE), "-f", str(STATEFULSET)).stdout
    assert out.splitlines() == ["service/kubia created", "statefulset.apps/kubia created"]
    again = kubectl.run("create", "-f", str(SERVICE), check=False)
    assert again.returncode == 1
    assert 'Error from server (AlreadyExists): error when creating' in again.stderr
    assert 'services "kubia" already exists' in again.stderr
    sts = kubectl.json("get", "sts", "kubia")
    assert sts["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert sts["spec"]["podManagementPolicy"] == "OrderedReady"
    assert sts["spec"]["revisionHistoryLimit"] == 10
    assert sts["metadata"]["generation"] == 1
    assert isinstance(sts["status"]["replicas"], int)
    template = sts["spec"]["template"]["spec"]
    assert template["restartPolicy"] == "Always" and template["terminationGracePeriodSeconds"] == 30
    assert template["containers"][0]["imagePullPolicy"] == "Always"
    svc = kubectl.json("get", "svc", "kubia")
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["ports"][0]["targetPort"] == 80


def test_book_apps_v1beta1_statefulset_is_converted(kubectl: Kubectl) -> None:
    out = kubectl.run("create", "-f", str(PEERS)).stdout
    assert out.strip() == "statefulset.apps/kubia created"
    sts = kubectl.json("get", "sts", "kubia")
    assert sts["apiVersion"] == "apps/v1"
    assert sts["spec"]["selector"] == {"matchLabels": {"app": "kubia"}}
    assert sts["spec"]["updateStrategy"] == {"type": "OnDelete"}
    assert sts["spec"]["replicas"] == 3


def test_get_columns_and_output_formats(kubectl: Kubectl) -> None:
    kubectl.run("create", "-f", str(SERVICE), "-f", str(PUBLIC_SERVICE), "-f", str(STATEFULSET))
    lines = kubectl.run("get", "sts").stdout.splitlines()
    assert lines[0].split() == ["NAME", "READY", "AGE"]
    assert _columns(lines[1])[0] == "kubia" and re.fullmatch(r"[0-2]/2", _columns(lines[1])[1])
    wide = kubectl.run("get", "sts", "-o", "wide").stdout.splitlines()
    assert wide[0].split() == ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]
    assert wide[1].split()[3:] == ["kubia", "luksa/kubia-pet"]
    svc = kubectl.run("get", "svc", "-o", "wide").stdout.splitlines()
    assert svc[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]
    rows = {line.split()[0]: line.split() for line in svc[1:]}
    assert rows["kubia"][1:5] == ["ClusterIP", "None", "<none>", "80/TCP"]
    assert rows["kubia-public"][1] == "ClusterIP" and rows["kubia-public"][2].startswith("10.")
    assert rows["kubia"][-1] == "app=kubia"
    names = kubectl.run("get", "all", "-o", "name").stdout.split()
    assert {"service/kubia", "service/kubia-public", "statefulset.apps/kubia"} <= set(names)
    table_all = kubectl.run("get", "all").stdout
    assert "service/kubia " in table_all and "statefulset.apps/kubia " in table_all
    doc = kubectl.run("get", "sts", "kubia", "-o", "yaml").stdout
    assert "kind: StatefulSet" in doc and "serviceName: kubia" in doc
    listed = kubectl.json("get", "svc")
    assert listed["kind"] == "List" and len(listed["items"]) == 2
    jsonpath = kubectl.run("get", "svc", "kubia", "-o", "jsonpath={.spec.clusterIP}").stdout
    assert jsonpath == "None"


def test_selectors_sorting_labels_and_all_namespaces(kubectl: Kubectl) -> None:
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        _configmap(kubectl, f"cm-{name}")
        kubectl.run("label", "configmap", f"cm-{name}", f"tier={tier}")
    web = kubectl.run("get", "cm", "-l", "tier=web", "-o", "name").stdout.split()
    assert web == ["configmap/cm-a", "configmap/cm-c"]
    not_web = kubectl.run("get", "cm", "-l", "tier!=web,tier", "-o", "name").stdout.split()
    assert not_web == ["configmap/cm-b"]
    by_field = kubectl.run("get", "cm", "--field-selector", "metadata.name!=cm-a", "-o", "name").stdout.split()
    assert "configmap/cm-a" not in by_field and "configmap/cm-b" in by_field
    shown = kubectl.run("get", "cm", "cm-b", "--show-labels").stdout.splitlines()
    assert shown[0].split()[-1] == "LABELS" and shown[1].split()[-1] == "tier=db"
    ordered = kubectl.run("get", "cm", "-l", "tier", "--sort-by=.metadata.labels.tier", "-o", "name").stdout.split()
    assert ordered[0] == "configmap/cm-b"
    everywhere = kubectl.run("get", "cm", "-A", "-l", "tier=db").stdout.splitlines()
    assert everywhere[0].split()[0] == "NAMESPACE"
    assert everywhere[1].split()[:2] == [kubectl.namespace, "cm-b"]
    bad = kubectl.run("get", "cm", "--field-selector", "spec.nope=1", check=False)
    assert bad.returncode == 1 and "BadRequest" in bad.stderr


def test_apply_twice_then_server_side(kubectl: Kubectl) -> None:
    first = kubectl.run("apply", "-f", str(SERVICE)).stdout.strip()
    assert first == "service/kubia created"
    second = kubectl.run("apply", "-f", str(SERVICE)).stdout.strip()
    assert second == "service/kubia unchanged"
    sts_first = kubectl.run("apply", "-f", str(STATEFULSET)).stdout.strip()
    assert sts_first == "statefulset.apps/kubia created"
    before = kubectl.json("get", "sts", "kubia")
    kubectl.run("apply", "-f", str(STATEFULSET))
    after = kubectl.json("get", "sts", "kubia")
    # kubectl re-sends the defaulted claim templates; the server sees no change to the spec.
    assert after["spec"] == before["spec"] and after["metadata"]["generation"] == 1
    ssa = kubectl.run("apply", "--server-side", "-f", str(PUBLIC_SERVICE)).stdout.strip()
    assert ssa == "service/kubia-public serverside-applied"
    again = kubectl.run("apply", "--server-side", "-f", str(PUBLIC_SERVICE)).stdout.strip()
    assert again == "service/kubia-public serverside-applied"
    assert kubectl.json("get", "svc", "kubia-public")["spec"]["ports"][0]["targetPort"] == 8080


def test_patch_strategic_json_and_merge(kubectl: Kubectl) -> None:
    kubectl.run("create", "-f", str(STATEFULSET))
    out = kubectl.run("patch", "sts", "kubia", "-p",
                      '{"spec":{"template":{"spec":{"containers":[{"name":"kubia","image":"luksa/kubia-pet:v2"}]}}}}')
    assert out.stdout.strip() == "statefulset.apps/kubia patched"
    sts = kubectl.json("get", "sts", "kubia")
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "luksa/kubia-pet:v2" and container["ports"][0]["containerPort"] == 8080
    assert sts["metadata"]["generation"] == 2
    same = kubectl.run("patch", "sts", "kubia", "-p",
                       '{"spec":{"template":{"spec":{"containers":[{"name":"kubia","image":"luksa/kubia-pet:v2"}]}}}}')
    assert same.stdout.strip() == "statefulset.apps/kubia patched (no change)"
    kubectl.run("patch", "sts", "kubia", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":3}]')
    kubectl.run("patch", "sts", "kubia", "--type=merge", "-p", '{"metadata":{"labels":{"tier":"pets"}}}')
    sts = kubectl.json("get", "sts", "kubia")
    assert sts["spec"]["replicas"] == 3 and sts["metadata"]["labels"] == {"tier": "pets"}
    assert sts["metadata"]["generation"] == 3
    bad = kubectl.run("patch", "sts", "kubia", "--type=json", "-p", '[{"op":"remove","path":"/spec/nope"}]',
                      check=False)
    assert bad.returncode == 1 and "The request is invalid" in bad.stderr
    assert "/spec/nope" in bad.stderr
    assert kubectl.json("get", "sts", "kubia")["metadata"]["resourceVersion"] == sts["metadata"]["resourceVersion"]


def test_scale_statefulset(kubectl: Kubectl) -> None:
    kubectl.run("create", "-f", str(STATEFULSET))
    assert kubectl.run("scale", "sts", "kubia", "--replicas=3").stdout.strip() == "statefulset.apps/kubia scaled"
    assert kubectl.json("get", "sts", "kubia")["spec"]["replicas"] == 3
    wrong = kubectl.run("scale", "sts", "kubia", "--replicas=1", "--current-replicas=2", check=False)
    assert wrong.returncode == 1
    assert kubectl.json("get", "sts", "kubia")["spec"]["replicas"] == 3
    negative = kubectl.run("scale", "sts", "kubia", "--replicas=-1", check=False)
    assert negative.returncode != 0


def test_describe(kubectl: Kubectl) -> None:
    kubectl.run("create", "-f", str(SERVICE), "-f", str(STATEFULSET))
    sts = kubectl.run("describe", "sts", "kubia").stdout
    assert re.search(r"^Name:\s+kubia$", sts, re.M)
    assert re.search(r"^Selector:\s+app=kubia$", sts, re.M)
    assert re.search(r"^Replicas:\s+2 desired \| [0-2] total$", sts, re.M)
    assert "Volume Claims:" in sts and "Name:          data" in sts
    svc = kubectl.run("describe", "svc", "kubia").stdout
    assert re.search(r"^IP:\s+None$", svc, re.M)


def test_delete_variants(kubectl: Kubectl) -> None:
    kubectl.run("create", "-f", str(SERVICE))
    assert _deleted(kubectl.run("delete", "-f", str(SERVICE)).stdout) == ['service "kubia" deleted']
    for name in ("x", "y", "z"):
        _configmap(kubectl, name)
    kubectl.run("label", "cm", "x", "y", "gone=yes")
    out = _deleted(kubectl.run("delete", "cm", "-l", "gone=yes").stdout)
    assert sorted(out) == ['configmap "x" deleted', 'configmap "y" deleted']
    forced = kubectl.run("delete", "cm", "z", "--force", "--grace-period", "0")
    assert _deleted(forced.stdout) == ['configmap "z" force deleted']
    assert "Immediate deletion does not wait" in forced.stderr
    missing = kubectl.run("delete", "cm", "nope", check=False)
    assert missing.returncode == 1
    assert 'Error from server (NotFound): configmaps "nope" not found' in missing.stderr


def test_cascade_orphan_and_background(kubectl: Kubectl, namespace: str) -> None:
    _configmap(kubectl, "owner")
    owner_uid = kubectl.json("get", "cm", "owner")["metadata"]["uid"]
    for name in ("dep-1", "dep-2"):
        dep = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "ownerReferences": [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner_uid}]}}
        kubectl.run("create", "-f", "-", input=json.dumps(dep))
    kubectl.run("delete", "cm", "owner", "--cascade=orphan")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        dep = kubectl.json("get", "cm", "dep-1")
        if not dep["metadata"].get("ownerReferences"):
            break
        time.sleep(0.1)
    assert not dep["metadata"].get("ownerReferences")
    _configmap(kubectl, "owner2")
    owner2 = kubectl.json("get", "cm", "owner2")["metadata"]["uid"]
    dep = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dep-3", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner2", "uid": owner2}]}}
    kubectl.run("create", "-f", "-", input=json.dumps(dep))
    kubectl.run("delete", "cm", "owner2")
    kubectl.run("wait", "--for=delete", "cm/dep-3", "--timeout=15s")
    fg = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fg"}}
    kubectl.run("create", "-f", "-", input=json.dumps(fg))
    fg_uid = kubectl.json("get", "cm", "fg")["metadata"]["uid"]
    dep = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dep-4", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "fg", "uid": fg_uid, "blockOwnerDeletion": True}]}}
    kubectl.run("create", "-f", "-", input=json.dumps(dep))
    kubectl.run("delete", "cm", "fg", "--cascade=foreground", "--timeout=20s")
    assert kubectl.run("get", "cm", "dep-4", check=False).returncode == 1


def test_watch_prints_changes(kubectl: Kubectl) -> None:
    proc = kubectl.popen("get", "cm", "-w", "--output-watch-events")
    try:
        time.sleep(1.0)
        _configmap(kubectl, "watched")
        kubectl.run("label", "cm", "watched", "a=b")
        kubectl.run("delete", "cm", "watched")
        deadline = time.monotonic() + 10
        lines: list[str] = []
        assert proc.stdout is not None
        while time.monotonic() < deadline and len([x for x in lines if "watched" in x]) < 3:
            line = proc.stdout.readline()
            if line:
                lines.append(line)
    finally:
        proc.kill()
        proc.wait()
    events = [line.split()[0] for line in lines if "watched" in line]
    assert events[:3] == ["ADDED", "MODIFIED", "DELETED"]


def test_persistent_volume_lists_and_columns(kubectl: Kubectl) -> None:
    out = kubectl.run("create", "-f", str(PV_HOSTPATH)).stdout.splitlines()
    try:
        assert out == ["persistentvolume/pv-a created", "persistentvolume/pv-b created",
                       "persistentvolume/pv-c created"]
        lines = kubectl.run("get", "pv").stdout.splitlines()
        assert lines[0].split() == ["NAME", "CAPACITY", "ACCESS", "MODES", "RECLAIM", "POLICY", "STATUS", "CLAIM",
                                    "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]
        row = next(line for line in lines if line.startswith("pv-a")).split()
        assert row[1:4] == ["1Mi", "RWO", "Recycle"]
    finally:
        kubectl.run("delete", "-f", str(PV_HOSTPATH), "--wait=false", check=False)
    out = kubectl.run("create", "-f", str(PV_GCEPD)).stdout.splitlines()
    try:
        assert len(out) == 3
        pv = kubectl.json("get", "pv", "pv-b")
        assert pv["spec"]["gcePersistentDisk"] == {"pdName": "pv-b", "fsType": "ext4"}
    finally:
        kubectl.run("delete", "-f", str(PV_GCEPD), "--wait=false", check=False)


def test_explain(kubectl: Kubectl) -> None:
    out = kubectl.run("explain", "statefulset.spec").stdout
    assert "GROUP:      apps" in out and "KIND:       StatefulSet" in out
    assert "volumeClaimTemplates" in out and "podManagementPolicy" in out
    field = kubectl.run("explain", "sts.spec.replicas").stdout
    assert "replicas is the desired number of replicas" in field


def test_events_are_listed(kubectl: Kubectl, namespace: str) -> None:
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "kubia.1"},
             "involvedObject": {"kind": "StatefulSet", "name": "kubia", "namespace": namespace,
                                "apiVersion": "apps/v1"},
             "reason": "SuccessfulCreate", "message": "create Pod kubia-0 in StatefulSet kubia successful",
             "type": "Normal", "source": {"component": "statefulset-controller"},
             "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z", "count": 1}
    kubectl.run("create", "-f", "-", input=json.dumps(event))
    lines = kubectl.run("get", "events").stdout.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert _columns(lines[1])[1:] == ["Normal", "SuccessfulCreate", "statefulset/kubia",
                                      "create Pod kubia-0 in StatefulSet kubia successful"]
    selected = kubectl.run("get", "events", "--field-selector", "involvedObject.kind=StatefulSet",
                           "-o", "name").stdout.split()
    assert selected == ["event/kubia.1"]


@pytest.mark.parametrize("manifest", ["kubia-service-headless.yaml", "kubia-service-public.yaml",
                                      "kubia-statefulset.yaml", "kubia-statefulset-peers.yaml"])
def test_every_book_manifest_round_trips(kubectl: Kubectl, manifest: str) -> None:
    path = Path(CHAPTER10) / manifest
    created = kubectl.run("create", "-f", str(path)).stdout.strip()
    assert created.endswith(" created")
    deleted = _deleted(kubectl.run("delete", "-f", str(path)).stdout)
    assert deleted[0].endswith(" deleted")
