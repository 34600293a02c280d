"""The simulated runtime (as kwok): containers "run" without any process, for scale tests of the
control plane with thousands of pods. Probes pass; exec and port-forward are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from petset.kubelet.runtime.base import ContainerConfig, RunningContainer, RuntimeError_, Sandbox

__all__ = ["SimulatedRuntime"]


class SimulatedRuntime:
    name = "simulated"

    def __init__(self, *, node_index: int) -> None:
        self.node_index = node_index
        self._next = 2

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def create_sandbox(self, pod: dict[str, Any], directory: Path) -> Sandbox:
        meta = pod["metadata"]
        spec = pod.get("spec") or {}
        n = self._next
        self._next += 1
        ip = f"10.{240 + self.node_index % 16}.{(n // 254) % 256}.{n % 254 + 1}"
        return Sandbox(pod_uid=meta["uid"], name=meta["name"], namespace=meta.get("namespace", "default"),
                       hostname=spec.get("hostname") or meta["name"], ip=ip, directory=directory)

    async def remove_sandbox(self, sandbox: Sandbox) -> None:
        return None

    async def start_container(self, sandbox: Sandbox, config: ContainerConfig) -> RunningContainer:
        return RunningContainer(None)

    def exec_argv(self, sandbox: Sandbox, container: RunningContainer, argv: list[str],
                  env: dict[str, str]) -> list[str]:
        raise RuntimeError_("NotSupported", "the simulated runtime runs no processes: exec is not possible")

    def reachable_address(self, sandbox: Sandbox) -> str:
        return sandbox.ip
