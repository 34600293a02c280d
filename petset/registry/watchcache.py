"""The watch cache: every object of one resource in memory, and recent events for watchers.

Like kube-apiserver's cacher, it is filled by one list of the store and then kept current by the
store's event stream, so lists and watches never touch the database. The store delivers events
synchronously at commit, so the cache is never behind a write that has returned.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from petset.storage.interface import KeyValue, Store, StoreEvent

__all__ = ["CacheEvent", "WatchCache", "Watcher", "decode"]

#: Events kept for watchers that resume from an older resourceVersion.
HISTORY = 10_000
#: A watcher this far behind is dropped (the client relists), so one slow reader cannot hold memory.
MAX_PENDING = 20_000


def decode(kv: KeyValue) -> dict[str, Any]:
    """Decode a stored object; its resourceVersion is the key's mod revision."""
    obj: dict[str, Any] = orjson.loads(kv.value)
    obj.setdefault("metadata", {})["resourceVersion"] = str(kv.mod_revision)
    return obj


@dataclass(slots=True)
class CacheEvent:
    type: str  # ADDED, MODIFIED, DELETED
    obj: dict[str, Any]
    prev: dict[str, Any] | None
    revision: int
    _encoded: bytes | None = None

    def encoded(self) -> bytes:
        """The object as JSON, computed once however many watchers send it."""
        if self._encoded is None:
            self._encoded = orjson.dumps(self.obj)
        return self._encoded


#: Filters decide per object; the watch code turns old/new matches into ADDED/MODIFIED/DELETED.
Filter = Callable[[dict[str, Any]], bool]


@dataclass(eq=False)
class Watcher:
    namespace: str | None
    matches: Filter
    queue: asyncio.Queue[tuple[str, CacheEvent] | None] = field(default_factory=asyncio.Queue)
    stopped: bool = False

    def offer(self, event: CacheEvent) -> None:
        if self.stopped:
            return
        if self.namespace is not None:
            ns = event.obj.get("metadata", {}).get("namespace")
            if ns != self.namespace:
                return
        now = self.matches(event.obj) if event.type != "DELETED" else False
        before = self.matches(event.prev) if event.prev is not None else False
        if event.type == "DELETED":
            if before:
                self._put("DELETED", event)
            return
        if now and not before:
            self._put("ADDED", event)
        elif now and before:
            self._put("MODIFIED", event)
        elif before and not now:
            # The object left the filter: watchers see it go, with the new revision (as the cacher does).
            gone = dict(event.prev or {})
            gone["metadata"] = {**gone.get("metadata", {}), "resourceVersion": str(event.revision)}
            self._put("DELETED", CacheEvent("DELETED", gone, None, event.revision))

    def _put(self, kind: str, event: CacheEvent) -> None:
        if self.queue.qsize() >= MAX_PENDING:
            self.stop()
            return
        self.queue.put_nowait((kind, event))

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.queue.put_nowait(None)


class WatchCache:
    """All objects under one storage prefix, indexed by namespace."""

    def __init__(self, store: Store, prefix: str) -> None:
        self.store = store
        self.prefix = prefix
        self._by_ns: dict[str, dict[str, dict[str, Any]]] = {}
        self._history: deque[CacheEvent] = deque(maxlen=HISTORY)
        self._watchers: set[Watcher] = set()
        self.revision = 0
        self._oldest = 0
        self._unsubscribe: Callable[[], None] | None = None

    async def start(self) -> None:
        items, revision = await self.store.list(self.prefix)
        for kv in items:
            obj = decode(kv)
            ns, name = self._split(kv.key)
            self._by_ns.setdefault(ns, {})[name] = obj
        self.revision = revision
        self._oldest = revision
        self._unsubscribe = self.store.subscribe(self._on_event)

    def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        for w in list(self._watchers):
            w.stop()

    def _split(self, key: str) -> tuple[str, str]:
        rest = key[len(self.prefix):]
        ns, _, name = rest.rpartition("/")
        return ns, name

    def _on_event(self, event: StoreEvent) -> None:
        key = event.kv.key
        if not key.startswith(self.prefix):
            return
        ns, name = self._split(key)
        bucket = self._by_ns.setdefault(ns, {})
        prev = bucket.get(name)
        if event.type == "DELETE":
            bucket.pop(name, None)
            if not bucket:
                self._by_ns.pop(ns, None)
            obj = decode(event.kv)
            cache_event = CacheEvent("DELETED", obj, prev, event.revision)
        else:
            obj = decode(event.kv)
            bucket[name] = obj
            cache_event = CacheEvent("MODIFIED" if prev is not None else "ADDED", obj, prev, event.revision)
        self.revision = event.revision
        self._history.append(cache_event)
        for watcher in list(self._watchers):
            watcher.offer(cache_event)

    # reads

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._by_ns.get(namespace, {}).get(name)

    def items(self, namespace: str | None) -> Iterator[dict[str, Any]]:
        """Objects in key order (namespace, then name), as etcd lists them."""
        if namespace is not None:
            bucket = self._by_ns.get(namespace, {})
            for name in sorted(bucket):
                yield bucket[name]
            return
        for ns in sorted(self._by_ns):
            bucket = self._by_ns[ns]
            for name in sorted(bucket):
                yield bucket[name]

    def count(self) -> int:
        return sum(len(b) for b in self._by_ns.values())

    # watches

    def events_since(self, revision: int) -> list[CacheEvent] | None:
        """Events after ``revision`` from memory, or None when memory no longer reaches back that far."""
        if revision >= self.revision:
            return []
        if self._history and self._history[0].revision <= revision + 1:
            return [e for e in self._history if e.revision > revision]
        if not self._history and revision >= self._oldest:
            return []
        return None

    async def replay_from_store(self, revision: int) -> list[CacheEvent]:
        """Older events from the store's history (raises Compacted when they are gone)."""
        events = []
        by_key: dict[str, dict[str, Any] | None] = {}
        for ev in await self.store.history(self.prefix, revision):
            if ev.revision > self.revision:
                break
            prev = by_key.get(ev.kv.key, decode(ev.prev) if ev.prev else None)
            obj = decode(ev.kv)
            if ev.type == "DELETE":
                events.append(CacheEvent("DELETED", obj, prev, ev.revision))
                by_key[ev.kv.key] = None
            else:
                events.append(CacheEvent("MODIFIED" if prev else "ADDED", obj, prev, ev.revision))
                by_key[ev.kv.key] = obj
        return events

    def add_watcher(self, watcher: Watcher) -> None:
        self._watchers.add(watcher)

    def remove_watcher(self, watcher: Watcher) -> None:
        with contextlib.suppress(KeyError):
            self._watchers.remove(watcher)
        watcher.stop()

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)
