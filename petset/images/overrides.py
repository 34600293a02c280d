"""The environment variables through which a node agent adapts a built-in image to its runtime.

Inside a pod of the namespaced runtime an image program sees what a container sees: its own
hostname (the pod name), its own network namespace, its volumes mounted at their ``mountPath`` and an
``/etc/resolv.conf`` that points at petset's DNS. It needs none of the variables below.

The unprivileged runtime runs pods as plain processes on the host: they share the host's hostname,
network and filesystem. The node agent then tells each program, through these variables, what it
would have seen in a container: the pod name, the loopback address given to the pod, the host
directory standing in for a mount path, the DNS server to ask. Each name says it overrides something,
so that ``kubectl exec ... env`` makes plain why a pod behaves as it does.

This module is the one place that reads them; the image programs and the catalog import it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "DATA_DIR_OVERRIDE",
    "DNS_SERVER",
    "DOCROOT_OVERRIDE",
    "HOSTNAME_OVERRIDE",
    "LISTEN_ON_POD_IP",
    "PEER_TIMEOUT",
    "POD_IP",
    "PORT_OVERRIDE",
    "RESOLV_CONF",
    "directory",
    "hostname",
    "listen_host",
    "port",
]

HOSTNAME_OVERRIDE = "PETSET_HOSTNAME_OVERRIDE"
"""The hostname the program reports (the pod name), instead of the OS hostname."""

POD_IP = "POD_IP"
"""The pod's IP address (what the downward API's ``status.podIP`` gives)."""

LISTEN_ON_POD_IP = "PETSET_LISTEN_ON_POD_IP"
"""``1``: listen on ``$POD_IP`` only, instead of every address (pods sharing the host network)."""

PORT_OVERRIDE = "PETSET_PORT_OVERRIDE"
"""The TCP port to listen on instead of the image's own (8080 for kubia, 80 for the web servers)."""

DATA_DIR_OVERRIDE = "PETSET_DATA_DIR_OVERRIDE"
"""The directory the kubia images use instead of ``/var/data`` (where the pod's volume would be)."""

DOCROOT_OVERRIDE = "PETSET_DOCROOT_OVERRIDE"
"""The document root the web servers use instead of ``/usr/share/nginx/html`` or ``.../htdocs``."""

RESOLV_CONF = "PETSET_RESOLV_CONF"
"""A resolv.conf-format file read instead of ``/etc/resolv.conf`` (kubia-pet-peers' DNS lookups)."""

DNS_SERVER = "PETSET_DNS_SERVER"
"""``ip[:port]`` of the DNS server to ask, instead of the resolv.conf nameservers; wins over both."""

PEER_TIMEOUT = "PETSET_PEER_TIMEOUT_SECONDS"
"""How long kubia-pet-peers waits for one peer before writing an Error line (default 30)."""


def hostname(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(HOSTNAME_OVERRIDE) or socket.gethostname()


def listen_host(environ: Mapping[str, str] = os.environ) -> str:
    pod_ip = environ.get(POD_IP, "")
    if environ.get(LISTEN_ON_POD_IP) == "1" and pod_ip:
        return pod_ip
    return "0.0.0.0"


def port(default: int, environ: Mapping[str, str] = os.environ) -> int:
    value = environ.get(PORT_OVERRIDE, "")
    return int(value) if value else default


def directory(default: str, override: str, environ: Mapping[str, str] = os.environ) -> Path:
    return Path(environ.get(override) or default)
