"""Kubernetes in Action, chapter 10, sections 10.3 to 10.5, step by step with real kubectl and curl.

The manifests are read unchanged from ../shared/examples. Each step asserts what the book (and
../shared/docs/BOOK-APPS.md) shows the reader. The pods are real processes, so the replies come
from the book's images themselves.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.rdatatype
import pytest

from tests.conftest import CHAPTER10
from tests.support.kubectl import Kubectl, kubectl_binaries
from tests.support.server import PetsetProcess, free_port

GREETING = "Hey there! This greeting was submitted to kubia-0."


def _eventually(check: Callable[[], Any], timeout: float = 30, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (OSError, AssertionError, urllib.error.URLError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"not reached in {timeout}s: {last!r}")


class Book:
    def __init__(self, server: PetsetProcess, kubectl: Kubectl, proxy_port: int) -> None:
        self.server = server
        self.k = kubectl
        self.proxy = f"http://127.0.0.1:{proxy_port}"

    def get(self, path: str) -> str:
        try:
            with urllib.request.urlopen(self.proxy + path, timeout=10) as response:
                return response.read().decode()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"GET {path}: {exc.code} {exc.read().decode(errors='replace')}") from None

    def post(self, path: str, data: str) -> str:
        request = urllib.request.Request(self.proxy + path, data=data.encode(), method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode()

    def pods(self) -> dict[str, dict]:
        return {p["metadata"]["name"]: p for p in self.k.json("get", "pods")["items"]}

    def ready(self, *names: str) -> bool:
        pods = self.pods()
        return all(any(c["type"] == "Ready" and c["status"] == "True" for c in
                       (pods.get(n, {}).get("status") or {}).get("conditions") or []) for n in names) and \
            set(pods) == set(names)

    def dns(self, name: str, rtype: str) -> dns.message.Message:
        host, port = (self.server.data_dir / "dns-address").read_text().strip().rsplit(":", 1)
        query = dns.message.make_query(name, getattr(dns.rdatatype, rtype))
        return dns.query.udp(query, host, port=int(port), timeout=3)


@pytest.fixture(scope="module")
def book(workdir: Path) -> Iterator[Book]:
    base = Path(tempfile.mkdtemp(prefix="book-", dir=workdir))
    # The book's hostPath volumes live at /tmp/pv-a..c on this machine; remove what the test makes.
    made = [p for p in (Path("/tmp/pv-a"), Path("/tmp/pv-b"), Path("/tmp/pv-c")) if not p.exists()]
    server = PetsetProcess(base / "data", free_port()).start(
        "--nodes", "2", "--node-monitor-grace-period", "3", "--default-unreachable-toleration-seconds", "2")
    kubectl = Kubectl(kubectl_binaries()[0], server.kubeconfig, base / "cache")
    proxy_port = free_port()
    proxy = kubectl.popen("proxy", f"--port={proxy_port}")
    try:
        _eventually(lambda: urllib.request.urlopen(f"http://127.0.0.1:{proxy_port}/version", timeout=2).read())
        yield Book(server, kubectl, proxy_port)
    finally:
        proxy.terminate()
        proxy.wait(5)
        server.stop()
        print(server.log()[-6000:])
        shutil.rmtree(base, ignore_errors=True)
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


def test_1_pods_are_created_one_at_a_time(book: Book) -> None:
    k = book.k
    k.run("create", "-f", str(CHAPTER10 / "persistent-volumes-hostpath.yaml"))
    assert k.run("create", "-f", str(CHAPTER10 / "kubia-service-headless.yaml")).stdout.strip() == \
        "service/kubia created"
    watch = k.popen("get", "pods", "-w", "--output-watch-events")
    try:
        time.sleep(0.5)
        out = k.run("create", "-f", str(CHAPTER10 / "kubia-statefulset.yaml")).stdout.strip()
        assert out == "statefulset.apps/kubia created"
        _eventually(lambda: book.ready("kubia-0", "kubia-1"))
    finally:
        watch.terminate()
        events, _ = watch.communicate(timeout=5)
    added = [line.split()[1] for line in events.splitlines() if line.startswith("ADDED")]
    assert added == ["kubia-0", "kubia-1"]
    pods = book.pods()
    created = {n: p["metadata"]["creationTimestamp"] for n, p in pods.items()}
    ready0 = next(c["lastTransitionTime"] for c in pods["kubia-0"]["status"]["conditions"] if c["type"] == "Ready")
    # OrderedReady: kubia-1 exists only once kubia-0 is Ready.
    assert created["kubia-1"] >= ready0


def test_2_pod_mounts_its_claim_and_claims_bind_to_the_books_volumes(book: Book) -> None:
    pod = book.k.json("get", "pod", "kubia-0")
    mount = pod["spec"]["containers"][0]["volumeMounts"][0]
    assert (mount["name"], mount["mountPath"]) == ("data", "/var/data")
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "data")
    assert volume["persistentVolumeClaim"]["claimName"] == "data-kubia-0"
    lines = book.k.run("get", "pvc").stdout.splitlines()
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {"data-kubia-0", "data-kubia-1"}
    for row in rows.values():
        assert row[1] == "Bound" and row[2] in ("pv-a", "pv-b", "pv-c") and row[3:5] == ["1Mi", "RWO"]
    assert rows["data-kubia-0"][2] != rows["data-kubia-1"][2]


def test_3_and_4_the_pod_proxy_reaches_each_pet(book: Book) -> None:
    base = "/api/v1/namespaces/default/pods/kubia-0/proxy/"
    assert book.get(base) == "You've hit kubia-0\nData stored on this pod: No data posted yet\n"
    # Without the trailing slash the API server redirects to the slash form.
    assert book.get(base.rstrip("/")) == "You've hit kubia-0\nData stored on this pod: No data posted yet\n"
    assert book.post(base, GREETING) == "Data stored on pod kubia-0\n"
    assert book.get(base) == f"You've hit kubia-0\nData stored on this pod: {GREETING}\n"
    assert book.get("/api/v1/namespaces/default/pods/kubia-1/proxy/") == \
        "You've hit kubia-1\nData stored on this pod: No data posted yet\n"
    assert book.k.run("exec", "kubia-0", "--", "hostname").stdout.strip() == "kubia-0"


def test_5_a_deleted_pet_comes_back_with_its_name_and_data(book: Book) -> None:
    old_uid = book.k.json("get", "pod", "kubia-0")["metadata"]["uid"]
    out = book.k.run("delete", "po", "kubia-0").stdout.strip()
    assert out.startswith('pod "kubia-0" deleted')
    _eventually(lambda: book.ready("kubia-0", "kubia-1") and book.k.json("get", "pod", "kubia-0")["metadata"][
        "uid"] != old_uid)
    reply = _eventually(lambda: book.get("/api/v1/namespaces/default/pods/kubia-0/proxy/"))
    assert reply == f"You've hit kubia-0\nData stored on this pod: {GREETING}\n"


def test_6_scaling_removes_the_highest_ordinal_first_and_keeps_claims(book: Book) -> None:
    k = book.k
    k.run("scale", "sts", "kubia", "--replicas=3")
    _eventually(lambda: book.ready("kubia-0", "kubia-1", "kubia-2"))
    watch = k.popen("get", "pods", "-w", "--output-watch-events")
    try:
        time.sleep(0.5)
        k.run("scale", "sts", "kubia", "--replicas=1")
        _eventually(lambda: set(book.pods()) == {"kubia-0"})
    finally:
        watch.terminate()
        events, _ = watch.communicate(timeout=5)
    deleted = [line.split()[1] for line in events.splitlines() if line.startswith("DELETED")]
    assert deleted == ["kubia-2", "kubia-1"]
    claims = {line.split()[0] for line in k.run("get", "pvc").stdout.splitlines()[1:]}
    assert claims == {"data-kubia-0", "data-kubia-1", "data-kubia-2"}
    k.run("scale", "sts", "kubia", "--replicas=2")
    _eventually(lambda: book.ready("kubia-0", "kubia-1"))
    pod = k.json("get", "pod", "kubia-1")
    assert next(v for v in pod["spec"]["volumes"] if v["name"] == "data")["persistentVolumeClaim"][
        "claimName"] == "data-kubia-1"


def test_6b_the_pets_data_survives_a_restart_of_petset(book: Book) -> None:
    before = _eventually(lambda: book.get("/api/v1/namespaces/default/pods/kubia-0/proxy/"))
    assert book.server.stop() == 0
    book.server.start("--nodes", "2", "--node-monitor-grace-period", "3",
                      "--default-unreachable-toleration-seconds", "2")
    # The pods' objects stayed; their containers start again on their volumes.
    _eventually(lambda: book.ready("kubia-0", "kubia-1"), 60)
    claims = {line.split()[0]: line.split()[1] for line in book.k.run("get", "pvc").stdout.splitlines()[1:]}
    assert claims == {"data-kubia-0": "Bound", "data-kubia-1": "Bound", "data-kubia-2": "Bound"}
    assert _eventually(lambda: book.get("/api/v1/namespaces/default/pods/kubia-0/proxy/")) == before


def test_7_the_public_service_proxy_reaches_a_pod(book: Book) -> None:
    assert book.k.run("create", "-f", str(CHAPTER10 / "kubia-service-public.yaml")).stdout.strip() == \
        "service/kubia-public created"
    seen = set()
    for _ in range(20):
        reply = _eventually(lambda: book.get("/api/v1/namespaces/default/services/kubia-public/proxy/"))
        seen.add(reply.splitlines()[0])
    assert seen <= {"You've hit kubia-0", "You've hit kubia-1"} and seen


def test_8_srv_records_name_every_ready_pet(book: Book) -> None:
    answer = book.dns("kubia.default.svc.cluster.local", "SRV")
    records = sorted(str(rr) for rrset in answer.answer for rr in rrset)
    assert records == ["0 50 80 kubia-0.kubia.default.svc.cluster.local.",
                       "0 50 80 kubia-1.kubia.default.svc.cluster.local."]
    additional = {rrset.name.to_text() for rrset in answer.additional}
    assert additional == {"kubia-0.kubia.default.svc.cluster.local.", "kubia-1.kubia.default.svc.cluster.local."}
    missing = book.dns("nope.default.svc.cluster.local", "A")
    assert missing.rcode() == 3 and missing.authority[0].rdtype == dns.rdatatype.SOA
    resolved = book.k.run("exec", "kubia-0", "--", "getent", "hosts", "kubia-1.kubia").stdout
    assert resolved.split()[1] == "kubia-1.kubia.default.svc.cluster.local"


def test_9_the_peers_image_rolls_out_and_lists_the_cluster(book: Book) -> None:
    k = book.k
    watch = k.popen("get", "pods", "-w", "--output-watch-events")
    try:
        time.sleep(0.5)
        out = k.run("apply", "-f", str(CHAPTER10 / "kubia-statefulset-peers.yaml")).stdout.strip()
        assert out == "statefulset.apps/kubia configured"
        # The set was made with apps/v1 (RollingUpdate), so the controller replaces the old pods
        # itself, highest ordinal first (with the book's apps/v1beta1 set it would wait: OnDelete).
        _eventually(lambda: book.ready("kubia-0", "kubia-1", "kubia-2") and all(
            p["spec"]["containers"][0]["image"] == "luksa/kubia-pet-peers" for p in book.pods().values()), 60)
    finally:
        watch.terminate()
        events, _ = watch.communicate(timeout=5)
    deleted = [line.split()[1] for line in events.splitlines() if line.startswith("DELETED")]
    assert deleted == ["kubia-1", "kubia-0"]
    for i in range(3):
        reply = _eventually(lambda i=i: book.post("/api/v1/namespaces/default/services/kubia-public/proxy/",
                                                   f"The sun is shining {i}"))
        assert reply.startswith("Data stored on pod kubia-")
    # The book's pods have no readiness probe: a pet just started may not listen yet, so its line
    # reads as an Error for a moment. The view settles once every program is up.
    view = _eventually(lambda: (v := book.get("/api/v1/namespaces/default/services/kubia-public/proxy/"))
                       and "Error:" not in v and v)
    lines = view.splitlines()
    assert lines[0].startswith("You've hit kubia-") and lines[1] == "Data stored in the cluster:"
    targets = sorted(line.split(":")[0] for line in lines[2:])
    assert targets == [f"- kubia-{i}.kubia.default.svc.cluster.local" for i in range(3)]
    # Each line shows that pet's own data (the POSTs landed on random pets).
    for i in range(3):
        own = _eventually(lambda i=i: book.get(f"/api/v1/namespaces/default/pods/kubia-{i}/proxy/data") or " ")
        assert f"- kubia-{i}.kubia.default.svc.cluster.local: {own}" in lines


def test_10_a_lost_node_keeps_its_pet_until_a_force_delete(book: Book) -> None:
    k = book.k
    node = k.json("get", "pod", "kubia-0")["spec"]["nodeName"]
    stored = book.get("/api/v1/namespaces/default/pods/kubia-0/proxy/data")
    k.run("annotate", "node", node, "petset.io/network=down")
    try:
        _eventually(lambda: k.run("get", "node", node, "--no-headers").stdout.split()[1] == "NotReady")
        _eventually(lambda: k.run("get", "pod", "kubia-0", "--no-headers").stdout.split()[2] == "Unknown")
        uid = k.json("get", "pod", "kubia-0")["metadata"]["uid"]
        k.run("delete", "po", "kubia-0", "--wait=false")
        time.sleep(2)
        assert k.json("get", "pod", "kubia-0")["metadata"]["uid"] == uid
        assert k.run("get", "pod", "kubia-0", "--no-headers").stdout.split()[2] == "Unknown"
        forced = k.run("delete", "po", "kubia-0", "--force", "--grace-period", "0")
        assert "Immediate deletion does not wait for confirmation" in forced.stderr
        assert forced.stdout.strip().startswith('pod "kubia-0" force deleted')
        def replaced() -> dict | None:
            pod = k.json("get", "pod", "kubia-0")
            ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
            return pod if pod["metadata"]["uid"] != uid and ready else None

        replacement = _eventually(replaced)
        assert replacement["spec"]["nodeName"] != node
        reply = _eventually(lambda: book.get("/api/v1/namespaces/default/pods/kubia-0/proxy/data"))
        assert reply == stored
    finally:
        k.run("annotate", "node", node, "petset.io/network-")
    _eventually(lambda: k.run("get", "node", node, "--no-headers").stdout.split()[1] == "Ready")
    # Pets evicted from the lost node are confirmed gone once it is back, and come back themselves.
    _eventually(lambda: book.ready("kubia-0", "kubia-1", "kubia-2"), 60)
