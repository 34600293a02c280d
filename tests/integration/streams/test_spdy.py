"""SPDY/3.1 framing and the server connection, driven frame by frame as a client would."""

from __future__ import annotations

import asyncio
import struct
import zlib

from petset.apiserver import spdy


def test_dictionary_is_the_spdy3_one() -> None:
    assert len(spdy.DICTIONARY) == 1423
    assert zlib.adler32(spdy.DICTIONARY) == 0xE3C6A7C2
    assert spdy.DICTIONARY.startswith(b"\x00\x00\x00\x07options\x00\x00\x00\x04head")
    assert spdy.DICTIONARY.endswith(b",*,enq=0.")


def test_header_blocks_share_one_zlib_stream_per_direction() -> None:
    compressor, decompressor = spdy.HeaderCompressor(), spdy.HeaderDecompressor()
    blocks = [{"streamtype": ["error"], "port": ["8080"], "requestid": ["0"]},
              {"streamtype": ["data"], "port": ["8080"], "requestid": ["0"]},
              {"x-multi": ["a", "b"]}]
    for headers in blocks:
        assert decompressor.decompress(compressor.compress(headers)) == headers
    # The first block names the dictionary (FDICT, DICTID) in its zlib header, as Go's zlib requires.
    first = spdy.HeaderCompressor().compress({})
    assert first[1] & 0x20 and struct.unpack(">I", first[2:6])[0] == 0xE3C6A7C2


def test_frames_split_and_joined_arbitrarily() -> None:
    wire = (spdy.control_frame(spdy.PING, 0, struct.pack(">I", 1)) + spdy.data_frame(3, spdy.FLAG_FIN, b"hello")
            + spdy.control_frame(spdy.GOAWAY, 0, struct.pack(">II", 3, 0)))
    parser = spdy.FrameParser()
    frames: list[spdy.ControlFrame | spdy.DataFrame] = []
    for i in range(len(wire)):
        frames += parser.feed(wire[i:i + 1])
    assert frames == [spdy.ControlFrame(spdy.PING, 0, b"\x00\x00\x00\x01"), spdy.DataFrame(3, 1, b"hello"),
                      spdy.ControlFrame(spdy.GOAWAY, 0, struct.pack(">II", 3, 0))]
    assert spdy.FrameParser().feed(wire) == frames


class Peer:
    """A client end: writes frames into the connection, reads what the server sends."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.parser = spdy.FrameParser()
        self.compressor = spdy.HeaderCompressor()
        self.decompressor = spdy.HeaderDecompressor()
        self.paused = 0
        self.connection = spdy.SpdyConnection(self._receive, pause_reading=self._pause,
                                              resume_reading=self._resume)

    async def _receive(self, data: bytes) -> None:
        self.sent.append(data)

    def _pause(self) -> None:
        self.paused += 1

    def _resume(self) -> None:
        self.paused -= 1

    def frames(self) -> list[spdy.ControlFrame | spdy.DataFrame]:
        frames = self.parser.feed(b"".join(self.sent))
        self.sent.clear()
        return frames

    def open(self, stream_id: int, headers: dict[str, list[str]], flags: int = 0) -> None:
        payload = struct.pack(">IIBB", stream_id, 0, 0, 0) + self.compressor.compress(headers)
        self.connection.feed_data(spdy.control_frame(spdy.SYN_STREAM, flags, payload))


async def test_connection_replies_echoes_and_ends() -> None:
    peer = Peer()
    serving = asyncio.create_task(peer.connection.serve())
    peer.open(1, {"streamtype": ["error"]}, flags=spdy.FLAG_FIN)
    peer.open(3, {"streamtype": ["data"], "port": ["80"]})
    peer.connection.feed_data(spdy.control_frame(spdy.PING, 0, struct.pack(">I", 7)))
    first, second = await peer.connection.accept(), await peer.connection.accept()
    assert first is not None and second is not None
    assert (first.id, first.header("streamtype"), first.remote_closed) == (1, "error", True)
    assert (second.id, second.header("port"), second.remote_closed) == (3, "80", False)
    await asyncio.sleep(0)
    replies = peer.frames()
    assert [(f.type, peer.decompressor.decompress(f.payload[4:])) for f in replies
            if isinstance(f, spdy.ControlFrame) and f.type == spdy.SYN_REPLY] == [(spdy.SYN_REPLY, {})] * 2
    assert spdy.ControlFrame(spdy.PING, 0, struct.pack(">I", 7)) in replies

    peer.connection.feed_data(spdy.data_frame(3, 0, b"abc") + spdy.data_frame(3, spdy.FLAG_FIN, b"def"))
    assert await second.read_all() == b"abcdef"
    await second.write(b"x" * 40_000)
    await second.close()
    data = [f for f in peer.frames() if isinstance(f, spdy.DataFrame)]
    assert b"".join(f.data for f in data) == b"x" * 40_000 and data[-1].flags == spdy.FLAG_FIN

    # A stream id that does not increase is refused; RST_STREAM ends a stream's reading.
    peer.open(3, {"streamtype": ["data"]})
    peer.open(5, {"streamtype": ["data"]})
    fifth = await peer.connection.accept()
    assert fifth is not None and fifth.id == 5
    peer.connection.feed_data(spdy.control_frame(spdy.RST_STREAM, 0, struct.pack(">II", 5, spdy.CANCEL)))
    assert await fifth.read() == b"" and fifth.was_reset
    await asyncio.sleep(0)
    assert spdy.ControlFrame(spdy.RST_STREAM, 0, struct.pack(">II", 3, spdy.PROTOCOL_ERROR)) in peer.frames()

    peer.connection.feed_data(spdy.control_frame(spdy.GOAWAY, 0, struct.pack(">II", 5, 0)))
    assert await peer.connection.accept() is None
    peer.connection.feed_eof()
    await asyncio.wait_for(serving, 5)
    assert peer.connection.closed


async def test_reading_pauses_while_too_much_waits_unread() -> None:
    peer = Peer()
    serving = asyncio.create_task(peer.connection.serve())
    peer.open(1, {"streamtype": ["data"]})
    stream = await peer.connection.accept()
    assert stream is not None
    chunk = b"y" * 65536
    for _ in range(20):
        peer.connection.feed_data(spdy.data_frame(1, 0, chunk))
    await asyncio.sleep(0.01)
    assert peer.paused == 1
    received = 0
    while received < 20 * len(chunk):
        received += len(await stream.read())
    assert peer.paused == 0
    peer.connection.feed_eof()
    await asyncio.wait_for(serving, 5)
    assert await stream.read() == b""


async def test_garbage_ends_the_connection() -> None:
    peer = Peer()
    serving = asyncio.create_task(peer.connection.serve())
    peer.connection.feed_data(struct.pack(">HHI", 0x8002, 1, 0))  # SPDY/2
    await asyncio.wait_for(serving, 5)
    assert peer.connection.closed and "version 2" in (peer.connection.error or "")
    assert await peer.connection.accept() is None
