"""The embedded store: SQLite in WAL mode, one file under the data dir.

``kv`` holds the current value of every key; ``log`` holds each revision's value (deletions keep
the value they removed) so watchers can resume from an older revision, also after a restart.
A write commits before it returns: with WAL, a committed transaction is in the file even if the
process is killed a moment later (only an OS crash may lose the last ones, and synchronous=FULL
closes that too).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

from petset.storage.interface import (
    Compacted,
    EventCallback,
    KeyExists,
    KeyNotFound,
    KeyValue,
    RevisionMismatch,
    StoreEvent,
    prefix_end,
)

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    create_rev INTEGER NOT NULL,
    mod_rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log (
    rev INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    value BLOB NOT NULL,
    create_rev INTEGER NOT NULL,
    prev_rev INTEGER
);
CREATE INDEX IF NOT EXISTS log_key ON log(key, rev);
"""


class SqliteStore:
    """A single-writer store; all calls come from the event loop's thread."""

    def __init__(self, path: str | Path, *, synchronous: str = "NORMAL") -> None:
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT MAX(rev), MIN(rev) FROM log").fetchone()
        kv_row = self._db.execute("SELECT MAX(mod_rev) FROM kv").fetchone()
        self._revision = max(row[0] or 0, kv_row[0] or 0, 1)
        self._oldest = row[1] or self._revision
        self._subscribers: builtins.list[EventCallback] = []

    @property
    def revision(self) -> int:
        return self._revision

    @property
    def oldest_revision(self) -> int:
        return self._oldest

    async def get(self, key: str) -> KeyValue | None:
        return self._get(key)

    def _get(self, key: str) -> KeyValue | None:
        row = self._db.execute("SELECT value, create_rev, mod_rev FROM kv WHERE key = ?", (key,)).fetchone()
        return KeyValue(key, row[0], row[1], row[2]) if row else None

    async def list(self, prefix: str) -> tuple[builtins.list[KeyValue], int]:
        rows = self._db.execute(
            "SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key",
            (prefix, prefix_end(prefix)),
        ).fetchall()
        return [KeyValue(*r) for r in rows], self._revision

    def _commit(self, key: str, value: bytes, *, deleted: bool, prev: KeyValue | None) -> KeyValue:
        rev = self._revision + 1
        create_rev = prev.create_revision if prev is not None else rev
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if deleted:
                db.execute("DELETE FROM kv WHERE key = ?", (key,))
            else:
                db.execute("INSERT OR REPLACE INTO kv (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)",
                           (key, value, create_rev, rev))
            db.execute("INSERT INTO log (rev, key, deleted, value, create_rev, prev_rev) VALUES (?, ?, ?, ?, ?, ?)",
                       (rev, key, int(deleted), value, create_rev, prev.mod_revision if prev else None))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._revision = rev
        kv = KeyValue(key, value, create_rev, rev)
        event = StoreEvent("DELETE" if deleted else "PUT", kv, prev, rev)
        for callback in list(self._subscribers):
            callback(event)
        return kv

    async def create(self, key: str, value: bytes) -> KeyValue:
        if self._get(key) is not None:
            raise KeyExists(key)
        return self._commit(key, value, deleted=False, prev=None)

    async def update(self, key: str, value: bytes, *, expected_revision: int | None) -> KeyValue:
        current = self._get(key)
        if current is None:
            raise KeyNotFound(key)
        if expected_revision is not None and current.mod_revision != expected_revision:
            raise RevisionMismatch(current)
        return self._commit(key, value, deleted=False, prev=current)

    async def delete(self, key: str, *, expected_revision: int | None) -> KeyValue:
        current = self._get(key)
        if current is None:
            raise KeyNotFound(key)
        if expected_revision is not None and current.mod_revision != expected_revision:
            raise RevisionMismatch(current)
        return self._commit(key, current.value, deleted=True, prev=current)

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    async def history(self, prefix: str, after_revision: int) -> builtins.list[StoreEvent]:
        if after_revision < self._oldest - 1:
            raise Compacted(after_revision, self._oldest)
        rows = self._db.execute(
            "SELECT l.rev, l.key, l.deleted, l.value, l.create_rev, l.prev_rev, p.value FROM log l "
            "LEFT JOIN log p ON p.rev = l.prev_rev "
            "WHERE l.rev > ? AND l.key >= ? AND l.key < ? ORDER BY l.rev",
            (after_revision, prefix, prefix_end(prefix)),
        ).fetchall()
        events = []
        for rev, key, deleted, value, create_rev, prev_rev, prev_value in rows:
            prev = None
            if prev_rev is not None and prev_value is not None:
                prev = KeyValue(key, prev_value, create_rev, prev_rev)
            events.append(StoreEvent("DELETE" if deleted else "PUT", KeyValue(key, value, create_rev, rev),
                                     prev, rev))
        return events

    async def compact(self, keep: int) -> int:
        cutoff = self._revision - keep
        if cutoff > self._oldest:
            self._db.execute("DELETE FROM log WHERE rev < ?", (cutoff,))
            self._oldest = cutoff
        return self._oldest

    async def run_compactor(self, *, keep: int = 10_000, interval: float = 60.0) -> None:
        """Compact forever; the store stays bounded however much the objects churn."""
        while True:
            await asyncio.sleep(interval)
            await self.compact(keep)

    async def close(self) -> None:
        self._db.close()
