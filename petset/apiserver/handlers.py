"""REST handlers for resource paths: list, watch, get, create, update, patch, delete, subresources."""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from petset.api import errors, patch, printers, protobuf, schema
from petset.api.resources import ResourceType, lookup
from petset.apiserver.negotiation import TABLE_CONTENT_TYPE, decode_body, decode_object, encode, wants_table
from petset.client.connector import LogOptions, NodeConnector
from petset.registry.options import DeleteOptions, ListOptions, WriteOptions
from petset.registry.registry import Registry
from petset.registry.rest import ResourceStore
from petset.registry.subresources import bind_pod, evict_pod, get_scale, update_scale

__all__ = ["ResourceHandler", "Target", "parse_target"]

Obj = dict[str, Any]

JSON = "application/json"
#: How often an idle watch that asked for bookmarks gets one.
BOOKMARK_INTERVAL = 60.0
_PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+cbor": "apply-cbor",
}


@dataclass
class Target:
    rt: ResourceType
    namespace: str | None
    name: str | None = None
    subresource: str | None = None
    #: What follows the subresource (the proxied path of pods/x/proxy/...).
    rest: str = ""


def parse_target(group: str, version: str, parts: list[str], raw_parts: list[str]) -> Target | None:
    """Resolve ``[namespaces/<ns>/]<resource>[/<name>[/<subresource>[/...]]]``."""
    if not parts:
        return None
    if parts[0] == "namespaces" and len(parts) >= 3:
        candidate = lookup(group, version, parts[2])
        if candidate is not None and candidate.namespaced:
            name = parts[3] if len(parts) > 3 else None
            sub = parts[4] if len(parts) > 4 else None
            rest = "/".join(raw_parts[5:]) if len(parts) > 5 else ""
            return Target(candidate, parts[1], name, sub, rest)
    rt = lookup(group, version, parts[0])
    if rt is None:
        return None
    name = parts[1] if len(parts) > 1 else None
    sub = parts[2] if len(parts) > 2 else None
    rest = "/".join(raw_parts[3:]) if len(parts) > 3 else ""
    if rt.namespaced and name is not None:
        return None  # a namespaced object needs its namespace in the path
    return Target(rt, None, name, sub, rest)


def _int_param(query: Any, key: str) -> int | None:
    value = query.get(key)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise errors.bad_request(f"invalid {key}: {value!r} is not a number") from None


def _bool_param(query: Any, key: str) -> bool:
    return str(query.get(key, "")).lower() in ("true", "1")


def list_options(request: web.Request) -> ListOptions:
    q = request.query
    send_initial = q.get("sendInitialEvents")
    return ListOptions(
        label_selector=q.get("labelSelector"),
        field_selector=q.get("fieldSelector"),
        limit=_int_param(q, "limit") or 0,
        continue_token=q.get("continue") or None,
        resource_version=q.get("resourceVersion"),
        resource_version_match=q.get("resourceVersionMatch"),
        timeout_seconds=_int_param(q, "timeoutSeconds"),
        allow_bookmarks=_bool_param(q, "allowWatchBookmarks"),
        send_initial_events=None if send_initial is None else send_initial.lower() == "true",
    )


def write_options(request: web.Request) -> WriteOptions:
    q = request.query
    validation = q.get("fieldValidation") or "Warn"
    if validation not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request(f"fieldValidation parameter unsupported: {validation}")
    dry = q.getall("dryRun", [])
    if dry and any(d != "All" for d in dry):
        raise errors.bad_request(f'dryRun: Unsupported value: "{dry[0]}": supported values: "All"')
    return WriteOptions(dry_run=bool(dry), field_manager=q.get("fieldManager"), field_validation=validation,
                        force=_bool_param(q, "force"))


def respond(obj: Any, status: int = 200, *, warnings: list[str] | None = None,
            content_type: str = JSON) -> web.Response:
    headers = {"Content-Type": content_type}
    if warnings:
        headers["Warning"] = ", ".join(f'299 - {orjson.dumps(w).decode()}' for w in dict.fromkeys(warnings))
    return web.Response(body=encode(obj), status=status, headers=headers)


