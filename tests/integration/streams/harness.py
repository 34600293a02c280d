"""A real petset API server in a background thread, with a fake NodeConnector and fake pod servers.

The seam (``NodeConnector``) is what's faked: exec runs the command as a local subprocess, a pod's
ports are small HTTP servers on 127.0.0.1. Everything above it (the API server, its protocols, and
the clients: real kubectl binaries and the official Python client) is real. The server runs in its
own thread and event loop so that tests can block on kubectl subprocesses.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from petset.apiserver.certs import ensure_certs
from petset.apiserver.server import APIServer
from petset.client.connector import ExecStreams, LogOptions, TerminalSize
from petset.registry.registry import Registry
from petset.storage.sqlite import SqliteStore
from tests.support.kubectl import Kubectl


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PodServer:
    """What listens on one port of a fake pod: names the pod and echoes the request it got.

    ``/raw`` answers without a Content-Type (the proxy must not invent one); everything else answers
    ``text/plain`` with ``You've hit <pod>`` and the request line and body.
    """

    pod: str
    port: int = 0
    received: list[Received] = field(default_factory=list)
    server: asyncio.Server | None = None

    async def start(self) -> PodServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self.server.sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            if not line:
                return
            method, target, _ = line.decode().split(" ", 2)
            headers: dict[str, str] = {}
            while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
                key, _, value = raw.decode().partition(":")
                headers[key.strip().lower()] = value.strip()
            body = b""
            if "content-length" in headers:
                body = await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                while size := int((await reader.readline()).strip() or b"0", 16):
                    body += await reader.readexactly(size)
                    await reader.readline()
                await reader.readline()
            self.received.append(Received(method, target, headers, body))
            if target.startswith("/raw"):
                payload = b"\x00raw bytes, no type\xff"
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(payload)}\r\nX-Pod: {self.pod}\r\n"
            else:
                payload = f"You've hit {self.pod}\n{method} {target}\n".encode() + body
                head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        f"Content-Length: {len(payload)}\r\nX-Pod: {self.pod}\r\n"
                        "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n")
            writer.write(head.encode() + b"Connection: close\r\n\r\n" + payload)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


class FakeNodeConnector:
    """The NodeConnector seam, faked: commands run as local subprocesses, pod ports are PodServers."""

    def __init__(self) -> None:
        self.execs: list[dict[str, Any]] = []
        self.resizes: list[TerminalSize] = []
        self.processes: set[asyncio.subprocess.Process] = set()

    def logs(self, pod: dict[str, Any], options: LogOptions) -> Any:
        raise NotImplementedError

    async def exec(self, pod: dict[str, Any], container: str, command: list[str], *, stdin: bool, tty: bool,
                   streams: ExecStreams) -> int:
        self.execs.append({"pod": pod["metadata"]["name"], "container": container, "command": command,
                           "stdin": stdin, "tty": tty})
        if tty:
            # A terminal's first size comes right after the upgrade; a runtime would size its pty with it.
            size = await asyncio.wait_for(streams.next_resize(), 10)
            if size is not None:
                self.resizes.append(size)
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
        self.processes.add(process)

        async def feed() -> None:
            assert process.stdin is not None
            try:
                while chunk := await streams.read_stdin():
                    process.stdin.write(chunk)
                    await process.stdin.drain()
            except ConnectionError:
                pass
            finally:
                process.stdin.close()

        async def copy(source: asyncio.StreamReader | None, write: Any) -> None:
            assert source is not None
            while chunk := await source.read(65536):
                await write(chunk)

        feeding = asyncio.create_task(feed()) if stdin else None
        try:
            await asyncio.gather(copy(process.stdout, streams.write_stdout),
                                 copy(process.stderr, streams.write_stderr))
            return await process.wait()
        finally:
            if feeding is not None:
                feeding.cancel()
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
            self.processes.discard(process)

    async def attach(self, pod: dict[str, Any], container: str, *, stdin: bool, tty: bool,
                     streams: ExecStreams) -> None:
        """The container's main process, faked: it greets, then shouts back each line of stdin until EOF."""
        await streams.write_stdout(f"attached to {container}\n".encode())
        await streams.write_stderr(b"to stderr\n")
        while stdin and (chunk := await streams.read_stdin()):
            await streams.write_stdout(chunk.upper())

    async def open_port(self, pod: dict[str, Any], port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        declared = {p["containerPort"] for c in pod["spec"]["containers"] for p in c.get("ports") or []}
        if port not in declared:
            raise ConnectionRefusedError(f"dial tcp4 127.0.0.1:{port}: connect: connection refused")
        return await asyncio.open_connection("127.0.0.1", port)

    def pod_address(self, pod: dict[str, Any]) -> str | None:
        return "127.0.0.1" if (pod.get("status") or {}).get("podIP") else None


class StreamsCluster:
    """The API server (TLS, bearer token) over a fresh SQLite registry, running in a thread of its own."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.token = secrets.token_hex(16)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="apiserver", daemon=True)
        self.connector = FakeNodeConnector()
        self.pod_servers: list[PodServer] = []
        self._store: SqliteStore | None = None
        self._registry: Registry | None = None
        self._server: APIServer | None = None
        self.url = ""

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> StreamsCluster:
        self.thread.start()
        self.call(self._start())
        self._write_kubeconfig()
        return self

    async def _start(self) -> None:
        self._store = SqliteStore(self.directory / "state.db")
        self._registry = Registry(self._store)
        await self._registry.start()
        certs = ensure_certs(self.directory / "pki")
        self.ca_file = certs.ca_cert
        self._server = APIServer(self._registry, token=self.token, port=0, ssl_context=certs.server_context(),
                                 connector=self.connector)
        await self._server.start()
        self.url = self._server.url

    def stop(self) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    async def _stop(self) -> None:
        for pod_server in self.pod_servers:
            await pod_server.stop()
        for process in list(self.connector.processes):
            if process.returncode is None:
                process.kill()
                await process.wait()
        if self._server is not None:
            await self._server.stop()
        if self._registry is not None:
            self._registry.stop()
        if self._store is not None:
            await self._store.close()

    # clients

    @property
    def kubeconfig(self) -> Path:
        return self.directory / "kubeconfig"

    def _write_kubeconfig(self) -> None:
        doc = {"apiVersion": "v1", "kind": "Config", "current-context": "streams",
               "clusters": [{"name": "streams", "cluster": {"server": self.url,
                                                             "certificate-authority": str(self.ca_file)}}],
               "users": [{"name": "streams", "user": {"token": self.token}}],
               "contexts": [{"name": "streams", "context": {"cluster": "streams", "user": "streams"}}]}
        self.kubeconfig.write_text(yaml.safe_dump(doc))

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=self.ssl_context(), timeout=10) as response:
            return json.loads(response.read())

    def kubectl(self, binary: str, cache_dir: Path) -> Kubectl:
        return Kubectl(binary, self.kubeconfig, cache_dir)

    # objects

    def pod_server(self, pod: str) -> PodServer:
        pod_server = self.call(PodServer(pod).start())
        self.pod_servers.append(pod_server)
        return pod_server

    def create_pod(self, name: str, *, ports: list[tuple[str, int]] = (), labels: dict[str, str] | None = None,
                   node: str | None = "node-1", containers: int = 1, state: str = "running", ready: bool = True,
                   phase: str = "Running") -> dict[str, Any]:
        """A pod through the API: spec.nodeName set at creation, then its status as a kubelet would report it."""
        names = ["main"] if containers == 1 else [f"c{i}" for i in range(containers)]
        spec: dict[str, Any] = {"containers": [
            {"name": n, "image": "busybox",
             "ports": [{"name": p, "containerPort": number} for p, number in ports] if i == 0 else []}
            for i, n in enumerate(names)]}
        if node:
            spec["nodeName"] = node
        pod = self.api("POST", "/api/v1/namespaces/default/pods",
                       {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {}},
                        "spec": spec})
        if node is None:
            return pod
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        states = {"running": {"running": {"startedAt": now}},
                  "waiting": {"waiting": {"reason": "CrashLoopBackOff"}},
                  "terminated": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
        pod["status"] = {
            "phase": phase, "podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}], "hostIP": "127.0.0.1",
            "startTime": now,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": now}],
            "containerStatuses": [{"name": n, "ready": ready and state == "running", "restartCount": 0,
                                   "image": "busybox", "imageID": "", "state": states[state]} for n in names]}
        return self.api("PUT", f"/api/v1/namespaces/default/pods/{name}/status", pod)

    def delete_pod(self, name: str) -> None:
        try:
            self.api("DELETE", f"/api/v1/namespaces/default/pods/{name}", {"gracePeriodSeconds": 0})
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise


class Background:
    """A long-running kubectl (port-forward, proxy): waits for its ready line, ends it at exit."""

    def __init__(self, kubectl: Kubectl, *args: str, ready: str, env: dict[str, str] | None = None) -> None:
        environment = kubectl.env()
        environment.update(env or {})
        self.process = subprocess.Popen([kubectl.binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=environment)
        self.lines: list[str] = []
        assert self.process.stdout is not None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if ready in line:
                return
        self.stop()
        raise AssertionError(f"kubectl {' '.join(args)} did not get ready: {self.lines} {self.stderr}")

    stderr = ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.stderr = self.process.stderr.read()
            self.process.stderr.close()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
