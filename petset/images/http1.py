"""A small HTTP/1.1 server and client on plain sockets and threads, for the built-in images.

Why not aiohttp, or even asyncio: the images must put on the wire what the originals put there. The
kubia images were Node.js 7 ``http`` servers, whose framing (``Transfer-Encoding: chunked`` after
``writeHead``, a ``Connection`` header, no ``Content-Type``) a general-purpose framework would "fix"
for us. And every pod is a process: importing asyncio alone (it pulls in ssl, logging,
concurrent.futures...) doubles an image program's memory, from about 11 MB to 21 MB resident. A thread
per connection costs a few pages of stack; the images serve a handful of clients at most.

Scope: what the images need and what real clients send. Requests: origin-form or absolute-form
targets, ``Content-Length`` or chunked bodies, ``Expect: 100-continue`` (answered at once, as Node
and nginx do), keep-alive and pipelining in sequence, HTTP/1.0. Responses: length-delimited,
chunked, or delimited by closing the connection; the application writes every header itself. The
client does one ``GET`` per connection, for kubia-pet-peers.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from io import BufferedReader

TYPE_CHECKING = False  # not typing's: importing typing (and dataclasses) would cost each pod ~2 MB
if TYPE_CHECKING:
    from typing import Literal

    Framing = Literal["length", "chunked", "close", "none"]
    """How a response body ends: Content-Length, chunked coding, connection close, or no body at all."""

__all__ = [
    "Handler",
    "HttpClientError",
    "Request",
    "Response",
    "get",
    "http_date",
    "run",
]

_LINE_LIMIT = 80 * 1024  # Node's and nginx's header limits are of this order
_MAX_HEADERS = 200
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _BadRequest(Exception):
    pass


class _Stop(BaseException):
    pass


def http_date(timestamp: float | None = None) -> str:
    """An IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``), as every server's ``Date`` header."""
    t = time.gmtime(timestamp)
    return (f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT")


def _readline(rfile: BufferedReader) -> bytes:
    line = rfile.readline(_LINE_LIMIT + 1)
    if len(line) > _LINE_LIMIT:
        raise _BadRequest("line too long")
    return line


def _read_exactly(rfile: BufferedReader, size: int) -> bytes:
    data = rfile.read(size)
    if len(data) < size:
        raise EOFError("connection closed in a body")
    return data


class Request:
    """A request's head; its body is read on demand with :meth:`body`."""

    __slots__ = ("_body_done", "_chunked", "_remaining", "_rfile", "headers", "method", "peer", "target",
                 "version")

    def __init__(self, method: str, target: str, version: str, headers: list[tuple[str, str]], peer: str = "",
                 rfile: BufferedReader | None = None) -> None:
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.peer = peer
        self._rfile = rfile
        self._chunked = False
        self._remaining = 0
        self._body_done = True

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.target} {self.version}>"

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def header_tokens(self, name: str) -> set[str]:
        tokens: set[str] = set()
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                tokens.update(t.strip().lower() for t in value.split(",") if t.strip())
        return tokens

    @property
    def keep_alive(self) -> bool:
        """Whether the client asked to keep the connection (the HTTP/1.1 default, or 1.0 keep-alive)."""
        connection = self.header_tokens("Connection")
        if self.version == "HTTP/1.1":
            return "close" not in connection
        return "keep-alive" in connection

    def body(self) -> bytes:
        """The whole request body (read once; a second call returns b"")."""
        parts = []
        while not self._body_done:
            parts.append(self._read_some())
        return b"".join(parts)

    def _read_some(self) -> bytes:
        assert self._rfile is not None
        if self._chunked:
            size_line = _readline(self._rfile)
            if not size_line.endswith(b"\n"):
                raise EOFError("connection closed in a chunk size")
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError as e:
                raise _BadRequest("bad chunk size") from e
            if size == 0:
                while _readline(self._rfile).strip():  # trailers
                    pass
                self._body_done = True
                return b""
            data = _read_exactly(self._rfile, size)
            _readline(self._rfile)
            return data
        data = _read_exactly(self._rfile, min(self._remaining, 65536))
        self._remaining -= len(data)
        self._body_done = self._remaining == 0
        return data


class Response:
    """One response: ``start`` (status line and headers as given), then ``write``/``end`` the body."""

    def __init__(self, sock: socket.socket, request: Request) -> None:
        self._sock = sock
        self._request = request
        self._framing: Framing = "none"
        self._close = False
        self.started = False
        self.finished = False
        self.status = 0

    @property
    def will_close(self) -> bool:
        return self._close

    def start(self, status: int, headers: Iterable[tuple[str, str]], *, framing: Framing,
              reason: str | None = None, close: bool = False) -> None:
        """Send the head. ``framing`` must agree with the headers given (Content-Length, chunked...)."""
        self.status = status
        self._framing = framing
        self._close = close or framing == "close" or not self._request.keep_alive
        phrase = reason if reason is not None else HTTPStatus(status).phrase
        lines = [f"HTTP/1.1 {status} {phrase}"] + [f"{k}: {v}" for k, v in headers]
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self.started = True

    def write(self, data: bytes) -> None:
        if not data or self._framing == "none" or self._request.method == "HEAD":
            return  # (an empty chunk would end a chunked body)
        if self._framing == "chunked":
            self._sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
        else:
            self._sock.sendall(data)

    def end(self, data: bytes = b"") -> None:
        self.write(data)
        if self._framing == "chunked" and self._request.method != "HEAD":
            self._sock.sendall(b"0\r\n\r\n")
        self.finished = True


Handler = Callable[[Request, Response], None]


