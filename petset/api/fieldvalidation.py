"""Server-side field validation: unknown fields, duplicate fields and wrong JSON types.

kube-apiserver's decoder rejects (Strict), reports (Warn) or drops (Ignore) fields its Go types do
not have. petset walks the same 1.32 schemas to find them, and words each finding as the Go JSON
decoder does, because kubectl shows those texts to users.
"""

from __future__ import annotations

import json
import re
from typing import Any

from petset.api.schema import SchemaNode

__all__ = ["FieldProblems", "duplicate_fields", "find_problems", "json_type_name", "prune_unknown"]


class FieldProblems:
    """What the decoder found: ``unknown``/``duplicate`` texts and fatal type errors."""

    def __init__(self) -> None:
        self.unknown: list[str] = []
        self.type_errors: list[str] = []


class _Members(dict[str, Any]):
    """A decoded JSON object that remembers the keys it saw more than once (the last value wins, as in Go)."""

    __slots__ = ("repeated",)
    repeated: list[str]


def _object_with_repeats(pairs: list[tuple[str, Any]]) -> _Members:
    obj = _Members(pairs)
    seen: set[str] = set()
    obj.repeated = []
    for key, _ in pairs:
        if key in seen:
            obj.repeated.append(key)
        seen.add(key)
    return obj


#: The end of every object key (and, rarely, of a string value that holds a quote and a colon).
_KEY_END = re.compile(rb'"\s*:')


def _key_count(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(_key_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(_key_count(v) for v in value)
    return 0


def duplicate_fields(body: bytes, decoded: Any = None) -> list[str]:
    """Keys that appear twice in one JSON object, by path as the Go decoder reports them:
    ``duplicate field "metadata.name"``, ``duplicate field "spec.containers[0].image"``.

    With ``decoded`` (the body as already parsed, repeated keys collapsed), a body whose key count
    matches the key endings in its text has no repeats and skips the slow, hooked parse.
    """
    if decoded is not None and len(_KEY_END.findall(body)) == _key_count(decoded):
        return []
    try:
        root = json.loads(body, object_pairs_hook=_object_with_repeats)
    except ValueError:
        return []
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, _Members):
            found.extend(_join(path, key) for key in value.repeated)
            for key, sub in value.items():
                walk(sub, _join(path, key))
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(sub, f"{path}[{i}]")

    walk(root, "")
    return [f'duplicate field "{path}"' for path in found]


def _go_type(node: SchemaNode) -> str:
    if node.is_int_or_string:
        return "intstr.IntOrString"
    if node.is_quantity:
        return "resource.Quantity"
    if node.name:
        return "v1." + node.name.rsplit(".", 1)[-1]
    types = node.types
    fmt = node.raw.get("format")
    if "integer" in types:
        return str(fmt) if fmt in ("int32", "int64") else "int"
    if "number" in types:
        return "float64"
    if "boolean" in types:
        return "bool"
    if "string" in types:
        return "string"
    if "array" in types:
        items = node.items()
        return "[]" + (_go_type(items) if items else "interface {}")
    if node.is_map:
        extra = node.field("\x00")
        return "map[string]" + (_go_type(extra) if extra else "interface {}")
    return "interface {}"


def json_type_name(value: Any) -> str:
    """The JSON value names Go's UnmarshalTypeError uses (``string``, ``number``, ``array``...)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _accepts(node: SchemaNode, value: Any) -> bool:
    if value is None:
        return True
    if node.is_int_or_string:
        return isinstance(value, int | str) and not isinstance(value, bool)
    if node.is_quantity:
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    types = node.types
    if not types:
        return True
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return bool(types & {"integer", "number"})
    if isinstance(value, float):
        return "number" in types or ("integer" in types and value.is_integer())
    if isinstance(value, str):
        return "string" in types
    if isinstance(value, list):
        return "array" in types
    if isinstance(value, dict):
        return "object" in types
    return True


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def find_problems(obj: Any, schema: SchemaNode, *, parent_type: str = "") -> FieldProblems:
    """Walk ``obj`` against ``schema`` and collect unknown fields and type mismatches."""
    problems = FieldProblems()
    _walk(obj, schema, "", parent_type or (schema.name or "").rsplit(".", 1)[-1], problems)
    return problems


def _walk(value: Any, node: SchemaNode, path: str, owner: str, problems: FieldProblems) -> None:
    if value is None:
        return
    if not _accepts(node, value):
        problems.type_errors.append(
            f"json: cannot unmarshal {json_type_name(value)} into Go struct field {owner}.{path} of type {_go_type(node)}")
        return
    if isinstance(value, dict):
        if node.allows_any_field:
            return
        if node.is_map:
            extra = node.field("\x00")
            if extra is not None:
                for key, sub in value.items():
                    _walk(sub, extra, _join(path, key), owner, problems)
            return
        props = node.properties
        child_owner = (node.name or "").rsplit(".", 1)[-1] or owner
        for key, sub in value.items():
            if key not in props:
                problems.unknown.append(f'unknown field "{_join(path, key)}"')
                continue
            _walk(sub, SchemaNode.of(props[key]), _join(path, key), child_owner, problems)
    elif isinstance(value, list):
        items = node.items()
        if items is None:
            return
        for i, sub in enumerate(value):
            _walk(sub, items, f"{path}[{i}]", owner, problems)


def prune_unknown(value: Any, node: SchemaNode) -> Any:
    """Drop fields the schema does not know, as the decoder does under Ignore and Warn."""
    if isinstance(value, dict):
        if node.allows_any_field:
            return value
        if node.is_map:
            extra = node.field("\x00")
            return {k: prune_unknown(v, extra) for k, v in value.items()} if extra else value
        props = node.properties
        return {k: prune_unknown(v, SchemaNode.of(props[k])) for k, v in value.items() if k in props}
    if isinstance(value, list):
        items = node.items()
        return [prune_unknown(v, items) for v in value] if items else value
    return value
