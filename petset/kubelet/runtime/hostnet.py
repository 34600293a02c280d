"""The pod network on this machine: one bridge, one /16, a /24 per node, a veth per pod.

Each petset instance claims a free slot k (a lock file under /run/petset): bridge ``petset<k>``,
addresses 10.(244+k).0.0/16 with the gateway .0.1 on the bridge, network namespaces named
``petset<k>-<pod uid>``. Pods get no default route: traffic between pods and to this host stays on
the bridge, nothing is routed out (and no NAT exists). A slot whose lock is free but whose bridge
or namespaces remain is the debris of a killed instance, and is swept before reuse.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import ipaddress
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

__all__ = ["HostNetwork", "PodAddress"]

LOCK_DIR = Path("/run/petset")
NETNS_DIR = Path("/run/netns")
SLOTS = 10

CLONE_NEWNET = 0x40000000
MS_BIND = 4096
MNT_DETACH = 2
_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
T = TypeVar("T")


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _in_netns(path: Path, action: Callable[[], T]) -> T:
    """Run ``action`` with this thread (only) inside the network namespace at ``path``.

    setns affects the calling thread alone, so the node agent's event loop never changes namespace;
    nothing forks either (a forked copy of petset would inherit its signal wakeup pipe).
    """
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(path, os.O_RDONLY)
    try:
        _check(_libc.setns(target, CLONE_NEWNET), "setns")
        try:
            return action()
        finally:
            _check(_libc.setns(own, CLONE_NEWNET), "setns back")
    finally:
        os.close(own)
        os.close(target)


def create_netns(name: str) -> Path:
    """A named network namespace (as ``ip netns add``), made from this thread without forking."""
    NETNS_DIR.mkdir(parents=True, exist_ok=True)
    path = NETNS_DIR / name
    path.touch()
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        _check(_libc.unshare(CLONE_NEWNET), "unshare")
        try:
            _check(_libc.mount(b"/proc/thread-self/ns/net", str(path).encode(), None, ctypes.c_ulong(MS_BIND), None),
                   "mount netns")
        finally:
            _check(_libc.setns(own, CLONE_NEWNET), "setns back")
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    finally:
        os.close(own)
    return path


def remove_netns(name: str) -> None:
    path = NETNS_DIR / name
    _libc.umount2(str(path).encode(), MNT_DETACH)
    with contextlib.suppress(OSError):
        path.unlink()


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
    _lock_file: IO[str] | None = None
    _ipr: Any = None
    _allocated: dict[int, set[int]] = field(default_factory=dict)
    _last: dict[int, int] = field(default_factory=dict)
    #: One netlink socket serves the host side; pods are made from worker threads, one at a time.
    _lock: threading.Lock = field(default_factory=threading.Lock)

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
            self.slot, self._lock_file = slot, handle
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
        if NETNS_DIR.exists():
            for entry in NETNS_DIR.iterdir():
                if entry.name.startswith(self.netns_prefix()):
                    kill_namespace_processes(entry)
                    remove_netns(entry.name)
        for index in self._ipr.link_lookup(ifname=self.bridge):
            self._ipr.link("del", index=index)

    def stop(self) -> None:
        if self._ipr is not None:
            self._sweep()
            self._ipr.close()
            self._ipr = None
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def allocate(self, node_index: int) -> PodAddress:
        # Round-robin, as host-local IPAM: an address just freed is not handed out again at once,
        # so no neighbour still remembers the old pod's MAC for the new pod's address.
        used = self._allocated.setdefault(node_index, set())
        last = self._last.get(node_index, 1)
        for step in range(1, 254):
            host = (last - 2 + step) % 253 + 2
            if host not in used:
                used.add(host)
                self._last[node_index] = host
                return PodAddress(f"10.{244 + self.slot}.{node_index}.{host}", 16, self.gateway)
        raise RuntimeError(f"the pod address range {self.node_cidr(node_index)} is full")

    def release(self, ip: str) -> None:
        parts = ip.split(".")
        self._allocated.get(int(parts[2]), set()).discard(int(parts[3]))

    def create_pod_network(self, name: str, address: PodAddress) -> None:
        """A network namespace ``name`` with eth0 (a veth on the bridge) and lo, both up."""
        with self._lock:
            self._create_pod_network(name, address)

    def _create_pod_network(self, name: str, address: PodAddress) -> None:
        from pyroute2 import IPRoute

        path = create_netns(name)
        host_side = "pv" + name.rsplit("-", 1)[-1][:11]
        try:
            self._ipr.link("add", ifname=host_side, kind="veth", peer={"ifname": "eth0", "net_ns_fd": str(path)})
            index = self._ipr.link_lookup(ifname=host_side)[0]
            bridge = self._ipr.link_lookup(ifname=self.bridge)[0]
            self._ipr.link("set", index=index, master=bridge, state="up")

            def configure() -> None:
                inside = IPRoute()
                try:
                    eth0 = inside.link_lookup(ifname="eth0")[0]
                    inside.addr("add", index=eth0, address=address.ip, prefixlen=address.prefix)
                    inside.link("set", index=eth0, state="up")
                    inside.link("set", index=inside.link_lookup(ifname="lo")[0], state="up")
                finally:
                    inside.close()

            _in_netns(path, configure)
        except Exception:
            kill_namespace_processes(path)
            remove_netns(name)
            raise

    def remove_pod_network(self, name: str) -> None:
        """Deleting the namespace deletes its veth pair too."""
        with self._lock:
            kill_namespace_processes(NETNS_DIR / name)
            remove_netns(name)

    def set_pod_link(self, name: str, up: bool) -> None:
        """Cut or restore a pod's cable (node failure simulation)."""
        host_side = "pv" + name.rsplit("-", 1)[-1][:11]
        with self._lock:
            for index in self._ipr.link_lookup(ifname=host_side):
                self._ipr.link("set", index=index, state="up" if up else "down")
