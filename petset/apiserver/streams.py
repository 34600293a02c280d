"""The streaming subresources: pods/exec, pods/attach, pods/portforward, and the pod and service proxy.

kube-apiserver forwards these to the pod's kubelet; petset ends the client's protocol here and hands
the node agent plain bytes through ``NodeConnector`` (see connector.py). What the clients speak
(measured, see shared/docs/KUBECTL-PROTOCOL.md §6.13-6.15):

* exec/attach: a WebSocket upgrade on GET, subprotocol ``v5.channel.k8s.io`` (kubectl) or
  ``v4.channel.k8s.io`` (older clients); every binary message starts with its channel byte: 0 stdin,
  1 stdout, 2 stderr, 3 the final Status JSON, 4 terminal resize; v5 adds ``0xff <channel>`` to
  close a channel (kubectl's end of stdin). When the WebSocket handshake fails, kubectl retries with a
  POST upgraded to SPDY/3.1, one SPDY stream per channel, the Status on the ``error`` stream.
* port-forward: SPDY/3.1 either way, tunnelled in binary WebSocket messages
  (``SPDY/3.1+portforward.k8s.io``) or on the upgraded connection; per forwarded connection the client
  opens an ``error`` and a ``data`` stream with the same ``requestid``. The Python client's
  ``v4.channel.k8s.io`` port-forward (channel pairs per ``ports`` entry) is served as well.
* proxy: plain HTTP relayed to the pod (``pods/[scheme:]name[:port]/proxy/...``) or to a random ready
  endpoint of a service (``services/[scheme:]name[:port]/proxy/...``); the reply passes back unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import random
import struct
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import aiohttp
import orjson
from aiohttp import hdrs, web
from multidict import CIMultiDict
from yarl import URL

from petset.api import errors
from petset.api.resources import ResourceType
from petset.apiserver.spdy import PROTOCOL_ERROR, SpdyConnection, SpdyStream
from petset.client.connector import ExecStreams, NodeConnector, SupportsAttach, TerminalSize
from petset.client.interface import resource
from petset.registry.options import ListOptions
from petset.registry.registry import Registry

if TYPE_CHECKING:
    from petset.apiserver.handlers import Target

__all__ = ["object_name", "serve"]

Obj = dict[str, Any]

EXEC_WEBSOCKET_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
#: SPDY exec protocols; v5 over SPDY is v4 (SPDY closes stdin with FIN anyway).
EXEC_SPDY_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
PORT_FORWARD_TUNNEL = "SPDY/3.1+portforward.k8s.io"
PORT_FORWARD_SPDY = "portforward.k8s.io"
PORT_FORWARD_CHANNELS = ("v4.channel.k8s.io",)

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
#: v5.channel.k8s.io: ``0xff <channel>`` closes that channel.
CLOSE_CHANNEL = 0xFF
#: How long kubelet waits for the client to open the streams of an exec.
STREAM_CREATION_TIMEOUT = 30.0
OUTPUT_CHUNK = 32 * 1024

#: Hop-by-hop headers (RFC 9110 §7.6.1, plus what Go's ReverseProxy drops), never relayed. Authorization is
#: the client's credential for the API server: kube-apiserver removes it once authenticated.
_HOP_BY_HOP = frozenset(h.lower() for h in (
    "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te",
    "Trailer", "Transfer-Encoding", "Upgrade"))
_NOT_FORWARDED = _HOP_BY_HOP | {"authorization"}


# entry


def object_name(target: Target) -> str:
    """The object a streaming request is about: ``proxy`` names may carry ``scheme:`` and ``:port``."""
    assert target.name is not None
    if target.subresource != "proxy":
        return str(target.name)
    return _split_scheme_name_port(target.rt, target.name)[1]


async def serve(request: web.Request, registry: Registry, connector: NodeConnector, target: Target,
                obj: Obj) -> web.StreamResponse:
    """Answer one exec, attach, portforward or proxy request about ``obj`` (a pod, service or node)."""
    sub, kind = target.subresource, target.rt.kind
    if kind == "Pod" and sub in ("exec", "attach"):
        return await _exec(request, connector, obj, attach=(sub == "attach"))
    if kind == "Pod" and sub == "portforward":
        return await _port_forward(request, connector, obj)
    if sub == "proxy" and kind in ("Pod", "Service"):
        assert target.name is not None
        scheme, _, port = _split_scheme_name_port(target.rt, target.name)
        subpath = _proxy_subpath(request, target)
        if subpath == "":
            # kube-apiserver's answer for the proxy root without its slash (kubernetes issue 4958).
            path, _, query = request.raw_path.partition("?")
            location = path + "/" + (f"?{query}" if query else "")
            return web.Response(status=301, headers={"Location": location})
        if kind == "Pod":
            return await _pod_proxy(request, connector, obj, scheme, port, subpath)
        return await _service_proxy(request, registry, connector, obj, scheme, port, subpath)
    raise errors.service_unavailable(f"{target.rt.singular} {target.subresource} is not served: the node agents "
                                     "expose no node-level API")


# common checks


def _split_scheme_name_port(rt: ResourceType, name: str) -> tuple[str, str, str]:
    """k8s.io/apimachinery SplitSchemeNamePort: ``name``, ``name:port`` or ``scheme:name:port``."""
    parts = name.split(":")
    scheme, port = "", ""
    if len(parts) == 1:
        base = parts[0]
    elif len(parts) == 2:
        base, port = parts
    elif len(parts) == 3:
        scheme, base, port = parts
    else:
        base = ""
    if not base or scheme not in ("", "http", "https"):
        raise errors.bad_request(f'invalid {rt.singular} request "{name}"')
    return scheme, base, port


def _query_bool(request: web.Request, key: str) -> bool:
    return request.query.get(key, "").lower() in ("true", "1")


def _pod_name(pod: Obj) -> str:
    return str(pod["metadata"]["name"])


def _container(pod: Obj, requested: str | None) -> str:
    """The container a request means (the only one when none is named), as kube-apiserver picks it."""
    spec = pod.get("spec") or {}
    names = [str(c.get("name")) for c in spec.get("containers") or []]
    init_names = [str(c.get("name")) for c in spec.get("initContainers") or []]
    ephemeral = [str(c.get("name")) for c in spec.get("ephemeralContainers") or []]
    name = _pod_name(pod)
    if not requested:
        if len(names) == 1:
            return names[0]
        if not names:
            raise errors.bad_request(f"a container name must be specified for pod {name}")
        message = f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]"
        if init_names:
            message += f" or one of the init containers: [{' '.join(init_names)}]"
        raise errors.bad_request(message)
    if requested not in names + init_names + ephemeral:
        raise errors.bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def _check_running(pod: Obj, container: str, action: str) -> None:
    """Refuse a completed pod, or a container the node reports as not running, with a Status."""
    status = pod.get("status") or {}
    phase = status.get("phase")
    if phase in ("Succeeded", "Failed"):
        raise errors.bad_request(f"cannot {action} in a completed pod; current phase is {phase}")
    statuses = [s for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses")
                for s in status.get(key) or []]
    found = next((s for s in statuses if s.get("name") == container), None)
    if found is None:
        return  # the node has not reported yet: its agent answers for itself
    state = found.get("state") or {}
    if "running" in state:
        return
    name = _pod_name(pod)
    if "terminated" in state:
        reason = (state["terminated"] or {}).get("reason") or "Terminated"
        raise errors.bad_request(f'container "{container}" in pod "{name}" is not running: terminated ({reason})')
    reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
    raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: {reason}')


def _upgrade(request: web.Request) -> str:
    """``websocket``, ``spdy/3.1`` or "" for a request that asks no protocol switch."""
    connection = request.headers.get(hdrs.CONNECTION, "").lower()
    if "upgrade" not in connection:
        return ""
    return request.headers.get(hdrs.UPGRADE, "").strip().lower()


def _offered(request: web.Request, header: str) -> list[str]:
    return [p.strip() for value in request.headers.getall(header, []) for p in value.split(",") if p.strip()]


def _upgrade_required() -> errors.StatusError:
    return errors.bad_request("Upgrade request required")


def _message_bytes(message: aiohttp.WSMessage) -> bytes:
    """A channel message's bytes. The Python client sends str data as text messages: same framing."""
    if message.type == aiohttp.WSMsgType.BINARY:
        return bytes(message.data)
    if message.type == aiohttp.WSMsgType.TEXT:
        return str(message.data).encode()
    return b""


