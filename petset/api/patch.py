"""The four PATCH mechanisms of the API server, applied to JSON-shaped objects.

``PATCH`` carries one of four content types, each with its own semantics, and kubectl relies on all
of them: ``kubectl patch --type=json`` (RFC 6902, :func:`apply_json_patch`), ``--type=merge`` and
``kubectl scale`` (RFC 7386, :func:`apply_merge_patch`), ``kubectl apply``, ``patch``, ``rollout
undo`` and ``rollout restart`` (strategic merge patch, :func:`apply_strategic_merge_patch`) and
``kubectl apply --server-side`` (:func:`apply_server_side_apply`).

Upstream correspondence (Kubernetes 1.32):

* JSON patch follows ``gopkg.in/evanphx/json-patch.v4`` as the API server calls it from
  k8s.io/apiserver/pkg/endpoints/handlers/patch.go: decoding errors are 400 BadRequest, failures to
  apply are 422 with the generic "the server rejected our request" message and the library's error
  text as the cause, more than 10000 operations are 413. v4's quirks are kept because clients see
  them: ``replace`` of an absent object member adds it, negative array indices count from the end,
  a path without a leading slash is resolved from its first slash. It is written out here rather
  than delegated to the ``jsonpatch`` package, which follows the RFC to the letter and so disagrees
  with the API server on exactly those cases and on every error text. Strict decoding's
  complaints about unknown or duplicate members of an operation are left to the caller.
* JSON merge patch follows evanphx/json-patch v4 ``MergePatch`` (nulls delete, and are pruned from
  values that are added wholesale).
* Strategic merge patch is a port of the apply half of k8s.io/apimachinery/pkg/util/strategicpatch
  (``mergeMap``, ``mergeSlice``, ``mergePatchIntoOriginal``, ``normalizeElementOrder``,
  ``applyRetainKeysDirective``, ``removeDirectives``), with the patch metadata (strategy, merge
  key) read from the OpenAPI extensions of :mod:`petset.api.schema` instead of Go struct tags. The
  ordering rules are upstream's, surprising ones included: without ``$setElementOrder``, items new
  to a merged list come *before* the items the patch did not mention, ``$patch: delete`` on a map
  leaves an empty map, and ``$setElementOrder`` sees the live list as Go's in-place edits left it.
  Error texts are k8s.io/apimachinery/pkg/util/mergepatch's.

Deliberate deviations, each because petset stores the merged dict itself where Kubernetes decodes
it into a Go struct first (which silently drops anything that is not a field):

* A value new to the object (a new key, an item appended to a merged list) is stored without its
  null members and without any directive. Upstream drops nulls and ``$patch`` maps from a new key
  but leaves ``$setElementOrder/…``, ``$deleteFromPrimitiveList/…`` and ``$retainKeys`` to the
  decoder, and appends new list items as sent. Replacements (``$patch: replace``, the "replace"
  strategy, lists without the "merge" strategy) are kept exactly as sent, nulls included, as
  upstream (``kubectl rollout undo`` sends ``"creationTimestamp": null`` and gets it back).
* A field the schema does not know (or any field when ``schema`` is None) has no patch strategy,
  so its maps merge and its lists are replaced, as in a JSON merge patch. Upstream rejects such a
  field when both sides hold a map or a list ("unable to find api field in struct").
* Malformed directives are 400 BadRequest. Upstream classifies only some mergepatch errors and
  lets the rest (a missing merge key, an unknown ``$patch`` value) fall through as 500.

:func:`apply_server_side_apply` is deliberately much simpler than upstream's structured-merge-diff
field manager: it merges the applied configuration into the live object by the schema's list and
map types (``x-kubernetes-list-type``/``-list-map-keys``/``-map-type``, falling back to the patch
merge key), but keeps no ``managedFields``. So it never reports a conflict, and a field or list
item that a manager stops applying is kept rather than removed; only an explicit null removes a
field.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from petset.api.errors import StatusError, bad_request, request_entity_too_large
from petset.api.schema import SchemaNode

__all__ = [
    "MAX_JSON_PATCH_OPERATIONS",
    "apply_json_patch",
    "apply_merge_patch",
    "apply_server_side_apply",
    "apply_strategic_merge_patch",
]

#: k8s.io/apiserver handlers.maxJSONPatchOperations.
MAX_JSON_PATCH_OPERATIONS = 10000

# fieldValidation directives under which the API server strictly decodes a patch body before
# applying it; the default when a request names none is Warn.
_STRICT_DECODING = ("Strict", "Warn")

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
_SET_ELEMENT_ORDER = "$setElementOrder"

# mergepatch's sentinel errors.
_ERR_NO_LIST_OF_LISTS = "lists of lists are not supported"
_ERR_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
_ERR_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
_ERR_BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"

_GO_MAP = "map[string]interface {}"
_GO_SLICE = "[]interface {}"


# --- Go renderings, for error texts ---------------------------------------------------------------


def _go_json_type(value: Any) -> str:
    """The JSON type name encoding/json reports in an UnmarshalTypeError."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    return "number"


