"""kubectl port-forward: SPDY/3.1 tunnelled in WebSocket messages by default, plain SPDY/3.1 as the fallback."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from tests.integration.streams.harness import Background, StreamsCluster, free_port
from tests.support.kubectl import Kubectl

TRANSPORTS = {"websocket": {}, "spdy": {"KUBECTL_PORT_FORWARD_WEBSOCKETS": "false"}}


@pytest.fixture(params=sorted(TRANSPORTS))
def transport(request: pytest.FixtureRequest) -> dict[str, str]:
    return TRANSPORTS[str(request.param)]


def _get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.read()


def test_port_forward_http(kubectl: Kubectl, transport: dict[str, str], cluster: StreamsCluster,
                           pod_name: str) -> None:
    server = cluster.pod_server(pod_name)
    cluster.create_pod(pod_name, ports=[("http", server.port)])
    local = free_port()
    with Background(kubectl, "port-forward", f"pod/{pod_name}", f"{local}:{server.port}",
                    ready="Forwarding from", env=transport) as forward:
        assert f"Forwarding from 127.0.0.1:{local} -> {server.port}" in forward.lines[0]
        # Several connections, one after the other and at once: each is its own (error, data) stream pair.
        for i in range(3):
            assert _get(local, f"/hello?i={i}") == f"You've hit {pod_name}\nGET /hello?i={i}\n".encode()
        body = b"p" * 200_000
        request = urllib.request.Request(f"http://127.0.0.1:{local}/upload", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.read() == f"You've hit {pod_name}\nPOST /upload\n".encode() + body
        sockets = [socket.create_connection(("127.0.0.1", local), timeout=10) for _ in range(3)]
        for i, sock in enumerate(sockets):
            sock.sendall(f"GET /parallel/{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        for i, sock in enumerate(sockets):
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
            sock.close()
            assert reply.startswith(b"HTTP/1.1 200 OK") and f"GET /parallel/{i}\n".encode() in reply
        assert forward.process.poll() is None
    assert [r.target for r in server.received[:3]] == ["/hello?i=0", "/hello?i=1", "/hello?i=2"]


def test_port_forward_to_a_closed_port(kubectl: Kubectl, transport: dict[str, str], cluster: StreamsCluster,
                                       pod_name: str) -> None:
    cluster.create_pod(pod_name, ports=[("http", 1)])
    local = free_port()
    with Background(kubectl, "port-forward", f"pod/{pod_name}", f"{local}:9", ready="Forwarding from",
                    env=transport) as forward:
        sock = socket.create_connection(("127.0.0.1", local), timeout=10)
        assert sock.recv(100) == b""  # the connection ends: the pod's port refused it
        sock.close()
        forward.process.wait(10)
    # kubectl reports the server's text from the error stream.
    assert f"error forwarding port 9 to pod {pod_name}, uid " in forward.stderr
    assert "connection refused" in forward.stderr
