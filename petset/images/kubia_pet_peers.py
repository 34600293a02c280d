"""The ``luksa/kubia-pet-peers`` image: the pet that discovers its peers through DNS SRV records.

Same port, data file and ``POST`` as kubia-pet (without the log line). ``GET /data`` (the raw request
target, exactly) answers the stored data alone. Any other request is the cluster view: the hostname
line and ``Data stored in the cluster:``, then an SRV lookup of ``kubia.default.svc.cluster.local``
and, for every record, a concurrent ``GET http://<target>:8080/data``, one ``- <target>: <data>`` line
per peer as each answers. Errors read as Node.js 7 worded them in the original:

* the SRV lookup fails: ``Could not look up DNS SRV records: Error: querySrv ENOTFOUND <name>``
  (``ESERVFAIL``, ``ETIMEOUT``, ``ECONNREFUSED``...);
* the lookup succeeds with no record: ``No peers discovered.`` (Node itself would report ``ENODATA``
  there; we follow the book's text);
* a peer fails: ``- <target>: Error: connect ECONNREFUSED 10.0.0.3:8080``,
  ``Error: getaddrinfo ENOTFOUND <target> <target>:8080``, ``Error: socket hang up``...

Names are resolved through the pod's nameserver explicitly (:mod:`petset.images.dnsclient`), not the
host resolver, so the unprivileged runtime works too. The original waits forever for a peer; we give
each peer ``$PETSET_PEER_TIMEOUT_SECONDS`` (default 30 s), after which it reads as an Error line.

Run: ``python -m petset.images.kubia_pet_peers``.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time

from petset.images import dnsclient, http1, kubia, overrides

__all__ = ["SERVICE_NAME", "main"]

SERVICE_NAME = "kubia.default.svc.cluster.local"
_DEFAULT_PEER_TIMEOUT = 30.0


def _peer_data(target: str, port: int, config: dnsclient.ResolverConfig, timeout: float) -> str:
    """The peer's ``/data`` body, or ``Error: <message>`` as Node's ``http.get`` error handler wrote it."""
    deadline = time.monotonic() + timeout
    address = target
    if not dnsclient.is_ip(target):
        try:
            records = dnsclient.query(target, "A", config)
            code = "ENOTFOUND"
        except dnsclient.DnsLookupError as e:
            records, code = [], "ENOTFOUND" if e.code == "ENOTFOUND" else "EAI_AGAIN"
        if not records:
            return f"Error: getaddrinfo {code} {target} {target}:{port}"
        address = str(records[0].rdata)
    try:
        body = http1.get(target, port, "/data", connect_to=address,
                         timeout=max(deadline - time.monotonic(), 0.001))
    except http1.HttpClientError as e:
        return f"Error: {e}"
    return body.decode("utf-8", errors="replace")


def _handler(host_name: str, port: int, peer_timeout: float) -> http1.Handler:
    data_file = kubia.data_file()

    def handle(request: http1.Request, response: http1.Response) -> None:
        if request.method == "POST":
            kubia.store_data(data_file, request.body())
            kubia.node_response_start(request, response)
            response.end(f"Data stored on pod {host_name}\n".encode())
            return
        kubia.node_response_start(request, response)
        if request.target == "/data":
            response.end(kubia.read_data(data_file).encode())
            return
        response.write(f"You've hit {host_name}\n".encode())
        response.write(b"Data stored in the cluster:\n")
        config = dnsclient.resolver_config()
        try:
            records = dnsclient.query(SERVICE_NAME, "SRV", config)
        except dnsclient.DnsLookupError as e:
            response.end(f"Could not look up DNS SRV records: Error: querySrv {e.code} {SERVICE_NAME}".encode())
            return
        if not records:
            response.end(b"No peers discovered.")
            return
        lines: queue.SimpleQueue[bytes] = queue.SimpleQueue()

        def ask(target: str) -> None:
            lines.put(f"- {target}: {_peer_data(target, port, config, peer_timeout)}\n".encode())

        for rr in records:
            threading.Thread(target=ask, args=(str(rr.rdata.target).rstrip("."),), daemon=True).start()
        for _ in records:  # in completion order
            response.write(lines.get())
        response.end()

    return handle


def main() -> int:
    port = overrides.port(kubia.PORT)
    peer_timeout = float(os.environ.get(overrides.PEER_TIMEOUT) or _DEFAULT_PEER_TIMEOUT)
    return http1.run(_handler(overrides.hostname(), port, peer_timeout), host=overrides.listen_host(),
                     port=port, idle_timeout=kubia.IDLE_TIMEOUT)


if __name__ == "__main__":
    sys.exit(main())
