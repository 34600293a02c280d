"""Starting a container through nsinit: the parts both isolating runtimes share."""

from __future__ import annotations

import asyncio
import compileall
import ctypes
import ctypes.util
import functools
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from petset.kubelet.runtime.base import ContainerConfig, RunningContainer, Sandbox

__all__ = ["launch", "user_namespaces_work"]

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _die_with_parent() -> None:
    # If petset dies, its containers die with it: unshare gets SIGKILL, and --kill-child passes it on.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _interpreter_mounts() -> list[dict[str, Any]]:
    """petset's own Python, read-only at the same paths: the built-in images run on it, and the
    container's private /tmp (or the hidden data dir) would otherwise hide a venv living there."""
    package_root = str(Path(__file__).resolve().parents[3])
    paths = sorted({sys.prefix, sys.base_prefix, package_root})
    return [{"host": p, "path": p, "readOnly": True} for p in paths]


@functools.cache
def precompile() -> None:
    """Byte-compile what every container start imports, once: containers see petset's code through a
    read-only mount, where Python cannot cache compiled modules itself (and PYTHONDONTWRITEBYTECODE
    environments never would), so each start would compile them again."""
    package = Path(__file__).resolve().parents[2]
    for directory in (package / "images", package / "kubelet" / "runtime"):
        compileall.compile_dir(directory, quiet=2, maxlevels=0)
    for init in (package / "__init__.py", package / "kubelet" / "__init__.py"):
        compileall.compile_file(init, quiet=2)


def user_namespaces_work() -> bool:
    """Whether this user may make user namespaces with overlay mounts (unprivileged containers)."""
    try:
        probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True,
                               timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


async def launch(prefix: list[str], sandbox: Sandbox, config: ContainerConfig, *, hide: list[str]) -> RunningContainer:
    """Write the container's nsinit spec and run nsinit behind ``prefix`` (the namespace-making commands)."""
    base = sandbox.directory / "containers" / config.name
    base.mkdir(parents=True, exist_ok=True)
    spec = {
        "hostname": sandbox.hostname,
        "root": str(base / "rootfs"),
        "scratch": str(base / "scratch"),
        "hide": hide,
        "mounts": _interpreter_mounts() + [
            {"host": m.host_path, "path": m.container_path, "readOnly": m.read_only} for m in config.mounts],
        "files": sandbox.extra.get("files", {}),
        "layers": config.layers,
        "argv": config.argv,
        "env": config.env,
        "workingDir": config.working_dir,
    }
    spec_path = base / "spec.json"
    spec_path.write_text(json.dumps(spec))
    argv = [*prefix, "--", sys.executable, "-m", "petset.kubelet.runtime.nsinit", str(spec_path)]
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, preexec_fn=_die_with_parent, start_new_session=True)
    return RunningContainer(process)