def _go_type(value: Any) -> str:
    """The Go type a decoded JSON value has (``reflect.TypeOf``), as ``%s`` prints it."""
    if value is None:
        return "%!s(<nil>)"
    if isinstance(value, dict):
        return _GO_MAP
    if isinstance(value, list):
        return _GO_SLICE
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    return "int64" if isinstance(value, int) else "float64"


def _go_float(value: float) -> str:
    """``strconv.FormatFloat(f, 'g', -1, 64)``: shortest digits, exponent form outside [1e-4, 1e6)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    number = Decimal(repr(value))
    sign, digits_tuple, _ = number.as_tuple()
    digits = "".join(str(d) for d in digits_tuple).rstrip("0") or "0"
    exponent = number.adjusted()
    prefix = "-" if sign else ""
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{prefix}0.{'0' * (-exponent - 1)}{digits}"
    whole = digits[: exponent + 1].ljust(exponent + 1, "0")
    fraction = digits[exponent + 1:]
    return f"{prefix}{whole}.{fraction}" if fraction else f"{prefix}{whole}"


def _go_value(value: Any) -> str:
    """A decoded JSON value as Go's ``%v`` prints it (``map[a:1 b:[x y]]``)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_value(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_value(v) for v in value) + "]"
    return str(value)


def _go_string(value: Any) -> str:
    """A value as Go's ``%s`` prints it: strings bare, other scalars flagged as a bad verb."""
    if isinstance(value, str):
        return value
    if value is None:
        return "%!s(<nil>)"
    if isinstance(value, dict | list):
        return _go_value(value)
    return f"%!s({_go_type(value)}={_go_value(value)})"


def _go_equal(left: Any, right: Any) -> bool:
    """Go's ``==`` on decoded JSON: an int64 never equals a float64, nor a bool a number."""
    if _go_type(left) != _go_type(right):
        return False
    return bool(left == right)


def _contains(items: Iterable[Any], value: Any) -> bool:
    return any(_go_equal(item, value) for item in items)


def _unprocessable(message: str) -> StatusError:
    """``errors.NewGenericServerResponse(422, "", schema.GroupResource{}, "", message, 0, false)``."""
    return StatusError(422, "Invalid", "the server rejected our request due to an error in our request",
                       {"causes": [{"reason": "UnexpectedServerResponse", "message": message}]})


def _not_an_object(result: Any) -> StatusError:
    """What the API server answers when a patched body no longer decodes as an object.

    jsonPatcher.applyPatchToCurrentObject wraps the decoder's error in a field error on ``patch``
    whose value is the patched JSON.
    """
    text = json.dumps(result, separators=(",", ":"), ensure_ascii=False)
    detail = ("couldn't get version/kind; json parse error: json: cannot unmarshal "
              f"{_go_json_type(result)} into Go value of type struct "
              '{ APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }')
    body = f"Invalid value: {json.dumps(text, ensure_ascii=False)}: {detail}"
    return StatusError(422, "Invalid", f' "" is invalid: patch: {body}',
                       {"causes": [{"reason": "FieldValueInvalid", "message": body, "field": "patch"}]})


# --- JSON patch (RFC 6902) ------------------------------------------------------------------------


class _PatchFailed(Exception):
    """A json-patch error; its text is the library's, wrapped the way pkg/errors.Wrapf does."""


_MISSING = "missing value"
_INVALID_INDEX = "invalid index referenced"
_ATOI = re.compile(r"[+-]?[0-9]+")


def apply_json_patch(doc: dict[str, Any], patch: Any, *, field_validation: str = "Warn") -> dict[str, Any]:
    """Apply an RFC 6902 JSON patch the way kube-apiserver's jsonPatcher does.

    ``field_validation`` is the request's fieldValidation directive; under Strict and Warn (the
    server's default) the body is first decoded into ``[]handlers.jsonPatchOp``, which changes the
    text of decoding errors.
    """
    operations = _decode_json_patch(patch, strict=field_validation in _STRICT_DECODING)
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise request_entity_too_large(f"The allowed maximum operations in a JSON patch is "
                                       f"{MAX_JSON_PATCH_OPERATIONS}, got {len(operations)}")
    root: Any = copy.deepcopy(doc)
    for operation in operations:
        try:
            root = _apply_operation(root, operation)
        except _PatchFailed as failure:
            raise _unprocessable(str(failure)) from None
    if not isinstance(root, dict):
        raise _not_an_object(root)
    return root


def _decode_json_patch(patch: Any, *, strict: bool) -> list[dict[str, Any]]:
    def failure(message: str) -> StatusError:
        return bad_request(f"error decoding patch: {message}" if strict else message)

    if patch is None:
        return []
    if not isinstance(patch, list):
        target = "[]handlers.jsonPatchOp" if strict else "jsonpatch.Patch"
        raise failure(f"json: cannot unmarshal {_go_json_type(patch)} into Go value of type {target}")
    operations: list[dict[str, Any]] = []
    for item in patch:
        if item is None:
            operations.append({})
            continue
        if not isinstance(item, dict):
            target = "handlers.jsonPatchOp" if strict else "jsonpatch.Operation"
            raise failure(f"json: cannot unmarshal {_go_json_type(item)} into Go value of type {target}")
        if strict:
            for name in ("op", "path", "from"):
                value = item.get(name)
                if value is not None and not isinstance(value, str):
                    raise failure(f"json: cannot unmarshal {_go_json_type(value)} into Go struct field "
                                  f"jsonPatchOp.{name} of type string")
        operations.append(item)
    return operations


