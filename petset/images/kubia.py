"""What the two kubia images share: the data file, and answering as a Node.js 7 ``http`` server does.

The originals (Kubernetes in Action, chapter 10) are a few lines of JavaScript on ``node:7``:
``http.createServer(handler).listen(8080)``, a handler that calls ``response.writeHead(200)`` and then
``write``/``end``. That fixes their wire format, which we reproduce:

* status line ``HTTP/1.1 200 OK``; headers ``Date``, then ``Connection: keep-alive`` (or ``close`` when
  the client asked to close or spoke HTTP/1.0), then ``Transfer-Encoding: chunked``: ``writeHead``
  commits the head before ``end(text)`` could compute a Content-Length, so Node chunks even a one-shot
  body. No ``Content-Type``, and no ``Keep-Alive: timeout=5`` (Node added that header in v14).
* HTTP/1.0 requests get an unchunked body ended by closing the connection; HEAD gets the head alone.
* idle keep-alive connections are dropped after 120 s (Node 7's ``server.timeout``).

The data file is ``/var/data/kubia.txt``; ``$PETSET_DATA_DIR_OVERRIDE`` replaces ``/var/data`` in the
unprivileged runtime. As in Node, a stat failure reads as "no data", while a failing open or write is
an uncaught exception: the message goes to stderr and the process exits 1, so the pod restarts (for
example when no volume is mounted and ``/var/data`` does not exist).
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from petset.images import http1, overrides

TYPE_CHECKING = False  # see http1: no typing import at run time
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = [
    "DATA_DIR",
    "IDLE_TIMEOUT",
    "NO_DATA",
    "PORT",
    "crash",
    "data_file",
    "node_response_start",
    "read_data",
    "store_data",
]

DATA_DIR = "/var/data"
PORT = 8080
NO_DATA = "No data posted yet"
IDLE_TIMEOUT = 120.0

_UV_MESSAGES = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EISDIR: "illegal operation on a directory",
    errno.ENOTDIR: "not a directory",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on device",
    errno.EPERM: "operation not permitted",
}


def data_file() -> Path:
    return overrides.directory(DATA_DIR, overrides.DATA_DIR_OVERRIDE) / "kubia.txt"


def crash(error: OSError, syscall: str, path: Path) -> NoReturn:
    """Die as Node dies of an uncaught fs error: ``Error: ENOENT: no such file ..., open '<path>'``."""
    code = errno.errorcode.get(error.errno or 0, "EIO")
    message = _UV_MESSAGES.get(error.errno or 0, os.strerror(error.errno or errno.EIO).lower())
    sys.stdout.flush()
    sys.stderr.write(f"Error: {code}: {message}, {syscall} '{path}'\n")
    sys.stderr.flush()
    os._exit(1)


def read_data(path: Path) -> str:
    """The file's contents as ``fs.readFileSync(file, 'utf8')`` gives them, or ``No data posted yet``."""
    try:
        os.stat(path)
    except OSError:
        return NO_DATA
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError as e:
        crash(e, "read" if e.errno == errno.EISDIR else "open", path)


def store_data(path: Path, body: bytes) -> None:
    """Create or truncate the file and write the raw body, nothing added."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    except OSError as e:
        crash(e, "open", path)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(body)
    except OSError as e:
        crash(e, "write", path)


def node_response_start(request: http1.Request, response: http1.Response) -> None:
    """``response.writeHead(200)`` of a Node.js 7 server."""
    headers = [("Date", http1.http_date())]
    if request.version != "HTTP/1.1":
        headers.append(("Connection", "close"))
        response.start(200, headers, framing="none" if request.method == "HEAD" else "close", close=True)
        return
    headers.append(("Connection", "keep-alive" if request.keep_alive else "close"))
    if request.method == "HEAD":
        response.start(200, headers, framing="none")
        return
    headers.append(("Transfer-Encoding", "chunked"))
    response.start(200, headers, framing="chunked")
