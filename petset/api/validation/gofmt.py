"""Go renderings of the bad values that field errors print.

``field.Error.ErrorBody`` prints a bad value with ``%v`` for numbers, ``%q`` for strings, ``String()`` for
anything that is (or whose pointer is) a ``fmt.Stringer``, and ``%#v`` for the rest. The rest are Go's
*internal* API types (``apps.StatefulSetUpdateStrategy{...}``), which a JSON dict cannot name by itself,
so each caller says which Go type it stands for. Pointer fields print as ``(*T)(0x...)`` in Go; the
address differs on every run, so we print one fixed address and say so here rather than pretend.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "FAKE_ADDRESS",
    "go_int_or_string",
    "go_int_or_string_struct",
    "go_label_selector",
    "go_ptr",
    "go_quote",
    "go_string_map",
    "go_string_slice",
    "go_struct",
    "go_time",
]

#: Go prints a live heap address here; petset prints this one so messages stay reproducible.
FAKE_ADDRESS = "0xc000000000"

_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               "\\": "\\\\", '"': '\\"'}


def go_quote(text: str) -> str:
    """``strconv.Quote``: printable runes stay, the rest become \\xNN or \\uNNNN escapes."""
    out = []
    for ch in text:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def go_string_map(value: Mapping[str, Any] | None) -> str:
    """``%#v`` of a ``map[string]string``: keys sorted, a nil map shown as such."""
    if value is None:
        return "map[string]string(nil)"
    inner = ", ".join(f"{go_quote(k)}:{go_quote(str(v))}" for k, v in sorted(value.items()))
    return f"map[string]string{{{inner}}}"


def go_string_slice(value: Sequence[str] | None, type_name: str = "[]string") -> str:
    """``%#v`` of a ``[]string`` (or a named string slice type)."""
    if value is None:
        return f"{type_name}(nil)"
    return f"{type_name}{{{', '.join(go_quote(str(v)) for v in value)}}}"


def go_ptr(type_name: str, present: bool) -> str:
    """``%#v`` of a pointer field inside a struct."""
    return f"(*{type_name})({FAKE_ADDRESS if present else 'nil'})"


def go_struct(type_name: str, fields: Iterable[tuple[str, str]]) -> str:
    """``%#v`` of a struct whose fields are already rendered."""
    return f"{type_name}{{{', '.join(f'{name}:{text}' for name, text in fields)}}}"


def go_int_or_string(value: Any) -> str:
    """``intstr.IntOrString.String()``: what ErrorBody prints, since the pointer type is a Stringer."""
    return str(value)


def go_int_or_string_struct(value: Any) -> str:
    """``%#v`` of an IntOrString nested in another struct (nested values do not use String())."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f'intstr.IntOrString{{Type:0, IntVal:{value}, StrVal:""}}'
    return f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{go_quote(str(value))}}}"


def _requirement_string(req: Mapping[str, Any]) -> str:
    values = req.get("values")
    shown = "[" + " ".join(str(v) for v in values) + "]" if values else "[]"
    return (f"LabelSelectorRequirement{{Key:{req.get('key') or ''},Operator:{req.get('operator') or ''},"
            f"Values:{shown},}}")


def go_label_selector(selector: Mapping[str, Any] | None) -> str:
    """The gogo-protobuf ``(*metav1.LabelSelector).String()``, which ErrorBody prefers over ``%#v``."""
    if selector is None:
        return "null"
    labels = selector.get("matchLabels") or {}
    label_text = "".join(f"{k}: {v}," for k, v in sorted(labels.items()))
    expressions = "".join(_requirement_string(req) + "," for req in selector.get("matchExpressions") or [])
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{label_text}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{expressions}}},}}")


def go_time(value: str | None) -> str:
    """``time.Time.String()`` of an RFC 3339 timestamp as the server holds it (UTC)."""
    if not value:
        return "0001-01-01 00:00:00 +0000 UTC"
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return json.dumps(value)
    parsed = parsed.astimezone(datetime.UTC)
    text = parsed.strftime("%Y-%m-%d %H:%M:%S")
    if parsed.microsecond:
        text += f".{parsed.microsecond:06d}".rstrip("0")
    return text + " +0000 UTC"