def _operation_string(operation: dict[str, Any], name: str) -> tuple[str, str | None]:
    """``Operation.Path()``/``From()``: the member's text, or the error decoding it gives."""
    value = operation.get(name)
    if value is None:
        what = "operation missing path field" if name == "path" else "operation, missing from field"
        return "unknown", f"{what}: {_MISSING}"
    if not isinstance(value, str):
        return "unknown", f"json: cannot unmarshal {_go_json_type(value)} into Go value of type string"
    return value, None


def _decode_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _atoi(key: str) -> tuple[int, str | None]:
    if not _ATOI.fullmatch(key):
        return 0, f"strconv.Atoi: parsing {json.dumps(key)}: invalid syntax"
    index = int(key)
    if not -(2**63) <= index < 2**63:
        return 0, f"strconv.Atoi: parsing {json.dumps(key)}: value out of range"
    return index, None


def _invalid_index(index: int) -> _PatchFailed:
    return _PatchFailed(f"Unable to access invalid index: {index}: {_INVALID_INDEX}")


def _array_index(array: list[Any], key: str) -> int:
    """``partialArray.get``'s index resolution, negative indices counting from the end."""
    index, error = _atoi(key)
    if error:
        raise _PatchFailed(error)
    if index < 0:
        if index < -len(array):
            raise _invalid_index(index)
        index += len(array)
    if index >= len(array):
        raise _invalid_index(index)
    return index


def _get(container: dict[str, Any] | list[Any], key: str) -> Any:
    """``container.get``: an absent member is None (no error), a bad array index is an error."""
    if isinstance(container, dict):
        return container.get(key)
    return container[_array_index(container, key)]


def _add(container: dict[str, Any] | list[Any], key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
        return
    if key == "-":
        container.append(value)
        return
    index, error = _atoi(key)
    if error:
        raise _PatchFailed(f"value was not a proper array index: '{key}': {error}")
    size = len(container) + 1
    if index >= size or index < -size:
        raise _invalid_index(index)
    if index < 0:
        index += size
    container.insert(index, value)


def _remove(container: dict[str, Any] | list[Any], key: str) -> None:
    if isinstance(container, dict):
        if key not in container:
            raise _PatchFailed(f"Unable to remove nonexistent key: {key}: {_MISSING}")
        del container[key]
        return
    del container[_array_index(container, key)]


def _find_container(root: Any, path: str) -> tuple[dict[str, Any] | list[Any] | None, str]:
    """``findObject``: the object or array holding the path's last token, and that token.

    Like v4, the path is split on every slash and its first segment ignored, so ``a/b`` means ``/b``
    and the root itself (``""``) is never a container.
    """
    segments = path.split("/")
    if len(segments) < 2 or not isinstance(root, dict | list):
        return None, ""
    container: dict[str, Any] | list[Any] = root
    for token in segments[1:-1]:
        try:
            child = _get(container, _decode_pointer_token(token))
        except _PatchFailed:
            return None, ""
        if not isinstance(child, dict | list):
            return None, ""
        container = child
    return container, _decode_pointer_token(segments[-1])


def _json_equal(left: Any, right: Any) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(v, right[k]) for k, v in left.items())
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_json_equal(a, b) for a, b in zip(left, right, strict=True))
    return _go_equal(left, right)


def _path(operation: dict[str, Any], kind: str) -> str:
    path, error = _operation_string(operation, "path")
    if error:
        # v4's add, remove and copy report the bare ErrMissing here, whatever the cause.
        cause = _MISSING if kind in ("add", "remove", "copy") else error
        raise _PatchFailed(f"{kind} operation failed to decode path: {cause}")
    return path


def _source(operation: dict[str, Any], kind: str) -> str:
    source, error = _operation_string(operation, "from")
    if error:
        raise _PatchFailed(f"{kind} operation failed to decode from: {error}")
    return source


def _op_add(root: Any, operation: dict[str, Any]) -> Any:
    path = _path(operation, "add")
    container, key = _find_container(root, path)
    if container is None:
        raise _PatchFailed(f'add operation does not apply: doc is missing path: "{path}": {_MISSING}')
    try:
        _add(container, key, copy.deepcopy(operation.get("value")))
    except _PatchFailed as failure:
        raise _PatchFailed(f"error in add for path: '{path}': {failure}") from None
    return root


def _op_remove(root: Any, operation: dict[str, Any]) -> Any:
    path = _path(operation, "remove")
    container, key = _find_container(root, path)
    if container is None:
        raise _PatchFailed(f'remove operation does not apply: doc is missing path: "{path}": {_MISSING}')
    try:
        _remove(container, key)
    except _PatchFailed as failure:
        raise _PatchFailed(f"error in remove for path: '{path}': {failure}") from None
    return root


