"""The Kubernetes 1.32 type schemas, taken from the kubernetes-validate package.

One maintained source drives strict field validation, strategic-merge-patch keys and the OpenAPI
documents, instead of hand-copied Go types. The JSON file is read lazily: an idle server never
pays for it.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

import orjson

__all__ = ["KUBERNETES_VERSION", "SchemaNode", "definition_for_kind", "definitions", "node"]

KUBERNETES_VERSION = "1.32.0"
_REF_PREFIX = "#/$defs/"


def _schema_file() -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the kubernetes-validate package (which ships the Kubernetes schemas) is not installed")
    base = Path(next(iter(spec.submodule_search_locations)))
    return base / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}-local" / "_definitions.json"


@functools.cache
def definitions() -> dict[str, dict[str, Any]]:
    """All definitions keyed by their Go-style name (``io.k8s.api.apps.v1.StatefulSet``)."""
    data = orjson.loads(_schema_file().read_bytes())
    defs: dict[str, dict[str, Any]] = data["$defs"]
    return defs


@functools.cache
def _kind_index() -> dict[tuple[str, str, str], str]:
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            index.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
    return index


def definition_for_kind(group: str, version: str, kind: str) -> str | None:
    """The definition name of a kind, or None when the schemas do not know it."""
    return _kind_index().get((group, version, kind))


class SchemaNode:
    """A view on one schema with ``$ref`` resolved, and the Kubernetes extensions read out."""

    __slots__ = ("_types", "ext", "name", "raw")

    def __init__(self, raw: dict[str, Any], name: str | None = None) -> None:
        # Extensions written beside a $ref (a PDB's selector is patched by "replace") apply to
        # this use of the referenced type only, so they are kept apart from the target's.
        ext = {k: v for k, v in raw.items() if k.startswith("x-")}
        ref = raw.get("$ref")
        while ref is not None:
            name = ref[len(_REF_PREFIX):]
            raw = definitions()[name]
            for k, v in raw.items():
                if k.startswith("x-"):
                    ext.setdefault(k, v)
            ref = raw.get("$ref")
        self.raw = raw
        self.name = name
        self.ext = ext
        self._types: set[str] | None = None

    @classmethod
    def of(cls, raw: dict[str, Any]) -> SchemaNode:
        """The node of a sub-schema inside the definitions, built once.

        Every write walks the same schemas (strict field validation, patches); resolving ``$ref``
        chains and extensions anew for each field of each request was a large part of a create's
        cost. The cache holds ``raw`` itself, so its id cannot be reused while the entry lives.
        """
        cached = _NODES.get(id(raw))
        if cached is None or cached[0] is not raw:
            cached = (raw, cls(raw))
            _NODES[id(raw)] = cached
        return cached[1]

    @property
    def types(self) -> set[str]:
        if self._types is None:
            self._types = self._compute_types()
        return self._types

    def _compute_types(self) -> set[str]:
        typ = self.raw.get("type")
        if typ is None:
            if "oneOf" in self.raw:
                found: set[str] = set()
                for option in self.raw["oneOf"]:
                    found |= SchemaNode.of(option).types
                return found
            return set()
        if isinstance(typ, str):
            return {typ}
        return {t for t in typ if t != "null"}

    @property
    def is_object(self) -> bool:
        return "object" in self.types or "properties" in self.raw

    @property
    def properties(self) -> dict[str, Any]:
        props: dict[str, Any] = self.raw.get("properties", {})
        return props

    def field(self, key: str) -> SchemaNode | None:
        sub = self.properties.get(key)
        if sub is not None:
            return SchemaNode.of(sub)
        extra = self.raw.get("additionalProperties")
        if isinstance(extra, dict):
            return SchemaNode.of(extra)
        return None

    def items(self) -> SchemaNode | None:
        sub = self.raw.get("items")
        return SchemaNode.of(sub) if isinstance(sub, dict) else None

    @property
    def is_map(self) -> bool:
        """A free-form map (labels, annotations, data): keys are not fields."""
        return not self.properties and isinstance(self.raw.get("additionalProperties"), dict)

    @property
    def allows_any_field(self) -> bool:
        if self.ext.get("x-kubernetes-preserve-unknown-fields"):
            return True
        if self.name == "io.k8s.apimachinery.pkg.runtime.RawExtension":
            return True
        return not self.properties and not self.raw.get("additionalProperties") and "object" in self.types

    @property
    def patch_strategy(self) -> str:
        return str(self.ext.get("x-kubernetes-patch-strategy", ""))

    @property
    def patch_merge_key(self) -> str | None:
        key = self.ext.get("x-kubernetes-patch-merge-key")
        return str(key) if key is not None else None

    @property
    def list_type(self) -> str | None:
        return self.ext.get("x-kubernetes-list-type")

    @property
    def list_map_keys(self) -> list[str]:
        return list(self.ext.get("x-kubernetes-list-map-keys", ()))

    @property
    def required(self) -> list[str]:
        return list(self.raw.get("required", ()))

    @property
    def is_int_or_string(self) -> bool:
        return self.name == "io.k8s.apimachinery.pkg.util.intstr.IntOrString" or bool(
            self.ext.get("x-kubernetes-int-or-string"))

    @property
    def is_quantity(self) -> bool:
        return self.name == "io.k8s.apimachinery.pkg.api.resource.Quantity"

    def __repr__(self) -> str:
        return f"SchemaNode({self.name or '<inline>'})"


#: id(raw sub-schema) -> (that sub-schema, its node); see SchemaNode.of.
_NODES: dict[int, tuple[dict[str, Any], SchemaNode]] = {}


@functools.cache
def node(group: str, version: str, kind: str) -> SchemaNode | None:
    """The schema of a top-level kind (one shared node per kind: nodes are read-only)."""
    name = definition_for_kind(group, version, kind)
    if name is None:
        return None
    return SchemaNode({"$ref": _REF_PREFIX + name})
