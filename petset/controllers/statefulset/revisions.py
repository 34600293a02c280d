"""ControllerRevisions of a StatefulSet: what a revision holds, its name, equality and history.

As upstream's ``pkg/controller/history`` plus the revision helpers of ``stateful_set_utils.go``:

* a revision's ``data`` is the strategic-merge patch ``{"spec":{"template":<template>+{"$patch":
  "replace"}}}`` serialized as Go's ``json.Marshal`` of a map does it: compact, keys sorted, HTML
  characters escaped. ``kubectl rollout undo`` sends these bytes back verbatim, and prints "skipped
  rollback" only when they equal its own encoding of the live template, so the form matters;
* the name is ``<set>-<hash>`` where the hash is 32-bit FNV-1 (not 1a) over the data bytes followed by
  the decimal collision count, written in decimal and mapped through the no-vowel alphabet;
* only the template is versioned: applying a revision replaces the template of the live set;
* history keeps every live revision (current, update, any a pod is labelled with) and at most
  ``revisionHistoryLimit`` others, dropping the oldest first.
"""

from __future__ import annotations

import json
from typing import Any

from petset.controllers.statefulset.utils import (
    SET_API_VERSION,
    SET_KIND,
    controller_ref,
    deep_copy,
    get_pod_revision,
)

__all__ = [
    "REVISION_HASH_LABEL",
    "apply_revision",
    "canonical_json",
    "equal_revision",
    "find_equal_revisions",
    "fnv1_32",
    "hash_revision",
    "new_revision",
    "next_revision",
    "revision_data",
    "revision_name",
    "revisions_to_truncate",
    "safe_encode_string",
    "sort_revisions",
]

Obj = dict[str, Any]

#: The label a ControllerRevision carries its hash in (the pod label is ``controller-revision-hash``).
REVISION_HASH_LABEL = "controller.kubernetes.io/hash"

_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619
_NAME_PREFIX_MAX = 223
# encoding/json escapes these even inside strings; nothing else differs for the JSON a template holds.
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def canonical_json(value: Any) -> bytes:
    """Go's ``json.Marshal`` of an unstructured value: compact, map keys sorted, HTML escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    if any(ch in text for ch in _GO_ESCAPES):
        text = "".join(_GO_ESCAPES.get(ch, ch) for ch in text)
    return text.encode()


def fnv1_32(data: bytes, hash_: int = _FNV_OFFSET) -> int:
    """FNV-1 (multiply, then xor) over ``data``; pass a previous result to continue a hash."""
    for byte in data:
        hash_ = ((hash_ * _FNV_PRIME) & 0xFFFFFFFF) ^ byte
    return hash_


def safe_encode_string(text: str) -> str:
    """``rand.SafeEncodeString``: each character mapped into an alphabet without vowels."""
    return "".join(_ALPHANUMS[ord(ch) % len(_ALPHANUMS)] for ch in text)


def hash_revision(data: bytes, collision_count: int | None) -> str:
    hash_ = fnv1_32(data)
    if collision_count is not None:
        hash_ = fnv1_32(str(collision_count).encode(), hash_)
    return safe_encode_string(str(hash_))


def revision_name(prefix: str, hash_: str) -> str:
    return f"{prefix[:_NAME_PREFIX_MAX]}-{hash_}"


def revision_data(set_: Obj) -> bytes:
    """The bytes a revision of the set's live template holds (upstream's ``getPatch``)."""
    template = deep_copy((set_.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return canonical_json({"spec": {"template": template}})


def _data_bytes(revision: Obj) -> bytes:
    return canonical_json(revision.get("data"))


def new_revision(set_: Obj, number: int, collision_count: int) -> Obj:
    """The ControllerRevision for the set's live template (not created yet).

    Labels are the template's plus the hash; annotations are all of the set's (so
    ``kubernetes.io/change-cause`` shows in ``kubectl rollout history``).
    """
    data = revision_data(set_)
    hash_ = hash_revision(data, collision_count)
    meta = set_.get("metadata") or {}
    template_labels = ((((set_.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels")) or {}
    revision_meta: Obj = {
        "name": revision_name(str(meta.get("name", "")), hash_),
        "namespace": meta.get("namespace"),
        "labels": {**template_labels, REVISION_HASH_LABEL: hash_},
        "ownerReferences": [controller_ref(set_, SET_API_VERSION, SET_KIND)],
    }
    if meta.get("annotations"):
        revision_meta["annotations"] = dict(meta["annotations"])
    # Parsed back from the canonical bytes so the stored object keeps their key order.
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": revision_meta,
            "data": json.loads(data), "revision": number}


def _hash_label(revision: Obj) -> int | None:
    text = ((revision.get("metadata") or {}).get("labels") or {}).get(REVISION_HASH_LABEL)
    # Go parses the label as an int32; the encoded hashes seldom are numbers, and then only data counts.
    try:
        value = int(str(text), 10)
    except ValueError:
        return None
    return value if -(2**31) <= value < 2**31 else None


def equal_revision(lhs: Obj | None, rhs: Obj | None) -> bool:
    """``history.EqualRevision``: same data (and same hash, when both hashes are numbers)."""
    if lhs is None or rhs is None:
        return lhs is rhs
    left, right = _hash_label(lhs), _hash_label(rhs)
    if left is not None and right is not None and left != right:
        return False
    return _data_bytes(lhs) == _data_bytes(rhs)


def find_equal_revisions(revisions: list[Obj], needle: Obj) -> list[Obj]:
    return [r for r in revisions if equal_revision(r, needle)]


def sort_revisions(revisions: list[Obj]) -> list[Obj]:
    """By revision number, then creation time, then name (``history.SortControllerRevisions``)."""
    return sorted(revisions, key=lambda r: (int(r.get("revision") or 0),
                                            str((r.get("metadata") or {}).get("creationTimestamp") or ""),
                                            str((r.get("metadata") or {}).get("name") or "")))


def next_revision(revisions: list[Obj]) -> int:
    """One more than the highest revision number of a sorted history (1 for none)."""
    return int(revisions[-1].get("revision") or 0) + 1 if revisions else 1


def apply_revision(set_: Obj, revision: Obj) -> Obj:
    """A copy of the set with the template the revision recorded."""
    clone = deep_copy(set_)
    template = (((revision.get("data") or {}).get("spec") or {}).get("template"))
    if isinstance(template, dict):
        restored = deep_copy(template)
        restored.pop("$patch", None)
        clone.setdefault("spec", {})["template"] = restored
    return clone


def revisions_to_truncate(set_: Obj, pods: list[Obj], revisions: list[Obj], current: Obj | None,
                          update: Obj | None) -> list[Obj]:
    """Non-live revisions beyond ``revisionHistoryLimit``, oldest first (``revisions`` sorted).

    Live: the current and update revisions and every revision a managed pod is labelled with.
    """
    live = {get_pod_revision(p) for p in pods}
    live.update(str((r.get("metadata") or {}).get("name")) for r in (current, update) if r is not None)
    history = [r for r in revisions if (r.get("metadata") or {}).get("name") not in live]
    limit = (set_.get("spec") or {}).get("revisionHistoryLimit")
    # A negative limit (accepted by 1.32's validation) keeps everything rather than crash.
    if limit is None or int(limit) < 0:
        limit = 10 if limit is None else len(history)
    return history[: max(len(history) - int(limit), 0)]
