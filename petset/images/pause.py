"""The ``pause`` image (registry.k8s.io/pause): sleep until told to stop.

As Kubernetes' pause.c: it warns when it is not PID 1, reaps the zombies of a shared PID namespace,
and on SIGINT or SIGTERM prints ``Shutting down, got signal: <name>`` and exits 0. Signals are taken
with ``sigwait`` on blocked signals, so none can slip in between a check and the sleep.

Run: ``python -m petset.images.pause``.
"""

from __future__ import annotations

import os
import signal
import sys

__all__ = ["main"]

_STOP = {signal.SIGINT, signal.SIGTERM}


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def main() -> int:
    if os.getpid() != 1:
        print("Warning: pause should be the first process", file=sys.stderr, flush=True)
    watched = _STOP | {signal.SIGCHLD}
    signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    while True:
        received = signal.sigwait(watched)
        if received == signal.SIGCHLD:
            _reap()
            continue
        print(f"Shutting down, got signal: {signal.strsignal(received)}", file=sys.stderr, flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
