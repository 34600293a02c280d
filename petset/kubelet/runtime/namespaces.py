"""The Linux namespaces runtime (root): each pod gets a network namespace with its own IP on the
petset bridge and its own hostname; each container its own mount, UTS and PID namespaces, an overlay
root with its volumes bind-mounted at their mountPath, and /etc/hosts and /etc/resolv.conf of the pod.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

from petset.kubelet.runtime.base import ContainerConfig, RunningContainer, RuntimeError_, Sandbox
from petset.kubelet.runtime.hostnet import NETNS_DIR, HostNetwork
from petset.kubelet.runtime.launch import launch, precompile

__all__ = ["NamespacesRuntime", "pod_etc_files"]

def pod_etc_files(pod: dict[str, Any], ip: str, directory: Path, *, nameserver: str, cluster_domain: str) -> dict[
        str, str]:
    """Write the pod's /etc/hosts, /etc/resolv.conf and /etc/hostname as the kubelet does."""
    meta, spec = pod["metadata"], pod.get("spec") or {}
    namespace = meta.get("namespace", "default")
    hostname = spec.get("hostname") or meta["name"]
    subdomain = spec.get("subdomain")
    etc = directory / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    hosts = ["# Kubernetes-managed hosts file.", "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback",
             "fe00::0\tip6-localnet", "fe00::0\tip6-mcastprefix", "fe00::1\tip6-allnodes", "fe00::2\tip6-allrouters"]
    if subdomain:
        hosts.append(f"{ip}\t{hostname}.{subdomain}.{namespace}.svc.{cluster_domain}\t{hostname}")
    else:
        hosts.append(f"{ip}\t{hostname}")
    for alias in spec.get("hostAliases") or []:
        hosts.append(f"{alias.get('ip')}\t" + "\t".join(alias.get("hostnames") or []))
    (etc / "hosts").write_text("\n".join(hosts) + "\n")
    dns_policy = spec.get("dnsPolicy", "ClusterFirst")
    config = spec.get("dnsConfig") or {}
    if dns_policy == "None":
        servers = list(config.get("nameservers") or [])
        searches = list(config.get("searches") or [])
        options = [o.get("name", "") + (f":{o['value']}" if o.get("value") else "") for o in config.get("options")
                   or []]
    else:
        servers = [nameserver, *list(config.get("nameservers") or [])]
        searches = [f"{namespace}.svc.{cluster_domain}", f"svc.{cluster_domain}", cluster_domain]
        searches += list(config.get("searches") or [])
        options = ["ndots:5"] + [o.get("name", "") + (f":{o['value']}" if o.get("value") else "")
                                 for o in config.get("options") or []]
    lines = [f"search {' '.join(searches)}"] if searches else []
    lines += [f"nameserver {s}" for s in servers[:3]]
    if options:
        lines.append(f"options {' '.join(options)}")
    (etc / "resolv.conf").write_text("\n".join(lines) + "\n")
    (etc / "hostname").write_text(hostname + "\n")
    return {"/etc/hosts": str(etc / "hosts"), "/etc/resolv.conf": str(etc / "resolv.conf"),
            "/etc/hostname": str(etc / "hostname")}


class NamespacesRuntime:
    name = "namespaces"

    def __init__(self, network: HostNetwork, *, node_index: int, data_dir: Path, cluster_domain: str = "cluster.local",
                 nameserver: str | None = None) -> None:
        self.network = network
        self.node_index = node_index
        self.data_dir = data_dir
        self.cluster_domain = cluster_domain
        self.nameserver = nameserver

    async def start(self) -> None:
        for tool in ("nsenter", "unshare"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"the namespaces runtime needs util-linux's {tool}")
        await asyncio.to_thread(precompile)

    async def stop(self) -> None:
        return None

    async def create_sandbox(self, pod: dict[str, Any], directory: Path) -> Sandbox:
        meta = pod["metadata"]
        address = self.network.allocate(self.node_index)
        netns = f"{self.network.netns_prefix()}{meta['uid'].replace('-', '')[:11]}"
        try:
            await asyncio.to_thread(self.network.create_pod_network, netns, address)
        except Exception as exc:
            self.network.release(address.ip)
            raise RuntimeError_("FailedCreatePodSandBox",
                                f"Failed to create pod sandbox: network setup failed: {exc}") from exc
        spec = pod.get("spec") or {}
        sandbox = Sandbox(pod_uid=meta["uid"], name=meta["name"], namespace=meta.get("namespace", "default"),
                          hostname=spec.get("hostname") or meta["name"], ip=address.ip, directory=directory,
                          netns=netns)
        sandbox.extra["files"] = pod_etc_files(pod, address.ip, directory, nameserver=self.nameserver
                                               or self.network.gateway, cluster_domain=self.cluster_domain)
        return sandbox

    async def remove_sandbox(self, sandbox: Sandbox) -> None:
        if sandbox.netns:
            await asyncio.to_thread(self.network.remove_pod_network, sandbox.netns)
        self.network.release(sandbox.ip)

    async def start_container(self, sandbox: Sandbox, config: ContainerConfig) -> RunningContainer:
        assert sandbox.netns is not None
        prefix = ["nsenter", f"--net={NETNS_DIR / sandbox.netns}", "unshare", "--uts", "--mount", "--pid", "--fork",
                  "--kill-child"]
        return await launch(prefix, sandbox, config, hide=[str(self.data_dir)])

    def exec_argv(self, sandbox: Sandbox, container: RunningContainer, argv: list[str],
                  env: dict[str, str]) -> list[str]:
        pid = container.pid
        if pid is None or not container.running:
            raise RuntimeError_("ContainerNotRunning", "container not running")
        # Enter every namespace of the container's process, with its root and working directory.
        env_args = [f"{k}={v}" for k, v in env.items()]
        return ["nsenter", f"--target={pid}", "--mount", "--uts", "--net", "--pid", "--root", "--wd", "--",
                "env", "-i", *env_args, *argv]

    def set_network(self, sandbox: Sandbox, *, up: bool) -> None:
        """Cut or restore the pod's cable (a node whose network goes down)."""
        if sandbox.netns:
            self.network.set_pod_link(sandbox.netns, up)

    def reachable_address(self, sandbox: Sandbox) -> str:
        return sandbox.ip
