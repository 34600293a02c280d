"""The in-process client: calls the registry directly, with the same semantics as HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson

from petset.api import errors, patch, schema
from petset.api.resources import ResourceType
from petset.client.interface import WatchEvent
from petset.registry.options import DeleteOptions, ListOptions, WriteOptions
from petset.registry.registry import Registry
from petset.registry.subresources import bind_pod, get_scale, update_scale

__all__ = ["LocalClient"]

Obj = dict[str, Any]


def _copy(obj: Any) -> Any:
    # The registry's objects are shared with its cache; callers get their own.
    return orjson.loads(orjson.dumps(obj))


class LocalClient:
    def __init__(self, registry: Registry, *, user_agent: str = "petset") -> None:
        self.registry = registry
        self.user_agent = user_agent

    async def get(self, rt: ResourceType, namespace: str | None, name: str, *,
                  subresource: str | None = None) -> Obj:
        store = self.registry.store_for(rt)
        if subresource == "scale":
            return await get_scale(store, rt, namespace or "", name)
        return _copy(await store.get(rt, namespace, name))

    async def list(self, rt: ResourceType, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None, resource_version: str | None = None,
                   limit: int = 0, continue_token: str | None = None) -> Obj:
        opts = ListOptions(label_selector=label_selector, field_selector=field_selector,
                           resource_version=resource_version, limit=limit, continue_token=continue_token)
        return _copy(await self.registry.store_for(rt).list(rt, namespace, opts))

    async def create(self, rt: ResourceType, namespace: str | None, obj: Obj, *,
                     subresource: str | None = None, name: str | None = None) -> Obj:
        store = self.registry.store_for(rt)
        if subresource == "binding":
            assert name is not None
            return await bind_pod(store, rt, namespace or "", name, _copy(obj), WriteOptions())
        if subresource is not None:
            raise errors.bad_request(f"create of {rt.plural}/{subresource} is not supported by the local client")
        return _copy(await store.create(rt, namespace, _copy(obj), WriteOptions()))

    async def update(self, rt: ResourceType, namespace: str | None, obj: Obj, *,
                     subresource: str | None = None) -> Obj:
        store = self.registry.store_for(rt)
        name = obj["metadata"]["name"]
        if subresource == "scale":
            scale = _copy(obj)
            return await update_scale(store, rt, namespace or "", name, lambda _: scale, WriteOptions())
        result, _ = await store.update(rt, namespace, name, _copy(obj), WriteOptions(), subresource=subresource)
        return _copy(result)

    async def patch(self, rt: ResourceType, namespace: str | None, name: str, body: Any, *,
                    patch_type: str = "strategic", subresource: str | None = None,
                    field_manager: str | None = None) -> Obj:
        node = schema.node(rt.group, rt.version, rt.kind)
        body = _copy(body)

        def apply(current: Obj | None) -> Obj:
            if patch_type == "apply":
                return patch.apply_server_side_apply(current, body, node)
            if current is None:
                raise errors.not_found(rt.plural, rt.group, name)
            if patch_type == "json":
                return patch.apply_json_patch(current, body)
            if patch_type == "merge":
                return patch.apply_merge_patch(current, body)
            return patch.apply_strategic_merge_patch(current, body, node)

        store = self.registry.store_for(rt)
        if subresource == "scale":
            scale_node = schema.node("autoscaling", "v1", "Scale")
            return await update_scale(store, rt, namespace or "", name,
                                      lambda s: patch.apply_merge_patch(s, body) if patch_type == "merge"
                                      else patch.apply_strategic_merge_patch(s, body, scale_node), WriteOptions())
        result, _ = await store.update_with(rt, namespace, name, apply, WriteOptions(field_manager=field_manager),
                                            subresource=subresource, create_if_missing=patch_type == "apply")
        return _copy(result)

    async def delete(self, rt: ResourceType, namespace: str | None, name: str, *,
                     grace_period_seconds: int | None = None, propagation_policy: str | None = None,
                     preconditions: Obj | None = None) -> Obj:
        options = DeleteOptions(grace_period_seconds=grace_period_seconds, propagation_policy=propagation_policy,
                                preconditions=preconditions)
        obj, _ = await self.registry.store_for(rt).delete(rt, namespace, name, options)
        return _copy(obj)

    async def watch(self, rt: ResourceType, namespace: str | None = None, *, resource_version: str | None = None,
                    label_selector: str | None = None, field_selector: str | None = None,
                    timeout_seconds: int | None = None) -> AsyncIterator[WatchEvent]:
        opts = ListOptions(label_selector=label_selector, field_selector=field_selector,
                           resource_version=resource_version, timeout_seconds=timeout_seconds)
        stream = await self.registry.store_for(rt).watch(rt, namespace, opts)
        try:
            while True:
                item = await stream.next(timeout=timeout_seconds)
                if item is None:
                    return
                kind, obj, encoded = item
                yield kind, (orjson.loads(encoded) if encoded is not None else _copy(obj))
        finally:
            stream.close()

    async def close(self) -> None:
        return None
