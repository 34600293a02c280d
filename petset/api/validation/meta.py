"""ObjectMeta, labels, annotations, owner references, finalizers and label selectors.

Port of k8s.io/apimachinery/pkg/api/validation/objectmeta.go, .../apis/meta/v1/validation/validation.go and
the ObjectMeta wrappers of pkg/apis/core/validation (which add the legacy finalizer-name rule).
"""

from __future__ import annotations

from typing import Any

from petset.api.errors import FieldError, forbidden, invalid_value, required, too_long
from petset.api.validation.common import (
    FIELD_IMMUTABLE,
    JSON,
    as_dict,
    as_int,
    as_list,
    as_str,
    child,
    immutable,
    index,
    nonnegative,
)
from petset.api.validation.content import (
    NameFunc,
    is_dns1123_label,
    is_qualified_name,
    is_valid_label_value,
    name_is_dns_label,
)
from petset.api.validation.gofmt import go_ptr, go_quote, go_string_slice, go_struct, go_time

__all__ = [
    "NULL_TEXT",
    "TOTAL_ANNOTATION_SIZE_LIMIT",
    "selector_convertible",
    "validate_annotations",
    "validate_dns1123_label",
    "validate_finalizer_name",
    "validate_kube_object_meta",
    "validate_kube_object_meta_update",
    "validate_label_name",
    "validate_label_selector",
    "validate_labels",
    "validate_object_meta",
    "validate_object_meta_update",
    "validate_owner_references",
    "validate_qualified_name",
]

#: How ErrorBody prints a nil pointer: it swaps in the *string* "null", which %q then quotes.
NULL_TEXT = '"null"'

TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
_FIELD_MANAGER_MAX_LENGTH = 128
_MAX_SUBRESOURCE_NAME_LENGTH = 256
_STANDARD_FINALIZERS = {"kubernetes", "orphan", "foregroundDeletion"}
_BANNED_OWNERS = {("", "v1", "Event")}


def validate_label_name(name: str, path: str) -> list[FieldError]:
    """``ValidateLabelName``."""
    return [invalid_value(path, name, msg) for msg in is_qualified_name(name)]


validate_qualified_name = validate_label_name


def validate_labels(labels: Any, path: str) -> list[FieldError]:
    """``ValidateLabels``: keys are qualified names, values label values; errors name the map, not the key."""
    errs: list[FieldError] = []
    # Go walks the map in random order; sorting keeps petset's messages stable.
    for k, v in sorted(as_dict(labels).items()):
        errs.extend(validate_label_name(k, path))
        errs.extend(invalid_value(path, v, msg) for msg in is_valid_label_value(as_str(v)))
    return errs


def _annotations_size(annotations: JSON) -> int:
    return sum(len(k.encode()) + len(as_str(v).encode()) for k, v in annotations.items())


def validate_annotations(annotations: Any, path: str) -> list[FieldError]:
    """``ValidateAnnotations``: keys are case-insensitive qualified names; total size at most 256 KiB."""
    errs: list[FieldError] = []
    values = as_dict(annotations)
    for k in sorted(values):
        errs.extend(invalid_value(path, k, msg) for msg in is_qualified_name(k.lower()))
    if _annotations_size(values) > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return errs


def _split_api_version(api_version: str) -> tuple[str, str] | None:
    """``schema.ParseGroupVersion``: (group, version), or None when it has more than one '/'."""
    if not api_version:
        return "", ""
    parts = api_version.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def _owner_reference_stringer(ref: JSON) -> str:
    """gogo's ``(*OwnerReference).String()`` (fields in protobuf order)."""
    def ptr(value: Any) -> str:
        return "nil" if value is None else "*" + ("true" if value else "false")

    return (f"&OwnerReference{{Kind:{as_str(ref.get('kind'))},Name:{as_str(ref.get('name'))},"
            f"UID:{as_str(ref.get('uid'))},APIVersion:{as_str(ref.get('apiVersion'))},"
            f"Controller:{ptr(ref.get('controller'))},BlockOwnerDeletion:{ptr(ref.get('blockOwnerDeletion'))},}}")


