"""The controller manager's leader election across a clean restart."""

from __future__ import annotations

import time
from pathlib import Path

from petset.controllers.manager import LEASE_NAME, ControllerManager
from tests.support.inproc import control_plane, rt

LEASES = rt("coordination.k8s.io/v1", "leases")


async def test_a_clean_stop_releases_the_lease_for_the_next_manager(tmp_path: Path) -> None:
    async with control_plane(tmp_path) as client:
        first = ControllerManager(client)
        await first.start()
        held = (await client.get(LEASES, "kube-system", LEASE_NAME))["spec"]
        assert held["holderIdentity"] == first.identity
        await first.stop()
        released = (await client.get(LEASES, "kube-system", LEASE_NAME))["spec"]
        assert released["holderIdentity"] == "" and released["leaseDurationSeconds"] == 1

        # A restarted `petset up` has another identity (another pid): it must not wait for the lease.
        second = ControllerManager(client)
        second.identity = "restarted_1"
        started = time.monotonic()
        await second.start()
        assert time.monotonic() - started < 1.0
        spec = (await client.get(LEASES, "kube-system", LEASE_NAME))["spec"]
        assert spec["holderIdentity"] == "restarted_1"
        await second.stop()
