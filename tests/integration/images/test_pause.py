"""The pause image as a real process: sleeps, exits 0 on SIGTERM or SIGINT, ignores the rest."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.parametrize(("sig", "name"), [(signal.SIGTERM, "Terminated"), (signal.SIGINT, "Interrupt")])
def test_sleeps_until_stopped(sig: int, name: str) -> None:
    process = subprocess.Popen([sys.executable, "-m", "petset.images.pause"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        process.send_signal(signal.SIGCHLD)  # reaped, not a reason to stop
        time.sleep(0.05)
        assert process.poll() is None
        started = time.monotonic()
        process.send_signal(sig)
        assert process.wait(5) == 0
        assert time.monotonic() - started < 1
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read() == b""
        assert process.stderr.read().decode() == ("Warning: pause should be the first process\n"
                                                  f"Shutting down, got signal: {name}\n")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
