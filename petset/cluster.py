"""Assembles petset's components into one running cluster: what ``petset up`` starts.

The data dir holds everything that must survive a restart: the store, the TLS material, the
access token and the kubeconfig. A lock file keeps two servers off one data dir.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import hashlib
import os
import secrets
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import yaml

from petset.apiserver.certs import ensure_certs
from petset.apiserver.server import APIServer
from petset.client.local import LocalClient
from petset.cluster_errors import AlreadyRunning
from petset.registry.registry import Registry
from petset.storage.sqlite import SqliteStore

if TYPE_CHECKING:
    # Imported when started, after the API server listens: kubectl is served a few hundred
    # milliseconds sooner than if every component's modules were loaded first.
    from petset.client.informer import InformerFactory
    from petset.controllers.manager import ControllerManager
    from petset.dns.server import DNSServer
    from petset.kubelet.agent import Kubelet
    from petset.kubelet.runtime.hostnet import HostNetwork

__all__ = ["AlreadyRunning", "Cluster", "ClusterConfig", "merge_kubeconfig"]

CONTEXT = "petset"


@dataclass
class ClusterConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 6443
    nodes: int = 1
    #: namespaces, process, simulated, or auto (namespaces when this machine allows it).
    runtime: str = "auto"
    #: Port of the cluster DNS on 127.0.0.1 (0: any free port; the address is written to the data dir).
    dns_port: int = 0
    #: Extra settings for components (tests shorten timings through these).
    options: dict[str, Any] = field(default_factory=dict)


def _has_capabilities(*bits: int) -> bool:
    """Whether this process holds these capabilities (by number) in its effective set."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    effective = int(line.split()[1], 16)
                    return all(effective >> bit & 1 for bit in bits)
    except (OSError, ValueError):
        pass
    return os.geteuid() == 0


def namespaces_supported() -> tuple[bool, str]:
    """Whether the namespaces runtime can run here, and if not, why."""
    import shutil

    if not _has_capabilities(12, 21):
        return False, "it needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN)"
    for tool in ("nsenter", "unshare"):
        if shutil.which(tool) is None:
            return False, f"util-linux's {tool} is missing"
    try:
        with open("/proc/filesystems") as f:
            if "overlay" not in f.read():
                return False, "the kernel has no overlay filesystem"
    except OSError:
        return False, "/proc/filesystems is unreadable"
    return True, ""


def _read_or_create_token(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token)
    return token


def kubeconfig_document(server: str, ca_pem: bytes, token: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": {
            "server": server, "certificate-authority-data": base64.b64encode(ca_pem).decode()}}],
        "users": [{"name": f"{CONTEXT}-admin", "user": {"token": token}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": f"{CONTEXT}-admin",
                                                   "namespace": "default"}}],
        "current-context": CONTEXT,
        "preferences": {},
    }


def merge_kubeconfig(target: Path, doc: dict[str, Any]) -> None:
    """Put the petset cluster, user and context into ``target``, replacing earlier petset entries."""
    existing: dict[str, Any] = {}
    if target.exists():
        existing = yaml.safe_load(target.read_text()) or {}
    for section in ("clusters", "users", "contexts"):
        mine = doc[section]
        names = {entry["name"] for entry in mine}
        existing[section] = [e for e in existing.get(section) or [] if e.get("name") not in names] + mine
    existing.setdefault("apiVersion", "v1")
    existing.setdefault("kind", "Config")
    existing["current-context"] = CONTEXT
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".petset-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(existing, f, sort_keys=False)
    os.replace(tmp, target)


