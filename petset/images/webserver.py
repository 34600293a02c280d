"""A static web server that behaves as the ``nginx`` and ``httpd`` images do out of the box.

What the Kubernetes tutorials rely on: port 80; the document root ``/usr/share/nginx/html`` (nginx,
nginx-slim) or ``/usr/local/apache2/htdocs`` (httpd), where a StatefulSet mounts its volume; ``GET``
and ``HEAD`` of files in it, ``index.html`` for a directory, ``404`` for a missing file, ``301`` to add a
directory's trailing slash; the image's own default page ("Welcome to nginx!", "It works!"). Like the
real images the page is part of the image's filesystem, so a volume mounted over the document root
hides it: an empty volume gives nginx's ``403 Forbidden`` for ``/`` (the StatefulSet Basics tutorial
then writes ``index.html`` with ``kubectl exec``), and httpd's directory listing. Only when the document
root does not exist at all (no volume and no such directory on the host) are the default pages served
from here.

Each flavour keeps its server's error pages, header order and access-log line (to stdout, as the
images link their logs there). ``Server`` carries no version, as with ``server_tokens off``. No
ranges, no compression, no configuration files.

Run: ``python -m petset.images.webserver nginx`` (or ``httpd``). Overrides: ``$PETSET_DOCROOT_OVERRIDE``,
``$PETSET_PORT_OVERRIDE``, the listen address (see :mod:`petset.images.overrides`). Stops on SIGTERM or
SIGINT, and on the images' own stop signals: SIGQUIT (nginx), SIGWINCH (httpd).
"""

from __future__ import annotations

import html
import mimetypes
import os
import signal
import stat
import sys
import time
import urllib.parse
from collections.abc import Callable, Mapping
from http import HTTPStatus
from io import BufferedReader
from pathlib import Path

from petset.images import http1, overrides

__all__ = ["FLAVORS", "Flavor", "main"]

_NGINX_INDEX = b"""<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

_NGINX_50X = b"""<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"""

_HTTPD_INDEX = b"<html><body><h1>It works!</h1></body></html>\n"

_IMAGE_BUILT = 1_700_000_000.0  # the Last-Modified of the default pages, as fixed as an image layer's

_NGINX_REASONS = {405: "Not Allowed"}
_HTTPD_MESSAGES = {
    301: '<p>The document has moved <a href="{location}">here</a>.</p>\n',
    400: "<p>Your browser sent a request that this server could not understand.<br />\n</p>\n",
    403: "<p>You don't have permission to access this resource.</p>\n",
    404: "<p>The requested URL was not found on this server.</p>\n",
    405: "<p>The requested method {method} is not allowed for this URL.</p>\n",
}


class _Page:
    """A response to send: an in-memory body, or an open file of ``size`` bytes streamed out."""

    __slots__ = ("body", "content_type", "etag", "file", "last_modified", "location", "size", "status")

    def __init__(self, status: int, body: bytes, content_type: str | None, *, last_modified: float | None = None,
                 etag: str | None = None, location: str | None = None, file: BufferedReader | None = None,
                 size: int | None = None) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.last_modified = last_modified
        self.etag = etag
        self.location = location
        self.file = file
        self.size = len(body) if size is None else size


class Flavor:
    """One server's ways: where its files are, which methods it allows, how its errors and logs look."""

    def __init__(self, *, name: str, server: str, doc_root: str, default_files: Mapping[str, bytes],
                 methods: frozenset[str], listing: bool, stop_signals: tuple[signal.Signals, ...],
                 idle_timeout: float, error_page: Callable[[int, str, str], bytes],
                 etag: Callable[[os.stat_result], str], error_type: str, default_type: str | None) -> None:
        self.name = name
        self.server = server
        self.doc_root = doc_root
        self.default_files = default_files
        self.methods = methods
        self.listing = listing
        self.stop_signals = stop_signals
        self.idle_timeout = idle_timeout
        self.error_page = error_page
        self.etag = etag
        self.error_type = error_type
        self.default_type = default_type


def _nginx_error(status: int, method: str, location: str) -> bytes:
    title = f"{status} {_NGINX_REASONS.get(status) or HTTPStatus(status).phrase}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()


def _httpd_error(status: int, method: str, location: str) -> bytes:
    phrase = HTTPStatus(status).phrase
    message = _HTTPD_MESSAGES[status].format(location=html.escape(location), method=html.escape(method))
    return ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            f"<title>{status} {phrase}</title>\n</head><body>\n<h1>{phrase}</h1>\n{message}</body></html>\n"
            ).encode()