def _op_replace(root: Any, operation: dict[str, Any]) -> Any:
    path = _path(operation, "replace")
    value = copy.deepcopy(operation.get("value"))
    if path == "":
        # v4 swaps the whole document for an object or array, and silently ignores anything else.
        return value if isinstance(value, dict | list) else root
    container, key = _find_container(root, path)
    if container is None:
        raise _PatchFailed(f"replace operation does not apply: doc is missing path: {path}: {_MISSING}")
    if isinstance(container, dict):
        # v4's partialDoc.get never fails, so replacing an absent member adds it.
        container[key] = value
        return root
    try:
        container[_array_index(container, key)] = value
    except _PatchFailed:
        raise _PatchFailed(f"replace operation does not apply: doc is missing key: {path}: {_MISSING}") from None
    return root


def _op_move(root: Any, operation: dict[str, Any]) -> Any:
    source = _source(operation, "move")
    container, key = _find_container(root, source)
    if container is None:
        raise _PatchFailed(f"move operation does not apply: doc is missing from path: {source}: {_MISSING}")
    try:
        moved = _get(container, key)
        _remove(container, key)
    except _PatchFailed as failure:
        # v4 names the last token here, not the path.
        raise _PatchFailed(f"error in move for path: '{key}': {failure}") from None
    path = _path(operation, "move")
    container, key = _find_container(root, path)
    if container is None:
        raise _PatchFailed(f"move operation does not apply: doc is missing destination path: {path}: {_MISSING}")
    try:
        _add(container, key, moved)
    except _PatchFailed as failure:
        raise _PatchFailed(f"error in move for path: '{path}': {failure}") from None
    return root


def _op_test(root: Any, operation: dict[str, Any]) -> Any:
    path = _path(operation, "test")
    value = operation.get("value")
    failed = _PatchFailed(f"testing value {path} failed: test failed")
    if path == "":
        if not _json_equal(root, value):
            raise failed
        return root
    container, key = _find_container(root, path)
    if container is None:
        raise _PatchFailed(f"test operation does not apply: is missing path: {path}: {_MISSING}")
    try:
        actual = _get(container, key)
    except _PatchFailed as failure:
        raise _PatchFailed(f"error in test for path: '{path}': {failure}") from None
    # An absent or null member passes only a test for null.
    passed = value is None if actual is None else _json_equal(actual, value)
    if not passed:
        raise failed
    return root


def _op_copy(root: Any, operation: dict[str, Any]) -> Any:
    source = _source(operation, "copy")
    container, key = _find_container(root, source)
    if container is None:
        raise _PatchFailed(f"copy operation does not apply: doc is missing from path: {source}: {_MISSING}")
    try:
        copied = copy.deepcopy(_get(container, key))
    except _PatchFailed as failure:
        raise _PatchFailed(f"error in copy for from: '{source}': {failure}") from None
    path = _path(operation, "copy")
    container, key = _find_container(root, path)
    if container is None:
        raise _PatchFailed(f"copy operation does not apply: doc is missing destination path: {path}: {_MISSING}")
    try:
        _add(container, key, copied)
    except _PatchFailed as failure:
        raise _PatchFailed(f"error while adding value during copy: {failure}") from None
    return root


_OPERATIONS = {"add": _op_add, "remove": _op_remove, "replace": _op_replace, "move": _op_move,
               "test": _op_test, "copy": _op_copy}


def _apply_operation(root: Any, operation: dict[str, Any]) -> Any:
    """Apply one operation to ``root`` in place; returns the root, which only a replace of "" changes."""
    kind = operation.get("op")
    apply = _OPERATIONS.get(kind) if isinstance(kind, str) else None
    if apply is None:
        raise _PatchFailed(f"Unexpected kind: {kind if isinstance(kind, str) else 'unknown'}")
    return apply(root, operation)


# --- JSON merge patch (RFC 7386) ------------------------------------------------------------------


def apply_merge_patch(doc: dict[str, Any], patch: Any, *, field_validation: str = "Warn") -> dict[str, Any]:
    """Apply an RFC 7386 JSON merge patch the way kube-apiserver's jsonPatcher does.

    A patch that is not an object is rejected: under Strict and Warn (the default) by the strict
    decoding into a map, otherwise by evanphx/json-patch (``Invalid JSON Patch``) or, for an array,
    which RFC 7386 says replaces the document, by the decoding of the non-object result.
    """
    if field_validation in _STRICT_DECODING and patch is not None and not isinstance(patch, dict):
        raise bad_request(f"error decoding patch: json: cannot unmarshal {_go_json_type(patch)} "
                          f"into Go value of type {_GO_MAP}")
    if isinstance(patch, list):
        raise _not_an_object(_prune_nulls(copy.deepcopy(patch)))
    if not isinstance(patch, dict):
        raise bad_request("Invalid JSON Patch")
    return _merge_documents(copy.deepcopy(doc), patch)


