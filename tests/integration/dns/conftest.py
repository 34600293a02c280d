"""Fixtures: a fresh in-process cluster with the endpoints controllers and the DNS server per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.dns.harness import DNSCluster, dns_cluster


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[DNSCluster]:
    async with dns_cluster(tmp_path) as running:
        yield running
