"""Tests for petset.api.quantity against the tables of upstream's quantity_test.go."""

from __future__ import annotations

from decimal import Decimal

import pytest

from petset.api.quantity import (
    BINARY_SI,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    ERR_FORMAT_WRONG,
    ERR_NUMERIC,
    ERR_SUFFIX,
    MILLI,
    Quantity,
    QuantityError,
    canonical_quantity,
    format_quantity,
    format_quantity_bytes,
    parse_quantity,
    quantity_milli_value,
    quantity_value,
)

# What the API server hands back for what it was given.
CANONICAL = [
    # The brief's and the book's cases.
    ("1Mi", "1Mi"),
    ("1024Ki", "1Mi"),
    ("1000Mi", "1000Mi"),
    ("0.5", "500m"),
    ("1.5Gi", "1536Mi"),
    ("100m", "100m"),
    ("1Gi", "1Gi"),
    ("10Gi", "10Gi"),
    ("500m", "500m"),
    ("1", "1"),
    ("0", "0"),
    # An exponent that is already canonical is echoed back: it does not become "1k".
    ("1e3", "1e3"),
    ("12e6", "12e6"),
    ("1.5e3", "1500"),
    ("1.2e3", "1200"),
    ("1000", "1k"),
    ("1200", "1200"),
    ("12000", "12k"),
    ("1000M", "1G"),
    ("0.001T", "1G"),
    ("1024Mi", "1Gi"),
    ("307200Ki", "300Mi"),
    ("1025024Mi", "1001Gi"),
    # TestQuantityParseEmit
    (".001Ki", "1024m"),
    (".000001Ki", "1024u"),
    (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"),
    # TestQuantityString alternates
    ("5000m", "5"),
    ("1000u", "1m"),
    ("1.08", "1080m"),
    ("1080000000n", "1080m"),
    (".001e12", "1e9"),
    ("0.001e0", "1e-3"),
    ("1000e-12", "1e-9"),
    ("00", "0"),
    # Binary values that are small or fractional print in decimal.
    ("0.5Ki", "512"),
    ("1.5Ki", "1536"),
    ("0.5Mi", "512Ki"),
    ("100.035Ki", "102435840m"),
    # Rounding to the nano and the binary cap.
    ("3.001n", "4n"),
    ("1.1E-9", "2e-9"),
    ("0.9n", "1n"),
    ("1e-10", "1e-9"),
    ("-1e-10", "-1e-9"),
    ("1e-2147483647", "1e-9"),
    ("0.00000012345", "124n"),
    ("8Ei", "9223372036854775807"),
    ("9223372036854775807Ki", "9223372036854775807"),
    # Canonical-looking input is reused verbatim, signs and leading zeros included.
    ("+1Mi", "+1Mi"),
    ("01Mi", "01Mi"),
    ("1.", "1."),
    ("1.G", "1.G"),
    ("-1Mi", "-1Mi"),
    ("-1024Ki", "-1Mi"),
    ("-0.5", "-500m"),
    ("-0", "0"),
    # The scanner's leniency.
    (".", "0"),
    ("-.", "0"),
    ("Mi", "0"),
    ("0.0", "0"),
    # Past "E" there is no SI suffix (later apimachinery; v1.32 dropped the exponent).
    ("1000E", "1e21"),
]


@pytest.mark.parametrize(("given", "expected"), CANONICAL)
def test_canonical_form(given: str, expected: str) -> None:
    assert canonical_quantity(given) == expected


@pytest.mark.parametrize(("given", "expected"), CANONICAL)
def test_canonical_form_is_stable(given: str, expected: str) -> None:
    assert canonical_quantity(expected) == expected


@pytest.mark.parametrize(
    ("given", "value", "fmt"),
    [
        ("0", 0, DECIMAL_SI),
        ("0Ki", 0, BINARY_SI),
        ("1Ki", 1024, BINARY_SI),
        ("3Ei", 3 * 2**60, BINARY_SI),
        ("5n", Decimal("5e-9"), DECIMAL_SI),
        ("50k", 50000, DECIMAL_SI),
        ("1E", 10**18, DECIMAL_SI),
        ("1E-3", Decimal("0.001"), DECIMAL_EXPONENT),
        ("1.3E+6", 1300000, DECIMAL_EXPONENT),
        ("0.5e-2", Decimal("0.005"), DECIMAL_EXPONENT),
        ("100.035k", 100035, DECIMAL_SI),
        ("6.987654321G", 6987654321, DECIMAL_SI),
        ("0.0000000005", Decimal("1e-9"), DECIMAL_SI),
        ("0.05Gi", Decimal("53687091.2"), BINARY_SI),
        ("0.000000000001Ki", Decimal("2e-9"), DECIMAL_SI),  # rounds up and changes format
        ("9Ei", 2**63 - 1, BINARY_SI),
        ("12E", 12 * 10**18, DECIMAL_SI),
    ],
)
def test_parse(given: str, value: int | Decimal, fmt: str) -> None:
    quantity = Quantity.parse(given)
    assert quantity.amount == value
    assert quantity.format == fmt
    assert Quantity.parse("-" + given).amount == -value
    assert Quantity.parse("+" + given).amount == value


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", ERR_FORMAT_WRONG),
        ("1.1.M", ERR_FORMAT_WRONG),
        ("1+1.0M", ERR_FORMAT_WRONG),
        ("0.1am", ERR_FORMAT_WRONG),
        ("aoeu", ERR_FORMAT_WRONG),
        ("5Gb", ERR_FORMAT_WRONG),
        ("1KI", ERR_FORMAT_WRONG),
        ("0.1mi", ERR_SUFFIX),
        (".5i", ERR_SUFFIX),
        ("1i", ERR_SUFFIX),
        ("-3.01e-", ERR_SUFFIX),
        ("1e", ERR_SUFFIX),
        ("1ki", ERR_SUFFIX),
        ("e-20", ERR_NUMERIC),
    ],
)
def test_errors_carry_upstream_messages(given: str, message: str) -> None:
    with pytest.raises(QuantityError) as caught:
        Quantity.parse(given)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_format_error_text_is_upstreams() -> None:
    assert ERR_FORMAT_WRONG == (
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )


