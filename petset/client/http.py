"""The HTTP client, for components in another process than the API server."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson

from petset.api import errors
from petset.api.resources import ResourceType
from petset.client.interface import WatchEvent

__all__ = ["HttpClient"]

Obj = dict[str, Any]

_PATCH_TYPES = {
    "strategic": "application/strategic-merge-patch+json",
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
    "apply": "application/apply-patch+yaml",
}


class HttpClient:
    def __init__(self, server: str, *, token: str | None = None, ssl_context: ssl.SSLContext | None = None,
                 user_agent: str = "petset") -> None:
        self.server = server.rstrip("/")
        self._headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers,
                                                  connector=aiohttp.TCPConnector(ssl=self._ssl, limit=64),
                                                  timeout=aiohttp.ClientTimeout(total=None, sock_connect=10))
        return self._session

    def path(self, rt: ResourceType, namespace: str | None, name: str | None = None,
             subresource: str | None = None) -> str:
        base = f"/apis/{rt.group}/{rt.version}" if rt.group else f"/api/{rt.version}"
        if rt.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{rt.plural}"
        if name is not None:
            base += f"/{quote(name, safe='')}"
        if subresource:
            base += f"/{subresource}"
        return base

    async def _request(self, method: str, path: str, *, params: dict[str, str] | None = None,
                       body: Any = None, content_type: str = "application/json") -> Obj:
        data = orjson.dumps(body) if body is not None else None
        headers = {"Content-Type": content_type} if data is not None else {}
        async with self._http().request(method, self.server + path, params=params, data=data,
                                        headers=headers) as response:
            payload = await response.read()
            if response.status >= 400:
                raise _status_error(response.status, payload)
            result: Obj = orjson.loads(payload) if payload else {}
            return result

    async def get(self, rt: ResourceType, namespace: str | None, name: str, *,
                  subresource: str | None = None) -> Obj:
        return await self._request("GET", self.path(rt, namespace, name, subresource))

    async def list(self, rt: ResourceType, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None, resource_version: str | None = None,
                   limit: int = 0, continue_token: str | None = None) -> Obj:
        params = _params(labelSelector=label_selector, fieldSelector=field_selector,
                         resourceVersion=resource_version, limit=str(limit) if limit else None,
                         **{"continue": continue_token})
        return await self._request("GET", self.path(rt, namespace), params=params)

    async def create(self, rt: ResourceType, namespace: str | None, obj: Obj, *,
                     subresource: str | None = None, name: str | None = None) -> Obj:
        return await self._request("POST", self.path(rt, namespace, name, subresource), body=obj)

    async def update(self, rt: ResourceType, namespace: str | None, obj: Obj, *,
                     subresource: str | None = None) -> Obj:
        return await self._request("PUT", self.path(rt, namespace, obj["metadata"]["name"], subresource), body=obj)

    async def patch(self, rt: ResourceType, namespace: str | None, name: str, body: Any, *,
                    patch_type: str = "strategic", subresource: str | None = None,
                    field_manager: str | None = None) -> Obj:
        params = _params(fieldManager=field_manager or ("petset" if patch_type == "apply" else None))
        return await self._request("PATCH", self.path(rt, namespace, name, subresource), params=params, body=body,
                                   content_type=_PATCH_TYPES[patch_type])

    async def delete(self, rt: ResourceType, namespace: str | None, name: str, *,
                     grace_period_seconds: int | None = None, propagation_policy: str | None = None,
                     preconditions: Obj | None = None) -> Obj:
        body: Obj = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if grace_period_seconds is not None:
            body["gracePeriodSeconds"] = grace_period_seconds
        if propagation_policy:
            body["propagationPolicy"] = propagation_policy
        if preconditions:
            body["preconditions"] = preconditions
        return await self._request("DELETE", self.path(rt, namespace, name), body=body)

    async def watch(self, rt: ResourceType, namespace: str | None = None, *, resource_version: str | None = None,
                    label_selector: str | None = None, field_selector: str | None = None,
                    timeout_seconds: int | None = None) -> AsyncIterator[WatchEvent]:
        params = _params(watch="true", resourceVersion=resource_version, labelSelector=label_selector,
                         fieldSelector=field_selector,
                         timeoutSeconds=str(timeout_seconds) if timeout_seconds is not None else None,
                         allowWatchBookmarks="true")
        async with self._http().get(self.server + self.path(rt, namespace), params=params) as response:
            if response.status >= 400:
                raise _status_error(response.status, await response.read())
            async for line in response.content:
                if not line.strip():
                    continue
                event = orjson.loads(line)
                if event["type"] == "ERROR":
                    obj = event["object"]
                    raise errors.StatusError(obj.get("code", 500), obj.get("reason", ""), obj.get("message", ""),
                                             obj.get("details"))
                yield event["type"], event["object"]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _params(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v is not None}


def _status_error(code: int, payload: bytes) -> errors.StatusError:
    try:
        status = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return errors.StatusError(code, "Unknown", payload.decode(errors="replace"))
    return errors.StatusError(status.get("code", code), status.get("reason", ""), status.get("message", ""),
                              status.get("details"))
