"""In-memory indexes of the volume controllers: volumes by what claims ask for, pods by claim.

The binder must not look at every volume for every claim (1,000 claims against 1,000 volumes
would be a million comparisons), so unbound, Available volumes are kept in buckets by access-mode
set, storage class and volume mode, each sorted by capacity: the smallest fitting volume is a
bisection away. Volumes that name a claim (pre-bound or bound) are found by that claim's key.

The index also holds the newest version of every volume the controller knows, whether it came
from the informer or from the controller's own write (an "assume cache", as upstream's): a claim
processed right after a binding must see that binding even before the watch delivers it, or two
claims could take the same volume.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from petset.api.volumepaths import Refusal
from petset.client.informer import Informer, key_of
from petset.controllers.volumes import helpers

__all__ = ["ClaimUsers", "NewestCache", "VolumeIndex", "newer"]

Obj = dict[str, Any]
Bucket = tuple[str, str]  # (storage class, volume mode)

#: Upstream binds only Available volumes, to spare conflicts with the volume's own first sync.
#: petset also takes a brand-new (Pending) one: a claim created right after the book's volumes
#: must find them, not decide they are missing and take the default class instead.
_BINDABLE_PHASES = ("Available", "Pending")


def _rv(obj: Obj | None) -> int:
    try:
        return int((obj or {}).get("metadata", {}).get("resourceVersion") or 0)
    except ValueError:
        return 0


def newer(candidate: Obj, current: Obj | None) -> bool:
    """Whether ``candidate`` is a newer version than ``current`` (revisions are integers in petset)."""
    return current is None or _rv(candidate) > _rv(current)


class NewestCache:
    """An informer's objects, overlaid by the controller's own writes until the watch catches up."""

    def __init__(self, informer: Informer) -> None:
        self.informer = informer
        self._assumed: dict[str, Obj] = {}

    def get(self, key: str) -> Obj | None:
        namespace, _, name = key.rpartition("/")
        cached = self.informer.get(namespace or None, name)
        assumed = self._assumed.get(key)
        if assumed is None:
            return cached
        if cached is None or not newer(assumed, cached):
            # The informer has caught up (or the object is gone): stop overlaying.
            self._assumed.pop(key, None)
            return cached
        return assumed

    def assume(self, obj: Obj) -> None:
        key = key_of(obj)
        if newer(obj, self.get(key)):
            self._assumed[key] = obj

    def forget(self, key: str) -> None:
        self._assumed.pop(key, None)


class VolumeIndex:
    """All known volumes by name, and the bindable ones by (access modes, class, mode) and capacity.

    Bindable: no claimRef, Available or still Pending, not being deleted, usable by petset.
    """

    def __init__(self, usability: Callable[[Obj], Refusal | None]) -> None:
        self._usability = usability
        self._volumes: dict[str, Obj] = {}
        #: access modes -> (class, volume mode) -> sorted [(capacity, name)] of Available unbound volumes
        self._available: dict[frozenset[str], dict[Bucket, list[tuple[Decimal, str]]]] = {}
        #: where each Available volume sits in ``_available``, to take it out again
        self._placed: dict[str, tuple[frozenset[str], Bucket, tuple[Decimal, str]]] = {}
        #: "namespace/name" of a claim -> names of the volumes whose claimRef names it
        self._by_claim: dict[str, set[str]] = {}
        self._claim_of: dict[str, str] = {}
        #: volumes petset cannot provide, with the reason (never bound; reported instead)
        self.unusable: dict[str, Refusal] = {}

    def __len__(self) -> int:
        return len(self._volumes)

    def get(self, name: str) -> Obj | None:
        return self._volumes.get(name)

    def names(self) -> Iterator[str]:
        return iter(list(self._volumes))

    # maintenance

    def observe(self, volume: Obj) -> bool:
        """Take a volume version from the informer or from a write; older versions are ignored."""
        name = volume["metadata"]["name"]
        if not newer(volume, self._volumes.get(name)):
            return False
        previous = self._volumes.get(name)
        self._unplace(name)
        self._volumes[name] = volume
        if previous is None or previous["metadata"].get("uid") != volume["metadata"].get("uid"):
            # The volume source is immutable: its path is checked when first seen, and on recheck().
            refusal = self._usability(volume)
            if refusal is None:
                self.unusable.pop(name, None)
            else:
                self.unusable[name] = refusal
        refusal = self.unusable.get(name)
        spec = volume.get("spec") or {}
        ref = spec.get("claimRef")
        if isinstance(ref, dict):
            key = helpers.claim_key(str(ref.get("namespace", "")), str(ref.get("name", "")))
            self._by_claim.setdefault(key, set()).add(name)
            self._claim_of[name] = key
        elif (refusal is None and (volume.get("status") or {}).get("phase", "Pending") in _BINDABLE_PHASES
              and not volume["metadata"].get("deletionTimestamp")):
            modes = helpers.access_modes(volume)
            bucket = (helpers.volume_class(volume), helpers.volume_mode(spec))
            entry = (helpers.volume_capacity(volume), name)
            bisect.insort(self._available.setdefault(modes, {}).setdefault(bucket, []), entry)
            self._placed[name] = (modes, bucket, entry)
        return True

    def remove(self, name: str) -> None:
        self._unplace(name)
        self._volumes.pop(name, None)
        self.unusable.pop(name, None)

    def recheck(self, name: str) -> None:
        """Re-evaluate usability (the filesystem may have changed: a symlink, a created directory)."""
        volume = self._volumes.pop(name, None)
        if volume is not None:
            self._unplace(name)
            self.unusable.pop(name, None)
            self.observe(volume)

    def _unplace(self, name: str) -> None:
        placed = self._placed.pop(name, None)
        if placed is not None:
            modes, bucket, entry = placed
            entries = self._available[modes][bucket]
            i = bisect.bisect_left(entries, entry)
            if i < len(entries) and entries[i] == entry:
                del entries[i]
        key = self._claim_of.pop(name, None)
        if key is not None:
            names = self._by_claim.get(key)
            if names is not None:
                names.discard(name)
                if not names:
                    del self._by_claim[key]

    # queries

    def is_available(self, name: str) -> bool:
        """Whether the volume is Available and unbound, so a waiting claim could take it."""
        return name in self._placed

    def volumes_for_claim(self, key: str) -> list[Obj]:
        """Volumes whose claimRef names this claim (pre-bound by a user or a provisioner, or bound)."""
        return [self._volumes[n] for n in sorted(self._by_claim.get(key, ())) if n in self._volumes]

    def find_best(self, claim: Obj, *, delay_binding: bool = False, node: Obj | None = None) -> Obj | None:
        """``findBestMatchForClaim``: the volume a claim should bind, or None.

        A volume pre-bound to the claim wins if it is big enough; else, trying access-mode sets
        from the smallest that contains the claim's modes, the smallest bindable volume of the
        claim's class and volume mode that matches its selector (and the node's labels, once a
        node is chosen). With delayed binding and no node yet, only pre-bound volumes count.
        """
        meta = claim["metadata"]
        request = helpers.claim_request(claim)
        mode = helpers.volume_mode(claim.get("spec") or {})
        wanted = helpers.access_modes(claim)
        for volume in self.volumes_for_claim(helpers.claim_key(meta.get("namespace", ""), meta["name"])):
            if not helpers.is_volume_bound_to_claim(volume, claim) or name_of(volume) in self.unusable:
                continue
            if (helpers.volume_capacity(volume) < request or helpers.volume_mode(volume.get("spec") or {}) != mode
                    or volume["metadata"].get("deletionTimestamp") or not wanted <= helpers.access_modes(volume)):
                continue
            # On the scheduler's path a pre-bound volume that does not fit the node means no match.
            return volume if node is None or helpers.node_affinity_matches(volume, node) else None
        if delay_binding and node is None:
            return None
        bucket = (helpers.claim_class(claim), mode)
        groups = sorted((m for m in self._available if wanted <= m), key=lambda m: (len(m), sorted(m)))
        for modes in groups:
            entries = self._available[modes].get(bucket)
            if not entries:
                continue
            start = bisect.bisect_left(entries, (request, ""))
            for _, name in entries[start:]:
                volume = self._volumes[name]
                if not helpers.selector_matches(claim, volume):
                    continue
                if node is not None and not helpers.node_affinity_matches(volume, node):
                    continue
                return volume
        return None

    def unusable_match(self, claim: Obj) -> tuple[str, Refusal] | None:
        """An unbound volume petset refuses that would otherwise have served the claim, to say so."""
        for name in sorted(self.unusable):
            volume = self._volumes.get(name)
            if volume is None or (volume.get("spec") or {}).get("claimRef"):
                continue
            if helpers.volume_matches_claim(volume, claim):
                return name, self.unusable[name]
        return None


def name_of(obj: Obj) -> str:
    return str(obj["metadata"]["name"])


class ClaimUsers:
    """Pods by the claims they use, to know who holds a claim and where it was scheduled."""

    def __init__(self) -> None:
        #: "namespace/claim" -> pod name -> node name ("" while unscheduled)
        self._users: dict[str, dict[str, str]] = {}
        self._claims_of: dict[str, list[str]] = {}
        self._listeners: list[Callable[[str], None]] = []

    def on_change(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(claim key)`` whenever the pods using that claim change."""
        self._listeners.append(listener)

    def observe(self, pod: Obj) -> None:
        meta = pod["metadata"]
        pod_key = key_of(pod)
        namespace = str(meta.get("namespace", ""))
        node = str((pod.get("spec") or {}).get("nodeName") or "")
        claims = [helpers.claim_key(namespace, c) for c in helpers.claim_names_of_pod(pod)]
        before = self._claims_of.get(pod_key, [])
        changed = set(before) ^ set(claims)
        for key in before:
            if key not in claims:
                self._drop(key, meta["name"])
        for key in claims:
            users = self._users.setdefault(key, {})
            if users.get(meta["name"]) != node:
                changed.add(key)
            users[meta["name"]] = node
        if claims:
            self._claims_of[pod_key] = claims
        else:
            self._claims_of.pop(pod_key, None)
        self._notify(changed)

    def forget(self, pod: Obj) -> None:
        pod_key = key_of(pod)
        claims = self._claims_of.pop(pod_key, [])
        for key in claims:
            self._drop(key, pod["metadata"]["name"])
        self._notify(set(claims))

    def _drop(self, key: str, pod_name: str) -> None:
        users = self._users.get(key)
        if users is not None:
            users.pop(pod_name, None)
            if not users:
                del self._users[key]

    def _notify(self, keys: set[str]) -> None:
        for key in sorted(keys):
            for listener in self._listeners:
                listener(key)

    def scheduled(self, key: str) -> list[str]:
        """Pods using the claim that are scheduled (spec.nodeName set): they hold it."""
        return sorted(p for p, node in self._users.get(key, {}).items() if node)

    def unscheduled(self, key: str) -> list[str]:
        return sorted(p for p, node in self._users.get(key, {}).items() if not node)

    def selected_node(self, key: str) -> str | None:
        """The node of the first scheduled pod using the claim (the first consumer)."""
        nodes = sorted((p, n) for p, n in self._users.get(key, {}).items() if n)
        return nodes[0][1] if nodes else None
