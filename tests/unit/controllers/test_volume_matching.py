"""The binder's matching rules and its volume index, as pure functions of objects."""

from __future__ import annotations

from typing import Any

from petset.api.printers import column_definitions
from petset.api.volumepaths import Refusal
from petset.controllers.volumes import helpers
from petset.controllers.volumes.index import ClaimUsers, NewestCache, VolumeIndex

Obj = dict[str, Any]
_rv = iter(range(1, 10**6))


def volume(name: str, size: str = "1Mi", *, modes: tuple[str, ...] = ("ReadWriteOnce",), phase: str = "Available",
           labels: dict[str, str] | None = None, **spec: Any) -> Obj:
    meta: Obj = {"name": name, "resourceVersion": str(next(_rv))}
    if labels:
        meta["labels"] = labels
    return {"metadata": meta, "status": {"phase": phase},
            "spec": {"capacity": {"storage": size}, "accessModes": list(modes), "hostPath": {"path": "/x"}, **spec}}


def claim(name: str = "c", size: str = "1Mi", *, modes: tuple[str, ...] = ("ReadWriteOnce",), uid: str = "u1",
          **spec: Any) -> Obj:
    return {"metadata": {"name": name, "namespace": "default", "uid": uid},
            "spec": {"resources": {"requests": {"storage": size}}, "accessModes": list(modes), **spec}}


def index(*volumes: Obj, refuse: set[str] | None = None) -> VolumeIndex:
    refused = refuse or set()
    idx = VolumeIndex(lambda v: Refusal("UnsafePath", "no") if v["metadata"]["name"] in refused else None)
    for v in volumes:
        idx.observe(v)
    return idx


def best(idx: VolumeIndex, c: Obj, **kw: Any) -> str | None:
    found = idx.find_best(c, **kw)
    return found["metadata"]["name"] if found else None


def test_classes_nil_and_empty_mean_class_less() -> None:
    assert helpers.claim_class(claim()) == "" and helpers.claim_class_unset(claim())
    assert helpers.claim_class(claim(storageClassName="")) == "" and not helpers.claim_class_unset(
        claim(storageClassName=""))
    beta = claim(storageClassName="gold")
    beta["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": "silver"}
    assert helpers.claim_class(beta) == "silver" and not helpers.claim_class_unset(beta)


def test_check_volume_satisfies_claim_speaks_upstreams_words() -> None:
    assert helpers.check_volume_satisfies_claim(volume("v", "1Mi"), claim(size="2Mi")) == "requested PV is too small"
    assert helpers.check_volume_satisfies_claim(volume("v", storageClassName="gold"), claim()) == \
        "storageClassName does not match"
    assert helpers.check_volume_satisfies_claim(volume("v", volumeMode="Block"), claim()) == "incompatible volumeMode"
    assert helpers.check_volume_satisfies_claim(volume("v"), claim(modes=("ReadWriteMany",))) == \
        "incompatible accessMode"
    deleting = volume("v")
    deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    assert helpers.check_volume_satisfies_claim(deleting, claim()) == 'the volume is marked for deletion "v"'
    assert helpers.check_volume_satisfies_claim(volume("v", "1Gi"), claim()) is None


def test_smallest_fitting_volume_first() -> None:
    idx = index(volume("big", "10Mi"), volume("exact", "2Mi"), volume("small", "1Mi"), volume("mid", "5Mi"))
    assert best(idx, claim(size="2Mi")) == "exact"
    assert best(idx, claim(size="3Mi")) == "mid"
    assert best(idx, claim(size="2000000")) == "exact"  # 2Mi = 2097152 bytes
    assert best(idx, claim(size="11Mi")) is None
    # Equal sizes: the name decides, so runs are reproducible.
    assert best(index(volume("pv-b"), volume("pv-a"), volume("pv-c")), claim()) == "pv-a"


def test_access_mode_groups_from_the_smallest_superset() -> None:
    idx = index(volume("rwo-big", "9Mi"), volume("rwx-small", "1Mi", modes=("ReadWriteOnce", "ReadWriteMany")))
    # Upstream tries the {RWO} group first: a bigger RWO volume beats a smaller RWO+RWX one.
    assert best(idx, claim()) == "rwo-big"
    assert best(idx, claim(modes=("ReadWriteMany",))) == "rwx-small"
    assert best(idx, claim(modes=("ReadOnlyMany",))) is None


def test_class_mode_selector_phase_and_usability_filter() -> None:
    idx = index(volume("gold", storageClassName="gold"), volume("block", volumeMode="Block"),
                volume("ssd", "5Mi", labels={"disk": "ssd"}), volume("plain", "2Mi"), volume("released", phase="Released"),
                volume("unsafe", "1Ki"), refuse={"unsafe"})
    assert best(idx, claim(size="1Ki")) == "plain"
    assert best(idx, claim(storageClassName="gold")) == "gold"
    assert best(idx, claim(volumeMode="Block")) == "block"
    assert best(idx, claim(selector={"matchLabels": {"disk": "ssd"}})) == "ssd"
    assert best(idx, claim(selector={"matchExpressions": [{"key": "disk", "operator": "DoesNotExist"}]})) == "plain"
    assert idx.unusable_match(claim(size="1Ki")) == ("unsafe", Refusal("UnsafePath", "no"))


