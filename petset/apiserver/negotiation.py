"""Content negotiation: request bodies in, JSON/Table/YAML out, and strict field decoding."""

from __future__ import annotations

from typing import Any

import orjson
import yaml
from aiohttp import web

from petset.api import errors, fieldvalidation, schema
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


async def decode_body(request: web.Request) -> tuple[Any, bytes]:
    """The body as JSON-shaped data; a missing Content-Type means JSON (the Python client sends none)."""
    raw = await request.read()
    ctype = request.content_type
    if "protobuf" in ctype or "cbor" in ctype:
        raise errors.StatusError(415, "UnsupportedMediaType",
                                 'the body of the request was in an unknown format - accepted media types include: '
                                 'application/json, application/yaml')
    if not raw.strip():
        raise errors.bad_request("the body of the request was empty")
    if "yaml" in ctype:
        try:
            return yaml.safe_load(raw), raw
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error converting YAML to JSON: yaml: {exc}") from None
    try:
        return orjson.loads(raw), raw
    except orjson.JSONDecodeError as exc:
        raise errors.bad_request(f"couldn't get version/kind; json parse error: {exc}") from None


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
                                 f"unmarshal {type(body).__name__} into Go value of type struct")
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
    found = list(problems.unknown)
    if field_validation != "Ignore" and raw is not None and b'"' in raw:
        found += fieldvalidation.duplicate_fields(raw)
    if found:
        if field_validation == "Strict":
            raise errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: strict decoding '
                                     f"error: {', '.join(found)}")
        if field_validation == "Warn":
            warnings.extend(found)
        pruned: Obj = fieldvalidation.prune_unknown(body, node)
        return pruned
    return body
