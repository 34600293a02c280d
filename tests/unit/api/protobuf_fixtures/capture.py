"""Capture the request bodies real kubectl sends, for petset.api.protobuf's tests.

A throwaway HTTP server answers just enough of the API (legacy discovery, a node and a pod to
drain, echoes of what is created) for each command below to finish, and records every request
that carries a body. Each command is then run again with ``--dry-run=client -o json``: that is
the JSON kubectl would have sent, which the decoded protobuf must equal.

    python -m tests.unit.api.protobuf_fixtures.capture /usr/bin/kubectl .venv/bin/kubectl

writes one ``kubectl-<version>.json`` per binary beside this file.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from petset.api import protobuf
from petset.api.errors import StatusError

HERE = Path(__file__).resolve().parent

#: (name, kubectl arguments, whether --dry-run=client -o json works for it). "{blob}" is replaced
#: by the path of a small file holding bytes that are not UTF-8.
COMMANDS: list[tuple[str, list[str], bool]] = [
    ("namespace", ["create", "namespace", "foo"], True),
    ("configmap", ["create", "configmap", "cm", "--from-literal=a=b", "--from-literal=c=d"], True),
    ("configmap-binary", ["create", "configmap", "bin", "--from-file=blob={blob}", "--from-literal=x=y"],
     True),
    ("secret-generic", ["create", "secret", "generic", "s", "--from-literal=k=v"], True),
    ("secret-docker-registry", ["create", "secret", "docker-registry", "reg", "--docker-server=r.example",
                                "--docker-username=u", "--docker-password=p"], True),
    ("serviceaccount", ["create", "serviceaccount", "sa"], True),
    ("service-clusterip", ["create", "service", "clusterip", "svc", "--tcp=80:8080"], True),
    ("service-headless", ["create", "service", "clusterip", "headless", "--clusterip=None"], True),
    ("service-nodeport", ["create", "service", "nodeport", "np", "--tcp=80:8080"], True),
    ("service-loadbalancer", ["create", "service", "loadbalancer", "lb", "--tcp=443:8443"], True),
    ("service-externalname", ["create", "service", "externalname", "ext", "--external-name=example.com"],
     True),
    ("pdb-min-available", ["create", "poddisruptionbudget", "pdb", "--selector=app=x", "--min-available=1"],
     True),
    ("pdb-max-unavailable", ["create", "poddisruptionbudget", "pdb2", "--selector=app=x",
                             "--max-unavailable=50%"], True),
    ("debug-node", ["debug", "node/n1", "--image=busybox"], False),
    # Copies rich-pod.json as served, to send nearly every PodSpec field back in protobuf.
    ("debug-copy", ["debug", "rich", "--copy-to=rich-copy", "--set-image=*=busybox", "--keep-annotations",
                    "--keep-labels", "--keep-liveness", "--keep-readiness", "--keep-startup", "--same-node",
                    "--share-processes=false", "--profile=legacy"], False),
    ("create-token", ["create", "token", "sa", "--audience=api", "--duration=10m"], False),
    ("drain-disable-eviction", ["drain", "n1", "--force", "--disable-eviction", "--grace-period=5",
                                "--timeout=20s"], False),
    # These send JSON; they are recorded to document it.
    ("run", ["run", "nginx", "--image=nginx"], True),
    ("drain", ["drain", "n1", "--force", "--grace-period=30", "--timeout=20s"], False),
    ("delete", ["delete", "pod", "p1"], False),
]

_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
_CORE = [("namespaces", "Namespace", False), ("configmaps", "ConfigMap", True), ("secrets", "Secret", True),
         ("serviceaccounts", "ServiceAccount", True), ("services", "Service", True), ("pods", "Pod", True),
         ("nodes", "Node", False)]
_GROUPS = {"policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)]}
_NODE = {"kind": "Node", "apiVersion": "v1",
         "metadata": {"name": "n1", "uid": "n1-uid", "resourceVersion": "1"}, "spec": {}, "status": {}}
RICH_POD: dict[str, Any] = json.loads((HERE / "rich-pod.json").read_text())
_POD = {"kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": "p1", "namespace": "default", "uid": "p1-uid", "resourceVersion": "2"},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x"}]}, "status": {}}


def _resource_list(group_version: str, resources: list[tuple[str, str, bool]]) -> dict[str, Any]:
    listed: list[dict[str, Any]] = [
        {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind, "verbs": _VERBS}
        for name, kind, namespaced in resources]
    if group_version == "v1":
        listed.append({"name": "pods/eviction", "singularName": "", "namespaced": True, "group": "policy",
                       "version": "v1", "kind": "Eviction", "verbs": ["create"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": listed}


def _discovery(path: str) -> dict[str, Any] | None:
    if path == "/version":
        return {"major": "1", "minor": "32", "gitVersion": "v1.32.4"}
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"]}
    if path == "/apis":
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": gv.split("/")[0], "versions": [{"groupVersion": gv, "version": gv.split("/")[1]}],
             "preferredVersion": {"groupVersion": gv, "version": gv.split("/")[1]}} for gv in _GROUPS]}
    if path == "/api/v1":
        return _resource_list("v1", _CORE)
    if path.startswith("/apis/") and path[len("/apis/"):] in _GROUPS:
        return _resource_list(path[len("/apis/"):], _GROUPS[path[len("/apis/"):]])
    return None


@dataclass
class _Recorder:
    requests: list[dict[str, Any]] = field(default_factory=list)
    pod_gone: bool = False
    #: The User-Agent of the kubectl that sent the requests ("kubectl/v1.32.4 (linux/amd64) ...").
    user_agent: str = ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    recorder: _Recorder

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, code: int, obj: dict[str, Any]) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?")[0]
        if self.headers.get("User-Agent", "").startswith("kubectl/"):
            self.recorder.user_agent = self.headers["User-Agent"]
        if self.command != "GET":
            self.recorder.requests.append({
                "method": self.command, "path": self.path,
                "contentType": self.headers.get("Content-Type", ""),
                "body": base64.b64encode(body).decode()})
        found = _discovery(path) if self.command == "GET" else None
        if found is not None:
            return self._reply(200, found)
        if path.startswith("/openapi"):
            return self._reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404})
        if path == "/api/v1/nodes/n1":
            self.recorder.pod_gone = self.recorder.pod_gone and self.command != "PATCH"
            return self._reply(200, _NODE)
        if path == "/api/v1/pods" or (path.endswith("/pods") and self.command == "GET"):
            items = [] if self.recorder.pod_gone else [_POD]
            return self._reply(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items})
        if path == "/api/v1/namespaces/default/pods/rich" and self.command == "GET":
            return self._reply(200, RICH_POD)
        if "/pods/p1" in path:
            if self.command == "GET" and self.recorder.pod_gone:
                return self._reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                         "reason": "NotFound", "message": 'pods "p1" not found', "code": 404})
            if self.command != "GET":
                self.recorder.pod_gone = True
            return self._reply(201 if path.endswith("/eviction") else 200, _POD)
        return self._reply(201, _echo(body, self.headers.get("Content-Type", "")))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


def _echo(body: bytes, content_type: str) -> dict[str, Any]:
    """What a server would answer a create with: the object, named and versioned."""
    try:
        obj = protobuf.decode(body) if "protobuf" in content_type else json.loads(body)
    except (StatusError, ValueError):
        obj = {"metadata": {"name": "unknown"}}
    meta = obj.setdefault("metadata", {})
    meta.setdefault("namespace", "default")
    meta.update(uid="uid-1", resourceVersion="1", creationTimestamp="2026-01-01T00:00:00Z")
    return obj


@contextmanager
def _server() -> Iterator[tuple[str, _Recorder]]:
    recorder = _Recorder()
    handler = type("Handler", (_Handler,), {"recorder": recorder})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", recorder
    finally:
        httpd.shutdown()
        httpd.server_close()


def capture(binary: str, commands: list[tuple[str, list[str], bool]] = COMMANDS) -> dict[str, Any]:
    """Run each command with ``binary`` against a recording server; return what was sent."""
    with tempfile.TemporaryDirectory(prefix="kubectl-capture-") as tmp, _server() as (url, recorder):
        kubeconfig = Path(tmp) / "kubeconfig"
        kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "c",
            "clusters": [{"name": "c", "cluster": {"server": url}}],
            "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u", "namespace": "default"}}],
            "users": [{"name": "u", "user": {}}]}))
        blob = Path(tmp) / "blob"
        blob.write_bytes(b"\x00\xff\xfebinary")
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "KUBECACHEDIR": str(Path(tmp) / "cache")}

        def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=60)

        captures = []
        for name, args, dry_run in commands:
            argv = [arg.replace("{blob}", str(blob)) for arg in args]
            recorder.requests.clear()
            kubectl(*argv)
            sent = list(recorder.requests)
            expected = None
            if dry_run:
                expected = json.loads(kubectl(*argv, "--dry-run=client", "-o", "json").stdout)
            captures.append({"name": name, "args": args, "requests": sent, "dryRun": expected})
        # /usr/bin/kubectl may be a dispatcher that runs another binary: the User-Agent names the
        # kubectl that actually sent the bodies.
        version = recorder.user_agent.split()[0].removeprefix("kubectl/")
        return {"kubectl": version, "captures": captures}


def main(binaries: list[str]) -> None:
    for binary in binaries:
        result = capture(binary)
        out = HERE / f"kubectl-{result['kubectl']}.json"
        out.write_text(json.dumps(result, indent=1) + "\n")
        print(f"{binary}: {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
