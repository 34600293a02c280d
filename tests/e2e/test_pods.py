"""Pods for real: processes with their own hostname, IP and volumes, driven with real kubectl.

Runs twice: as root with the namespaces runtime, and as an unprivileged user with the process
runtime (user namespaces where the kernel allows them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kubectl import Kubectl, kubectl_binaries
from tests.support.processes import descendants
from tests.support.server import PetsetProcess, free_port
from tests.support.unprivileged import NOBODY, unprivileged_argv

RUNTIMES = ["namespaces", "process-unprivileged"]


def _pod(name: str, *, hostname: str | None = None, image: str = "luksa/kubia-pet", **extra: object) -> str:
    container: dict = {"name": "kubia", "image": image, "ports": [{"containerPort": 8080, "name": "http"}],
                       "volumeMounts": [{"name": "data", "mountPath": "/var/data"}]}
    container.update(extra)
    spec: dict = {"containers": [container], "volumes": [{"name": "data", "emptyDir": {}}],
                  "terminationGracePeriodSeconds": 2}
    if hostname:
        spec["hostname"] = hostname
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
                       "spec": spec})


@pytest.fixture(scope="module", params=RUNTIMES)
def runtime_cluster(request: pytest.FixtureRequest, workdir: Path) -> Iterator[tuple[str, PetsetProcess]]:
    kind = request.param
    base = Path(tempfile.mkdtemp(prefix=f"pods-{kind}-", dir=workdir))
    os.chmod(workdir, 0o755)
    os.chmod(base, 0o755)
    server = PetsetProcess(base / "data", free_port())
    if kind == "namespaces":
        server.start("--runtime", "namespaces")
    else:
        os.chown(base, NOBODY, NOBODY)
        server.start("--runtime", "process", wrap=unprivileged_argv)
    yield kind, server
    server.stop()
    print(server.log()[-8000:])  # shown with any failure of this module
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def k(runtime_cluster: tuple[str, PetsetProcess], workdir: Path) -> Iterator[Kubectl]:
    _, server = runtime_cluster
    cache = Path(tempfile.mkdtemp(prefix="kubecache-", dir=workdir))
    kubectl = Kubectl(kubectl_binaries()[0], server.kubeconfig, cache)
    yield kubectl
    kubectl.run("delete", "pods", "--all", "--grace-period=0", "--force", "--wait=true", check=False)
    shutil.rmtree(cache, ignore_errors=True)


def _wait_ready(k: Kubectl, name: str, timeout: int = 20) -> dict:
    waited = k.run("wait", "--for=condition=Ready", f"pod/{name}", f"--timeout={timeout}s", check=False)
    pod = k.json("get", "pod", name)
    assert waited.returncode == 0, f"{name} not Ready: {json.dumps(pod.get('status'))}"
    return pod


def _http(url: str, data: bytes | None = None, timeout: float = 5) -> bytes:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def test_pod_is_a_real_process_with_its_identity(k: Kubectl, runtime_cluster: tuple[str, PetsetProcess]) -> None:
    k.run("apply", "-f", "-", input=_pod("pet", hostname="pet-0"))
    pod = _wait_ready(k, "pet")
    status = pod["status"]
    assert status["phase"] == "Running" and status["podIP"] and status["hostIP"]
    assert status["containerStatuses"][0]["state"]["running"]["startedAt"]
    assert k.run("exec", "pet", "--", "hostname").stdout.strip() == "pet-0"
    ip = status["podIP"]
    deadline = time.monotonic() + 10
    while True:
        try:
            first = _http(f"http://{ip}:8080/")
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert first == b"You've hit pet-0\nData stored on this pod: No data posted yet\n"
    assert _http(f"http://{ip}:8080/", b"Hey there!") == b"Data stored on pod pet-0\n"
    assert _http(f"http://{ip}:8080/") == b"You've hit pet-0\nData stored on this pod: Hey there!\n"
    logs = k.run("logs", "pet").stdout
    assert logs == "New data has been received and stored.\n"
    assert k.run("logs", "pet", "--timestamps").stdout.split(" ", 1)[1] == logs
    assert k.run("exec", "pet", "--", "cat", "/var/data/kubia.txt").stdout == "Hey there!"
    # The container's program is PID 1 of its own PID namespace.
    assert "petset.images.kubia_pet" in k.run("exec", "pet", "--", "cat", "/proc/1/cmdline").stdout


def test_proxy_and_port_forward_reach_the_pod(k: Kubectl) -> None:
    k.run("apply", "-f", "-", input=_pod("fwd", hostname="fwd-0"))
    _wait_ready(k, "fwd")
    port = free_port()
    proxy = k.popen("proxy", f"--port={port}")
    forward_port = free_port()
    forward = k.popen("port-forward", "pod/fwd", f"{forward_port}:8080")
    try:
        base = f"http://127.0.0.1:{port}/api/v1/namespaces/default/pods/fwd/proxy/"
        deadline = time.monotonic() + 15
        while True:
            try:
                body = _http(base)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert body == b"You've hit fwd-0\nData stored on this pod: No data posted yet\n"
        assert _http(base, b"via the proxy") == b"Data stored on pod fwd-0\n"
        while True:
            try:
                forwarded = _http(f"http://127.0.0.1:{forward_port}/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert forwarded == b"You've hit fwd-0\nData stored on this pod: via the proxy\n"
    finally:
        for process in (proxy, forward):
            process.terminate()
            process.wait(5)


def test_failing_readiness_probe_keeps_the_pod_unready(k: Kubectl) -> None:
    probe = {"exec": {"command": ["test", "-f", "/var/data/ready"]}, "periodSeconds": 1, "failureThreshold": 1}
    k.run("apply", "-f", "-", input=_pod("unready", readinessProbe=probe))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        pod = k.json("get", "pod", "unready")
        if pod["status"].get("phase") == "Running":
            break
        time.sleep(0.2)
    time.sleep(2.5)
    pod = k.json("get", "pod", "unready")
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert pod["status"]["phase"] == "Running" and ready["status"] == "False"
    row = k.run("get", "pod", "unready", "--no-headers").stdout.split()
    assert row[1:3] == ["0/1", "Running"]
    events = k.run("get", "events", "--field-selector", "involvedObject.name=unready,reason=Unhealthy").stdout
    assert "Readiness probe failed" in events
    k.run("exec", "unready", "--", "touch", "/var/data/ready")
    _wait_ready(k, "unready", timeout=10)


def test_crashing_container_backs_off(k: Kubectl) -> None:
    body = json.loads(_pod("crasher", image="busybox", command=["sh", "-c", "echo dying; exit 3"]))
    k.run("apply", "-f", "-", input=json.dumps(body))
    deadline = time.monotonic() + 40
    restarts, reason = 0, ""
    while time.monotonic() < deadline:
        status = k.json("get", "pod", "crasher")["status"]
        container = (status.get("containerStatuses") or [{}])[0]
        restarts = container.get("restartCount", 0)
        reason = container.get("state", {}).get("waiting", {}).get("reason", "")
        if restarts >= 2 and reason == "CrashLoopBackOff":
            break
        time.sleep(0.5)
    assert restarts >= 2 and reason == "CrashLoopBackOff"
    row = k.run("get", "pod", "crasher", "--no-headers").stdout.split()
    assert row[2] == "CrashLoopBackOff" and int(row[3]) >= 2
    last = container["lastState"]["terminated"]
    assert last["exitCode"] == 3 and last["reason"] == "Error"
    assert k.run("logs", "crasher", "--previous").stdout == "dying\n"


def test_two_pods_on_one_port_each_see_only_their_volume(k: Kubectl) -> None:
    k.run("apply", "-f", "-", input=_pod("twin-a", hostname="twin-a"))
    k.run("apply", "-f", "-", input=_pod("twin-b", hostname="twin-b"))
    a, b = _wait_ready(k, "twin-a"), _wait_ready(k, "twin-b")
    assert a["status"]["podIP"] != b["status"]["podIP"]
    k.run("exec", "twin-a", "--", "sh", "-c", "echo a > /var/data/mine")
    assert k.run("exec", "twin-b", "--", "ls", "/var/data").stdout.strip() == ""
    for pod in (a, b):
        deadline = time.monotonic() + 10
        while True:
            try:
                reply = _http(f"http://{pod['status']['podIP']}:8080/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert reply.startswith(f"You've hit {pod['metadata']['name']}\n".encode())


def test_stopping_petset_leaves_nothing_behind(runtime_cluster: tuple[str, PetsetProcess], workdir: Path) -> None:
    kind, server = runtime_cluster
    cache = Path(tempfile.mkdtemp(prefix="kubecache-", dir=workdir))
    k = Kubectl(kubectl_binaries()[0], server.kubeconfig, cache)
    k.run("apply", "-f", "-", input=_pod("leftover"))
    uid = _wait_ready(k, "leftover")["metadata"]["uid"].replace("-", "")[:11]
    assert server.process is not None
    family = descendants(server.process.pid)
    assert family, "the pod's processes descend from petset"
    assert server.stop() == 0
    time.sleep(0.5)
    alive = {pid for pid in family if Path(f"/proc/{pid}").exists()}
    assert not alive
    assert str(server.data_dir) not in Path("/proc/mounts").read_text()
    if kind == "namespaces":
        assert not [n for n in os.listdir("/run/netns") if n.endswith(uid)] if Path("/run/netns").exists() else True
        links = subprocess.run(["ip", "-br", "link"], capture_output=True, text=True).stdout
        assert f"pv{uid}" not in links
    restart = ["--runtime", "namespaces"] if kind == "namespaces" else ["--runtime", "process"]
    if kind == "namespaces":
        server.start(*restart)
    else:
        server.start(*restart, wrap=unprivileged_argv)
    # The pod object stayed; its container starts again.
    _wait_ready(k, "leftover", timeout=30)
    shutil.rmtree(cache, ignore_errors=True)


def test_env_config_volumes_init_containers_and_log_follow(k: Kubectl) -> None:
    k.run("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                  "metadata": {"name": "settings"},
                                                  "data": {"greeting": "hello", "app.conf": "mode=pet\n"}}))
    k.run("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"},
                                                  "stringData": {"password": "s3cret"}}))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "full", "labels": {"tier": "pets"}},
           "spec": {
               "terminationGracePeriodSeconds": 2,
               "initContainers": [{"name": "prepare", "image": "busybox",
                                   "command": ["sh", "-c", "echo prepared > /scratch/init.txt"],
                                   "volumeMounts": [{"name": "work", "mountPath": "/scratch"}]}],
               "containers": [{
                   "name": "kubia", "image": "luksa/kubia-pet", "ports": [{"containerPort": 8080, "name": "http"}],
                   "env": [{"name": "GREETING", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "greeting"}}},
                           {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
                           {"name": "MY_POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                           {"name": "MY_TIER", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['tier']"}}},
                           {"name": "COMBINED", "value": "$(GREETING)-$(MY_POD)"}],
                   "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 1},
                   "livenessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 1},
                   "volumeMounts": [{"name": "data", "mountPath": "/var/data"},
                                    {"name": "config", "mountPath": "/etc/app"},
                                    {"name": "secret", "mountPath": "/etc/creds"},
                                    {"name": "work", "mountPath": "/scratch"}]}],
               "volumes": [{"name": "data", "emptyDir": {}}, {"name": "work", "emptyDir": {}},
                           {"name": "config", "configMap": {"name": "settings"}},
                           {"name": "secret", "secret": {"secretName": "creds"}}]}}
    k.run("create", "-f", "-", input=json.dumps(pod))
    status = _wait_ready(k, "full")["status"]
    init = status["initContainerStatuses"][0]
    assert init["state"]["terminated"]["exitCode"] == 0 and init["state"]["terminated"]["reason"] == "Completed"
    env = dict(line.split("=", 1) for line in k.run("exec", "full", "--", "env").stdout.splitlines() if "=" in line)
    assert (env["GREETING"], env["PASSWORD"], env["MY_POD"], env["MY_TIER"], env["COMBINED"]) == (
        "hello", "s3cret", "full", "pets", "hello-full")
    assert env["HOSTNAME"] == "full"
    assert k.run("exec", "full", "--", "cat", "/etc/app/app.conf").stdout == "mode=pet\n"
    assert k.run("exec", "full", "--", "cat", "/etc/creds/password").stdout == "s3cret"
    assert k.run("exec", "full", "--", "cat", "/scratch/init.txt").stdout == "prepared\n"
    follow = k.popen("logs", "-f", "full")
    try:
        ip = status["podIP"]
        for n in range(3):
            deadline = time.monotonic() + 10
            while True:
                try:
                    _http(f"http://{ip}:8080/", f"post {n}".encode())
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        assert follow.stdout is not None
        lines = [follow.stdout.readline() for _ in range(3)]
    finally:
        follow.terminate()
        follow.wait(5)
    assert lines == ["New data has been received and stored.\n"] * 3
    assert k.run("logs", "full", "--tail=1").stdout == "New data has been received and stored.\n"
