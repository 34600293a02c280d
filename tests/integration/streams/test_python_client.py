"""The official Python client's streams: exec (WebSocket, v5 offered with v4) and port-forward (v4 channels)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward, stream

from tests.integration.streams.harness import StreamsCluster


@pytest.fixture
def core(cluster: StreamsCluster) -> Iterator[client.CoreV1Api]:
    configuration = client.Configuration()
    configuration.host = cluster.url
    configuration.ssl_ca_cert = str(cluster.ca_file)
    configuration.api_key = {"authorization": f"Bearer {cluster.token}"}
    with client.ApiClient(configuration) as api:
        yield client.CoreV1Api(api)


def test_exec_output(core: client.CoreV1Api, cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name)
    out = stream(core.connect_get_namespaced_pod_exec, pod_name, "default", command=["echo", "hi"],
                 stderr=True, stdin=False, stdout=True, tty=False)
    assert out == "hi\n"


def test_exec_exit_code_stdin_and_channels(core: client.CoreV1Api, cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name)
    ws = stream(core.connect_get_namespaced_pod_exec, pod_name, "default",
                command=["sh", "-c", "read line; echo got $line; echo oops >&2; exit 4"],
                stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    try:
        ws.write_stdin("hello\n")
        ws.run_forever(timeout=10)
        assert ws.read_stdout() == "got hello\n"
        assert ws.read_stderr() == "oops\n"
        assert ws.returncode == 4
    finally:
        ws.close()


def test_exec_closes_stdin_with_v5(core: client.CoreV1Api, cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name)
    ws = stream(core.connect_get_namespaced_pod_exec, pod_name, "default", command=["wc", "-c"],
                stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    try:
        assert ws.subprotocol == "v5.channel.k8s.io"
        ws.write_stdin("12345")
        ws.close_channel(0)
        ws.run_forever(timeout=10)
        assert ws.read_stdout().strip() == "5"
        assert ws.returncode == 0
    finally:
        ws.close()


def test_exec_refusals_are_statuses(core: client.CoreV1Api, cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name, containers=2)
    with pytest.raises(ApiException) as caught:
        stream(core.connect_get_namespaced_pod_exec, pod_name, "default", command=["true"],
               stderr=True, stdin=False, stdout=True, tty=False)
    # The client reports a failed handshake as status 0, with the answer (a Status) in its reason.
    assert "Handshake status 400 Bad Request" in str(caught.value.reason)
    assert (f"a container name must be specified for pod {pod_name}, choose one of: [c0 c1]"
            in str(caught.value.reason))


def test_port_forward(core: client.CoreV1Api, cluster: StreamsCluster, pod_name: str) -> None:
    server = cluster.pod_server(pod_name)
    cluster.create_pod(pod_name, ports=[("http", server.port)])
    forward = portforward(core.connect_get_namespaced_pod_portforward, pod_name, "default",
                          ports=str(server.port))
    sock = forward.socket(server.port)
    sock.settimeout(10)
    sock.sendall(b"GET /via-python HTTP/1.1\r\nHost: x\r\n\r\n")
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    sock.close()
    assert reply.startswith(b"HTTP/1.1 200 OK")
    assert reply.endswith(f"You've hit {pod_name}\nGET /via-python\n".encode())
    assert forward.error(server.port) is None
    forward.close()
