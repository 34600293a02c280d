"""SPDY/3.1, the server side: what kubectl still speaks for port-forward, and for exec as a fallback.

Kubernetes multiplexes the streams of one exec (error, stdin, stdout, stderr, resize) and the
connections of one port-forward over SPDY/3.1 (moby/spdystream in client-go). For exec it is the
fallback behind the WebSocket protocol; for port-forward it is the framing in every case: kubectl
1.30+ tunnels the very same SPDY bytes inside binary WebSocket messages (``SPDY/3.1+portforward.k8s.io``)
and falls back to SPDY directly on the upgraded connection. So ``SpdyConnection`` knows nothing of its
transport: it is fed bytes (however they were split or joined) and writes whole frames through a
``send`` coroutine.

Only the server's part of the protocol is here, because that is all the API server plays: the peer
opens every stream, the server answers each with SYN_REPLY at once, echoes PINGs, honours RST_STREAM
and GOAWAY, and half-closes with FIN. Flow control is TCP's: spdystream neither sends nor needs
WINDOW_UPDATE, so reading pauses when too much received data waits unread.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = [
    "CANCEL",
    "DICTIONARY",
    "INTERNAL_ERROR",
    "PROTOCOL_ERROR",
    "REFUSED_STREAM",
    "ControlFrame",
    "DataFrame",
    "FrameParser",
    "HeaderCompressor",
    "HeaderDecompressor",
    "Headers",
    "ProtocolError",
    "SpdyConnection",
    "SpdyStream",
    "control_frame",
    "data_frame",
    "decode_header_block",
    "encode_header_block",
]

VERSION = 3

SYN_STREAM = 1
SYN_REPLY = 2
RST_STREAM = 3
SETTINGS = 4
PING = 6
GOAWAY = 7
HEADERS = 8
WINDOW_UPDATE = 9

FLAG_FIN = 0x01
FLAG_UNIDIRECTIONAL = 0x02

# RST_STREAM status codes.
PROTOCOL_ERROR = 1
INVALID_STREAM = 2
REFUSED_STREAM = 3
CANCEL = 5
INTERNAL_ERROR = 6

#: The most a frame's 24-bit length field can say.
MAX_FRAME_PAYLOAD = 0xFFFFFF
#: How much of a write goes into one DATA frame.
DATA_CHUNK = 32 * 1024

#: Header names and values; a value holding several is NUL-joined on the wire.
Headers = dict[str, list[str]]


def _names(*names: str) -> bytes:
    return b"".join(struct.pack(">I", len(n)) + n.encode() for n in names)


#: The header-compression dictionary of the SPDY/3 draft (section 2.6.10.1): 1423 bytes, whose Adler-32
#: (0xe3c6a7c2) every peer checks against the DICTID in the first compressed header block.
DICTIONARY = (
    _names("options", "head", "post", "put", "delete", "trace", "accept", "accept-charset",
           "accept-encoding", "accept-language", "accept-ranges", "age", "allow", "authorization",
           "cache-control", "connection", "content-base", "content-encoding", "content-language",
           "content-length", "content-location", "content-md5", "content-range", "content-type", "date",
           "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match",
           "if-range", "if-unmodified-since", "last-modified", "location", "max-forwards", "pragma",
           "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after", "server", "te",
           "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
           "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public",
           "set-cookie", "keep-alive", "origin")
    + b"100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    + b"203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
    + b"401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
    + b"503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
    + b"Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
    + b"application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,"
    + b"deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)


class ProtocolError(Exception):
    """The peer sent bytes that are not SPDY/3.1; the connection cannot go on."""


# framing


@dataclass(frozen=True)
class ControlFrame:
    type: int
    flags: int
    payload: bytes


@dataclass(frozen=True)
class DataFrame:
    stream_id: int
    flags: int
    data: bytes


def control_frame(frame_type: int, flags: int, payload: bytes) -> bytes:
    return struct.pack(">HHI", 0x8000 | VERSION, frame_type, (flags << 24) | len(payload)) + payload


def data_frame(stream_id: int, flags: int, data: bytes) -> bytes:
    return struct.pack(">II", stream_id & 0x7FFFFFFF, (flags << 24) | len(data)) + data


class FrameParser:
    """Cuts a byte stream into frames, whatever the chunks it arrives in."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[ControlFrame | DataFrame]:
        self._buffer += data
        frames: list[ControlFrame | DataFrame] = []
        while len(self._buffer) >= 8:
            first, second = struct.unpack_from(">II", self._buffer)
            length = second & 0xFFFFFF
            if len(self._buffer) < 8 + length:
                break
            payload = bytes(self._buffer[8:8 + length])
            del self._buffer[:8 + length]
            flags = second >> 24
            if first & 0x80000000:
                version = (first >> 16) & 0x7FFF
                if version != VERSION:
                    raise ProtocolError(f"unsupported SPDY version {version}")
                frames.append(ControlFrame(first & 0xFFFF, flags, payload))
            else:
                frames.append(DataFrame(first & 0x7FFFFFFF, flags, payload))
        return frames


