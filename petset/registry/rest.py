"""The generic registry: Kubernetes semantics for every resource, on top of the store.

This is upstream's genericregistry.Store in one class: uid, creationTimestamp, generateName,
resourceVersion preconditions and 409 Conflicts, no-op updates that keep the resourceVersion,
graceful deletion and finalizers, propagation-policy finalizers for the garbage collector,
label/field selectors, paging, and watches served from the watch cache.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from petset.api import errors, fields, labels
from petset.api.errors import StatusError
from petset.api.resources import ResourceType
from petset.registry import conversion
from petset.registry.options import DeleteOptions, ListOptions, WriteOptions
from petset.registry.strategy import Strategy, strategy_for
from petset.registry.watchcache import CacheEvent, WatchCache, Watcher
from petset.storage.interface import Compacted, KeyExists, KeyNotFound, RevisionMismatch, Store

__all__ = ["ResourceStore", "WatchStream", "now_rfc3339", "object_fields", "storage_prefix"]

Obj = dict[str, Any]

#: Letters Kubernetes uses for generated name suffixes (no vowels: no accidental words).
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_FINALIZER_ORPHAN = "orphan"
_FINALIZER_FOREGROUND = "foregroundDeletion"


def now_rfc3339(delta_seconds: float = 0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=delta_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def storage_prefix(group: str, plural: str) -> str:
    return f"/registry/{group}/{plural}/" if group else f"/registry/{plural}/"


def _lookup_path(obj: Obj, path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v.get("ip", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def object_fields(rt: ResourceType, obj: Obj) -> dict[str, str]:
    """The values field selectors can test, for the fields ``rt`` supports."""
    out = {path: _lookup_path(obj, path) for path in rt.field_selectors}
    if "source" in rt.field_selectors:
        out["source"] = _lookup_path(obj, "source.component")
    return out


@dataclass
class _Continue:
    revision: int
    start: str

    def encode(self) -> str:
        raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": self.revision, "start": self.start})
        return base64.b64encode(raw).decode()

    @classmethod
    def decode(cls, token: str) -> _Continue:
        try:
            data = orjson.loads(base64.b64decode(token + "=" * (-len(token) % 4)))
            return cls(int(data["rv"]), str(data["start"]))
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise errors.bad_request(f"continue key is not valid: {exc}") from None


class WatchStream:
    """Events for one watch request: replayed history or initial state, then live changes."""

    def __init__(self, store: ResourceStore, rt: ResourceType, watcher: Watcher, backlog: list[tuple[str, CacheEvent]],
                 *, after_revision: int, bookmarks: bool) -> None:
        self._store = store
        self.rt = rt
        self._watcher = watcher
        self._backlog = backlog
        self._after = after_revision
        self.bookmarks = bookmarks
        #: True once the watch cannot deliver more (closed, or dropped for falling behind).
        self.ended = False
        #: Send the "initial-events-end" bookmark once the initial state has been sent.
        self.announce_initial_events_end = False

    def _external(self, event: CacheEvent) -> tuple[Obj, bytes | None]:
        if conversion.is_storage_version(self.rt):
            return event.obj, event.encoded()
        return conversion.from_storage(self.rt, event.obj), None

    async def next(self, timeout: float | None = None) -> tuple[str, Obj, bytes | None] | None:
        """The next (type, object, encoded object or None); None at the end or on ``timeout``."""
        while True:
            if self._backlog:
                kind, event = self._backlog.pop(0)
                if kind == "SYNTHETIC":
                    obj, encoded = self._external(event)
                    return "ADDED", obj, encoded
            elif self.announce_initial_events_end:
                # WatchList clients (kubectl 1.33+) wait for this bookmark before they trust the stream.
                self.announce_initial_events_end = False
                mark = self.bookmark()
                mark["metadata"]["annotations"] = {"k8s.io/initial-events-end": "true"}
                return "BOOKMARK", mark, None
            else:
                # asyncio.timeout, not wait_for: Python 3.11's wait_for loses a cancellation that
                # arrives as the item does, and the cancelled watcher (an informer) never stops.
                try:
                    async with asyncio.timeout(timeout):
                        item = await self._watcher.queue.get()
                except TimeoutError:
                    return None
                if item is None:
                    self.ended = True
                    return None
                kind, event = item
            # Replayed history and the live queue may overlap; each revision is sent once.
            if event.revision <= self._after:
                continue
            self._after = event.revision
            obj, encoded = self._external(event)
            return kind, obj, encoded

    def bookmark(self) -> Obj:
        # Only claim the cache's revision when nothing older is still waiting to be sent.
        revision = self._after if not self._watcher.queue.empty() else max(self._after, self._store.cache.revision)
        return {"kind": self.rt.kind, "apiVersion": self.rt.group_version,
                "metadata": {"resourceVersion": str(revision)}}

    def close(self) -> None:
        self._store.cache.remove_watcher(self._watcher)

    def __aiter__(self) -> AsyncIterator[tuple[str, Obj, bytes | None]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[tuple[str, Obj, bytes | None]]:
        while True:
            item = await self.next()
            if item is None:
                return
            yield item


class ResourceStore:
    """Every verb of one stored resource; views in other versions convert at the edges."""

    def __init__(self, store: Store, group: str, plural: str, *, namespaced: bool, storage_rt: ResourceType) -> None:
        self.store = store
        self.prefix = storage_prefix(group, plural)
        self.cache = WatchCache(store, self.prefix)
        self.namespaced = namespaced
        self.storage_rt = storage_rt
        self.strategy: Strategy = strategy_for(storage_rt)
        #: Hooks the registry installs: admission (namespace lifecycle, IP allocation, ...).
        self.admission: list[Any] = []

    async def start(self) -> None:
        await self.cache.start()

    # keys and small helpers

    def key(self, namespace: str | None, name: str) -> str:
        return f"{self.prefix}{namespace}/{name}" if self.namespaced else f"{self.prefix}{name}"

    def _ns(self, namespace: str | None) -> str:
        return (namespace or "") if self.namespaced else ""

    def _not_found(self, rt: ResourceType, name: str) -> StatusError:
        return errors.not_found(rt.plural, rt.group, name)

    def _current(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        obj = self.cache.get(self._ns(namespace), name)
        if obj is None:
            raise self._not_found(rt, name)
        return obj

    def _invalid(self, rt: ResourceType, name: str, errs: list[errors.FieldError]) -> StatusError:
        return errors.invalid(rt.kind, rt.group, name, errs)

    @staticmethod
    def _encode(obj: Obj) -> bytes:
        meta = obj.get("metadata", {})
        if "resourceVersion" in meta:
            meta = dict(meta)
            del meta["resourceVersion"]
            obj = {**obj, "metadata": meta}
        return orjson.dumps(obj)

    def _out(self, rt: ResourceType, obj: Obj) -> Obj:
        return conversion.from_storage(rt, obj)

    # reads

    async def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        return self._out(rt, self._current(rt, namespace, name))

    def get_cached(self, namespace: str | None, name: str) -> Obj | None:
        """The stored object (storage version, shared: never modify it)."""
        return self.cache.get(self._ns(namespace), name)

    def _filters(self, rt: ResourceType, opts: ListOptions) -> tuple[labels.Selector, fields.FieldSelector]:
        try:
            label_sel = labels.parse(opts.label_selector)
        except labels.SelectorError as exc:
            raise errors.bad_request(f"unable to parse requirement: {exc}".replace(
                "unable to parse requirement: unable to parse requirement:", "unable to parse requirement:")) from None
        try:
            field_sel = fields.parse(opts.field_selector)
        except fields.FieldSelectorError as exc:
            raise errors.bad_request(str(exc)) from None
        for req in field_sel.requirements:
            if req.field not in rt.field_selectors and req.field != "source":
                raise errors.bad_request(f'"{req.field}" is not a known field selector: only '
                                         + ", ".join(f'"{f}"' for f in rt.field_selectors))
        return label_sel, field_sel

    def _matcher(self, rt: ResourceType, opts: ListOptions) -> Any:
        label_sel, field_sel = self._filters(rt, opts)
        if label_sel.empty and field_sel.empty:
            return lambda obj: True

        def matches(obj: Obj) -> bool:
            meta = obj.get("metadata", {})
            if not label_sel.matches(meta.get("labels")):
                return False
            return field_sel.empty or field_sel.matches(object_fields(self.storage_rt, obj))

        return matches

    async def _wait_for_revision(self, opts: ListOptions) -> None:
        """Honour resourceVersion with NotOlderThan: the cache must have seen that revision."""
        rv = opts.resource_version
        if not rv or rv == "0":
            return
        try:
            wanted = int(rv)
        except ValueError:
            raise errors.bad_request(f"invalid resource version: {rv}") from None
        if opts.resource_version_match == "Exact" and wanted != self.cache.revision and wanted < self.store.revision:
            raise errors.gone(f"too old resource version: {wanted} ({self.cache.revision})")
        deadline = asyncio.get_running_loop().time() + 3
        while self.store.revision < wanted:
            if asyncio.get_running_loop().time() > deadline:
                raise StatusError(504, "Timeout", f"Too large resource version: {wanted}, current: "
                                  f"{self.store.revision}",
                                  {"causes": [{"reason": "ResourceVersionTooLarge",
                                               "message": "Too large resource version"}], "retryAfterSeconds": 1})
            await asyncio.sleep(0.05)

    async def list(self, rt: ResourceType, namespace: str | None, opts: ListOptions) -> Obj:
        await self._wait_for_revision(opts)
        matches = self._matcher(rt, opts)
        ns = self._ns(namespace) if namespace else None
        field_sel = fields.parse(opts.field_selector)
        # A metadata.name pin (kubectl wait/delete, rollout status) needs no scan at all.
        pinned = field_sel.value_of("metadata.name")
        start = ""
        if opts.continue_token:
            start = _Continue.decode(opts.continue_token).start
        items: list[Obj] = []
        continue_token = None
        remaining = 0
        source = self.cache.items(ns)
        if pinned is not None and ns is not None:
            one = self.cache.get(ns, pinned)
            source = iter([one] if one is not None else [])
        for obj in source:
            meta = obj["metadata"]
            position = f"{meta.get('namespace', '')}/{meta['name']}"
            if start and position <= start:
                continue
            if not matches(obj):
                continue
            if opts.limit and len(items) >= opts.limit:
                remaining += 1
                continue
            items.append(obj)
        revision = self.store.revision
        if remaining:
            last = items[-1]["metadata"]
            continue_token = _Continue(revision, f"{last.get('namespace', '')}/{last['name']}").encode()
        list_meta: Obj = {"resourceVersion": str(revision)}
        if continue_token:
            list_meta["continue"] = continue_token
            list_meta["remainingItemCount"] = remaining
        if not conversion.is_storage_version(rt):
            items = [self._out(rt, obj) for obj in items]
        return {"kind": rt.list_kind, "apiVersion": rt.group_version, "metadata": list_meta, "items": items}

    async def watch(self, rt: ResourceType, namespace: str | None, opts: ListOptions) -> WatchStream:
        matches = self._matcher(rt, opts)
        ns = self._ns(namespace) if namespace else None
        watcher = Watcher(ns, matches)
        rv = opts.resource_version
        send_initial = opts.send_initial_events
        if send_initial is None:
            send_initial = not rv or rv == "0"
        # Register first: no event can fall between the snapshot below and the live stream.
        self.cache.add_watcher(watcher)
        backlog: list[tuple[str, CacheEvent]] = []
        try:
            if send_initial:
                # The current state as synthetic ADDED events, then changes after this revision.
                after = self.cache.revision
                for obj in self.cache.items(ns):
                    if matches(obj):
                        revision = int(obj["metadata"]["resourceVersion"])
                        backlog.append(("SYNTHETIC", CacheEvent("ADDED", obj, None, revision)))
            else:
                try:
                    after = int(rv or 0)
                except ValueError:
                    raise errors.bad_request(f"invalid resource version: {rv}") from None
                events = self.cache.events_since(after)
                if events is None:
                    try:
                        events = await self.cache.replay_from_store(after)
                    except Compacted:
                        raise errors.gone(f"too old resource version: {after} ({self.cache.revision})") from None
                # Replayed events go through the same filter as live ones.
                replay = Watcher(ns, matches)
                for event in events:
                    replay.offer(event)
                while not replay.queue.empty():
                    item = replay.queue.get_nowait()
                    if item is not None:
                        backlog.append(item)
        except BaseException:
            self.cache.remove_watcher(watcher)
            raise
        stream = WatchStream(self, rt, watcher, backlog, after_revision=after, bookmarks=opts.allow_bookmarks)
        stream.announce_initial_events_end = bool(opts.send_initial_events) and opts.allow_bookmarks
        return stream

    # writes

    def _run_admission(self, rt: ResourceType, obj: Obj, old: Obj | None, opts: WriteOptions) -> None:
        if self.strategy.admit is not None:
            refused = self.strategy.admit(obj, old)
            if refused:
                raise errors.forbidden_request(rt.plural, rt.group, obj["metadata"].get("name", ""),
                                               "; ".join(refused))
        for plugin in self.admission:
            plugin(self, obj, old, "UPDATE" if old is not None else "CREATE", opts)

    def _prepare_new(self, rt: ResourceType, namespace: str | None, obj: Obj, opts: WriteOptions) -> Obj:
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        if self.namespaced:
            body_ns = meta.get("namespace")
            if body_ns and namespace and body_ns != namespace:
                raise errors.bad_request("the namespace of the provided object does not match the namespace sent "
                                         "on the request")
            meta["namespace"] = namespace or body_ns or "default"
        else:
            meta.pop("namespace", None)
        if meta.get("resourceVersion"):
            raise errors.internal("resourceVersion should not be set on objects to be created")
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(secrets.choice(_NAME_ALPHABET) for _ in range(5))
        obj = conversion.to_storage(rt, obj)
        meta = obj["metadata"]
        self.strategy.default(self.storage_rt.version, obj)
        self.strategy.drop_disabled_fields(obj, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        for key in ("deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink", "generation"):
            meta.pop(key, None)
        self.strategy.prepare_for_create(obj)
        # Defaulting again fills what a reset status or a new field left out; it is idempotent.
        self.strategy.default(self.storage_rt.version, obj)
        self._run_admission(rt, obj, None, opts)
        errs = self.strategy.validate(obj)
        if errs:
            raise self._invalid(rt, meta.get("name", ""), errs)
        return obj

    async def create(self, rt: ResourceType, namespace: str | None, obj: Obj, opts: WriteOptions | None = None) -> Obj:
        opts = opts or WriteOptions()
        obj = self._prepare_new(rt, namespace, obj, opts)
        name = obj["metadata"]["name"]
        if opts.dry_run:
            if self.cache.get(self._ns(namespace or obj["metadata"].get("namespace")), name) is not None:
                raise errors.already_exists(rt.plural, rt.group, name)
            return self._out(rt, obj)
        try:
            kv = await self.store.create(self.key(obj["metadata"].get("namespace"), name), self._encode(obj))
        except KeyExists:
            raise errors.already_exists(rt.plural, rt.group, name) from None
        stored = self.cache.get(self._ns(obj["metadata"].get("namespace")), name)
        assert stored is not None and stored["metadata"]["resourceVersion"] == str(kv.mod_revision)
        return self._out(rt, stored)

    async def update(self, rt: ResourceType, namespace: str | None, name: str, obj: Obj,
                     opts: WriteOptions | None = None, *, subresource: str | None = None) -> tuple[Obj, bool]:
        """PUT: replace the object (or its status); returns (object, created)."""
        opts = opts or WriteOptions()
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        if meta.get("name") and meta["name"] != name:
            raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL "
                                     f"({name})")
        if self.namespaced and meta.get("namespace") and namespace and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                     "the request")
        meta["name"] = name
        old = self.cache.get(self._ns(namespace), name)
        if old is None:
            if self.strategy.allow_create_on_update and subresource is None:
                meta.pop("resourceVersion", None)
                return await self.create(rt, namespace, obj, opts), True
            raise self._not_found(rt, name)
        new = conversion.to_storage(rt, obj)
        return await self._update(rt, new, old, opts, subresource=subresource), False

    async def _update(self, rt: ResourceType, new: Obj, old: Obj, opts: WriteOptions, *,
                      subresource: str | None) -> Obj:
        meta = new.setdefault("metadata", {})
        old_meta = old["metadata"]
        name = old_meta["name"]
        wanted_rv = meta.get("resourceVersion")
        if wanted_rv and wanted_rv != old_meta["resourceVersion"]:
            raise errors.optimistic_lock_conflict(rt.plural, rt.group, name)
        if meta.get("uid") and meta["uid"] != old_meta.get("uid"):
            # A uid in an update is a precondition, as the generic store checks it.
            raise errors.conflict(rt.plural, rt.group, name, f"Precondition failed: UID in precondition: "
                                  f"{meta['uid']}, UID in object meta: {old_meta.get('uid')}")
        if self.namespaced:
            meta["namespace"] = old_meta.get("namespace")
        # Fields only the server sets.
        for key in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        meta.pop("selfLink", None)
        meta.pop("managedFields", None)
        if subresource == "status":
            self.strategy.prepare_for_status_update(new, old)
            self.strategy.default(self.storage_rt.version, new)
            errs = self.strategy.validate_status_update(new, old)
        elif subresource == "binding":
            # The binding subresource checked its own rules; a pod update could not set nodeName.
            errs = []
        elif subresource == "finalize":
            # namespaces/finalize changes spec.finalizers and nothing else.
            finalizers = (new.get("spec") or {}).get("finalizers") or []
            new = copy.deepcopy(old)
            new["spec"] = {**(old.get("spec") or {}), "finalizers": finalizers}
            meta = new["metadata"]
            errs = []
        else:
            self.strategy.default(self.storage_rt.version, new)
            self.strategy.drop_disabled_fields(new, old)
            self.strategy.prepare_for_update(new, old)
            if old_meta.get("deletionTimestamp"):
                added = set(meta.get("finalizers") or ()) - set(old_meta.get("finalizers") or ())
                if added:
                    raise self._invalid(rt, name, [errors.forbidden(
                        "metadata.finalizers", "no new finalizers can be added if the object is being deleted, "
                        f"found new finalizers {errors.go_repr(sorted(added))}")])
            self._run_admission(rt, new, old, opts)
            errs = self.strategy.validate_update(new, old)
        if errs:
            raise self._invalid(rt, name, errs)
        meta["resourceVersion"] = old_meta["resourceVersion"]
        if new == old:
            # A no-op keeps the resourceVersion: kubectl prints "patched (no change)" only then.
            return self._out(rt, old)
        if opts.dry_run:
            return self._out(rt, new)
        key = self.key(old_meta.get("namespace"), name)
        if self._deletion_complete(new):
            try:
                await self.store.delete(key, expected_revision=int(old_meta["resourceVersion"]))
            except RevisionMismatch:
                raise errors.optimistic_lock_conflict(rt.plural, rt.group, name) from None
            except KeyNotFound:
                raise self._not_found(rt, name) from None
            return self._out(rt, new)
        try:
            await self.store.update(key, self._encode(new), expected_revision=int(old_meta["resourceVersion"]))
        except RevisionMismatch:
            raise errors.optimistic_lock_conflict(rt.plural, rt.group, name) from None
        except KeyNotFound:
            raise self._not_found(rt, name) from None
        stored = self.cache.get(self._ns(old_meta.get("namespace")), name)
        assert stored is not None
        return self._out(rt, stored)

    def _deletion_complete(self, obj: Obj) -> bool:
        """A deleted object goes once its finalizers are gone and its grace period is over (0)."""
        meta = obj["metadata"]
        if not meta.get("deletionTimestamp") or meta.get("finalizers"):
            return False
        if self.strategy.kind == "Namespace" and (obj.get("spec") or {}).get("finalizers"):
            return False
        return not self.strategy.graceful or meta.get("deletionGracePeriodSeconds", 0) == 0

    async def update_with(self, rt: ResourceType, namespace: str | None, name: str, mutate: Any,
                          opts: WriteOptions | None = None, *, subresource: str | None = None,
                          create_if_missing: bool = False, retries: int = 8) -> tuple[Obj, bool]:
        """Read-modify-write with retry on conflict: ``mutate(current_copy_or_None)`` returns the new object.

        This is how PATCH is applied: on a 409 the patch is re-applied to the fresh object, unless
        the patch itself pinned a resourceVersion.
        """
        opts = opts or WriteOptions()
        for attempt in range(retries):
            old = self.cache.get(self._ns(namespace), name)
            if old is None:
                if not create_if_missing:
                    raise self._not_found(rt, name)
                new = mutate(None)
                return await self.create(rt, namespace, new, opts), True
            current = copy.deepcopy(self._out(rt, old))
            new = mutate(current)
            new_meta = new.setdefault("metadata", {})
            pinned = new_meta.get("resourceVersion") not in (None, "", old["metadata"]["resourceVersion"])
            if not pinned:
                new_meta["resourceVersion"] = old["metadata"]["resourceVersion"]
            if new_meta.get("name", name) != name:
                raise errors.bad_request(f"the name of the object ({new_meta['name']}) does not match the name on "
                                         f"the URL ({name})")
            new_meta["name"] = name
            try:
                return await self._update(rt, conversion.to_storage(rt, new), old, opts, subresource=subresource), False
            except StatusError as exc:
                if exc.reason != "Conflict" or pinned or attempt == retries - 1:
                    raise
        raise AssertionError("unreachable")

    # deletes

    def _grace_period(self, obj: Obj, options: DeleteOptions) -> int:
        if not self.strategy.graceful:
            return 0
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        if options.grace_period_seconds is not None:
            period = options.grace_period_seconds
        else:
            period = spec.get("terminationGracePeriodSeconds", 30)
        if not spec.get("nodeName") or status.get("phase") in ("Failed", "Succeeded"):
            period = 0
        return max(int(period), 0)

    async def delete(self, rt: ResourceType, namespace: str | None, name: str,
                     options: DeleteOptions | None = None) -> tuple[Obj, bool]:
        """DELETE: returns (the object as it is now, whether it is gone from storage)."""
        options = options or DeleteOptions()
        for _ in range(8):
            old = self._current(rt, namespace, name)
            try:
                return await self._delete_once(rt, old, options)
            except RevisionMismatch:
                continue
        raise errors.optimistic_lock_conflict(rt.plural, rt.group, name)

    def _policy(self, options: DeleteOptions) -> str:
        if options.propagation_policy:
            if options.propagation_policy not in ("Orphan", "Background", "Foreground"):
                raise errors.bad_request(f'propagationPolicy: Unsupported value: "{options.propagation_policy}": '
                                         'supported values: "Foreground", "Background", "Orphan"')
            return options.propagation_policy
        if options.orphan_dependents is not None:
            return "Orphan" if options.orphan_dependents else "Background"
        return "Background"

    async def _delete_once(self, rt: ResourceType, old: Obj, options: DeleteOptions) -> tuple[Obj, bool]:
        meta = old["metadata"]
        name = meta["name"]
        pre = options.preconditions or {}
        if pre.get("uid") and pre["uid"] != meta.get("uid"):
            raise errors.conflict(rt.plural, rt.group, name, f"Precondition failed: UID in precondition: {pre['uid']}, "
                                  f"UID in object meta: {meta.get('uid')}")
        if pre.get("resourceVersion") and pre["resourceVersion"] != meta.get("resourceVersion"):
            raise errors.conflict(rt.plural, rt.group, name, "Precondition failed: ResourceVersion in precondition: "
                                  f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                                  f"{meta.get('resourceVersion')}")
        policy = self._policy(options)
        if self.strategy.kind == "Namespace" and name in ("default", "kube-system", "kube-public"):
            raise errors.forbidden_request(rt.plural, rt.group, name, "this namespace may not be deleted")
        new = copy.deepcopy(old)
        new_meta = new["metadata"]
        finalizers = list(new_meta.get("finalizers") or [])
        if policy == "Orphan" and _FINALIZER_ORPHAN not in finalizers:
            finalizers.append(_FINALIZER_ORPHAN)
        if policy == "Foreground" and _FINALIZER_FOREGROUND not in finalizers:
            finalizers.append(_FINALIZER_FOREGROUND)
        if policy != "Orphan" and _FINALIZER_ORPHAN in finalizers and options.propagation_policy:
            finalizers.remove(_FINALIZER_ORPHAN)
        period = self._grace_period(old, options)
        already = meta.get("deletionTimestamp")
        if already and self.strategy.graceful:
            current = meta.get("deletionGracePeriodSeconds", 0)
            period = min(period, current)
        namespace_pending = self.strategy.kind == "Namespace" and bool((old.get("spec") or {}).get("finalizers"))
        if period > 0 or finalizers or namespace_pending:
            # Graceful: the object stays, marked; the kubelet, the garbage collector or the namespace
            # controller finishes the deletion.
            if not already or period < meta.get("deletionGracePeriodSeconds", 0):
                new_meta["deletionTimestamp"] = now_rfc3339(period)
            new_meta["deletionGracePeriodSeconds"] = period
            if finalizers:
                new_meta["finalizers"] = finalizers
            if self.strategy.kind == "Namespace":
                new.setdefault("status", {})["phase"] = "Terminating"
            if new == old:
                return self._out(rt, old), False
            if options.dry_run:
                return self._out(rt, new), False
            await self.store.update(self.key(meta.get("namespace"), name), self._encode(new),
                                    expected_revision=int(meta["resourceVersion"]))
            stored = self.cache.get(self._ns(meta.get("namespace")), name)
            return self._out(rt, stored or new), False
        if options.dry_run:
            return self._out(rt, old), True
        try:
            kv = await self.store.delete(self.key(meta.get("namespace"), name),
                                         expected_revision=int(meta["resourceVersion"]))
        except KeyNotFound:
            raise self._not_found(rt, name) from None
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return self._out(rt, gone), True

    async def delete_collection(self, rt: ResourceType, namespace: str | None, list_opts: ListOptions,
                                options: DeleteOptions) -> Obj:
        listed = await self.list(rt, namespace, ListOptions(label_selector=list_opts.label_selector,
                                                            field_selector=list_opts.field_selector))
        deleted = []
        for item in listed["items"]:
            meta = item["metadata"]
            try:
                obj, _ = await self.delete(rt, meta.get("namespace"), meta["name"], options)
            except StatusError as exc:
                if exc.code == 404:
                    continue
                raise
            deleted.append(obj)
        return {"kind": rt.list_kind, "apiVersion": rt.group_version,
                "metadata": {"resourceVersion": str(self.store.revision)}, "items": deleted}
