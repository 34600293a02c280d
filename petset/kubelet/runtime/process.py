"""The process runtime (any user, no privileges): containers are plain processes on the host network.

Each pod gets its own loopback address (127.77.<node>.<n>), given to the program as POD_IP; petset's
built-in images listen on it and read their data directory, hostname and DNS server from the
overrides the catalog names (petset.images.overrides). A program that ignores them shares the host's
hostname, ports and filesystem: that is the documented price of running without privileges.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from petset.kubelet.runtime.base import ContainerConfig, RunningContainer, RuntimeError_, Sandbox

__all__ = ["ProcessRuntime"]


class ProcessRuntime:
    name = "process"

    def __init__(self, *, node_index: int) -> None:
        self.node_index = node_index
        self._used: set[int] = set()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def create_sandbox(self, pod: dict[str, Any], directory: Path) -> Sandbox:
        meta = pod["metadata"]
        spec = pod.get("spec") or {}
        host = next((n for n in range(2, 255 * 250) if n not in self._used), None)
        if host is None:
            raise RuntimeError_("FailedCreatePodSandBox", "no loopback address left for the pod")
        self._used.add(host)
        ip = f"127.77.{self.node_index * 4 + host // 254}.{host % 254 + 1}"
        directory.mkdir(parents=True, exist_ok=True)
        sandbox = Sandbox(pod_uid=meta["uid"], name=meta["name"], namespace=meta.get("namespace", "default"),
                          hostname=spec.get("hostname") or meta["name"], ip=ip, directory=directory)
        sandbox.extra["host"] = host
        return sandbox

    async def remove_sandbox(self, sandbox: Sandbox) -> None:
        self._used.discard(sandbox.extra.get("host", -1))

    async def start_container(self, sandbox: Sandbox, config: ContainerConfig) -> RunningContainer:
        cwd = config.working_dir if config.working_dir and Path(config.working_dir).is_dir() else None
        try:
            process = await asyncio.create_subprocess_exec(
                *config.argv, env=config.env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise RuntimeError_("StartError", f'failed to create containerd task: exec: "{config.argv[0]}": '
                                f"{exc.strerror}") from exc
        return RunningContainer(process, app_pid=process.pid)

    def exec_argv(self, sandbox: Sandbox, container: RunningContainer, argv: list[str],
                  env: dict[str, str]) -> list[str]:
        if not container.running:
            raise RuntimeError_("ContainerNotRunning", "container not running")
        return ["env", "-i", *[f"{k}={v}" for k, v in env.items()], *argv]

    def reachable_address(self, sandbox: Sandbox) -> str:
        return sandbox.ip
