"""Watches that resume from an older resourceVersion: replayed from the store's history after a
restart, and 410 Expired once compaction has dropped that history."""

from __future__ import annotations

from pathlib import Path

import pytest

from petset.api.errors import StatusError
from petset.client.local import LocalClient
from petset.registry.registry import Registry
from petset.storage.sqlite import SqliteStore
from tests.support.inproc import rt

CONFIGMAPS = rt("v1", "configmaps")


def _cm(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": name}}


async def _events(client: LocalClient, resource_version: str) -> list[tuple[str, str]]:
    return [(kind, obj["metadata"]["name"]) async for kind, obj in
            client.watch(CONFIGMAPS, "default", resource_version=resource_version, timeout_seconds=0)]


async def test_resume_after_restart_replays_from_the_store_then_expires_after_compaction(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db")
    registry = Registry(store)
    await registry.start()
    client = LocalClient(registry)
    first = await client.create(CONFIGMAPS, "default", _cm("a"))
    await client.create(CONFIGMAPS, "default", _cm("b"))
    await client.delete(CONFIGMAPS, "default", "a")
    registry.stop()
    await store.close()

    # A new process: the watch cache starts empty, so the replay comes from the store's log.
    store = SqliteStore(tmp_path / "state.db")
    registry = Registry(store)
    await registry.start()
    client = LocalClient(registry)
    try:
        assert await _events(client, first["metadata"]["resourceVersion"]) == [("ADDED", "b"), ("DELETED", "a")]
        for i in range(5):
            await client.create(CONFIGMAPS, "default", _cm(f"later-{i}"))
        await store.compact(keep=2)
        with pytest.raises(StatusError) as exc:
            await _events(client, first["metadata"]["resourceVersion"])
        assert (exc.value.code, exc.value.reason) == (410, "Expired")
        assert exc.value.message.startswith(f"too old resource version: {first['metadata']['resourceVersion']} (")
    finally:
        registry.stop()
        await store.close()
