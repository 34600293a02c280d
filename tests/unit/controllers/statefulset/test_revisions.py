"""ControllerRevision data, hashing, naming, equality and history."""

from __future__ import annotations

import json

from petset.controllers.statefulset.revisions import (
    apply_revision,
    canonical_json,
    equal_revision,
    fnv1_32,
    hash_revision,
    new_revision,
    revision_data,
    revision_name,
    revisions_to_truncate,
    safe_encode_string,
    sort_revisions,
)
from tests.unit.controllers.statefulset.fake import statefulset


def test_fnv1_is_not_fnv1a() -> None:
    assert fnv1_32(b"") == 0x811C9DC5
    assert fnv1_32(b"a") == 0x050C5D7E
    assert fnv1_32(b"foobar") == 0x31F0B262


def test_hash_appends_the_collision_count_and_uses_the_safe_alphabet() -> None:
    data = b'{"spec":{}}'
    assert hash_revision(data, 0) == safe_encode_string(str(fnv1_32(data + b"0")))
    assert hash_revision(data, 0) != hash_revision(data, 1)
    assert set(hash_revision(data, 0)) <= set("456789bcdf")
    assert safe_encode_string("0123456789") == "456789bcdf"


def test_name_truncates_long_prefixes() -> None:
    assert revision_name("web", "abc") == "web-abc"
    assert revision_name("x" * 300, "abc") == "x" * 223 + "-abc"


def test_data_is_go_json_of_the_template_with_patch_replace() -> None:
    set_ = statefulset()
    set_["spec"]["template"]["metadata"]["annotations"] = {"note": "a<b & c>d"}
    data = revision_data(set_)
    assert data.startswith(b'{"spec":{"template":{"$patch":"replace","metadata":{"annotations":')
    assert b"a\\u003cb \\u0026 c\\u003ed" in data
    assert b" " not in data.replace(b"a\\u003cb \\u0026 c\\u003ed", b"")
    assert json.loads(data)["spec"]["template"]["spec"] == set_["spec"]["template"]["spec"]
    assert canonical_json({"b": 1, "a": [True, None]}) == b'{"a":[true,null],"b":1}'


def test_new_revision_shape() -> None:
    set_ = statefulset()
    set_["metadata"]["annotations"] = {"kubernetes.io/change-cause": "kubectl set image"}
    revision = new_revision(set_, 4, 0)
    hash_ = hash_revision(revision_data(set_), 0)
    assert revision["metadata"]["name"] == f"web-{hash_}" and revision["revision"] == 4
    assert revision["metadata"]["labels"] == {"app": "web", "controller.kubernetes.io/hash": hash_}
    assert revision["metadata"]["annotations"] == {"kubernetes.io/change-cause": "kubectl set image"}
    assert revision["metadata"]["ownerReferences"][0]["uid"] == "uid-web"
    # The stored object keeps the canonical key order, so the API serves the bytes back.
    assert json.dumps(revision["data"], separators=(",", ":"), ensure_ascii=False).encode() == revision_data(set_)


def test_equality_is_by_data() -> None:
    set_ = statefulset()
    one, two = new_revision(set_, 1, 0), new_revision(set_, 2, 5)
    assert equal_revision(one, two)
    set_["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    assert not equal_revision(one, new_revision(set_, 3, 0))
    numeric = new_revision(statefulset(), 1, 0)
    numeric["metadata"]["labels"]["controller.kubernetes.io/hash"] = "123"
    other = new_revision(statefulset(), 1, 0)
    other["metadata"]["labels"]["controller.kubernetes.io/hash"] = "456"
    assert not equal_revision(numeric, other), "numeric hash labels are compared first"


def test_apply_revision_restores_the_template_only() -> None:
    set_ = statefulset(replicas=3)
    revision = new_revision(set_, 1, 0)
    changed = statefulset(replicas=7)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:9"
    restored = apply_revision(changed, revision)
    assert restored["spec"]["template"] == set_["spec"]["template"] and restored["spec"]["replicas"] == 7
    assert changed["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:9"


def test_truncation_keeps_live_revisions_and_the_newest_history() -> None:
    set_ = statefulset(revisionHistoryLimit=2)
    revisions = sort_revisions([{"metadata": {"name": f"web-{i}"}, "revision": i} for i in (5, 1, 3, 2, 4, 6)])
    pods = [{"metadata": {"labels": {"controller-revision-hash": "web-1"}}}]
    doomed = revisions_to_truncate(set_, pods, revisions, revisions[4], revisions[5])
    assert [r["metadata"]["name"] for r in doomed] == ["web-2"]
    set_["spec"]["revisionHistoryLimit"] = 0
    doomed = revisions_to_truncate(set_, pods, revisions, revisions[4], revisions[5])
    assert [r["metadata"]["name"] for r in doomed] == ["web-2", "web-3", "web-4"]
    set_["spec"]["revisionHistoryLimit"] = -1
    assert revisions_to_truncate(set_, pods, revisions, None, None) == []
