"""PersistentVolume, PersistentVolumeClaim and StorageClass validation.

Port of the PV/PVC parts of pkg/apis/core/validation/validation.go and of
pkg/apis/storage/validation/validation.go (v1.32). Feature gates as in v1.32: VolumeAttributesClass off,
RecoverVolumeExpansionFailure on (beta), so a bound claim may shrink its request down to above its
recorded capacity.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from petset.api.errors import FieldError, duplicate, forbidden, invalid_value, required, too_long
from petset.api.quantity import Quantity
from petset.api.validation.common import (
    FIELD_IMMUTABLE,
    JSON,
    as_dict,
    as_int,
    as_list,
    as_str,
    child,
    index,
    key,
    not_supported_values,
    semantic,
    spec_diff,
)
from petset.api.validation.content import (
    inclusive_range_error,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
    name_is_dns_label,
    name_is_dns_subdomain,
)
from petset.api.validation.gofmt import go_ptr, go_quote, go_struct
from petset.api.validation.meta import (
    NULL_TEXT,
    validate_annotations,
    validate_dns1123_label,
    validate_kube_object_meta,
    validate_kube_object_meta_update,
    validate_label_name,
    validate_label_selector,
    validate_labels,
    validate_qualified_name,
)
from petset.api.validation.quantities import (
    parse_quantity,
    validate_basic_resource,
    validate_positive_quantity,
    validate_resource_quantity_value,
)

__all__ = [
    "SUPPORTED_ACCESS_MODES",
    "validate_host_path",
    "validate_node_selector",
    "validate_path_no_backsteps",
    "validate_persistent_volume",
    "validate_persistent_volume_claim",
    "validate_persistent_volume_claim_spec",
    "validate_persistent_volume_claim_status_update",
    "validate_persistent_volume_claim_template",
    "validate_persistent_volume_claim_update",
    "validate_persistent_volume_status_update",
    "validate_persistent_volume_update",
    "validate_storage_class",
    "validate_storage_class_update",
]

SUPPORTED_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_SUPPORTED_RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
_SUPPORTED_VOLUME_MODES = ("Block", "Filesystem")
_SUPPORTED_HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                              "FileOrCreate", "Socket")
_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


# --- volume-source helpers shared with pod volumes --------------------------------------------------

def validate_path_no_backsteps(target: str, path: str) -> list[FieldError]:
    """``validatePathNoBacksteps``: no '..' element (one error is enough)."""
    if ".." in target.replace("\\", "/").split("/"):
        return [invalid_value(path, target, "must not contain '..'")]
    return []


def validate_host_path(source: JSON, path: str) -> list[FieldError]:
    """``validateHostPathVolumeSource``."""
    host_path = as_str(source.get("path"))
    if not host_path:
        return [required(child(path, "path"))]
    errs = validate_path_no_backsteps(host_path, child(path, "path"))
    host_type = source.get("type")
    if host_type is not None and host_type not in _SUPPORTED_HOST_PATH_TYPES:
        errs.append(not_supported_values(child(path, "type"), host_type, _SUPPORTED_HOST_PATH_TYPES))
    return errs


def _required_fields(*names: str) -> Callable[[JSON, str], list[FieldError]]:
    """A validator for the plugin sources whose only rule is that some fields be non-empty."""
    def check(source: JSON, path: str) -> list[FieldError]:
        return [required(child(path, name)) for name in names if not source.get(name)]
    return check


def _partitioned_disk(id_field: str) -> Callable[[JSON, str], list[FieldError]]:
    def check(source: JSON, path: str) -> list[FieldError]:
        errs = [required(child(path, id_field))] if not source.get(id_field) else []
        partition = as_int(source.get("partition"))
        if partition < 0 or partition > 255:
            errs.append(invalid_value(child(path, "partition"), partition, inclusive_range_error(1, 255)))
        return errs
    return check


def _validate_nfs(source: JSON, path: str) -> list[FieldError]:
    errs = [required(child(path, name)) for name in ("server", "path") if not source.get(name)]
    if not posixpath.isabs(as_str(source.get("path"))):
        errs.append(invalid_value(child(path, "path"), as_str(source.get("path")), "must be an absolute path"))
    return errs


def _validate_iscsi(source: JSON, path: str) -> list[FieldError]:
    errs = [required(child(path, "targetPortal"))] if not source.get("targetPortal") else []
    iqn = as_str(source.get("iqn"))
    if not iqn:
        errs.append(required(child(path, "iqn")))
    elif not iqn.startswith(("iqn", "eui", "naa")):
        errs.append(invalid_value(child(path, "iqn"), iqn, "must be valid format"))
    lun = as_int(source.get("lun"))
    if lun < 0 or lun > 255:
        errs.append(invalid_value(child(path, "lun"), lun, inclusive_range_error(0, 255)))
    if (source.get("chapAuthDiscovery") or source.get("chapAuthSession")) and source.get("secretRef") is None:
        errs.append(required(child(path, "secretRef")))
    return errs


def _validate_flex(source: JSON, path: str) -> list[FieldError]:
    errs = [required(child(path, "driver"))] if not source.get("driver") else []
    for option in sorted(as_dict(source.get("options"))):
        namespace = option.split("/", 1)[0] if "/" in option else option
        normalized = "." + namespace.lower()
        if normalized.endswith((".kubernetes.io", ".k8s.io")):
            errs.append(invalid_value(key(child(path, "options"), option), option,
                                      "kubernetes.io and k8s.io namespaces are reserved"))
    return errs


def _validate_flocker(source: JSON, path: str) -> list[FieldError]:
    name, uuid = as_str(source.get("datasetName")), as_str(source.get("datasetUUID"))
    errs: list[FieldError] = []
    if not name and not uuid:
        errs.append(required(path, "one of datasetName and datasetUUID is required"))
    if name and uuid:
        errs.append(invalid_value(path, "resource", "datasetName and datasetUUID can not be specified simultaneously"))
    if "/" in name:
        errs.append(invalid_value(child(path, "datasetName"), name, "must not contain '/'"))
    return errs


def _validate_fc(source: JSON, path: str) -> list[FieldError]:
    wwns, wwids = as_list(source.get("targetWWNs")), as_list(source.get("wwids"))
    errs: list[FieldError] = []
    if not wwns and not wwids:
        errs.append(required(child(path, "targetWWNs"), "must specify either targetWWNs or wwids, but not both"))
    if wwns and wwids:
        errs.append(invalid_value(child(path, "targetWWNs"), wwns,
                                  "targetWWNs and wwids can not be specified simultaneously"))
    if wwns:
        lun = source.get("lun")
        if lun is None:
            errs.append(required(child(path, "lun"), "lun is required if targetWWNs is specified"))
        elif as_int(lun) < 0 or as_int(lun) > 255:
            errs.append(invalid_value(child(path, "lun"), as_int(lun), inclusive_range_error(0, 255)))
    return errs


def _validate_storageos(source: JSON, path: str) -> list[FieldError]:
    volume_name = as_str(source.get("volumeName"))
    errs = [required(child(path, "volumeName"))] if not volume_name else validate_dns1123_label(
        volume_name, child(path, "volumeName"))
    if source.get("volumeNamespace"):
        errs.extend(validate_dns1123_label(as_str(source.get("volumeNamespace")), child(path, "volumeNamespace")))
    return errs


def validate_csi_driver_name(driver: str, path: str) -> list[FieldError]:
    """``ValidateCSIDriverName``."""
    errs = [required(path)] if not driver else []
    if len(driver) > 63:
        errs.append(too_long(path, 63))
    errs.extend(invalid_value(path, driver, msg) for msg in is_dns1123_subdomain(driver.lower()))
    return errs


def _validate_local(source: JSON, path: str) -> list[FieldError]:
    local_path = as_str(source.get("path"))
    if not local_path:
        return [required(child(path, "path"))]
    return validate_path_no_backsteps(local_path, child(path, "path"))


Validator = Callable[[JSON, str], list[FieldError]]

#: PersistentVolumeSource members in upstream's check order: (JSON key, name in the "more than 1" error,
#: name of the path the member's own errors use, validator). The odd names are upstream's typos.
PV_SOURCES: tuple[tuple[str, str, str, Validator], ...] = (
    ("hostPath", "hostPath", "hostPath", validate_host_path),
    ("gcePersistentDisk", "gcePersistentDisk", "persistentDisk", _partitioned_disk("pdName")),
    ("awsElasticBlockStore", "awsElasticBlockStore", "awsElasticBlockStore", _partitioned_disk("volumeID")),
    ("glusterfs", "glusterfs", "glusterfs", _required_fields("endpoints", "path")),
    ("flocker", "flocker", "flocker", _validate_flocker),
    ("nfs", "nfs", "nfs", _validate_nfs),
    ("rbd", "rbd", "rbd", _required_fields("monitors", "image")),
    ("quobyte", "quobyte", "quobyte", _required_fields("registry", "volume")),
    ("cephfs", "cephFS", "cephfs", _required_fields("monitors")),
    ("iscsi", "iscsi", "iscsi", _validate_iscsi),
    ("cinder", "cinder", "cinder", _required_fields("volumeID")),
    ("fc", "fc", "fc", _validate_fc),
    ("flexVolume", "", "flexVolume", _validate_flex),
    ("azureFile", "azureFile", "azureFile", _required_fields("secretName", "shareName")),
    ("vsphereVolume", "vsphereVolume", "vsphereVolume", _required_fields("volumePath")),
    ("photonPersistentDisk", "photonPersistentDisk", "photonPersistentDisk", _required_fields("pdID")),
    ("portworxVolume", "portworxVolume", "portworxVolume", _required_fields("volumeID")),
    ("azureDisk", "azureDisk", "azureDisk", _required_fields("diskName", "diskURI")),
    ("scaleIO", "scaleIO", "scaleIO", _required_fields("gateway", "system", "volumeName")),
    ("local", "local", "local", _validate_local),
    ("storageos", "storageos", "storageos", _validate_storageos),
    ("csi", "csi", "csi", lambda source, path: validate_csi_driver_name(as_str(source.get("driver")),
                                                                       child(path, "driver"))
     + ([required(child(path, "volumeHandle"))] if not source.get("volumeHandle") else [])),
)

PV_SOURCE_KEYS = tuple(entry[0] for entry in PV_SOURCES)


# --- node selectors (PV node affinity, shared with pod affinity) -------------------------------------

def _validate_node_selector_requirement(req: JSON, path: str, allow_invalid_values: bool) -> list[FieldError]:
    """``ValidateNodeSelectorRequirement``."""
    errs: list[FieldError] = []
    operator, values = as_str(req.get("operator")), as_list(req.get("values"))
    if operator in ("In", "NotIn"):
        if not values:
            errs.append(required(child(path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(child(path, "values"),
                                  "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    elif operator in ("Gt", "Lt"):
        if len(values) != 1:
            errs.append(required(child(path, "values"),
                                 "must be specified single value when `operator` is 'Lt' or 'Gt'"))
    else:
        errs.append(invalid_value(child(path, "operator"), operator, "not a valid selector operator"))
    errs.extend(validate_label_name(as_str(req.get("key")), child(path, "key")))
    if not allow_invalid_values:
        for i, value in enumerate(values):
            errs.extend(invalid_value(index(child(path, "values"), i), value, msg)
                        for msg in is_valid_label_value(as_str(value)))
    return errs


def _validate_node_field_selector_requirement(req: JSON, path: str) -> list[FieldError]:
    """``ValidateNodeFieldSelectorRequirement``: only metadata.name In/NotIn one node name."""
    errs: list[FieldError] = []
    operator, values = as_str(req.get("operator")), as_list(req.get("values"))
    if operator in ("In", "NotIn"):
        if len(values) != 1:
            errs.append(required(child(path, "values"),
                                 "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
    else:
        errs.append(invalid_value(child(path, "operator"), operator, "not a valid selector operator"))
    if as_str(req.get("key")) != "metadata.name":
        errs.append(invalid_value(child(path, "key"), as_str(req.get("key")), "not a valid field selector key"))
    else:
        for i, value in enumerate(values):
            errs.extend(invalid_value(index(child(path, "values"), i), value, msg)
                        for msg in name_is_dns_subdomain(as_str(value), False))
    return errs


def validate_node_selector_term(term: JSON, path: str, allow_invalid_values: bool) -> list[FieldError]:
    """``ValidateNodeSelectorTerm``."""
    errs: list[FieldError] = []
    for j, req in enumerate(as_list(term.get("matchExpressions"))):
        errs.extend(_validate_node_selector_requirement(as_dict(req), index(child(path, "matchExpressions"), j),
                                                        allow_invalid_values))
    for j, req in enumerate(as_list(term.get("matchFields"))):
        errs.extend(_validate_node_field_selector_requirement(as_dict(req), index(child(path, "matchFields"), j)))
    return errs


def validate_node_selector(selector: JSON, path: str, allow_invalid_values: bool = False) -> list[FieldError]:
    """``ValidateNodeSelector``."""
    terms_path = child(path, "nodeSelectorTerms")
    terms = as_list(selector.get("nodeSelectorTerms"))
    if not terms:
        return [required(terms_path, "must have at least one node selector term")]
    errs: list[FieldError] = []
    for i, term in enumerate(terms):
        errs.extend(validate_node_selector_term(as_dict(term), index(terms_path, i), allow_invalid_values))
    return errs


# --- PersistentVolume ----------------------------------------------------------------------------------

def _validate_access_modes(modes: list[Any], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    found_rwop = found_other = False
    for mode in modes:
        if mode not in SUPPORTED_ACCESS_MODES:
            errs.append(not_supported_values(path, mode, SUPPORTED_ACCESS_MODES))
        if mode == "ReadWriteOncePod":
            found_rwop = True
        elif mode in SUPPORTED_ACCESS_MODES:
            found_other = True
    if found_rwop and found_other:
        errs.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errs


def _resource_list_gostring(resources: Any) -> str:
    """``%#v`` of a ``core.ResourceList``: Go lays out each Quantity's internals (int64 fast path or inf.Dec)."""
    if not isinstance(resources, dict):
        return "core.ResourceList(nil)"
    items = []
    for name, raw in sorted(resources.items()):
        try:
            q = Quantity.from_json(raw)
        except ValueError:
            items.append(f"{go_quote(name)}:resource.Quantity{{}}")
            continue
        if q.int_scale is not None:
            value = int(q.amount.scaleb(-q.int_scale))
            amount = f"i:resource.int64Amount{{value:{value}, scale:{q.int_scale}}}, " \
                     "d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}"
        else:
            amount = f"i:resource.int64Amount{{value:0, scale:0}}, d:resource.infDecAmount{{Dec:{go_ptr('inf.Dec', True)}}}"
        items.append(f"{go_quote(name)}:resource.Quantity{{{amount}, s:{go_quote(q.cached or '')}, "
                     f"Format:{go_quote(q.format)}}}")
    return f"core.ResourceList{{{', '.join(items)}}}"


