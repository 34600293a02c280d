"""The cluster DNS server: ``cluster.local`` over UDP and TCP, answered from informer caches.

Services, EndpointSlices and pods arrive through informers; each event replaces that object's
records in the ``RecordIndex`` (see ``records``), so a query only reads memory. On top of the
index sits a cache of finished responses keyed by the query's bytes after its id: a repeated
question is answered by patching in the new id, with no parsing and no packing. Any change to
the index empties the cache, so an answer is never older than the last event.

UDP is read straight from a non-blocking socket, many datagrams per wake-up, because asyncio's
datagram transport costs a loop iteration per packet. A UDP answer larger than the client takes
(512 bytes, or its EDNS0 size) is sent truncated (TC) and the client asks again over TCP. Names
outside the zone go to the upstream resolvers, or are REFUSED when there are none.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Sequence
from typing import Any

from petset.client.informer import InformerFactory
from petset.client.interface import resource
from petset.dns import wire
from petset.dns.forward import Forwarder, Upstream, parse_upstreams, resolv_conf_nameservers, without_self
from petset.dns.records import RecordIndex, pod_records, service_records

__all__ = ["DNSServer"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
#: Datagrams handled per wake-up before other work (TCP, informer events) gets its turn.
UDP_BATCH = 256
#: Finished responses kept; past this the cache starts over (random names must not grow it forever).
CACHE_LIMIT = 20000
TCP_IDLE_TIMEOUT = 10.0
SYNC_TIMEOUT = 5.0




SERVICES = resource("v1", "services")
PODS = resource("v1", "pods")
ENDPOINT_SLICES = resource("discovery.k8s.io/v1", "endpointslices")


def _bind_pair(host: str, port: int) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket on the same port (an ephemeral one when ``port`` is 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(20):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        tcp = socket.socket(family, socket.SOCK_STREAM)
        try:
            udp.bind((host, port))
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((host, udp.getsockname()[1]))
        except OSError as exc:
            udp.close()
            tcp.close()
            if port == 0 and exc.errno == errno.EADDRINUSE:
                continue  # the TCP side of that ephemeral port was taken: pick another
            raise
        udp.setblocking(False)
        tcp.setblocking(False)
        with contextlib.suppress(OSError):
            udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        return udp, tcp
    raise OSError(errno.EADDRINUSE, "no port free for both UDP and TCP")


class DNSServer:
    def __init__(self, informers: InformerFactory, *, host: str = "127.0.0.1", port: int = 53,
                 zone: str = "cluster.local", ttl: int = 30, upstreams: Sequence[str | Upstream] | None = None,
                 resolv_conf: str = "/etc/resolv.conf") -> None:
        self.host = host
        self.port = port
        self.zone = zone.strip(".").lower()
        self.ttl = ttl
        self.index = RecordIndex(self.zone, ttl=ttl)
        self.index.on_change(self._invalidate)
        self.forwarder = Forwarder([])
        self._upstreams = upstreams
        self._resolv_conf = resolv_conf
        self._services = informers.get(SERVICES)
        self._slices = informers.get(ENDPOINT_SLICES)
        self._pods = informers.get(PODS)
        #: (namespace, service) -> slice name -> slice: what the service's records are built from.
        self._slices_by_service: dict[tuple[str, str], dict[str, Obj]] = {}
        self._udp_cache: dict[bytes, bytes] = {}
        self._tcp_cache: dict[bytes, bytes] = {}
        self._udp: socket.socket | None = None
        self._tcp_server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._services.add_handlers(on_add=self._service_event, on_update=lambda _, new: self._service_event(new),
                                    on_delete=self._service_event)
        self._slices.add_handlers(on_add=self._slice_added, on_update=self._slice_updated,
                                  on_delete=self._slice_deleted)
        self._pods.add_handlers(on_add=self._pod_event, on_update=lambda _, new: self._pod_event(new),
                                on_delete=self._pod_deleted)

    # index maintenance, one object at a time

    def _invalidate(self) -> None:
        self._udp_cache.clear()
        self._tcp_cache.clear()

    def _refresh_service(self, namespace: str, name: str) -> None:
        service = self._services.get(namespace, name)
        records = set()
        if service is not None:
            records = service_records(service, self._slices_by_service.get((namespace, name), {}).values(), self.zone)
        self.index.set_source(f"service/{namespace}/{name}", records)

    def _service_event(self, service: Obj) -> None:
        self._refresh_service(service["metadata"].get("namespace", ""), service["metadata"]["name"])

    @staticmethod
    def _slice_owner(endpoint_slice: Obj) -> tuple[str, str] | None:
        service = (endpoint_slice["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
        return (endpoint_slice["metadata"].get("namespace", ""), service) if service else None

    def _slice_added(self, endpoint_slice: Obj) -> None:
        owner = self._slice_owner(endpoint_slice)
        if owner is not None:
            self._slices_by_service.setdefault(owner, {})[endpoint_slice["metadata"]["name"]] = endpoint_slice
            self._refresh_service(*owner)

    def _slice_updated(self, old: Obj, new: Obj) -> None:
        if self._slice_owner(old) != self._slice_owner(new):
            self._slice_deleted(old)
        self._slice_added(new)

    def _slice_deleted(self, endpoint_slice: Obj) -> None:
        owner = self._slice_owner(endpoint_slice)
        if owner is None:
            return
        slices = self._slices_by_service.get(owner, {})
        slices.pop(endpoint_slice["metadata"]["name"], None)
        if not slices:
            self._slices_by_service.pop(owner, None)
        self._refresh_service(*owner)

    def _pod_event(self, pod: Obj) -> None:
        meta = pod["metadata"]
        self.index.set_source(f"pod/{meta.get('namespace', '')}/{meta['name']}", pod_records(pod, self.zone))

    def _pod_deleted(self, pod: Obj) -> None:
        meta = pod["metadata"]
        self.index.set_source(f"pod/{meta.get('namespace', '')}/{meta['name']}", set())

    def _load(self) -> None:
        """Everything already cached: handlers added after an informer's first list never saw it."""
        for endpoint_slice in self._slices.list():
            self._slice_added(endpoint_slice)
        for service in self._services.list():
            self._service_event(service)
        for pod in self._pods.list():
            self._pod_event(pod)

    # lifecycle

    async def start(self) -> None:
        informers = (self._services, self._slices, self._pods)
        for informer in informers:
            informer.start()  # a no-op when the factory has started it already
        try:
            await asyncio.wait_for(asyncio.gather(*(i.wait_synced() for i in informers)), SYNC_TIMEOUT)
        except TimeoutError:
            log.warning("dns: caches not synced after %.0fs; serving what there is", SYNC_TIMEOUT)
        self._load()
        udp, tcp = _bind_pair(self.host, self.port)
        self.port = udp.getsockname()[1]
        if self._upstreams is None:
            upstreams = without_self(resolv_conf_nameservers(self._resolv_conf), self.host, self.port)
        else:
            upstreams = parse_upstreams(self._upstreams)
        self.forwarder = Forwarder(upstreams)
        loop = asyncio.get_running_loop()
        self._udp = udp
        loop.add_reader(udp.fileno(), self._udp_readable)
        self._tcp_server = await asyncio.start_server(self._serve_tcp, sock=tcp)
        log.info("dns: serving %s on %s:%d (upstreams: %s)", self.zone, self.host, self.port,
                 ", ".join(f"{h}:{p}" for h, p in upstreams) or "none")

    async def stop(self) -> None:
        if self._udp is not None:
            asyncio.get_running_loop().remove_reader(self._udp.fileno())
            self._udp.close()
            self._udp = None
        if self._tcp_server is not None:
            self._tcp_server.close()
            await self._tcp_server.wait_closed()
            self._tcp_server = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # answering

    def _answer(self, data: bytes, *, tcp: bool) -> bytes | wire.Query | None:
        """The response to ``data``, a Query to forward, or None to stay silent."""
        try:
            query = wire.parse_query(data)
        except wire.FormatError as exc:
            log.debug("dns: FORMERR: %s", exc)
            return wire.error_response(data, wire.FORMERR)
        if query is None:
            return None
        if query.opcode != 0:
            return wire.error_response(data, wire.NOTIMP, query)
        if query.edns and query.edns_version != 0:
            return wire.badvers_response(query)
        if query.qtype == wire.OPT:
            return wire.error_response(data, wire.FORMERR, query)
        if query.qclass not in (wire.CLASS_IN, wire.CLASS_ANY) or query.qtype in (251, 252):
            return wire.error_response(data, wire.REFUSED, query)  # CHAOS and the like; IXFR, AXFR
        found = self.index.lookup(query.name, query.qtype)
        if found is None:
            if not self.forwarder:
                return wire.error_response(data, wire.REFUSED, query)
            return query if not self.forwarder.busy else wire.error_response(data, wire.SERVFAIL, query)
        response = wire.build_response(query, found, ttl=self.ttl, ra=bool(self.forwarder),
                                       limit=65535 if tcp else query.udp_size)
        cache = self._tcp_cache if tcp else self._udp_cache
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[data[2:]] = response[2:]
        return response

    def _udp_readable(self) -> None:
        sock = self._udp
        if sock is None:
            return
        cache = self._udp_cache
        for _ in range(UDP_BATCH):
            try:
                data, addr = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.debug("dns: udp receive: %s", exc)
                return
            cached = cache.get(data[2:])
            if cached is not None:
                reply: bytes | wire.Query | None = data[:2] + cached
            else:
                try:
                    reply = self._answer(data, tcp=False)
                except Exception:
                    log.exception("dns: answering a query failed")
                    reply = wire.error_response(data, wire.SERVFAIL) if len(data) >= 12 else None
            if isinstance(reply, wire.Query):
                self._spawn(self._forward_udp(data, addr))
            elif reply is not None:
                # Send buffer full or peer gone: like any UDP server under load, drop the answer.
                with contextlib.suppress(OSError):
                    sock.sendto(reply, addr)

    async def _forward_udp(self, data: bytes, addr: Any) -> None:
        answer = await self.forwarder.forward(data, tcp=False)
        if answer is None:
            answer = wire.error_response(data, wire.SERVFAIL)
        if self._udp is not None:
            with contextlib.suppress(OSError):
                self._udp.sendto(answer, addr)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cache = self._tcp_cache
        try:
            while True:
                length = int.from_bytes(await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_TIMEOUT), "big")
                if length < 12:
                    return  # nothing to answer on a stream that is not DNS
                data = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE_TIMEOUT)
                cached = cache.get(data[2:])
                reply: bytes | wire.Query | None
                if cached is not None:
                    reply = data[:2] + cached
                else:
                    try:
                        reply = self._answer(data, tcp=True)
                    except Exception:
                        log.exception("dns: answering a query failed")
                        reply = wire.error_response(data, wire.SERVFAIL)
                if isinstance(reply, wire.Query):
                    reply = await self.forwarder.forward(data, tcp=True) or wire.error_response(data, wire.SERVFAIL)
                if reply is None:
                    return
                writer.write(len(reply).to_bytes(2, "big") + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()
