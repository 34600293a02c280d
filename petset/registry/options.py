"""Request options of the registry's verbs (metav1 ListOptions, DeleteOptions, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DeleteOptions", "ListOptions", "WriteOptions"]


@dataclass
class ListOptions:
    label_selector: str | None = None
    field_selector: str | None = None
    limit: int = 0
    continue_token: str | None = None
    resource_version: str | None = None
    resource_version_match: str | None = None
    timeout_seconds: int | None = None
    allow_bookmarks: bool = False
    send_initial_events: bool | None = None


@dataclass
class WriteOptions:
    dry_run: bool = False
    field_manager: str | None = None
    #: Strict, Warn or Ignore: what to do with unknown and duplicate fields.
    field_validation: str = "Ignore"
    #: Warnings for the client (sent as Warning headers by the API server).
    warnings: list[str] = field(default_factory=list)
    force: bool = False


@dataclass
class DeleteOptions:
    grace_period_seconds: int | None = None
    propagation_policy: str | None = None
    orphan_dependents: bool | None = None
    preconditions: dict[str, Any] | None = None
    dry_run: bool = False

    @classmethod
    def from_body(cls, body: dict[str, Any] | None, query: dict[str, str] | None = None) -> DeleteOptions:
        """Read DeleteOptions from a request body, falling back to query parameters (the Python client)."""
        body = body or {}
        query = query or {}
        grace = body.get("gracePeriodSeconds", query.get("gracePeriodSeconds"))
        orphan = body.get("orphanDependents", query.get("orphanDependents"))
        dry = body.get("dryRun") or query.get("dryRun")
        return cls(
            grace_period_seconds=int(grace) if grace is not None else None,
            propagation_policy=body.get("propagationPolicy") or query.get("propagationPolicy"),
            orphan_dependents=(orphan in (True, "true")) if orphan is not None else None,
            preconditions=body.get("preconditions"),
            dry_run=bool(dry),
        )
