"""Fixtures: image programs as real processes on loopback addresses, and a fake cluster DNS."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dnslib.server import DNSLogger, DNSServer

from .support import FakeCluster, ImageRun, free_port, wait_listening


@pytest.fixture
def loopback() -> Callable[[int], str]:
    """A random 127.a.b.0/24 per test, so concurrent runs never share an address: ``loopback(2)``."""
    a, b = random.randrange(1, 255), random.randrange(1, 255)
    return lambda last: f"127.{a}.{b}.{last}"


@pytest.fixture
def run_image(tmp_path: Path) -> Iterator[Callable[..., ImageRun]]:
    runs: list[ImageRun] = []

    def start(module: str, *args: str, host: str = "127.0.0.1", port: int | None = None,
              env: dict[str, str] | None = None, wait: bool = True) -> ImageRun:
        port = port if port is not None else free_port(host)
        n = len(runs)
        out, err = tmp_path / f"{module}.{n}.out", tmp_path / f"{module}.{n}.err"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("PETSET_")}
        full_env.update({"POD_IP": host, "PETSET_LISTEN_ON_POD_IP": "1", "PETSET_PORT_OVERRIDE": str(port)})
        full_env.update(env or {})
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            process = subprocess.Popen([sys.executable, "-m", module, *args], env=full_env, stdout=stdout,
                                       stderr=stderr, stdin=subprocess.DEVNULL, cwd="/")
        run = ImageRun(process, host, port, out, err)
        runs.append(run)
        if wait:
            wait_listening(run)
        return run

    yield start
    for run in runs:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


@pytest.fixture
def fake_dns() -> Iterator[tuple[FakeCluster, str]]:
    """The fake DNS on 127.0.0.1 (UDP and TCP, same port) and its ``ip:port``."""
    cluster = FakeCluster()
    logger = DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
    for _ in range(20):
        port = free_port()
        try:
            udp = DNSServer(cluster, address="127.0.0.1", port=port, logger=logger)
            tcp = DNSServer(cluster, address="127.0.0.1", port=port, tcp=True, logger=logger)
            break
        except OSError:
            continue
    else:
        raise AssertionError("no port for the fake DNS")
    for server in (udp, tcp):
        threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield cluster, f"127.0.0.1:{port}"
    for server in (udp, tcp):
        server.server.shutdown()
        server.server.server_close()
