"""Content negotiation: request bodies in, JSON/Table/YAML out, and strict field decoding."""

from __future__ import annotations

from typing import Any

import orjson
import yaml
from aiohttp import web

from petset.api import errors, fieldvalidation, protobuf, schema
from petset.api.resources import ResourceType

__all__ = [
    "TABLE_CONTENT_TYPE",
    "decode_body",
    "decode_object",
    "encode",
    "wants_table",
]

TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"

Obj = dict[str, Any]


def wants_table(request: web.Request) -> bool:
    return "as=Table" in request.headers.get("Accept", "")


def encode(obj: Any) -> bytes:
    return orjson.dumps(obj)


class _YamlLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """YAML as Kubernetes reads it: libyaml's errors (go-yaml words them the same way), and no
    timestamps: go-yaml hands timestamp-like scalars to JSON as the strings they were written as."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

#: The anonymous struct kube-apiserver decodes apiVersion and kind into first, as Go prints its type.
_FIND_KIND_TYPE = ('struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
                   'Kind string "json:\\"kind,omitempty\\"" }')


def _yaml_error(exc: yaml.YAMLError) -> str:
    """go-yaml's wording: ``yaml: line N: problem``, with its numbering quirks (yaml.v2 parser.fail)."""
    problem = getattr(exc, "problem", None) or "unknown problem parsing YAML content"
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    line = 0
    if mark is not None and mark.line != 0:
        # Scanner errors are counted from 1, parser errors from 0: go-yaml does the same.
        line = mark.line + 1 if isinstance(exc, yaml.scanner.ScannerError) else mark.line
    elif context is not None and context.line != 0:
        line = context.line
    where = f"line {line}: " if line else ""
    return f"error converting YAML to JSON: yaml: {where}{problem}"


def _summary(raw: bytes, limit: int = 30) -> str:
    """apiserver's summarizeData: the start of the body, as text for objects and hex otherwise."""
    if not raw:
        return "<empty>"
    if raw[:1] == b"{":
        return raw[:limit].decode(errors="replace") + (" ..." if len(raw) > limit else "")
    return raw[:limit].hex() + (" ..." if len(raw) > limit else "")


def _unrecognized(kind: str, why: str, raw: bytes) -> errors.StatusError:
    # transformDecodeError when the body's kind could not even be read.
    return errors.bad_request(f"the object provided is unrecognized (must be of type {kind}): {why} "
                              f"({_summary(raw)})")


async def decode_body(request: web.Request, *, into: str | None = None) -> tuple[Any, bytes]:
    """The body as JSON-shaped data; a missing Content-Type means JSON (the Python client sends none).

    ``into`` is the kind a create or update body must decode to: errors are then worded as
    kube-apiserver's decoder words them. Patch bodies (no ``into``) get the bare parser error.
    """
    raw = await request.read()
    ctype = request.content_type
    if ctype == protobuf.CONTENT_TYPE:
        # kubectl's typed commands (create namespace, create configmap, ...) send protobuf. The raw
        # bytes of a JSON body serve the duplicate-field check; protobuf cannot repeat a field.
        return protobuf.decode(raw), b""
    if "protobuf" in ctype or "cbor" in ctype:
        raise errors.StatusError(415, "UnsupportedMediaType",
                                 'the body of the request was in an unknown format - accepted media types include: '
                                 'application/json, application/yaml, application/vnd.kubernetes.protobuf')
    if "yaml" in ctype:
        try:
            body = yaml.load(raw, Loader=_YamlLoader)
        except yaml.YAMLError as exc:
            if into is not None:
                raise _unrecognized(into, _yaml_error(exc), raw) from None
            raise errors.bad_request(_yaml_error(exc)) from None
    else:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            why = go_json_error(raw)
            if into is not None:
                raise _unrecognized(into, f"couldn't get version/kind; json parse error: {why}", raw) from None
            raise errors.bad_request(why) from None
    if into is not None and body is not None and not isinstance(body, dict):
        why = f"json: cannot unmarshal {fieldvalidation.json_type_name(body)} into Go value of type {_FIND_KIND_TYPE}"
        raise _unrecognized(into, f"couldn't get version/kind; json parse error: {why}", raw)
    return body, raw


