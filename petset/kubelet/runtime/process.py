"""The process runtime (any user, no privileges): containers share the host's network.

Each pod gets its own loopback address (127.<77+node>.<n>.<m>), given to the program as POD_IP; petset's
built-in images listen on it. Where the kernel lets this user make user namespaces (most do), each
container still gets its own hostname, PID namespace and overlay root with its volumes mounted at
their mountPath, through ``unshare --user --map-root-user``: only the network is shared. Elsewhere
containers are plain processes, and the built-in images find their volumes, hostname and DNS server
through the overrides the catalog names (petset.images.overrides). Either way a pod's resolv.conf
cannot name petset's DNS (port 53 needs privileges): the built-in images are told where it is.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from petset.kubelet.runtime.base import ContainerConfig, RunningContainer, RuntimeError_, Sandbox
from petset.kubelet.runtime.launch import launch, precompile, user_namespaces_work
from petset.kubelet.runtime.namespaces import pod_etc_files

__all__ = ["ProcessRuntime"]


class ProcessRuntime:
    name = "process"
    shares_host_network = True

    def __init__(self, *, node_index: int, data_dir: Path, cluster_domain: str = "cluster.local") -> None:
        self.node_index = node_index
        self.data_dir = data_dir
        self.cluster_domain = cluster_domain
        self._used: set[int] = set()
        #: Containers get their own mounts, hostname and PIDs through user namespaces.
        self.isolates_filesystem = False

    async def start(self) -> None:
        self.isolates_filesystem = await asyncio.to_thread(user_namespaces_work)
        await asyncio.to_thread(precompile)

    async def stop(self) -> None:
        return None

    async def create_sandbox(self, pod: dict[str, Any], directory: Path) -> Sandbox:
        meta = pod["metadata"]
        spec = pod.get("spec") or {}
        host = next((n for n in range(1, 254 * 64) if n not in self._used), None)
        if host is None:
            raise RuntimeError_("FailedCreatePodSandBox", "no loopback address left for the pod")
        self._used.add(host)
        ip = f"127.{77 + self.node_index}.{host // 254}.{host % 254 + 1}"
        directory.mkdir(parents=True, exist_ok=True)
        sandbox = Sandbox(pod_uid=meta["uid"], name=meta["name"], namespace=meta.get("namespace", "default"),
                          hostname=spec.get("hostname") or meta["name"], ip=ip, directory=directory)
        sandbox.extra["host"] = host
        if self.isolates_filesystem:
            sandbox.extra["files"] = pod_etc_files(pod, ip, directory, nameserver="127.0.0.1",
                                                   cluster_domain=self.cluster_domain)
        return sandbox

    async def remove_sandbox(self, sandbox: Sandbox) -> None:
        self._used.discard(sandbox.extra.get("host", -1))

    async def start_container(self, sandbox: Sandbox, config: ContainerConfig) -> RunningContainer:
        if self.isolates_filesystem:
            prefix = ["unshare", "--user", "--map-root-user", "--uts", "--mount", "--pid", "--fork", "--kill-child"]
            return await launch(prefix, sandbox, config, hide=[str(self.data_dir)])
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
        env_args = ["env", "-i", *[f"{k}={v}" for k, v in env.items()], *argv]
        if self.isolates_filesystem:
            return ["nsenter", f"--target={container.pid}", "--user", "--preserve-credentials", "--mount", "--uts",
                    "--pid", "--root", "--wd",
                    "--", *env_args]
        return env_args

    def reachable_address(self, sandbox: Sandbox) -> str:
        return sandbox.ip