def _merge_documents(doc: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    for key, value in patch.items():
        if value is None:
            doc.pop(key, None)
            continue
        current = doc.get(key)
        if not isinstance(current, dict):
            # Absent, null or not an object: the value replaces it, without its nulls.
            doc[key] = _prune_nulls(copy.deepcopy(value))
        elif not isinstance(value, dict):
            # v4's merge() returns a non-object patch value unpruned when the document held an object.
            doc[key] = copy.deepcopy(value)
        else:
            doc[key] = _merge_documents(current, value)
    return doc


def _prune_nulls(value: Any) -> Any:
    """Drop null members at any depth; null array elements stay (pruneDocNulls/pruneAryNulls)."""
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) for v in value]
    return value


# --- Strategic merge patch ------------------------------------------------------------------------


class _Dropped:
    """removeDirectives' "don't keep": the value was itself a directive."""


_DROPPED = _Dropped()


def apply_strategic_merge_patch(doc: dict[str, Any], patch: Any, schema: SchemaNode | None) -> dict[str, Any]:
    """Apply a Kubernetes strategic merge patch (``strategicpatch.StrategicMergeMapPatch``).

    ``schema`` is the kind's schema (``schema.node(group, version, kind)``); it supplies each
    field's ``x-kubernetes-patch-strategy`` and ``x-kubernetes-patch-merge-key``. A null patch
    changes nothing, as upstream, where it decodes to a nil map.
    """
    if patch is None:
        return copy.deepcopy(doc)
    if not isinstance(patch, dict):
        raise bad_request(f"json: cannot unmarshal {_go_json_type(patch)} into Go value of type {_GO_MAP}")
    # Both are copied once here, so that the merge may consume them in place as upstream does.
    return _merge_map(copy.deepcopy(doc), copy.deepcopy(patch), schema)


def _bad_arg_type(expected: str, actual: Any) -> StatusError:
    return bad_request(f"expected a {expected}, but received a {_go_type(actual)}")


def _no_merge_key(item: dict[str, Any], merge_key: str) -> StatusError:
    return bad_request(f"map: {_go_value(item)} does not contain declared merge key: {merge_key}")


def _bad_patch_type(directive: Any, patch: dict[str, Any]) -> StatusError:
    return bad_request(f"unknown patch type: {_go_string(directive)} in map: {_go_value(patch)}")


def _patch_meta(schema: SchemaNode | None, key: str) -> tuple[SchemaNode | None, str, str]:
    """A field's schema, patch strategy and merge key; none of them for a field the schema lacks."""
    field = schema.field(key) if schema is not None else None
    if field is None:
        return None, "", ""
    # "merge,retainKeys": retainKeys only tells clients to send $retainKeys; merging is what is left.
    strategies = [s for s in field.patch_strategy.split(",") if s and s != "retainKeys"]
    return field, strategies[0] if strategies else "", field.patch_merge_key or ""


def _items_schema(field: SchemaNode | None) -> SchemaNode | None:
    return field.items() if field is not None else None


