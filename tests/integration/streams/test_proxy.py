"""The pod and service proxy: through `kubectl proxy` as the book uses it, and straight at the API server."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.streams.harness import Background, PodServer, StreamsCluster, free_port
from tests.support.kubectl import Kubectl

PODS = "/api/v1/namespaces/default/pods"
SERVICES = "/api/v1/namespaces/default/services"


@pytest.fixture
def proxy(kubectl: Kubectl) -> Iterator[int]:
    port = free_port()
    with Background(kubectl, "proxy", f"--port={port}", ready="Starting to serve on") as running:
        assert running.lines[0].strip() == f"Starting to serve on 127.0.0.1:{port}"
        yield port


@pytest.fixture
def web_pod(cluster: StreamsCluster, pod_name: str) -> tuple[str, PodServer]:
    server = cluster.pod_server(pod_name)
    cluster.create_pod(pod_name, ports=[("http", server.port)], labels={"app": pod_name})
    return pod_name, server


def _request(port: int, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    return connection.getresponse()


def _direct(cluster: StreamsCluster, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    """Straight at the API server, no redirect following."""
    host, port = cluster.url.removeprefix("https://").rsplit(":", 1)
    connection = http.client.HTTPSConnection(host, int(port), context=cluster.ssl_context(), timeout=10)
    connection.request(method, path, body=body, headers={"Authorization": f"Bearer {cluster.token}",
                                                         **(headers or {})})
    response = connection.getresponse()
    return response.status, response.headers, response.read()


def test_pod_proxy_through_kubectl_proxy(proxy: int, web_pod: tuple[str, PodServer]) -> None:
    name, server = web_pod
    response = _request(proxy, "GET", f"{PODS}/{name}/proxy/")
    assert response.status == 200
    assert response.read() == f"You've hit {name}\nGET /\n".encode()
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers.get_all("Set-Cookie") == ["a=1", "b=2"]

    greeting = b"Hey there! This greeting was submitted to kubia-0."
    response = _request(proxy, "POST", f"{PODS}/{name}/proxy/", body=greeting,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.read() == f"You've hit {name}\nPOST /\n".encode() + greeting
    received = server.received[-1]
    assert received.body == greeting
    assert received.headers["content-type"] == "application/x-www-form-urlencoded"
    assert received.headers["content-length"] == str(len(greeting))
    assert "authorization" not in received.headers  # kubectl proxy's token stops at the API server
    assert received.headers["x-forwarded-for"].startswith("127.0.0.1")

    response = _request(proxy, "GET", f"{PODS}/{name}/proxy/some/path/?x=1&y=%2F")
    assert response.read().splitlines()[1] == b"GET /some/path/?x=1&y=%2F"


def test_pod_proxy_redirects_to_the_trailing_slash(proxy: int, web_pod: tuple[str, PodServer]) -> None:
    name, _ = web_pod
    response = _request(proxy, "GET", f"{PODS}/{name}/proxy?a=b")
    assert response.status == 301
    assert response.headers["Location"] == f"{PODS}/{name}/proxy/?a=b"
    with urllib.request.urlopen(f"http://127.0.0.1:{proxy}{PODS}/{name}/proxy", timeout=10) as followed:
        assert followed.read() == f"You've hit {name}\nGET /\n".encode()


def test_pod_proxy_passes_bytes_unchanged(cluster: StreamsCluster, web_pod: tuple[str, PodServer]) -> None:
    name, _ = web_pod
    status, headers, body = _direct(cluster, "GET", f"{PODS}/{name}/proxy/raw", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert body == b"\x00raw bytes, no type\xff"
    assert "Content-Type" not in headers  # the pod sent none, so none is invented
    assert headers["X-Pod"] == name


def test_pod_proxy_port_forms(cluster: StreamsCluster, pod_name: str) -> None:
    first, second = cluster.pod_server(pod_name), cluster.pod_server(pod_name + "-admin")
    cluster.create_pod(pod_name, ports=[("http", first.port), ("admin", second.port)])
    for form, expected in ((pod_name, pod_name), (f"{pod_name}:{second.port}", pod_name + "-admin"),
                           (f"{pod_name}:admin", pod_name + "-admin"), (f"http:{pod_name}:http", pod_name)):
        status, _, body = _direct(cluster, "GET", f"{PODS}/{form}/proxy/x")
        assert (status, body.splitlines()[0]) == (200, f"You've hit {expected}".encode()), form

    status, _, body = _direct(cluster, "GET", f"{PODS}/{pod_name}:nope/proxy/")
    assert status == 400 and f'pod {pod_name} has no container port named \\"nope\\"' in body.decode()
    status, _, body = _direct(cluster, "GET", f"{PODS}/ftp:{pod_name}:80/proxy/")
    assert status == 400 and json.loads(body)["message"] == f'invalid pod request "ftp:{pod_name}:80"'
    status, _, body = _direct(cluster, "GET", f"{PODS}/{pod_name}:1/proxy/")
    status_body = json.loads(body)
    assert (status, status_body["reason"]) == (503, "ServiceUnavailable")
    assert status_body["message"] == "error trying to reach service: dial tcp 127.0.0.1:1: connect: connection refused"


def _service(cluster: StreamsCluster, name: str, selector: dict[str, str], ports: list[dict[str, Any]]) -> None:
    cluster.api("POST", SERVICES, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                                   "spec": {"selector": selector, "ports": ports}})


def _slice(cluster: StreamsCluster, service: str, endpoints: list[tuple[str, bool]], port: int,
           port_name: str = "") -> None:
    cluster.api("POST", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": f"{service}-abc", "labels": {"kubernetes.io/service-name": service}},
        "addressType": "IPv4", "ports": [{"name": port_name, "port": port, "protocol": "TCP"} if port_name
                                         else {"port": port, "protocol": "TCP"}],
        # The address is the pod's IP in a real cluster; the proxy dials the targetRef pod's address
        # from the node agent (127.0.0.1 here), so this one is never contacted.
        "endpoints": [{"addresses": [f"10.244.0.{i + 1}"], "conditions": {"ready": ready},
                       "targetRef": {"kind": "Pod", "namespace": "default", "name": pod}}
                      for i, (pod, ready) in enumerate(endpoints)]})


def test_service_proxy_reaches_a_random_ready_endpoint(proxy: int, cluster: StreamsCluster, pod_name: str) -> None:
    # Pods of a StatefulSet share their port number; here each fake pod has its own, so the slice names one
    # and targetRef says which pod it is: the proxy must dial the endpoint's port on that pod's address.
    servers = {}
    for i in range(3):
        name = f"{pod_name}-{i}"
        servers[name] = cluster.pod_server(name)
        cluster.create_pod(name, ports=[("http", servers[name].port)], labels={"app": pod_name}, ready=i < 2)
    _service(cluster, pod_name, {"app": pod_name}, [{"port": 80, "targetPort": "http"}])
    hits = set()
    for _ in range(30):
        status, _, body = _direct(cluster, "GET", f"{SERVICES}/{pod_name}/proxy/")
        assert status == 200
        hits.add(body.split(b"\n")[0].decode().removeprefix("You've hit "))
        if len(hits) == 2:
            break
    # No EndpointSlice yet: the ready pods matching the selector, on their named targetPort.
    assert hits == {f"{pod_name}-0", f"{pod_name}-1"}

    # With an EndpointSlice, only its ready endpoints count (the slice's port: the second pod's server).
    _slice(cluster, pod_name, [(f"{pod_name}-1", True), (f"{pod_name}-2", False)], servers[f"{pod_name}-1"].port)
    for _ in range(5):
        response = _request(proxy, "GET", f"{SERVICES}/{pod_name}/proxy/some/path?x=1")
        assert response.read() == f"You've hit {pod_name}-1\nGET /some/path?x=1\n".encode()
    status, _, _ = _direct(cluster, "GET", f"{SERVICES}/{pod_name}:80/proxy/")
    assert status == 200
    status, _, body = _direct(cluster, "GET", f"{SERVICES}/{pod_name}:81/proxy/")
    assert (status, json.loads(body)["message"]) == (503, f'no service port 81 found for service "{pod_name}"')
    response = _request(proxy, "GET", f"{SERVICES}/{pod_name}/proxy")
    assert (response.status, response.headers["Location"]) == (301, f"{SERVICES}/{pod_name}/proxy/")


def test_service_proxy_without_ready_endpoints(cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name, ports=[("http", 1)], labels={"app": pod_name}, ready=False)
    _service(cluster, pod_name, {"app": pod_name}, [{"name": "web", "port": 80, "targetPort": 8080}])
    for path in (f"{SERVICES}/{pod_name}/proxy/", f"{SERVICES}/{pod_name}:web/proxy/"):
        status, _, body = _direct(cluster, "GET", path)
        assert (status, json.loads(body)["message"]) == (503, f'no endpoints available for service "{pod_name}"')


def test_streams_need_a_node_agent_and_a_host(cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name, node=None)
    status, _, body = _direct(cluster, "GET", f"{PODS}/{pod_name}/proxy/")
    assert (status, json.loads(body)["message"]) == (400, f"pod {pod_name} does not have a host assigned")
    status, _, body = _direct(cluster, "GET", f"{PODS}/{pod_name}/exec?command=true&stdout=true")
    assert (status, json.loads(body)["message"]) == (400, f"pod {pod_name} does not have a host assigned")
    status, _, body = _direct(cluster, "GET", f"{PODS}/missing/proxy/")
    assert (status, json.loads(body)["reason"]) == (404, "NotFound")

    connector = cluster.connector
    cluster.call(_set_connector(cluster, None))
    try:
        running = pod_name + "-running"
        cluster.create_pod(running)
        status, _, body = _direct(cluster, "GET", f"{PODS}/{running}/proxy/")
        assert (status, json.loads(body)["reason"]) == (503, "ServiceUnavailable")
        assert "no node agent is connected" in json.loads(body)["message"]
    finally:
        cluster.call(_set_connector(cluster, connector))


def test_exec_without_upgrade_is_refused(cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name)
    status, _, body = _direct(cluster, "GET", f"{PODS}/{pod_name}/exec?command=true&stdout=true")
    assert (status, json.loads(body)["message"]) == (400, "Upgrade request required")
    status, _, body = _direct(cluster, "GET", f"{PODS}/{pod_name}/exec?stdout=true")
    assert json.loads(body)["message"] == "you must specify at least one command for the container"
    status, _, body = _direct(cluster, "GET", f"{PODS}/{pod_name}/portforward")
    assert (status, json.loads(body)["message"]) == (400, "Upgrade request required")


async def _set_connector(cluster: StreamsCluster, connector: Any) -> None:
    assert cluster._server is not None
    cluster._server.connector = connector


def test_urllib_error_bodies_are_statuses(cluster: StreamsCluster) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        cluster.api("GET", f"{SERVICES}/missing/proxy/")
    assert caught.value.code == 404
