"""Benchmarks of the StatefulSet controller, on an in-process control plane with the fake node.

    python benchmarks/statefulset.py [--quick]

A real registry on SQLite, the LocalClient, the controller (5 workers) and the garbage collector run
in one event loop, as under ``petset up``; the test suite's fake node plays the kubelet (it reports
each pod Running and Ready: one status write per pod; with no scheduler, pods are not bound to a node). Every set has one
volume claim template, as the book's, so each replica is a claim and a pod. It prints:

* the time until a 100-replica Parallel set is all Ready (``status.readyReplicas`` == 100);
* pods created per second for 1 set x 1,000 replicas and for 100 sets x 10 replicas, from the
  creation of the set(s) to the last pod's ADDED event (Parallel; OrderedReady for comparison,
  where each pod also waits for its predecessor to be reported Ready);
* the delay from a pod's deletion (forced, grace 0) to its replacement's creation (p50, p99, max).

Targets: >= 200 pods/s; replacement < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from petset.client.events import EventRecorder  # noqa: E402
from petset.client.informer import InformerFactory  # noqa: E402
from petset.client.local import LocalClient  # noqa: E402
from petset.controllers.garbagecollector import GarbageCollector  # noqa: E402
from petset.controllers.statefulset import StatefulSetController  # noqa: E402
from tests.support.fakenode import FakeNode  # noqa: E402
from tests.support.inproc import PODS, STATEFULSETS, control_plane  # noqa: E402

Obj = dict[str, Any]
TARGET_PODS_PER_S = 200.0
TARGET_REPLACEMENT_MS = 50.0


def statefulset(name: str, replicas: int, policy: str) -> Obj:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
        "spec": {
            "replicas": replicas, "serviceName": name, "podManagementPolicy": policy,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                {"name": "kubia", "image": "luksa/kubia-pet", "volumeMounts": [{"name": "data",
                                                                                 "mountPath": "/var/data"}]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Mi"}}}}],
        },
    }


class Bench:
    def __init__(self, client: LocalClient) -> None:
        self.client = client
        self.added: dict[str, float] = {}
        self.deleted: dict[str, float] = {}
        self._ready_waiters: list[tuple[int, asyncio.Future[float]]] = []

    async def watch(self) -> None:
        listed = await self.client.list(PODS, "default")
        async for kind, pod in self.client.watch(PODS, "default", resource_version=listed["metadata"]["resourceVersion"]):
            now = time.perf_counter()
            name = pod["metadata"]["name"]
            if kind == "ADDED":
                self.added[name] = now
            elif kind == "DELETED":
                self.deleted[name] = now


@contextlib.asynccontextmanager
async def running(data_dir: Path) -> AsyncIterator[Bench]:
    async with control_plane(data_dir) as client:
        informers = InformerFactory(client)
        recorder = EventRecorder(client, "statefulset-controller")
        collector = GarbageCollector(client, informers)
        controller = StatefulSetController(client, informers, recorder)
        informers.start()
        collector.start()
        controller.start()
        node = await FakeNode(client).start()
        await informers.wait_synced()
        bench = Bench(client)
        watcher = asyncio.create_task(bench.watch())
        await asyncio.sleep(0.05)
        try:
            yield bench
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            for part in (controller, collector, node, recorder, informers):
                await part.stop()


async def _until(check: Any, timeout: float, interval: float = 0.01) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if await check():
            return
        await asyncio.sleep(interval)
    raise TimeoutError("benchmark step did not finish")


async def all_ready(client: LocalClient, names: list[str], replicas: int) -> bool:
    for name in names:
        sts = await client.get(STATEFULSETS, "default", name)
        if sts["status"].get("readyReplicas", 0) != replicas:
            return False
    return True


async def time_to_ready(replicas: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        async with running(Path(tmp)) as bench:
            start = time.perf_counter()
            await bench.client.create(STATEFULSETS, "default", statefulset("web", replicas, "Parallel"))
            await _until(lambda: all_ready(bench.client, ["web"], replicas), 120)
            return time.perf_counter() - start


async def creation_rate(sets: int, replicas: int, policy: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        async with running(Path(tmp)) as bench:
            start = time.perf_counter()
            for i in range(sets):
                await bench.client.create(STATEFULSETS, "default", statefulset(f"s{i}", replicas, policy))

            async def all_added() -> bool:
                return len(bench.added) >= sets * replicas

            await _until(all_added, 300, 0.02)
            return sets * replicas / (max(bench.added.values()) - start)


async def replacement_delays(rounds: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        async with running(Path(tmp)) as bench:
            await bench.client.create(STATEFULSETS, "default", statefulset("kubia", 3, "OrderedReady"))
            await _until(lambda: all_ready(bench.client, ["kubia"], 3), 30)
            delays = []
            for i in range(rounds):
                name = f"kubia-{i % 3}"
                bench.added.pop(name, None)
                before = time.perf_counter()
                await bench.client.delete(PODS, "default", name, grace_period_seconds=0)

                async def recreated(name: str = name) -> bool:
                    return name in bench.added

                await _until(recreated, 10, 0.001)
                delays.append(bench.added[name] - before)
                await _until(lambda: all_ready(bench.client, ["kubia"], 3), 10)
            return delays


def _line(label: str, value: str, verdict: str = "") -> None:
    print(f"  {label:<52} {value:>14}  {verdict}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller runs (for a smoke test)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1

    print("StatefulSet controller (in-process control plane, fake node, one claim per pod)")
    seconds = await time_to_ready(100 // scale)
    _line(f"{100 // scale}-replica Parallel set all Ready", f"{seconds:.2f} s")
    for sets, replicas in ((1, 1000 // scale), (100 // scale, 10)):
        for policy in ("Parallel", "OrderedReady"):
            rate = await creation_rate(sets, replicas, policy)
            verdict = ("ok" if rate >= TARGET_PODS_PER_S else "BELOW TARGET") if policy == "Parallel" else ""
            _line(f"pods created/s, {sets} set(s) x {replicas} ({policy})", f"{rate:.0f} pods/s",
                  f"{verdict} (target >= {TARGET_PODS_PER_S:.0f})" if verdict else "")
    delays = sorted(d * 1000 for d in await replacement_delays(60 // scale))
    p99 = delays[min(len(delays) - 1, round(0.99 * (len(delays) - 1)))]
    _line("deleted pod -> replacement created, p50", f"{statistics.median(delays):.1f} ms",
          "ok" if statistics.median(delays) < TARGET_REPLACEMENT_MS else "ABOVE TARGET")
    _line("deleted pod -> replacement created, p99 / max", f"{p99:.1f} / {delays[-1]:.1f} ms",
          f"(target < {TARGET_REPLACEMENT_MS:.0f} ms)")


if __name__ == "__main__":
    asyncio.run(main())