def _extract_key(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise bad_request(_ERR_BAD_PRIMITIVE_LIST if prefix == _DELETE_FROM_PRIMITIVE_LIST
                          else _ERR_BAD_SET_ELEMENT_ORDER)
    return rest


def _materialize(value: Any) -> Any:
    """A patch value taken wholesale, without its nulls and directives.

    Upstream's discardNullValuesFromPatch then removeDirectives: a map carrying ``$patch`` is
    dropped entirely. Unlike upstream, which leaves them for the Go decoder to discard, the
    parallel-list and ``$retainKeys`` directives are removed too.
    """
    if isinstance(value, dict):
        if _DIRECTIVE in value:
            return _DROPPED
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if item is None or key == _RETAIN_KEYS or key.startswith(
                    (_SET_ELEMENT_ORDER + "/", _DELETE_FROM_PRIMITIVE_LIST + "/")):
                continue
            materialized = _materialize(item)
            if materialized is not _DROPPED:
                kept[key] = materialized
        return kept
    if isinstance(value, list):
        return [m for m in (_materialize(item) for item in value) if m is not _DROPPED]
    return value


def _merge_map(original: dict[str, Any], patch: dict[str, Any], schema: SchemaNode | None) -> dict[str, Any]:
    """``mergeMap``: merge ``patch`` into ``original``, consuming both."""
    if _DIRECTIVE in patch:
        directive = patch[_DIRECTIVE]
        if directive == "replace":
            # The rest of the patch map is the new value, exactly as sent.
            del patch[_DIRECTIVE]
            return patch
        if directive == "delete":
            return {}
        raise _bad_patch_type(directive, patch)

    _apply_retain_keys(original, patch)
    _merge_ordered_lists(original, patch, schema)

    for patch_key, value in list(patch.items()):
        key = patch_key
        is_delete_list = patch_key.startswith(_DELETE_FROM_PRIMITIVE_LIST)
        if is_delete_list:
            key = _extract_key(patch_key, _DELETE_FROM_PRIMITIVE_LIST)
        if value is None:
            original.pop(key, None)
            continue
        current = original.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            field, strategy, _ = _patch_meta(schema, key)
            original[key] = value if strategy == "replace" else _merge_map(current, value, field)
        elif isinstance(current, list) and isinstance(value, list):
            field, strategy, merge_key = _patch_meta(schema, key)
            if strategy == "merge" or is_delete_list:
                original[key] = _merge_slice(current, value, _items_schema(field), merge_key,
                                             is_delete_list=is_delete_list, name=key)[0]
            else:
                original[key] = value
        elif not is_delete_list:
            # A new key, a changed type or a scalar: the patch value is taken, without directives.
            materialized = _materialize(value)
            if materialized is _DROPPED:
                original.pop(key, None)
            else:
                original[key] = materialized
    return original


def _apply_retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
    """``applyRetainKeysDirective``: clear the original's keys that ``$retainKeys`` does not list."""
    if _RETAIN_KEYS not in patch:
        return
    retained = patch.pop(_RETAIN_KEYS)
    if not isinstance(retained, list):
        raise bad_request(_ERR_BAD_RETAIN_KEYS)
    for key, value in patch.items():
        if value is None or key.startswith((_DELETE_FROM_PRIMITIVE_LIST, _SET_ELEMENT_ORDER)):
            continue
        if key not in retained:
            raise bad_request(_ERR_BAD_RETAIN_KEYS)
    for key in [k for k in original if k not in retained]:
        del original[key]


def _merge_ordered_lists(original: dict[str, Any], patch: dict[str, Any], schema: SchemaNode | None) -> None:
    """``mergePatchIntoOriginal``: merge each list that has a ``$setElementOrder`` and order it.

    The precedence is $setElementOrder, then the order in the patch list, then the order in the
    live list. Both the directive and its list leave the patch, so they are not merged again.
    """
    for directive_key in [k for k in patch if k.startswith(_SET_ELEMENT_ORDER)]:
        order = patch.pop(directive_key)
        if not isinstance(order, list):
            raise _bad_arg_type(_GO_SLICE, order)
        key = _extract_key(directive_key, _SET_ELEMENT_ORDER)
        found_original, found_patch = key in original, key in patch
        original_list: list[Any] = []
        patch_list: list[Any] = []
        if found_original:
            if not isinstance(original[key], list):
                raise _bad_arg_type(_GO_SLICE, original[key])
            original_list = original[key]
        if found_patch:
            if not isinstance(patch[key], list):
                raise _bad_arg_type(_GO_SLICE, patch[key])
            patch_list = patch[key]
        field, strategy, merge_key = _patch_meta(schema, key)
        _validate_patch_with_set_order(patch_list, order, merge_key)

        server_order = original_list
        if found_original and found_patch:
            if strategy == "merge":
                merged, server_order = _merge_slice(original_list, patch_list, _items_schema(field), merge_key,
                                                    is_delete_list=False, name=key)
            else:
                merged = patch_list
        elif found_original:
            merged = original_list
        elif found_patch:
            merged = _materialize(patch_list)
        else:
            continue

        if merge_key:
            ordered, server_only = _partition_maps(merged, order, merge_key)
        else:
            ordered, server_only = _partition_primitives(merged, order)
        kind = _element_kind(original_list, patch_list)
        original[key] = (_normalize_element_order(ordered, server_only, order, server_order, merge_key, kind)
                         if kind is not None else merged)
        patch.pop(key, None)


def _merge_slice(original: list[Any], patch: list[Any], schema: SchemaNode | None, merge_key: str, *,
                 is_delete_list: bool, name: str) -> tuple[list[Any], list[Any]]:
    """``mergeSlice``: merge a list whose strategy is "merge", or apply a deletion list.

    Returns the merged list and what the caller's slice of ``original`` shows afterwards. Go edits
    a list of maps inside its array: a deleted item shifts the later ones down, and appended items
    fill the room that leaves (an array is never shorter than the list that was decoded into it).
    ``$setElementOrder`` then orders server-only items by that edited view, and upstream's own
    expectations depend on it, so it is reproduced.
    """
    if not original and not patch:
        return original, original
    kind = _element_kind(original, patch)
    view = original
    if kind != "map":
        if is_delete_list:
            return [item for item in original if not _contains(patch, item)], view
        merged: list[Any] = []
        for item in original + patch:
            if not _contains(merged, item):
                merged.append(item)
    else:
        if not merge_key:
            raise bad_request(f"cannot merge lists without merge key for {name}")
        view = list(original)
        original, patch = _merge_special_elements(view, patch, merge_key)
        merged = _merge_keyed_elements(original, patch, merge_key, schema, view)

    if merge_key:
        in_patch, server_only = _partition_maps(merged, patch, merge_key)
    else:
        in_patch, server_only = _partition_primitives(merged, patch)
    return _normalize_element_order(in_patch, server_only, patch, original, merge_key, kind), view


def _merge_special_elements(array: list[Any], patch: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """``mergeSliceWithSpecialElements``: apply the ``$patch`` items of a merge list.

    ``{"$patch": "delete", <key>: v}`` deletes the items with that key, shifting the rest down
    inside ``array``; ``{"$patch": "replace"}`` makes the rest of the patch list the new list.
    Returns the list to merge into and the patch items left to merge.
    """
    length = len(array)
    remaining: list[Any] = []
    replace = False
    for item in patch:
        if _DIRECTIVE not in item:
            remaining.append(item)
            continue
        directive = item[_DIRECTIVE]
        if directive == "delete":
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            while (index := _find_map(array[:length], merge_key, item[merge_key])) >= 0:
                array[index:length - 1] = array[index + 1:length]
                length -= 1
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise bad_request("merging lists cannot yet be specified in the patch")
        else:
            raise _bad_patch_type(directive, item)
    if replace:
        return remaining, []
    return array[:length], remaining


def _find_map(items: list[Any], key: str, value: Any) -> int:
    """``findMapInSliceBasedOnKeyValue``: the first item whose ``key`` is ``value``, or -1."""
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad_request(f"value for key {index} is not a map")
        if key in item and _go_equal(item[key], value):
            return index
    return -1


def _merge_keyed_elements(original: list[Any], patch: list[Any], merge_key: str, schema: SchemaNode | None,
                          array: list[Any]) -> list[Any]:
    """``mergeSliceWithoutSpecialElements``: merge items with the same key, append the others.

    An appended item lands in ``array`` (the live list's storage) while it has room.
    """
    merged = list(original)
    for item in patch:
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        index = _find_map(merged, merge_key, item[merge_key])
        if index >= 0:
            merged[index] = _merge_map(merged[index], item, schema)
            continue
        added = _materialize(item)
        if len(merged) < len(array):
            array[len(merged)] = added
        merged.append(added)
    return merged


def _element_kind(*lists: list[Any]) -> str | None:
    """``sliceElementType``: the one Go type of the elements of all lists ("map" for objects)."""
    kind: str | None = None
    for item in (item for items in lists for item in items):
        if isinstance(item, list):
            raise _unprocessable(_ERR_NO_LIST_OF_LISTS)
        current = "map" if isinstance(item, dict) else _go_type(item)
        if kind is None:
            kind = current
        elif kind != current:
            raise bad_request(f"list element types are not identical: {_go_value(list(lists))}")
    return kind


def _validate_patch_with_set_order(patch_list: list[Any], order: list[Any], merge_key: str) -> None:
    """``validatePatchWithSetOrderList``: the patch list must follow ``$setElementOrder``'s order."""
    if not order or not patch_list:
        return
    candidates = _split_deletions(patch_list)[0] if merge_key else patch_list
    patch_index = order_index = 0
    while patch_index < len(candidates) and order_index < len(order):
        if isinstance(candidates[patch_index], dict) and _DIRECTIVE in candidates[patch_index]:
            patch_index += 1
            continue
        if _merge_key_value_equal(candidates[patch_index], order[order_index], merge_key):
            patch_index += 1
        order_index += 1
    if patch_index < len(candidates) and order_index >= len(order):
        raise bad_request(f"the order in patch list:\n{_go_value(patch_list)}\n doesn't match "
                          f"{_SET_ELEMENT_ORDER} list:\n{_go_value(order)}")


def _merge_key_value_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return _go_equal(left, right)
    for item in (left, right):
        if not isinstance(item, dict):
            raise _bad_arg_type(_GO_MAP, item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
    return _go_equal(left[merge_key], right[merge_key])


def _split_deletions(items: list[Any]) -> tuple[list[Any], list[Any]]:
    """``extractToDeleteItems``: the items to keep, and the ``$patch: delete`` items."""
    kept: list[Any] = []
    deletions: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise _bad_arg_type(_GO_MAP, item)
        (deletions if item.get(_DIRECTIVE) == "delete" else kept).append(item)
    return kept, deletions


def _partition_primitives(items: list[Any], partition_by: list[Any]) -> tuple[list[Any], list[Any]]:
    present = [item for item in items if _contains(partition_by, item)]
    absent = [item for item in items if not _contains(partition_by, item)]
    return present, absent


def _partition_maps(items: list[Any], partition_by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    present: list[Any] = []
    absent: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise _bad_arg_type(_GO_MAP, item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        (present if _find_map(partition_by, merge_key, item[merge_key]) >= 0 else absent).append(item)
    return present, absent


def _index(items: list[Any], item: Any, merge_key: str, kind: str | None) -> int:
    """``index``: where an item (by its merge key value, for maps) is in a list, or -1."""
    def value(entry: Any) -> Any:
        if kind == "map":
            return entry.get(merge_key) if isinstance(entry, dict) else None
        return entry

    wanted = value(item)
    return next((i for i, entry in enumerate(items) if _go_equal(value(entry), wanted)), -1)


def _normalize_slice_order(items: list[Any], order: list[Any], merge_key: str, kind: str | None) -> list[Any]:
    """``normalizeSliceOrder``: sort ``items`` by their position in ``order``, deletions last.

    Upstream's comparator calls an item missing from ``order`` "less" than anything, which is no
    ordering at all; every caller only sorts items that ``order`` contains, and any stray one is
    kept, stably, after them here.
    """
    deletions: list[Any] = []
    if kind == "map":
        for item in [*items, *order]:
            if not isinstance(item, dict):
                raise _bad_arg_type(_GO_MAP, item)
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
        items, deletions = _split_deletions(items)
    positions = [_index(order, item, merge_key, kind) for item in items]
    ranked = sorted(range(len(items)), key=lambda i: positions[i] if positions[i] >= 0 else len(order))
    return [items[i] for i in ranked] + deletions


def _normalize_element_order(in_patch: list[Any], server_only: list[Any], patch_order: list[Any],
                             server_order: list[Any], merge_key: str, kind: str | None) -> list[Any]:
    """``normalizeElementOrder``: sort both parts, then interleave them with ``mergeSortedSlice``.

    A live-only item goes before a patch item only when both are in the live list and it came
    first there; so items the live list did not have come before the remaining live-only items.
    """
    in_patch = _normalize_slice_order(in_patch, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    merged: list[Any] = []
    left = right = 0
    while left < len(server_only) or right < len(in_patch):
        if right >= len(in_patch):
            merged.append(server_only[left])
            left += 1
        elif left >= len(server_only):
            merged.append(in_patch[right])
            right += 1
        else:
            left_index = _index(server_order, server_only[left], merge_key, kind)
            right_index = _index(server_order, in_patch[right], merge_key, kind)
            if 0 <= left_index < right_index:
                merged.append(server_only[left])
                left += 1
            else:
                merged.append(in_patch[right])
                right += 1
    return merged


# --- Server-side apply ----------------------------------------------------------------------------


# List-map keys that Kubernetes defaults, so that an applied item without them still matches the
# defaulted live item (ports are keyed by number and protocol). The OpenAPI documents carry these
# defaults; the schema package petset reads them from does not.
_LIST_MAP_KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP"}


def apply_server_side_apply(live: dict[str, Any] | None, applied: Any, schema: SchemaNode | None) -> dict[str, Any]:
    """Merge an applied configuration into the live object (simplified; see the module docstring).

    ``live`` is None when the object does not exist yet: the applied configuration is then the new
    object. A null in the applied configuration removes the field; nulls inside new values are
    dropped, as the conversion to a typed object drops them upstream.
    """
    if applied is None:
        applied = {}
    if not isinstance(applied, dict):
        raise bad_request(f"error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot "
                          f"unmarshal {_go_json_type(applied)} into Go value of type {_GO_MAP}")
    if live is None:
        return _prune_nulls(copy.deepcopy(applied))
    return _apply_map(copy.deepcopy(live), applied, schema)


def _apply_map(live: dict[str, Any], applied: dict[str, Any], schema: SchemaNode | None) -> dict[str, Any]:
    for key, value in applied.items():
        if value is None:
            live.pop(key, None)
            continue
        field = schema.field(key) if schema is not None else None
        live[key] = _apply_value(live.get(key), value, field)
    return live


def _apply_value(live: Any, applied: Any, field: SchemaNode | None) -> Any:
    if isinstance(live, dict) and isinstance(applied, dict):
        if field is not None and field.ext.get("x-kubernetes-map-type") == "atomic":
            return copy.deepcopy(applied)
        return _apply_map(live, applied, field)
    if isinstance(live, list) and isinstance(applied, list):
        list_type, keys = _list_semantics(field, applied)
        if list_type == "map":
            return _apply_keyed_list(live, applied, keys, _items_schema(field))
        if list_type == "set":
            return live + [copy.deepcopy(item) for item in applied if not _contains(live, item)]
    return _prune_nulls(copy.deepcopy(applied))


def _list_semantics(field: SchemaNode | None, applied: list[Any]) -> tuple[str, list[str]]:
    """How structured-merge-diff treats a list: "map" (with its keys), "set" or "atomic"."""
    if field is None:
        return "atomic", []
    merge_key = field.patch_merge_key
    if field.list_type == "map":
        keys = field.list_map_keys or ([merge_key] if merge_key else [])
        return ("map", keys) if keys else ("atomic", [])
    if field.list_type in ("set", "atomic"):
        return field.list_type, []
    # No list type: fall back to what strategic merge patch would do with the list.
    if "merge" in field.patch_strategy.split(","):
        if merge_key:
            return "map", [merge_key]
        if not any(isinstance(item, dict | list) for item in applied):
            return "set", []
    return "atomic", []


def _apply_keyed_list(live: list[Any], applied: list[Any], keys: list[str],
                      schema: SchemaNode | None) -> list[Any]:
    def identity(item: Any) -> list[Any] | None:
        if not isinstance(item, dict):
            return None
        return [item.get(key, _LIST_MAP_KEY_DEFAULTS.get(key)) for key in keys]

    def same(left: list[Any] | None, right: list[Any] | None) -> bool:
        return left is not None and right is not None and all(map(_go_equal, left, right))

    merged = list(live)
    for item in applied:
        wanted = identity(item)
        index = next((i for i, existing in enumerate(merged) if same(identity(existing), wanted)), -1)
        if index < 0:
            merged.append(_prune_nulls(copy.deepcopy(item)))
        else:
            merged[index] = _apply_map(merged[index], item, schema)
    return merged
