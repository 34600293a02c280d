"""Pods for real, timed: `python benchmarks/pods.py [--runtime namespaces|process] [--pods 200]`.

Prints, against a real `petset up` with real processes:
  * one kubia-pet pod, from creation to Ready;
  * the book's 2-replica StatefulSet (kubia-statefulset.yaml), from `kubectl create` to both Ready
    (anchor: a real 1.32 control plane here takes 3.4 s even with a fake node reporting Ready at once);
  * a Parallel StatefulSet of N pods, from creation to all Ready;
  * per-pod memory: RSS of each pod's processes, split into the app itself and the runtime's own
    processes around it (the runtime overhead).
"""

from __future__ import annotations

import argparse
import json
import shutil
import ssl
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.processes import descendants  # noqa: E402
from tests.support.server import PetsetProcess, free_port  # noqa: E402

CHAPTER10 = ROOT.parent / "shared" / "examples" / "kubernetes-in-action" / "Chapter10"
ANCHOR_BOOK_SET = 3.4


class Api:
    def __init__(self, server: PetsetProcess) -> None:
        self.base = server.url
        self.token = server.token
        self.context = ssl.create_default_context(cafile=str(server.data_dir / "pki" / "ca.crt"))

    def call(self, method: str, path: str, body: object | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
            return json.loads(response.read())

    def ready_pods(self, selector: str) -> int:
        pods = self.call("GET", f"/api/v1/namespaces/default/pods?labelSelector={selector}")["items"]
        return sum(1 for p in pods if any(c.get("type") == "Ready" and c.get("status") == "True"
                                         for c in (p.get("status") or {}).get("conditions") or []))

    def wait_ready(self, selector: str, count: int, timeout: float = 120) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.ready_pods(selector) >= count:
                return time.perf_counter() - start
            time.sleep(0.01)
        raise SystemExit(f"timed out waiting for {count} ready pods ({selector})")


def _yaml_to_json(path: Path) -> dict:
    import yaml

    doc: dict = yaml.safe_load(path.read_text())
    return doc


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runtime", default="auto")
    parser.add_argument("--pods", type=int, default=200)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="petset-bench-pods-"))
    # A node takes at most 110 pods (its allocatable "pods"), as a kubelet's default --max-pods.
    nodes = max(1, -(-(args.pods + 10) // 100))
    server = PetsetProcess(base / "data", free_port()).start("--runtime", args.runtime, "--nodes", str(nodes))
    api = Api(server)
    try:
        runtime = next((r for r in ("namespaces", "process", "simulated") if f"({r} runtime)" in server.log()), "?")
        print(f"runtime: {runtime}, {nodes} node(s)")
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "one", "labels": {"bench": "one"}},
               "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia-pet"}]}}
        start = time.perf_counter()
        api.call("POST", "/api/v1/namespaces/default/pods", pod)
        api.wait_ready("bench%3Done", 1)
        print(f"one kubia-pet pod, create -> Ready:          {1000 * (time.perf_counter() - start):7.0f} ms")

        api.call("POST", "/api/v1/namespaces/default/services", _yaml_to_json(CHAPTER10 / "kubia-service-headless.yaml"))
        start = time.perf_counter()
        api.call("POST", "/apis/apps/v1/namespaces/default/statefulsets",
                 _yaml_to_json(CHAPTER10 / "kubia-statefulset.yaml"))
        api.wait_ready("app%3Dkubia", 2)
        book = time.perf_counter() - start
        print(f"book's 2-replica set, create -> both Ready:  {1000 * book:7.0f} ms   "
              f"(anchor {ANCHOR_BOOK_SET:.1f} s: {ANCHOR_BOOK_SET / book:.1f}x faster)")

        parallel = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "many"},
                    "spec": {"serviceName": "many", "replicas": args.pods, "podManagementPolicy": "Parallel",
                             "selector": {"matchLabels": {"app": "many"}},
                             "template": {"metadata": {"labels": {"app": "many"}},
                                          "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia-pet"}]}}}}
        start = time.perf_counter()
        api.call("POST", "/apis/apps/v1/namespaces/default/statefulsets", parallel)
        api.wait_ready("app%3Dmany", args.pods, timeout=600)
        elapsed = time.perf_counter() - start
        print(f"{args.pods} pods, Parallel, create -> all Ready:  {elapsed:7.2f} s  ({args.pods / elapsed:.0f} pods/s)")

        assert server.process is not None
        app_rss, wrapper_rss, pods_seen = 0, 0, 0
        for pid in sorted(descendants(server.process.pid)):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if "petset.images." in cmdline:
                app_rss += _rss_kib(pid)
                pods_seen += 1
            elif cmdline.startswith(("unshare", "nsenter")):
                wrapper_rss += _rss_kib(pid)
        if pods_seen:
            print(f"per pod: app {app_rss / pods_seen / 1024:.1f} MiB RSS, runtime overhead "
                  f"{wrapper_rss / pods_seen / 1024:.2f} MiB RSS ({pods_seen} pods)")
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
