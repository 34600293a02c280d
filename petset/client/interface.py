"""The one client interface every component uses, in-process or over HTTP.

Objects are JSON-shaped dicts the caller owns (a copy, never the server's). Failures raise
``petset.api.errors.StatusError`` with the server's Status, whichever implementation is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from petset.api.resources import ResourceType, lookup

__all__ = ["Client", "WatchEvent", "resource"]

Obj = dict[str, Any]
WatchEvent = tuple[str, Obj]


def resource(group_version: str, plural: str) -> ResourceType:
    """``resource("apps/v1", "statefulsets")``: a served resource, or KeyError."""
    group, _, version = group_version.rpartition("/")
    rt = lookup(group, version, plural)
    if rt is None:
        raise KeyError(f"{plural} is not served in {group_version}")
    return rt


class Client(Protocol):
    async def get(self, rt: ResourceType, namespace: str | None, name: str, *,
                  subresource: str | None = None) -> Obj: ...

    async def list(self, rt: ResourceType, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None, resource_version: str | None = None,
                   limit: int = 0, continue_token: str | None = None) -> Obj:
        """The List object: ``items`` and ``metadata.resourceVersion``."""
        ...

    async def create(self, rt: ResourceType, namespace: str | None, obj: Obj, *,
                     subresource: str | None = None, name: str | None = None) -> Obj: ...

    async def update(self, rt: ResourceType, namespace: str | None, obj: Obj, *,
                     subresource: str | None = None) -> Obj: ...

    async def patch(self, rt: ResourceType, namespace: str | None, name: str, body: Any, *,
                    patch_type: str = "strategic", subresource: str | None = None,
                    field_manager: str | None = None) -> Obj:
        """``patch_type``: strategic, merge, json or apply."""
        ...

    async def delete(self, rt: ResourceType, namespace: str | None, name: str, *,
                     grace_period_seconds: int | None = None, propagation_policy: str | None = None,
                     preconditions: Obj | None = None) -> Obj: ...

    def watch(self, rt: ResourceType, namespace: str | None = None, *, resource_version: str | None = None,
              label_selector: str | None = None, field_selector: str | None = None,
              timeout_seconds: int | None = None) -> AsyncIterator[WatchEvent]:
        """(type, object) events until the server ends the watch; raises StatusError (410) when too old."""
        ...

    async def close(self) -> None: ...
