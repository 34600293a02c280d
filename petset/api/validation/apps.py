"""StatefulSet and ControllerRevision validation.

Port of pkg/apis/apps/validation/validation.go at v1.32, with the improvements petset documents (see
STATEFULSET-SPEC.md, section 9), each marked where it departs from v1.32:

* names longer than 52 characters are rejected (pain point 8);
* ``revisionHistoryLimit`` must be >= 0 and may change on update, with v1.33's wording (pain point 9);
* ``serviceName``, when set, must be a DNS label as in v1.33 (it becomes every pod's subdomain);
* the pod template is validated as a pod spec, and each claim template as a claim (pain point 10,
  upstream v1.34), so mistakes fail the create instead of every later pod creation;
* a claim template's ``resources.requests.storage`` may grow on update (pain point 2).
"""

from __future__ import annotations

import json
from typing import Any

from petset.api.errors import FieldError, duplicate, forbidden, invalid_value, required
from petset.api.labels import from_label_selector
from petset.api.validation.common import (
    FIELD_IMMUTABLE,
    JSON,
    as_dict,
    as_int,
    as_list,
    as_str,
    child,
    index,
    nonnegative,
    not_supported_values,
    semantic,
)
from petset.api.validation.content import (
    is_valid_percent,
    max_len_error,
    name_is_dns_label,
    name_is_dns_subdomain,
)
from petset.api.validation.gofmt import (
    go_int_or_string,
    go_label_selector,
    go_ptr,
    go_quote,
    go_string_map,
    go_struct,
)
from petset.api.validation.meta import (
    selector_convertible,
    validate_annotations,
    validate_dns1123_label,
    validate_kube_object_meta,
    validate_kube_object_meta_update,
    validate_label_selector,
    validate_labels,
)
from petset.api.validation.pod import PodOptions, validate_pod_spec, validate_pod_specific_annotations
from petset.api.validation.quantities import parse_quantity
from petset.api.validation.storage import validate_persistent_volume_claim_spec

__all__ = [
    "MAX_STATEFULSET_NAME_LENGTH",
    "validate_controller_revision",
    "validate_controller_revision_update",
    "validate_statefulset",
    "validate_statefulset_name",
    "validate_statefulset_status_update",
    "validate_statefulset_update",
]

#: Pods carry the label controller-revision-hash=<set name>-<hash of up to 10 characters>, and a label
#: value may hold 63 characters: a longer set name makes every pod creation fail with FailedCreate
#: (kubernetes/kubernetes#64023). petset refuses such names when the set is created instead.
MAX_STATEFULSET_NAME_LENGTH = 52

#: v1.33's wording (kubernetes/kubernetes#130263), which adds revisionHistoryLimit to v1.32's list.
UPDATE_FORBIDDEN = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                    "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                    "'minReadySeconds' are forbidden")

_MUTABLE_SPEC_FIELDS = ("replicas", "template", "updateStrategy", "minReadySeconds", "ordinals",
                        "persistentVolumeClaimRetentionPolicy", "revisionHistoryLimit")


def validate_statefulset_name(name: str, prefix: bool) -> list[str]:
    """``ValidateStatefulSetName`` (a DNS label) with petset's 52-character limit for whole names."""
    messages = name_is_dns_label(name, prefix)
    if prefix or len(name) <= MAX_STATEFULSET_NAME_LENGTH:
        return messages
    # One length message is enough: the stricter limit replaces the DNS label's 63.
    return [max_len_error(MAX_STATEFULSET_NAME_LENGTH)] + [m for m in messages if m != max_len_error(63)]


def _rolling_update_text(rolling: JSON) -> str:
    return go_struct("apps.RollingUpdateStatefulSetStrategy", [
        ("Partition", str(as_int(rolling.get("partition")))),
        ("MaxUnavailable", go_ptr("intstr.IntOrString", rolling.get("maxUnavailable") is not None))])


def _update_strategy_text(strategy: JSON) -> str:
    return go_struct("apps.StatefulSetUpdateStrategy", [
        ("Type", go_quote(as_str(strategy.get("type")))),
        ("RollingUpdate", go_ptr("apps.RollingUpdateStatefulSetStrategy", strategy.get("rollingUpdate") is not None))])


