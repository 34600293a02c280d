"""Fixtures: one in-process API server for the package, kubectl per binary with a fresh cache."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.streams.harness import StreamsCluster
from tests.support.kubectl import Kubectl, kubectl_binaries


@pytest.fixture(scope="package")
def cluster() -> Iterator[StreamsCluster]:
    directory = Path(tempfile.mkdtemp(prefix="petset-streams-"))
    running = StreamsCluster(directory).start()
    yield running
    running.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=kubectl_binaries(), ids=lambda b: "kubectl-" + Path(b).parent.name)
def kubectl(request: pytest.FixtureRequest, cluster: StreamsCluster, tmp_path: Path) -> Kubectl:
    cache = tmp_path / "kubecache"
    cache.mkdir()
    return cluster.kubectl(str(request.param), cache)


@pytest.fixture
def pod_name() -> str:
    return "p-" + uuid.uuid4().hex[:8]
