"""A real ``petset up`` in a subprocess, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.support.raw import RawAPI


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PetsetProcess:
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    #: The environment of the server process (None: this process's).
    env: dict[str, str] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def kubeconfig(self) -> Path:
        return self.data_dir / "kubeconfig"

    @property
    def token(self) -> str:
        return (self.data_dir / "token").read_text().strip()

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.data_dir / "pki" / "ca.crt"))

    def raw(self) -> RawAPI:
        """Raw HTTPS requests with the server's token and CA."""
        return RawAPI(self.url, self.token, self.ssl_context())

    def start(self, *extra: str, timeout: float = 20.0,
              wrap: Callable[[list[str]], list[str]] | None = None) -> PetsetProcess:
        self.log_path = self.data_dir.parent / f"petset-{self.port}.log"
        # The child keeps its own copy of the file descriptor.
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "petset", "up", "--data-dir", str(self.data_dir), "--port", str(self.port),
                 *extra],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                raise RuntimeError(f"petset exited early ({code}):\n{self.log()}")
            if self.ready():
                return self
            time.sleep(0.05)
        self.stop()  # no server left behind by a failed start
        raise RuntimeError(f"petset did not become ready:\n{self.log()}")

    def ready(self) -> bool:
        if not self.kubeconfig.exists():
            return False
        try:
            with urllib.request.urlopen(self.url + "/readyz", context=self.ssl_context(), timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def kubeconfig_doc(self) -> dict:
        return yaml.safe_load(self.kubeconfig.read_text())
