"""`petset up` as a user meets it: its banner and kubeconfig, one-line errors, signals, restarts,
--merge-kubeconfig, anonymous access and /metrics. Each test runs its own server process."""

from __future__ import annotations

import base64
import fcntl
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.kubectl import Kubectl, kubectl_binaries
from tests.support.raw import RawAPI
from tests.support.server import PetsetProcess, free_port

PUBLIC = ("/healthz", "/livez", "/readyz", "/version")
PROTECTED = ("/", "/api", "/apis", "/api/v1", "/api/v1/namespaces", "/apis/apps/v1/statefulsets", "/metrics",
             "/openapi/v2", "/openapi/v3", "/healthz/../api")


def _petset_up(data_dir: Path, port: int, *extra: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """A `petset up` expected to exit by itself (with an error)."""
    return subprocess.run([sys.executable, "-m", "petset", "up", "--data-dir", str(data_dir), "--port", str(port),
                           *extra], capture_output=True, text=True, timeout=timeout)


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _lock_is_free(data_dir: Path) -> bool:
    with open(data_dir / "petset.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True



def test_starts_fast_and_says_how_to_use_it(server: PetsetProcess) -> None:
    started = time.monotonic()
    server.start()
    elapsed = time.monotonic() - started
    # Well under a second on a warm machine (benchmarks/api.py has the figure); 3 s keeps CI calm.
    assert elapsed < 3.0, elapsed
    deadline = time.monotonic() + 5
    while "export KUBECONFIG" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.02)
    log = server.log()
    assert re.search(rf"petset is up in \d+ ms: Kubernetes v1\.32 API at {re.escape(server.url)}\n", log), log
    assert f"  export KUBECONFIG={server.kubeconfig}\n" in log
    assert f"data dir:  {server.data_dir}" in log


def test_kubeconfig_carries_the_ca_and_a_token(server: PetsetProcess) -> None:
    server.start()
    config = server.kubeconfig_doc()
    assert config["current-context"] == "petset"
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == server.url
    ca = base64.b64decode(cluster["certificate-authority-data"])
    assert ca == (server.data_dir / "pki" / "ca.crt").read_bytes()
    token = config["users"][0]["user"]["token"]
    assert token == server.token and len(token) >= 32
    # Secrets are readable by their owner only.
    for path in (server.kubeconfig, server.data_dir / "token", server.data_dir / "pki" / "ca.key",
                 server.data_dir / "pki" / "apiserver.key"):
        assert path.stat().st_mode & 0o077 == 0, path
    # What the kubeconfig holds is enough to talk to the server, and the CA is really checked.
    context = ssl.create_default_context(cadata=ca.decode())
    api = RawAPI(server.url, token, context)
    assert api.get("/api/v1/namespaces/default").json()["metadata"]["name"] == "default"
    with pytest.raises(ssl.SSLCertVerificationError):
        RawAPI(server.url, token, ssl.create_default_context()).get("/version")


def test_a_second_server_on_the_same_data_dir_says_one_is_running(server: PetsetProcess) -> None:
    server.start()
    assert server.process is not None
    for port in (server.port, free_port()):
        line = _one_line_error(_petset_up(server.data_dir, port))
        assert line == (f"Error: petset is already running on data dir {server.data_dir} "
                        f"(pid {server.process.pid}, serving {server.url})")
    # The refused start left the running server alone.
    assert server.raw().get("/api/v1/namespaces/default").status == 200


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_line_error(_petset_up(tmp_path / "data", port))
    assert line == (f"Error: cannot listen: error while attempting to bind on address ('127.0.0.1', {port}): "
                    "address already in use (is another server using the port? choose one with --port)")
    assert _lock_is_free(tmp_path / "data")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signals_stop_cleanly_and_state_survives_restarts(server: PetsetProcess, sig: signal.Signals) -> None:
    server.start()
    api = server.raw()
    assert api.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": "kept"}}).status == 201
    made = [api.create("/api/v1/namespaces/kept/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}, "data": {"i": str(i)}}).json()
        for i in range(3)]
    api.request("PATCH", "/api/v1/namespaces/kept/configmaps/c0", {"data": {"i": "patched"}},
                content_type="application/merge-patch+json")
    before = api.snapshot("/api/v1/namespaces/kept/configmaps")
    listed_rv = int(api.get("/api/v1/namespaces/kept/configmaps").json()["metadata"]["resourceVersion"])
    ca = (server.data_dir / "pki" / "ca.crt").read_bytes()
    token = server.token

    assert server.stop(sig) == 0
    assert "petset stopped; state kept in" in server.log()
    assert _lock_is_free(server.data_dir)

    server.start()
    api = server.raw()
    assert (server.data_dir / "pki" / "ca.crt").read_bytes() == ca and server.token == token
    assert api.snapshot("/api/v1/namespaces/kept/configmaps") == before
    assert {c["metadata"]["name"]: c["metadata"]["uid"] for c in made} == {k: v[0] for k, v in before.items()}
    assert api.get("/api/v1/namespaces/kept/configmaps/c0").json()["data"] == {"i": "patched"}
    # Revisions go on from where they were: nothing acknowledged is ever reused.
    after = api.create("/api/v1/namespaces/kept/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                                              "metadata": {"name": "after"}}).json()
    assert int(after["metadata"]["resourceVersion"]) > listed_rv
    assert int(after["metadata"]["resourceVersion"]) > max(int(rv) for _, rv in before.values())
    for name in ("default", "kube-system", "kube-public", "kube-node-lease", "kept"):
        assert api.get(f"/api/v1/namespaces/{name}").status == 200


def _kubeconfig_with_other_context(path: Path) -> dict[str, Any]:
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "other",
           "clusters": [{"name": "other", "cluster": {"server": "https://other.example:6443"}}],
           "users": [{"name": "other-admin", "user": {"token": "other-token"}}],
           "contexts": [{"name": "other", "context": {"cluster": "other", "user": "other-admin"}}],
           "preferences": {}}
    path.write_text(yaml.safe_dump(doc))
    return doc


def test_merge_kubeconfig_adds_a_petset_context_and_keeps_the_others(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    other = _kubeconfig_with_other_context(first)
    second.write_text("# untouched\n")
    env = {**os.environ, "HOME": str(home), "KUBECONFIG": f"{first}{os.pathsep}{second}"}
    proc = PetsetProcess(tmp_path / "data", free_port(), env=env)
    try:
        proc.start("--merge-kubeconfig")
        # The merge happens just after the server answers: wait for the banner.
        deadline = time.monotonic() + 5
        while "export KUBECONFIG" not in proc.log() and time.monotonic() < deadline:
            time.sleep(0.02)
        merged = yaml.safe_load(first.read_text())
        assert second.read_text() == "# untouched\n"
        assert not (home / ".kube").exists()
        for section in ("clusters", "users", "contexts"):
            names = [entry["name"] for entry in merged[section]]
            assert other[section][0] in merged[section], section
            assert names.count("petset" if section != "users" else "petset-admin") == 1, names
        assert merged["current-context"] == "petset"
        assert "(or: kubectl config use-context petset)" in proc.log()
        binary = kubectl_binaries()[0]
        kubectl = Kubectl(binary, first, tmp_path / "cache")
        assert "default" in kubectl.run("--context", "petset", "get", "ns", "-o", "name").stdout
        assert proc.stop() == 0

        # Again, with no $KUBECONFIG: ~/.kube/config, created private; a restart does not duplicate entries.
        env.pop("KUBECONFIG")
        for _ in range(2):
            proc.start("--merge-kubeconfig")
            deadline = time.monotonic() + 5
            default = home / ".kube" / "config"
            while not default.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert proc.stop() == 0
        doc = yaml.safe_load(default.read_text())
        assert [c["name"] for c in doc["contexts"]] == ["petset"]
        assert default.stat().st_mode & 0o077 == 0
        assert yaml.safe_load(first.read_text()) == merged
    finally:
        proc.stop()


def test_anonymous_requests_are_refused_except_health_and_version(server: PetsetProcess) -> None:
    server.start()
    api = server.raw()
    for path in PUBLIC:
        reply = api.get(path, token=None)
        assert reply.status == 200, path
    assert api.get("/version", token=None).json()["minor"] == "32"
    assert api.get("/healthz", token=None).body == b"ok"
    for path in PROTECTED:
        reply = api.get(path, token=None)
        assert (reply.status, reply.reason) == (401, "Unauthorized"), path
        assert api.get(path).status != 401, path


def test_metrics_are_prometheus_text_with_request_counters(server: PetsetProcess) -> None:
    server.start()
    api = server.raw()
    for _ in range(3):
        assert api.get("/api/v1/namespaces").status == 200
    assert api.get("/api/v1/namespaces/nope").status == 404
    assert api.get("/api/v1/namespaces", token=None).status == 401
    assert api.get("/api/v1/namespaces/x/random-things-" + "y" * 20).status == 404
    reply = api.get("/metrics")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/plain")
    text = reply.body.decode()
    assert "# TYPE apiserver_request_total counter" in text
    counters = {}
    for line in text.splitlines():
        match = re.match(r"apiserver_request_total\{(.*)\} (\S+)$", line)
        if match:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            counters[(labels["verb"], labels["resource"], labels["code"])] = float(match.group(2))
    assert counters[("GET", "namespaces", "200")] >= 3
    assert counters[("GET", "namespaces", "404")] >= 1
    assert counters[("GET", "namespaces", "401")] >= 1
    # Label values come from served resources only, never from whatever a path says.
    assert not any("random-things" in key[1] for key in counters)
    assert "apiserver_request_duration_seconds_bucket{" in text
    assert re.search(r'^apiserver_storage_objects\{resource="namespaces"\} [1-9]', text, re.M)
    assert re.search(r"^process_resident_memory_bytes \d", text, re.M)
