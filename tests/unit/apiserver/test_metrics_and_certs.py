"""Small server pieces: metric labels stay bounded, and the serving TLS context stays lean."""

from __future__ import annotations

import ssl
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from petset.api import schema
from petset.apiserver.certs import ensure_certs
from petset.apiserver.metrics import _resource, _verb


def _request(method: str, query: dict[str, str] | None = None) -> Any:
    return SimpleNamespace(method=method, query=query or {})


def test_metric_labels_come_from_served_resources_and_known_methods() -> None:
    assert _resource("/api/v1/namespaces/default/pods/x") == "pods"
    assert _resource("/apis/apps/v1/namespaces/default/statefulsets") == "statefulsets"
    assert _resource("/api/v1/nodes") == "nodes"
    assert _resource("/api/v1/namespaces/default/made-up-" + "x" * 40) == ""
    assert _resource("/apis/nope/v1/whatever") == ""
    assert _resource("/healthz") == ""
    assert _verb(_request("GET", {"watch": "true"})) == "WATCH"
    assert _verb(_request("PATCH")) == "PATCH"
    assert _verb(_request("FROBNICATE")) == "other"


def test_serving_context_does_not_load_the_system_ca_bundle(tmp_path: Path) -> None:
    certs = ensure_certs(tmp_path / "pki")
    context = certs.server_context()
    assert context.cert_store_stats()["x509_ca"] == 0
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    # Made once: a second call loads what the first wrote.
    before = certs.cert.read_bytes()
    assert ensure_certs(tmp_path / "pki").cert.read_bytes() == before


def test_schema_nodes_are_built_once() -> None:
    pod = schema.node("", "v1", "Pod")
    assert pod is not None and pod is schema.node("", "v1", "Pod")
    spec = pod.field("spec")
    assert spec is not None and spec is pod.field("spec")
    containers = spec.field("containers")
    assert containers is not None and containers.items() is containers.items()
    assert containers.types == {"array"}
