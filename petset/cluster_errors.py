"""Errors of starting a cluster, importable without loading the cluster's components."""

from __future__ import annotations

__all__ = ["AlreadyRunning"]


class AlreadyRunning(Exception):
    """Another petset holds the data dir."""
