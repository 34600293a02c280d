"""Informers: a list+watch cache of one resource, with add/update/delete handlers.

As client-go's SharedInformer: list once, watch from the list's resourceVersion, re-watch from the
last seen revision when a watch ends, and relist (sending the differences to the handlers) when
the server says that revision is too old. Controllers read from the cache, never from the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from petset.api import labels
from petset.api.errors import StatusError
from petset.api.resources import ResourceType
from petset.client.interface import Client

__all__ = ["Informer", "InformerFactory", "key_of"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)


def key_of(obj: Obj) -> str:
    """``namespace/name`` (or ``name`` for cluster-scoped objects), as cache.MetaNamespaceKeyFunc."""
    meta = obj["metadata"]
    ns = meta.get("namespace")
    return f"{ns}/{meta['name']}" if ns else meta["name"]


@dataclass
class _Handlers:
    on_add: Callable[[Obj], None] | None = None
    on_update: Callable[[Obj, Obj], None] | None = None
    on_delete: Callable[[Obj], None] | None = None


@dataclass
class Informer:
    client: Client
    rt: ResourceType
    namespace: str | None = None
    label_selector: str | None = None
    field_selector: str | None = None
    #: Re-watch timeout; a watch that ends is simply resumed from the last revision.
    watch_timeout: int = 300
    _items: dict[str, Obj] = field(default_factory=dict)
    _by_ns: dict[str, dict[str, Obj]] = field(default_factory=dict)
    _handlers: list[_Handlers] = field(default_factory=list)
    _synced: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    resource_version: str = ""

    def add_handlers(self, *, on_add: Callable[[Obj], None] | None = None,
                     on_update: Callable[[Obj, Obj], None] | None = None,
                     on_delete: Callable[[Obj], None] | None = None) -> None:
        self._handlers.append(_Handlers(on_add, on_update, on_delete))

    # cache reads

    def get(self, namespace: str | None, name: str) -> Obj | None:
        return self._items.get(f"{namespace}/{name}" if namespace else name)

    def list(self, namespace: str | None = None, selector: labels.Selector | None = None) -> list[Obj]:
        source = self._by_ns.get(namespace or "", {}).values() if namespace is not None else self._items.values()
        if selector is None:
            return list(source)
        return [o for o in source if selector.matches(o["metadata"].get("labels"))]

    @property
    def has_synced(self) -> bool:
        return self._synced.is_set()

    async def wait_synced(self) -> None:
        await self._synced.wait()

    # lifecycle

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"informer-{self.rt.plural}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            try:
                await self._list()
                while True:
                    await self._watch()
                backoff = 0.05
            except asyncio.CancelledError:
                raise
            except StatusError as exc:
                if exc.code != 410:
                    log.warning("informer %s: %s", self.rt.plural, exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5)
            except Exception:
                log.exception("informer %s failed; relisting", self.rt.plural)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5)

    async def _list(self) -> None:
        result = await self.client.list(self.rt, self.namespace, label_selector=self.label_selector,
                                        field_selector=self.field_selector)
        fresh = {key_of(o): o for o in result["items"]}
        for key in list(self._items):
            if key not in fresh:
                self._remove(key)
        for key, obj in fresh.items():
            self._apply(key, obj)
        self.resource_version = result["metadata"]["resourceVersion"]
        self._synced.set()

    async def _watch(self) -> None:
        async for kind, obj in self.client.watch(self.rt, self.namespace, resource_version=self.resource_version,
                                                 label_selector=self.label_selector,
                                                 field_selector=self.field_selector,
                                                 timeout_seconds=self.watch_timeout):
            rv = obj.get("metadata", {}).get("resourceVersion")
            if kind == "BOOKMARK":
                if rv:
                    self.resource_version = rv
                continue
            key = key_of(obj)
            if kind == "DELETED":
                self._remove(key, obj)
            else:
                self._apply(key, obj)
            if rv:
                self.resource_version = rv

    def _index(self, key: str, obj: Obj | None) -> None:
        ns = key.rpartition("/")[0]
        name = key.rpartition("/")[2]
        if obj is None:
            bucket = self._by_ns.get(ns)
            if bucket is not None:
                bucket.pop(name, None)
        else:
            self._by_ns.setdefault(ns, {})[name] = obj

    def _apply(self, key: str, obj: Obj) -> None:
        old = self._items.get(key)
        if old is not None and old.get("metadata", {}).get("resourceVersion") == obj["metadata"].get("resourceVersion"):
            return
        self._items[key] = obj
        self._index(key, obj)
        for h in self._handlers:
            if old is None:
                if h.on_add:
                    self._call(h.on_add, obj)
            elif h.on_update:
                self._call(h.on_update, old, obj)

    def _remove(self, key: str, final: Obj | None = None) -> None:
        old = self._items.pop(key, None)
        if old is None:
            return
        self._index(key, None)
        for h in self._handlers:
            if h.on_delete:
                self._call(h.on_delete, final or old)

    @staticmethod
    def _call(fn: Callable[..., None], *args: Obj) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("informer handler failed")


class InformerFactory:
    """One informer per resource, shared by every controller that needs it."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._informers: dict[tuple[str, str, str], Informer] = {}

    def get(self, rt: ResourceType) -> Informer:
        key = (rt.group, rt.version, rt.plural)
        informer = self._informers.get(key)
        if informer is None:
            informer = Informer(self.client, rt)
            self._informers[key] = informer
        return informer

    def start(self) -> None:
        for informer in self._informers.values():
            informer.start()

    async def wait_synced(self) -> None:
        await asyncio.gather(*(i.wait_synced() for i in self._informers.values()))

    async def stop(self) -> None:
        for informer in self._informers.values():
            await informer.stop()