def _int_or_percent_value(value: Any) -> int:
    """``getIntOrPercentValue``: the percentage, or the integer (a non-numeric string counts as 0)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = as_str(value)
    if not is_valid_percent(text):
        return int(text[:-1])
    try:
        return int(text)
    except ValueError:
        return 0


def _validate_positive_int_or_percent(value: Any, path: str) -> list[FieldError]:
    """``ValidatePositiveIntOrPercent``: the bad value prints through IntOrString.String(), unquoted."""
    if isinstance(value, int) and not isinstance(value, bool):
        return nonnegative(value, path)
    return [invalid_value(path, None, msg, value_text=go_int_or_string(value)) for msg in is_valid_percent(as_str(value))]


def _validate_rolling_update(rolling: JSON, path: str) -> list[FieldError]:
    """``validateRollingUpdateStatefulSet``."""
    errs = nonnegative(as_int(rolling.get("partition")), child(path, "partition"))
    max_unavailable = rolling.get("maxUnavailable")
    if max_unavailable is not None:
        max_path = child(path, "maxUnavailable")
        errs.extend(_validate_positive_int_or_percent(max_unavailable, max_path))
        if _int_or_percent_value(max_unavailable) == 0:
            errs.append(invalid_value(max_path, None, "cannot be 0", value_text=go_int_or_string(max_unavailable)))
        if isinstance(max_unavailable, str) and not is_valid_percent(max_unavailable) and \
                int(max_unavailable[:-1]) > 100:
            errs.append(invalid_value(max_path, None, "must not be greater than 100%",
                                      value_text=go_int_or_string(max_unavailable)))
    return errs


def _validate_claim_templates(templates: Any, path: str) -> list[FieldError]:
    """Each claim template as a claim (upstream v1.34); its name also names a pod volume, so a DNS label."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, template in enumerate(as_dict(t) for t in as_list(templates)):
        item_path = index(path, i)
        meta = as_dict(template.get("metadata"))
        name = as_str(meta.get("name"))
        name_path = child(item_path, "metadata", "name")
        if not name:
            errs.append(required(name_path))
        else:
            errs.extend(validate_dns1123_label(name, name_path))
            if name in names:
                errs.append(duplicate(name_path, name))
            names.add(name)
        errs.extend(validate_labels(meta.get("labels"), child(item_path, "metadata", "labels")))
        errs.extend(validate_annotations(meta.get("annotations"), child(item_path, "metadata", "annotations")))
        errs.extend(validate_persistent_volume_claim_spec(as_dict(template.get("spec")), child(item_path, "spec")))
    return errs


