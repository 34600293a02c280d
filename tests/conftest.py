"""Shared fixtures: a real petset server, real kubectl binaries, the book's manifests."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kubectl import Kubectl, kubectl_binaries
from tests.support.server import PetsetProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
SHARED_EXAMPLES = ROOT.parent / "shared" / "examples"
CHAPTER10 = SHARED_EXAMPLES / "kubernetes-in-action" / "Chapter10"


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="petset-tests-"))
    yield path
    if not os.environ.get("PETSET_KEEP_TEST_DIR"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def petset(workdir: Path) -> Iterator[PetsetProcess]:
    """One petset server for the session (tests isolate themselves by namespace)."""
    server = PetsetProcess(workdir / "cluster", free_port()).start()
    yield server
    ended_early = server.process is not None and server.process.poll() is not None
    code = server.stop()
    if ended_early:
        # The session server ended on its own: show why with the session's summary.
        print(f"petset exited early with {code}:\n{server.log()[-8000:]}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PetsetProcess]:
    """A server of the test's own, on a fresh data dir, not started yet, stopped (or killed) at the end."""
    proc = PetsetProcess(tmp_path / "data", free_port())
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(params=kubectl_binaries(), ids=lambda b: "kubectl-" + Path(b).parent.name)
def kubectl_binary(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def namespace() -> str:
    return "t-" + uuid.uuid4().hex[:8]


@pytest.fixture
def kubectl(petset: PetsetProcess, kubectl_binary: str, workdir: Path, namespace: str) -> Iterator[Kubectl]:
    """kubectl against the session server, in a fresh namespace, with a fresh discovery cache."""
    cache = Path(tempfile.mkdtemp(prefix="kubecache-", dir=workdir))
    k = Kubectl(kubectl_binary, petset.kubeconfig, cache)
    k.run("create", "-f", "-", input=f'{{"apiVersion":"v1","kind":"Namespace","metadata":{{"name":"{namespace}"}}}}')
    k.namespace = namespace
    yield k
    k.namespace = None
    k.run("delete", "namespace", namespace, "--wait=false", check=False)
    shutil.rmtree(cache, ignore_errors=True)
