"""The container runtime interface of the node agent: sandboxes (a pod's shared network and identity)
and containers (processes) in them. Three runtimes implement it: Linux namespaces, plain processes,
and a simulation without processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["ContainerConfig", "Mount", "RunningContainer", "Runtime", "RuntimeError_", "Sandbox"]


class RuntimeError_(Exception):
    """A container or sandbox could not be made; the message is shown in the pod's status."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Mount:
    host_path: str
    container_path: str
    read_only: bool = False


@dataclass
class ContainerConfig:
    name: str
    argv: list[str]
    env: dict[str, str]
    working_dir: str | None = None
    mounts: list[Mount] = field(default_factory=list)
    #: Files the image adds to the filesystem (directories laid over the host's root), if any.
    layers: list[str] = field(default_factory=list)
    stop_signal: int = signal.SIGTERM


@dataclass
class Sandbox:
    """What the containers of one pod share: hostname, IP address, /etc files, a state directory."""

    pod_uid: str
    name: str
    namespace: str
    hostname: str
    ip: str
    directory: Path
    #: The network namespace's name (namespaces runtime only).
    netns: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RunningContainer:
    """A started container: its process, its output streams, and how to stop it."""

    def __init__(self, process: asyncio.subprocess.Process | None, *, app_pid: int | None = None) -> None:
        self.process = process
        self._app_pid = app_pid
        self._done: asyncio.Future[int] | None = None

    @property
    def pid(self) -> int | None:
        """The host PID of the container's own process (inside wrappers), when known."""
        if self._app_pid is not None:
            return self._app_pid
        if self.process is None:
            return None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError, ValueError):
            listed = children.read_text().split()
            if listed:
                self._app_pid = int(listed[0])
                return self._app_pid
        return self.process.pid

    @property
    def stdout(self) -> asyncio.StreamReader | None:
        return self.process.stdout if self.process else None

    @property
    def stderr(self) -> asyncio.StreamReader | None:
        return self.process.stderr if self.process else None

    async def wait(self) -> int:
        """The exit code; a death by signal N reads as 128+N, as container runtimes report it."""
        if self.process is None:
            if self._done is None:
                self._done = asyncio.get_running_loop().create_future()
            return await self._done
        code = await self.process.wait()
        return 128 - code if code < 0 else code

    def finish(self, code: int) -> None:
        """End a process-less (simulated) container."""
        if self._done is None:
            self._done = asyncio.get_running_loop().create_future()
        if not self._done.done():
            self._done.set_result(code)

    def send_signal(self, sig: int) -> None:
        if self.process is None:
            if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
                self.finish(128 + sig)
            return
        if self.process.returncode is not None:
            return
        target = self.pid
        with contextlib.suppress(ProcessLookupError, TypeError):
            if target is not None:
                os.kill(target, sig)
        if sig == signal.SIGKILL:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    @property
    def running(self) -> bool:
        if self.process is None:
            return self._done is None or not self._done.done()
        return self.process.returncode is None


class Runtime(Protocol):
    name: str

    async def start(self) -> None:
        """Prepare the node (network bridge, ...)."""
        ...

    async def stop(self) -> None:
        """Undo ``start``: nothing of the runtime is left on the machine."""
        ...

    async def create_sandbox(self, pod: dict[str, Any], directory: Path) -> Sandbox: ...

    async def remove_sandbox(self, sandbox: Sandbox) -> None: ...

    async def start_container(self, sandbox: Sandbox, config: ContainerConfig) -> RunningContainer: ...

    def exec_argv(self, sandbox: Sandbox, container: RunningContainer, argv: list[str],
                  env: dict[str, str]) -> list[str]:
        """The host command that runs ``argv`` inside the container (for exec and exec probes)."""
        ...

    def reachable_address(self, sandbox: Sandbox) -> str:
        """The address this machine uses to reach the pod (its IP)."""
        ...
