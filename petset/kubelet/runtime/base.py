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
    """A started container: its process, its output streams, and how to stop it.

    Signals go through pidfds: a process that has exited and been reaped can never be confused
    with a new one that got its PID, however late a stop signal comes.
    """

    def __init__(self, process: asyncio.subprocess.Process | None, *, app_pid: int | None = None) -> None:
        self.process = process
        self._done: asyncio.Future[int] | None = None
        self._process_fd = _pidfd(process.pid) if process is not None else None
        self._app_pid: int | None = None
        self._app_fd: int | None = None
        if app_pid is not None:
            self._app_pid, self._app_fd = app_pid, _pidfd(app_pid)

    def _find_app(self) -> None:
        """The program inside the namespace wrappers: the wrapper's first child."""
        if self._app_fd is not None or self.process is None:
            return
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(children.read_text().split()[0])
            fd = _pidfd(pid)
            # Still the wrapper's child once the pidfd is open: the fd is that process's.
            if fd is not None and str(pid) in children.read_text().split():
                self._app_pid, self._app_fd = pid, fd
            elif fd is not None:
                os.close(fd)

    @property
    def pid(self) -> int | None:
        """The host PID of the container's own process (inside wrappers), when known."""
        self._find_app()
        if self._app_pid is not None:
            return self._app_pid
        return self.process.pid if self.process is not None else None

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
        self._close()
        return 128 - code if code < 0 else code

    def _close(self) -> None:
        for fd in (self._app_fd, self._process_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._app_fd = self._process_fd = None

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
        self._find_app()
        target = self._app_fd if self._app_fd is not None else self._process_fd
        if target is not None:
            with contextlib.suppress(ProcessLookupError, OSError):
                signal.pidfd_send_signal(target, sig)
        if sig == signal.SIGKILL and self._process_fd is not None:
            with contextlib.suppress(ProcessLookupError, OSError):
                signal.pidfd_send_signal(self._process_fd, sig)

    @property
    def running(self) -> bool:
        if self.process is None:
            return self._done is None or not self._done.done()
        return self.process.returncode is None


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None


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