# header blocks


def encode_header_block(headers: Headers) -> bytes:
    parts = [struct.pack(">I", len(headers))]
    for name, values in headers.items():
        key = name.lower().encode()
        value = b"\x00".join(v.encode() for v in values)
        parts.append(struct.pack(">I", len(key)) + key + struct.pack(">I", len(value)) + value)
    return b"".join(parts)


def decode_header_block(block: bytes) -> Headers:
    try:
        (count,) = struct.unpack_from(">I", block)
        offset = 4
        headers: Headers = {}
        for _ in range(count):
            (size,) = struct.unpack_from(">I", block, offset)
            name = block[offset + 4:offset + 4 + size].decode().lower()
            offset += 4 + size
            (size,) = struct.unpack_from(">I", block, offset)
            value = block[offset + 4:offset + 4 + size].decode()
            offset += 4 + size
            headers.setdefault(name, []).extend(value.split("\x00"))
        return headers
    except (struct.error, UnicodeDecodeError) as exc:
        raise ProtocolError(f"malformed header block: {exc}") from None


class HeaderCompressor:
    """One zlib stream for every header block a side sends on a connection, flushed per block."""

    def __init__(self) -> None:
        self._zlib = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 15, 8,
                                      zlib.Z_DEFAULT_STRATEGY, DICTIONARY)

    def compress(self, headers: Headers) -> bytes:
        return self._zlib.compress(encode_header_block(headers)) + self._zlib.flush(zlib.Z_SYNC_FLUSH)


class HeaderDecompressor:
    def __init__(self) -> None:
        self._zlib = zlib.decompressobj(zdict=DICTIONARY)

    def decompress(self, data: bytes) -> Headers:
        try:
            return decode_header_block(self._zlib.decompress(data))
        except zlib.error as exc:
            raise ProtocolError(f"header block does not inflate: {exc}") from None


# streams and the connection


class SpdyStream:
    """One stream the peer opened: its headers, the bytes it sends, and our half to write on."""

    def __init__(self, connection: SpdyConnection, stream_id: int, headers: Headers) -> None:
        self.connection = connection
        self.id = stream_id
        self.headers = headers
        self._chunks: deque[bytes] = deque()
        self._readable = asyncio.Event()
        #: The peer sent FIN, reset the stream, or the connection ended: nothing more will arrive.
        self.remote_closed = False
        #: We sent FIN or RST_STREAM: nothing more may be written.
        self.local_closed = False
        self.was_reset = False

    def header(self, name: str, default: str = "") -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else default

    async def read(self) -> bytes:
        """The next chunk the peer sent; b"" once it finished (FIN), reset the stream, or went away."""
        while not self._chunks:
            if self.remote_closed:
                return b""
            self._readable.clear()
            await self._readable.wait()
        chunk = self._chunks.popleft()
        self.connection._consumed(len(chunk))
        return chunk

    async def read_all(self) -> bytes:
        parts = []
        while chunk := await self.read():
            parts.append(chunk)
        return b"".join(parts)

    async def write(self, data: bytes) -> None:
        if self.local_closed:
            raise ConnectionResetError(f"SPDY stream {self.id} is closed")
        view = memoryview(data)
        for start in range(0, len(view), DATA_CHUNK):
            await self.connection._send(data_frame(self.id, 0, bytes(view[start:start + DATA_CHUNK])))

    async def close(self) -> None:
        """Half-close: a FIN tells the peer that we send no more. Reading goes on."""
        if self.local_closed:
            return
        self.local_closed = True
        await self.connection._send(data_frame(self.id, FLAG_FIN, b""))
        self.connection._forget_if_done(self)

    async def reset(self, status: int = CANCEL) -> None:
        if not self.local_closed or not self.remote_closed:
            self.local_closed = True
            self._remote_end(reset=True)
            await self.connection._send(control_frame(RST_STREAM, 0, struct.pack(">II", self.id, status)))
        self.connection._forget_if_done(self)

    # fed by the connection

    def _deliver(self, data: bytes) -> None:
        if self.remote_closed:
            return
        self._chunks.append(data)
        self.connection._buffered(len(data))
        self._readable.set()

    def _remote_end(self, *, reset: bool = False) -> None:
        if reset:
            self.was_reset = True
            if self._chunks:
                self.connection._consumed(sum(len(c) for c in self._chunks))
                self._chunks.clear()
        self.remote_closed = True
        self._readable.set()


