"""Knowing when the informer cache is behind this controller's own writes.

The controller decides from its caches, and its caches learn of its own writes a moment later
(through the watch). A sync in that moment would see a slice it has just created as missing and
create it again, or an Endpoints object it has just updated as unchanged and skip a needed write.
As upstream's EndpointSliceTracker and staleEndpointsTracker, this remembers what was written
until the cache has caught up, so such a sync waits instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["WriteTracker"]

#: After this long an expectation is dropped: the object was changed or deleted by someone else
#: before the watch showed it, and the next sync will see the truth.
EXPIRY = 5.0


def _revision(obj: Mapping[str, Any]) -> int:
    try:
        return int(obj.get("metadata", {}).get("resourceVersion") or 0)
    except ValueError:
        return 0


class WriteTracker:
    """Per owner key (``namespace/service``): the revisions written to each object, and the deletions."""

    def __init__(self, *, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._written: dict[str, dict[str, tuple[int, float]]] = {}
        self._deleted: dict[str, dict[str, float]] = {}

    def wrote(self, key: str, obj: Mapping[str, Any]) -> None:
        self._written.setdefault(key, {})[obj["metadata"]["name"]] = (_revision(obj), self._clock() + EXPIRY)

    def deleted(self, key: str, name: str) -> None:
        self._deleted.setdefault(key, {})[name] = self._clock() + EXPIRY
        self._written.get(key, {}).pop(name, None)

    def observed_deletion(self, key: str, name: str) -> None:
        """The watch showed the object gone: nothing more of it is to be expected."""
        self._written.get(key, {}).pop(name, None)
        self._deleted.get(key, {}).pop(name, None)

    def forget(self, key: str) -> None:
        self._written.pop(key, None)
        self._deleted.pop(key, None)

    def stale(self, key: str, cached: Iterable[Mapping[str, Any]]) -> bool:
        """Whether ``cached`` (the cache's objects for the key) misses a write; met expectations are dropped."""
        now = self._clock()
        by_name = {o["metadata"]["name"]: o for o in cached}
        written = self._written.get(key, {})
        for name, (revision, deadline) in list(written.items()):
            seen = by_name.get(name)
            if (seen is not None and _revision(seen) >= revision) or deadline < now:
                del written[name]
        deleted = self._deleted.get(key, {})
        for name, deadline in list(deleted.items()):
            if name not in by_name or deadline < now:
                del deleted[name]
        if not written:
            self._written.pop(key, None)
        if not deleted:
            self._deleted.pop(key, None)
        return bool(written) or bool(deleted)