def _owner_references_gostring(refs: list[Any]) -> str:
    items = [go_struct("v1.OwnerReference", [
        ("APIVersion", go_quote(as_str(ref.get("apiVersion")))),
        ("Kind", go_quote(as_str(ref.get("kind")))),
        ("Name", go_quote(as_str(ref.get("name")))),
        ("UID", go_quote(as_str(ref.get("uid")))),
        ("Controller", go_ptr("bool", ref.get("controller") is not None)),
        ("BlockOwnerDeletion", go_ptr("bool", ref.get("blockOwnerDeletion") is not None)),
    ]) for ref in (as_dict(r) for r in refs)]
    return f"[]v1.OwnerReference{{{', '.join(items)}}}"


def _validate_owner_reference(ref: JSON, path: str) -> list[FieldError]:
    """``validateOwnerReference``: note upstream reports these without the list index."""
    errs: list[FieldError] = []
    kind = as_str(ref.get("kind"))
    group_version = _split_api_version(as_str(ref.get("apiVersion")))
    group, version = group_version if group_version is not None else ("", "")
    if not version:
        errs.append(invalid_value(child(path, "apiVersion"), as_str(ref.get("apiVersion")),
                                  "version must not be empty"))
    if not kind:
        errs.append(invalid_value(child(path, "kind"), kind, "must not be empty"))
    if not as_str(ref.get("name")):
        errs.append(invalid_value(child(path, "name"), "", "must not be empty"))
    if not as_str(ref.get("uid")):
        errs.append(invalid_value(child(path, "uid"), "", "must not be empty"))
    if (group, version, kind) in _BANNED_OWNERS:
        errs.append(invalid_value(path, None, f"{group}/{version}, Kind={kind} is disallowed from being an owner",
                                  value_text=_owner_reference_stringer(ref)))
    return errs


def validate_owner_references(refs: Any, path: str) -> list[FieldError]:
    """``ValidateOwnerReferences``: at most one reference may be the controller."""
    errs: list[FieldError] = []
    items = as_list(refs)
    first_controller = ""
    for ref in (as_dict(r) for r in items):
        errs.extend(_validate_owner_reference(ref, path))
        if ref.get("controller") is True:
            current = f"{as_str(ref.get('kind'))}/{as_str(ref.get('name'))}"
            if first_controller:
                errs.append(invalid_value(
                    path, None,
                    f'Only one reference can have Controller set to true. Found "true" in references for '
                    f"{first_controller} and {current}",
                    value_text=_owner_references_gostring(items)))
            else:
                first_controller = current
    return errs


def validate_finalizer_name(name: str, path: str) -> list[FieldError]:
    """``ValidateFinalizerName``."""
    return [invalid_value(path, name, msg) for msg in is_qualified_name(name)]


def _validate_kube_finalizer_name(name: str, path: str) -> list[FieldError]:
    """``validateKubeFinalizerName``: a name without '/' must be one of the standard finalizers."""
    if "/" not in name and name not in _STANDARD_FINALIZERS:
        return [invalid_value(path, name, "name is neither a standard finalizer name nor is it fully qualified")]
    return []


def _validate_finalizers(finalizers: Any, path: str) -> list[FieldError]:
    """``ValidateFinalizers``: qualified names, and orphan excludes foregroundDeletion."""
    names = [as_str(f) for f in as_list(finalizers)]
    errs: list[FieldError] = []
    for name in names:
        errs.extend(validate_finalizer_name(name, path))
    if "orphan" in names and "foregroundDeletion" in names:
        errs.append(invalid_value(path, names, "finalizer orphan and foregroundDeletion cannot be both set",
                                  value_text=go_string_slice(names)))
    return errs


