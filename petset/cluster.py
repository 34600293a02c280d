"""Assembles petset's components into one running cluster: what ``petset up`` starts.

The data dir holds everything that must survive a restart: the store, the TLS material, the
access token and the kubeconfig. A lock file keeps two servers off one data dir.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from petset.apiserver.certs import ensure_certs
from petset.apiserver.server import APIServer
from petset.client.local import LocalClient
from petset.controllers.manager import ControllerManager
from petset.registry.registry import Registry
from petset.storage.sqlite import SqliteStore

__all__ = ["AlreadyRunning", "Cluster", "ClusterConfig", "merge_kubeconfig"]

CONTEXT = "petset"


class AlreadyRunning(Exception):
    pass


@dataclass
class ClusterConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 6443
    nodes: int = 1
    #: Extra settings for components (tests shorten timings through these).
    options: dict[str, Any] = field(default_factory=dict)


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
            self.registry = Registry(self.store)
            await self.registry.start()
            self.apiserver = APIServer(self.registry, token=token, host=self.config.host, port=self.config.port,
                                       ssl_context=certs.server_context())
            await self.apiserver.start()
            self.controllers = ControllerManager(LocalClient(self.registry, user_agent="kube-controller-manager"),
                                                 options=self.config.options)
            await self.controllers.start()
            self._tasks.append(asyncio.create_task(self.store.run_compactor(), name="compactor"))
            doc = kubeconfig_document(self.apiserver.url, certs.ca_cert.read_bytes(), token)
            fd = os.open(self.kubeconfig_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                yaml.safe_dump(doc, f, sort_keys=False)
            self._record_lock_holder(self.apiserver.url)
        except BaseException:
            await self.stop()
            raise
        self.started_in = time.perf_counter() - started

    async def stop(self) -> None:
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
