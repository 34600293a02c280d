"""Resource names and quantities: container resources, PV capacity, PVC requests.

Port of the quantity checks in pkg/apis/core/validation/validation.go (ValidateResourceQuantityValue,
validateBasicResource, ValidatePositiveQuantityValue, validateResourceRequirements) and of the resource-name
helpers in pkg/apis/core/helper/helpers.go.
"""

from __future__ import annotations

from decimal import ROUND_UP
from typing import Any

from petset.api.errors import FieldError, forbidden, invalid_value, required
from petset.api.quantity import Quantity
from petset.api.validation.common import IS_NEGATIVE, as_dict, child, key
from petset.api.validation.content import is_qualified_name

__all__ = [
    "QUANTITY_FORMAT_ERROR",
    "int_value",
    "is_hugepage_resource",
    "is_native_resource",
    "is_overcommit_allowed",
    "milli_value",
    "parse_quantity",
    "validate_basic_resource",
    "validate_positive_quantity",
    "validate_resource_quantity_value",
    "validate_resource_requirements",
]

#: What the JSON decoder says about a malformed quantity (upstream rejects it before validation, with 400).
QUANTITY_FORMAT_ERROR = ("quantities must match the regular expression "
                         "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")

_STANDARD_CONTAINER_RESOURCES = {"cpu", "memory", "ephemeral-storage"}
_STANDARD_RESOURCES = {
    "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "ephemeral-storage",
    "requests.ephemeral-storage", "limits.ephemeral-storage", "pods", "resourcequotas", "services",
    "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps", "storage", "requests.storage",
    "services.nodeports", "services.loadbalancers",
}
_INTEGER_RESOURCES = {"pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
                      "persistentvolumeclaims", "services.nodeports", "services.loadbalancers"}


def parse_quantity(raw: Any, path: str) -> tuple[Quantity | None, list[FieldError]]:
    """Parse a quantity; a malformed one is reported at its path (upstream fails the decode instead)."""
    if raw is None:
        return None, []
    try:
        return Quantity.from_json(raw), []
    except ValueError as exc:
        return None, [invalid_value(path, str(raw), str(exc) or QUANTITY_FORMAT_ERROR)]


def int_value(q: Quantity) -> int:
    """``Quantity.Value()``: rounded away from zero to a whole number."""
    return int(q.amount.to_integral_value(rounding=ROUND_UP))


def milli_value(q: Quantity) -> int:
    """``Quantity.MilliValue()``."""
    return int((q.amount * 1000).to_integral_value(rounding=ROUND_UP))


def is_native_resource(name: str) -> bool:
    """``IsNativeResource``: unprefixed, or in the kubernetes.io namespace."""
    return "/" not in name or "kubernetes.io/" in name


def is_hugepage_resource(name: str) -> bool:
    return name.startswith("hugepages-")


def is_overcommit_allowed(name: str) -> bool:
    """``IsOvercommitAllowed``: extended resources and huge pages must have requests equal to limits."""
    return is_native_resource(name) and not is_hugepage_resource(name)


def _is_extended_resource(name: str) -> bool:
    if is_native_resource(name) or name.startswith("requests."):
        return False
    return not is_qualified_name("requests." + name)


def _is_integer_resource(name: str) -> bool:
    return name in _INTEGER_RESOURCES or _is_extended_resource(name)


def validate_basic_resource(q: Quantity, path: str) -> list[FieldError]:
    """``validateBasicResource``: the integer value (rounded away from zero) must not be negative."""
    if int_value(q) < 0:
        return [invalid_value(path, int_value(q), "must be a valid resource quantity")]
    return []


def validate_positive_quantity(q: Quantity, path: str) -> list[FieldError]:
    """``ValidatePositiveQuantityValue``."""
    return [invalid_value(path, str(q), "must be greater than zero")] if q.amount <= 0 else []


