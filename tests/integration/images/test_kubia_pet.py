"""luksa/kubia-pet as a real process: the book's replies to the byte, Node.js 7's framing."""

from __future__ import annotations

import re
import signal
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from .support import ImageRun, exchange, http, parse_reply

MODULE = "petset.images.kubia_pet"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "var-data"
    path.mkdir()
    return path


@pytest.fixture
def pet(run_image: Callable[..., ImageRun], data_dir: Path) -> ImageRun:
    return run_image(MODULE, env={"PETSET_DATA_DIR_OVERRIDE": str(data_dir),
                                  "PETSET_HOSTNAME_OVERRIDE": "kubia-0"})


def test_get_without_data(pet: ImageRun) -> None:
    reply = http(pet.host, pet.port, "GET", "/")
    assert reply.status_line == "HTTP/1.1 200 OK"
    assert reply.body == b"You've hit kubia-0\nData stored on this pod: No data posted yet\n"


def test_node_framing_on_the_wire(pet: ImageRun) -> None:
    data = exchange(pet.host, pet.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert re.fullmatch(rb"HTTP/1\.1 200 OK\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n"
                        rb"Connection: close\r\nTransfer-Encoding: chunked", head), head
    assert body == b"13\r\nYou've hit kubia-0\n\r\n2c\r\nData stored on this pod: No data posted yet\n\r\n0\r\n\r\n"


def test_post_stores_raw_body_logs_and_replies(pet: ImageRun, data_dir: Path) -> None:
    greeting = b"Hey there! This greeting was submitted to kubia-0."
    reply = http(pet.host, pet.port, "POST", "/", greeting)
    assert reply.status_line == "HTTP/1.1 200 OK"
    assert reply.body == b"Data stored on pod kubia-0\n"
    assert reply.header("Content-Type") is None and reply.header("Transfer-Encoding") == "chunked"
    assert (data_dir / "kubia.txt").read_bytes() == greeting
    assert pet.stdout == "New data has been received and stored.\n"
    reply = http(pet.host, pet.port, "GET", "/any/path?at=all")
    assert reply.body == b"You've hit kubia-0\nData stored on this pod: " + greeting + b"\n"


def test_empty_post_leaves_empty_file_and_empty_data(pet: ImageRun, data_dir: Path) -> None:
    (data_dir / "kubia.txt").write_text("old")
    assert http(pet.host, pet.port, "POST", "/", b"").body == b"Data stored on pod kubia-0\n"
    assert (data_dir / "kubia.txt").read_bytes() == b""
    assert http(pet.host, pet.port, "PUT", "/").body == b"You've hit kubia-0\nData stored on this pod: \n"


def test_chunked_post_and_expect_continue(pet: ImageRun, data_dir: Path) -> None:
    request = (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n"
               b"Connection: close\r\n\r\n5\r\nHello\r\n7\r\n, world\r\n0\r\n\r\n")
    data = exchange(pet.host, pet.port, request)
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    reply, _ = parse_reply(data.removeprefix(b"HTTP/1.1 100 Continue\r\n\r\n"))
    assert reply.body == b"Data stored on pod kubia-0\n"
    assert (data_dir / "kubia.txt").read_bytes() == b"Hello, world"


def test_keep_alive_http10_and_head(pet: ImageRun) -> None:
    two = (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
           b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    first, rest = parse_reply(exchange(pet.host, pet.port, two))
    assert first.header("Connection") == "keep-alive"
    second, rest = parse_reply(rest)
    assert (second.header("Connection"), second.body, rest) == ("close", b"Data stored on pod kubia-0\n", b"")

    old = exchange(pet.host, pet.port, b"GET / HTTP/1.0\r\n\r\n")
    head, _, body = old.partition(b"\r\n\r\n")
    assert b"Connection: close" in head and b"Transfer-Encoding" not in head
    assert body == b"You've hit kubia-0\nData stored on this pod: abc\n"

    reply = http(pet.host, pet.port, "HEAD", "/")
    assert reply.names == ["Date", "Connection"] and reply.body == b""


def test_post_without_data_dir_crashes_as_node_does(run_image: Callable[..., ImageRun], tmp_path: Path) -> None:
    pet = run_image(MODULE, env={"PETSET_DATA_DIR_OVERRIDE": str(tmp_path / "missing"),
                                 "PETSET_HOSTNAME_OVERRIDE": "kubia-0"})
    assert http(pet.host, pet.port).body.endswith(b"No data posted yet\n")
    with pytest.raises(AssertionError):
        http(pet.host, pet.port, "POST", "/", b"x")
    assert pet.process.wait(5) == 1
    assert pet.stderr == f"Error: ENOENT: no such file or directory, open '{tmp_path}/missing/kubia.txt'\n"


def test_os_hostname_by_default(run_image: Callable[..., ImageRun], data_dir: Path) -> None:
    pet = run_image(MODULE, env={"PETSET_DATA_DIR_OVERRIDE": str(data_dir)})
    assert http(pet.host, pet.port).body.startswith(f"You've hit {socket.gethostname()}\n".encode())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_promptly_even_with_a_connection_open(pet: ImageRun, sig: int) -> None:
    with socket.create_connection((pet.host, pet.port)) as idle:
        idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")  # kept alive, its thread reading
        code, took = pet.stop(sig)
    assert code == 0 and took < 2, (code, took)
    assert pet.stderr == ""
