"""The ``luksa/kubia-pet`` image: Kubernetes in Action's stateful pet, byte for byte.

Every path alike, on TCP 8080. ``POST`` stores the raw body in ``/var/data/kubia.txt``, logs
``New data has been received and stored.`` and answers ``Data stored on pod <hostname>\\n``; any other
method answers ``You've hit <hostname>\\nData stored on this pod: <data>\\n``. Always 200.

Run: ``python -m petset.images.kubia_pet``. Overrides (see :mod:`petset.images.overrides`): hostname,
listen address, port, data directory.
"""

from __future__ import annotations

import sys

from petset.images import http1, kubia, overrides

__all__ = ["main"]


def _handler(host_name: str) -> http1.Handler:
    data_file = kubia.data_file()

    def handle(request: http1.Request, response: http1.Response) -> None:
        if request.method == "POST":
            kubia.store_data(data_file, request.body())
            print("New data has been received and stored.", flush=True)
            kubia.node_response_start(request, response)
            response.end(f"Data stored on pod {host_name}\n".encode())
            return
        data = kubia.read_data(data_file)
        kubia.node_response_start(request, response)
        response.write(f"You've hit {host_name}\n".encode())
        response.end(f"Data stored on this pod: {data}\n".encode())

    return handle


def main() -> int:
    return http1.run(_handler(overrides.hostname()), host=overrides.listen_host(),
                     port=overrides.port(kubia.PORT), idle_timeout=kubia.IDLE_TIMEOUT)


if __name__ == "__main__":
    sys.exit(main())
