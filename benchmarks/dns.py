"""Cluster DNS throughput: petset's server against dnsmasq, same records, same client, same run.

    python benchmarks/dns.py [--seconds 3] [--window 32] [--pods 2]

petset's DNSServer runs in a child process on an in-process control plane (the book's headless
Service ``kubia`` with N ready pods, EndpointsController writing the slices); dnsmasq (Debian's
dnsmasq-base) runs on another loopback port with the same records as --host-record/--srv-host.
One client process sends pre-built queries over one UDP socket, keeping ``--window`` queries
outstanding, and reports queries per second and latency percentiles for an SRV and an A lookup.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONE = "cluster.local"
SRV_NAME = f"kubia.default.svc.{ZONE}"
A_NAME = f"kubia-0.{SRV_NAME}"
QTYPES = {"A": 1, "SRV": 33}


def pod_ip(i: int) -> str:
    return f"10.244.{i // 250}.{i % 250 + 2}"


# -------------------------------------------------------------------------------------------------
# petset's server (child process)

async def serve(pods: int) -> None:
    from petset.client.informer import InformerFactory
    from petset.controllers.endpoints import EndpointsController
    from petset.dns import DNSServer
    from tests.support.inproc import PODS, SERVICES, control_plane

    with tempfile.TemporaryDirectory() as tmp:
        async with control_plane(Path(tmp)) as client:
            informers = InformerFactory(client)
            controller = EndpointsController(client, informers)
            dns = DNSServer(informers, port=0, upstreams=[])
            informers.start()
            controller.start()
            await dns.start()
            await client.create(SERVICES, "default", {
                "apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubia"},
                "spec": {"clusterIP": "None", "selector": {"app": "kubia"}, "ports": [{"name": "http", "port": 80}]}})
            for i in range(pods):
                pod = await client.create(PODS, "default", {
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": f"kubia-{i}", "labels": {"app": "kubia"}},
                    "spec": {"hostname": f"kubia-{i}", "subdomain": "kubia",
                             "containers": [{"name": "kubia", "image": "luksa/kubia-pet"}]}})
                pod["status"].update(phase="Running", podIP=pod_ip(i), podIPs=[{"ip": pod_ip(i)}],
                                     conditions=[{"type": "Ready", "status": "True"}])
                await client.update(PODS, "default", pod, subresource="status")
            while len(dns.index.lookup(SRV_NAME, QTYPES["SRV"]).answer) < pods:  # type: ignore[union-attr]
                await asyncio.sleep(0.01)
            print(dns.port, flush=True)
            # Serve until the parent closes our stdin.
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            await dns.stop()
            await controller.stop()
            await informers.stop()


# -------------------------------------------------------------------------------------------------
# the client

def build_query(name: str, qtype: int) -> bytes:
    question = b"".join(len(label).to_bytes(1, "big") + label.encode() for label in name.split(".")) + b"\0"
    return b"\0\0\x01\0\0\x01\0\0\0\0\0\0" + question + qtype.to_bytes(2, "big") + b"\0\x01"


def answer_count(port: int, name: str, qtype: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(build_query(name, qtype), ("127.0.0.1", port))
        data = sock.recv(4096)
    return int.from_bytes(data[6:8], "big")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(port: int, name: str, qtype: int, *, seconds: float, window: int) -> dict[str, float]:
    """Queries per second and latency (µs) with ``window`` queries always in flight."""
    template = build_query(name, qtype)[2:]
    packets = [i.to_bytes(2, "big") + template for i in range(65536)]
    sent_at = [0] * 65536
    latencies: list[int] = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.connect(("127.0.0.1", port))
    sock.settimeout(0.2)
    send, recv, clock = sock.send, sock.recv, time.perf_counter_ns
    next_id, lost = 0, 0

    def fire() -> None:
        nonlocal next_id
        sent_at[next_id] = clock()
        send(packets[next_id])
        next_id = (next_id + 1) & 0xFFFF

    for _ in range(window):
        fire()
    started = clock()
    deadline = started + int(seconds * 1e9)
    record = latencies.append
    while True:
        try:
            data = recv(4096)
        except TimeoutError:
            lost += window
            for _ in range(window):
                fire()
            continue
        now = clock()
        record(now - sent_at[(data[0] << 8) | data[1]])
        if now >= deadline:
            break
        fire()
    elapsed = (clock() - started) / 1e9
    sock.close()
    latencies.sort()
    return {"qps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2] / 1000,
            "p99": latencies[int(len(latencies) * 0.99)] / 1000, "lost": lost,
            "mean": statistics.fmean(latencies) / 1000}


# -------------------------------------------------------------------------------------------------
# dnsmasq

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        return int(udp.getsockname()[1])


def start_dnsmasq(port: int, pods: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(binary):
        raise SystemExit("dnsmasq is not installed: apt-get install -y dnsmasq-base")
    args = [binary, "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-daemon", f"--port={port}",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--user=root", "--group=root", "--pid-file=",
            "--cache-size=10000", "--dns-forward-max=1000", "--log-facility=/dev/null"]
    weight = max(1, 100 // pods)
    for i in range(pods):
        host = f"kubia-{i}.{SRV_NAME}"
        args.append(f"--host-record={host},{pod_ip(i)}")
        args.append(f"--host-record={SRV_NAME},{pod_ip(i)}")
        args.append(f"--srv-host={SRV_NAME},{host},80,0,{weight}")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            if answer_count(port, SRV_NAME, QTYPES["SRV"]) == pods:
                return proc
        except OSError:
            pass
        time.sleep(0.05)
    proc.terminate()
    raise SystemExit(f"dnsmasq did not come up: {proc.stderr.read().decode() if proc.stderr else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--window", type=int, default=16, help="queries in flight")
    parser.add_argument("--pods", type=int, default=2)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.pods))
        return

    petset = subprocess.Popen([sys.executable, __file__, "--serve", "--pods", str(args.pods)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    assert petset.stdout is not None and petset.stdin is not None
    petset_port = int(petset.stdout.readline())
    dnsmasq_port = free_port()
    dnsmasq = start_dnsmasq(dnsmasq_port, args.pods)
    try:
        servers = {"petset": petset_port, "dnsmasq": dnsmasq_port}
        pids = {"petset": petset.pid, "dnsmasq": dnsmasq.pid}
        for server, port in servers.items():
            srv, a = answer_count(port, SRV_NAME, QTYPES["SRV"]), answer_count(port, A_NAME, QTYPES["A"])
            assert (srv, a) == (args.pods, 1), (server, srv, a)
        print(f"{args.pods} pods, {args.window} queries in flight, {args.seconds:g} s per run, one client process")
        print(f"{'lookup':<5} {'server':<8} {'queries/s':>10} {'p50 µs':>8} {'p99 µs':>8} {'lost':>5} "
              f"{'server CPU µs/query':>20}")
        results: dict[tuple[str, str], dict[str, float]] = {}
        for rtype, name in (("SRV", SRV_NAME), ("A", A_NAME)):
            for server, port in servers.items():
                load(port, name, QTYPES[rtype], seconds=0.3, window=args.window)  # warm up
                cpu = cpu_seconds(pids[server])
                result = load(port, name, QTYPES[rtype], seconds=args.seconds, window=args.window)
                # The server's own cost per answer: fair even when the one client is what saturates.
                result["cpu"] = (cpu_seconds(pids[server]) - cpu) / (result["qps"] * args.seconds) * 1e6
                results[(rtype, server)] = result
                print(f"{rtype:<5} {server:<8} {result['qps']:>10,.0f} {result['p50']:>8.0f} {result['p99']:>8.0f} "
                      f"{int(result['lost']):>5} {result['cpu']:>20.1f}")
        for rtype in ("SRV", "A"):
            ratio = results[(rtype, "petset")]["qps"] / results[(rtype, "dnsmasq")]["qps"]
            print(f"{rtype}: petset/dnsmasq = {ratio:.2f}")
    finally:
        petset.stdin.close()
        petset.wait(10)
        dnsmasq.terminate()
        dnsmasq.wait(10)


if __name__ == "__main__":
    main()
