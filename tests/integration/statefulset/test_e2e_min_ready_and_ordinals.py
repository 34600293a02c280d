"""Upstream's e2e MinReadySeconds tests (spec §5.3, items 20-21) and "Scaling StatefulSetStartOrdinal"
(§5.6, items 29-32).

Item 21 uses minReadySeconds 30 as upstream does; instead of waiting 30 s the fake node reports the
pods' Ready transition 31 s in the past, which is what waiting would have produced.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.statefulset.conftest import Cluster, new_statefulset
from tests.support.inproc import eventually


async def test_min_ready_seconds_should_be_honored_when_enabled(cluster: Cluster) -> None:
    """Item 20, with minReadySeconds 1 so the controller's own requeue (after minReadySeconds) is what
    makes the pod count as available."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 1, minReadySeconds=1))
    await cluster.wait_running_and_ready("ss", 1)
    sts = await cluster.sts("ss")
    assert sts["status"]["availableReplicas"] == 0
    await cluster.wait_status("ss", lambda s: s["status"]["availableReplicas"] == 1, timeout=5)


async def test_available_replicas_should_get_updated_accordingly_when_min_ready_seconds_is_enabled(
        cluster: Cluster) -> None:
    """Item 21."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 2, minReadySeconds=30))
    await cluster.wait_running_and_ready("ss", 1)

    async def none_available() -> bool:
        return (await cluster.sts("ss"))["status"]["availableReplicas"] == 0

    await cluster.stays(none_available, 0.3)
    assert await cluster.pod_names("ss") == ["ss-0"], "OrderedReady waits for availability"
    long_ago = datetime.now(UTC) - timedelta(seconds=31)
    cluster.node.ready_since("ss-0", long_ago)
    await eventually(lambda: cluster.pod("ss-1"))
    cluster.node.ready_since("ss-1", long_ago)
    await cluster.wait_status("ss", lambda s: s["status"]["availableReplicas"] == 2)
    await cluster.update("ss", lambda s: s["spec"].__setitem__("minReadySeconds", 3600))
    await cluster.wait_status("ss", lambda s: s["status"]["availableReplicas"] == 0)
    await cluster.update("ss", lambda s: s["spec"].__setitem__("minReadySeconds", 0))
    sts = await cluster.wait_status("ss", lambda s: s["status"]["availableReplicas"] == 2)
    assert sts["status"]["availableReplicas"] == 2 and "minReadySeconds" not in sts["spec"]


async def _active(cluster: Cluster) -> list[str]:
    return await cluster.pod_names("ss", include_terminating=False)


async def _settled(cluster: Cluster, names: list[str]) -> bool:
    sts = await cluster.sts("ss")
    status = sts["status"]
    return (await _active(cluster) == names and status.get("observedGeneration") == sts["metadata"]["generation"]
            and status["replicas"] == len(names) and status.get("readyReplicas", 0) == len(names))


def _ordinals(start: int | None, replicas: int | None = None) -> object:
    def change(sts: dict) -> None:
        if start is None:
            sts["spec"].pop("ordinals", None)
        else:
            sts["spec"]["ordinals"] = {"start": start}
        if replicas is not None:
            sts["spec"]["replicas"] = replicas
    return change


async def test_setting_start_ordinal(cluster: Cluster) -> None:
    """Item 29."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 2))
    await eventually(lambda: _settled(cluster, ["ss-0", "ss-1"]))
    await cluster.update("ss", _ordinals(2, 3))
    await eventually(lambda: _settled(cluster, ["ss-2", "ss-3", "ss-4"]))


async def test_increasing_start_ordinal(cluster: Cluster) -> None:
    """Item 30."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 2, ordinals={"start": 2}))
    await eventually(lambda: _settled(cluster, ["ss-2", "ss-3"]))
    await cluster.update("ss", _ordinals(4))
    await eventually(lambda: _settled(cluster, ["ss-4", "ss-5"]))


async def test_decreasing_start_ordinal(cluster: Cluster) -> None:
    """Item 31."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 2, ordinals={"start": 3}))
    await eventually(lambda: _settled(cluster, ["ss-3", "ss-4"]))
    await cluster.update("ss", _ordinals(2))
    await eventually(lambda: _settled(cluster, ["ss-2", "ss-3"]))


async def test_removing_start_ordinal(cluster: Cluster) -> None:
    """Item 32."""
    await cluster.create_service()
    await cluster.create(new_statefulset("ss", 2, ordinals={"start": 3}))
    await eventually(lambda: _settled(cluster, ["ss-3", "ss-4"]))
    await cluster.update("ss", _ordinals(None))
    await eventually(lambda: _settled(cluster, ["ss-0", "ss-1"]))
