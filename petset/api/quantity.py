"""Kubernetes ``resource.Quantity``: parsing, comparison and the canonical string form.

Every quantity the API server accepts (``requests.storage: 1Mi``, ``limits.cpu: 0.5``) is decoded
into a fixed-point ``Quantity`` and encoded again, so what a client reads back is the *canonical*
form: ``1024Ki`` comes back as ``1Mi``, ``0.5`` as ``500m``, ``1.5Gi`` as ``1536Mi``. kubectl diffs,
ControllerRevision bytes and the PV binder's size comparisons all depend on reproducing that exactly,
so this module mirrors k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go, amount.go)
decision for decision, including its quirks:

* a string that is already canonical for the fast int64 path is echoed back verbatim, sign and
  leading zeros included (``+1Mi`` and ``01Mi`` stay as written; ``1e3`` stays ``1e3``);
* values are kept exactly down to the nano, finer values are rounded away from zero
  (``0.9n`` -> ``1n``); binary-suffixed values are capped at 2^63-1 (``8Ei``);
* a binary quantity that is not a whole number, or is below 1024, is printed in decimal SI.

Amounts are held as :class:`decimal.Decimal` with a precision sized to the input, so no value is
ever rounded by the arithmetic itself.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

__all__ = [
    "BINARY_SI",
    "DECIMAL_EXPONENT",
    "DECIMAL_SI",
    "ERR_FORMAT_WRONG",
    "ERR_NUMERIC",
    "ERR_SUFFIX",
    "MILLI",
    "Quantity",
    "QuantityError",
    "canonical_quantity",
    "format_quantity",
    "format_quantity_bytes",
    "parse_quantity",
    "quantity_milli_value",
    "quantity_value",
]

DECIMAL_EXPONENT: Final = "DecimalExponent"  # e.g. 12e6
BINARY_SI: Final = "BinarySI"  # e.g. 12Mi (12 * 2^20)
DECIMAL_SI: Final = "DecimalSI"  # e.g. 12M (12 * 10^6)

#: The base-10 scale of one thousandth, the precision resource lists are rounded up to.
MILLI: Final = -3
_NANO: Final = -9

_SPLIT_RE_STRING: Final = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT_WRONG: Final = "quantities must match the regular expression '" + _SPLIT_RE_STRING + "'"
ERR_NUMERIC: Final = "unable to parse numeric part of quantity"
ERR_SUFFIX: Final = "unable to parse quantity's suffix"

_DIGITS: Final = frozenset("0123456789")
_SUFFIX_CHARS: Final = frozenset("eEinumkKMGTP")
_MAX_INT64: Final = 2**63 - 1
# maxInt64Factors in math.go: the number of decimal digits that always fit an int64.
_MAX_INT64_FACTORS: Final = 18

_DECIMAL_SUFFIXES: Final = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_DECIMAL_SUFFIX_FOR: Final = {exp: suffix for suffix, exp in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_BINARY_SUFFIX_FOR: Final = {exp // 10: suffix for suffix, exp in _BINARY_SUFFIXES.items()}


class QuantityError(ValueError):
    """A string that is not a quantity; ``str()`` is upstream's error text."""


def _context(digits: int) -> decimal.Context:
    # Exact arithmetic: enough digits for the input plus a 2^60 multiplier and nano rounding.
    return decimal.Context(prec=digits + 64, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int), "quantities are always finite"
    return exponent


def _wrap_int32(value: int) -> int:
    return (value + 2**31) % 2**32 - 2**31


