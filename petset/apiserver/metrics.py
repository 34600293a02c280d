"""/metrics in the Prometheus text format, with kube-apiserver's metric names where they exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector

from petset.api.resources import RESOURCES

if TYPE_CHECKING:
    from petset.registry.registry import Registry

__all__ = ["Metrics"]

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 60.0)


_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT"))


def _verb(request: web.Request) -> str:
    method = request.method
    if method == "GET":
        if request.query.get("watch") in ("true", "1"):
            return "WATCH"
        return "GET"
    # Any token is a method to aiohttp; unknown ones share one label, as kube-apiserver's "other".
    return method if method in _METHODS else "other"


#: Label values are limited to served resources: a label taken from any path would let even
#: anonymous requests (401s are counted too) grow the metrics without bound.
_KNOWN_RESOURCES = frozenset(r.plural for r in RESOURCES)


def _resource(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] not in ("api", "apis"):
        return ""
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    if len(rest) >= 3 and rest[0] == "namespaces":
        resource = rest[2]
    else:
        resource = rest[0] if rest else ""
    return resource if resource in _KNOWN_RESOURCES else ""


class Metrics:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self.prometheus = CollectorRegistry()
        ProcessCollector(registry=self.prometheus)
        self.requests = Counter("apiserver_request", "Counter of apiserver requests broken out by verb, resource "
                                "and HTTP response code.", ("verb", "resource", "code"), registry=self.prometheus)
        self.latency = Histogram("apiserver_request_duration_seconds", "Response latency distribution in seconds "
                                 "for each verb and resource.", ("verb", "resource"), buckets=_BUCKETS,
                                 registry=self.prometheus)
        self.objects = Gauge("apiserver_storage_objects", "Number of stored objects at the time of last check "
                             "split by kind.", ("resource",), registry=self.prometheus)
        self.watchers = Gauge("apiserver_registered_watchers", "Number of currently registered watchers for a "
                              "given resource", ("resource",), registry=self.prometheus)
        # labels() validates and hashes its arguments under a lock on every call; the label sets
        # are few, so each request looks its children up here instead.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._histograms: dict[tuple[str, str], Any] = {}

    def observe(self, request: web.Request, code: int, seconds: float) -> None:
        verb = _verb(request)
        resource = _resource(request.path)
        counter = self._counters.get((verb, resource, code))
        if counter is None:
            counter = self._counters[(verb, resource, code)] = self.requests.labels(verb, resource, str(code))
        counter.inc()
        if verb != "WATCH":
            histogram = self._histograms.get((verb, resource))
            if histogram is None:
                histogram = self._histograms[(verb, resource)] = self.latency.labels(verb, resource)
            histogram.observe(seconds)

    def render(self) -> bytes:
        for store in self._registry.stores():
            name = store.storage_rt.plural
            if store.storage_rt.group:
                name = f"{name}.{store.storage_rt.group}"
            self.objects.labels(name).set(store.cache.count())
            self.watchers.labels(name).set(store.cache.watcher_count)
        return generate_latest(self.prometheus)
