"""Recording Events, as client-go's record.EventRecorder: core/v1 Events, deduplicated by count.

Recording never blocks a controller: events are written by a background task, and a failure to
write one is logged, not raised (an event is a report, not state).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

from petset.api.errors import StatusError
from petset.api.resources import lookup
from petset.client.interface import Client

__all__ = ["EventRecorder"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

_EVENTS = lookup("", "v1", "events")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def involved_object(obj: Obj) -> Obj:
    meta = obj.get("metadata", {})
    ref = {"kind": obj.get("kind", ""), "namespace": meta.get("namespace", ""), "name": meta.get("name", ""),
           "uid": meta.get("uid", ""), "apiVersion": obj.get("apiVersion", ""),
           "resourceVersion": meta.get("resourceVersion", "")}
    return {k: v for k, v in ref.items() if v}


class EventRecorder:
    def __init__(self, client: Client, component: str, *, host: str | None = None) -> None:
        self.client = client
        self.source: Obj = {"component": component}
        if host:
            self.source["host"] = host
        self._queue: asyncio.Queue[Obj] | None = None
        self._task: asyncio.Task[None] | None = None
        #: (object uid, type, reason, message) -> (event name, namespace, count)
        self._seen: dict[tuple[str, str, str, str], tuple[str, str, int]] = {}

    def event(self, obj: Obj, event_type: str, reason: str, message: str) -> None:
        """Record an event about ``obj`` (Normal or Warning), as soon as the writer gets to it."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._write_forever(), name=f"events-{self.source['component']}")
        self._queue.put_nowait({"obj": involved_object(obj), "type": event_type, "reason": reason,
                                "message": message, "at": _now()})

    async def flush(self) -> None:
        """Wait until every recorded event has been written (tests use this)."""
        if self._queue is not None:
            await self._queue.join()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            self._queue = None

    async def _write_forever(self) -> None:
        assert self._queue is not None and _EVENTS is not None
        while True:
            item = await self._queue.get()
            try:
                await self._write(item)
            except StatusError as exc:
                log.debug("could not record event %s: %s", item["reason"], exc)
            except Exception:
                log.exception("could not record event %s", item["reason"])
            finally:
                self._queue.task_done()

    async def _write(self, item: Obj) -> None:
        assert _EVENTS is not None
        ref = item["obj"]
        namespace = ref.get("namespace") or "default"
        key = (ref.get("uid", ref.get("name", "")), item["type"], item["reason"], item["message"])
        seen = self._seen.get(key)
        if seen is not None:
            name, ns, count = seen
            patch = {"count": count + 1, "lastTimestamp": item["at"]}
            try:
                await self.client.patch(_EVENTS, ns, name, patch, patch_type="merge")
                self._seen[key] = (name, ns, count + 1)
                return
            except StatusError as exc:
                if exc.code != 404:
                    raise
        # The name scheme of client-go: <object name>.<unix nanoseconds in hex>.
        name = f"{ref.get('name', 'unknown')}.{time.time_ns():x}"
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": ref, "reason": item["reason"], "message": item["message"], "type": item["type"],
            "source": self.source, "firstTimestamp": item["at"], "lastTimestamp": item["at"], "count": 1,
            "reportingComponent": self.source["component"], "reportingInstance": self.source.get("host", ""),
        }
        await self.client.create(_EVENTS, namespace, event)
        if len(self._seen) > 4096:
            self._seen.clear()
        self._seen[key] = (name, namespace, 1)
