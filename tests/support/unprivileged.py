"""Running a command as an unprivileged user (nobody) from a root test run.

The interpreter of the test run may live under /root, which other users cannot enter. The command
therefore runs in a private mount namespace where /root is an empty, traversable tmpfs with just the
interpreter's directories bound back: the machine itself is not changed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NOBODY = 65534

_SETUP = r"""
import os, subprocess, sys
uid = int(sys.argv[1]); keep = sys.argv[2].split(":") if sys.argv[2] else []; argv = sys.argv[3:]
subprocess.run(["mount", "--make-rprivate", "/"], check=True)
staged = []
for i, path in enumerate(keep):
    stage = f"/run/petset-unprivileged-{os.getpid()}-{i}"
    os.makedirs(stage, exist_ok=True)
    subprocess.run(["mount", "--bind", path, stage], check=True)
    staged.append((stage, path))
if keep:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", "/root"], check=True)
for stage, path in staged:
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "--bind", stage, path], check=True)
os.setgroups([]); os.setgid(uid); os.setuid(uid)
os.environ["HOME"] = "/tmp"
os.execvp(argv[0], argv)
"""


def unprivileged_argv(argv: list[str], uid: int = NOBODY) -> list[str]:
    """``argv`` run as ``uid`` with no capabilities, the test interpreter still reachable."""
    wanted = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[2]))}
    keep = sorted(p for p in wanted if p == "/root" or p.startswith("/root/"))
    return ["unshare", "--mount", "--", sys.executable, "-c", _SETUP, str(uid), ":".join(keep), *argv]
