"""Lease validation: port of pkg/apis/coordination/validation/validation.go (v1.32)."""

from __future__ import annotations

from petset.api.errors import FieldError, forbidden, invalid_value
from petset.api.validation.common import IS_NEGATIVE, JSON, as_dict, as_int, child
from petset.api.validation.content import name_is_dns_subdomain
from petset.api.validation.meta import validate_object_meta, validate_object_meta_update

__all__ = ["validate_lease", "validate_lease_update"]


def _validate_lease_spec(spec: JSON, path: str = "spec") -> list[FieldError]:
    """``ValidateLeaseSpec``."""
    errs: list[FieldError] = []
    duration = spec.get("leaseDurationSeconds")
    if duration is not None and as_int(duration) <= 0:
        errs.append(invalid_value(child(path, "leaseDurationSeconds"), as_int(duration), "must be greater than 0"))
    transitions = spec.get("leaseTransitions")
    if transitions is not None and as_int(transitions) < 0:
        errs.append(invalid_value(child(path, "leaseTransitions"), as_int(transitions), IS_NEGATIVE))
    if spec.get("preferredHolder") and not spec.get("strategy"):
        errs.append(forbidden(child(path, "preferredHolder"), "may only be specified if `strategy` is defined"))
    return errs


def validate_lease(lease: JSON) -> list[FieldError]:
    """``ValidateLease``."""
    errs = validate_object_meta(as_dict(lease.get("metadata")), True, name_is_dns_subdomain)
    errs.extend(_validate_lease_spec(as_dict(lease.get("spec"))))
    return errs


def validate_lease_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateLeaseUpdate``."""
    errs = validate_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    errs.extend(_validate_lease_spec(as_dict(new.get("spec"))))
    return errs
