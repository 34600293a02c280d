"""Kubernetes Status errors and field errors, rendered exactly as the Go API server renders them.

kubectl prints the server's ``message`` verbatim and keys its own wording off ``reason``, so every
text here follows k8s.io/apimachinery (pkg/api/errors and pkg/util/validation/field) to the byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "OMIT",
    "FieldError",
    "StatusError",
    "already_exists",
    "bad_request",
    "conflict",
    "duplicate",
    "forbidden",
    "forbidden_request",
    "go_repr",
    "gone",
    "internal",
    "invalid",
    "invalid_value",
    "method_not_supported",
    "not_acceptable",
    "not_found",
    "not_supported",
    "optimistic_lock_conflict",
    "qualified_kind",
    "qualified_resource",
    "request_entity_too_large",
    "required",
    "service_unavailable",
    "too_long",
    "too_many",
    "unauthorized",
    "unsupported_media_type",
]


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: A bad value that must not be printed (Go's ``field.OmitValueType``).
OMIT: Any = _Omit()

_CAUSE_TYPES = {
    "Not found": "FieldValueNotFound",
    "Required value": "FieldValueRequired",
    "Duplicate value": "FieldValueDuplicate",
    "Invalid value": "FieldValueInvalid",
    "Unsupported value": "FieldValueNotSupported",
    "Forbidden": "FieldValueForbidden",
    "Too long": "FieldValueTooLong",
    "Too many": "FieldValueTooMany",
    "Internal error": "InternalError",
}


def go_repr(value: Any, go_type: str | None = None) -> str:
    """Render a value the way Go's ``%#v`` shows it in field errors.

    ``go_type`` names the Go type for maps and slices (``map[string]string``); without it the
    type is guessed from the JSON value.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        typ = go_type or ("map[string]string" if all(isinstance(v, str) for v in value.values())
                          else "map[string]interface {}")
        inner = ", ".join(f"{json.dumps(k)}:{go_repr(v)}" for k, v in sorted(value.items()))
        return f"{typ}{{{inner}}}"
    if isinstance(value, list):
        typ = go_type or ("[]string" if all(isinstance(v, str) for v in value) else "[]interface {}")
        return f"{typ}{{{', '.join(go_repr(v) for v in value)}}}"
    return str(value)


@dataclass
class FieldError:
    """One validation failure at a field path (``field.Error`` in Go)."""

    type: str
    field: str
    bad_value: Any = OMIT
    detail: str = ""
    #: Pre-rendered value text, for values Go prints through a Stringer or a typed struct.
    value_text: str | None = None

    def body(self) -> str:
        if self.type in ("Required value", "Forbidden", "Too long", "Internal error") or (
            self.bad_value is OMIT and self.value_text is None
        ):
            text = self.type
        else:
            shown = self.value_text if self.value_text is not None else go_repr(self.bad_value)
            text = f"{self.type}: {shown}"
        if self.detail:
            text += f": {self.detail}"
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"

    def cause(self) -> dict[str, str]:
        return {"reason": _CAUSE_TYPES.get(self.type, self.type), "message": self.body(), "field": self.field}


def required(path: str, detail: str = "") -> FieldError:
    return FieldError("Required value", path, OMIT, detail)


def invalid_value(path: str, value: Any, detail: str = "", *, value_text: str | None = None) -> FieldError:
    return FieldError("Invalid value", path, value, detail, value_text)


def not_supported(path: str, value: Any, supported: list[str]) -> FieldError:
    detail = "supported values: " + ", ".join(json.dumps(s) for s in supported) if supported else ""
    return FieldError("Unsupported value", path, value, detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError("Forbidden", path, OMIT, detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError("Duplicate value", path, value)


def too_long(path: str, max_length: int) -> FieldError:
    detail = f"may not be more than {max_length} bytes" if max_length >= 0 else ""
    return FieldError("Too long", path, OMIT, detail)


def too_many(path: str, actual: int, max_items: int) -> FieldError:
    return FieldError("Too many", path, OMIT, f"must have at most {max_items} items")


@dataclass
class StatusError(Exception):
    """An API error carrying the ``metav1.Status`` the server answers with."""

    code: int
    reason: str
    message: str
    details: dict[str, Any] | None = None
    #: Extra response headers (Retry-After, Warning, ...).
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details:
            body["details"] = self.details
        body["code"] = self.code
        return body


def qualified_resource(resource: str, group: str) -> str:
    """``statefulsets.apps`` for a grouped resource, ``pods`` for the core group."""
    return f"{resource}.{group}" if group else resource


def qualified_kind(kind: str, group: str) -> str:
    return f"{kind}.{group}" if group else kind


def _details(name: str | None, group: str, kind: str, **extra: Any) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = kind
    details.update(extra)
    return details


def not_found(resource: str, group: str, name: str) -> StatusError:
    return StatusError(404, "NotFound", f'{qualified_resource(resource, group)} "{name}" not found',
                       _details(name, group, resource))


def already_exists(resource: str, group: str, name: str) -> StatusError:
    return StatusError(409, "AlreadyExists", f'{qualified_resource(resource, group)} "{name}" already exists',
                       _details(name, group, resource))


def conflict(resource: str, group: str, name: str, why: str) -> StatusError:
    return StatusError(409, "Conflict",
                       f'Operation cannot be fulfilled on {qualified_resource(resource, group)} "{name}": {why}',
                       _details(name, group, resource))


def optimistic_lock_conflict(resource: str, group: str, name: str) -> StatusError:
    return conflict(resource, group, name,
                    "the object has been modified; please apply your changes to the latest version and try again")


def invalid(kind: str, group: str, name: str, errors: list[FieldError]) -> StatusError:
    what = f'{qualified_kind(kind, group)} "{name}" is invalid'
    if errors:
        joined = str(errors[0]) if len(errors) == 1 else "[" + ", ".join(str(e) for e in errors) + "]"
        what += f": {joined}"
    return StatusError(422, "Invalid", what,
                       _details(name, group, kind, causes=[e.cause() for e in errors]))


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def unauthorized(message: str = "Unauthorized") -> StatusError:
    return StatusError(401, "Unauthorized", message)


def forbidden_request(resource: str, group: str, name: str, why: str) -> StatusError:
    what = qualified_resource(resource, group)
    message = f'{what} "{name}" is forbidden: {why}' if name else f"{what} is forbidden: {why}"
    return StatusError(403, "Forbidden", message, _details(name, group, resource))


def gone(message: str) -> StatusError:
    return StatusError(410, "Expired", message)


def method_not_supported(resource: str, group: str, action: str) -> StatusError:
    return StatusError(405, "MethodNotAllowed",
                       f"{action} is not supported on resources of kind {qualified_resource(resource, group)!r}",
                       _details(None, group, resource))


def not_acceptable(message: str) -> StatusError:
    return StatusError(406, "NotAcceptable", message)


def unsupported_media_type(content_type: str) -> StatusError:
    return StatusError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                       "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                       "application/apply-patch+yaml, application/strategic-merge-patch+json"
                       if content_type.startswith("application/") and "patch" in content_type
                       else "the body of the request was in an unknown format - accepted media types include: "
                       "application/json, application/yaml")


def request_entity_too_large(message: str) -> StatusError:
    return StatusError(413, "RequestEntityTooLarge", message)


def internal(message: str) -> StatusError:
    return StatusError(500, "InternalError", f"Internal error occurred: {message}",
                       {"causes": [{"message": message}]})


def service_unavailable(message: str) -> StatusError:
    return StatusError(503, "ServiceUnavailable", message)