def test_parse_rejects_whitespace_but_json_values_are_trimmed() -> None:
    with pytest.raises(QuantityError):
        Quantity.parse(" 1")
    assert canonical_quantity(" 1 ") == "1"
    assert parse_quantity(" 1Mi") == 1048576


def test_json_numbers_and_null() -> None:
    assert canonical_quantity(1) == "1"
    assert canonical_quantity(10) == "10"
    assert canonical_quantity(-1) == "-1"
    assert canonical_quantity(0.5) == "500m"
    assert canonical_quantity(1024) == "1024"
    assert canonical_quantity(None) == "0"
    with pytest.raises(QuantityError):
        canonical_quantity(True)


def test_parse_quantity_values() -> None:
    assert parse_quantity("1Mi") == 2**20
    assert parse_quantity("1Gi") > parse_quantity("1000Mi")
    assert parse_quantity("10000T") > parse_quantity("100Gi")
    assert parse_quantity("100m") == Decimal("0.1")


@pytest.mark.parametrize(
    ("given", "scale", "expected"),
    [
        ("9.01", -3, "9010m"),
        ("9.01", -1, "9100m"),
        ("9.01", 0, "10"),
        ("9.01", 2, "100"),
        ("-9.01", -1, "-9100m"),
        ("-9.01", 0, "-10"),
        ("100u", MILLI, "1m"),
        ("1500u", MILLI, "2m"),
        ("1.5Gi", MILLI, "1536Mi"),
        ("1e-4", MILLI, "1e-3"),
    ],
)
def test_round_up(given: str, scale: int, expected: str) -> None:
    assert str(Quantity.parse(given).round_up(scale)) == expected


def test_round_up_keeps_a_reused_string_when_nothing_changes() -> None:
    assert str(Quantity.parse("+1Mi").round_up(MILLI)) == "+1Mi"
    assert str(Quantity.parse("100m").round_up(MILLI)) == "100m"


def test_helpers() -> None:
    assert format_quantity_bytes(1048576) == "1Mi"
    assert format_quantity_bytes(1536) == "1536"
    assert format_quantity_bytes(10 * 2**30) == "10Gi"
    assert format_quantity(1000) == "1k"
    assert format_quantity(1234000) == "1234k"
    assert format_quantity(1024, BINARY_SI) == "1Ki"
    assert format_quantity(1000000, "invalidFormatDefaultsToExponent") == "1e6"
    assert format_quantity(Decimal("1.024"), BINARY_SI) == "1024m"
    assert quantity_value("1.5") == 2
    assert quantity_value("-1.5") == -2
    assert quantity_value("1Gi") == 2**30
    assert quantity_milli_value("0.5") == 500
    assert quantity_milli_value("1") == 1000
    assert quantity_milli_value("1n") == 1