FLAVORS: dict[str, Flavor] = {
    "nginx": Flavor(
        name="nginx", server="nginx", doc_root="/usr/share/nginx/html",
        default_files={"/index.html": _NGINX_INDEX, "/50x.html": _NGINX_50X},
        methods=frozenset({"GET", "HEAD"}), listing=False,
        stop_signals=(signal.SIGTERM, signal.SIGINT, signal.SIGQUIT), idle_timeout=65.0,
        error_page=_nginx_error, etag=lambda st: f'"{int(st.st_mtime):x}-{st.st_size:x}"',
        error_type="text/html", default_type="application/octet-stream"),
    "httpd": Flavor(
        name="httpd", server="Apache", doc_root="/usr/local/apache2/htdocs",
        default_files={"/index.html": _HTTPD_INDEX},
        methods=frozenset({"GET", "HEAD", "POST"}), listing=True,
        stop_signals=(signal.SIGTERM, signal.SIGINT, signal.SIGWINCH), idle_timeout=5.0,
        error_page=_httpd_error, etag=lambda st: f'"{st.st_size:x}-{st.st_mtime_ns // 1000:x}"',
        error_type="text/html; charset=iso-8859-1", default_type=None),
}


class _Site:
    def __init__(self, flavor: Flavor, doc_root: Path, port: int) -> None:
        self.flavor = flavor
        self.doc_root = doc_root
        self.port = port

    def error(self, status: int, method: str, location: str = "") -> _Page:
        return _Page(status, self.flavor.error_page(status, method, location), self.flavor.error_type,
                     location=location or None)

    def page(self, request: http1.Request) -> _Page:
        if request.method not in self.flavor.methods:
            return self.error(405, request.method)
        target = request.target
        if "://" in target:  # absolute-form
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        raw_path, _, query = target.partition("?")
        path = urllib.parse.unquote(raw_path)
        if not path.startswith("/") or "\0" in path:
            return self.error(400, request.method)
        parts: list[str] = []
        for part in path.split("/"):
            if part == "..":
                if not parts:
                    return self.error(400, request.method)
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        clean = "/" + "/".join(parts) + ("/" if path.endswith("/") and parts else "")
        if not self.doc_root.is_dir():
            return self._image_file(clean, request)
        full = self.doc_root.joinpath(*parts)
        try:
            st = full.stat()
        except (FileNotFoundError, NotADirectoryError):
            return self.error(404, request.method)
        except OSError:
            return self.error(403, request.method)
        if stat.S_ISDIR(st.st_mode):
            if not clean.endswith("/"):
                return self.error(301, request.method, self._location(request, clean + "/", query))
            index = full / "index.html"
            if index.is_file():
                return self._file(index, request)
            if self.flavor.listing:
                return self._listing(full, clean)
            return self.error(403, request.method)
        if clean.endswith("/"):
            return self.error(404, request.method)
        return self._file(full, request)

    def _location(self, request: http1.Request, path: str, query: str) -> str:
        """An absolute redirect, as nginx's ``absolute_redirect`` and ``port_in_redirect`` make it."""
        host = request.header("Host") or "localhost"
        host = host[: host.find("]") + 1] if host.startswith("[") else host.partition(":")[0]
        authority = host if self.port == 80 else f"{host}:{self.port}"
        return f"http://{authority}{urllib.parse.quote(path)}" + (f"?{query}" if query else "")

    def _image_file(self, path: str, request: http1.Request) -> _Page:
        if path == "/":
            path = "/index.html"
        body = self.flavor.default_files.get(path)
        if body is None:
            return self.error(404, request.method)
        return _Page(200, body, "text/html", last_modified=_IMAGE_BUILT, etag=f'"{len(body):x}"')

    def _file(self, path: Path, request: http1.Request) -> _Page:
        try:
            file = path.open("rb")
        except FileNotFoundError:
            return self.error(404, request.method)
        except OSError:
            return self.error(403, request.method)
        st = os.fstat(file.fileno())
        content_type = mimetypes.guess_type(path.name, strict=False)[0] or self.flavor.default_type
        return _Page(200, b"", content_type, last_modified=st.st_mtime, etag=self.flavor.etag(st), file=file,
                     size=st.st_size)

    def _listing(self, directory: Path, path: str) -> _Page:
        names = sorted(p.name + ("/" if p.is_dir() else "") for p in directory.iterdir())
        title = html.escape(f"Index of {path.rstrip('/') or '/'}")
        items = "".join(f'<li><a href="{urllib.parse.quote(n)}"> {html.escape(n)}</a></li>\n' for n in names)
        parent_href = urllib.parse.quote(path.rstrip("/").rpartition("/")[0] + "/")
        parent = f'<li><a href="{parent_href}"> Parent Directory</a></li>\n' if path != "/" else ""
        body = (f'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n  <title>{title}'
                f"</title>\n </head>\n <body>\n<h1>{title}</h1>\n<ul>{parent}{items}</ul>\n</body></html>\n")
        return _Page(200, body.encode(), "text/html;charset=UTF-8")