def _interpret(suffix: str) -> tuple[int, int, str]:
    """(base, exponent, format) of a suffix, as suffixHandler.interpret does."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        digits = suffix[1:]
        body = digits[1:] if digits[0] in "+-" else digits
        # strconv.ParseInt(.., 10, 64): optional sign, decimal digits, must fit an int64.
        if body and all(c in _DIGITS for c in body):
            parsed = int(digits)
            if -(2**63) <= parsed <= _MAX_INT64:
                return 10, _wrap_int32(parsed), DECIMAL_EXPONENT
    raise QuantityError(ERR_SUFFIX)


def _scan(text: str) -> tuple[bool, str, str, str, str]:
    """Split a quantity into (positive, value, num, denom, suffix): parseQuantityString."""
    positive = True
    pos = 0
    end = len(text)
    if pos < end:
        if text[0] == "-":
            positive = False
            pos += 1
        elif text[0] == "+":
            pos += 1

    # Leading zeros are dropped from the numerator; nothing but zeros is the number 0.
    while True:
        if pos >= end:
            return positive, "0", "0", "", ""
        if text[pos] != "0":
            break
        pos += 1

    i = pos
    while True:
        if i >= end:
            return positive, text, text[pos:end], "", ""
        if text[i] not in _DIGITS:
            break
        i += 1
    num = text[pos:i] or "0"
    pos = i

    denom = ""
    if pos < end and text[pos] == ".":
        pos += 1
        i = pos
        while True:
            if i >= end:
                return positive, text, num, text[pos:end], ""
            if text[i] not in _DIGITS:
                break
            i += 1
        denom = text[pos:i]
        pos = i
    value = text[:pos]

    suffix_start = pos
    i = pos
    while True:
        if i >= end:
            return positive, value, num, denom, text[suffix_start:]
        if text[i] not in _SUFFIX_CHARS:
            break
        i += 1
    pos = i
    if text[pos] in "-+":
        pos += 1
    i = pos
    while True:
        if i >= end:
            return positive, value, num, denom, text[suffix_start:]
        if text[i] not in _DIGITS:
            break
        i += 1
    raise QuantityError(ERR_FORMAT_WRONG)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A parsed quantity: exact amount, the suffix family it is printed in, and its cached text.

    ``cached`` is upstream's ``q.s``: the input string when the parser found it already canonical,
    which is then echoed back verbatim. ``int_scale`` is the base-10 scale of the int64 fast-path
    representation (None when the value needed arbitrary precision); rounding only clears the
    cached string when it has to change that scale, exactly as ``Quantity.RoundUp`` does.
    """

    amount: Decimal
    format: str = DECIMAL_SI
    cached: str | None = None
    int_scale: int | None = None

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """``resource.ParseQuantity``; raises :class:`QuantityError` with upstream's message."""
        if not text:
            raise QuantityError(ERR_FORMAT_WRONG)
        if text == "0":
            return cls(Decimal(0), DECIMAL_SI, "0", 0)

        positive, value, num, denom, suffix = _scan(text)
        base, exponent, fmt = _interpret(suffix)

        precision = 0
        scale = 0
        mantissa = 1
        if fmt == BINARY_SI:
            if exponent >= 0 and not denom:
                mantissa = 1 << exponent
                # 1Mi (2^20) has ~6 digits of decimal precision, so exponent*3/10 - 1 is roughly it.
                precision = 15 - len(num) - exponent * 3 // 10 - 1
            else:
                precision = -1
        else:
            scale = exponent
            precision = _MAX_INT64_FACTORS - (len(num) + len(denom))

        if precision >= 0:
            scale -= len(denom)
            if scale >= _NANO:
                shifted = num + denom
                unscaled = int(shifted)
                if unscaled > _MAX_INT64:
                    raise QuantityError(ERR_NUMERIC)
                result = unscaled * mantissa
                if result <= _MAX_INT64:
                    if not positive:
                        result = -result
                    if fmt == BINARY_SI:
                        reuse = exponent % 10 == 0 and unscaled & 0x07 != 0
                    else:
                        reuse = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
                    amount = Decimal(result).scaleb(scale, context=_context(0))
                    return cls(amount, fmt, text if reuse else None, scale)

        ctx = _context(len(text))
        try:
            amount = ctx.create_decimal(value)
        except decimal.InvalidOperation:
            raise QuantityError(ERR_NUMERIC) from None
        amount = ctx.scaleb(amount, exponent) if base == 10 else ctx.multiply(amount, Decimal(1 << exponent))

        negative = amount < 0
        amount = ctx.abs(amount)
        if amount != 0 and _exponent(amount) < _NANO:
            # Non-zero values round *up* to the nano: asking for a tiny amount still gets some.
            amount = amount.quantize(Decimal(1).scaleb(_NANO), rounding=decimal.ROUND_UP, context=ctx)
        if fmt == BINARY_SI and amount > _MAX_INT64:
            amount = Decimal(_MAX_INT64)
        if fmt == BINARY_SI and 0 < amount < 1:
            fmt = DECIMAL_SI
        if negative:
            amount = ctx.minus(amount)
        return cls(amount, fmt, None, None)

    @classmethod
    def from_json(cls, value: object) -> Quantity:
        """``Quantity.UnmarshalJSON``: strings are trimmed, JSON numbers read as written, null is 0."""
        if value is None:
            return cls(Decimal(0), DECIMAL_SI, None, 0)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise QuantityError(ERR_FORMAT_WRONG)
        text = value.strip() if isinstance(value, str) else str(value)
        return cls.parse(text)

    def round_up(self, scale: int) -> Quantity:
        """``Quantity.RoundUp``: round away from zero to ``10^scale``, e.g. ``MILLI``."""
        unit = Decimal(1).scaleb(scale)
        if self.int_scale is not None:
            if self.int_scale >= scale:
                return self
            rounded = self.amount.quantize(unit, rounding=decimal.ROUND_UP, context=_context(0))
            return Quantity(rounded, self.format, None, scale)
        if _exponent(self.amount) >= scale:
            return Quantity(self.amount, self.format, None, None)
        digits = len(self.amount.as_tuple().digits)
        rounded = self.amount.quantize(unit, rounding=decimal.ROUND_UP, context=_context(digits + abs(scale)))
        return Quantity(rounded, self.format, None, None)

    def canonical(self) -> str:
        """The canonical form (``CanonicalizeBytes``), ignoring any cached input string."""
        return _canonicalize(self.amount, self.format)

    def __str__(self) -> str:
        """``Quantity.String`` / ``MarshalJSON``: the cached input when canonical, else canonical."""
        return self.cached if self.cached else self.canonical()