_SPACE = frozenset(b" \t\r\n")
_DIGITS = frozenset(b"0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")


def _quote_char(c: int) -> str:
    """Go's quoteChar: how encoding/json shows the byte it stumbled on."""
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    escapes = {0x07: "\\a", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v",
               0x5C: "\\\\"}
    if c in escapes:
        return f"'{escapes[c]}'"
    if c < 0x20 or c == 0x7F:
        return f"'\\x{c:02x}'"
    if 0x80 <= c < 0xA0:
        return f"'\\u{c:04x}'"
    return f"'{chr(c)}'"


def go_json_error(data: bytes) -> str:
    """The message Go's encoding/json gives for malformed ``data`` (its scanner, state for state).

    Only called for bodies orjson refused, so its speed does not matter; its words do, because
    clients show them.
    """
    stack: list[str] = []  # "key", "value" (inside an object) or "array"
    i, n = 0, len(data)

    def bad(c: int, context: str) -> str:
        return f"invalid character {_quote_char(c)} {context}"

    def end_value() -> str | None:
        """After a complete value: what may follow it in its container."""
        nonlocal i
        while True:
            while i < n and data[i] in _SPACE:
                i += 1
            if not stack:
                return None if i >= n else bad(data[i], "after top-level value")
            if i >= n:
                return "unexpected end of JSON input"
            c = data[i]
            top = stack[-1]
            if top == "key":
                if c != 0x3A:
                    return bad(c, "after object key")
                stack[-1] = "value"
                i += 1
                return "value"
            if top == "value":
                if c == 0x2C:
                    stack[-1] = "key"
                    i += 1
                    return "key"
                if c != 0x7D:
                    return bad(c, "after object key:value pair")
            elif top == "array":
                if c == 0x2C:
                    i += 1
                    return "value"
                if c != 0x5D:
                    return bad(c, "after array element")
            stack.pop()
            i += 1

    def string() -> str | None:
        nonlocal i
        i += 1  # the opening quote
        while i < n:
            c = data[i]
            if c == 0x22:
                i += 1
                return None
            if c == 0x5C:
                i += 1
                if i >= n:
                    return "unexpected end of JSON input"
                e = data[i]
                if e == 0x75:
                    for _ in range(4):
                        i += 1
                        if i >= n:
                            return "unexpected end of JSON input"
                        if data[i] not in _HEX:
                            return bad(data[i], "in \\u hexadecimal character escape")
                elif e not in b'bfnrt\\/"':
                    return bad(e, "in string escape code")
            elif c < 0x20:
                return bad(c, "in string literal")
            i += 1
        return "unexpected end of JSON input"

    def number() -> str | None:
        nonlocal i
        if data[i] == 0x2D:
            i += 1
            if i >= n:
                return "unexpected end of JSON input"
            if data[i] not in _DIGITS:
                return bad(data[i], "in numeric literal")
        if data[i] == 0x30:
            i += 1
        else:
            while i < n and data[i] in _DIGITS:
                i += 1
        if i < n and data[i] == 0x2E:
            i += 1
            if i >= n:
                return "unexpected end of JSON input"
            if data[i] not in _DIGITS:
                return bad(data[i], "after decimal point in numeric literal")
            while i < n and data[i] in _DIGITS:
                i += 1
        if i < n and data[i] in b"eE":
            i += 1
            if i < n and data[i] in b"+-":
                i += 1
            if i >= n:
                return "unexpected end of JSON input"
            if data[i] not in _DIGITS:
                return bad(data[i], "in exponent of numeric literal")
            while i < n and data[i] in _DIGITS:
                i += 1
        return None

    def literal(word: bytes) -> str | None:
        nonlocal i
        for expected in word[1:]:
            i += 1
            if i >= n:
                return "unexpected end of JSON input"
            if data[i] != expected:
                return bad(data[i], f"in literal {word.decode()} (expecting {_quote_char(expected)})")
        i += 1
        return None

    want = "value"  # or "key": the next token that must come
    while True:
        while i < n and data[i] in _SPACE:
            i += 1
        if i >= n:
            return "unexpected end of JSON input"
        c = data[i]
        if want == "key" or (want == "first-key" and c != 0x7D):
            if c != 0x22:
                return bad(c, "looking for beginning of object key string")
            problem = string()
            if problem:
                return problem
            stack[-1] = "key"
        elif want == "first-key" or (want == "first-value" and c == 0x5D):
            stack.pop()
            i += 1
        elif c == 0x7B:
            stack.append("key")
            i += 1
            want = "first-key"
            continue
        elif c == 0x5B:
            stack.append("array")
            i += 1
            want = "first-value"
            continue
        elif c == 0x22:
            problem = string()
            if problem:
                return problem
        elif c == 0x2D or c in _DIGITS:
            problem = number()
            if problem:
                return problem
        elif c in b"tfn":
            problem = literal({0x74: b"true", 0x66: b"false", 0x6E: b"null"}[c])
            if problem:
                return problem
        else:
            return bad(c, "looking for beginning of value")
        following = end_value()
        if following is None:
            # Valid after all (orjson is stricter, e.g. about lone surrogates): say so plainly.
            return "invalid JSON"
        if following.startswith(("invalid", "unexpected")):
            return following
        want = following