def validate_persistent_volume_spec(spec: JSON, pv_name: str, path: str) -> list[FieldError]:
    """``ValidatePersistentVolumeSpec`` for a PersistentVolume object (not an inline CSI volume)."""
    errs: list[FieldError] = []
    modes = as_list(spec.get("accessModes"))
    if not modes:
        errs.append(required(child(path, "accessModes")))
    errs.extend(_validate_access_modes(modes, child(path, "accessModes")))

    capacity = as_dict(spec.get("capacity"))
    capacity_path = child(path, "capacity")
    if not capacity:
        errs.append(required(capacity_path))
    if "storage" not in capacity or len(capacity) > 1:
        errs.append(not_supported_values(capacity_path, None, ["storage"],
                                         value_text=_resource_list_gostring(spec.get("capacity"))))
    for name, raw in sorted(capacity.items()):
        q, parse_errs = parse_quantity(raw, key(capacity_path, name))
        errs.extend(parse_errs)
        if q is not None:
            errs.extend(validate_basic_resource(q, key(capacity_path, name)))
            errs.extend(validate_positive_quantity(q, key(capacity_path, name)))

    reclaim = as_str(spec.get("persistentVolumeReclaimPolicy"))
    if reclaim and reclaim not in _SUPPORTED_RECLAIM_POLICIES:
        errs.append(not_supported_values(child(path, "persistentVolumeReclaimPolicy"), reclaim,
                                         _SUPPORTED_RECLAIM_POLICIES))

    node_affinity_specified = False
    affinity = spec.get("nodeAffinity")
    if isinstance(affinity, dict):
        node_affinity_specified = True
        if isinstance(affinity.get("required"), dict):
            errs.extend(validate_node_selector(affinity["required"], child(path, "nodeAffinity", "required")))
        else:
            errs.append(required(child(path, "nodeAffinity", "required"), "must specify required node constraints"))

    num_volumes = 0
    for json_key, clash_name, own_name, check in PV_SOURCES:
        source = spec.get(json_key)
        if not isinstance(source, dict):
            continue
        # flexVolume is the one source upstream never checks for a clash.
        if num_volumes > 0 and clash_name:
            errs.append(forbidden(child(path, clash_name), "may not specify more than 1 volume type"))
            continue
        num_volumes += 1
        if json_key == "iscsi" and source.get("initiatorName") is not None and \
                len(pv_name + ":" + as_str(source.get("targetPortal"))) > 64:
            errs.append(invalid_value(child(path, own_name, "targetportal"), as_str(source.get("targetPortal")),
                                      "Total length of <volume name>:<iscsi.targetPortal> must be under 64 "
                                      "characters if iscsi.initiatorName is specified."))
        errs.extend(check(source, child(path, own_name)))
        if json_key == "local" and not node_affinity_specified:
            errs.append(required(child(path, "nodeAffinity"), "Local volume requires node affinity"))
    if num_volumes == 0:
        errs.append(required(path, "must specify a volume type"))

    host_path = spec.get("hostPath")
    if isinstance(host_path, dict) and posixpath.normpath(as_str(host_path.get("path")) or ".") == "/" \
            and reclaim == "Recycle":
        errs.append(forbidden(child(path, "persistentVolumeReclaimPolicy"),
                              "may not be 'recycle' for a hostPath mount of '/'"))

    class_name = as_str(spec.get("storageClassName"))
    if class_name:
        errs.extend(invalid_value(child(path, "storageClassName"), class_name, msg)
                    for msg in name_is_dns_subdomain(class_name, False))
    mode = spec.get("volumeMode")
    if mode is not None and mode not in _SUPPORTED_VOLUME_MODES:
        errs.append(not_supported_values(child(path, "volumeMode"), mode, _SUPPORTED_VOLUME_MODES))
    return errs


