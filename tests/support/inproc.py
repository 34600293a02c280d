"""An in-process control plane for tests of controllers: a real store, registry and LocalClient.

No HTTP and no subprocess: fast, and the registry's full semantics (validation, defaults,
resourceVersions, graceful deletion, watches) apply exactly as behind `petset up`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from petset.api.resources import ResourceType, lookup
from petset.client.local import LocalClient
from petset.registry.registry import Registry
from petset.storage.sqlite import SqliteStore


def rt(group_version: str, plural: str) -> ResourceType:
    group, _, version = group_version.rpartition("/")
    found = lookup(group, version, plural)
    assert found is not None, (group_version, plural)
    return found


PODS = rt("v1", "pods")
NODES = rt("v1", "nodes")
SERVICES = rt("v1", "services")
PVCS = rt("v1", "persistentvolumeclaims")
PVS = rt("v1", "persistentvolumes")
EVENTS = rt("v1", "events")
STATEFULSETS = rt("apps/v1", "statefulsets")
REVISIONS = rt("apps/v1", "controllerrevisions")
ENDPOINTSLICES = rt("discovery.k8s.io/v1", "endpointslices")


@asynccontextmanager
async def control_plane(data_dir: Path) -> AsyncIterator[LocalClient]:
    """A started registry on a fresh SQLite file, and a LocalClient on it."""
    store = SqliteStore(data_dir / "state.db")
    registry = Registry(store)
    await registry.start()
    try:
        yield LocalClient(registry)
    finally:
        registry.stop()
        await store.close()


async def eventually(check: Callable[[], Any], *, timeout: float = 5.0, interval: float = 0.01) -> Any:
    """Poll ``check`` (sync or async) until it returns a truthy value; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")