def _schema_for(rt: ResourceType) -> schema.SchemaNode | None:
    return schema.node(rt.group, rt.version, rt.kind) or schema.node(rt.group, "v1", rt.kind)


def decode_object(rt: ResourceType, body: Any, raw: bytes | None, *, field_validation: str,
                  warnings: list[str], expected_kind: str | None = None) -> Obj:
    """Check an object body as the Go decoder would: its kind, its types and its fields.

    Unknown fields are dropped (Ignore, Warn) or refused (Strict); type mismatches are always
    refused, with the Go decoder's wording.
    """
    kind = expected_kind or rt.kind
    version = rt.version if expected_kind is None else "v1"
    if not isinstance(body, dict):
        raise errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: json: cannot '
                                 f"unmarshal {fieldvalidation.json_type_name(body)} into Go value of type struct")
    # Looked for before the defaults below add keys: the check compares key counts with the raw text.
    duplicates = []
    if field_validation != "Ignore" and raw is not None and raw[:1] == b"{":
        duplicates = fieldvalidation.duplicate_fields(raw, body)
    body_kind = body.get("kind")
    body_version = body.get("apiVersion")
    if expected_kind is None:
        if body_kind and body_kind != rt.kind:
            raise errors.bad_request(f"the kind in the data ({body_kind}) does not match the expected kind "
                                     f"({rt.kind})")
        if body_version and body_version != rt.group_version:
            raise errors.bad_request(f"the API version in the data ({body_version}) does not match the expected API "
                                     f"version ({rt.group_version})")
        body.setdefault("apiVersion", rt.group_version)
        body.setdefault("kind", rt.kind)
        node = _schema_for(rt)
    else:
        node = schema.node("autoscaling", "v1", expected_kind) if expected_kind == "Scale" else None
    if node is None:
        return body
    problems = fieldvalidation.find_problems(body, node)
    if problems.type_errors:
        raise errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: '
                                 f"{problems.type_errors[0]}")
    found = problems.unknown + duplicates
    if found:
        if field_validation == "Strict":
            raise errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: strict decoding '
                                     f"error: {', '.join(found)}")
        if field_validation == "Warn":
            warnings.extend(found)
        pruned: Obj = fieldvalidation.prune_unknown(body, node)
        return pruned
    return body
