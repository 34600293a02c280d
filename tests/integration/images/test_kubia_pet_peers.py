"""luksa/kubia-pet-peers as real processes on 127.a.b.x, finding each other through a fake cluster DNS."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from .support import FakeCluster, ImageRun, closed_udp_port, free_port, http

MODULE = "petset.images.kubia_pet_peers"
SERVICE = "kubia.default.svc.cluster.local"
HEADER = b"You've hit kubia-2\nData stored in the cluster:\n"


def pod_name(ordinal: int) -> str:
    return f"kubia-{ordinal}.kubia.default.svc.cluster.local"


class Peers:
    def __init__(self, run_image: Callable[..., ImageRun], loopback: Callable[[int], str], tmp_path: Path,
                 dns: tuple[FakeCluster, str]) -> None:
        self.run_image, self.loopback, self.tmp_path = run_image, loopback, tmp_path
        self.cluster, self.dns_server = dns
        self.port = free_port(loopback(2))
        self.runs: dict[int, ImageRun] = {}

    def start(self, ordinal: int, data: str | None = None, env: dict[str, str] | None = None) -> ImageRun:
        data_dir = self.tmp_path / f"data-{ordinal}"
        data_dir.mkdir(exist_ok=True)
        if data is not None:
            (data_dir / "kubia.txt").write_text(data)
        address = self.loopback(2 + ordinal)
        run = self.run_image(MODULE, host=address, port=self.port, env={
            "PETSET_HOSTNAME_OVERRIDE": f"kubia-{ordinal}", "PETSET_DATA_DIR_OVERRIDE": str(data_dir),
            "PETSET_DNS_SERVER": self.dns_server, **(env or {})})
        self.register(ordinal)
        self.runs[ordinal] = run
        return run

    def register(self, ordinal: int, with_address: bool = True) -> None:
        self.cluster.srv.setdefault(SERVICE, []).append((pod_name(ordinal), 80))
        if with_address:
            self.cluster.a[pod_name(ordinal)] = self.loopback(2 + ordinal)

    def view(self, ordinal: int = 2, target: str = "/") -> bytes:
        run = self.runs[ordinal]
        return http(run.host, run.port, "GET", target).body


@pytest.fixture
def peers(run_image: Callable[..., ImageRun], loopback: Callable[[int], str], tmp_path: Path,
          fake_dns: tuple[FakeCluster, str]) -> Peers:
    return Peers(run_image, loopback, tmp_path, fake_dns)


def lines_of(body: bytes) -> tuple[bytes, set[bytes]]:
    assert body.startswith(HEADER), body
    rest = body[len(HEADER):]
    assert rest.endswith(b"\n"), rest
    return HEADER, set(rest[:-1].split(b"\n"))


def test_cluster_view_lists_every_peer(peers: Peers) -> None:
    peers.start(0, "The weather is sweet")
    peers.start(1, "The sun is shining")
    peers.start(2)
    _, lines = lines_of(peers.view(2))
    assert lines == {
        f"- {pod_name(2)}: No data posted yet".encode(),
        f"- {pod_name(0)}: The weather is sweet".encode(),
        f"- {pod_name(1)}: The sun is shining".encode(),
    }


def test_data_path_post_and_exact_target(peers: Peers) -> None:
    run = peers.start(2)
    assert peers.view(2, "/data") == b"No data posted yet"
    reply = http(run.host, run.port, "POST", "/", b"The sun is shining")
    assert reply.body == b"Data stored on pod kubia-2\n"
    assert peers.view(2, "/data") == b"The sun is shining"
    assert peers.view(2, "/data?x=1").startswith(HEADER)
    assert peers.view(2, "/data/").startswith(HEADER)
    assert run.stdout == ""  # kubia-pet-peers logs nothing


def test_down_peer_and_unresolvable_peer_read_as_errors(peers: Peers) -> None:
    peers.start(2, "mine")
    peers.register(3)  # nothing listens on its address
    peers.register(4, with_address=False)  # SRV target without an A record
    _, lines = lines_of(peers.view(2))
    assert lines == {
        f"- {pod_name(2)}: mine".encode(),
        f"- {pod_name(3)}: Error: connect ECONNREFUSED {peers.loopback(5)}:{peers.port}".encode(),
        f"- {pod_name(4)}: Error: getaddrinfo ENOTFOUND {pod_name(4)} {pod_name(4)}:{peers.port}".encode(),
    }


def test_hung_peer_times_out_into_an_error_line(peers: Peers) -> None:
    hung = socket.socket()
    hung.bind((peers.loopback(6), peers.port))
    hung.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(hung.accept()[0]), daemon=True).start()
    try:
        peers.start(2, "mine", env={"PETSET_PEER_TIMEOUT_SECONDS": "0.5"})
        peers.register(4)
        _, lines = lines_of(peers.view(2))
        assert lines == {f"- {pod_name(2)}: mine".encode(), f"- {pod_name(4)}: Error: read ETIMEDOUT".encode()}
    finally:
        hung.close()
        for sock in accepted:
            sock.close()


def test_no_records(peers: Peers) -> None:
    peers.start(2)
    peers.cluster.srv[SERVICE] = []  # the name exists, with no SRV record
    assert peers.view(2) == HEADER + b"No peers discovered."


@pytest.mark.parametrize(("mode", "code"), [("nxdomain", "ENOTFOUND"), ("servfail", "ESERVFAIL")])
def test_lookup_errors(peers: Peers, mode: str, code: str) -> None:
    peers.start(2)
    peers.cluster.srv.clear()
    peers.cluster.mode = "servfail" if mode == "servfail" else "normal"
    assert peers.view(2) == HEADER + f"Could not look up DNS SRV records: Error: querySrv {code} {SERVICE}".encode()


def test_unreachable_nameserver_via_resolv_conf(peers: Peers, tmp_path: Path) -> None:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text(f"search default.svc.cluster.local\nnameserver 127.0.0.1:{closed_udp_port()}\n"
                      "options ndots:5 timeout:1 attempts:1\n")
    peers.start(2, env={"PETSET_DNS_SERVER": "", "PETSET_RESOLV_CONF": str(resolv)})
    assert peers.view(2) == HEADER + f"Could not look up DNS SRV records: Error: querySrv ECONNREFUSED {SERVICE}".encode()


def test_resolv_conf_and_tcp_fallback_on_truncation(peers: Peers, tmp_path: Path) -> None:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text(f"nameserver {peers.dns_server}\n")
    peers.start(2, "two", env={"PETSET_DNS_SERVER": "", "PETSET_RESOLV_CONF": str(resolv)})
    peers.cluster.mode = "truncate"
    assert peers.view(2) == HEADER + f"- {pod_name(2)}: two\n".encode()
    assert peers.cluster.tcp_queries >= 2  # the SRV query and the peer's A query


def test_stops_promptly(peers: Peers) -> None:
    run = peers.start(2)
    code, took = run.stop()
    assert code == 0 and took < 2
    assert run.stderr == ""
