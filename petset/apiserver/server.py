"""The API server: HTTPS, bearer-token authentication, and the Kubernetes REST path space."""

from __future__ import annotations

import logging
import secrets
import ssl
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from petset.api import errors
from petset.apiserver import discovery, openapi
from petset.apiserver.handlers import ResourceHandler, parse_target, respond
from petset.apiserver.metrics import Metrics
from petset.client.connector import NodeConnector
from petset.registry.registry import Registry

__all__ = ["MAX_REQUEST_BODY_BYTES", "APIServer", "version_info"]

log = logging.getLogger(__name__)

#: kube-apiserver refuses bodies over 3 MiB (its maxRequestBodyBytes).
MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
#: Paths the system:public-info-viewer role opens to anonymous requests upstream.
_PUBLIC = ("/healthz", "/livez", "/readyz", "/version", "/version/")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def version_info() -> dict[str, str]:
    # minor must be exactly "32": the gcloud kubectl dispatcher picks its kubectl by it.
    return {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "petset-0.1.0",
            "gitTreeState": "clean", "buildDate": "2026-11-28T00:00:00Z", "goVersion": "go1.23.6",
            "compiler": "gc", "platform": "linux/amd64"}


class APIServer:
    def __init__(self, registry: Registry, *, token: str, host: str = "127.0.0.1", port: int = 6443,
                 ssl_context: ssl.SSLContext | None = None, connector: NodeConnector | None = None) -> None:
        self.registry = registry
        self.token = token
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.resources = ResourceHandler(registry, connector)
        self.metrics = Metrics(registry)
        self.app = web.Application(client_max_size=MAX_REQUEST_BODY_BYTES,
                                   middlewares=[self._errors, self._authenticate])
        self.app.router.add_route("*", "/{tail:.*}", self._route)
        self._runner: web.AppRunner | None = None
        #: Set once the whole cluster around this server has started (/readyz).
        self.ready = False

    @property
    def connector(self) -> NodeConnector | None:
        return self.resources.connector

    @connector.setter
    def connector(self, value: NodeConnector | None) -> None:
        self.resources.connector = value

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self.ssl_context, reuse_address=True)
        await site.start()
        if self.port == 0:
            server = site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # middlewares

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        code = 500
        try:
            response = await handler(request)
            code = response.status
            return response
        except errors.StatusError as exc:
            code = exc.code
            response = respond(exc.status(), exc.code)
            for key, value in exc.headers.items():
                response.headers[key] = value
            return response
        except web.HTTPRequestEntityTooLarge:
            code = 413
            return respond(errors.request_entity_too_large(
                f"Request entity too large: limit is {MAX_REQUEST_BODY_BYTES}").status(), 413)
        except web.HTTPException as exc:
            code = exc.status
            raise
        except Exception as exc:
            log.exception("%s %s failed", request.method, request.path_qs)
            return respond(errors.internal(f"{type(exc).__name__}: {exc}").status(), 500)
        finally:
            self.metrics.observe(request, code, time.perf_counter() - started)

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and secrets.compare_digest(header[7:].strip(), self.token):
            return await handler(request)
        if request.path in _PUBLIC:
            return await handler(request)
        raise errors.unauthorized()

    # routing

    async def _route(self, request: web.Request) -> web.StreamResponse:
        raw_parts = [p for p in request.raw_path.split("?", 1)[0].split("/") if p]
        parts = [p for p in request.path.split("/") if p]
        if not parts:
            return respond({"paths": sorted(["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz",
                                             "/metrics", "/openapi/v2", "/openapi/v3", "/version"]
                                            + [f"/apis/{gv}" for gv in discovery.known_group_versions()
                                               if "/" in gv])})
        head = parts[0]
        if head in ("healthz", "livez") and len(parts) <= 2:
            return web.Response(text="ok", content_type="text/plain")
        if head == "readyz" and len(parts) <= 2:
            if not self.ready:
                # Serving, but the rest of the cluster (controllers, nodes, kubeconfig) is still starting.
                return web.Response(status=500, text="[-]poststarthook/petset-cluster-started failed: not finished\n"
                                    "readyz check failed", content_type="text/plain")
            return web.Response(text="ok", content_type="text/plain")
        if head == "version" and request.method == "GET":
            return respond(version_info())
        if head == "metrics" and request.method == "GET":
            return web.Response(body=self.metrics.render(), content_type="text/plain")
        if head == "openapi":
            return self._openapi(parts)
        if head == "api":
            return await self._api(request, "", parts[1:], raw_parts[1:])
        if head == "apis":
            if len(parts) == 1:
                return self._discovery(request, core=False)
            if len(parts) == 2:
                group = discovery.api_group(parts[1])
                if group is None:
                    raise _not_found()
                return respond(group)
            return await self._group_version(request, parts[1], parts[2], parts[3:], raw_parts[3:])
        raise _not_found()

    async def _api(self, request: web.Request, group: str, parts: list[str], raw: list[str]) -> web.StreamResponse:
        if not parts:
            return self._discovery(request, core=True)
        return await self._group_version(request, group, parts[0], parts[1:], raw[1:])

    async def _group_version(self, request: web.Request, group: str, version: str, parts: list[str],
                             raw: list[str]) -> web.StreamResponse:
        if not parts:
            doc = discovery.api_resource_list(group, version)
            if doc is None:
                raise _not_found()
            return respond(doc)
        target = parse_target(group, version, parts, raw)
        if target is None:
            raise _not_found()
        return await self.resources.handle(request, target)

    def _discovery(self, request: web.Request, *, core: bool) -> web.Response:
        if "as=APIGroupDiscoveryList" in request.headers.get("Accept", ""):
            return respond(discovery.aggregated(core), content_type=discovery.AGGREGATED_CONTENT_TYPE)
        if core:
            return respond(discovery.api_versions(f"{self.host}:{self.port}"))
        return respond(discovery.api_group_list())

    def _openapi(self, parts: list[str]) -> web.Response:
        if parts[1:] == ["v2"]:
            # An empty protobuf Document: kubectl skips client-side validation and lets the server decide.
            return web.Response(body=b"", headers={"Content-Type": openapi.V2_CONTENT_TYPE})
        if parts[1:] == ["v3"]:
            return web.Response(body=openapi.v3_index(), content_type="application/json")
        if len(parts) > 2 and parts[1] == "v3":
            doc = openapi.v3_document("/".join(parts[2:]))
            if doc is not None:
                return web.Response(body=doc, content_type="application/json")
        raise _not_found()


def _not_found() -> errors.StatusError:
    return errors.StatusError(404, "NotFound", "the server could not find the requested resource", {})
