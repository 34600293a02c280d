"""The string-format checks (k8s.io/apimachinery/pkg/util/validation), message for message."""

from __future__ import annotations

import pytest

from petset.api.validation.content import (
    is_config_map_key,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_fully_qualified_domain_name,
    is_qualified_name,
    is_relaxed_env_var_name,
    is_valid_ip,
    is_valid_label_value,
    is_valid_percent,
    is_valid_port_name,
    is_valid_port_num,
    name_is_dns_label,
    name_is_dns_subdomain,
    parse_ip_sloppy,
    regex_error,
    validate_path_segment_name,
)

DNS_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS_SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS_1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
            "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
            "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
QUALIFIED_NAME_PART = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                       "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                       "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
               "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
               "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def test_regex_error_keeps_upstreams_double_space() -> None:
    assert regex_error("msg", "re") == "msg (regex used for validation is 're')"
    assert regex_error("msg", "re", "a", "b") == "msg (e.g. 'a',  or 'b', regex used for validation is 're')"


@pytest.mark.parametrize("name", ["kubia", "kubia-0", "0", "a" * 63, "123-abc"])
def test_dns1123_label_accepts(name: str) -> None:
    assert is_dns1123_label(name) == []


@pytest.mark.parametrize("name", ["Kubia", "kubia-", "-kubia", "kubia.0", "ku_bia", ""])
def test_dns1123_label_rejects_with_the_exact_text(name: str) -> None:
    assert is_dns1123_label(name) == [DNS_LABEL]


def test_dns1123_label_length() -> None:
    assert is_dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    assert is_dns1123_label("A" * 64) == ["must be no more than 63 characters", DNS_LABEL]


def test_dns1123_subdomain() -> None:
    assert is_dns1123_subdomain("pv-a.example.com") == []
    assert is_dns1123_subdomain("Pv-A") == [DNS_SUBDOMAIN]
    assert is_dns1123_subdomain("a." * 127) == ["must be no more than 253 characters", DNS_SUBDOMAIN]


def test_dns1035_label_must_start_with_a_letter() -> None:
    assert is_dns1035_label("kubia-public") == []
    assert is_dns1035_label("1kubia") == [DNS_1035]


def test_generate_name_prefixes_may_end_with_a_dash() -> None:
    assert name_is_dns_subdomain("web-", True) == []
    assert name_is_dns_label("web-", True) == []
    assert name_is_dns_label("web-", False) == [DNS_LABEL]


def test_qualified_names() -> None:
    assert is_qualified_name("app") == []
    assert is_qualified_name("app.kubernetes.io/name") == []
    assert is_qualified_name("my app") == [QUALIFIED_NAME_PART]
    assert is_qualified_name("/name") == ["prefix part must be non-empty"]
    assert is_qualified_name("example.com/") == ["name part must be non-empty", QUALIFIED_NAME_PART]
    assert is_qualified_name("Example.com/name") == ["prefix part " + DNS_SUBDOMAIN]
    assert is_qualified_name("a" * 64) == ["name part must be no more than 63 characters"]
    assert is_qualified_name("a/b/c") == [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
        "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. "
        "'example.com/MyName')"]


def test_label_values() -> None:
    assert is_valid_label_value("") == []
    assert is_valid_label_value("kubia_pet.v1") == []
    assert is_valid_label_value("-kubia") == [LABEL_VALUE]
    assert is_valid_label_value("a" * 64) == ["must be no more than 63 characters"]


def test_config_map_keys() -> None:
    assert is_config_map_key("index.html") == []
    assert is_config_map_key("..data") == ["must not start with '..'"]
    assert is_config_map_key(".") == ["must not be '.'"]
    assert is_config_map_key("a/b") == [
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
        "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]


def test_environment_variable_names_are_relaxed_in_v1_32() -> None:
    assert is_relaxed_env_var_name("1ST-VAR.name") == []
    assert is_relaxed_env_var_name("A=B") == [
        "a valid environment variable name must consist only of printable ASCII characters other than '='"]
    assert is_relaxed_env_var_name("") == ["environment variable name must be non-empty"]


def test_port_names_and_numbers() -> None:
    assert is_valid_port_name("http") == []
    assert is_valid_port_name("8080") == ["must contain at least one letter (a-z)"]
    assert is_valid_port_name("my--port") == ["must not contain consecutive hyphens"]
    assert is_valid_port_name("-http") == ["must not begin or end with a hyphen"]
    assert is_valid_port_name("HTTP") == ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                                          "must contain at least one letter (a-z)"]
    assert is_valid_port_name("a-very-long-port-name") == ["must be no more than 15 characters"]
    assert is_valid_port_num(0) == ["must be between 1 and 65535, inclusive"]
    assert is_valid_port_num(65536) == ["must be between 1 and 65535, inclusive"]


def test_percent() -> None:
    assert is_valid_percent("50%") == []
    assert is_valid_percent("50") == [
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex "
        "used for validation is '[0-9]+%')"]


def test_ip_addresses_are_parsed_sloppily_like_go_before_1_17() -> None:
    assert is_valid_ip("10.244.0.5") == []
    assert is_valid_ip("010.001.000.005") == []
    assert is_valid_ip("2001:db8::1") == []
    assert is_valid_ip("10.0.0.256") == ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    assert is_valid_ip("kubia-0") == ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    assert str(parse_ip_sloppy("010.0.0.1")) == "10.0.0.1"


def test_fully_qualified_domain_names() -> None:
    assert is_fully_qualified_domain_name("kubia-0.kubia.default.svc.cluster.local.") == (
        "kubia-0.kubia.default.svc.cluster.local", [])
    assert is_fully_qualified_domain_name("localhost") == (
        "localhost", ["should be a domain with at least two segments separated by dots"])


def test_path_segment_names() -> None:
    assert validate_path_segment_name("kubia.17e1a", False) == []
    assert validate_path_segment_name("..", False) == ["may not be '..'"]
    assert validate_path_segment_name("a/b%c", False) == ["may not contain '/'", "may not contain '%'"]
    assert validate_path_segment_name(".", True) == []
