"""The seam between the API server and the nodes: logs, exec, port-forward and pod addresses.

kube-apiserver reaches a pod's kubelet for these; petset's API server asks whatever implements
``NodeConnector`` (the node agents in-process, or a remote kubelet). Without one, the API server
answers as a cluster whose pods have not started yet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["LogOptions", "NodeConnector"]


@dataclass
class LogOptions:
    container: str
    follow: bool = False
    previous: bool = False
    tail_lines: int | None = None
    since_seconds: int | None = None
    since_time: str | None = None
    timestamps: bool = False
    limit_bytes: int | None = None


class NodeConnector(Protocol):
    def logs(self, pod: dict[str, Any], options: LogOptions) -> AsyncIterator[bytes]:
        """The container's log; raises StatusError when there is none yet."""
        ...

    async def exec(self, pod: dict[str, Any], container: str, command: list[str], *, stdin: bool, tty: bool,
                   streams: Any) -> int:
        """Run ``command`` in the container, wired to ``streams``; returns the exit code."""
        ...

    async def open_port(self, pod: dict[str, Any], port: int) -> tuple[Any, Any]:
        """A (reader, writer) TCP connection to ``port`` of the pod."""
        ...

    def pod_address(self, pod: dict[str, Any]) -> str | None:
        """An address of the pod this machine can reach (for the API server's pod proxy)."""
        ...