def _read_request(rfile: BufferedReader, peer: str) -> Request | None:
    line = b"\r\n"
    while line in (b"\r\n", b"\n"):  # RFC 9112 2.2: ignore empty lines before a request line
        line = _readline(rfile)
        if not line:
            return None
    if not line.endswith(b"\n"):
        raise EOFError("connection closed in a request line")
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3 or not parts[0] or not parts[1] or not parts[2].startswith("HTTP/1."):
        raise _BadRequest("bad request line")
    method, target, version = parts
    headers: list[tuple[str, str]] = []
    while True:
        raw = _readline(rfile)
        if not raw.endswith(b"\n"):
            raise EOFError("connection closed in headers")
        text = raw.decode("latin-1").rstrip("\r\n")
        if not text:
            break
        name, sep, value = text.partition(":")
        if not sep or not name or name != name.strip():
            raise _BadRequest("bad header line")
        headers.append((name, value.strip()))
        if len(headers) > _MAX_HEADERS:
            raise _BadRequest("too many headers")
    request = Request(method, target, version, headers, peer, rfile)
    if "chunked" in request.header_tokens("Transfer-Encoding"):
        request._chunked, request._body_done = True, False
    elif (length := request.header("Content-Length")) is not None:
        if not length.isdigit():
            raise _BadRequest("bad Content-Length")
        request._remaining = int(length)
        request._body_done = request._remaining == 0
    return request


def _serve_connection(sock: socket.socket, peer: str, handler: Handler, idle_timeout: float) -> None:
    sock.settimeout(idle_timeout)
    rfile = sock.makefile("rb")
    try:
        while True:
            request = _read_request(rfile, peer)
            if request is None:
                return
            if request.version == "HTTP/1.1" and "100-continue" in request.header_tokens("Expect") \
                    and not request._body_done:
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            response = Response(sock, request)
            handler(request, response)
            if not response.started:
                response.start(500, [("Content-Length", "0")], framing="length", close=True)
            if not response.finished:
                response.end()
            request.body()  # whatever the handler left unread, before the next request
            if response.will_close:
                return
    except _BadRequest:
        with contextlib.suppress(OSError):
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
    except (OSError, EOFError):
        pass  # the client went away or idled out: drop the connection
    finally:
        rfile.close()
        sock.close()


def run(handler: Handler, *, host: str, port: int, idle_timeout: float,
        stop_signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT)) -> int:
    """Serve until one of ``stop_signals`` arrives; return the process exit status (0, or 1 if the
    port cannot be bound, with a message on stderr). Call from the main thread."""
    try:
        listener = socket.create_server((host, port), backlog=128)
    except OSError as e:
        code = errno.errorcode.get(e.errno or 0, "EADDRINUSE")
        print(f"Error: listen {code} {host}:{port}", file=sys.stderr, flush=True)
        return 1

    def stop(signum: int, frame: object) -> None:
        raise _Stop

    for sig in stop_signals:
        signal.signal(sig, stop)
    try:
        while True:
            sock, address = listener.accept()
            thread = threading.Thread(target=_serve_connection, daemon=True,
                                      args=(sock, str(address[0]), handler, idle_timeout))
            # Threads inherit a mask blocking the stop signals, so the kernel delivers them to this
            # thread, whose accept() they interrupt, never to a worker blocked in a read.
            signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
            try:
                thread.start()
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
    except _Stop:
        return 0  # connections in flight end with the process, as when Node is signalled
    finally:
        listener.close()


class HttpClientError(Exception):
    """A failed GET, worded as Node.js words the error's ``message`` (``connect ECONNREFUSED ...``)."""


def get(host: str, port: int, path: str, *, connect_to: str | None = None, timeout: float) -> bytes:
    """GET ``http://host:port/path`` on a fresh connection to ``connect_to`` (default: host); the body.

    Any status is a success: like Node's ``http.get``, the caller reads the body whatever the code.
    ``timeout`` bounds the connect, then each read.
    """
    address = connect_to or host
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except TimeoutError as e:
        raise HttpClientError(f"connect ETIMEDOUT {address}:{port}") from e
    except OSError as e:
        code = errno.errorcode.get(e.errno or 0, "ECONNREFUSED")
        raise HttpClientError(f"connect {code} {address}:{port}") from e
    try:
        host_header = host if port == 80 else f"{host}:{port}"
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n".encode())
        with sock.makefile("rb") as rfile:
            return _read_response_body(rfile)
    except TimeoutError as e:
        raise HttpClientError("read ETIMEDOUT") from e
    except EOFError as e:
        raise HttpClientError("socket hang up") from e
    except (ValueError, _BadRequest) as e:
        raise HttpClientError("Parse Error") from e
    except OSError as e:
        code = errno.errorcode.get(e.errno or 0, "ECONNRESET")
        raise HttpClientError(f"read {code}") from e
    finally:
        sock.close()


def _response_line(rfile: BufferedReader) -> bytes:
    line = _readline(rfile)
    if not line.endswith(b"\n"):
        raise EOFError("connection closed in a response head")
    return line


def _read_response_body(rfile: BufferedReader) -> bytes:
    while True:
        fields = _response_line(rfile).split(None, 2)
        if len(fields) < 2 or not fields[0].startswith(b"HTTP/") or not fields[1].isdigit():
            raise ValueError("bad status line")
        headers: dict[bytes, bytes] = {}
        while (line := _response_line(rfile)).strip():
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if not 100 <= int(fields[1]) < 200:
            break
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        parts = []
        while size := int(_response_line(rfile).split(b";", 1)[0].strip(), 16):
            parts.append(_read_exactly(rfile, size))
            _response_line(rfile)
        return b"".join(parts)
    if (length := headers.get(b"content-length")) is not None:
        return _read_exactly(rfile, int(length))
    return rfile.read()