def test_prebound_volumes_win_and_delay_binding_waits() -> None:
    reserved = volume("reserved", "8Mi", claimRef={"namespace": "default", "name": "c"})
    other = volume("other", "8Mi", claimRef={"namespace": "default", "name": "c", "uid": "someone-else"})
    idx = index(volume("small"), reserved, other)
    assert best(idx, claim()) == "reserved"
    assert best(idx, claim(name="d")) == "small"
    assert best(idx, claim(name="d"), delay_binding=True) is None
    assert best(idx, claim(), delay_binding=True) == "reserved"


def test_node_affinity_on_the_schedulers_path() -> None:
    def on(node: str) -> Obj:
        return volume(f"disk-{node}", nodeAffinity={"required": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}})

    idx = index(on("n1"), on("n2"))
    node = {"metadata": {"name": "n2", "labels": {"kubernetes.io/hostname": "n2"}}}
    assert best(idx, claim(), delay_binding=True, node=node) == "disk-n2"
    assert helpers.node_affinity_matches(on("n1"), None) is False
    assert helpers.node_affinity_matches(volume("anywhere"), None) is True
    gt = volume("gt", nodeAffinity={"required": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "rank", "operator": "Gt", "values": ["3"]}]}]}})
    assert helpers.node_affinity_matches(gt, {"metadata": {"name": "x", "labels": {"rank": "4"}}})
    assert not helpers.node_affinity_matches(gt, {"metadata": {"name": "x", "labels": {"rank": "3"}}})


def test_index_follows_newer_versions_only_and_bindings() -> None:
    first = volume("v")
    idx = index(first)
    bound = volume("v", claimRef={"namespace": "default", "name": "c", "uid": "u1"}, phase="Bound")
    assert idx.observe(bound)
    assert not idx.observe(first)  # an older version (a lagging watch) changes nothing
    assert best(idx, claim(name="d")) is None
    assert [v["metadata"]["name"] for v in idx.volumes_for_claim("default/c")] == ["v"]
    idx.remove("v")
    assert idx.get("v") is None and idx.volumes_for_claim("default/c") == []


def test_default_class_is_the_newest_default() -> None:
    def sc(name: str, created: str, default: bool = True) -> Obj:
        ann = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
        return {"metadata": {"name": name, "creationTimestamp": created, "annotations": ann}}

    assert helpers.default_class([]) is None
    chosen = helpers.default_class([sc("old", "2024-01-01T00:00:00Z"), sc("new", "2024-06-01T00:00:00Z"),
                                    sc("newest-but-not-default", "2025-01-01T00:00:00Z", False)])
    assert chosen is not None and chosen["metadata"]["name"] == "new"


def test_claim_users_track_scheduled_pods() -> None:
    users = ClaimUsers()
    changed: list[str] = []
    users.on_change(changed.append)
    pod = {"metadata": {"name": "web-0", "namespace": "default"},
           "spec": {"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}},
                                {"name": "scratch", "ephemeral": {}}]}}
    users.observe(pod)
    assert users.unscheduled("default/data-web-0") == ["web-0"] and users.scheduled("default/data-web-0") == []
    assert users.unscheduled("default/web-0-scratch") == ["web-0"]
    pod["spec"]["nodeName"] = "n1"
    users.observe(pod)
    assert users.scheduled("default/data-web-0") == ["web-0"] and users.selected_node("default/data-web-0") == "n1"
    users.forget(pod)
    assert users.scheduled("default/data-web-0") == [] and "default/data-web-0" in changed


def test_newest_cache_prefers_own_writes_until_the_watch_catches_up() -> None:
    class FakeInformer:
        def __init__(self) -> None:
            self.items: dict[str, Obj] = {}

        def get(self, namespace: str | None, name: str) -> Obj | None:
            return self.items.get(f"{namespace}/{name}")

    informer = FakeInformer()
    cache = NewestCache(informer)  # type: ignore[arg-type]
    informer.items["default/c"] = {"metadata": {"name": "c", "namespace": "default", "resourceVersion": "5"}}
    written = {"metadata": {"name": "c", "namespace": "default", "resourceVersion": "7"}}
    cache.assume(written)
    assert cache.get("default/c") is written
    informer.items["default/c"] = {"metadata": {"name": "c", "namespace": "default", "resourceVersion": "7"}}
    assert cache.get("default/c") is informer.items["default/c"]


def test_kubectl_columns_of_volumes_and_claims_are_upstreams() -> None:
    def names(resource: str, priority: int) -> list[str]:
        return [c["name"] for c in column_definitions("", resource) if c["priority"] == priority]

    # kubectl 1.32: NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE
    assert names("persistentvolumes", 0) == ["Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim",
                                             "StorageClass", "VolumeAttributesClass", "Reason", "Age"]
    assert names("persistentvolumeclaims", 0) == ["Name", "Status", "Volume", "Capacity", "Access Modes",
                                                  "StorageClass", "VolumeAttributesClass", "Age"]
    assert names("persistentvolumes", 1) == names("persistentvolumeclaims", 1) == ["VolumeMode"]
