"""The pod network on this machine: one bridge, one /16, a /24 per node, a veth per pod.

Each petset instance claims a free slot k (a lock file under /run/petset): bridge ``petset<k>``,
addresses 10.(244+k).0.0/16 with the gateway .0.1 on the bridge, network namespaces named
``petset<k>-<pod uid>``. Pods get no default route: traffic between pods and to this host stays on
the bridge, nothing is routed out (and no NAT exists). A slot whose lock is free but whose bridge
or namespaces remain is the debris of a killed instance, and is swept before reuse.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["HostNetwork", "PodAddress"]

LOCK_DIR = Path("/run/petset")
NETNS_DIR = Path("/run/netns")
SLOTS = 10


@dataclass(frozen=True)
class PodAddress:
    ip: str
    prefix: int
    gateway: str


def _netns_inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def kill_namespace_processes(netns_path: Path) -> None:
    """SIGKILL every process living in a network namespace (leftovers of a killed instance)."""
    inode = _netns_inode(netns_path)
    if inode is None:
        return
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        with contextlib.suppress(OSError):
            if os.stat(f"/proc/{pid}/ns/net").st_ino == inode:
                os.kill(int(pid), signal.SIGKILL)


@dataclass
class HostNetwork:
    slot: int = -1
    _lock: IO[str] | None = None
    _ipr: Any = None
    _allocated: dict[int, set[int]] = field(default_factory=dict)

    @property
    def bridge(self) -> str:
        return f"petset{self.slot}"

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(f"10.{244 + self.slot}.0.0/16")

    @property
    def gateway(self) -> str:
        return f"10.{244 + self.slot}.0.1"

    def netns_prefix(self) -> str:
        return f"{self.bridge}-"

    def node_cidr(self, node_index: int) -> str:
        return f"10.{244 + self.slot}.{node_index}.0/24"

    def start(self) -> None:
        from pyroute2 import IPRoute  # heavy import, paid only by the namespaces runtime

        LOCK_DIR.mkdir(parents=True, exist_ok=True)
        for slot in range(SLOTS):
            handle = open(LOCK_DIR / f"net-{slot}.lock", "a+")  # noqa: SIM115 - held while running
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self.slot, self._lock = slot, handle
            break
        else:
            raise RuntimeError(f"no free pod network: {SLOTS} petset instances already run on this machine")
        self._ipr = IPRoute()
        self._sweep()
        self._ipr.link("add", ifname=self.bridge, kind="bridge")
        index = self._ipr.link_lookup(ifname=self.bridge)[0]
        self._ipr.addr("add", index=index, address=self.gateway, prefixlen=16)
        self._ipr.link("set", index=index, state="up")

    def _sweep(self) -> None:
        from pyroute2 import netns

        if NETNS_DIR.exists():
            for entry in NETNS_DIR.iterdir():
                if entry.name.startswith(self.netns_prefix()):
                    kill_namespace_processes(entry)
                    with contextlib.suppress(OSError):
                        netns.remove(entry.name)
        for index in self._ipr.link_lookup(ifname=self.bridge):
            self._ipr.link("del", index=index)

    def stop(self) -> None:
        if self._ipr is not None:
            self._sweep()
            self._ipr.close()
            self._ipr = None
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def allocate(self, node_index: int) -> PodAddress:
        used = self._allocated.setdefault(node_index, set())
        for host in range(2, 255):
            if host not in used:
                used.add(host)
                return PodAddress(f"10.{244 + self.slot}.{node_index}.{host}", 16, self.gateway)
        raise RuntimeError(f"the pod address range {self.node_cidr(node_index)} is full")

    def release(self, ip: str) -> None:
        parts = ip.split(".")
        self._allocated.get(int(parts[2]), set()).discard(int(parts[3]))

    def create_pod_network(self, name: str, address: PodAddress) -> None:
        """A network namespace ``name`` with eth0 (a veth on the bridge) and lo, both up."""
        from pyroute2 import NetNS, netns

        netns.create(name)
        host_side = "pv" + name.rsplit("-", 1)[-1][:11]
        try:
            self._ipr.link("add", ifname=host_side, kind="veth", peer={"ifname": "eth0", "net_ns_fd": name})
            index = self._ipr.link_lookup(ifname=host_side)[0]
            bridge = self._ipr.link_lookup(ifname=self.bridge)[0]
            self._ipr.link("set", index=index, master=bridge, state="up")
            inside = NetNS(name)
            try:
                eth0 = inside.link_lookup(ifname="eth0")[0]
                inside.addr("add", index=eth0, address=address.ip, prefixlen=address.prefix)
                inside.link("set", index=eth0, state="up")
                inside.link("set", index=inside.link_lookup(ifname="lo")[0], state="up")
            finally:
                inside.close()
        except Exception:
            self.remove_pod_network(name)
            raise

    def remove_pod_network(self, name: str) -> None:
        """Deleting the namespace deletes its veth pair too."""
        from pyroute2 import netns

        path = NETNS_DIR / name
        kill_namespace_processes(path)
        with contextlib.suppress(OSError):
            netns.remove(name)

    def set_pod_link(self, name: str, up: bool) -> None:
        """Cut or restore a pod's cable (node failure simulation)."""
        host_side = "pv" + name.rsplit("-", 1)[-1][:11]
        for index in self._ipr.link_lookup(ifname=host_side):
            self._ipr.link("set", index=index, state="up" if up else "down")