def _not_modified(request: http1.Request, page: _Page) -> bool:
    if page.status != 200:
        return False
    if (tags := request.header("If-None-Match")) is not None:
        return page.etag is not None and (tags.strip() == "*" or page.etag in [t.strip() for t in tags.split(",")])
    since = request.header("If-Modified-Since")
    return since is not None and page.last_modified is not None and since == http1.http_date(page.last_modified)


def _headers(flavor: Flavor, page: _Page, status: int, keep_alive: bool) -> list[tuple[str, str]]:
    connection = ("Connection", "keep-alive" if keep_alive else "close")
    length = ("Content-Length", str(page.size))
    modified = [("Last-Modified", http1.http_date(page.last_modified))] if page.last_modified else []
    etag = [("ETag", page.etag)] if page.etag else []
    content_type = [("Content-Type", page.content_type)] if page.content_type else []
    location = [("Location", page.location)] if page.location and status == 301 else []
    if flavor.name == "nginx":
        if status == 304:
            return [("Server", flavor.server), ("Date", http1.http_date()), *modified, connection, *etag]
        return [("Server", flavor.server), ("Date", http1.http_date()), *content_type, length, *modified,
                connection, *location, *etag]
    allow = [("Allow", "GET,POST,OPTIONS,HEAD")] if status == 405 else []
    if status == 304:
        return [("Date", http1.http_date()), ("Server", flavor.server), *etag]
    return [("Date", http1.http_date()), ("Server", flavor.server), *modified, *etag, *location, *allow,
            length, *([("Keep-Alive", "timeout=5, max=100"), connection] if keep_alive else [connection]),
            *content_type]


def _access_log(flavor: Flavor, request: http1.Request, status: int, sent: int) -> str:
    when = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
    line = f'{request.peer or "-"} - - [{when}] "{request.method} {request.target} {request.version}" {status} '
    if flavor.name == "nginx":
        referer = request.header("Referer") or "-"
        agent = request.header("User-Agent") or "-"
        return line + f'{sent} "{referer}" "{agent}"'
    return line + (str(sent) if sent else "-")


def _handler(site: _Site) -> http1.Handler:
    flavor = site.flavor

    def handle(request: http1.Request, response: http1.Response) -> None:
        page = site.page(request)
        try:
            status = 304 if _not_modified(request, page) else page.status
            keep_alive = request.keep_alive and status != 400
            reason = _NGINX_REASONS.get(status) if flavor.name == "nginx" else None
            response.start(status, _headers(flavor, page, status, keep_alive), framing="length",
                           reason=reason, close=not keep_alive)
            sent = 0 if status == 304 or request.method == "HEAD" else page.size
            if sent and page.file is not None:
                remaining = page.size  # as fstat said: what Content-Length promised
                while remaining and (chunk := page.file.read(min(remaining, 65536))):
                    response.write(chunk)
                    remaining -= len(chunk)
                if remaining:
                    raise OSError(f"{page.file.name} shrank while being sent")  # drops the connection
            elif sent:
                response.write(page.body)
        finally:
            if page.file is not None:
                page.file.close()
        print(_access_log(flavor, request, status, sent), flush=True)

    return handle


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    flavor = FLAVORS.get(args[0] if args else "nginx")
    if flavor is None:
        print(f"usage: python -m petset.images.webserver [{'|'.join(FLAVORS)}]", file=sys.stderr)
        return 2
    doc_root = overrides.directory(flavor.doc_root, overrides.DOCROOT_OVERRIDE)
    port = overrides.port(80)
    site = _Site(flavor, doc_root, port)
    return http1.run(_handler(site), host=overrides.listen_host(), port=port, idle_timeout=flavor.idle_timeout,
                     stop_signals=flavor.stop_signals)


if __name__ == "__main__":
    sys.exit(main())
