"""Container logs: written in the CRI format, one file per container attempt, read as kubectl asks.

Each line is ``<RFC3339Nano> <stream> <F|P> <text>``, as containerd writes them, so ``--timestamps``,
``--since`` and ``--previous`` work like on a real node.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from petset.client.connector import LogOptions

__all__ = ["ContainerLog", "read_log"]

#: Lines longer than this are split into partial ("P") records, as the CRI does at 16 KiB.
MAX_LINE = 16 * 1024


def _stamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def _parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
    except ValueError:
        return None


class ContainerLog:
    """The log of one container attempt, fed from its stdout and stderr pipes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "ab", buffering=0)  # noqa: SIM115 - closed when both pipes end
        self._open_streams = 0
        self.changed = asyncio.Event()
        self.last_line = ""

    async def pump(self, stream: asyncio.StreamReader | None, name: str) -> None:
        if stream is None:
            return
        self._open_streams += 1
        tag = name.encode()
        try:
            while True:
                try:
                    line = await stream.readuntil(b"\n")
                except asyncio.IncompleteReadError as exc:
                    line = exc.partial
                    if not line:
                        break
                except asyncio.LimitOverrunError as exc:
                    line = await stream.readexactly(exc.consumed)
                for start in range(0, max(len(line), 1), MAX_LINE):
                    chunk = line[start:start + MAX_LINE]
                    full = chunk.endswith(b"\n")
                    body = chunk[:-1] if full else chunk
                    self._file.write(_stamp().encode() + b" " + tag + (b" F " if full else b" P ") + body + b"\n")
                    if full and body:
                        self.last_line = body.decode(errors="replace")
                self.changed.set()
                self.changed = asyncio.Event()
        finally:
            self._open_streams -= 1
            if self._open_streams == 0:
                with contextlib.suppress(OSError):
                    self._file.close()
                self.changed.set()

    @property
    def closed(self) -> bool:
        return self._file.closed


def _records(path: Path) -> list[tuple[str, str, bytes, bool]]:
    """(timestamp, stream, text, complete) for each record of a log file."""
    out = []
    with contextlib.suppress(FileNotFoundError), open(path, "rb") as f:
        for raw in f:
            parts = raw.rstrip(b"\n").split(b" ", 3)
            if len(parts) < 3:
                continue
            text = parts[3] if len(parts) > 3 else b""
            out.append((parts[0].decode(), parts[1].decode(), text, parts[2] == b"F"))
    return out


def _render(records: list[tuple[str, str, bytes, bool]], options: LogOptions) -> bytes:
    cutoff: datetime | None = None
    if options.since_seconds is not None:
        cutoff = datetime.now(UTC) - timedelta(seconds=options.since_seconds)
    elif options.since_time:
        cutoff = datetime.strptime(options.since_time.replace("Z", ""), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    lines: deque[bytes] = deque(maxlen=options.tail_lines if options.tail_lines is not None
                                and options.tail_lines >= 0 else None)
    pending = b""
    for stamp, _, text, complete in records:
        if cutoff is not None:
            moment = _parse_stamp(stamp)
            if moment is not None and moment < cutoff:
                continue
        pending += text
        if complete:
            prefix = (stamp.encode() + b" ") if options.timestamps else b""
            lines.append(prefix + pending + b"\n")
            pending = b""
    if pending:
        lines.append(pending)
    data = b"".join(lines)
    if options.limit_bytes is not None:
        data = data[:options.limit_bytes]
    return data


async def read_log(path: Path, options: LogOptions, live: ContainerLog | None) -> AsyncIterator[bytes]:
    """The log as kubectl asked for it; with ``follow``, new lines until the container stops."""
    records = _records(path)
    yield _render(records, options)
    if not options.follow or live is None:
        return
    offset = os.path.getsize(path) if path.exists() else 0
    follow_options = LogOptions(container=options.container, timestamps=options.timestamps)
    while True:
        waiter = live.changed
        if live.closed and (not path.exists() or os.path.getsize(path) <= offset):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), 1.0)
        size = os.path.getsize(path) if path.exists() else 0
        if size <= offset:
            continue
        with open(path, "rb") as f:
            f.seek(offset)
            chunk = f.read(size - offset)
        # Only whole records: a half-written last line waits for the next round.
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            continue
        offset += cut
        fresh = []
        for raw in chunk[:cut].splitlines():
            parts = raw.split(b" ", 3)
            if len(parts) >= 3:
                fresh.append((parts[0].decode(), parts[1].decode(), parts[3] if len(parts) > 3 else b"",
                              parts[2] == b"F"))
        data = _render(fresh, follow_options)
        if data:
            yield data
