"""Protocol corners no CLI here exercises: v4.channel.k8s.io exec (older clients) and failed negotiations."""

from __future__ import annotations

import asyncio
import json
import ssl

import aiohttp

from tests.integration.streams.harness import StreamsCluster

PODS = "/api/v1/namespaces/default/pods"


async def _exec_v4(cluster: StreamsCluster, pod: str, query: str, stdin: bytes = b"") -> list[bytes]:
    context = ssl.create_default_context(cafile=str(cluster.ca_file))
    headers = {"Authorization": f"Bearer {cluster.token}"}
    async with aiohttp.ClientSession() as session, session.ws_connect(
            f"{cluster.url}{PODS}/{pod}/exec?{query}", protocols=("v4.channel.k8s.io",), ssl=context,
            headers=headers) as ws:
        assert ws.protocol == "v4.channel.k8s.io"
        if stdin:
            await ws.send_bytes(b"\x00" + stdin)
        messages = []
        async for message in ws:
            assert message.type == aiohttp.WSMsgType.BINARY
            messages.append(message.data)
        return messages


def test_exec_v4_channels(cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name)
    messages = asyncio.run(_exec_v4(cluster, pod_name, "command=sh&command=-c&command=echo+out%3B+echo+err+%3E%262"
                                                        "%3B+exit+7&stdout=true&stderr=true"))
    assert b"\x01out\n" in messages and b"\x02err\n" in messages
    assert messages[-1][:1] == b"\x03"
    assert json.loads(messages[-1][1:]) == {
        "metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
        "message": "command terminated with non-zero exit code: exit status 7",
        "details": {"causes": [{"reason": "ExitCode", "message": "7"}]}}

    # v4 has no close signal: a command that reads to EOF must not depend on it, so this one reads one line.
    messages = asyncio.run(_exec_v4(cluster, pod_name, "command=head&command=-n1&stdin=true&stdout=true",
                                    stdin=b"first\nsecond\n"))
    assert messages == [b"\x01first\n", b'\x03{"metadata":{},"status":"Success"}']


async def _handshake(cluster: StreamsCluster, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict]:
    context = ssl.create_default_context(cafile=str(cluster.ca_file))
    async with aiohttp.ClientSession() as session, session.request(
            method, cluster.url + path, ssl=context,
            headers={"Authorization": f"Bearer {cluster.token}", **headers}) as response:
        return response.status, await response.json(content_type=None)


def test_failed_negotiations_are_statuses(cluster: StreamsCluster, pod_name: str) -> None:
    cluster.create_pod(pod_name)
    websocket = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                 "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "channel.k8s.io"}
    status, body = asyncio.run(_handshake(cluster, "GET", f"{PODS}/{pod_name}/exec?command=true&stdout=true",
                                          websocket))
    assert status == 400 and "unable to negotiate protocol" in body["message"]
    status, body = asyncio.run(_handshake(cluster, "GET", f"{PODS}/{pod_name}/portforward", websocket))
    assert status == 400 and "unable to negotiate protocol" in body["message"]

    spdy = {"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": "channel.k8s.io"}
    status, body = asyncio.run(_handshake(cluster, "POST", f"{PODS}/{pod_name}/exec?command=true&stdout=true", spdy))
    assert (status, body["reason"]) == (403, "Forbidden")
    status, body = asyncio.run(_handshake(cluster, "POST", f"{PODS}/{pod_name}/portforward", spdy))
    assert (status, body["reason"]) == (403, "Forbidden")
    status, body = asyncio.run(_handshake(cluster, "POST", f"{PODS}/{pod_name}/exec?command=true", spdy))
    assert body["message"] == "you must specify at least 1 of stdin, stdout, stderr"
