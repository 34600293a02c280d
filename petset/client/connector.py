"""The seam between the API server and the nodes: logs, exec, attach, port-forward and pod addresses.

kube-apiserver reaches a pod's kubelet for these; petset's API server asks whatever implements
``NodeConnector`` (the node agents in-process, or a remote kubelet). Without one, the API server
answers as a cluster whose pods have not started yet.

The wire protocols (WebSocket channels, SPDY streams) end in the API server (``petset.apiserver.streams``): a
connector sees plain bytes through ``ExecStreams`` and a plain TCP connection from ``open_port``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["ExecStreams", "LogOptions", "NodeConnector", "SupportsAttach", "TerminalSize"]


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


@dataclass(frozen=True)
class TerminalSize:
    width: int
    height: int


class ExecStreams(Protocol):
    """The client's end of one exec or attach, as the connector sees it.

    Reads and writes are safe to run concurrently (one task pumping stdin, others output); a write
    returns once the bytes are on their way to the client, so a slow client slows the command. The
    API server decides which streams the client asked for: ``read_stdin`` returns b"" at once when it
    did not ask for stdin, and output to a stream it did not ask for (or stderr under a tty, where the
    terminal carries both) is dropped. Writes after the client went away are dropped too; the API
    server then cancels the ``exec``/``attach`` call, and the connector must end what it started.
    Clients of v4.channel.k8s.io cannot close stdin: for them ``read_stdin`` ends only when they leave.
    With a tty the client sends its terminal size first thing, and again on every change.
    """

    async def read_stdin(self) -> bytes:
        """The next chunk of the client's stdin; b"" once it closed stdin (then always b"")."""
        ...

    async def write_stdout(self, data: bytes) -> None:
        ...

    async def write_stderr(self, data: bytes) -> None:
        ...

    async def next_resize(self) -> TerminalSize | None:
        """The next terminal size the client sent (with a tty); None once no more can come."""
        ...


class NodeConnector(Protocol):
    def logs(self, pod: dict[str, Any], options: LogOptions) -> AsyncIterator[bytes]:
        """The container's log; raises StatusError when there is none yet."""
        ...

    async def exec(self, pod: dict[str, Any], container: str, command: list[str], *, stdin: bool, tty: bool,
                   streams: ExecStreams) -> int:
        """Run ``command`` in the (running) container, wired to ``streams``; returns its exit code.

        Returns when the command has exited and all its output went to ``streams``. Raises StatusError
        for a Kubernetes-level refusal (e.g. the container is not running; its message reaches kubectl as
        ``error: <message>``) and OSError when the command cannot start (reported as an internal error).
        Cancelled when the client goes away: the command must then be ended.
        """
        ...

    async def open_port(self, pod: dict[str, Any], port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A new TCP connection to ``port`` of the pod (an OSError when nothing listens there).

        One call per forwarded connection; the API server half-closes the writer (``write_eof``) when
        the client is done sending, and closes the writer once the pod's side has ended.
        """
        ...

    def pod_address(self, pod: dict[str, Any]) -> str | None:
        """An address of the pod this machine can reach; None if none yet.

        The pod and service proxy dial ``<address>:<containerPort>`` from the API server's process, so the
        pod's ports must be reachable there at that address (its own IP, or a loopback alias of it).
        """
        ...


@runtime_checkable
class SupportsAttach(Protocol):
    """A connector that can also attach to a container's main process (``kubectl attach``).

    Optional: without it, attach answers that the node agent does not support it.
    """

    async def attach(self, pod: dict[str, Any], container: str, *, stdin: bool, tty: bool,
                     streams: ExecStreams) -> None:
        """Wire the running container's stdio to ``streams`` until it exits or the client detaches."""
        ...
