"""PodDisruptionBudget validation: port of pkg/apis/policy/validation/validation.go (v1.32).

Upstream validates only the spec here; the name gets the generic path-segment rule that every kind gets
(see petset.api.validation.kinds).
"""

from __future__ import annotations

from typing import Any

from petset.api.errors import FieldError, invalid_value
from petset.api.validation.common import JSON, as_dict, as_int, child, nonnegative, not_supported_values
from petset.api.validation.content import is_valid_percent
from petset.api.validation.gofmt import go_int_or_string, go_ptr, go_struct
from petset.api.validation.meta import validate_label_selector

__all__ = ["validate_pod_disruption_budget", "validate_pod_disruption_budget_status"]


def _validate_int_or_percent(value: Any, path: str) -> list[FieldError]:
    """``ValidatePositiveIntOrPercent`` and ``IsNotMoreThan100Percent``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return nonnegative(value, path)
    text = str(value)
    errs = [invalid_value(path, None, msg, value_text=go_int_or_string(text)) for msg in is_valid_percent(text)]
    if not errs and int(text[:-1]) > 100:
        errs.append(invalid_value(path, None, "must not be greater than 100%", value_text=go_int_or_string(text)))
    return errs


def validate_pod_disruption_budget(pdb: JSON) -> list[FieldError]:
    """``ValidatePodDisruptionBudget``: minAvailable and maxUnavailable exclude each other."""
    spec = as_dict(pdb.get("spec"))
    errs: list[FieldError] = []
    min_available, max_unavailable = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_available is not None and max_unavailable is not None:
        errs.append(invalid_value("spec", None, "minAvailable and maxUnavailable cannot be both set",
                                  value_text=go_struct("policy.PodDisruptionBudgetSpec", [
                                      ("MinAvailable", go_ptr("intstr.IntOrString", True)),
                                      ("Selector", go_ptr("v1.LabelSelector", spec.get("selector") is not None)),
                                      ("MaxUnavailable", go_ptr("intstr.IntOrString", True)),
                                      ("UnhealthyPodEvictionPolicy", go_ptr(
                                          "policy.UnhealthyPodEvictionPolicyType",
                                          spec.get("unhealthyPodEvictionPolicy") is not None))])))
    if min_available is not None:
        errs.extend(_validate_int_or_percent(min_available, child("spec", "minAvailable")))
    if max_unavailable is not None:
        errs.extend(_validate_int_or_percent(max_unavailable, child("spec", "maxUnavailable")))
    errs.extend(validate_label_selector(spec.get("selector"), child("spec", "selector")))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("AlwaysAllow", "IfHealthyBudget"):
        errs.append(not_supported_values(child("spec", "unhealthyPodEvictionPolicy"), policy,
                                         ("AlwaysAllow", "IfHealthyBudget")))
    return errs


def validate_pod_disruption_budget_status(pdb: JSON) -> list[FieldError]:
    """``ValidatePodDisruptionBudgetStatusUpdate`` for policy/v1 (counters are never negative)."""
    status = as_dict(pdb.get("status"))
    errs: list[FieldError] = []
    for name in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"):
        errs.extend(nonnegative(as_int(status.get(name)), child("status", name)))
    return errs
