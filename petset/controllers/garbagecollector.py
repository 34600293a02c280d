"""The garbage collector: ownerReferences with Background, Foreground and Orphan propagation.

As upstream's garbage collector, simplified to the resources petset serves: a dependent whose
owners are all gone is deleted; one that keeps some owner only loses its dangling references;
an owner deleted with ``orphan`` first frees its dependents; one deleted with
``foregroundDeletion`` stays until its blocking dependents are gone. Absence is confirmed with a
live read before anything is deleted, so a lagging cache never causes a wrong deletion.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from petset.api.errors import StatusError
from petset.api.resources import ResourceType, lookup, lookup_kind
from petset.client.informer import InformerFactory
from petset.client.interface import Client
from petset.controllers.runner import QueueRunner

__all__ = ["GarbageCollector"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"

#: Resources whose objects own or are owned by others in petset.
WATCHED = (
    ("", "v1", "pods"), ("", "v1", "persistentvolumeclaims"), ("", "v1", "services"), ("", "v1", "endpoints"),
    ("", "v1", "configmaps"), ("", "v1", "secrets"), ("", "v1", "serviceaccounts"), ("", "v1", "nodes"),
    ("", "v1", "persistentvolumes"), ("apps", "v1", "statefulsets"), ("apps", "v1", "controllerrevisions"),
    ("discovery.k8s.io", "v1", "endpointslices"), ("coordination.k8s.io", "v1", "leases"),
    ("policy", "v1", "poddisruptionbudgets"),
)


def _ordinal_order(name: str) -> tuple[str, int]:
    match = re.match(r"^(.*)-(\d+)$", name)
    return (match.group(1), int(match.group(2))) if match else (name, -1)


class GarbageCollector:
    def __init__(self, client: Client, informers: InformerFactory) -> None:
        self.client = client
        self.runner = QueueRunner("garbage-collector", self._sync)
        self._by_uid: dict[str, tuple[ResourceType, Obj]] = {}
        self._dependents: dict[str, set[str]] = {}
        self._types: dict[str, ResourceType] = {}
        for group, version, plural in WATCHED:
            rt = lookup(group, version, plural)
            assert rt is not None
            self._types[self._type_key(rt)] = rt
            self._watch(informers, rt)
        self._informers = informers

    def _watch(self, informers: InformerFactory, rt: ResourceType) -> None:
        def on_add(obj: Obj) -> None:
            self._observe(rt, obj)

        def on_update(old: Obj, new: Obj) -> None:
            self._observe(rt, new, old)

        def on_delete(obj: Obj) -> None:
            self._forget(rt, obj)

        informers.get(rt).add_handlers(on_add=on_add, on_update=on_update, on_delete=on_delete)

    @staticmethod
    def _type_key(rt: ResourceType) -> str:
        return f"{rt.group}/{rt.plural}"

    def _item_key(self, rt: ResourceType, obj: Obj) -> str:
        meta = obj["metadata"]
        return f"{self._type_key(rt)}/{meta.get('namespace', '')}/{meta['name']}"

    def _observe(self, rt: ResourceType, obj: Obj, old: Obj | None = None) -> None:
        meta = obj["metadata"]
        uid = meta.get("uid")
        if uid:
            self._by_uid[uid] = (rt, obj)
        key = self._item_key(rt, obj)
        old_refs = {r.get("uid") for r in (old or {}).get("metadata", {}).get("ownerReferences") or []}
        refs = meta.get("ownerReferences") or []
        for ref in refs:
            self._dependents.setdefault(ref.get("uid", ""), set()).add(key)
        for gone in old_refs - {r.get("uid") for r in refs}:
            self._dependents.get(gone or "", set()).discard(key)
        if refs:
            self.runner.queue.add(key)
        if meta.get("deletionTimestamp") and {ORPHAN, FOREGROUND} & set(meta.get("finalizers") or ()):
            self.runner.queue.add(key)

    def _forget(self, rt: ResourceType, obj: Obj) -> None:
        meta = obj["metadata"]
        uid = meta.get("uid", "")
        self._by_uid.pop(uid, None)
        key = self._item_key(rt, obj)
        for ref in meta.get("ownerReferences") or []:
            self._dependents.get(ref.get("uid", ""), set()).discard(key)
        # Highest ordinal first, so a StatefulSet's pods go as a scale-down would take them.
        for dependent in sorted(self._dependents.pop(uid, set()), key=lambda k: _ordinal_order(k.rsplit("/", 1)[-1]),
                                reverse=True):
            self.runner.queue.add(dependent)
        for dependent in self._blocked_owners(meta):
            self.runner.queue.add(dependent)

    def _blocked_owners(self, meta: Obj) -> list[str]:
        """Owners in foreground deletion that may now be free to go."""
        keys = []
        for ref in meta.get("ownerReferences") or []:
            found = self._by_uid.get(ref.get("uid", ""))
            if found is not None:
                keys.append(self._item_key(*found))
        return keys

    def start(self) -> None:
        self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()

    # sync

    def _cached(self, key: str) -> tuple[ResourceType, Obj] | None:
        type_key, ns, name = key.rsplit("/", 2)
        rt = self._types.get(type_key)
        if rt is None:
            return None
        obj = self._informers.get(rt).get(ns or None, name)
        return (rt, obj) if obj is not None else None

    async def _sync(self, key: str) -> None:
        found = self._cached(key)
        if found is None:
            return
        rt, obj = found
        meta = obj["metadata"]
        finalizers = meta.get("finalizers") or []
        if meta.get("deletionTimestamp") and ORPHAN in finalizers:
            await self._orphan_dependents(rt, obj)
            return
        if meta.get("deletionTimestamp") and FOREGROUND in finalizers:
            await self._delete_dependents_first(rt, obj)
            return
        if meta.get("ownerReferences") and not meta.get("deletionTimestamp"):
            await self._check_owners(rt, obj)

    def _dependents_of(self, uid: str) -> list[tuple[ResourceType, Obj]]:
        out = []
        for key in sorted(self._dependents.get(uid, set()), key=lambda k: _ordinal_order(k.rsplit("/", 1)[-1]),
                          reverse=True):
            found = self._cached(key)
            if found is not None and any(r.get("uid") == uid for r in found[1]["metadata"].get("ownerReferences")
                                         or []):
                out.append(found)
        return out

    async def _remove_refs(self, rt: ResourceType, obj: Obj, uids: set[str]) -> None:
        meta = obj["metadata"]
        kept = [r for r in meta.get("ownerReferences") or [] if r.get("uid") not in uids]
        body = {"metadata": {"ownerReferences": kept or None, "resourceVersion": meta["resourceVersion"]}}
        try:
            await self.client.patch(rt, meta.get("namespace"), meta["name"], body, patch_type="merge")
        except StatusError as exc:
            if exc.code != 404:
                raise

    async def _orphan_dependents(self, rt: ResourceType, owner: Obj) -> None:
        uid = owner["metadata"]["uid"]
        for dep_rt, dependent in self._dependents_of(uid):
            await self._remove_refs(dep_rt, dependent, {uid})
        await self._drop_finalizer(rt, owner, ORPHAN)

    async def _delete_dependents_first(self, rt: ResourceType, owner: Obj) -> None:
        uid = owner["metadata"]["uid"]
        blocking = False
        for dep_rt, dependent in self._dependents_of(uid):
            ref = next(r for r in dependent["metadata"].get("ownerReferences") or [] if r.get("uid") == uid)
            if ref.get("blockOwnerDeletion"):
                blocking = True
            if not dependent["metadata"].get("deletionTimestamp"):
                await self._delete(dep_rt, dependent, "Foreground" if self._dependents.get(
                    dependent["metadata"].get("uid", "")) else "Background")
        if not blocking:
            await self._drop_finalizer(rt, owner, FOREGROUND)

    async def _drop_finalizer(self, rt: ResourceType, obj: Obj, finalizer: str) -> None:
        meta = obj["metadata"]
        remaining = [f for f in meta.get("finalizers") or [] if f != finalizer]
        body = {"metadata": {"finalizers": remaining or None, "resourceVersion": meta["resourceVersion"]}}
        try:
            await self.client.patch(rt, meta.get("namespace"), meta["name"], body, patch_type="merge")
        except StatusError as exc:
            if exc.code != 404:
                raise

    async def _delete(self, rt: ResourceType, obj: Obj, policy: str = "Background") -> None:
        meta = obj["metadata"]
        try:
            await self.client.delete(rt, meta.get("namespace"), meta["name"], propagation_policy=policy,
                                     preconditions={"uid": meta["uid"]})
        except StatusError as exc:
            if exc.code not in (404, 409):
                raise

    async def _owner_state(self, namespace: str | None, ref: Obj) -> str:
        """'present', 'deleting-foreground' or 'absent', confirmed against the API for absence."""
        uid = ref.get("uid", "")
        cached = self._by_uid.get(uid)
        if cached is not None:
            meta = cached[1]["metadata"]
            if meta.get("deletionTimestamp") and FOREGROUND in (meta.get("finalizers") or []):
                return "deleting-foreground"
            return "present"
        group, _, version = str(ref.get("apiVersion", "")).rpartition("/")
        owner_rt = lookup_kind(group, version, str(ref.get("kind", "")))
        if owner_rt is None:
            return "present"  # a kind petset does not serve: never assume it is gone
        try:
            live = await self.client.get(owner_rt, namespace if owner_rt.namespaced else None, str(ref.get("name")))
        except StatusError as exc:
            if exc.code == 404:
                return "absent"
            raise
        return "present" if live["metadata"].get("uid") == uid else "absent"

    async def _check_owners(self, rt: ResourceType, obj: Obj) -> None:
        meta = obj["metadata"]
        refs = meta.get("ownerReferences") or []
        states = {r.get("uid", ""): await self._owner_state(meta.get("namespace"), r) for r in refs}
        absent = {uid for uid, state in states.items() if state == "absent"}
        if any(state == "deleting-foreground" for state in states.values()):
            await self._delete(rt, obj, "Foreground" if self._dependents.get(meta.get("uid", "")) else "Background")
            return
        if not absent:
            return
        if len(absent) == len(states):
            await self._delete(rt, obj)
        else:
            await self._remove_refs(rt, obj, absent)