class Cluster:
    def __init__(self, config: ClusterConfig) -> None:
        self.config = config
        self.data_dir = config.data_dir
        self._lock: IO[str] | None = None
        self.store: SqliteStore | None = None
        self.registry: Registry | None = None
        self.apiserver: APIServer | None = None
        self.controllers: ControllerManager | None = None
        self.network: HostNetwork | None = None
        self.kubelets: list[Kubelet] = []
        self.dns: list[DNSServer] = []
        self.runtime_name = ""
        self._node_informers: InformerFactory | None = None
        self._dns_informers: InformerFactory | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self.started_in: float = 0.0

    @property
    def kubeconfig_path(self) -> Path:
        return self.data_dir / "kubeconfig"

    def _acquire_lock(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.data_dir / "petset.lock"
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the server's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunning(f"petset is already running on data dir {self.data_dir} ({holder})") from None
        self._lock = handle

    def _record_lock_holder(self, url: str) -> None:
        assert self._lock is not None
        self._lock.seek(0)
        self._lock.truncate()
        self._lock.write(f"pid {os.getpid()}, serving {url}")
        self._lock.flush()

    async def start(self) -> None:
        started = time.perf_counter()
        self._acquire_lock()
        try:
            certs = ensure_certs(self.data_dir / "pki")
            token = _read_or_create_token(self.data_dir / "token")
            self.store = SqliteStore(self.data_dir / "state.db")
            self.registry = Registry(
                self.store,
                not_ready_toleration_seconds=int(self.config.options.get("default_not_ready_toleration_seconds", 300)),
                unreachable_toleration_seconds=int(self.config.options.get("default_unreachable_toleration_seconds",
                                                                           300)))
            await self.registry.start()
            self.apiserver = APIServer(self.registry, token=token, host=self.config.host, port=self.config.port,
                                       ssl_context=certs.server_context())
            await self.apiserver.start()
            doc = kubeconfig_document(self.apiserver.url, certs.ca_cert.read_bytes(), token)
            fd = os.open(self.kubeconfig_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                yaml.safe_dump(doc, f, sort_keys=False)
            self._record_lock_holder(self.apiserver.url)
            # From here kubectl is served; the components come up behind the API.
            from petset.controllers.manager import ControllerManager

            identity = f"{socket.gethostname()}_{hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]}"
            self.controllers = ControllerManager(LocalClient(self.registry, user_agent="kube-controller-manager"),
                                                 options={**self.config.options, "data_dir": self.data_dir,
                                                          "identity": identity})
            await self.controllers.start()
            await self._start_nodes_and_dns()
            self._tasks.append(asyncio.create_task(self.store.run_compactor(), name="compactor"))
            self.apiserver.ready = True
        except BaseException:
            await self.stop()
            raise
        self.started_in = time.perf_counter() - started

    def _runtime_kind(self) -> str:
        wanted = self.config.runtime
        if wanted == "auto":
            ok, _ = namespaces_supported()
            return "namespaces" if ok else "process"
        if wanted == "namespaces":
            ok, why = namespaces_supported()
            if not ok:
                raise RuntimeError(f"the namespaces runtime cannot run here: {why} (try --runtime process)")
        return wanted

    async def _start_nodes_and_dns(self) -> None:
        """The cluster DNS, then one node agent per node, each with its pod address range."""
        from petset.client.informer import InformerFactory
        from petset.dns.server import DNSServer
        from petset.kubelet.agent import Kubelet
        from petset.kubelet.connector import LocalNodes
        from petset.kubelet.runtime.base import Runtime
        from petset.kubelet.runtime.hostnet import HostNetwork
        from petset.kubelet.runtime.namespaces import NamespacesRuntime
        from petset.kubelet.runtime.process import ProcessRuntime
        from petset.kubelet.runtime.simulated import SimulatedRuntime

        assert self.registry is not None and self.apiserver is not None
        kind = self._runtime_kind()
        self.runtime_name = kind
        client = LocalClient(self.registry, user_agent="kubelet")
        self._dns_informers = InformerFactory(LocalClient(self.registry, user_agent="coredns"))
        host_dns = DNSServer(self._dns_informers, host="127.0.0.1", port=self.config.dns_port)
        await host_dns.start()
        self.dns.append(host_dns)
        (self.data_dir / "dns-address").write_text(f"127.0.0.1:{host_dns.port}\n")
        pod_dns = f"127.0.0.1:{host_dns.port}"
        if kind == "namespaces":
            self.network = HostNetwork()
            await asyncio.to_thread(self.network.start)
            bridge_dns = DNSServer(self._dns_informers, host=self.network.gateway, port=53)
            await bridge_dns.start()
            self.dns.append(bridge_dns)
            pod_dns = self.network.gateway
        self._node_informers = InformerFactory(client)
        for index in range(1, self.config.nodes + 1):
            runtime: Runtime
            if kind == "namespaces":
                assert self.network is not None
                runtime = NamespacesRuntime(self.network, node_index=index, data_dir=self.data_dir,
                                            nameserver=self.network.gateway)
                host_ip = self.network.gateway
                cidr = self.network.node_cidr(index)
            elif kind == "process":
                runtime = ProcessRuntime(node_index=index, data_dir=self.data_dir)
                host_ip, cidr = "127.0.0.1", f"127.{77 + index}.0.0/16"
            else:
                runtime = SimulatedRuntime(node_index=index)
                host_ip, cidr = "127.0.0.1", None
            kubelet = Kubelet(client, self._node_informers, runtime, node_name=f"node-{index}", host_ip=host_ip,
                              data_dir=self.data_dir, pod_cidr=cidr, dns_address=pod_dns,
                              user_catalog=self.config.options.get("image_catalog"),
                              # The Lease is renewed well within the grace period (upstream: 10 s of 50 s).
                              heartbeat=min(10.0, float(self.config.options.get("node_monitor_grace_period", 50))
                                            / 5))
            self.kubelets.append(kubelet)
        self._node_informers.start()
        await self._node_informers.wait_synced()
        for kubelet in self.kubelets:
            await kubelet.start()
        self.apiserver.connector = LocalNodes(self.kubelets)

    async def stop(self) -> None:
        for kubelet in self.kubelets:
            with contextlib.suppress(Exception):
                await kubelet.stop()
        self.kubelets.clear()
        if self._node_informers is not None:
            await self._node_informers.stop()
            self._node_informers = None
        for server in self.dns:
            with contextlib.suppress(Exception):
                await server.stop()
        self.dns.clear()
        if self._dns_informers is not None:
            await self._dns_informers.stop()
            self._dns_informers = None
        if self.network is not None:
            await asyncio.to_thread(self.network.stop)
            self.network = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.controllers is not None:
            await self.controllers.stop()
            self.controllers = None
        if self.apiserver is not None:
            await self.apiserver.stop()
            self.apiserver = None
        if self.registry is not None:
            self.registry.stop()
            self.registry = None
        if self.store is not None:
            await self.store.close()
            self.store = None
        if self._lock is not None:
            self._lock.seek(0)
            self._lock.truncate()
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None
