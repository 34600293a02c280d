"""The storage contract: a revisioned key-value store with watch, shaped like etcd v3.

It knows bytes, keys and revisions, nothing of Kubernetes. Every successful write takes the next
revision of the whole store; a key's ``mod_revision`` is the Kubernetes ``resourceVersion``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = [
    "Compacted",
    "EventCallback",
    "KeyExists",
    "KeyNotFound",
    "KeyValue",
    "RevisionMismatch",
    "Store",
    "StoreEvent",
    "prefix_end",
]


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    value: bytes
    create_revision: int
    mod_revision: int


@dataclass(frozen=True, slots=True)
class StoreEvent:
    type: Literal["PUT", "DELETE"]
    #: The new value for PUT; for DELETE the last value, with mod_revision = the deletion's revision.
    kv: KeyValue
    #: The value before this event (None for a creation).
    prev: KeyValue | None
    revision: int


EventCallback = Callable[[StoreEvent], None]


class KeyExists(Exception):
    pass


class KeyNotFound(Exception):
    pass


class RevisionMismatch(Exception):
    """The key's mod_revision is not the one the caller's update was based on."""

    def __init__(self, current: KeyValue | None) -> None:
        super().__init__("revision mismatch")
        self.current = current


class Compacted(Exception):
    """The requested revision is older than the retained history."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"required revision {requested} has been compacted (oldest {oldest})")
        self.requested = requested
        self.oldest = oldest


def prefix_end(prefix: str) -> str:
    """The smallest key greater than every key starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Store(Protocol):
    @property
    def revision(self) -> int:
        """The store's current revision (the last committed write)."""
        ...

    async def get(self, key: str) -> KeyValue | None: ...

    async def list(self, prefix: str) -> tuple[builtins.list[KeyValue], int]:
        """All keys under ``prefix`` in key order, and the revision they were read at."""
        ...

    async def create(self, key: str, value: bytes) -> KeyValue:
        """Raises KeyExists."""
        ...

    async def update(self, key: str, value: bytes, *, expected_revision: int | None) -> KeyValue:
        """Replace the value if the key's mod_revision is ``expected_revision`` (None: any).

        Raises KeyNotFound or RevisionMismatch.
        """
        ...

    async def delete(self, key: str, *, expected_revision: int | None) -> KeyValue:
        """Remove the key; returns the removed value with the deletion's revision."""
        ...

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Call ``callback`` for every committed event, in revision order; returns an unsubscribe."""
        ...

    async def history(self, prefix: str, after_revision: int) -> builtins.list[StoreEvent]:
        """Events under ``prefix`` after ``after_revision``; raises Compacted when that is gone."""
        ...

    async def compact(self, keep: int) -> int:
        """Drop history older than the last ``keep`` revisions; returns the oldest kept revision."""
        ...

    async def close(self) -> None: ...
