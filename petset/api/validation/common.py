"""Shared plumbing: field paths, reading JSON dicts the way Go reads zero values, and error shorthands.

Validation runs on defaulted v1 objects held as JSON dicts. Go validates internal structs, where an absent
field is its zero value ("" / 0 / nil), so the readers here turn missing keys and JSON nulls into exactly
those zero values. Paths follow ``field.Path.String()``: ``spec.containers[0].name``, ``metadata.labels``,
``spec.resources[storage]`` (map keys in brackets, unquoted).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from petset.api.errors import FieldError, invalid_value
from petset.api.quantity import Quantity

__all__ = [
    "FIELD_IMMUTABLE",
    "IS_NEGATIVE",
    "JSON",
    "as_dict",
    "as_int",
    "as_list",
    "as_str",
    "child",
    "dedupe",
    "duplicate_value",
    "immutable",
    "index",
    "key",
    "nonnegative",
    "not_found",
    "not_supported_values",
    "semantic",
    "spec_diff",
]

JSON = Mapping[str, Any]

IS_NEGATIVE = "must be greater than or equal to 0"
FIELD_IMMUTABLE = "field is immutable"


def child(path: str, *names: str) -> str:
    """``Path.Child``."""
    for name in names:
        path = f"{path}.{name}" if path else name
    return path


def index(path: str, i: int) -> str:
    """``Path.Index``."""
    return f"{path}[{i}]"


def key(path: str, k: str) -> str:
    """``Path.Key``: Go prints map keys bare inside the brackets."""
    return f"{path}[{k}]"


def as_dict(value: Any) -> dict[str, Any]:
    """A struct or map field; absent and null read as empty."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value)


def nonnegative(value: int, path: str) -> list[FieldError]:
    """``ValidateNonnegativeField``."""
    return [invalid_value(path, value, IS_NEGATIVE)] if value < 0 else []


def immutable(new: Any, old: Any, path: str, *, value_text: str | None = None) -> list[FieldError]:
    """``ValidateImmutableField``; ``value_text`` renders the new value when it is not a plain JSON scalar."""
    if new == old:
        return []
    return [invalid_value(path, new, FIELD_IMMUTABLE, value_text=value_text)]


def not_found(path: str, value: Any) -> FieldError:
    """``field.NotFound``."""
    return FieldError("Not found", path, value)


def duplicate_value(path: str, value_text: str) -> FieldError:
    """``field.Duplicate`` of a value that needs a Go rendering (a struct)."""
    return FieldError("Duplicate value", path, None, "", value_text)


def not_supported_values(path: str, value: Any, supported: Iterable[str], *,
                         value_text: str | None = None) -> FieldError:
    """``field.NotSupported`` with an optional Go rendering of the bad value."""
    quoted = ", ".join(f'"{s}"' for s in supported)
    return FieldError("Unsupported value", path, value, f"supported values: {quoted}" if quoted else "",
                      value_text)


def dedupe(errors: Iterable[FieldError]) -> list[FieldError]:
    """``ErrorList.ToAggregate`` drops repeated messages; the generic and kind checks overlap on updates."""
    seen: set[str] = set()
    out: list[FieldError] = []
    for err in errors:
        text = str(err)
        if text not in seen:
            seen.add(text)
            out.append(err)
    return out


_QUANTITY_MAPS = frozenset({"requests", "limits", "capacity", "overhead", "allocatedResources", "hard", "used"})
_QUANTITY_SCALARS = frozenset({"sizeLimit", "divisor"})


def _as_quantity(value: Any) -> Any:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return Quantity.from_json(value).amount
        except ValueError:
            return value
    return value


def semantic(value: Any, field_name: str = "") -> Any:
    """A comparable form of a JSON value, as ``apiequality.Semantic.DeepEqual`` sees it.

    Nil and empty slices are equal there, and quantities compare by amount (``1Gi`` equals ``1024Mi``),
    so both are normalised away here.
    """
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if v is None or v == []:
                continue
            if field_name in _QUANTITY_MAPS or k in _QUANTITY_SCALARS:
                out[k] = _as_quantity(v)
            else:
                out[k] = semantic(v, k)
        return out
    if isinstance(value, list):
        return [semantic(v, field_name) for v in value]
    return value


def go_field_name(name: str) -> str:
    """The Go struct field a JSON key maps to (``clusterIP`` -> ``ClusterIP`` is close enough for diffs)."""
    return name[:1].upper() + name[1:]


def spec_diff(type_name: str, old: JSON, new: JSON) -> str:
    """A short, stable stand-in for the ``cmp.Diff`` upstream appends to "is immutable" messages.

    go-cmp deliberately randomises its output format between runs, so no client can match it byte for
    byte; petset prints the changed top-level fields in the same spirit: ``-`` old, ``+`` new.
    """
    lines = [f"  {type_name}{{"]
    old_n, new_n = semantic(dict(old)), semantic(dict(new))
    for field_key in sorted(set(old_n) | set(new_n)):
        if old_n.get(field_key) == new_n.get(field_key):
            continue
        for sign, side in (("-", old), ("+", new)):
            if side.get(field_key) is not None:
                shown = json.dumps(side[field_key], sort_keys=True, separators=(", ", ": "), default=str)
                lines.append(f"{sign} \t{go_field_name(field_key)}: {shown},")
    lines.append("  }")
    return "\n".join(lines) + "\n"