def _validate_field_manager(manager: str, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if len(manager) > _FIELD_MANAGER_MAX_LENGTH:
        errs.append(too_long(path, _FIELD_MANAGER_MAX_LENGTH))
    for position, ch in enumerate(manager):
        if not ch.isprintable():
            errs.append(invalid_value(path, manager, f"invalid character U+{ord(ch):04X} (at position {position})"))
    return errs


def _validate_managed_fields(entries: Any, path: str) -> list[FieldError]:
    """``ValidateManagedFields``."""
    errs: list[FieldError] = []
    for i, entry in enumerate(as_dict(e) for e in as_list(entries)):
        entry_path = index(path, i)
        if entry.get("operation") not in ("Apply", "Update"):
            errs.append(invalid_value(child(entry_path, "operation"), as_str(entry.get("operation")),
                                      "must be `Apply` or `Update`"))
        fields_type = as_str(entry.get("fieldsType"))
        if fields_type and fields_type != "FieldsV1":
            errs.append(invalid_value(child(entry_path, "fieldsType"), fields_type, "must be `FieldsV1`"))
        errs.extend(_validate_field_manager(as_str(entry.get("manager")), child(entry_path, "manager")))
        if len(as_str(entry.get("subresource"))) > _MAX_SUBRESOURCE_NAME_LENGTH:
            errs.append(too_long(child(entry_path, "subresource"), _MAX_SUBRESOURCE_NAME_LENGTH))
    return errs


def _validate_meta_common(meta: JSON, namespaced: bool, path: str) -> list[FieldError]:
    """``validateObjectMetaAccessorWithOptsCommon``."""
    errs: list[FieldError] = []
    namespace = as_str(meta.get("namespace"))
    if namespaced:
        if not namespace:
            errs.append(required(child(path, "namespace")))
        else:
            errs.extend(invalid_value(child(path, "namespace"), namespace, msg)
                        for msg in name_is_dns_label(namespace, False))
    elif namespace:
        errs.append(forbidden(child(path, "namespace"), "not allowed on this type"))
    errs.extend(nonnegative(as_int(meta.get("generation")), child(path, "generation")))
    errs.extend(validate_labels(meta.get("labels"), child(path, "labels")))
    errs.extend(validate_annotations(meta.get("annotations"), child(path, "annotations")))
    errs.extend(validate_owner_references(meta.get("ownerReferences"), child(path, "ownerReferences")))
    errs.extend(_validate_finalizers(meta.get("finalizers"), child(path, "finalizers")))
    errs.extend(_validate_managed_fields(meta.get("managedFields"), child(path, "managedFields")))
    return errs


def validate_object_meta(meta: JSON, namespaced: bool, name_fn: NameFunc, path: str = "metadata") -> list[FieldError]:
    """``ValidateObjectMetaAccessor``: generateName, name, then the common rules."""
    errs: list[FieldError] = []
    generate_name = as_str(meta.get("generateName"))
    if generate_name:
        errs.extend(invalid_value(child(path, "generateName"), generate_name, msg)
                    for msg in name_fn(generate_name, True))
    name = as_str(meta.get("name"))
    if not name:
        errs.append(required(child(path, "name"), "name or generateName is required"))
    else:
        errs.extend(invalid_value(child(path, "name"), name, msg) for msg in name_fn(name, False))
    errs.extend(_validate_meta_common(meta, namespaced, path))
    return errs


def validate_kube_object_meta(meta: JSON, namespaced: bool, name_fn: NameFunc,
                              path: str = "metadata") -> list[FieldError]:
    """core's ``ValidateObjectMeta``: the generic rules plus the legacy finalizer-name rule, per index."""
    errs = validate_object_meta(meta, namespaced, name_fn, path)
    for i, name in enumerate(as_list(meta.get("finalizers"))):
        errs.extend(_validate_kube_finalizer_name(as_str(name), index(child(path, "finalizers"), i)))
    return errs


def _ptr_text(value: Any) -> str | None:
    return '"null"' if value is None else None


def validate_object_meta_update(new: JSON, old: JSON, path: str = "metadata") -> list[FieldError]:
    """``ValidateObjectMetaAccessorUpdate``: identity fields are immutable; generation never goes back."""
    errs: list[FieldError] = []
    if old.get("deletionTimestamp"):
        added = sorted({as_str(f) for f in as_list(new.get("finalizers"))}
                       - {as_str(f) for f in as_list(old.get("finalizers"))})
        if added:
            errs.append(forbidden(child(path, "finalizers"),
                                  "no new finalizers can be added if the object is being deleted, found new "
                                  f"finalizers {go_string_slice(added)}"))
    if not as_str(new.get("resourceVersion")):
        errs.append(invalid_value(child(path, "resourceVersion"), "", "must be specified for an update"))
    if as_int(new.get("generation")) < as_int(old.get("generation")):
        errs.append(invalid_value(child(path, "generation"), as_int(new.get("generation")), "must not be decremented"))
    errs.extend(immutable(as_str(new.get("name")), as_str(old.get("name")), child(path, "name")))
    errs.extend(immutable(as_str(new.get("namespace")), as_str(old.get("namespace")), child(path, "namespace")))
    errs.extend(immutable(as_str(new.get("uid")), as_str(old.get("uid")), child(path, "uid")))
    if new.get("creationTimestamp") != old.get("creationTimestamp"):
        errs.append(invalid_value(child(path, "creationTimestamp"), None, FIELD_IMMUTABLE,
                                  value_text=go_time(new.get("creationTimestamp"))))
    if new.get("deletionTimestamp") != old.get("deletionTimestamp"):
        deletion = new.get("deletionTimestamp")
        errs.append(invalid_value(child(path, "deletionTimestamp"), None, FIELD_IMMUTABLE,
                                  value_text=NULL_TEXT if deletion is None else go_time(deletion)))
    grace = new.get("deletionGracePeriodSeconds")
    errs.extend(immutable(grace, old.get("deletionGracePeriodSeconds"), child(path, "deletionGracePeriodSeconds"),
                          value_text=_ptr_text(grace)))
    errs.extend(validate_labels(new.get("labels"), child(path, "labels")))
    errs.extend(validate_annotations(new.get("annotations"), child(path, "annotations")))
    errs.extend(validate_owner_references(new.get("ownerReferences"), child(path, "ownerReferences")))
    errs.extend(_validate_managed_fields(new.get("managedFields"), child(path, "managedFields")))
    return errs


def validate_kube_object_meta_update(new: JSON, old: JSON, path: str = "metadata") -> list[FieldError]:
    """core's ``ValidateObjectMetaUpdate``."""
    errs = validate_object_meta_update(new, old, path)
    for i, name in enumerate(as_list(new.get("finalizers"))):
        errs.extend(_validate_kube_finalizer_name(as_str(name), index(child(path, "finalizers"), i)))
    return errs


def _validate_selector_requirement(req: JSON, path: str, allow_invalid_values: bool) -> list[FieldError]:
    """``ValidateLabelSelectorRequirement``."""
    errs: list[FieldError] = []
    operator = as_str(req.get("operator"))
    values = as_list(req.get("values"))
    if operator in ("In", "NotIn"):
        if not values:
            errs.append(required(child(path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(child(path, "values"),
                                  "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    else:
        errs.append(invalid_value(child(path, "operator"), operator, "not a valid selector operator"))
    errs.extend(validate_label_name(as_str(req.get("key")), child(path, "key")))
    if not allow_invalid_values:
        for i, value in enumerate(values):
            errs.extend(invalid_value(index(child(path, "values"), i), value, msg)
                        for msg in is_valid_label_value(as_str(value)))
    return errs


def validate_label_selector(selector: Any, path: str, *, allow_invalid_values: bool = False) -> list[FieldError]:
    """``ValidateLabelSelector`` (a nil selector is valid here; callers that need one say so)."""
    if not isinstance(selector, dict):
        return []
    errs = validate_labels(selector.get("matchLabels"), child(path, "matchLabels"))
    for i, req in enumerate(as_list(selector.get("matchExpressions"))):
        errs.extend(_validate_selector_requirement(as_dict(req), index(child(path, "matchExpressions"), i),
                                                   allow_invalid_values))
    return errs


def selector_convertible(selector: Any) -> bool:
    """Whether ``metav1.LabelSelectorAsSelector`` succeeds (``labels.NewRequirement`` accepts every term)."""
    if not isinstance(selector, dict):
        return True
    for k, v in as_dict(selector.get("matchLabels")).items():
        if is_qualified_name(k) or is_valid_label_value(as_str(v)):
            return False
    for req in (as_dict(r) for r in as_list(selector.get("matchExpressions"))):
        operator = req.get("operator")
        values = as_list(req.get("values"))
        if operator in ("In", "NotIn"):
            if not values:
                return False
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                return False
        else:
            return False
        if is_qualified_name(as_str(req.get("key"))):
            return False
        if any(is_valid_label_value(as_str(v)) for v in values):
            return False
    return True


def validate_dns1123_label(value: str, path: str) -> list[FieldError]:
    """``ValidateDNS1123Label``."""
    return [invalid_value(path, value, msg) for msg in is_dns1123_label(value)]