def validate_persistent_volume(pv: JSON) -> list[FieldError]:
    """``ValidatePersistentVolume``: cluster-scoped, name a DNS subdomain."""
    meta = as_dict(pv.get("metadata"))
    errs = validate_kube_object_meta(meta, False, name_is_dns_subdomain)
    errs.extend(validate_persistent_volume_spec(as_dict(pv.get("spec")), as_str(meta.get("name")), "spec"))
    return errs


def _source_of(spec: JSON) -> dict[str, Any]:
    return {k: spec[k] for k in PV_SOURCE_KEYS if spec.get(k) is not None}


def _node_affinity_text(affinity: Any) -> str:
    if not isinstance(affinity, dict):
        return NULL_TEXT
    return go_struct("core.VolumeNodeAffinity", [("Required", go_ptr("core.NodeSelector",
                                                                      affinity.get("required") is not None))])


def validate_persistent_volume_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidatePersistentVolumeUpdate``: the volume source, mode and node affinity are fixed."""
    errs = validate_persistent_volume(new)
    new_spec, old_spec = as_dict(new.get("spec")), as_dict(old.get("spec"))
    new_source, old_source = _source_of(new_spec), _source_of(old_spec)
    # A CSI volume may gain a controllerExpandSecretRef later (to allow expansion of older volumes).
    if isinstance(old_source.get("csi"), dict) and isinstance(new_source.get("csi"), dict) and \
            old_source["csi"].get("controllerExpandSecretRef") is None:
        new_source["csi"] = {k: v for k, v in new_source["csi"].items() if k != "controllerExpandSecretRef"}
    if semantic(new_source) != semantic(old_source):
        errs.append(forbidden(child("spec", "persistentvolumesource"),
                              "spec.persistentvolumesource is immutable after creation\n"
                              + spec_diff("core.PersistentVolumeSource", old_source, new_source)))
    if new_spec.get("volumeMode") != old_spec.get("volumeMode"):
        errs.append(invalid_value("volumeMode", new_spec.get("volumeMode"), FIELD_IMMUTABLE,
                                  value_text=NULL_TEXT if new_spec.get("volumeMode") is None else None))
    if old_spec.get("nodeAffinity") is not None and \
            semantic(new_spec.get("nodeAffinity")) != semantic(old_spec.get("nodeAffinity")):
        errs.append(invalid_value("nodeAffinity", None, FIELD_IMMUTABLE + ", except for updating from beta label to GA",
                                  value_text=_node_affinity_text(new_spec.get("nodeAffinity"))))
    return errs


def validate_persistent_volume_status_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidatePersistentVolumeStatusUpdate``."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    if not as_str(as_dict(new.get("metadata")).get("resourceVersion")):
        errs.append(required("resourceVersion"))
    return errs


# --- PersistentVolumeClaim ---------------------------------------------------------------------------

def _validate_data_source(source: JSON, path: str, with_namespace: bool) -> list[FieldError]:
    """``validateDataSource`` / ``validateDataSourceRef``."""
    errs: list[FieldError] = []
    if not source.get("name"):
        errs.append(required(child(path, "name")))
    kind = as_str(source.get("kind"))
    if not kind:
        errs.append(required(child(path, "kind")))
    api_group = as_str(source.get("apiGroup"))
    if not api_group and kind != "PersistentVolumeClaim":
        errs.append(invalid_value(path, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"))
    if api_group:
        errs.extend(invalid_value(child(path, "apiGroup"), api_group, msg) for msg in is_dns1123_subdomain(api_group))
    namespace = as_str(source.get("namespace"))
    if with_namespace and namespace:
        errs.extend(invalid_value(child(path, "namespace"), namespace, msg)
                    for msg in name_is_dns_label(namespace, False))
    return errs


def validate_persistent_volume_claim_spec(spec: JSON, path: str) -> list[FieldError]:
    """``ValidatePersistentVolumeClaimSpec``."""
    errs: list[FieldError] = []
    modes = as_list(spec.get("accessModes"))
    if not modes:
        errs.append(required(child(path, "accessModes"), "at least 1 access mode is required"))
    if isinstance(spec.get("selector"), dict):
        errs.extend(validate_label_selector(spec["selector"], child(path, "selector")))
    errs.extend(_validate_access_modes(modes, child(path, "accessModes")))

    storage_path = key(child(path, "resources"), "storage")
    requests = as_dict(as_dict(spec.get("resources")).get("requests"))
    if "storage" not in requests:
        errs.append(required(storage_path))
    else:
        q, parse_errs = parse_quantity(requests["storage"], storage_path)
        errs.extend(parse_errs)
        if q is not None:
            positive = validate_positive_quantity(q, storage_path)
            errs.extend(positive or validate_resource_quantity_value("storage", q, storage_path))

    class_name = spec.get("storageClassName")
    if isinstance(class_name, str) and class_name:
        errs.extend(invalid_value(child(path, "storageClassName"), class_name, msg)
                    for msg in name_is_dns_subdomain(class_name, False))
    mode = spec.get("volumeMode")
    if mode is not None and mode not in _SUPPORTED_VOLUME_MODES:
        errs.append(not_supported_values(child(path, "volumeMode"), mode, _SUPPORTED_VOLUME_MODES))

    data_source, data_source_ref = spec.get("dataSource"), spec.get("dataSourceRef")
    if isinstance(data_source, dict):
        errs.extend(_validate_data_source(data_source, child(path, "dataSource"), False))
    if isinstance(data_source_ref, dict):
        errs.extend(_validate_data_source(data_source_ref, child(path, "dataSourceRef"), True))
    if isinstance(data_source_ref, dict) and as_str(data_source_ref.get("namespace")):
        if isinstance(data_source, dict):
            errs.append(invalid_value(path, child(path, "dataSource"),
                                      "may not be specified when dataSourceRef.namespace is specified"))
    elif isinstance(data_source, dict) and isinstance(data_source_ref, dict):
        same = all(data_source.get(f) == data_source_ref.get(f) for f in ("apiGroup", "kind", "name"))
        if not same:
            errs.append(invalid_value(path, child(path, "dataSource"), "must match dataSourceRef"))
    return errs


def validate_persistent_volume_claim(pvc: JSON) -> list[FieldError]:
    """``ValidatePersistentVolumeClaim``."""
    errs = validate_kube_object_meta(as_dict(pvc.get("metadata")), True, name_is_dns_subdomain)
    errs.extend(validate_persistent_volume_claim_spec(as_dict(pvc.get("spec")), "spec"))
    return errs


def validate_persistent_volume_claim_template(template: JSON, path: str) -> list[FieldError]:
    """``ValidatePersistentVolumeClaimTemplate`` (generic ephemeral volumes): only labels/annotations."""
    meta = as_dict(template.get("metadata"))
    meta_path = child(path, "metadata")
    errs = validate_annotations(meta.get("annotations"), child(meta_path, "annotations"))
    errs.extend(validate_labels(meta.get("labels"), child(meta_path, "labels")))
    for field_name in sorted(meta):
        if field_name not in ("labels", "annotations") and meta[field_name] not in (None, "", 0, [], {}):
            errs.append(forbidden(child(meta_path, field_name), "cannot be set"))
    errs.extend(validate_persistent_volume_claim_spec(as_dict(template.get("spec")), child(path, "spec")))
    return errs


def _storage_request(spec: JSON) -> Quantity | None:
    raw = as_dict(as_dict(spec.get("resources")).get("requests")).get("storage")
    try:
        return Quantity.from_json(raw) if raw is not None else None
    except ValueError:
        return None


def validate_persistent_volume_claim_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidatePersistentVolumeClaimUpdate``: only a bound claim's request (expansion) may change."""
    new_meta, old_meta = as_dict(new.get("metadata")), as_dict(old.get("metadata"))
    errs = validate_kube_object_meta_update(new_meta, old_meta)
    errs.extend(validate_persistent_volume_claim(new))
    new_spec, old_spec = as_dict(new.get("spec")), as_dict(old.get("spec"))
    new_clone: dict[str, Any] = dict(new_spec)
    old_clone: dict[str, Any] = dict(old_spec)
    # The PV controller binds by writing volumeName, once.
    if not old_spec.get("volumeName"):
        old_clone["volumeName"] = new_spec.get("volumeName")

    old_annotations, new_annotations = as_dict(old_meta.get("annotations")), as_dict(new_meta.get("annotations"))
    old_class, new_class = old_spec.get("storageClassName"), new_spec.get("storageClassName")
    if (_STORAGE_CLASS_ANNOTATION in old_annotations and old_class is None and new_class is not None
            and new_class == old_annotations[_STORAGE_CLASS_ANNOTATION]
            and new_annotations.get(_STORAGE_CLASS_ANNOTATION, new_class) == old_annotations[_STORAGE_CLASS_ANNOTATION]):
        new_clone["storageClassName"] = None
    else:
        new_value = as_str(new_annotations.get(_STORAGE_CLASS_ANNOTATION))
        if new_value != as_str(old_annotations.get(_STORAGE_CLASS_ANNOTATION)):
            errs.append(invalid_value(child("metadata", "annotations", _STORAGE_CLASS_ANNOTATION), new_value,
                                      FIELD_IMMUTABLE))
        if new_class is not None and old_class is None and (
                _STORAGE_CLASS_ANNOTATION not in old_annotations
                or new_class == old_annotations[_STORAGE_CLASS_ANNOTATION]):
            new_clone["storageClassName"] = old_class

    bound = as_dict(new.get("status")).get("phase") == "Bound"
    new_resources = as_dict(new_clone.get("resources"))
    if bound and isinstance(new_resources.get("requests"), dict):
        requests = dict(new_resources["requests"])
        requests["storage"] = as_dict(as_dict(old_spec.get("resources")).get("requests")).get("storage")
        new_clone["resources"] = {**new_resources, "requests": requests}
    if bound and new_clone.get("volumeAttributesClassName") is not None:
        new_clone["volumeAttributesClassName"] = old_clone.get("volumeAttributesClassName")

    if semantic(new_clone) != semantic(old_clone):
        errs.append(forbidden("spec", "spec is immutable after creation except resources.requests and "
                                      "volumeAttributesClassName for bound claims\n"
                              + spec_diff("core.PersistentVolumeClaimSpec", old_clone, new_clone)))

    old_size, new_size = _storage_request(old_spec), _storage_request(new_spec)
    if old_size is not None and new_size is not None and new_size.amount < old_size.amount:
        status_size = _capacity(as_dict(old.get("status")))
        if new_size.amount <= status_size:
            errs.append(forbidden(child("spec", "resources", "requests", "storage"),
                                  "field can not be less than status.capacity"))

    if new_spec.get("volumeMode") != old_spec.get("volumeMode"):
        errs.append(invalid_value("volumeMode", new_spec.get("volumeMode"), FIELD_IMMUTABLE,
                                  value_text=NULL_TEXT if new_spec.get("volumeMode") is None else None))
    if new_spec.get("volumeAttributesClassName") != old_spec.get("volumeAttributesClassName"):
        errs.append(forbidden(child("spec", "volumeAttributesClassName"),
                              "update is forbidden when the VolumeAttributesClass feature gate is disabled"))
    return errs


