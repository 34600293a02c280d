"""Workers that drain a controller's queue: sync each key, back off on failure."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from petset.api.errors import StatusError
from petset.client.workqueue import WorkQueue

__all__ = ["QueueRunner"]

log = logging.getLogger(__name__)


class QueueRunner:
    def __init__(self, name: str, sync: Callable[[str], Awaitable[None]], *, workers: int = 1) -> None:
        self.name = name
        self.queue = WorkQueue()
        self._sync = sync
        self._workers = workers
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for i in range(self._workers):
            self._tasks.append(asyncio.create_task(self._work(), name=f"{self.name}-worker-{i}"))

    async def stop(self) -> None:
        await self.queue.shutdown()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _work(self) -> None:
        while True:
            key = await self.queue.get()
            if key is None:
                return
            try:
                await self._sync(key)
                self.queue.forget(key)
            except asyncio.CancelledError:
                raise
            except StatusError as exc:
                # Conflicts are normal (a newer object is coming); anything else is worth a line.
                level = logging.DEBUG if exc.code in (404, 409) else logging.WARNING
                log.log(level, "%s: syncing %s failed: %s", self.name, key, exc)
                self.queue.add_rate_limited(key)
            except Exception:
                log.exception("%s: syncing %s failed", self.name, key)
                self.queue.add_rate_limited(key)
            finally:
                self.queue.done(key)