def _canonicalize(amount: Decimal, fmt: str) -> str:
    if amount == 0:
        return "0"
    if fmt not in (DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT):
        fmt = DECIMAL_EXPONENT
    whole = amount
    if fmt == BINARY_SI:
        if -1024 < amount < 1024:
            # Small binary values print in decimal: avoids rounding and confusion.
            fmt = DECIMAL_SI
        else:
            precision = len(amount.as_tuple().digits)
            whole = amount.quantize(Decimal(1), rounding=decimal.ROUND_UP, context=_context(precision))
            if whole != amount:
                # Never lose precision: a fractional binary value is shown in decimal.
                fmt = DECIMAL_SI

    if fmt == BINARY_SI:
        integer = int(whole)
        magnitude = abs(integer)
        power = 0
        while magnitude >= 1024 and magnitude % 1024 == 0:
            magnitude //= 1024
            power += 1
        return f"{-magnitude if integer < 0 else magnitude}{_BINARY_SUFFIX_FOR.get(power, '')}"

    sign, digit_tuple, _ = amount.as_tuple()
    exponent = _exponent(amount)
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    # The exponent moves down to a multiple of three, the mantissa grows to match.
    shift = exponent % 3
    mantissa = digits + "0" * shift
    exponent -= shift
    number = ("-" if sign else "") + mantissa
    if fmt == DECIMAL_SI:
        suffix = _DECIMAL_SUFFIX_FOR.get(exponent)
        if suffix is not None:
            return number + suffix
        # Beyond "E" there is no SI suffix. v1.32 silently dropped the exponent here ("1000E"
        # read back as "1"); later apimachinery falls back to exponent notation, as we do.
    return number if exponent == 0 else f"{number}e{exponent}"


def parse_quantity(text: str | int | float | None) -> Decimal:
    """The exact value of a quantity as a JSON field holds it (``"1Mi"`` -> 1048576).

    Raises :class:`QuantityError` (a ``ValueError``) carrying upstream's message, e.g.
    ``quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'``.
    """
    return Quantity.from_json(text).amount


def canonical_quantity(text: str | int | float | None) -> str:
    """The string the API server stores for a quantity field: a JSON decode/encode round trip."""
    return str(Quantity.from_json(text))


def quantity_value(text: str | int | float) -> int:
    """``Quantity.Value``: the value rounded up (away from zero) to an integer."""
    amount = parse_quantity(text)
    return int(amount.to_integral_value(rounding=decimal.ROUND_UP, context=_context(len(str(amount)))))


def quantity_milli_value(text: str | int | float) -> int:
    """``Quantity.MilliValue``: the value in thousandths, rounded up (away from zero)."""
    value = parse_quantity(text)
    amount = value.scaleb(3, context=_context(len(value.as_tuple().digits)))
    return int(amount.to_integral_value(rounding=decimal.ROUND_UP, context=_context(len(str(amount)))))


def format_quantity(amount: int | Decimal, fmt: str = DECIMAL_SI) -> str:
    """The canonical string of a computed amount, like ``resource.NewQuantity(v, fmt).String()``."""
    return _canonicalize(Decimal(amount), fmt)


def format_quantity_bytes(size: int) -> str:
    """A byte count as a binary-SI quantity (1048576 -> ``"1Mi"``), as kubelets report capacity."""
    return format_quantity(size, BINARY_SI)
