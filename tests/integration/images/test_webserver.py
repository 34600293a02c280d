"""The nginx/httpd stand-in as a real process: files of the document root, default pages, errors."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from .support import ImageRun, http

MODULE = "petset.images.webserver"
NGINX_404 = (b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
             b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


@pytest.fixture
def start(run_image: Callable[..., ImageRun], tmp_path: Path) -> Callable[..., ImageRun]:
    def start_flavor(flavor: str, doc_root: Path | None = None) -> ImageRun:
        root = doc_root if doc_root is not None else tmp_path / "no-such-root"
        return run_image(MODULE, flavor, env={"PETSET_DOCROOT_OVERRIDE": str(root)})

    return start_flavor


def test_nginx_default_page_when_nothing_is_mounted(start: Callable[..., ImageRun]) -> None:
    web = start("nginx")
    reply = http(web.host, web.port)
    assert reply.status_line == "HTTP/1.1 200 OK"
    assert b"<title>Welcome to nginx!</title>" in reply.body
    assert reply.names == ["Server", "Date", "Content-Type", "Content-Length", "Last-Modified", "Connection",
                           "ETag"]
    assert (reply.header("Server"), reply.header("Content-Type")) == ("nginx", "text/html")
    assert reply.header("Content-Length") == str(len(reply.body))
    assert http(web.host, web.port, target="/50x.html").status_line == "HTTP/1.1 200 OK"
    assert http(web.host, web.port, target="/nope.html").body == NGINX_404


def test_nginx_serves_the_mounted_volume(start: Callable[..., ImageRun], tmp_path: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    web = start("nginx", root)
    forbidden = http(web.host, web.port)  # an empty volume hides the image's index.html
    assert forbidden.status_line == "HTTP/1.1 403 Forbidden"
    assert forbidden.body == NGINX_404.replace(b"404 Not Found", b"403 Forbidden")

    (root / "index.html").write_text("web-0\n")
    (root / "sub").mkdir()
    (root / "sub" / "data.json").write_text("{}")
    big = bytes(range(256)) * 1000
    (root / "big.bin").write_bytes(big)
    reply = http(web.host, web.port)
    assert (reply.status_line, reply.body) == ("HTTP/1.1 200 OK", b"web-0\n")
    head = http(web.host, web.port, "HEAD", "/index.html")
    assert (head.header("Content-Length"), head.body) == ("6", b"")
    assert http(web.host, web.port, target="/sub/data.json").header("Content-Type") == "application/json"
    streamed = http(web.host, web.port, target="/big.bin")
    assert (streamed.body, streamed.header("Content-Type")) == (big, "application/octet-stream")
    assert http(web.host, web.port, target="/missing").body == NGINX_404
    assert http(web.host, web.port, target="/index.html/").status_line == "HTTP/1.1 404 Not Found"

    moved = http(web.host, web.port, target="/sub?q=1")
    assert moved.status_line == "HTTP/1.1 301 Moved Permanently"
    assert moved.header("Location") == f"http://{web.host}:{web.port}/sub/?q=1"
    assert http(web.host, web.port, target="/sub/").status_line == "HTTP/1.1 403 Forbidden"
    assert http(web.host, web.port, target="/../etc/passwd").status_line == "HTTP/1.1 400 Bad Request"
    assert http(web.host, web.port, target="/sub/../index.html").body == b"web-0\n"
    assert http(web.host, web.port, "POST", "/", b"x").status_line == "HTTP/1.1 405 Not Allowed"

    etag = reply.header("ETag")
    assert etag is not None
    cached = http(web.host, web.port, headers={"If-None-Match": etag})
    assert (cached.status_line, cached.body) == ("HTTP/1.1 304 Not Modified", b"")

    log = web.stdout.splitlines()
    assert log[0].startswith(f"{web.host} - - [") and log[0].endswith('"GET / HTTP/1.1" 403 146 "-" "-"')


def test_httpd_default_page_listing_and_errors(start: Callable[..., ImageRun], tmp_path: Path) -> None:
    web = start("httpd")
    assert http(web.host, web.port).body == b"<html><body><h1>It works!</h1></body></html>\n"
    root = tmp_path / "htdocs"
    root.mkdir()
    (root / "a.txt").write_text("a")
    web = start("httpd", root)
    listing = http(web.host, web.port)
    assert listing.status_line == "HTTP/1.1 200 OK" and b'<a href="a.txt"> a.txt</a>' in listing.body
    missing = http(web.host, web.port, target="/b.txt")
    assert missing.status_line == "HTTP/1.1 404 Not Found"
    assert b"<p>The requested URL was not found on this server.</p>" in missing.body
    assert missing.header("Content-Type") == "text/html; charset=iso-8859-1"
    assert http(web.host, web.port, target="/a.txt").header("Content-Type") == "text/plain"
    assert http(web.host, web.port, "DELETE", "/a.txt").status_line == "HTTP/1.1 405 Method Not Allowed"


@pytest.mark.parametrize(("flavor", "sig"), [("nginx", signal.SIGTERM), ("nginx", signal.SIGQUIT),
                                             ("httpd", signal.SIGWINCH), ("httpd", signal.SIGINT)])
def test_stops_promptly_on_the_image_stop_signal(start: Callable[..., ImageRun], flavor: str, sig: int) -> None:
    web = start(flavor)
    http(web.host, web.port)
    code, took = web.stop(sig)
    assert code == 0 and took < 2
    assert web.stderr == ""
