"""Which DNS server the image programs ask: $PETSET_DNS_SERVER, $PETSET_RESOLV_CONF, /etc/resolv.conf."""

from __future__ import annotations

from pathlib import Path

import pytest

from petset.images.dnsclient import ResolverConfig, parse_server, resolver_config


def test_resolv_conf(tmp_path: Path) -> None:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("# pod resolv.conf\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n"
                      "nameserver 10.96.0.10\nnameserver 127.0.0.1:5353  # petset extension\n"
                      "nameserver [::1]:5354\nnameserver not-an-ip\noptions ndots:5 timeout:2 attempts:3\n")
    config = resolver_config({"PETSET_RESOLV_CONF": str(resolv)})
    assert config == ResolverConfig((("10.96.0.10", 53), ("127.0.0.1", 5353), ("::1", 5354)), 2.0, 3)


def test_server_override_wins_and_defaults(tmp_path: Path) -> None:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 10.96.0.10\noptions timeout:1\n")
    config = resolver_config({"PETSET_RESOLV_CONF": str(resolv), "PETSET_DNS_SERVER": "127.0.0.1:1053"})
    assert config == ResolverConfig((("127.0.0.1", 1053),), 1.0, 2)
    empty = resolver_config({"PETSET_RESOLV_CONF": str(tmp_path / "missing")})
    assert empty == ResolverConfig((("127.0.0.1", 53),), 5.0, 2)


@pytest.mark.parametrize(("text", "server"), [
    ("10.0.0.10", ("10.0.0.10", 53)), ("10.0.0.10:53", ("10.0.0.10", 53)), ("::1", ("::1", 53)),
    ("[fd00::a]:5353", ("fd00::a", 5353)),
])
def test_parse_server(text: str, server: tuple[str, int]) -> None:
    assert parse_server(text) == server


def test_parse_server_rejects_names() -> None:
    with pytest.raises(ValueError):
        parse_server("dns.local")