def _validate_template(spec: JSON, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpecForStatefulSet``, plus the pod spec itself (petset, as upstream v1.34)."""
    template = as_dict(spec.get("template"))
    meta = as_dict(template.get("metadata"))
    labels = meta.get("labels")
    selector = spec.get("selector")
    errs: list[FieldError] = []
    matcher = from_label_selector(selector if isinstance(selector, dict) else None)
    # A nil selector selects nothing (so never matches); an empty one selects everything (so skips this).
    if not matcher.empty and not matcher.matches(as_dict(labels)):
        errs.append(invalid_value(child(path, "metadata", "labels"), None, "`selector` does not match template `labels`",
                                  value_text=go_string_map(labels if isinstance(labels, dict) else None)))
    errs.extend(validate_labels(labels, child(path, "labels")))
    errs.extend(validate_annotations(meta.get("annotations"), child(path, "annotations")))
    errs.extend(validate_pod_specific_annotations(meta.get("annotations"), as_dict(template.get("spec")),
                                                  child(path, "annotations")))
    claims = frozenset(as_str(as_dict(as_dict(t).get("metadata")).get("name"))
                       for t in as_list(spec.get("volumeClaimTemplates"))) - {""}
    errs.extend(validate_pod_spec(as_dict(template.get("spec")), "", child(path, "spec"),
                                  PodOptions(resource_is_pod=False, claim_volumes=claims)))
    return errs


def _validate_statefulset_spec(spec: JSON, path: str = "spec") -> list[FieldError]:
    """``ValidateStatefulSetSpec``."""
    errs: list[FieldError] = []
    policy = as_str(spec.get("podManagementPolicy"))
    if not policy:
        errs.append(required(child(path, "podManagementPolicy")))
    elif policy not in ("OrderedReady", "Parallel"):
        errs.append(invalid_value(child(path, "podManagementPolicy"), policy, "must be 'OrderedReady' or 'Parallel'"))

    strategy = as_dict(spec.get("updateStrategy"))
    strategy_type = as_str(strategy.get("type"))
    rolling = strategy.get("rollingUpdate")
    if not strategy_type:
        errs.append(required(child(path, "updateStrategy")))
    elif strategy_type == "OnDelete":
        if isinstance(rolling, dict):
            errs.append(invalid_value(child(path, "updateStrategy", "rollingUpdate"), None,
                                      "only allowed for updateStrategy 'RollingUpdate'",
                                      value_text=_rolling_update_text(rolling)))
    elif strategy_type == "RollingUpdate":
        if isinstance(rolling, dict):
            errs.extend(_validate_rolling_update(rolling, child(path, "updateStrategy", "rollingUpdate")))
    else:
        errs.append(invalid_value(child(path, "updateStrategy"), None, "must be 'RollingUpdate' or 'OnDelete'",
                                  value_text=_update_strategy_text(strategy)))

    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if isinstance(retention, dict):
        for member in ("whenDeleted", "whenScaled"):
            value = as_str(retention.get(member))
            if value not in ("Retain", "Delete"):
                errs.append(not_supported_values(child(path, "persistentVolumeClaimRetentionPolicy", member), value,
                                                 ("Retain", "Delete")))

    errs.extend(nonnegative(as_int(spec.get("replicas")), child(path, "replicas")))
    errs.extend(nonnegative(as_int(spec.get("minReadySeconds")), child(path, "minReadySeconds")))
    if isinstance(spec.get("ordinals"), dict):
        errs.extend(nonnegative(as_int(spec["ordinals"].get("start")), child(path, "ordinals.start")))
    if spec.get("revisionHistoryLimit") is not None:
        # petset (upstream v1.33): a negative limit used to crash the controller's history cleanup.
        errs.extend(nonnegative(as_int(spec["revisionHistoryLimit"]), child(path, "revisionHistoryLimit")))
    service_name = as_str(spec.get("serviceName"))
    if service_name:
        # petset (upstream v1.33): the name becomes each pod's spec.subdomain, a DNS label.
        errs.extend(validate_dns1123_label(service_name, child(path, "serviceName")))

    selector = spec.get("selector")
    if not isinstance(selector, dict):
        errs.append(required(child(path, "selector")))
    else:
        errs.extend(validate_label_selector(selector, child(path, "selector")))
        if not as_dict(selector.get("matchLabels")) and not as_list(selector.get("matchExpressions")):
            errs.append(invalid_value(child(path, "selector"), None, "empty selector is invalid for statefulset",
                                      value_text=go_label_selector(selector)))
    if not selector_convertible(selector):
        errs.append(invalid_value(child(path, "selector"), None, value_text=go_label_selector(selector)))
    else:
        errs.extend(_validate_template(spec, child(path, "template")))

    template_spec = as_dict(as_dict(spec.get("template")).get("spec"))
    restart_policy = as_str(template_spec.get("restartPolicy"))
    if restart_policy != "Always":
        errs.append(not_supported_values(child(path, "template", "spec", "restartPolicy"), restart_policy, ("Always",)))
    if template_spec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden(child(path, "template", "spec", "activeDeadlineSeconds"),
                              "activeDeadlineSeconds in StatefulSet is not Supported"))
    errs.extend(_validate_claim_templates(spec.get("volumeClaimTemplates"), child(path, "volumeClaimTemplates")))
    return errs


def validate_statefulset(statefulset: JSON) -> list[FieldError]:
    """``ValidateStatefulSet``."""
    errs = validate_kube_object_meta(as_dict(statefulset.get("metadata")), True, validate_statefulset_name)
    errs.extend(_validate_statefulset_spec(as_dict(statefulset.get("spec"))))
    return errs


def _storage_request(template: JSON) -> Any:
    return as_dict(as_dict(as_dict(template.get("spec")).get("resources")).get("requests")).get("storage")


def _grow_claim_templates(new: list[Any], old: list[Any], path: str) -> tuple[list[Any], list[FieldError]]:
    """petset: a claim template's storage request may grow; returns the templates with growth undone."""
    if len(new) != len(old):
        return new, []
    errs: list[FieldError] = []
    undone: list[Any] = []
    for i, (new_template, old_template) in enumerate(zip(new, old, strict=True)):
        new_raw, old_raw = _storage_request(as_dict(new_template)), _storage_request(as_dict(old_template))
        new_size, _ = parse_quantity(new_raw, "")
        old_size, _ = parse_quantity(old_raw, "")
        if new_size is None or old_size is None or new_size.amount == old_size.amount:
            undone.append(new_template)
            continue
        if new_size.amount < old_size.amount:
            errs.append(forbidden(child(index(path, i), "spec", "resources", "requests", "storage"),
                                  "field can not be less than previous value"))
        template = json.loads(json.dumps(new_template))
        template["spec"]["resources"]["requests"]["storage"] = old_raw
        undone.append(template)
    return undone, errs


def validate_statefulset_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateStatefulSetUpdate``: the name is not re-checked, the spec is, then only some fields may move."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    new_spec, old_spec = as_dict(new.get("spec")), as_dict(old.get("spec"))
    errs.extend(_validate_statefulset_spec(new_spec))
    clone = dict(new_spec)
    for field_name in _MUTABLE_SPEC_FIELDS:
        clone[field_name] = old_spec.get(field_name)
    templates, growth_errs = _grow_claim_templates(as_list(new_spec.get("volumeClaimTemplates")),
                                                   as_list(old_spec.get("volumeClaimTemplates")),
                                                   child("spec", "volumeClaimTemplates"))
    errs.extend(growth_errs)
    clone["volumeClaimTemplates"] = templates
    if semantic(clone) != semantic(old_spec):
        errs.append(forbidden("spec", UPDATE_FORBIDDEN))
    return errs


def _validate_statefulset_status(status: JSON, path: str = "status") -> list[FieldError]:
    """``ValidateStatefulSetStatus``."""
    counts = {name: as_int(status.get(name)) for name in ("replicas", "readyReplicas", "currentReplicas",
                                                          "updatedReplicas", "availableReplicas")}
    errs: list[FieldError] = []
    for name, value in counts.items():
        errs.extend(nonnegative(value, child(path, name)))
    for name in ("observedGeneration", "collisionCount"):
        if status.get(name) is not None:
            errs.extend(nonnegative(as_int(status[name]), child(path, name)))
    for name in ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"):
        if counts[name] > counts["replicas"]:
            errs.append(invalid_value(child(path, name), counts[name], "cannot be greater than status.replicas"))
    if counts["availableReplicas"] > counts["readyReplicas"]:
        errs.append(invalid_value(child(path, "availableReplicas"), counts["availableReplicas"],
                                  "cannot be greater than status.readyReplicas"))
    return errs


def validate_statefulset_status_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateStatefulSetStatusUpdate``: sane counters; the collision count never goes down."""
    new_status, old_status = as_dict(new.get("status")), as_dict(old.get("status"))
    errs = _validate_statefulset_status(new_status)
    errs.extend(validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata"))))
    new_count, old_count = new_status.get("collisionCount"), old_status.get("collisionCount")
    if old_count is not None and (new_count is None or as_int(new_count) < as_int(old_count)):
        errs.append(invalid_value(child("status", "collisionCount"), as_int(new_count), "cannot be decremented"))
    return errs


def validate_controller_revision(revision: JSON) -> list[FieldError]:
    """``ValidateControllerRevision``."""
    errs = validate_kube_object_meta(as_dict(revision.get("metadata")), True, name_is_dns_subdomain)
    if revision.get("data") is None:
        errs.append(required("data", "data is mandatory"))
    errs.extend(nonnegative(as_int(revision.get("revision")), "revision"))
    return errs


def validate_controller_revision_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateControllerRevisionUpdate``: data is fixed; the revision number may move (rollbacks)."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    errs.extend(validate_controller_revision(new))
    if new.get("data") != old.get("data"):
        # Go prints the internal runtime.Unknown here; petset shows the JSON it holds instead.
        errs.append(invalid_value("data", None, FIELD_IMMUTABLE,
                                  value_text=json.dumps(new.get("data"), sort_keys=True, separators=(",", ":"))))
    return errs
