"""Durability: what the API acknowledged survives a kill -9, and a watch resumed after the restart
replays what followed the version it resumes from (the store keeps a history of revisions)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
from typing import Any

import aiohttp

from tests.support.raw import RawAPI
from tests.support.server import PetsetProcess

NS = "durable"
CONFIGMAPS = f"/api/v1/namespaces/{NS}/configmaps"
WRITERS = 4
#: Acknowledged creates after which the server is killed, while the writers still have requests in flight.
KILL_AFTER = 150


def _configmap(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


async def _write_until_killed(server: PetsetProcess) -> dict[str, tuple[str, str]]:
    """Concurrent creates; SIGKILL once KILL_AFTER are acknowledged. Returns name -> (uid, rv) of the 201s."""
    assert server.process is not None
    pid = server.process.pid
    acknowledged: dict[str, tuple[str, str]] = {}
    killed = asyncio.Event()
    context = ssl.create_default_context(cafile=str(server.data_dir / "pki" / "ca.crt"))
    session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {server.token}"},
                                    connector=aiohttp.TCPConnector(ssl=context, limit=WRITERS),
                                    timeout=aiohttp.ClientTimeout(total=10))

    async def writer(index: int) -> None:
        for i in range(10_000):
            name = f"w{index}-{i:05d}"
            try:
                async with session.post(server.url + CONFIGMAPS, json=_configmap(name, i=str(i))) as response:
                    body = await response.read()
            except (aiohttp.ClientError, OSError, TimeoutError):
                assert killed.is_set(), "the server failed before it was killed"
                return
            assert response.status == 201, body
            meta = json.loads(body)["metadata"]
            acknowledged[name] = (meta["uid"], meta["resourceVersion"])
            if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                killed.set()
                # The server and anything it started (start_new_session: its own process group).
                os.killpg(pid, signal.SIGKILL)

    try:
        await asyncio.gather(*(writer(w) for w in range(WRITERS)))
    finally:
        await session.close()
    return acknowledged


def _watch(api: RawAPI, path: str, resource_version: str, timeout_seconds: int = 1) -> list[dict[str, Any]]:
    """Every event of a watch from ``resource_version`` until the server ends it."""
    reply = api.get(f"{path}?watch=true&resourceVersion={resource_version}&timeoutSeconds={timeout_seconds}")
    assert reply.status == 200, reply.body
    return [json.loads(line) for line in reply.body.splitlines() if line.strip()]



def test_acknowledged_writes_survive_kill_9_and_watches_resume_across_the_restart(server: PetsetProcess) -> None:
    server.start()
    api = server.raw()
    assert api.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": NS}}).status == 201
    first = api.create(CONFIGMAPS, _configmap("first", v="1")).json()
    resume_from = first["metadata"]["resourceVersion"]
    patched = api.request("PATCH", f"{CONFIGMAPS}/first", {"data": {"v": "2"}},
                          content_type="application/merge-patch+json").json()
    assert api.create(CONFIGMAPS, _configmap("gone")).status == 201
    deleted = api.request("DELETE", f"{CONFIGMAPS}/gone")
    assert deleted.status == 200

    acknowledged = asyncio.run(_write_until_killed(server))
    assert server.process is not None
    assert server.process.wait(10) == -signal.SIGKILL
    server.process = None
    assert len(acknowledged) >= KILL_AFTER

    server.start()
    api = server.raw()
    stored = api.snapshot(CONFIGMAPS)
    missing = sorted(set(acknowledged) - set(stored))
    assert not missing, f"{len(missing)} acknowledged creates lost, e.g. {missing[:5]}"
    for name, (uid, rv) in acknowledged.items():
        assert stored[name] == (uid, rv), name
    assert "gone" not in stored
    assert api.get(f"{CONFIGMAPS}/first").json()["data"] == {"v": "2"}
    listed_rv = int(api.get(CONFIGMAPS).json()["metadata"]["resourceVersion"])
    assert listed_rv >= max(int(rv) for _, rv in acknowledged.values())

    # Resuming from a version acknowledged before the kill replays everything after it, in order.
    events = _watch(api, CONFIGMAPS, resume_from)
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert versions[0] > int(resume_from)
    assert (events[0]["type"], events[0]["object"]["metadata"]["name"]) == ("MODIFIED", "first")
    assert events[0]["object"]["metadata"]["resourceVersion"] == patched["metadata"]["resourceVersion"]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events[1:3]] == [("ADDED", "gone"),
                                                                                    ("DELETED", "gone")]
    added = {e["object"]["metadata"]["name"]: e["object"]["metadata"]["resourceVersion"]
             for e in events if e["type"] == "ADDED"}
    for name, (_uid, rv) in acknowledged.items():
        assert added.get(name) == rv, name
    # Creates committed but not acknowledged before the kill are there too, as in the store.
    assert set(added) - {"gone"} == set(stored) - {"first"}

    # A watch from the current version replays nothing, then delivers what comes next.
    assert _watch(api, CONFIGMAPS, str(listed_rv)) == []
    assert api.create(CONFIGMAPS, _configmap("after-restart")).status == 201
    later = _watch(api, CONFIGMAPS, str(listed_rv))
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in later] == [("ADDED", "after-restart")]
    assert int(later[0]["object"]["metadata"]["resourceVersion"]) > listed_rv
