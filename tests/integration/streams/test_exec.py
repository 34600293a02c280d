"""kubectl exec against the real API server: WebSocket v5 by default, SPDY/3.1 as the fallback."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
import time

import pytest

from tests.integration.streams.harness import StreamsCluster
from tests.support.kubectl import Kubectl

TRANSPORTS = {"websocket": {}, "spdy": {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "false"}}


@pytest.fixture(params=sorted(TRANSPORTS))
def transport(request: pytest.FixtureRequest) -> dict[str, str]:
    return TRANSPORTS[str(request.param)]


@pytest.fixture
def pod(cluster: StreamsCluster, pod_name: str) -> str:
    cluster.create_pod(pod_name)
    return pod_name


def _exec(kubectl: Kubectl, env: dict[str, str], *args: str, input: str | None = None) -> tuple[int, str, str]:
    environment = kubectl.env()
    environment.update(env)
    result = subprocess.run([kubectl.binary, "exec", *args], input=input, capture_output=True, text=True,
                            env=environment, timeout=30)
    return result.returncode, result.stdout, result.stderr


def test_exec_stdout(kubectl: Kubectl, transport: dict[str, str], pod: str, cluster: StreamsCluster) -> None:
    code, out, err = _exec(kubectl, transport, pod, "--", "echo", "hi")
    assert (code, out) == (0, "hi\n"), err
    last = cluster.connector.execs[-1]
    assert last["command"] == ["echo", "hi"] and last["container"] == "main" and not last["stdin"]


def test_exec_stderr_and_exit_code(kubectl: Kubectl, transport: dict[str, str], pod: str) -> None:
    code, out, err = _exec(kubectl, transport, pod, "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert code == 3
    assert out == "out\n"
    assert "err\n" in err
    assert "command terminated with exit code 3" in err


def test_exec_stdin(kubectl: Kubectl, transport: dict[str, str], pod: str) -> None:
    text = "hello\nworld\n" + "x" * 100_000 + "\n"
    code, out, err = _exec(kubectl, transport, "-i", pod, "--", "cat", input=text)
    assert (code, out) == (0, text), err


def test_exec_large_output(kubectl: Kubectl, pod: str) -> None:
    code, out, err = _exec(kubectl, {}, pod, "--", "sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a")
    assert (code, len(out), set(out)) == (0, 300_000, {"a"}), err


def test_exec_errors_before_the_upgrade(kubectl: Kubectl, cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name, node=None)
    code, _, err = _exec(kubectl, {}, pod_name, "--", "true")
    assert code == 1
    assert f"pod {pod_name} does not have a host assigned" in err

    crashing = pod_name + "-crash"
    cluster.create_pod(crashing, state="waiting", ready=False)
    code, _, err = _exec(kubectl, {}, crashing, "--", "true")
    assert code == 1
    assert f'container "main" in pod "{crashing}" is waiting to start: CrashLoopBackOff' in err

    code, _, err = _exec(kubectl, {}, "-c", "nope", crashing, "--", "true")
    assert code == 1
    assert f"container nope is not valid for pod {crashing}" in err

    done = pod_name + "-done"
    cluster.create_pod(done, state="terminated", phase="Succeeded")
    code, _, err = _exec(kubectl, {}, done, "--", "true")
    assert code == 1
    assert "cannot exec into a container in a completed pod; current phase is Succeeded" in err


def test_exec_command_that_cannot_start(kubectl: Kubectl, transport: dict[str, str], pod: str) -> None:
    code, _, err = _exec(kubectl, transport, pod, "--", "/no/such/binary")
    assert code == 1
    assert "Internal error occurred: error executing command in container:" in err


def test_exec_multi_container_pod(kubectl: Kubectl, cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name, containers=2)
    code, out, err = _exec(kubectl, {}, "-c", "c1", pod_name, "--", "echo", "second")
    assert (code, out) == (0, "second\n"), err
    assert cluster.connector.execs[-1]["container"] == "c1"


def test_attach(kubectl: Kubectl, transport: dict[str, str], pod: str) -> None:
    environment = kubectl.env()
    environment.update(transport)
    result = subprocess.run([kubectl.binary, "attach", "-i", pod], input="one\ntwo\n", capture_output=True,
                            text=True, env=environment, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "attached to main\nONE\nTWO\n"
    assert "to stderr" in result.stderr


def test_exec_with_a_terminal(kubectl: Kubectl, transport: dict[str, str], pod: str,
                              cluster: StreamsCluster) -> None:
    """kubectl -it under a real pty: tty=true, no stderr stream, and the terminal size on the resize channel."""

    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 111, 0, 0))
    environment = kubectl.env()
    environment.update(transport)
    process = subprocess.Popen([kubectl.binary, "exec", "-it", pod, "--", "echo", "in a terminal"],
                               stdin=secondary, stdout=secondary, stderr=secondary, env=environment,
                               start_new_session=True)
    os.close(secondary)
    output = b""
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                output += os.read(main, 4096)
            except OSError:
                break
        assert process.wait(10) == 0, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)
    assert b"in a terminal" in output
    last = cluster.connector.execs[-1]
    assert last["tty"] and last["stdin"]
    assert (cluster.connector.resizes[-1].width, cluster.connector.resizes[-1].height) == (111, 33)


def test_client_leaving_ends_the_command(kubectl: Kubectl, transport: dict[str, str], pod: str,
                                         cluster: StreamsCluster) -> None:

    environment = kubectl.env()
    environment.update(transport)
    before = len(cluster.connector.execs)
    process = subprocess.Popen([kubectl.binary, "exec", pod, "--", "sleep", "60"], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not cluster.connector.processes and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(cluster.connector.execs) == before + 1 and cluster.connector.processes
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while cluster.connector.processes and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not cluster.connector.processes  # the connector's exec was cancelled, and killed its command
