"""OpenAPI documents built from the 1.32 schemas.

v3 (one document per group-version) gives kubectl what it needs: a PATCH operation per kind that
declares ``fieldValidation`` (so kubectl leaves validation to this server) and real component
schemas (so ``kubectl explain`` works). v2 is answered with an empty protobuf document, which
kubectl accepts for ``kind: List`` files and as a fallback (KUBECTL-PROTOCOL.md §3).
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import orjson

from petset.api import schema
from petset.api.resources import RESOURCES, ResourceType

__all__ = ["V2_CONTENT_TYPE", "v3_document", "v3_index"]

V2_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
_VERSION_TAG = "petset-0.1.0-k8s-1.32"

Obj = dict[str, Any]


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _hash(gv_path: str) -> str:
    return hashlib.sha512(f"{_VERSION_TAG}/{gv_path}".encode()).hexdigest()[:64].upper()


@functools.cache
def v3_index() -> bytes:
    paths = {}
    for gv in sorted({(rt.group, rt.version) for rt in RESOURCES}):
        path = _gv_path(*gv)
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={_hash(path)}"}
    return orjson.dumps({"paths": paths})


def _convert(node: Any) -> Any:
    """local JSON-schema dialect -> OpenAPI v3 as kube-apiserver publishes it."""
    if isinstance(node, list):
        return [_convert(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: Obj = {}
    for key, value in node.items():
        if key == "type":
            if isinstance(value, list):
                value = next((t for t in value if t != "null"), "object")
            out["type"] = value
        elif key == "$ref":
            out["$ref"] = "#/components/schemas/" + value.removeprefix("#/$defs/")
        elif key == "oneOf":
            continue
        else:
            out[key] = _convert(value)
    if "$ref" in out and len(out) > 1:
        # A described reference is written as allOf, as the real server does.
        ref = out.pop("$ref")
        out["allOf"] = [{"$ref": ref}]
    return out


def _special(name: str, converted: Obj) -> Obj:
    if name == "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
        return {"description": converted.get("description", ""), "type": "string", "format": "int-or-string"}
    if name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
        return {"description": converted.get("description", ""), "type": "string"}
    return converted


def _collect(name: str, defs: dict[str, Obj], out: dict[str, Obj]) -> None:
    if name in out or name not in defs:
        return
    out[name] = _special(name, _convert(defs[name]))

    def refs(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                _collect(ref.removeprefix("#/$defs/"), defs, out)
            for value in node.values():
                refs(value)
        elif isinstance(node, list):
            for value in node:
                refs(value)

    refs(defs[name])


_QUERY_PARAMS = ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")


def _operations(rt: ResourceType, schema_name: str) -> dict[str, Obj]:
    gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
    ref = {"$ref": f"#/components/schemas/{schema_name}"}
    body = {"content": {"*/*": {"schema": ref}}}
    params = [{"name": p, "in": "query", "schema": {"type": "string", "uniqueItems": True}} for p in _QUERY_PARAMS]
    ok = {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}}
    base = f"/{_gv_path(rt.group, rt.version)}"
    scope = f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
    path_params = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]
    if rt.namespaced:
        path_params.append({"name": "namespace", "in": "path", "required": True, "schema": {"type": "string"}})

    def op(action: str, **extra: Any) -> Obj:
        return {"operationId": f"{action}{rt.kind}", "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk, "responses": ok, **extra}

    return {
        scope: {"post": op("post", parameters=params, requestBody=body), "get": op("list")},
        f"{scope}/{{name}}": {
            "parameters": path_params,
            "get": op("get"),
            "put": op("put", parameters=params, requestBody=body),
            "patch": op("patch", parameters=params,
                        requestBody={"content": {t: {"schema": {"type": "object"}} for t in (
                            "application/json-patch+json", "application/merge-patch+json",
                            "application/strategic-merge-patch+json", "application/apply-patch+yaml")}}),
            "delete": op("delete"),
        },
    }


@functools.cache
def v3_document(gv_path: str) -> bytes | None:
    """The OpenAPI v3 document for ``api/v1`` or ``apis/<group>/<version>``."""
    resources = [rt for rt in RESOURCES if _gv_path(rt.group, rt.version) == gv_path]
    if not resources:
        return None
    defs = schema.definitions()
    components: dict[str, Obj] = {}
    paths: dict[str, Obj] = {}
    for rt in resources:
        name = schema.definition_for_kind(rt.group, rt.version, rt.kind)
        if name is None:
            # Served versions the schemas no longer carry (apps/v1beta1) reuse the current shape.
            base_name = schema.definition_for_kind(rt.group, "v1", rt.kind)
            if base_name is None:
                continue
            _collect(base_name, defs, components)
            name = base_name.replace(".v1.", f".{rt.version}.")
            components[name] = {**components[base_name],
                                "x-kubernetes-group-version-kind": [{"group": rt.group, "version": rt.version,
                                                                     "kind": rt.kind}]}
        else:
            _collect(name, defs, components)
        paths.update(_operations(rt, name))
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
           "components": {"schemas": components}}
    return orjson.dumps(doc)
