"""The node agent: registers its Node, keeps its Lease, and runs the pods bound to it.

As the kubelet: the Node object carries capacity, addresses, nodeInfo and a Ready condition; a Lease
in kube-node-lease is renewed every 10 s (the node lifecycle controller watches it); one pod worker
per pod reconciles it; on stop, containers end but pod objects stay, for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import platform
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from petset.api import errors
from petset.api.errors import StatusError
from petset.client.connector import ExecStreams, LogOptions
from petset.client.events import EventRecorder
from petset.client.informer import Informer, InformerFactory
from petset.client.interface import Client, resource
from petset.kubelet.logs import read_log
from petset.kubelet.podworker import PodWorker
from petset.kubelet.runtime.base import Runtime, RuntimeError_

__all__ = ["Kubelet"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

LEASE_DURATION = 40
#: ``kubectl annotate node node-1 petset.io/network=down`` cuts the node off; removing it restores it.
NETWORK_ANNOTATION = "petset.io/network"
HEARTBEAT = 10.0
#: Node status is re-sent at least this often even when nothing changed (nodeStatusReportFrequency).
STATUS_REPORT = 60.0




PODS, NODES, LEASES = resource("v1", "pods"), resource("v1", "nodes"), resource("coordination.k8s.io/v1", "leases")
CONFIGMAPS, SECRETS, SERVICES = resource("v1", "configmaps"), resource("v1", "secrets"), resource("v1", "services")
PVCS, PVS = resource("v1", "persistentvolumeclaims"), resource("v1", "persistentvolumes")


def _micro_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _os_image() -> str:
    with contextlib.suppress(OSError), open("/etc/os-release") as f:
        for line in f:
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return platform.platform()


def _memory_kib() -> int:
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    return 0


class _Sources:
    """Volume and environment sources, read from the shared informer caches."""

    def __init__(self, informers: InformerFactory) -> None:
        self._configmaps = informers.get(CONFIGMAPS)
        self._secrets = informers.get(SECRETS)
        self._claims = informers.get(PVCS)
        self._volumes = informers.get(PVS)
        self._services = informers.get(SERVICES)

    def configmap(self, namespace: str, name: str) -> Obj | None:
        return self._configmaps.get(namespace, name)

    def secret(self, namespace: str, name: str) -> Obj | None:
        return self._secrets.get(namespace, name)

    def claim(self, namespace: str, name: str) -> Obj | None:
        return self._claims.get(namespace, name)

    def volume(self, name: str) -> Obj | None:
        return self._volumes.get(None, name)

    def services(self, namespace: str) -> list[Obj]:
        return self._services.list(namespace)


class Kubelet:
    def __init__(self, client: Client, informers: InformerFactory, runtime: Runtime, *, node_name: str,
                 host_ip: str, data_dir: Path, pod_cidr: str | None = None, dns_address: str | None = None,
                 user_catalog: Path | None = None, heartbeat: float = HEARTBEAT) -> None:
        self.client = client
        self.runtime = runtime
        self.node_name = node_name
        self.host_ip = host_ip
        self.data_dir = data_dir
        self.pod_cidr = pod_cidr
        self.dns_address = dns_address
        self.user_catalog = user_catalog
        self.heartbeat = heartbeat
        self.pods_dir = data_dir / "nodes" / node_name / "pods"
        self.pods_rt = PODS
        self.recorder = EventRecorder(client, "kubelet", host=node_name)
        self.sources = _Sources(informers)
        # A pod waiting for its claim to bind starts the moment it does, not at its next retry.
        informers.get(PVCS).add_handlers(on_add=self._claim_changed,
                                         on_update=lambda _, new: self._claim_changed(new))
        self.workers: dict[str, PodWorker] = {}
        self.pod_informer = Informer(client, PODS, field_selector=f"spec.nodeName={node_name}")
        self.pod_informer.add_handlers(on_add=self._observe, on_update=lambda _, new: self._observe(new),
                                       on_delete=self._forget)
        # The node's own object: petset's switch to simulate a node whose network is down.
        self.node_informer = Informer(client, NODES, field_selector=f"metadata.name={node_name}")
        self.node_informer.add_handlers(on_add=self._node_changed, on_update=lambda _, new: self._node_changed(new))
        self.http: aiohttp.ClientSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        #: While set, the node "goes dark": no heartbeats, no status, as if its network were cut.
        self.dark = False
        self._last_status_at = 0.0

    # lifecycle

    async def start(self) -> None:
        self.pods_dir.mkdir(parents=True, exist_ok=True)
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
        await self.runtime.start()
        await self._register()
        self.pod_informer.start()
        self.node_informer.start()
        self._tasks.append(asyncio.create_task(self._heartbeat(), name=f"heartbeat-{self.node_name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.pod_informer.stop()
        await self.node_informer.stop()
        await asyncio.gather(*(w.shutdown() for w in list(self.workers.values())), return_exceptions=True)
        self.workers.clear()
        await self.recorder.stop()
        await self.runtime.stop()
        if self.http is not None:
            await self.http.close()

    def _claim_changed(self, claim: Obj) -> None:
        name = claim["metadata"]["name"]
        namespace = claim["metadata"].get("namespace")
        for worker in self.workers.values():
            pod = worker.pod
            if worker.sandbox is not None or pod is None or pod["metadata"].get("namespace") != namespace:
                continue
            if any((v.get("persistentVolumeClaim") or {}).get("claimName") == name
                   for v in (pod.get("spec") or {}).get("volumes") or []):
                worker.changed.set()

    # the simulated network failure

    def _node_changed(self, node: Obj) -> None:
        dark = (node["metadata"].get("annotations") or {}).get(NETWORK_ANNOTATION) == "down"
        if dark == self.dark:
            return
        self.dark = dark
        log.warning("node %s: network %s (annotation %s)", self.node_name, "down" if dark else "up",
                    NETWORK_ANNOTATION)
        cut = getattr(self.runtime, "set_network", None)
        for worker in list(self.workers.values()):
            if cut is not None and worker.sandbox is not None:
                # Netlink calls block: they run beside the event loop, not in it.
                asyncio.get_running_loop().create_task(asyncio.to_thread(cut, worker.sandbox, up=not dark))
            worker.changed.set()
        if not dark:
            # Back: report at once, as a kubelet does when its network returns.
            asyncio.get_running_loop().create_task(self._rejoin())

    async def _rejoin(self) -> None:
        try:
            await self._register()
        except StatusError as exc:
            log.warning("node %s could not re-register: %s", self.node_name, exc)

    # pods

    def _observe(self, pod: Obj) -> None:
        uid = pod["metadata"]["uid"]
        worker = self.workers.get(uid)
        if worker is None:
            worker = PodWorker(self, pod)
            self.workers[uid] = worker
            worker.start()
        else:
            worker.update(pod)

    def _forget(self, pod: Obj) -> None:
        worker = self.workers.get(pod["metadata"]["uid"])
        if worker is not None:
            worker.update(None)

    def worker_done(self, worker: PodWorker) -> None:
        if self.workers.get(worker.uid) is worker:
            del self.workers[worker.uid]

    def admit(self, pod: Obj, worker: PodWorker) -> tuple[str, str] | None:
        """Node-side admission: a host port another pod of this node holds rejects the pod."""
        wanted = {(p.get("hostPort"), p.get("protocol", "TCP")) for c in (pod.get("spec") or {}).get("containers") or []
                  for p in c.get("ports") or [] if p.get("hostPort")}
        if not wanted:
            return None
        for other in self.workers.values():
            if other is worker or other.pod is None or other.rejected or other.sandbox is None:
                continue
            held = {(p.get("hostPort"), p.get("protocol", "TCP")) for c in (other.pod.get("spec") or {}).get(
                "containers") or [] for p in c.get("ports") or [] if p.get("hostPort")}
            if wanted & held:
                return ("NodePorts", "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports "
                        "for the requested pod ports")
        return None

    def worker_for(self, pod: Obj) -> PodWorker:
        worker = self.workers.get(pod["metadata"].get("uid", ""))
        if worker is None or worker.sandbox is None:
            raise errors.bad_request(f'pod "{pod["metadata"]["name"]}" is not running on node {self.node_name}')
        return worker

    # node object and heartbeat

    def _node_status(self) -> Obj:
        cpu = str(os.cpu_count() or 1)
        memory = f"{_memory_kib()}Ki"
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        def condition(kind: str, status: str, reason: str, message: str) -> Obj:
            return {"type": kind, "status": status, "lastHeartbeatTime": stamp, "lastTransitionTime": stamp,
                    "reason": reason, "message": message}

        resources = {"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "100Gi"}
        return {
            "capacity": resources,
            "allocatable": resources,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory "
                          "available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": self.host_ip},
                          {"type": "Hostname", "address": self.node_name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": platform.release(),
                "osImage": _os_image(), "containerRuntimeVersion": f"petset://0.1.0 ({self.runtime.name})",
                "kubeletVersion": "v1.32.0", "kubeProxyVersion": "", "operatingSystem": "linux",
                "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine()),
            },
        }

    async def _register(self) -> None:
        labels = {"kubernetes.io/hostname": self.node_name, "kubernetes.io/os": "linux",
                  "kubernetes.io/arch": self._node_status()["nodeInfo"]["architecture"],
                  "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch":
                      self._node_status()["nodeInfo"]["architecture"]}
        node: Obj = {"apiVersion": "v1", "kind": "Node",
                     "metadata": {"name": self.node_name, "labels": labels,
                                  "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                                  "petset.io/host": socket.gethostname()}},
                     "spec": {}, "status": self._node_status()}
        if self.pod_cidr:
            node["spec"] = {"podCIDR": self.pod_cidr, "podCIDRs": [self.pod_cidr]}
        try:
            await self.client.create(NODES, None, node)
        except StatusError as exc:
            if exc.code != 409:
                raise
            existing = await self.client.get(NODES, None, self.node_name)
            existing["metadata"].setdefault("labels", {}).update(labels)
            # podCIDR is set once (the API refuses changes); a node keeps its first range's name.
            existing["spec"] = {**node["spec"], **(existing.get("spec") or {})}
            # Nodes coming back clear the taints the node lifecycle controller put while they were away.
            taints = [t for t in existing["spec"].get("taints") or []
                      if not str(t.get("key", "")).startswith("node.kubernetes.io/")]
            if taints:
                existing["spec"]["taints"] = taints
            else:
                existing["spec"].pop("taints", None)
            await self.client.update(NODES, None, existing)
        await self._post_status()
        await self._renew_lease()

    async def _post_status(self) -> None:
        await self.client.patch(NODES, None, self.node_name, {"status": self._node_status()}, patch_type="merge",
                                subresource="status")
        self._last_status_at = asyncio.get_running_loop().time()

    async def _renew_lease(self) -> None:
        spec = {"holderIdentity": self.node_name, "leaseDurationSeconds": LEASE_DURATION, "renewTime": _micro_now()}
        try:
            lease = await self.client.get(LEASES, "kube-node-lease", self.node_name)
        except StatusError as exc:
            if exc.code != 404:
                raise
            node = await self.client.get(NODES, None, self.node_name)
            await self.client.create(LEASES, "kube-node-lease", {
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": self.node_name, "ownerReferences": [
                    {"apiVersion": "v1", "kind": "Node", "name": self.node_name, "uid": node["metadata"]["uid"]}]},
                "spec": spec})
            return
        lease["spec"] = {**(lease.get("spec") or {}), **spec}
        await self.client.update(LEASES, "kube-node-lease", lease)

    async def _heartbeat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.heartbeat)
            if self.dark:
                continue
            try:
                await self._renew_lease()
                if loop.time() - self._last_status_at >= STATUS_REPORT:
                    await self._post_status()
                else:
                    node = await self.client.get(NODES, None, self.node_name)
                    ready = next((c for c in (node.get("status") or {}).get("conditions") or []
                                  if c.get("type") == "Ready"), None)
                    if ready is None or ready.get("status") != "True":
                        await self._post_status()
            except StatusError as exc:
                log.warning("node %s heartbeat failed: %s", self.node_name, exc)

    # what the API server asks of the node (NodeConnector)

    async def logs(self, pod: Obj, options: LogOptions) -> AsyncIterator[bytes]:
        worker = self.workers.get(pod["metadata"].get("uid", ""))
        container = worker.container_for(options.container) if worker is not None else None
        if worker is None or container is None:
            raise errors.bad_request(f'container "{options.container}" in pod "{pod["metadata"]["name"]}" is '
                                     "waiting to start: ContainerCreating")
        count = container.view.restart_count
        if options.previous:
            if count == 0:
                raise errors.bad_request(f'previous terminated container "{options.container}" in pod '
                                         f'"{pod["metadata"]["name"]}" not found')
            count -= 1
        path = worker.directory / "logs" / options.container / f"{count}.log"
        if not path.exists() and count > 0 and not options.previous:
            # Waiting to restart: the log is still the last attempt's, as an exited container's is.
            path = worker.directory / "logs" / options.container / f"{count - 1}.log"
        if not path.exists():
            waiting = container.view.state.get("waiting", {})
            raise errors.bad_request(f'container "{options.container}" in pod "{pod["metadata"]["name"]}" is '
                                     f'waiting to start: {waiting.get("reason", "ContainerCreating")}')
        live = container.log if not options.previous else None
        async for chunk in read_log(path, options, live):
            yield chunk

    async def exec(self, pod: Obj, container_name: str, command: list[str], *, stdin: bool, tty: bool,
                   streams: ExecStreams) -> int:
        worker = self.worker_for(pod)
        container = worker.container_for(container_name)
        if container is None or container.running is None or not container.running.running:
            raise errors.bad_request(f'container {container_name} is not valid for pod {pod["metadata"]["name"]}'
                                     if container is None else "container not found (\"" + container_name + "\")")
        assert worker.sandbox is not None
        env = container.config.env if container.config is not None else {}
        try:
            argv = self.runtime.exec_argv(worker.sandbox, container.running, command, env)
        except RuntimeError_ as exc:
            raise errors.bad_request(exc.message) from None
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)

        async def pump_out(reader: asyncio.StreamReader | None, write: Any) -> None:
            if reader is None:
                return
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                await write(chunk)

        async def pump_in() -> None:
            assert process.stdin is not None
            while True:
                chunk = await streams.read_stdin()
                if not chunk:
                    break
                process.stdin.write(chunk)
                with contextlib.suppress(ConnectionError):
                    await process.stdin.drain()
            with contextlib.suppress(OSError):
                process.stdin.close()

        feeder = asyncio.create_task(pump_in()) if stdin else None
        try:
            await asyncio.gather(pump_out(process.stdout, streams.write_stdout),
                                 pump_out(process.stderr, streams.write_stderr))
            code = await process.wait()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        finally:
            if feeder is not None:
                feeder.cancel()
        return 128 - code if code < 0 else code

    async def open_port(self, pod: Obj, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        worker = self.worker_for(pod)
        assert worker.sandbox is not None
        return await asyncio.open_connection(self.runtime.reachable_address(worker.sandbox), port)

    def pod_address(self, pod: Obj) -> str | None:
        worker = self.workers.get(pod["metadata"].get("uid", ""))
        if worker is None or worker.sandbox is None:
            return None
        return self.runtime.reachable_address(worker.sandbox)