def _capacity(status: JSON) -> Decimal:
    raw = as_dict(status.get("capacity")).get("storage")
    try:
        return Quantity.from_json(raw).amount if raw is not None else Decimal(0)
    except ValueError:
        return Decimal(0)


def validate_persistent_volume_claim_status_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidatePersistentVolumeClaimStatusUpdate``."""
    new_meta = as_dict(new.get("metadata"))
    errs = validate_kube_object_meta_update(new_meta, as_dict(old.get("metadata")))
    if not as_str(new_meta.get("resourceVersion")):
        errs.append(required("resourceVersion"))
    if not as_list(as_dict(new.get("spec")).get("accessModes")):
        errs.append(required(child("Spec", "accessModes")))
    status = as_dict(new.get("status"))
    capacity_path = child("status", "capacity")
    for name, raw in sorted(as_dict(status.get("capacity")).items()):
        q, parse_errs = parse_quantity(raw, key(capacity_path, name))
        errs.extend(parse_errs)
        if q is not None:
            errs.extend(validate_basic_resource(q, key(capacity_path, name)))
    allocated_path = child("status", "allocatedResources")
    for name, raw in sorted(as_dict(status.get("allocatedResources")).items()):
        name_errs = [invalid_value(allocated_path, name, msg) for msg in is_qualified_name(name)]
        if not name_errs and "/" not in name and name != "storage":
            name_errs = [not_supported_values(allocated_path, name, ["storage"])]
        if name_errs:
            errs.extend(name_errs)
            continue
        q, parse_errs = parse_quantity(raw, key(allocated_path, name))
        errs.extend(parse_errs)
        if q is not None:
            basic = validate_basic_resource(q, key(allocated_path, name))
            errs.extend(basic or validate_resource_quantity_value("storage", q, key(allocated_path, name)))
    return errs


# --- StorageClass -----------------------------------------------------------------------------------

_SUPPORTED_CLASS_RECLAIM_POLICIES = ("Delete", "Retain")
_SUPPORTED_BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
_MAX_PROVISIONER_PARAMETER_SIZE = 256 * 1024
_MAX_PROVISIONER_PARAMETER_LEN = 512


def _validate_topology_term(term: JSON, path: str) -> tuple[dict[str, frozenset[str]], list[FieldError]]:
    """``ValidateTopologySelectorTerm``."""
    errs: list[FieldError] = []
    expressions: dict[str, frozenset[str]] = {}
    expr_path = child(path, "matchLabelExpressions")
    for i, req in enumerate(as_dict(r) for r in as_list(term.get("matchLabelExpressions"))):
        item_path = index(expr_path, i)
        values = [as_str(v) for v in as_list(req.get("values"))]
        if not values:
            errs.append(required(child(item_path, "values")))
        seen: set[str] = set()
        for j, value in enumerate(values):
            if value in seen:
                errs.append(duplicate(index(child(item_path, "values"), j), value))
            seen.add(value)
        req_key = as_str(req.get("key"))
        errs.extend(validate_label_name(req_key, child(item_path, "key")))
        if req_key in expressions:
            errs.append(duplicate(child(item_path, "key"), req_key))
        expressions[req_key] = frozenset(values)
    return expressions, errs


def validate_storage_class(sc: JSON) -> list[FieldError]:
    """``ValidateStorageClass``."""
    errs = validate_kube_object_meta(as_dict(sc.get("metadata")), False, name_is_dns_subdomain)
    provisioner = as_str(sc.get("provisioner"))
    if not provisioner:
        errs.append(required("provisioner"))
    else:
        errs.extend(validate_qualified_name(provisioner.lower(), "provisioner"))
    parameters = as_dict(sc.get("parameters"))
    if len(parameters) > _MAX_PROVISIONER_PARAMETER_LEN:
        errs.append(too_long("parameters", _MAX_PROVISIONER_PARAMETER_LEN))
    else:
        for name in sorted(parameters):
            if not name:
                errs.append(invalid_value("parameters", name, "field can not be empty."))
        if sum(len(k.encode()) + len(as_str(v).encode()) for k, v in parameters.items()) > \
                _MAX_PROVISIONER_PARAMETER_SIZE:
            errs.append(too_long("parameters", _MAX_PROVISIONER_PARAMETER_SIZE))
    reclaim = as_str(sc.get("reclaimPolicy"))
    if reclaim and reclaim not in _SUPPORTED_CLASS_RECLAIM_POLICIES:
        errs.append(not_supported_values("reclaimPolicy", reclaim, _SUPPORTED_CLASS_RECLAIM_POLICIES))
    mode = sc.get("volumeBindingMode")
    if mode is None:
        errs.append(required("volumeBindingMode"))
    elif mode not in _SUPPORTED_BINDING_MODES:
        errs.append(not_supported_values("volumeBindingMode", mode, _SUPPORTED_BINDING_MODES))
    seen_terms: list[dict[str, frozenset[str]]] = []
    for i, term in enumerate(as_list(sc.get("allowedTopologies"))):
        expressions, term_errs = _validate_topology_term(as_dict(term), index("allowedTopologies", i))
        errs.extend(term_errs)
        if expressions in seen_terms:
            errs.append(duplicate(child(index("allowedTopologies", i), "matchLabelExpressions"), ""))
        seen_terms.append(expressions)
    return errs


def validate_storage_class_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateStorageClassUpdate``: what the class provisions with is fixed at creation."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    if as_dict(new.get("parameters")) != as_dict(old.get("parameters")):
        errs.append(forbidden("parameters", "updates to parameters are forbidden."))
    if as_str(new.get("provisioner")) != as_str(old.get("provisioner")):
        errs.append(forbidden("provisioner", "updates to provisioner are forbidden."))
    if as_str(new.get("reclaimPolicy")) != as_str(old.get("reclaimPolicy")):
        errs.append(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
    if new.get("volumeBindingMode") != old.get("volumeBindingMode"):
        mode = new.get("volumeBindingMode")
        errs.append(invalid_value("volumeBindingMode", mode, FIELD_IMMUTABLE,
                                  value_text=NULL_TEXT if mode is None else None))
    return errs