class SpdyConnection:
    """The server side of one SPDY/3.1 session, transport-neutral.

    Feed it what the peer sends with ``feed_data``/``feed_eof``; run ``serve()`` as a task; take the
    streams the peer opens from ``accept()`` (already answered with SYN_REPLY). ``pause_reading`` and
    ``resume_reading`` let it push back on the transport while too much data waits unread.
    """

    #: Unread received bytes above which reading from the transport pauses.
    BUFFER_LIMIT = 1024 * 1024

    def __init__(self, send: Callable[[bytes], Awaitable[None]], *,
                 pause_reading: Callable[[], None] | None = None,
                 resume_reading: Callable[[], None] | None = None) -> None:
        self._write = send
        self._pause_reading = pause_reading
        self._resume_reading = resume_reading
        self._parser = FrameParser()
        self._frames: deque[ControlFrame | DataFrame | None] = deque()
        self._frame_ready = asyncio.Event()
        self._compressor = HeaderCompressor()
        self._decompressor = HeaderDecompressor()
        self._write_lock = asyncio.Lock()
        self._streams: dict[int, SpdyStream] = {}
        self._incoming: asyncio.Queue[SpdyStream | None] = asyncio.Queue()
        self._last_stream_id = 0
        self._unread = 0
        self._paused = False
        self._closed_event = asyncio.Event()
        self.closed = False
        #: Set when the peer sent GOAWAY: it opens no more streams.
        self.gone_away = False
        self.error: str | None = None

    # input

    def feed_data(self, data: bytes) -> None:
        if self.closed or not data:
            return
        try:
            frames = self._parser.feed(data)
        except ProtocolError as exc:
            self.error = str(exc)
            self.feed_eof()
            return
        self._frames.extend(frames)
        if frames:
            self._frame_ready.set()

    def feed_eof(self) -> None:
        self._frames.append(None)
        self._frame_ready.set()

    async def accept(self) -> SpdyStream | None:
        """The next stream the peer opened, or None once it can open no more."""
        return await self._incoming.get()

    async def serve(self) -> None:
        """Handle the peer's frames until the transport ends (or the peer breaks the protocol)."""
        try:
            while True:
                while not self._frames:
                    self._frame_ready.clear()
                    await self._frame_ready.wait()
                frame = self._frames.popleft()
                if frame is None:
                    break
                try:
                    if isinstance(frame, DataFrame):
                        self._on_data(frame)
                    else:
                        await self._on_control(frame)
                except ProtocolError as exc:
                    self.error = str(exc)
                    await self.goaway(1)
                    break
                except ConnectionError:
                    break
        finally:
            self._shutdown()

    async def wait_closed(self) -> None:
        """Until the transport has ended (or the peer broke the protocol)."""
        await self._closed_event.wait()

    def _shutdown(self) -> None:
        self.closed = True
        self._closed_event.set()
        for stream in list(self._streams.values()):
            stream._remote_end()
            stream.local_closed = True
        self._streams.clear()
        self._incoming.put_nowait(None)
        if self._paused and self._resume_reading is not None:
            self._paused = False
            self._resume_reading()

    def _on_data(self, frame: DataFrame) -> None:
        stream = self._streams.get(frame.stream_id)
        if stream is None:
            return  # a stream we reset, or never had: spdystream drops these too
        if frame.data:
            stream._deliver(frame.data)
        if frame.flags & FLAG_FIN:
            stream._remote_end()
            self._forget_if_done(stream)

    async def _on_control(self, frame: ControlFrame) -> None:
        payload = frame.payload
        if frame.type == SYN_STREAM:
            if len(payload) < 10:
                raise ProtocolError("short SYN_STREAM")
            stream_id = struct.unpack_from(">I", payload)[0] & 0x7FFFFFFF
            headers = self._decompressor.decompress(payload[10:])
            if self.gone_away or stream_id == 0 or stream_id % 2 == 0 or stream_id <= self._last_stream_id:
                await self._send(control_frame(RST_STREAM, 0, struct.pack(">II", stream_id, PROTOCOL_ERROR)))
                return
            self._last_stream_id = stream_id
            stream = SpdyStream(self, stream_id, headers)
            self._streams[stream_id] = stream
            if frame.flags & FLAG_FIN:
                stream._remote_end()
            if frame.flags & FLAG_UNIDIRECTIONAL:
                stream.local_closed = True
            await self._send_headers_frame(SYN_REPLY, stream_id, {})
            self._incoming.put_nowait(stream)
        elif frame.type == RST_STREAM:
            stream_id = struct.unpack_from(">I", payload)[0] & 0x7FFFFFFF
            found = self._streams.pop(stream_id, None)
            if found is not None:
                found.local_closed = True
                found._remote_end(reset=True)
        elif frame.type == PING:
            # The peer's pings (odd ids from a client) come back unchanged; kubectl counts on it.
            await self._send(control_frame(PING, 0, payload[:4]))
        elif frame.type == GOAWAY:
            self.gone_away = True
            self._incoming.put_nowait(None)
        elif frame.type == HEADERS:
            stream_id = struct.unpack_from(">I", payload)[0] & 0x7FFFFFFF
            extra = self._decompressor.decompress(payload[4:])
            known = self._streams.get(stream_id)
            if known is not None:
                for name, values in extra.items():
                    known.headers.setdefault(name, []).extend(values)
                if frame.flags & FLAG_FIN:
                    known._remote_end()
                    self._forget_if_done(known)
        elif frame.type in (SYN_REPLY, SETTINGS, WINDOW_UPDATE):
            return  # we open no streams; settings and windows change nothing here
        # Unknown control frames are ignored, as the spec asks.

    # output

    async def _send(self, frame: bytes) -> None:
        async with self._write_lock:
            await self._write(frame)

    async def _send_headers_frame(self, frame_type: int, stream_id: int, headers: Headers) -> None:
        # Compress under the write lock: the peer inflates header blocks in the order they arrive.
        async with self._write_lock:
            block = self._compressor.compress(headers)
            await self._write(control_frame(frame_type, 0, struct.pack(">I", stream_id) + block))

    async def goaway(self, status: int = 0) -> None:
        """Tell the peer we accept no more streams (the transport is closed by whoever owns it)."""
        await self._send(control_frame(GOAWAY, 0, struct.pack(">II", self._last_stream_id, status)))

    # bookkeeping

    def _forget_if_done(self, stream: SpdyStream) -> None:
        if stream.local_closed and stream.remote_closed:
            self._streams.pop(stream.id, None)

    def _buffered(self, size: int) -> None:
        self._unread += size
        if not self._paused and self._unread > self.BUFFER_LIMIT and self._pause_reading is not None:
            self._paused = True
            self._pause_reading()

    def _consumed(self, size: int) -> None:
        self._unread -= size
        if self._paused and self._unread <= self.BUFFER_LIMIT // 2 and self._resume_reading is not None:
            self._paused = False
            self._resume_reading()
