"""The API server's way to the node agents of this process: each request goes to the pod's node."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from petset.api import errors
from petset.client.connector import ExecStreams, LogOptions
from petset.kubelet.agent import Kubelet

__all__ = ["LocalNodes"]

Obj = dict[str, Any]


class LocalNodes:
    """A NodeConnector over the kubelets running in this process."""

    def __init__(self, kubelets: list[Kubelet]) -> None:
        self._by_name = {k.node_name: k for k in kubelets}

    def _node(self, pod: Obj) -> Kubelet:
        name = (pod.get("spec") or {}).get("nodeName", "")
        kubelet = self._by_name.get(name)
        if kubelet is None:
            raise errors.service_unavailable(f"no node agent is connected for node {name!r}")
        if kubelet.dark:
            raise errors.StatusError(502, "InternalError", f"error dialing backend: dial tcp {kubelet.host_ip}:10250: "
                                     "connect: no route to host")
        return kubelet

    async def logs(self, pod: Obj, options: LogOptions) -> AsyncIterator[bytes]:
        async for chunk in self._node(pod).logs(pod, options):
            yield chunk

    async def exec(self, pod: Obj, container: str, command: list[str], *, stdin: bool, tty: bool,
                   streams: ExecStreams) -> int:
        return await self._node(pod).exec(pod, container, command, stdin=stdin, tty=tty, streams=streams)

    async def open_port(self, pod: Obj, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await self._node(pod).open_port(pod, port)

    def pod_address(self, pod: Obj) -> str | None:
        name = (pod.get("spec") or {}).get("nodeName", "")
        kubelet = self._by_name.get(name)
        return kubelet.pod_address(pod) if kubelet is not None and not kubelet.dark else None