# exec and attach


@dataclass(frozen=True)
class _ExecOptions:
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool


class _ExecSession:
    """``ExecStreams`` over whatever protocol the client spoke: ``send`` writes one channel's bytes."""

    #: Unread stdin bytes above which the client's protocol stops being read (TCP pushes back).
    STDIN_LIMIT = 256 * 1024

    def __init__(self, options: _ExecOptions, send: Callable[[int, bytes], Awaitable[None]]) -> None:
        self.options = options
        self._send = send
        self._stdin: deque[bytes] = deque()
        self._stdin_unread = 0
        self._stdin_eof = not options.stdin
        self._stdin_ready = asyncio.Event()
        self._stdin_room = asyncio.Event()
        self._stdin_room.set()
        self._resizes: asyncio.Queue[TerminalSize | None] = asyncio.Queue()
        self._resize_done = not options.tty
        self.client_gone = False
        #: Set once the client is gone.
        self.gone = asyncio.Event()

    # ExecStreams

    async def read_stdin(self) -> bytes:
        while not self._stdin:
            if self._stdin_eof:
                return b""
            self._stdin_ready.clear()
            await self._stdin_ready.wait()
        chunk = self._stdin.popleft()
        self._stdin_unread -= len(chunk)
        if self._stdin_unread <= self.STDIN_LIMIT:
            self._stdin_room.set()
        return chunk

    async def write_stdout(self, data: bytes) -> None:
        if self.options.stdout:
            await self._write(STDOUT, data)

    async def write_stderr(self, data: bytes) -> None:
        if self.options.stderr and not self.options.tty:
            await self._write(STDERR, data)

    async def next_resize(self) -> TerminalSize | None:
        if self._resize_done:
            return None
        size = await self._resizes.get()
        if size is None:
            self._resize_done = True
        return size

    # fed by the protocol

    async def stdin_data(self, data: bytes) -> None:
        if not data or self._stdin_eof:
            return
        self._stdin.append(data)
        self._stdin_unread += len(data)
        self._stdin_ready.set()
        if self._stdin_unread > self.STDIN_LIMIT:
            self._stdin_room.clear()
            await self._stdin_room.wait()

    def stdin_closed(self) -> None:
        self._stdin_eof = True
        self._stdin_ready.set()
        self._stdin_room.set()

    def resize(self, payload: Any) -> None:
        if isinstance(payload, dict) and not self._resize_done:
            with contextlib.suppress(TypeError, ValueError):
                self._resizes.put_nowait(TerminalSize(int(payload.get("Width", 0)), int(payload.get("Height", 0))))

    def ended(self) -> None:
        """The client is gone: no more input, and output goes nowhere."""
        self.client_gone = True
        self.gone.set()
        self.stdin_closed()
        self._resizes.put_nowait(None)

    async def _write(self, channel: int, data: bytes) -> None:
        if self.client_gone or not data:
            return
        try:
            for start in range(0, len(data), OUTPUT_CHUNK):
                await self._send(channel, data[start:start + OUTPUT_CHUNK])
        except (ConnectionError, RuntimeError):
            self.client_gone = True


