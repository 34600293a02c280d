"""An in-process cluster for DNS tests: control plane, EndpointsController and DNSServer in one loop.

Pods are made Ready the way a node would: status (phase, podIP, Ready condition) written
through the status subresource. Queries are real UDP/TCP on 127.0.0.1, sent with dnspython.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.asyncquery
import dns.message
import dns.rcode
import dns.rdatatype
import yaml

from petset.client.informer import InformerFactory
from petset.client.local import LocalClient
from petset.controllers.endpoints import EndpointsController
from petset.dns import DNSServer
from tests.support.inproc import PODS, SERVICES, control_plane, eventually

CHAPTER10 = Path(__file__).resolve().parents[4] / "shared" / "examples" / "kubernetes-in-action" / "Chapter10"

Obj = dict[str, Any]


def manifest(name: str) -> Obj:
    return yaml.safe_load((CHAPTER10 / name).read_text())


def pod_ip(ordinal: int) -> str:
    return f"10.244.{ordinal // 200}.{ordinal % 200 + 10}"


@dataclass
class DNSCluster:
    client: LocalClient
    informers: InformerFactory
    controller: EndpointsController
    server: DNSServer

    @property
    def port(self) -> int:
        return self.server.port

    async def create_service(self, body: Obj, namespace: str = "default") -> Obj:
        return await self.client.create(SERVICES, namespace, copy.deepcopy(body))

    async def create_pod(self, name: str, *, ready: bool = True, ip: str | None = None, namespace: str = "default",
                         labels: dict[str, str] | None = None, subdomain: str = "kubia",
                         node_name: str | None = None) -> Obj:
        """A pod as the StatefulSet controller makes it (hostname, subdomain), then given an IP by its node."""
        ordinal = int(name.rsplit("-", 1)[1])
        pod = await self.client.create(PODS, namespace, {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {"app": "kubia"}},
            "spec": {"hostname": name, "subdomain": subdomain, **({"nodeName": node_name} if node_name else {}),
                     "containers": [{"name": "kubia", "image": "luksa/kubia-pet",
                                     "ports": [{"name": "http", "containerPort": 8080}]}]}})
        address = ip or pod_ip(ordinal)
        pod["status"].update(phase="Running", podIP=address, podIPs=[{"ip": address}],
                             conditions=[{"type": "Ready", "status": "True" if ready else "False"}])
        return await self.client.update(PODS, namespace, pod, subresource="status")

    async def set_ready(self, name: str, ready: bool, namespace: str = "default") -> None:
        pod = await self.client.get(PODS, namespace, name)
        pod["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
        await self.client.update(PODS, namespace, pod, subresource="status")

    async def delete_pod(self, name: str, namespace: str = "default") -> None:
        await self.client.delete(PODS, namespace, name, grace_period_seconds=0)

    async def query(self, name: str, rtype: str = "A", *, tcp: bool = False, payload: int | None = None,
                    timeout: float = 2.0) -> dns.message.Message:
        q = dns.message.make_query(name, rtype, use_edns=payload is not None, payload=payload or 1232)
        if tcp:
            return await dns.asyncquery.tcp(q, "127.0.0.1", port=self.port, timeout=timeout)
        return await dns.asyncquery.udp(q, "127.0.0.1", port=self.port, timeout=timeout)

    async def wait_for(self, name: str, rtype: str, predicate: Any, *, timeout: float = 3.0,
                       tcp: bool = False) -> dns.message.Message:
        async def check() -> dns.message.Message | None:
            answer = await self.query(name, rtype, tcp=tcp)
            return answer if predicate(answer) else None
        result: dns.message.Message = await eventually(check, timeout=timeout, interval=0.005)
        return result


@asynccontextmanager
async def dns_cluster(data_dir: Path, *, ttl: int = 30, upstreams: list[Any] | None = None
                      ) -> AsyncIterator[DNSCluster]:
    async with control_plane(data_dir) as client:
        informers = InformerFactory(client)
        controller = EndpointsController(client, informers)
        server = DNSServer(informers, port=0, ttl=ttl, upstreams=upstreams if upstreams is not None else [])
        informers.start()
        controller.start()
        await server.start()
        try:
            yield DNSCluster(client, informers, controller, server)
        finally:
            await server.stop()
            await controller.stop()
            await informers.stop()
            await asyncio.sleep(0)


def answers(message: dns.message.Message, rtype: str | None = None) -> list[str]:
    """The answer section as sorted ``name ttl type rdata`` lines (optionally one type only)."""
    out = []
    for rrset in message.answer:
        if rtype is not None and dns.rdatatype.to_text(rrset.rdtype) != rtype:
            continue
        for rdata in rrset:
            out.append(f"{rrset.name} {rrset.ttl} {dns.rdatatype.to_text(rrset.rdtype)} {rdata}")
    return sorted(out)


def section(records: list[Any]) -> list[str]:
    return sorted(f"{rrset.name} {rrset.ttl} {dns.rdatatype.to_text(rrset.rdtype)} {rdata}"
                  for rrset in records for rdata in rrset)


def rcode(message: dns.message.Message) -> str:
    return dns.rcode.to_text(message.rcode())