class ResourceHandler:
    def __init__(self, registry: Registry, connector: NodeConnector | None = None) -> None:
        self.registry = registry
        self.connector = connector

    # entry

    async def handle(self, request: web.Request, target: Target) -> web.StreamResponse:
        store = self.registry.store_for(target.rt)
        method = request.method
        if target.subresource:
            return await self._subresource(request, store, target)
        if target.name is None:
            if method == "GET":
                if _bool_param(request.query, "watch"):
                    return await self.watch(request, store, target)
                return await self.list(request, store, target)
            if method == "POST":
                return await self.create(request, store, target)
            if method == "DELETE":
                return await self.delete_collection(request, store, target)
            raise self._not_allowed(target, method)
        if method == "GET":
            return await self.get(request, store, target)
        if method == "PUT":
            return await self.update(request, store, target)
        if method == "PATCH":
            return await self.patch(request, store, target)
        if method == "DELETE":
            return await self.delete(request, store, target)
        raise self._not_allowed(target, method)

    @staticmethod
    def _not_allowed(target: Target, method: str) -> errors.StatusError:
        return errors.StatusError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                                  "resource", {"kind": target.rt.plural, "group": target.rt.group} if target.rt.group
                                  else {"kind": target.rt.plural})

    # reads

    def _table(self, request: web.Request, target: Target, objects: list[Obj], resource_version: str,
               continue_token: str | None = None, with_columns: bool = True) -> Obj:
        include = request.query.get("includeObject", "Metadata")
        return printers.table(target.rt.group, target.rt.plural, objects, now=datetime.now(UTC),
                              include_object=include, resource_version=resource_version,
                              continue_token=continue_token, with_columns=with_columns)

    async def list(self, request: web.Request, store: ResourceStore, target: Target) -> web.Response:
        result = await store.list(target.rt, target.namespace, list_options(request))
        if wants_table(request):
            meta = result["metadata"]
            table = self._table(request, target, result["items"], meta["resourceVersion"], meta.get("continue"))
            return respond(table, content_type=TABLE_CONTENT_TYPE)
        return respond(result)

    async def get(self, request: web.Request, store: ResourceStore, target: Target) -> web.Response:
        assert target.name is not None
        obj = await store.get(target.rt, target.namespace, target.name)
        if wants_table(request):
            return respond(self._table(request, target, [obj], obj["metadata"].get("resourceVersion", "")),
                           content_type=TABLE_CONTENT_TYPE)
        return respond(obj)

    async def watch(self, request: web.Request, store: ResourceStore, target: Target) -> web.StreamResponse:
        opts = list_options(request)
        stream = await store.watch(target.rt, target.namespace, opts)
        table = wants_table(request)
        response = web.StreamResponse(status=200)
        response.headers["Content-Type"] = TABLE_CONTENT_TYPE if table else JSON
        response.headers["Cache-Control"] = "no-cache, private"
        response.enable_chunked_encoding()
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        # Without a timeout a watch lasts 30-60 minutes, as kube-apiserver's min-request-timeout makes it.
        timeout = opts.timeout_seconds if opts.timeout_seconds is not None else 1800 * (1 + random.random())
        deadline = loop.time() + timeout
        first = True
        try:
            while True:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                wait = min(remaining, BOOKMARK_INTERVAL) if stream.bookmarks else remaining
                item = await stream.next(timeout=wait)
                if item is None:
                    if stream.ended or loop.time() >= deadline:
                        break
                    await response.write(b'{"type":"BOOKMARK","object":' + encode(stream.bookmark()) + b"}\n")
                    continue
                kind, obj, encoded = item
                if table and kind != "BOOKMARK":
                    rv = obj["metadata"].get("resourceVersion", "")
                    payload = encode(self._table(request, target, [obj], rv, with_columns=first))
                    first = False
                else:
                    payload = encoded if encoded is not None else encode(obj)
                await response.write(b'{"type":"' + kind.encode() + b'","object":' + payload + b"}\n")
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            stream.close()
        with contextlib.suppress(ConnectionResetError, ConnectionError):
            await response.write_eof()
        return response

    # writes

    async def _object_body(self, request: web.Request, target: Target, opts: WriteOptions) -> Obj:
        body, raw = await decode_body(request, into=target.rt.kind)
        return decode_object(target.rt, body, raw, field_validation=opts.field_validation, warnings=opts.warnings)

    async def create(self, request: web.Request, store: ResourceStore, target: Target) -> web.Response:
        opts = write_options(request)
        obj = await self._object_body(request, target, opts)
        created = await store.create(target.rt, target.namespace, obj, opts)
        return respond(created, 201, warnings=opts.warnings)

    async def update(self, request: web.Request, store: ResourceStore, target: Target,
                     subresource: str | None = None) -> web.Response:
        assert target.name is not None
        opts = write_options(request)
        obj = await self._object_body(request, target, opts)
        result, created = await store.update(target.rt, target.namespace, target.name, obj, opts,
                                             subresource=subresource)
        return respond(result, 201 if created else 200, warnings=opts.warnings)

    def _patcher(self, request: web.Request, target: Target, body: Any, kind: str,
                 node: schema.SchemaNode | None, opts: WriteOptions) -> Any:
        def apply(current: Obj | None) -> Obj:
            if kind == "apply":
                if not isinstance(body, dict):
                    raise errors.bad_request("error decoding YAML: the body of an apply patch must be an object")
                merged = patch.apply_server_side_apply(current, body, node)
            elif current is None:
                raise errors.not_found(target.rt.plural, target.rt.group, target.name or "")
            elif kind == "json":
                merged = patch.apply_json_patch(current, body)
            elif kind == "merge":
                merged = patch.apply_merge_patch(current, body)
            else:
                merged = patch.apply_strategic_merge_patch(current, body, node)
            if target.subresource == "scale":
                return merged
            return decode_object(target.rt, merged, None, field_validation=opts.field_validation,
                                 warnings=opts.warnings)

        return apply

    async def _patch_parts(self, request: web.Request, target: Target) -> tuple[Any, str, WriteOptions]:
        ctype = request.content_type
        kind = _PATCH_TYPES.get(ctype)
        if kind is None or kind == "apply-cbor":
            raise errors.StatusError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                     "accepted media types include: application/json-patch+json, "
                                     "application/merge-patch+json, application/apply-patch+yaml, "
                                     "application/strategic-merge-patch+json")
        opts = write_options(request)
        if kind == "apply" and not opts.field_manager:
            raise errors.bad_request("PATCH, application/apply-patch+yaml requires fieldManager to be set")
        body, _ = await decode_body(request)
        return body, kind, opts

    async def patch(self, request: web.Request, store: ResourceStore, target: Target,
                    subresource: str | None = None) -> web.Response:
        assert target.name is not None
        body, kind, opts = await self._patch_parts(request, target)
        node = schema.node(target.rt.group, target.rt.version, target.rt.kind) or schema.node(
            target.rt.group, "v1", target.rt.kind)
        result, created = await store.update_with(
            target.rt, target.namespace, target.name, self._patcher(request, target, body, kind, node, opts), opts,
            subresource=subresource, create_if_missing=(kind == "apply" and subresource is None))
        return respond(result, 201 if created else 200, warnings=opts.warnings)

    async def _delete_options(self, request: web.Request) -> DeleteOptions:
        body = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == protobuf.CONTENT_TYPE and raw:
                body = protobuf.decode(raw)
            elif raw.strip():
                try:
                    body = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    raise errors.bad_request(f"couldn't get version/kind; json parse error: {exc}") from None
                if not isinstance(body, dict):
                    raise errors.bad_request("DeleteOptions must be an object")
        try:
            return DeleteOptions.from_body(body, dict(request.query))
        except (TypeError, ValueError) as exc:
            raise errors.bad_request(f"invalid DeleteOptions: {exc}") from None

    async def delete(self, request: web.Request, store: ResourceStore, target: Target) -> web.Response:
        assert target.name is not None
        options = await self._delete_options(request)
        obj, _ = await store.delete(target.rt, target.namespace, target.name, options)
        return respond(obj)

    async def delete_collection(self, request: web.Request, store: ResourceStore, target: Target) -> web.Response:
        options = await self._delete_options(request)
        result = await store.delete_collection(target.rt, target.namespace, list_options(request), options)
        return respond(result)

    # subresources

    async def _subresource(self, request: web.Request, store: ResourceStore, target: Target) -> web.StreamResponse:
        rt, sub, method = target.rt, target.subresource, request.method
        assert target.name is not None and sub is not None
        if rt.subresource(sub) is None:
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        if sub == "status":
            if method == "GET":
                return await self.get(request, store, target)
            if method == "PUT":
                return await self.update(request, store, target, subresource="status")
            if method == "PATCH":
                return await self.patch(request, store, target, subresource="status")
        elif sub == "scale":
            return await self._scale(request, store, target)
        elif sub == "binding" and method == "POST":
            body, _raw = await decode_body(request, into="Binding")
            result = await bind_pod(store, rt, target.namespace or "", target.name, body, write_options(request))
            return respond(result, 201)
        elif sub == "eviction" and method == "POST":
            body, _ = await decode_body(request, into="Eviction")
            pdb_rt = self.registry.resource("policy", "v1", "poddisruptionbudgets")
            result = await evict_pod(store, self.registry.store_for(pdb_rt), rt, pdb_rt, target.namespace or "",
                                     target.name, body if isinstance(body, dict) else {})
            return respond(result, 201)
        elif sub == "log" and method == "GET":
            return await self._log(request, store, target)
        elif sub == "finalize" and method == "PUT":
            return await self.update(request, store, target, subresource="finalize")
        if sub in ("exec", "attach", "portforward", "proxy"):
            return await self._node_stream(request, store, target)
        raise self._not_allowed(target, method)

    async def _scale(self, request: web.Request, store: ResourceStore, target: Target) -> web.Response:
        assert target.name is not None
        ns = target.namespace or ""
        if request.method == "GET":
            return respond(await get_scale(store, target.rt, ns, target.name))
        if request.method == "PUT":
            opts = write_options(request)
            body, raw = await decode_body(request, into="Scale")
            scale = decode_object(target.rt, body, raw, field_validation=opts.field_validation,
                                  warnings=opts.warnings, expected_kind="Scale")
            return respond(await update_scale(store, target.rt, ns, target.name, lambda _: scale, opts),
                           warnings=opts.warnings)
        if request.method == "PATCH":
            body, kind, opts = await self._patch_parts(request, target)
            node = schema.node("autoscaling", "v1", "Scale")
            if kind == "apply":
                raise errors.bad_request("apply is not supported on the scale subresource")
            mutate = self._patcher(request, target, body, kind, node, opts)
            return respond(await update_scale(store, target.rt, ns, target.name, mutate, opts),
                           warnings=opts.warnings)
        raise self._not_allowed(target, request.method)

    async def _log(self, request: web.Request, store: ResourceStore, target: Target) -> web.StreamResponse:
        assert target.name is not None
        pod = await store.get(target.rt, target.namespace, target.name)
        containers = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        container = request.query.get("container")
        if not container:
            if len(containers) != 1:
                raise errors.bad_request(f"a container name must be specified for pod {target.name}, choose one of: "
                                         f"[{' '.join(str(c) for c in containers)}]")
            container = containers[0]
        elif container not in containers and container not in [
                c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or []]:
            raise errors.bad_request(f"container {container} is not valid for pod {target.name}")
        q = request.query
        options = LogOptions(container=str(container), follow=_bool_param(q, "follow"),
                             previous=_bool_param(q, "previous"), tail_lines=_int_param(q, "tailLines"),
                             since_seconds=_int_param(q, "sinceSeconds"), since_time=q.get("sinceTime"),
                             timestamps=_bool_param(q, "timestamps"), limit_bytes=_int_param(q, "limitBytes"))
        if self.connector is None or not (pod.get("spec") or {}).get("nodeName"):
            raise errors.bad_request(f'container "{container}" in pod "{target.name}" is waiting to start: '
                                     "ContainerCreating")
        chunks = self.connector.logs(pod, options)
        response = web.StreamResponse(status=200)
        response.headers["Content-Type"] = "text/plain"
        response.enable_chunked_encoding()
        first = True
        try:
            async for chunk in chunks:
                if first:
                    await response.prepare(request)
                    first = False
                await response.write(chunk)
        except (ConnectionResetError, ConnectionError):
            return response
        if first:
            await response.prepare(request)
        await response.write_eof()
        return response

    async def _node_stream(self, request: web.Request, store: ResourceStore, target: Target) -> web.StreamResponse:
        # Loaded on first use: WebSocket and SPDY machinery is not on the path of ordinary requests,
        # and importing it at start-up would delay the first answer to kubectl.
        from petset.apiserver import streams

        assert target.name is not None
        # pods/web-0:8080/proxy and services/https:web:443/proxy name a port along with the object.
        name = streams.object_name(target)
        obj = await store.get(target.rt, target.namespace, name)
        if target.rt.kind == "Pod" and not (obj.get("spec") or {}).get("nodeName"):
            raise errors.bad_request(f"{target.rt.singular} {name} does not have a host assigned")
        if self.connector is None:
            # Streams to a pod go through its node agent, which this server does not have.
            raise errors.service_unavailable(f"no node agent is connected to this API server: cannot "
                                             f"{target.subresource} {target.rt.singular} {name}")
        return await streams.serve(request, self.registry, self.connector, target, obj)