Runner = Callable[[ExecStreams], Awaitable[int | None]]


def _status_success() -> Obj:
    return {"metadata": {}, "status": "Success"}


def _status_of(error: errors.StatusError) -> Obj:
    body = error.status()
    body.pop("kind", None)
    body.pop("apiVersion", None)
    return body


def _exit_status(code: int) -> Obj:
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: exit status {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


async def _run(runner: Runner, session: _ExecSession, *, attach: bool) -> Obj | None:
    """Run the command until it ends (its Status) or the client leaves first (None: the command is cancelled)."""
    task = asyncio.ensure_future(runner(session))
    gone = asyncio.ensure_future(session.gone.wait())
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    if task.cancelled():
        return None
    try:
        code = task.result()
    except errors.StatusError as exc:
        return _status_of(exc)
    except Exception as exc:
        what = "attaching to container" if attach else "executing command in container"
        return _status_of(errors.internal(f"error {what}: {exc}"))
    if code:
        return _exit_status(code)
    return _status_success()


async def _exec_command(connector: NodeConnector, pod: Obj, container: str, command: list[str],
                        options: _ExecOptions, streams: ExecStreams) -> int | None:
    return await connector.exec(pod, container, command, stdin=options.stdin, tty=options.tty, streams=streams)


async def _attach(connector: SupportsAttach, pod: Obj, container: str, options: _ExecOptions,
                  streams: ExecStreams) -> int | None:
    await connector.attach(pod, container, stdin=options.stdin, tty=options.tty, streams=streams)
    return None


async def _exec(request: web.Request, connector: NodeConnector, pod: Obj, *, attach: bool) -> web.StreamResponse:
    q = request.query
    command = q.getall("command", [])
    if not attach and not command:
        raise errors.bad_request("you must specify at least one command for the container")
    tty = _query_bool(request, "tty")
    options = _ExecOptions(stdin=_query_bool(request, "stdin"), stdout=_query_bool(request, "stdout"),
                           stderr=_query_bool(request, "stderr") and not tty, tty=tty)
    if not (options.stdin or options.stdout or options.stderr):
        raise errors.bad_request("you must specify at least 1 of stdin, stdout, stderr")
    container = _container(pod, q.get("container"))
    _check_running(pod, container, "attach a container" if attach else "exec into a container")
    runner: Runner
    if attach:
        if not isinstance(connector, SupportsAttach):
            raise errors.bad_request(f"attach to container {container} in pod {_pod_name(pod)} is not supported "
                                     "by its node agent")
        runner = functools.partial(_attach, connector, pod, container, options)
    else:
        runner = functools.partial(_exec_command, connector, pod, container, list(command), options)
    upgrade = _upgrade(request)
    if upgrade == "websocket":
        return await _exec_websocket(request, runner, options, attach=attach)
    if upgrade == "spdy/3.1":
        return await _exec_spdy(request, runner, options, attach=attach)
    raise _upgrade_required()


async def _exec_websocket(request: web.Request, runner: Runner, options: _ExecOptions, *,
                          attach: bool) -> web.StreamResponse:
    offered = _offered(request, hdrs.SEC_WEBSOCKET_PROTOCOL)
    protocol = next((p for p in offered if p in EXEC_WEBSOCKET_PROTOCOLS), None)
    if protocol is None:
        raise errors.bad_request(f"unable to upgrade: unable to negotiate protocol: client supports {offered}, "
                                 f"server supports {list(EXEC_WEBSOCKET_PROTOCOLS)}")
    ws = web.WebSocketResponse(protocols=(protocol,), max_msg_size=0)
    await ws.prepare(request)

    async def send(channel: int, data: bytes) -> None:
        await ws.send_bytes(bytes((channel,)) + data)

    session = _ExecSession(options, send)

    async def receive() -> None:
        try:
            async for message in ws:
                data = _message_bytes(message)
                if not data:
                    continue
                channel, payload = data[0], data[1:]
                if channel == STDIN:
                    await session.stdin_data(payload)
                elif channel == RESIZE:
                    with contextlib.suppress(ValueError):
                        session.resize(json.loads(payload))
                elif channel == CLOSE_CHANNEL and payload[:1] == bytes((STDIN,)) and protocol == "v5.channel.k8s.io":
                    session.stdin_closed()
        finally:
            session.ended()

    receiver = asyncio.create_task(receive())
    status = await _run(runner, session, attach=attach)
    if status is not None and not session.client_gone:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_bytes(bytes((ERROR,)) + orjson.dumps(status))
    with contextlib.suppress(ConnectionError, RuntimeError, asyncio.TimeoutError):
        await ws.close()
    receiver.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await receiver
    return ws


async def _exec_spdy(request: web.Request, runner: Runner, options: _ExecOptions, *,
                     attach: bool) -> web.StreamResponse:
    offered = _offered(request, "X-Stream-Protocol-Version")
    protocol = next((p for p in offered if p in EXEC_SPDY_PROTOCOLS), None)
    if protocol is None:
        raise errors.StatusError(403, "Forbidden", f"unable to upgrade: unable to negotiate protocol: client "
                                 f"supports {offered}, server supports {list(EXEC_SPDY_PROTOCOLS)}")
    upgraded = await _SpdyUpgrade.accept(request, protocol)
    conn = upgraded.connection
    try:
        streams = await _exec_streams(conn, options)
        if streams is None:
            return upgraded.response
        error_stream = streams["error"]

        async def send(channel: int, data: bytes) -> None:
            await streams["stdout" if channel == STDOUT else "stderr"].write(data)

        session = _ExecSession(options, send)
        pumps = [asyncio.create_task(_pump_stdin(streams.get("stdin"), session)),
                 asyncio.create_task(_pump_resize(streams.get("resize"), session)),
                 asyncio.create_task(_watch_closed(conn, session))]
        status = await _run(runner, session, attach=attach)
        for pump in pumps:
            pump.cancel()
        if status is not None and not conn.closed:
            with contextlib.suppress(ConnectionError):
                for name in ("stdout", "stderr"):
                    if name in streams:
                        await streams[name].close()
                await error_stream.write(orjson.dumps(status))
                await error_stream.close()
                await conn.goaway()
        return upgraded.response
    finally:
        await upgraded.close()


async def _exec_streams(conn: SpdyConnection, options: _ExecOptions) -> dict[str, SpdyStream] | None:
    """Wait for the streams the client must open (error, then one per requested channel), as kubelet does."""
    expected = {"error"}
    expected |= {name for name, wanted in (("stdin", options.stdin), ("stdout", options.stdout),
                                           ("stderr", options.stderr), ("resize", options.tty)) if wanted}
    streams: dict[str, SpdyStream] = {}
    try:
        async with asyncio.timeout(STREAM_CREATION_TIMEOUT):
            while not expected <= streams.keys():
                stream = await conn.accept()
                if stream is None:
                    return None
                kind = stream.header("streamtype")
                if kind in ("error", "stdin", "stdout", "stderr", "resize"):
                    streams[kind] = stream
                else:
                    await stream.reset(PROTOCOL_ERROR)
    except TimeoutError:
        return None
    return streams


async def _watch_closed(conn: SpdyConnection, session: _ExecSession) -> None:
    await conn.wait_closed()
    session.ended()


async def _pump_stdin(stream: SpdyStream | None, session: _ExecSession) -> None:
    if stream is None:
        return
    try:
        while chunk := await stream.read():
            await session.stdin_data(chunk)
    finally:
        session.stdin_closed()


async def _pump_resize(stream: SpdyStream | None, session: _ExecSession) -> None:
    """The resize stream carries JSON objects back to back ({"Width":..,"Height":..}{...})."""
    if stream is None:
        return
    decoder = json.JSONDecoder()
    buffer = ""
    while chunk := await stream.read():
        buffer += chunk.decode(errors="replace")
        while buffer.strip():
            try:
                payload, end = decoder.raw_decode(buffer.lstrip())
            except ValueError:
                break
            session.resize(payload)
            buffer = buffer.lstrip()[end:]


# SPDY transports


class _FeedParser:
    """Takes the place of aiohttp's HTTP parser once the connection switched to SPDY."""

    def __init__(self, connection: SpdyConnection) -> None:
        self.connection = connection

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        self.connection.feed_data(data)
        return False, b""

    def feed_eof(self) -> None:
        self.connection.feed_eof()


class _SpdyUpgrade:
    """SPDY/3.1 straight on the HTTP connection, after ``101 Switching Protocols``."""

    def __init__(self, request: web.Request, response: web.StreamResponse, connection: SpdyConnection) -> None:
        self.request = request
        self.response = response
        self.connection = connection
        self._serve = asyncio.create_task(connection.serve())

    @classmethod
    async def accept(cls, request: web.Request, protocol: str) -> _SpdyUpgrade:
        transport = request.transport
        if transport is None:
            raise ConnectionResetError("the client went away")
        response = web.StreamResponse(status=101, headers={
            hdrs.CONNECTION: "Upgrade", hdrs.UPGRADE: "SPDY/3.1", "X-Stream-Protocol-Version": protocol})
        connection = SpdyConnection(response.write, pause_reading=transport.pause_reading,
                                    resume_reading=transport.resume_reading)
        handler = cast(Any, request.protocol)
        handler.keep_alive(False)
        # aiohttp only switches protocols for websocket and tcp: from here on the bytes are SPDY frames.
        handler.set_parser(_FeedParser(connection))
        await response.prepare(request)
        return cls(request, response, connection)

    async def close(self) -> None:
        self._serve.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._serve
        transport = self.request.transport
        if transport is not None:
            transport.close()


class _SpdyTunnel:
    """SPDY/3.1 inside binary WebSocket messages (``SPDY/3.1+portforward.k8s.io``)."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self._readable = asyncio.Event()
        self._readable.set()
        self.connection = SpdyConnection(ws.send_bytes, pause_reading=self._readable.clear,
                                         resume_reading=self._readable.set)
        self._serve = asyncio.create_task(self.connection.serve())
        self._receive = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        try:
            while not self.ws.closed:
                await self._readable.wait()
                message = await self.ws.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    self.connection.feed_data(message.data)
                elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                                      aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    break
        finally:
            self.connection.feed_eof()

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError, asyncio.TimeoutError):
            await self.ws.close()
        for task in (self._receive, self._serve):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


# port-forward


async def _port_forward(request: web.Request, connector: NodeConnector, pod: Obj) -> web.StreamResponse:
    upgrade = _upgrade(request)
    if upgrade == "websocket":
        offered = _offered(request, hdrs.SEC_WEBSOCKET_PROTOCOL)
        if PORT_FORWARD_TUNNEL in offered:
            ws = web.WebSocketResponse(protocols=(PORT_FORWARD_TUNNEL,), max_msg_size=0)
            await ws.prepare(request)
            tunnel = _SpdyTunnel(ws)
            try:
                await _forward_streams(tunnel.connection, connector, pod)
            finally:
                await tunnel.close()
            return ws
        channels = next((p for p in offered if p in PORT_FORWARD_CHANNELS), None)
        if channels is not None:
            return await _forward_channels(request, connector, pod, channels)
        raise errors.bad_request(f"unable to upgrade: unable to negotiate protocol: client supports {offered}, "
                                 f"server supports {[PORT_FORWARD_TUNNEL, *PORT_FORWARD_CHANNELS]}")
    if upgrade == "spdy/3.1":
        offered = _offered(request, "X-Stream-Protocol-Version")
        if PORT_FORWARD_SPDY not in offered:
            raise errors.StatusError(403, "Forbidden", f"unable to upgrade: unable to negotiate protocol: client "
                                     f"supports {offered}, server supports {[PORT_FORWARD_SPDY]}")
        upgraded = await _SpdyUpgrade.accept(request, PORT_FORWARD_SPDY)
        try:
            await _forward_streams(upgraded.connection, connector, pod)
        finally:
            await upgraded.close()
        return upgraded.response
    raise _upgrade_required()


def _forward_error(pod: Obj, port: int | str, error: BaseException | str) -> str:
    meta = pod["metadata"]
    return f"error forwarding port {port} to pod {meta['name']}, uid {meta.get('uid', '')}: {error}"


async def _forward_streams(conn: SpdyConnection, connector: NodeConnector, pod: Obj) -> None:
    """kubelet's port-forward over SPDY: each (error, data) stream pair of a requestid is one connection."""
    pending: dict[str, dict[str, SpdyStream]] = {}
    tasks: set[asyncio.Task[None]] = set()
    try:
        while (stream := await conn.accept()) is not None:
            kind = stream.header("streamtype")
            if kind not in ("error", "data"):
                await stream.reset(PROTOCOL_ERROR)
                continue
            # Clients before requestid paired a data stream with the error stream opened just before it.
            request_id = stream.header("requestid") or str(stream.id if kind == "error" else stream.id - 2)
            pair = pending.setdefault(request_id, {})
            if kind in pair:
                await stream.reset(PROTOCOL_ERROR)
                continue
            pair[kind] = stream
            if len(pair) == 2:
                del pending[request_id]
                task = asyncio.create_task(_forward_pair(conn, connector, pod, pair["error"], pair["data"]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        # The client sent GOAWAY or went away: forwarded connections finish (or see the end) on their own.
        if tasks:
            await asyncio.wait(tasks)
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)


async def _forward_pair(conn: SpdyConnection, connector: NodeConnector, pod: Obj, error: SpdyStream,
                        data: SpdyStream) -> None:
    port_text = data.header("port")
    try:
        port = int(port_text)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        with contextlib.suppress(ConnectionError):
            await error.write(_forward_error(pod, port_text, f'invalid port "{port_text}"').encode())
            await error.close()
            await data.close()
        return
    try:
        reader, writer = await connector.open_port(pod, port)
    except Exception as exc:
        with contextlib.suppress(ConnectionError):
            await error.write(_forward_error(pod, port, exc).encode())
            await error.close()
            await data.close()
        return

    async def upstream() -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await data.read():
                writer.write(chunk)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()

    async def downstream() -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(OUTPUT_CHUNK):
                await data.write(chunk)

    sending = asyncio.create_task(upstream())
    receiving = asyncio.create_task(downstream())
    closed = asyncio.create_task(conn.wait_closed())
    try:
        # Done when the pod's side ends (as kubelet's forwarder), or the client's connection does.
        await asyncio.wait({receiving, closed}, return_when=asyncio.FIRST_COMPLETED)
        if not conn.closed:
            with contextlib.suppress(ConnectionError):
                await data.close()
                await error.close()
    finally:
        for task in (sending, receiving, closed):
            task.cancel()
        await asyncio.gather(sending, receiving, closed, return_exceptions=True)
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def _forward_channels(request: web.Request, connector: NodeConnector, pod: Obj,
                            protocol: str) -> web.StreamResponse:
    """kubelet's WebSocket port-forward (the Python client's): channel 2i carries port i's data, 2i+1 its errors.

    Each channel's first message is its port, two bytes little-endian; the WebSocket closes once every
    forwarded connection has ended.
    """
    ports: list[int] = []
    for value in request.query.getall("ports", []):
        for text in value.split(","):
            try:
                port = int(text)
                if not 0 < port < 65536:
                    raise ValueError
            except ValueError:
                raise errors.bad_request(f'invalid port "{text}"') from None
            ports.append(port)
    if not ports:
        raise errors.bad_request('query parameter "port" is required')
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter] | Exception] = []
    for port in ports:
        try:
            opened.append(await connector.open_port(pod, port))
        except Exception as exc:
            opened.append(exc)
    ws = web.WebSocketResponse(protocols=(protocol,), max_msg_size=0)
    try:
        await ws.prepare(request)
    except BaseException:
        for connection in opened:
            if not isinstance(connection, Exception):
                connection[1].close()
        raise

    async def send(channel: int, payload: bytes) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_bytes(bytes((channel,)) + payload)

    writers = {2 * i: c[1] for i, c in enumerate(opened) if not isinstance(c, Exception)}
    for index, (port, connection) in enumerate(zip(ports, opened, strict=True)):
        prefix = struct.pack("<H", port)
        await send(2 * index, prefix)
        await send(2 * index + 1, prefix)
        if isinstance(connection, Exception):
            await send(2 * index + 1, _forward_error(pod, port, connection).encode())

    async def pump(channel: int, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(OUTPUT_CHUNK):
                await send(channel, chunk)

    async def receive() -> None:
        async for message in ws:
            data = _message_bytes(message)
            writer = writers.get(data[0]) if data else None
            if writer is not None:
                with contextlib.suppress(ConnectionError):
                    writer.write(data[1:])
                    await writer.drain()

    pumps: asyncio.Future[list[None]] = asyncio.gather(
        *(pump(2 * i, c[0]) for i, c in enumerate(opened) if not isinstance(c, Exception)))
    receiver = asyncio.create_task(receive())
    try:
        # Over once every pod connection has ended, or when the client leaves.
        waiting: set[asyncio.Future[Any]] = {pumps, receiver}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        pumps.cancel()
        receiver.cancel()
        await asyncio.gather(pumps, receiver, return_exceptions=True)
        for writer in writers.values():
            writer.close()
        with contextlib.suppress(ConnectionError, RuntimeError, asyncio.TimeoutError):
            await ws.close()
    return ws


# proxy


def _proxy_subpath(request: web.Request, target: Target) -> str:
    """What follows ``.../proxy`` in the raw path, slashes and escapes kept ("" when nothing does)."""
    raw = request.raw_path.split("?", 1)[0]
    segments = raw.split("/")
    rest = [p for p in str(target.rest).split("/") if p]
    before = sum(1 for s in segments if s) - len(rest)
    seen = 0
    for index, segment in enumerate(segments):
        if segment:
            seen += 1
            if seen == before:
                tail = segments[index + 1:]
                return "/" + "/".join(tail) if tail else ""
    return ""


def _container_port(pod: Obj, port: str | int) -> int | None:
    """A port number, or the number of the pod's container port of that name."""
    if isinstance(port, int):
        return port
    if port.isdigit():
        return int(port)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for declared in container.get("ports") or []:
            if declared.get("name") == port and declared.get("containerPort"):
                return int(declared["containerPort"])
    return None


async def _pod_proxy(request: web.Request, connector: NodeConnector, pod: Obj, scheme: str, port_text: str,
                     subpath: str) -> web.StreamResponse:
    name = _pod_name(pod)
    port: int | None
    if port_text:
        port = _container_port(pod, port_text)
        if port is None:
            raise errors.bad_request(f'pod {name} has no container port named "{port_text}"')
    else:
        # No port named: the first declared containerPort, else 80 (kube-apiserver's choice).
        declared = [p for c in (pod.get("spec") or {}).get("containers") or [] for p in c.get("ports") or []]
        port = int(declared[0]["containerPort"]) if declared else 80
    address = connector.pod_address(pod)
    if not address:
        raise errors.service_unavailable(f'pod "{name}" has no address yet')
    return await _relay(request, scheme or "http", address, port, subpath)


async def _service_proxy(request: web.Request, registry: Registry, connector: NodeConnector, service: Obj,
                         scheme: str, port_text: str, subpath: str) -> web.StreamResponse:
    name = str(service["metadata"]["name"])
    ports = (service.get("spec") or {}).get("ports") or []
    chosen: Obj | None
    if port_text.isdigit():
        chosen = next((p for p in ports if str(p.get("port")) == port_text), None)
        if chosen is None:
            raise errors.service_unavailable(f'no service port {port_text} found for service "{name}"')
    else:
        chosen = next((p for p in ports if (p.get("name") or "") == port_text), None)
        if chosen is None and not port_text and len(ports) == 1:
            chosen = ports[0]
    endpoints = await _ready_endpoints(registry, connector, service, chosen) if chosen is not None else []
    if not endpoints:
        raise errors.service_unavailable(f'no endpoints available for service "{name}"')
    address, port = random.choice(endpoints)
    return await _relay(request, scheme or "http", address, port, subpath)




async def _ready_endpoints(registry: Registry, connector: NodeConnector, service: Obj,
                           service_port: Obj) -> list[tuple[str, int]]:
    """(address, port) of every ready endpoint serving ``service_port``: from EndpointSlices, else the selector."""
    meta = service["metadata"]
    namespace, name = meta.get("namespace") or "default", meta["name"]
    pods_rt = resource("v1", "pods")
    pods = registry.store_for(pods_rt)
    slices_rt = resource("discovery.k8s.io/v1", "endpointslices")
    slices = (await registry.store_for(slices_rt).list(
        slices_rt, namespace, ListOptions(label_selector=f"kubernetes.io/service-name={name}")))["items"]
    port_name = service_port.get("name") or ""
    found: list[tuple[str, int]] = []
    if slices:
        for endpoint_slice in slices:
            number = next((p.get("port") for p in endpoint_slice.get("ports") or []
                           if (p.get("name") or "") == port_name and p.get("port")), None)
            if number is None:
                continue
            for endpoint in endpoint_slice.get("endpoints") or []:
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                ref = endpoint.get("targetRef") or {}
                pod = (pods.get_cached(ref.get("namespace") or namespace, ref["name"])
                       if ref.get("kind") == "Pod" and ref.get("name") else None)
                address = connector.pod_address(pod) if pod is not None else None
                if not address:
                    address = next(iter(endpoint.get("addresses") or []), None)
                if address:
                    found.append((str(address), int(number)))
        return found
    selector = (service.get("spec") or {}).get("selector") or {}
    if not selector:
        return found
    matching = (await pods.list(pods_rt, namespace, ListOptions(
        label_selector=",".join(f"{k}={v}" for k, v in sorted(selector.items())))))["items"]
    target_port: int | str = service_port.get("targetPort") or service_port.get("port") or 0
    for pod in matching:
        status = pod.get("status") or {}
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
        if status.get("phase") != "Running" or not ready or pod["metadata"].get("deletionTimestamp"):
            continue
        number = _container_port(pod, target_port)
        address = connector.pod_address(pod)
        if number is not None and address:
            found.append((address, number))
    return found


class _RelayedResponse(web.StreamResponse):
    """A response that carries exactly the upstream's headers: aiohttp would add a Content-Type otherwise."""

    async def _prepare_headers(self) -> None:
        had_type = hdrs.CONTENT_TYPE in self.headers
        await super()._prepare_headers()
        if not had_type:
            self.headers.popall(hdrs.CONTENT_TYPE, None)


def _relayed_headers(headers: Any, *, drop: frozenset[str]) -> list[tuple[str, str]]:
    named = {token.strip().lower() for value in headers.getall(hdrs.CONNECTION, []) for token in value.split(",")}
    return [(key, value) for key, value in headers.items() if key.lower() not in drop and key.lower() not in named]


async def _body(request: web.Request) -> AsyncIterator[bytes]:
    async for chunk in request.content.iter_any():
        yield chunk


async def _relay(request: web.Request, scheme: str, address: str, port: int, subpath: str) -> web.StreamResponse:
    """Forward the request as it came (method, path, query, headers, body) and stream the reply back."""
    host = f"[{address}]" if ":" in address else address
    query = request.raw_path.partition("?")[2]
    url = URL(f"{scheme}://{host}:{port}{subpath}" + (f"?{query}" if query else ""), encoded=True)
    headers = CIMultiDict(_relayed_headers(request.headers, drop=_NOT_FORWARDED))
    if request.remote:
        prior = headers.popall("X-Forwarded-For", [])
        headers["X-Forwarded-For"] = ", ".join([*prior, request.remote])
    has_body = request.body_exists
    session = aiohttp.ClientSession(auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None, connect=10),
                                    connector=aiohttp.TCPConnector(ssl=False, force_close=True))
    try:
        try:
            upstream = await session.request(request.method, url, headers=headers, allow_redirects=False,
                                             data=_body(request) if has_body else None,
                                             skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept",
                                                                "Content-Type"))
        except aiohttp.ClientConnectorError as exc:
            # Go's wording, as kube-apiserver reports it: "dial tcp 10.1.2.3:8080: connect: connection refused".
            number = exc.os_error.errno
            reason = (os.strerror(number) if number else str(exc.os_error) or str(exc)).lower()
            raise errors.service_unavailable(f"error trying to reach service: dial tcp {address}:{port}: connect: "
                                             f"{reason}") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise errors.service_unavailable(f"error trying to reach service: {exc}") from None
        async with upstream:
            response = _RelayedResponse(status=upstream.status, reason=upstream.reason)
            for key, value in _relayed_headers(upstream.headers, drop=_HOP_BY_HOP):
                response.headers.add(key, value)
            await response.prepare(request)
            try:
                async for chunk in upstream.content.iter_any():
                    await response.write(chunk)
                await response.write_eof()
            except aiohttp.ClientPayloadError:
                # The pod broke off mid-body: break off too, rather than end the reply as if it were whole.
                if request.transport is not None:
                    request.transport.abort()
            except ConnectionError:
                pass
            return response
    finally:
        await session.close()