def validate_resource_quantity_value(name: str, q: Quantity, path: str) -> list[FieldError]:
    """``ValidateResourceQuantityValue``: not negative, and whole for countable resources."""
    errs: list[FieldError] = []
    if q.amount < 0:
        errs.append(invalid_value(path, str(q), IS_NEGATIVE))
    if _is_integer_resource(name) and milli_value(q) % 1000 != 0:
        # The Quantity itself is the bad value here, printed through its String() method (unquoted).
        errs.append(invalid_value(path, None, "must be an integer", value_text=str(q)))
    return errs


def _validate_resource_name(name: str, path: str) -> list[FieldError]:
    """``validateResourceName``."""
    errs = [invalid_value(path, name, msg) for msg in is_qualified_name(name)]
    if errs:
        return errs
    if "/" not in name and name not in _STANDARD_RESOURCES and not (
            name.startswith("hugepages-") or name.startswith("requests.hugepages-")):
        return [invalid_value(path, name, "must be a standard resource type or fully qualified")]
    return []


def _validate_container_resource_name(name: str, path: str) -> list[FieldError]:
    """``validateContainerResourceName``."""
    errs = _validate_resource_name(name, path)
    if "/" not in name:
        if name not in _STANDARD_CONTAINER_RESOURCES and not is_hugepage_resource(name):
            errs.append(invalid_value(path, name, "must be a standard resource for containers"))
    elif not is_native_resource(name) and not _is_extended_resource(name):
        errs.append(invalid_value(path, name, "doesn't follow extended resource name standard"))
    return errs


def _hugepage_error(name: str, q: Quantity) -> str | None:
    """``validateResourceQuantityHugePageValue``: amounts must be whole multiples of the page size."""
    try:
        page = Quantity.from_json(name[len("hugepages-"):])
    except ValueError:
        return None
    if page.amount <= 0 or q.amount % page.amount != 0:
        return f"{q} is not positive integer multiple of {name}"
    return None


def validate_resource_requirements(requirements: Any, path: str) -> list[FieldError]:
    """``ValidateContainerResourceRequirements``: names, amounts, and requests within limits."""
    errs: list[FieldError] = []
    resources = as_dict(requirements)
    lim_path, req_path = child(path, "limits"), child(path, "requests")
    limits: dict[str, Quantity] = {}
    has_cpu_or_memory = has_hugepages = False
    for name, raw in sorted(as_dict(resources.get("limits")).items()):
        item_path = key(lim_path, name)
        errs.extend(_validate_container_resource_name(name, item_path))
        q, parse_errs = parse_quantity(raw, item_path)
        errs.extend(parse_errs)
        if q is None:
            continue
        limits[name] = q
        errs.extend(validate_resource_quantity_value(name, q, item_path))
        if is_hugepage_resource(name):
            has_hugepages = True
            message = _hugepage_error(name, q)
            if message:
                errs.append(invalid_value(item_path, str(q), message))
        has_cpu_or_memory = has_cpu_or_memory or name in ("cpu", "memory")
    for name, raw in sorted(as_dict(resources.get("requests")).items()):
        item_path = key(req_path, name)
        errs.extend(_validate_container_resource_name(name, item_path))
        q, parse_errs = parse_quantity(raw, item_path)
        errs.extend(parse_errs)
        if q is None:
            continue
        errs.extend(validate_resource_quantity_value(name, q, item_path))
        limit = limits.get(name)
        if limit is not None:
            if q.amount != limit.amount and not is_overcommit_allowed(name):
                errs.append(invalid_value(req_path, str(q), f"must be equal to {name} limit of {limit}"))
            elif q.amount > limit.amount:
                errs.append(invalid_value(req_path, str(q), f"must be less than or equal to {name} limit of {limit}"))
        elif not is_overcommit_allowed(name):
            errs.append(required(lim_path, "Limit must be set for non overcommitable resources"))
        if is_hugepage_resource(name):
            has_hugepages = True
            message = _hugepage_error(name, q)
            if message:
                errs.append(invalid_value(item_path, str(q), message))
        has_cpu_or_memory = has_cpu_or_memory or name in ("cpu", "memory")
    if has_hugepages and not has_cpu_or_memory:
        errs.append(forbidden(path, "HugePages require cpu or memory"))
    return errs
