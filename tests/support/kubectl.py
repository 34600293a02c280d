"""Running real kubectl binaries against a petset server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def kubectl_binaries() -> list[str]:
    """The pinned kubectl from the test extras, and /usr/bin/kubectl when the machine has one."""
    found = []
    pinned = Path(sys.prefix) / "bin" / "kubectl"
    if pinned.exists():
        found.append(str(pinned))
    system = Path("/usr/bin/kubectl")
    if system.exists():
        found.append(str(system))
    if not found and shutil.which("kubectl"):
        found.append(str(shutil.which("kubectl")))
    return found


@dataclass
class Kubectl:
    binary: str
    kubeconfig: Path
    cache_dir: Path
    namespace: str | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["KUBECONFIG"] = str(self.kubeconfig)
        env["KUBECACHEDIR"] = str(self.cache_dir)
        env.pop("HTTPS_PROXY", None)
        env.pop("https_proxy", None)
        return env

    def run(self, *args: str, input: str | None = None, check: bool = True,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        cmd = [self.binary, *args]
        if self.namespace and "-n" not in args and "--namespace" not in args and "-A" not in args:
            cmd += ["-n", self.namespace]
        result = subprocess.run(cmd, input=input, capture_output=True, text=True, env=self.env(), timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n"
                                 f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-o", "json").stdout)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        cmd = [self.binary, *args]
        if self.namespace and "-n" not in args:
            cmd += ["-n", self.namespace]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env())
