"""Pod and pod-template validation: volumes, containers, probes, scheduling fields, updates, status.

Port of the pod parts of pkg/apis/core/validation/validation.go (ValidatePodSpec and its helpers,
ValidatePodCreate, ValidatePodUpdate, ValidatePodStatusUpdate, ValidatePodTemplateSpec) at v1.32 with
its default feature gates. Fields that v1.32 drops on write while their gate is off (resource claims,
pod-level resources, resize policies, image volumes, SELinux change policy, supplemental-groups policy)
are not validated here; the registry strips them before validation just as upstream's strategy does.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from petset.api.errors import FieldError, duplicate, forbidden, invalid_value, required, too_long
from petset.api.validation.common import (
    FIELD_IMMUTABLE,
    JSON,
    as_dict,
    as_int,
    as_list,
    as_str,
    child,
    duplicate_value,
    index,
    key,
    nonnegative,
    not_found,
    not_supported_values,
    semantic,
    spec_diff,
)
from petset.api.validation.content import (
    inclusive_range_error,
    is_config_map_key,
    is_dns1123_subdomain,
    is_http_header_name,
    is_relaxed_env_var_name,
    is_valid_group_id,
    is_valid_ip,
    is_valid_label_value,
    is_valid_port_name,
    is_valid_port_num,
    is_valid_user_id,
    name_is_dns_label,
    name_is_dns_subdomain,
)
from petset.api.validation.gofmt import go_ptr, go_quote, go_string_map, go_struct
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
from petset.api.validation.quantities import parse_quantity, validate_resource_requirements
from petset.api.validation.storage import (
    PV_SOURCES,
    validate_csi_driver_name,
    validate_host_path,
    validate_node_selector,
    validate_node_selector_term,
    validate_path_no_backsteps,
    validate_persistent_volume_claim_template,
)

__all__ = [
    "PodOptions",
    "validate_pod_create",
    "validate_pod_spec",
    "validate_pod_specific_annotations",
    "validate_pod_status_update",
    "validate_pod_template_spec",
    "validate_pod_update",
    "validate_tolerations",
    "validate_volumes",
]

_FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive"
_MAX_INT32 = 2147483647
_MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
_POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
_SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
_APPARMOR_CONTAINER_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
_PROTOCOLS = ("SCTP", "TCP", "UDP")


@dataclass(frozen=True)
class PodOptions:
    """The parts of ``PodValidationOptions`` that change a verdict in petset."""

    #: The object validated is a Pod, not a PodSpec embedded in a template.
    resource_is_pod: bool = False
    #: Names of claim templates that will become PVC volumes (StatefulSet templates may mount them).
    claim_volumes: frozenset[str] = frozenset()


Volumes = dict[str, dict[str, Any]]


# --- paths and files inside volumes ------------------------------------------------------------------

def _validate_local_descending_path(target: str, path: str) -> list[FieldError]:
    """``validateLocalDescendingPath``: relative, without '..' elements."""
    errs = [invalid_value(path, target, "must be a relative path")] if posixpath.isabs(target) else []
    errs.extend(validate_path_no_backsteps(target, path))
    return errs


def _validate_local_non_reserved_path(target: str, path: str) -> list[FieldError]:
    """``ValidateLocalNonReservedPath``: additionally must not start with '..'."""
    errs = _validate_local_descending_path(target, path)
    if target.startswith("..") and not target.startswith("../"):
        errs.append(invalid_value(path, target, "must not start with '..'"))
    return errs


def _validate_mode(mode: Any, path: str) -> list[FieldError]:
    if mode is not None and (as_int(mode) > 0o777 or as_int(mode) < 0):
        return [invalid_value(path, as_int(mode), _FILE_MODE_ERROR)]
    return []


def _validate_key_to_path(item: JSON, path: str) -> list[FieldError]:
    """``validateKeyToPath``."""
    errs = [required(child(path, name)) for name in ("key", "path") if not as_str(item.get(name))]
    errs.extend(_validate_local_non_reserved_path(as_str(item.get("path")), child(path, "path")))
    errs.extend(_validate_mode(item.get("mode"), child(path, "mode")))
    return errs


def _validate_items(source: JSON, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, item in enumerate(as_list(source.get("items"))):
        errs.extend(_validate_key_to_path(as_dict(item), index(child(path, "items"), i)))
    return errs


_VOLUME_FIELD_PATHS = ("metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                       "metadata.uid")
_ENV_FIELD_PATHS = ("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                    "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")
_DOWNWARD_API_LABELS = {"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                        "metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
                        "spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs", "status.podIP",
                        "status.podIPs"}
_CONTAINER_RESOURCE_PATHS = ("limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu",
                             "requests.ephemeral-storage", "requests.memory")
_MEMORY_DIVISORS = {"1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"}
_MEMORY_DIVISOR_TEXT = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei"


def _split_subscript(field_path: str) -> tuple[str, str] | None:
    """``fieldpath.SplitMaybeSubscriptedPath``: ``metadata.labels['app']`` -> (path, 'app')."""
    if not field_path.endswith("']"):
        return None
    parts = field_path[:-2].split("['", 1)
    if len(parts) < 2 or not parts[0]:
        return None
    return parts[0], parts[1]


def _validate_object_field_selector(ref: JSON, expressions: tuple[str, ...], path: str) -> list[FieldError]:
    """``validateObjectFieldSelector``."""
    api_version, field_path = as_str(ref.get("apiVersion")), as_str(ref.get("fieldPath"))
    if not api_version:
        return [required(child(path, "apiVersion"))]
    if not field_path:
        return [required(child(path, "fieldPath"))]
    split = _split_subscript(field_path)
    conversion_error = None
    if api_version != "v1":
        conversion_error = f"unsupported pod version: {api_version}"
    elif split is not None and split[0] not in ("metadata.annotations", "metadata.labels"):
        conversion_error = f"field label does not support subscript: {field_path}"
    elif split is None and field_path not in _DOWNWARD_API_LABELS and field_path != "spec.host":
        conversion_error = f"field label not supported: {field_path}"
    if conversion_error:
        return [invalid_value(child(path, "fieldPath"), field_path, f"error converting fieldPath: {conversion_error}")]
    internal = "spec.nodeName" if field_path == "spec.host" else field_path
    if split is not None:
        base, subscript = split
        return validate_qualified_name(subscript.lower() if base == "metadata.annotations" else subscript, path)
    if internal not in expressions:
        return [not_supported_values(child(path, "fieldPath"), internal, sorted(expressions))]
    return []


def _validate_resource_field_selector(ref: JSON, path: str, volume: bool) -> list[FieldError]:
    """``validateContainerResourceFieldSelector`` and ``validateContainerResourceDivisor``."""
    errs: list[FieldError] = []
    resource = as_str(ref.get("resource"))
    if volume and not as_str(ref.get("containerName")):
        errs.append(required(child(path, "containerName")))
    elif not resource:
        errs.append(required(child(path, "resource")))
    elif resource not in _CONTAINER_RESOURCE_PATHS and not resource.startswith(
            ("requests.hugepages-", "limits.hugepages-")):
        errs.append(not_supported_values(child(path, "resource"), resource, _CONTAINER_RESOURCE_PATHS))
    divisor_raw = ref.get("divisor")
    if divisor_raw is None:
        return errs
    divisor, parse_errs = parse_quantity(divisor_raw, child(path, "divisor"))
    if divisor is None:
        return errs + parse_errs
    if divisor.amount == 0:
        return errs
    shown = str(divisor)
    divisor_path = child(path, "divisor")
    if resource in ("limits.cpu", "requests.cpu") and shown not in ("1m", "1"):
        errs.append(invalid_value(divisor_path, resource,
                                  "only divisor's values 1m and 1 are supported with the cpu resource"))
    elif resource in ("limits.memory", "requests.memory") and shown not in _MEMORY_DIVISORS:
        errs.append(invalid_value(divisor_path, resource, f"only divisor's values {_MEMORY_DIVISOR_TEXT} are "
                                                          "supported with the memory resource"))
    elif resource in ("limits.ephemeral-storage", "requests.ephemeral-storage") and shown not in _MEMORY_DIVISORS:
        errs.append(invalid_value(divisor_path, resource, f"only divisor's values {_MEMORY_DIVISOR_TEXT} are "
                                                          "supported with the local ephemeral storage resource"))
    if resource.startswith(("requests.hugepages-", "limits.hugepages-")) and shown not in _MEMORY_DIVISORS:
        errs.append(invalid_value(divisor_path, resource, f"only divisor's values {_MEMORY_DIVISOR_TEXT} are "
                                                          "supported with the hugepages resource"))
    return errs


def _validate_downward_api_file(item: JSON, path: str) -> list[FieldError]:
    """``validateDownwardAPIVolumeFile``."""
    errs = [required(child(path, "path"))] if not as_str(item.get("path")) else []
    errs.extend(_validate_local_non_reserved_path(as_str(item.get("path")), child(path, "path")))
    field_ref, resource_ref = item.get("fieldRef"), item.get("resourceFieldRef")
    if isinstance(field_ref, dict):
        errs.extend(_validate_object_field_selector(field_ref, _VOLUME_FIELD_PATHS, child(path, "fieldRef")))
        if resource_ref is not None:
            errs.append(invalid_value(path, "resource", "fieldRef and resourceFieldRef can not be specified "
                                                        "simultaneously"))
    elif isinstance(resource_ref, dict):
        errs.extend(_validate_resource_field_selector(resource_ref, child(path, "resourceFieldRef"), True))
    else:
        errs.append(required(path, "one of fieldRef and resourceFieldRef is required"))
    errs.extend(_validate_mode(item.get("mode"), child(path, "mode")))
    return errs


def _validate_secret_volume(source: JSON, path: str) -> list[FieldError]:
    errs = [required(child(path, "secretName"))] if not as_str(source.get("secretName")) else []
    errs.extend(_validate_mode(source.get("defaultMode"), child(path, "defaultMode")))
    errs.extend(_validate_items(source, path))
    return errs


def _validate_config_map_volume(source: JSON, path: str) -> list[FieldError]:
    errs = [required(child(path, "name"))] if not as_str(source.get("name")) else []
    errs.extend(_validate_mode(source.get("defaultMode"), child(path, "defaultMode")))
    errs.extend(_validate_items(source, path))
    return errs


def _validate_downward_api_volume(source: JSON, path: str) -> list[FieldError]:
    errs = _validate_mode(source.get("defaultMode"), child(path, "defaultMode"))
    for item in as_list(source.get("items")):
        # Upstream reports item errors at the volume's path, without the item index.
        errs.extend(_validate_downward_api_file(as_dict(item), path))
    return errs


def _validate_projected_volume(source: JSON, path: str) -> list[FieldError]:
    """``validateProjectedVolumeSource`` and ``validateProjectionSources``."""
    errs = _validate_mode(source.get("defaultMode"), child(path, "defaultMode"))
    all_paths: set[str] = set()

    def claim_path(target: str, name: Any) -> None:
        if target in all_paths:
            errs.append(invalid_value(path, name, "conflicting duplicate paths"))
        all_paths.add(target)

    for i, projection in enumerate(as_dict(p) for p in as_list(source.get("sources"))):
        num_sources = 0
        src_path = index(child(path, "sources"), i)
        for kind in ("secret", "configMap"):
            kind_source = projection.get(kind)
            if not isinstance(kind_source, dict):
                continue
            num_sources += 1
            kind_path = child(src_path, kind)
            if not as_str(kind_source.get("name")):
                errs.append(required(child(kind_path, "name")))
            for j, item in enumerate(as_dict(it) for it in as_list(kind_source.get("items"))):
                errs.extend(_validate_key_to_path(item, index(child(kind_path, "items"), j)))
                if as_str(item.get("path")):
                    claim_path(as_str(item.get("path")), as_str(kind_source.get("name")))
        downward = projection.get("downwardAPI")
        if isinstance(downward, dict):
            num_sources += 1
            for item in (as_dict(it) for it in as_list(downward.get("items"))):
                errs.extend(_validate_downward_api_file(item, child(src_path, "downwardAPI")))
                if as_str(item.get("path")):
                    claim_path(as_str(item.get("path")), as_str(item.get("path")))
        token = projection.get("serviceAccountToken")
        if isinstance(token, dict):
            num_sources += 1
            token_path = child(src_path, "serviceAccountToken")
            seconds = as_int(token.get("expirationSeconds"))
            if seconds < 600:
                errs.append(invalid_value(child(token_path, "expirationSeconds"), seconds,
                                          "may not specify a duration less than 10 minutes"))
            if seconds > 1 << 32:
                errs.append(invalid_value(child(token_path, "expirationSeconds"), seconds,
                                          "may not specify a duration larger than 2^32 seconds"))
            if not as_str(token.get("path")):
                errs.append(required(child(path, "path")))
            else:
                errs.extend(_validate_local_non_reserved_path(as_str(token.get("path")), child(path, "path")))
        if isinstance(projection.get("clusterTrustBundle"), dict):
            num_sources += 1
        if num_sources > 1:
            errs.append(forbidden(src_path, "may not specify more than 1 volume type per source"))
    return errs


def _validate_git_repo(source: JSON, path: str) -> list[FieldError]:
    errs = [required(child(path, "repository"))] if not as_str(source.get("repository")) else []
    errs.extend(_validate_local_descending_path(as_str(source.get("directory")), child(path, "directory")))
    return errs


def _validate_empty_dir(source: JSON, path: str) -> list[FieldError]:
    limit = source.get("sizeLimit")
    if limit is None:
        return []
    q, parse_errs = parse_quantity(limit, child(path, "sizeLimit"))
    if q is not None and q.amount < 0:
        return [forbidden(child(path, "sizeLimit"), "SizeLimit field must be a valid resource quantity")]
    return parse_errs


def _validate_pod_iscsi(source: JSON, path: str) -> list[FieldError]:
    errs = [required(child(path, "targetPortal"))] if not source.get("targetPortal") else []
    iqn = as_str(source.get("iqn"))
    if not iqn:
        errs.append(required(child(path, "iqn")))
    elif not iqn.startswith(("iqn", "eui", "naa")):
        errs.append(invalid_value(child(path, "iqn"), iqn, "must be valid format starting with iqn, eui, or naa"))
    lun = as_int(source.get("lun"))
    if lun < 0 or lun > 255:
        errs.append(invalid_value(child(path, "lun"), lun, inclusive_range_error(0, 255)))
    if (source.get("chapAuthDiscovery") or source.get("chapAuthSession")) and source.get("secretRef") is None:
        errs.append(required(child(path, "secretRef")))
    return errs


def _validate_pod_csi(source: JSON, path: str) -> list[FieldError]:
    errs = validate_csi_driver_name(as_str(source.get("driver")), child(path, "driver"))
    secret_ref = source.get("nodePublishSecretRef")
    if isinstance(secret_ref, dict):
        name = as_str(secret_ref.get("name"))
        if not name:
            errs.append(required(child(path, "nodePublishSecretRef", "name")))
        else:
            # Upstream reports a bad secret name at csi.name, not at the secret reference.
            errs.extend(invalid_value(child(path, "name"), name, msg) for msg in name_is_dns_subdomain(name, False))
    return errs


def _pv_validator(json_key: str) -> Callable[[JSON, str], list[FieldError]]:
    return next(check for name, _clash, _own, check in PV_SOURCES if name == json_key)


Validator = Callable[[JSON, str], list[FieldError]]

#: VolumeSource members in upstream's order: (JSON key, name in the "more than 1" error, own path name).
_POD_SOURCES: tuple[tuple[str, str, str, Validator | None], ...] = (
    ("emptyDir", "emptyDir", "emptyDir", _validate_empty_dir),
    ("hostPath", "hostPath", "hostPath", validate_host_path),
    ("gitRepo", "gitRepo", "gitRepo", _validate_git_repo),
    ("gcePersistentDisk", "gcePersistentDisk", "persistentDisk", _pv_validator("gcePersistentDisk")),
    ("awsElasticBlockStore", "awsElasticBlockStore", "awsElasticBlockStore", _pv_validator("awsElasticBlockStore")),
    ("secret", "secret", "secret", _validate_secret_volume),
    ("nfs", "nfs", "nfs", _pv_validator("nfs")),
    ("iscsi", "iscsi", "iscsi", _validate_pod_iscsi),
    ("glusterfs", "glusterfs", "glusterfs", _pv_validator("glusterfs")),
    ("flocker", "flocker", "flocker", _pv_validator("flocker")),
    ("persistentVolumeClaim", "persistentVolumeClaim", "persistentVolumeClaim",
     lambda source, path: [] if as_str(source.get("claimName")) else [required(child(path, "claimName"))]),
    ("rbd", "rbd", "rbd", _pv_validator("rbd")),
    ("cinder", "cinder", "cinder", _pv_validator("cinder")),
    ("cephfs", "cephFS", "cephfs", _pv_validator("cephfs")),
    ("quobyte", "quobyte", "quobyte", _pv_validator("quobyte")),
    ("downwardAPI", "downwarAPI", "downwardAPI", _validate_downward_api_volume),
    ("fc", "fc", "fc", _pv_validator("fc")),
    ("flexVolume", "flexVolume", "flexVolume", _pv_validator("flexVolume")),
    ("configMap", "configMap", "configMap", _validate_config_map_volume),
    ("azureFile", "azureFile", "azureFile", _pv_validator("azureFile")),
    ("vsphereVolume", "vsphereVolume", "vsphereVolume", _pv_validator("vsphereVolume")),
    ("photonPersistentDisk", "photonPersistentDisk", "photonPersistentDisk", _pv_validator("photonPersistentDisk")),
    ("portworxVolume", "portworxVolume", "portworxVolume", _pv_validator("portworxVolume")),
    ("azureDisk", "azureDisk", "azureDisk", _pv_validator("azureDisk")),
    ("storageos", "storageos", "storageos", _pv_validator("storageos")),
    ("projected", "projected", "projected", _validate_projected_volume),
    ("scaleIO", "scaleIO", "scaleIO", _pv_validator("scaleIO")),
    ("csi", "csi", "csi", _validate_pod_csi),
    ("ephemeral", "ephemeral", "ephemeral", None),
    ("image", "image", "image", None),
)


def _validate_volume_source(volume: JSON, path: str, pod_name: str) -> list[FieldError]:
    """``validateVolumeSource``: exactly one source per volume."""
    errs: list[FieldError] = []
    num_volumes = 0
    volume_name = as_str(volume.get("name"))
    for json_key, clash_name, own_name, check in _POD_SOURCES:
        source = volume.get(json_key)
        if not isinstance(source, dict):
            continue
        if num_volumes > 0:
            errs.append(forbidden(child(path, clash_name), "may not specify more than 1 volume type"))
            continue
        num_volumes += 1
        if check is not None:
            errs.extend(check(source, child(path, own_name)))
        if json_key == "iscsi" and source.get("initiatorName") is not None and \
                len(volume_name + ":" + as_str(source.get("targetPortal"))) > 64:
            errs.append(invalid_value(child(path, "name"), volume_name,
                                      "Total length of <volume name>:<iscsi.targetPortal> must be under 64 "
                                      "characters if iscsi.initiatorName is specified."))
        if json_key == "ephemeral":
            errs.extend(_validate_ephemeral(source, child(path, own_name), pod_name, volume_name))
    if num_volumes == 0:
        errs.append(required(path, "must specify a volume type"))
    return errs


def _validate_ephemeral(source: JSON, path: str, pod_name: str, volume_name: str) -> list[FieldError]:
    template = source.get("volumeClaimTemplate")
    if not isinstance(template, dict):
        return [required(child(path, "volumeClaimTemplate"))]
    errs = validate_persistent_volume_claim_template(template, child(path, "volumeClaimTemplate"))
    if pod_name and volume_name:
        claim_name = f"{pod_name}-{volume_name}"
        errs.extend(invalid_value(child(path, "name"), volume_name, f"PVC name {go_quote(claim_name)}: {msg}")
                    for msg in name_is_dns_subdomain(claim_name, False))
    return errs


def validate_volumes(volumes: Any, pod_name: str, path: str) -> tuple[Volumes, list[FieldError]]:
    """``ValidateVolumes``: returns the valid volumes by name, for the mount checks."""
    errs: list[FieldError] = []
    valid: Volumes = {}
    names: set[str] = set()
    items = [as_dict(v) for v in as_list(volumes)]
    created_claims = {f"{pod_name}-{as_str(v.get('name'))}" for v in items
                      if pod_name and isinstance(v.get("ephemeral"), dict)}
    for i, volume in enumerate(items):
        item_path = index(path, i)
        name = as_str(volume.get("name"))
        name_path = child(item_path, "name")
        volume_errs = _validate_volume_source(volume, item_path, pod_name)
        if not name:
            volume_errs.append(required(name_path))
        else:
            volume_errs.extend(validate_dns1123_label(name, name_path))
        if name in names:
            volume_errs.append(duplicate(name_path, name))
        if volume_errs:
            errs.extend(volume_errs)
        else:
            names.add(name)
            valid[name] = volume
        claim = volume.get("persistentVolumeClaim")
        if isinstance(claim, dict) and as_str(claim.get("claimName")) in created_claims:
            errs.append(invalid_value(child(item_path, "persistentVolumeClaim", "claimName"),
                                      as_str(claim.get("claimName")),
                                      "must not reference a PVC that gets created for an ephemeral volume"))
    return valid, errs


# --- containers ----------------------------------------------------------------------------------------

def _validate_port_num_or_name(port: Any, path: str) -> list[FieldError]:
    """``ValidatePortNumOrName``: an IntOrString port."""
    if isinstance(port, int) and not isinstance(port, bool):
        return [invalid_value(path, port, msg) for msg in is_valid_port_num(port)]
    return [invalid_value(path, as_str(port), msg) for msg in is_valid_port_name(as_str(port))]


def _validate_container_ports(ports: Any, path: str) -> list[FieldError]:
    """``validateContainerPorts``."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(as_dict(p) for p in as_list(ports)):
        item_path = index(path, i)
        name = as_str(port.get("name"))
        if name:
            messages = is_valid_port_name(name)
            if messages:
                errs.extend(invalid_value(child(item_path, "name"), name, msg) for msg in messages)
            elif name in names:
                errs.append(duplicate(child(item_path, "name"), name))
            else:
                names.add(name)
        container_port = as_int(port.get("containerPort"))
        if container_port == 0:
            errs.append(required(child(item_path, "containerPort")))
        else:
            errs.extend(invalid_value(child(item_path, "containerPort"), container_port, msg)
                        for msg in is_valid_port_num(container_port))
        host_port = as_int(port.get("hostPort"))
        if host_port != 0:
            errs.extend(invalid_value(child(item_path, "hostPort"), host_port, msg)
                        for msg in is_valid_port_num(host_port))
        protocol = as_str(port.get("protocol"))
        if not protocol:
            errs.append(required(child(item_path, "protocol")))
        elif protocol not in _PROTOCOLS:
            errs.append(not_supported_values(child(item_path, "protocol"), protocol, _PROTOCOLS))
    return errs


def _validate_env(env: Any, path: str) -> list[FieldError]:
    """``ValidateEnv`` (with the relaxed names of v1.32)."""
    errs: list[FieldError] = []
    for i, var in enumerate(as_dict(v) for v in as_list(env)):
        item_path = index(path, i)
        name = as_str(var.get("name"))
        if not name:
            errs.append(required(child(item_path, "name")))
        else:
            errs.extend(invalid_value(child(item_path, "name"), name, msg) for msg in is_relaxed_env_var_name(name))
        errs.extend(_validate_env_value_from(var, child(item_path, "valueFrom")))
    return errs


def _validate_key_selector(selector: JSON, path: str) -> list[FieldError]:
    """``validateConfigMapKeySelector`` / ``validateSecretKeySelector``: the name is always checked."""
    name = as_str(selector.get("name"))
    errs = [invalid_value(child(path, "name"), name, msg) for msg in name_is_dns_subdomain(name, False)]
    selector_key = as_str(selector.get("key"))
    if not selector_key:
        errs.append(required(child(path, "key")))
    else:
        errs.extend(invalid_value(child(path, "key"), selector_key, msg) for msg in is_config_map_key(selector_key))
    return errs


def _validate_env_value_from(var: JSON, path: str) -> list[FieldError]:
    """``validateEnvVarValueFrom``."""
    value_from = var.get("valueFrom")
    if not isinstance(value_from, dict):
        return []
    errs: list[FieldError] = []
    num_sources = 0
    if isinstance(value_from.get("fieldRef"), dict):
        num_sources += 1
        errs.extend(_validate_object_field_selector(value_from["fieldRef"], _ENV_FIELD_PATHS, child(path, "fieldRef")))
    if isinstance(value_from.get("resourceFieldRef"), dict):
        num_sources += 1
        errs.extend(_validate_resource_field_selector(value_from["resourceFieldRef"], child(path, "resourceFieldRef"),
                                                      False))
    for ref in ("configMapKeyRef", "secretKeyRef"):
        if isinstance(value_from.get(ref), dict):
            num_sources += 1
            errs.extend(_validate_key_selector(value_from[ref], child(path, ref)))
    if num_sources == 0:
        errs.append(invalid_value(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                            "`configMapKeyRef` or `secretKeyRef`"))
    elif as_str(var.get("value")):
        errs.append(invalid_value(path, "", "may not be specified when `value` is not empty"))
    elif num_sources > 1:
        errs.append(invalid_value(path, "", "may not have more than one field specified at a time"))
    return errs


def _validate_env_from(env_from: Any, path: str) -> list[FieldError]:
    """``ValidateEnvFrom``."""
    errs: list[FieldError] = []
    for i, source in enumerate(as_dict(s) for s in as_list(env_from)):
        item_path = index(path, i)
        prefix = as_str(source.get("prefix"))
        if prefix:
            errs.extend(invalid_value(child(item_path, "prefix"), prefix, msg)
                        for msg in is_relaxed_env_var_name(prefix))
        num_sources = 0
        for ref in ("configMapRef", "secretRef"):
            ref_source = source.get(ref)
            if not isinstance(ref_source, dict):
                continue
            num_sources += 1
            name = as_str(ref_source.get("name"))
            if not name:
                errs.append(required(child(item_path, ref, "name")))
            else:
                errs.extend(invalid_value(child(item_path, ref, "name"), name, msg)
                            for msg in name_is_dns_subdomain(name, True))
        if num_sources == 0:
            errs.append(invalid_value(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif num_sources > 1:
            errs.append(invalid_value(path, "", "may not have more than one field specified at a time"))
    return errs


def _is_pvc_volume(volume: JSON) -> bool:
    return isinstance(volume.get("persistentVolumeClaim"), dict) or isinstance(volume.get("ephemeral"), dict)


def _validate_volume_mounts(container: JSON, volumes: Volumes, path: str) -> list[FieldError]:
    """``ValidateVolumeMounts``."""
    errs: list[FieldError] = []
    devices = {as_str(d.get("name")): as_str(d.get("devicePath"))
               for d in (as_dict(x) for x in as_list(container.get("volumeDevices")))}
    mount_points: set[str] = set()
    security = as_dict(container.get("securityContext"))
    for i, mount in enumerate(as_dict(m) for m in as_list(container.get("volumeMounts"))):
        item_path = index(path, i)
        name, mount_path = as_str(mount.get("name")), as_str(mount.get("mountPath"))
        if not name:
            errs.append(required(child(item_path, "name")))
        if name not in volumes:
            errs.append(not_found(child(item_path, "name"), name))
        if not mount_path:
            errs.append(required(child(item_path, "mountPath")))
        if mount_path in mount_points:
            errs.append(invalid_value(child(item_path, "mountPath"), mount_path, "must be unique"))
        mount_points.add(mount_path)
        if name in devices:
            errs.append(invalid_value(child(item_path, "name"), name, "must not already exist in volumeDevices"))
        if mount_path in devices.values():
            errs.append(invalid_value(child(item_path, "mountPath"), mount_path,
                                      "must not already exist as a path in volumeDevices"))
        sub_path, sub_path_expr = as_str(mount.get("subPath")), as_str(mount.get("subPathExpr"))
        if sub_path:
            # Upstream names the list, not the item, in these two paths.
            errs.extend(_validate_local_descending_path(sub_path, child(path, "subPath")))
        if sub_path_expr:
            if sub_path:
                errs.append(invalid_value(child(item_path, "subPathExpr"), sub_path_expr,
                                          "subPathExpr and subPath are mutually exclusive"))
            errs.extend(_validate_local_descending_path(sub_path_expr, child(path, "subPathExpr")))
        propagation = mount.get("mountPropagation")
        if propagation is not None:
            propagation_path = child(path, "mountPropagation")
            supported = ("Bidirectional", "HostToContainer", "None")
            if propagation not in supported:
                errs.append(not_supported_values(propagation_path, propagation, supported))
            if propagation == "Bidirectional" and security.get("privileged") is not True:
                errs.append(forbidden(propagation_path,
                                      "Bidirectional mount propagation is available only to privileged containers"))
        recursive = mount.get("recursiveReadOnly")
        if recursive is not None:
            recursive_path = child(path, "recursiveReadOnly")
            if recursive in ("Enabled", "IfPossible"):
                if not mount.get("readOnly"):
                    errs.append(forbidden(recursive_path, "may only be specified when readOnly is true"))
                if propagation not in (None, "None"):
                    errs.append(forbidden(recursive_path,
                                          "may only be specified when mountPropagation is None or not specified"))
            elif recursive != "Disabled":
                errs.append(not_supported_values(recursive_path, recursive, ("Disabled", "Enabled", "IfPossible")))
    return errs


def _validate_volume_devices(container: JSON, volumes: Volumes, path: str) -> list[FieldError]:
    """``ValidateVolumeDevices``: raw block devices come only from claims."""
    errs: list[FieldError] = []
    mounts = {as_str(m.get("name")): as_str(m.get("mountPath"))
              for m in (as_dict(x) for x in as_list(container.get("volumeMounts")))}
    device_paths: set[str] = set()
    device_names: set[str] = set()
    for i, device in enumerate(as_dict(d) for d in as_list(container.get("volumeDevices"))):
        item_path = index(path, i)
        name, device_path = as_str(device.get("name")), as_str(device.get("devicePath"))
        matched = name in volumes
        if not name:
            errs.append(required(child(item_path, "name")))
        if name in device_names:
            errs.append(invalid_value(child(item_path, "name"), name, "must be unique"))
        if matched and not _is_pvc_volume(volumes[name]):
            errs.append(invalid_value(child(item_path, "name"), name, "can only use volume source type of "
                                                                      "PersistentVolumeClaim or Ephemeral for block mode"))
        if not matched:
            errs.append(not_found(child(item_path, "name"), name))
        if not device_path:
            errs.append(required(child(item_path, "devicePath")))
        if device_path in device_paths:
            errs.append(invalid_value(child(item_path, "devicePath"), device_path, "must be unique"))
        if device_path and validate_path_no_backsteps(device_path, path):
            errs.append(invalid_value(child(item_path, "devicePath"), device_path, "can not contain backsteps ('..')"))
        else:
            device_paths.add(device_path)
        if name in mounts:
            errs.append(invalid_value(child(item_path, "name"), name, "must not already exist in volumeMounts"))
        if device_path in mounts.values():
            errs.append(invalid_value(child(item_path, "devicePath"), device_path,
                                      "must not already exist as a path in volumeMounts"))
        if name:
            device_names.add(name)
    return errs


def _validate_pull_policy(policy: str, path: str) -> list[FieldError]:
    if policy in ("Always", "IfNotPresent", "Never"):
        return []
    if not policy:
        return [required(path)]
    return [not_supported_values(path, policy, ("Always", "IfNotPresent", "Never"))]


def _validate_seccomp_profile(profile: Any, path: str) -> list[FieldError]:
    """``validateSeccompProfileField``."""
    if not isinstance(profile, dict):
        return []
    errs: list[FieldError] = []
    profile_type = as_str(profile.get("type"))
    supported = ("Localhost", "RuntimeDefault", "Unconfined")
    if not profile_type:
        errs.append(required(child(path, "type"), "type is required when seccompProfile is set"))
    elif profile_type not in supported:
        errs.append(not_supported_values(child(path, "type"), profile_type, supported))
    localhost = profile.get("localhostProfile")
    if profile_type == "Localhost":
        if localhost is None:
            errs.append(required(child(path, "localhostProfile"), "must be set when seccomp type is Localhost"))
        else:
            errs.extend(_validate_local_descending_path(as_str(localhost), child(path, "localhostProfile")))
    elif localhost is not None:
        errs.append(invalid_value(child(path, "localhostProfile"), None, "can only be set when seccomp type is "
                                                                         "Localhost",
                                  value_text=go_struct("core.SeccompProfile", [
                                      ("Type", go_quote(profile_type)), ("LocalhostProfile", go_ptr("string", True))])))
    return errs


def _validate_apparmor_profile(profile: Any, path: str) -> list[FieldError]:
    """``ValidateAppArmorProfileField``."""
    if not isinstance(profile, dict):
        return []
    profile_type = as_str(profile.get("type"))
    localhost = profile.get("localhostProfile")
    if profile_type == "Localhost":
        if localhost is None:
            return [required(child(path, "localhostProfile"), "must be set when AppArmor type is Localhost")]
        text = as_str(localhost)
        errs: list[FieldError] = []
        if text.strip() != text:
            errs.append(invalid_value(child(path, "localhostProfile"), text, "must not be padded with whitespace"))
        elif not text:
            errs.append(required(child(path, "localhostProfile"), "must be set when AppArmor type is Localhost"))
        if len(text) > 4095:
            errs.append(too_long(child(path, "localhostProfile"), 4095))
        return errs
    if profile_type in ("RuntimeDefault", "Unconfined"):
        if localhost is not None:
            return [invalid_value(child(path, "localhostProfile"), as_str(localhost),
                                  "can only be set when AppArmor type is Localhost")]
        return []
    if not profile_type:
        return [required(child(path, "type"), "type is required when appArmorProfile is set")]
    return [not_supported_values(child(path, "type"), profile_type, ("Localhost", "RuntimeDefault", "Unconfined"))]


def _security_context_text(sc: JSON) -> str:
    """``%#v`` of a ``core.SecurityContext`` (the bad value of the privilege-escalation conflicts)."""
    return go_struct("core.SecurityContext", [
        (name, go_ptr(go_type, sc.get(json_key) is not None)) for name, go_type, json_key in (
            ("Capabilities", "core.Capabilities", "capabilities"), ("Privileged", "bool", "privileged"),
            ("SELinuxOptions", "core.SELinuxOptions", "seLinuxOptions"),
            ("WindowsOptions", "core.WindowsSecurityContextOptions", "windowsOptions"),
            ("RunAsUser", "int64", "runAsUser"), ("RunAsGroup", "int64", "runAsGroup"),
            ("RunAsNonRoot", "bool", "runAsNonRoot"), ("ReadOnlyRootFilesystem", "bool", "readOnlyRootFilesystem"),
            ("AllowPrivilegeEscalation", "bool", "allowPrivilegeEscalation"),
            ("ProcMount", "core.ProcMountType", "procMount"),
            ("SeccompProfile", "core.SeccompProfile", "seccompProfile"),
            ("AppArmorProfile", "core.AppArmorProfile", "appArmorProfile"))])


def _validate_security_context(sc: Any, path: str, host_users: bool) -> list[FieldError]:
    """``ValidateSecurityContext`` (privileged containers are allowed, as ``--allow-privileged=true``)."""
    if not isinstance(sc, dict):
        return []
    errs: list[FieldError] = []
    if sc.get("runAsUser") is not None:
        uid = as_int(sc["runAsUser"])
        errs.extend(invalid_value(child(path, "runAsUser"), uid, msg) for msg in is_valid_user_id(uid))
    if sc.get("runAsGroup") is not None:
        gid = as_int(sc["runAsGroup"])
        errs.extend(invalid_value(child(path, "runAsGroup"), gid, msg) for msg in is_valid_group_id(gid))
    proc_mount = sc.get("procMount")
    if proc_mount is not None:
        if proc_mount not in ("Default", "Unmasked"):
            errs.append(not_supported_values(child(path, "procMount"), proc_mount, ("Default", "Unmasked")))
        if host_users and proc_mount == "Unmasked":
            errs.append(invalid_value(child(path, "procMount"), proc_mount, "`hostUsers` must be false to use "
                                                                             "`Unmasked`"))
    errs.extend(_validate_seccomp_profile(sc.get("seccompProfile"), child(path, "seccompProfile")))
    if sc.get("allowPrivilegeEscalation") is False:
        if sc.get("privileged") is True:
            errs.append(invalid_value(path, None, "cannot set `allowPrivilegeEscalation` to false and `privileged` "
                                                  "to true", value_text=_security_context_text(sc)))
        for capability in as_list(as_dict(sc.get("capabilities")).get("add")):
            if capability == "CAP_SYS_ADMIN":
                errs.append(invalid_value(path, None, "cannot set `allowPrivilegeEscalation` to false and "
                                                      "`capabilities.Add` CAP_SYS_ADMIN",
                                          value_text=_security_context_text(sc)))
    errs.extend(_validate_apparmor_profile(sc.get("appArmorProfile"), child(path, "appArmorProfile")))
    return errs


def _validate_container_common(container: JSON, volumes: Volumes, path: str, host_users: bool) -> list[FieldError]:
    """``validateContainerCommon``."""
    errs: list[FieldError] = []
    name = as_str(container.get("name"))
    if not name:
        errs.append(required(child(path, "name")))
    else:
        errs.extend(validate_dns1123_label(name, child(path, "name")))
    if not as_str(container.get("image")):
        errs.append(required(child(path, "image")))
    policy = as_str(container.get("terminationMessagePolicy"))
    if not policy:
        errs.append(required(child(path, "terminationMessagePolicy")))
    elif policy not in ("File", "FallbackToLogsOnError"):
        errs.append(not_supported_values(child(path, "terminationMessagePolicy"), policy,
                                         ("File", "FallbackToLogsOnError")))
    errs.extend(_validate_container_ports(container.get("ports"), child(path, "ports")))
    errs.extend(_validate_env(container.get("env"), child(path, "env")))
    errs.extend(_validate_env_from(container.get("envFrom"), child(path, "envFrom")))
    errs.extend(_validate_volume_mounts(container, volumes, child(path, "volumeMounts")))
    errs.extend(_validate_volume_devices(container, volumes, child(path, "volumeDevices")))
    errs.extend(_validate_pull_policy(as_str(container.get("imagePullPolicy")), child(path, "imagePullPolicy")))
    errs.extend(validate_resource_requirements(container.get("resources"), child(path, "resources")))
    errs.extend(_validate_security_context(container.get("securityContext"), child(path, "securityContext"),
                                           host_users))
    return errs


def _validate_handler(handler: JSON, grace: int | None, path: str, allow_sleep: bool) -> list[FieldError]:
    """``validateHandler``: exactly one of exec, httpGet, tcpSocket, grpc (probes) or sleep (hooks)."""
    errs: list[FieldError] = []
    count = 0
    kinds = ("exec", "httpGet", "tcpSocket", "grpc", "sleep") if allow_sleep else ("exec", "httpGet", "tcpSocket",
                                                                                    "grpc")
    for kind in kinds:
        action = handler.get(kind)
        if not isinstance(action, dict):
            continue
        kind_path = child(path, kind)
        if count > 0:
            errs.append(forbidden(kind_path, "may not specify more than 1 handler type"))
            continue
        count += 1
        if kind == "exec" and not as_list(action.get("command")):
            errs.append(required(child(kind_path, "command")))
        elif kind == "httpGet":
            if not as_str(action.get("path")):
                errs.append(required(child(kind_path, "path")))
            errs.extend(_validate_port_num_or_name(action.get("port"), child(kind_path, "port")))
            scheme = as_str(action.get("scheme"))
            if scheme not in ("HTTP", "HTTPS"):
                errs.append(not_supported_values(child(kind_path, "scheme"), scheme, ("HTTP", "HTTPS")))
            for header in (as_dict(h) for h in as_list(action.get("httpHeaders"))):
                header_name = as_str(header.get("name"))
                errs.extend(invalid_value(child(kind_path, "httpHeaders"), header_name, msg)
                            for msg in is_http_header_name(header_name))
        elif kind == "tcpSocket":
            errs.extend(_validate_port_num_or_name(action.get("port"), child(kind_path, "port")))
        elif kind == "grpc":
            errs.extend(_validate_port_num_or_name(as_int(action.get("port")), child(kind_path, "port")))
        elif kind == "sleep":
            seconds = as_int(action.get("seconds"))
            if grace is not None and (seconds <= 0 or seconds > grace):
                errs.append(invalid_value(kind_path, seconds,
                                          f"must be greater than 0 and less than terminationGracePeriodSeconds "
                                          f"({grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate "
                                          "for zero sleep."))
    if count == 0:
        errs.append(required(path, "must specify a handler type"))
    return errs


def _validate_probe(probe: JSON, grace: int | None, path: str) -> list[FieldError]:
    """``validateProbe``."""
    errs = _validate_handler(probe, grace, path, allow_sleep=False)
    for name in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        errs.extend(nonnegative(as_int(probe.get(name)), child(path, name)))
    grace_override = probe.get("terminationGracePeriodSeconds")
    if grace_override is not None and as_int(grace_override) <= 0:
        errs.append(invalid_value(child(path, "terminationGracePeriodSeconds"), as_int(grace_override),
                                  "must be greater than 0"))
    return errs


def _validate_probes(container: JSON, grace: int | None, path: str) -> list[FieldError]:
    """Liveness, readiness and startup probes, with their extra rules."""
    errs: list[FieldError] = []
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(kind)
        if not isinstance(probe, dict):
            continue
        probe_path = child(path, kind)
        errs.extend(_validate_probe(probe, grace, probe_path))
        if kind == "readinessProbe":
            if probe.get("terminationGracePeriodSeconds") is not None:
                errs.append(invalid_value(child(probe_path, "terminationGracePeriodSeconds"),
                                          as_int(probe["terminationGracePeriodSeconds"]),
                                          "must not be set for readinessProbes"))
        elif as_int(probe.get("successThreshold")) != 1:
            errs.append(invalid_value(child(probe_path, "successThreshold"), as_int(probe.get("successThreshold")),
                                      "must be 1"))
    return errs


def _validate_lifecycle(container: JSON, grace: int | None, path: str) -> list[FieldError]:
    lifecycle = container.get("lifecycle")
    if not isinstance(lifecycle, dict):
        return []
    errs: list[FieldError] = []
    for hook in ("postStart", "preStop"):
        if isinstance(lifecycle.get(hook), dict):
            errs.extend(_validate_handler(lifecycle[hook], grace, child(path, "lifecycle", hook), allow_sleep=True))
    return errs


def _check_host_port_conflicts(containers: Sequence[JSON], path: str) -> list[FieldError]:
    """``AccumulateUniqueHostPorts``: a (protocol, hostIP, hostPort) triple may be used once."""
    errs: list[FieldError] = []
    seen: set[str] = set()
    for ci, container in enumerate(containers):
        for pi, port in enumerate(as_dict(p) for p in as_list(container.get("ports"))):
            host_port = as_int(port.get("hostPort"))
            if host_port == 0:
                continue
            triple = f"{as_str(port.get('protocol'))}/{as_str(port.get('hostIP'))}/{host_port}"
            if triple in seen:
                errs.append(duplicate(child(index(child(index(path, ci), "ports"), pi), "hostPort"), triple))
            else:
                seen.add(triple)
    return errs


def _validate_containers(containers: Sequence[JSON], volumes: Volumes, grace: int | None, path: str,
                         host_users: bool) -> list[FieldError]:
    """``validateContainers``."""
    if not containers:
        return [required(path)]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, container in enumerate(containers):
        item_path = index(path, i)
        errs.extend(_validate_container_common(container, volumes, item_path, host_users))
        name = as_str(container.get("name"))
        if name in names:
            errs.append(duplicate(child(item_path, "name"), name))
        else:
            names.add(name)
        errs.extend(_validate_lifecycle(container, grace, item_path))
        errs.extend(_validate_probes(container, grace, item_path))
        if container.get("restartPolicy") is not None:
            errs.append(forbidden(child(item_path, "restartPolicy"), "may not be set for non-init containers"))
    errs.extend(_check_host_port_conflicts(containers, path))
    return errs


def _validate_init_containers(init: Sequence[JSON], regular: Sequence[JSON], volumes: Volumes, grace: int | None,
                              path: str, host_users: bool) -> list[FieldError]:
    """``validateInitContainers``: sidecars (restartPolicy Always) may have probes and hooks."""
    errs: list[FieldError] = []
    names = {as_str(c.get("name")) for c in regular}
    for i, container in enumerate(init):
        item_path = index(path, i)
        errs.extend(_validate_container_common(container, volumes, item_path, host_users))
        restart_always = False
        restart_policy = container.get("restartPolicy")
        if restart_policy is not None:
            if restart_policy != "Always":
                errs.append(not_supported_values(child(item_path, "restartPolicy"), restart_policy, ("Always",)))
            restart_always = restart_policy == "Always"
        name = as_str(container.get("name"))
        if name in names:
            errs.append(duplicate(child(item_path, "name"), name))
        elif name:
            names.add(name)
        errs.extend(_check_host_port_conflicts([container], path))
        if restart_always:
            errs.extend(_validate_lifecycle(container, grace, item_path))
            errs.extend(_validate_probes(container, grace, item_path))
        else:
            for forbidden_field in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(forbidden_field) is not None:
                    errs.append(forbidden(child(item_path, forbidden_field),
                                          "may not be set for init containers without restartPolicy=Always"))
    return errs


# --- the rest of the pod spec ---------------------------------------------------------------------------

def validate_tolerations(tolerations: Any, path: str) -> list[FieldError]:
    """``ValidateTolerations``."""
    errs: list[FieldError] = []
    effects = ("NoSchedule", "PreferNoSchedule", "NoExecute")
    for i, toleration in enumerate(as_dict(t) for t in as_list(tolerations)):
        item_path = index(path, i)
        tol_key, operator = as_str(toleration.get("key")), as_str(toleration.get("operator"))
        value, effect = as_str(toleration.get("value")), as_str(toleration.get("effect"))
        if tol_key:
            errs.extend(validate_label_name(tol_key, child(item_path, "key")))
        if not tol_key and operator != "Exists":
            errs.append(invalid_value(child(item_path, "operator"), operator,
                                      'operator must be Exists when `key` is empty, which means "match all values '
                                      'and all keys"'))
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(invalid_value(child(item_path, "effect"), effect,
                                      "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if operator in ("Equal", ""):
            messages = is_valid_label_value(value)
            if messages:
                errs.append(invalid_value(child(item_path, "operator"), value, ";".join(messages)))
        elif operator == "Exists":
            if value:
                errs.append(invalid_value(child(item_path, "operator"), value,
                                          "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported_values(child(item_path, "operator"), operator, ("Equal", "Exists")))
        if effect and effect not in effects:
            errs.append(not_supported_values(child(item_path, "effect"), effect, effects))
    return errs


def _validate_pod_affinity_term(term: JSON, path: str) -> list[FieldError]:
    """``validatePodAffinityTerm``."""
    errs = validate_label_selector(term.get("labelSelector"), child(path, "labelSelector"))
    errs.extend(validate_label_selector(term.get("namespaceSelector"), child(path, "namespaceSelector")))
    for namespace in as_list(term.get("namespaces")):
        # Upstream's path says "namespace", singular and without an index.
        errs.extend(invalid_value(child(path, "namespace"), namespace, msg)
                    for msg in name_is_dns_label(as_str(namespace), False))
    topology_key = as_str(term.get("topologyKey"))
    if not topology_key:
        errs.append(required(child(path, "topologyKey"), "can not be empty"))
    errs.extend(validate_label_name(topology_key, child(path, "topologyKey")))
    return errs


def _validate_affinity(affinity: Any, path: str) -> list[FieldError]:
    """``validateAffinity``."""
    if not isinstance(affinity, dict):
        return []
    errs: list[FieldError] = []
    node = affinity.get("nodeAffinity")
    if isinstance(node, dict):
        node_path = child(path, "nodeAffinity")
        required_terms = node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(required_terms, dict):
            errs.extend(validate_node_selector(required_terms,
                                               child(node_path, "requiredDuringSchedulingIgnoredDuringExecution")))
        preferred_path = child(node_path, "preferredDuringSchedulingIgnoredDuringExecution")
        for i, term in enumerate(as_dict(t) for t in as_list(node.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            weight = as_int(term.get("weight"))
            if weight <= 0 or weight > 100:
                errs.append(invalid_value(child(index(preferred_path, i), "weight"), weight, "must be in the range 1-100"))
            errs.extend(validate_node_selector_term(as_dict(term.get("preference")),
                                                    child(index(preferred_path, i), "preference"), True))
    for kind in ("podAffinity", "podAntiAffinity"):
        pod = affinity.get(kind)
        if not isinstance(pod, dict):
            continue
        kind_path = child(path, kind)
        required_path = child(kind_path, "requiredDuringSchedulingIgnoredDuringExecution")
        for i, term in enumerate(as_list(pod.get("requiredDuringSchedulingIgnoredDuringExecution"))):
            errs.extend(_validate_pod_affinity_term(as_dict(term), index(required_path, i)))
        preferred_path = child(kind_path, "preferredDuringSchedulingIgnoredDuringExecution")
        for i, weighted in enumerate(as_dict(t) for t in as_list(pod.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            weight = as_int(weighted.get("weight"))
            if weight <= 0 or weight > 100:
                errs.append(invalid_value(child(index(preferred_path, i), "weight"), weight, "must be in the range 1-100"))
            errs.extend(_validate_pod_affinity_term(as_dict(weighted.get("podAffinityTerm")),
                                                    child(index(preferred_path, i), "podAffinityTerm")))
    return errs


def _validate_dns_config(spec: JSON, path: str) -> list[FieldError]:
    """``validatePodDNSConfig``."""
    config = spec.get("dnsConfig")
    if spec.get("dnsPolicy") == "None":
        if not isinstance(config, dict):
            return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not as_list(config.get("nameservers")):
            return [required(child(path, "nameservers"),
                             "must provide at least one DNS nameserver when `dnsPolicy` is None")]
    if not isinstance(config, dict):
        return []
    errs: list[FieldError] = []
    nameservers = [as_str(n) for n in as_list(config.get("nameservers"))]
    if len(nameservers) > 3:
        errs.append(invalid_value(child(path, "nameservers"), nameservers, "must not have more than 3 nameservers"))
    for i, server in enumerate(nameservers):
        errs.extend(invalid_value(index(child(path, "nameservers"), i), server, msg) for msg in is_valid_ip(server))
    searches = [as_str(s) for s in as_list(config.get("searches"))]
    if len(searches) > 32:
        errs.append(invalid_value(child(path, "searches"), searches, "must not have more than 32 search paths"))
    if len(" ".join(searches)) > 2048:
        errs.append(invalid_value(child(path, "searches"), searches,
                                  "must not have more than 2048 characters (including spaces) in the search list"))
    for i, search in enumerate(searches):
        trimmed = search.removesuffix(".")
        errs.extend(invalid_value(index(child(path, "searches"), i), trimmed, msg)
                    for msg in is_dns1123_subdomain(trimmed))
    for i, option in enumerate(as_dict(o) for o in as_list(config.get("options"))):
        if not as_str(option.get("name")):
            errs.append(required(index(child(path, "options"), i), "must not be empty"))
    return errs


_SYSCTL_SEGMENT = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
_SYSCTL_FMT = f"({_SYSCTL_SEGMENT}[\\./])*{_SYSCTL_SEGMENT}"


def _sysctl_namespace(name: str) -> str:
    """``utilsysctl.GetNamespace``: which namespace a sysctl belongs to (net, ipc, or unknown)."""
    normalized = name.replace("/", ".")
    if normalized.startswith("net."):
        return "net"
    if normalized in ("kernel.sem",) or normalized.startswith(("kernel.shm", "kernel.msg", "fs.mqueue.")):
        return "ipc"
    return ""


def _validate_pod_security_context(spec: JSON, path: str) -> list[FieldError]:
    """``validatePodSpecSecurityContext`` (v1 keeps hostNetwork/PID/IPC on the spec; internal moves them)."""
    sc = as_dict(spec.get("securityContext"))
    errs: list[FieldError] = []
    if sc.get("fsGroup") is not None:
        errs.extend(invalid_value(child(path, "fsGroup"), as_int(sc["fsGroup"]), msg)
                    for msg in is_valid_group_id(as_int(sc["fsGroup"])))
    if sc.get("runAsUser") is not None:
        errs.extend(invalid_value(child(path, "runAsUser"), as_int(sc["runAsUser"]), msg)
                    for msg in is_valid_user_id(as_int(sc["runAsUser"])))
    if sc.get("runAsGroup") is not None:
        errs.extend(invalid_value(child(path, "runAsGroup"), as_int(sc["runAsGroup"]), msg)
                    for msg in is_valid_group_id(as_int(sc["runAsGroup"])))
    for i, gid in enumerate(as_list(sc.get("supplementalGroups"))):
        errs.extend(invalid_value(index(child(path, "supplementalGroups"), i), as_int(gid), msg)
                    for msg in is_valid_group_id(as_int(gid)))
    if spec.get("shareProcessNamespace") is True and spec.get("hostPID") is True:
        errs.append(invalid_value(child(path, "shareProcessNamespace"), True,
                                  "ShareProcessNamespace and HostPID cannot both be enabled"))
    seen: set[str] = set()
    pattern = re.compile(f"(?:{_SYSCTL_FMT})\\Z")
    for i, sysctl in enumerate(as_dict(s) for s in as_list(sc.get("sysctls"))):
        name_path = child(index(child(path, "sysctls"), i), "name")
        name = as_str(sysctl.get("name"))
        if not name:
            errs.append(required(name_path))
        elif len(name) > 253 or not pattern.match(name):
            errs.append(invalid_value(name_path, name, f"must have at most 253 characters and match regex "
                                                       f"^{_SYSCTL_FMT}$"))
        elif name in seen:
            errs.append(duplicate(name_path, name))
        namespace = _sysctl_namespace(name)
        if spec.get("hostNetwork") is True and namespace == "net":
            errs.append(invalid_value(name_path, name, "may not be specified when 'hostNetwork' is true"))
        elif spec.get("hostIPC") is True and namespace == "ipc":
            errs.append(invalid_value(name_path, name, "may not be specified when 'hostIPC' is true"))
        seen.add(name)
    change_policy = sc.get("fsGroupChangePolicy")
    if change_policy is not None and change_policy not in ("Always", "OnRootMismatch"):
        errs.append(not_supported_values(child(path, "fsGroupChangePolicy"), change_policy,
                                         ("Always", "OnRootMismatch")))
    errs.extend(_validate_seccomp_profile(sc.get("seccompProfile"), child(path, "seccompProfile")))
    errs.extend(_validate_apparmor_profile(sc.get("appArmorProfile"), child(path, "appArmorProfile")))
    return errs


def _validate_topology_spread(constraints: Any, path: str) -> list[FieldError]:
    """``validateTopologySpreadConstraints``."""
    errs: list[FieldError] = []
    items = [as_dict(c) for c in as_list(constraints)]
    for i, constraint in enumerate(items):
        item_path = index(path, i)
        max_skew = as_int(constraint.get("maxSkew"))
        if max_skew <= 0:
            errs.append(invalid_value(child(item_path, "maxSkew"), max_skew, "must be greater than zero"))
        topology_key = as_str(constraint.get("topologyKey"))
        if not topology_key:
            errs.append(required(child(item_path, "topologyKey"), "can not be empty"))
        action = as_str(constraint.get("whenUnsatisfiable"))
        if action not in ("DoNotSchedule", "ScheduleAnyway"):
            errs.append(not_supported_values(child(item_path, "whenUnsatisfiable"), action,
                                             ("DoNotSchedule", "ScheduleAnyway")))
        for later in items[i + 1:]:
            if as_str(later.get("topologyKey")) == topology_key and as_str(later.get("whenUnsatisfiable")) == action:
                errs.append(duplicate(child(item_path, "{topologyKey, whenUnsatisfiable}"),
                                      f"{{{topology_key}, {action}}}"))
                break
        min_domains = constraint.get("minDomains")
        if min_domains is not None:
            if as_int(min_domains) <= 0:
                errs.append(invalid_value(child(item_path, "minDomains"), as_int(min_domains),
                                          "must be greater than zero"))
            if action != "DoNotSchedule":
                errs.append(invalid_value(child(item_path, "minDomains"), as_int(min_domains),
                                          f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"))
        for policy_name in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = constraint.get(policy_name)
            if policy is not None and policy not in ("Honor", "Ignore"):
                errs.append(not_supported_values(child(item_path, policy_name), policy, ("Honor", "Ignore")))
        for j, label_key in enumerate(as_list(constraint.get("matchLabelKeys"))):
            errs.extend(validate_label_name(as_str(label_key), index(child(item_path, "matchLabelKeys"), j)))
        errs.extend(validate_label_selector(constraint.get("labelSelector"), child(item_path, "labelSelector")))
    return errs


def _grace_period(spec: JSON) -> int | None:
    value = spec.get("terminationGracePeriodSeconds")
    return None if value is None else as_int(value)


def validate_pod_spec(spec: JSON, pod_name: str, path: str, opts: PodOptions) -> list[FieldError]:
    """``ValidatePodSpec``; ``pod_name`` is empty for templates (ephemeral-claim names are then unknown)."""
    errs: list[FieldError] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        errs.append(required(child(path, "terminationGracePeriodSeconds")))
    grace = _grace_period(spec)
    host_users = spec.get("hostUsers") is not False
    volumes, volume_errs = validate_volumes(spec.get("volumes"), pod_name, child(path, "volumes"))
    errs.extend(volume_errs)
    for claim in sorted(opts.claim_volumes - volumes.keys()):
        volumes[claim] = {"name": claim, "persistentVolumeClaim": {"claimName": claim}}
    containers = [as_dict(c) for c in as_list(spec.get("containers"))]
    init_containers = [as_dict(c) for c in as_list(spec.get("initContainers"))]
    errs.extend(_validate_containers(containers, volumes, grace, child(path, "containers"), host_users))
    errs.extend(_validate_init_containers(init_containers, containers, volumes, grace, child(path, "initContainers"),
                                          host_users))
    if spec.get("hostNetwork") is True:
        for i, container in enumerate(containers):
            for j, port in enumerate(as_dict(p) for p in as_list(container.get("ports"))):
                host_port, container_port = as_int(port.get("hostPort")), as_int(port.get("containerPort"))
                if (opts.resource_is_pod or host_port != 0) and host_port != container_port:
                    errs.append(invalid_value(child(index(child(index(child(path, "containers"), i), "ports"), j),
                                                    "hostPort"), host_port,
                                              "must match `containerPort` when `hostNetwork` is true"))
    restart_policy = as_str(spec.get("restartPolicy"))
    if not restart_policy:
        errs.append(required(child(path, "restartPolicy")))
    elif restart_policy not in ("Always", "OnFailure", "Never"):
        errs.append(not_supported_values(child(path, "restartPolicy"), restart_policy, ("Always", "OnFailure", "Never")))
    dns_policy = as_str(spec.get("dnsPolicy"))
    dns_policies = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
    if not dns_policy:
        errs.append(required(child(path, "dnsPolicy")))
    elif dns_policy not in dns_policies:
        errs.append(not_supported_values(child(path, "dnsPolicy"), dns_policy, dns_policies))
    errs.extend(validate_labels(spec.get("nodeSelector"), child(path, "nodeSelector")))
    errs.extend(_validate_pod_security_context(spec, child(path, "securityContext")))
    errs.extend(_validate_affinity(spec.get("affinity"), child(path, "affinity")))
    errs.extend(_validate_dns_config(spec, child(path, "dnsConfig")))
    for i, gate in enumerate(as_dict(g) for g in as_list(spec.get("readinessGates"))):
        errs.extend(validate_qualified_name(as_str(gate.get("conditionType")),
                                            child(index(child(path, "readinessGates"), i), "conditionType")))
    seen_gates: set[str] = set()
    for i, gate in enumerate(as_dict(g) for g in as_list(spec.get("schedulingGates"))):
        gate_name = as_str(gate.get("name"))
        errs.extend(validate_qualified_name(gate_name, index(child(path, "schedulingGates"), i)))
        if gate_name in seen_gates:
            errs.append(duplicate(index(child(path, "schedulingGates"), i), gate_name))
        seen_gates.add(gate_name)
    errs.extend(_validate_topology_spread(spec.get("topologySpreadConstraints"),
                                          child(path, "topologySpreadConstraints")))
    if not host_users:
        for field_name, shown in (("hostNetwork", "hostNetwork"), ("hostPID", "HostPID"), ("hostIPC", "HostIPC")):
            if spec.get(field_name) is True:
                errs.append(forbidden(child(path, shown), "when `pod.Spec.HostUsers` is false"))
    for field_name in ("serviceAccountName", "nodeName"):
        value = as_str(spec.get(field_name))
        if value:
            errs.extend(invalid_value(child(path, field_name), value, msg) for msg in name_is_dns_subdomain(value, False))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= as_int(deadline) <= _MAX_INT32:
        errs.append(invalid_value(child(path, "activeDeadlineSeconds"), as_int(deadline),
                                  inclusive_range_error(1, _MAX_INT32)))
    for field_name in ("hostname", "subdomain"):
        value = as_str(spec.get(field_name))
        if value:
            errs.extend(validate_dns1123_label(value, child(path, field_name)))
    if as_list(spec.get("tolerations")):
        errs.extend(validate_tolerations(spec.get("tolerations"), child(path, "tolerations")))
    for i, alias in enumerate(as_dict(a) for a in as_list(spec.get("hostAliases"))):
        alias_path = index(child(path, "hostAliases"), i)
        errs.extend(invalid_value(child(alias_path, "ip"), as_str(alias.get("ip")), msg)
                    for msg in is_valid_ip(as_str(alias.get("ip"))))
        for j, hostname in enumerate(as_list(alias.get("hostnames"))):
            errs.extend(invalid_value(index(child(alias_path, "hostnames"), j), hostname, msg)
                        for msg in is_dns1123_subdomain(as_str(hostname)))
    priority_class = as_str(spec.get("priorityClassName"))
    if priority_class:
        errs.extend(invalid_value(child(path, "priorityClassName"), priority_class, msg)
                    for msg in name_is_dns_subdomain(priority_class, False))
    runtime_class = spec.get("runtimeClassName")
    if runtime_class is not None:
        errs.extend(invalid_value(child(path, "runtimeClassName"), as_str(runtime_class), msg)
                    for msg in name_is_dns_subdomain(as_str(runtime_class), False))
    preemption = spec.get("preemptionPolicy")
    if preemption is not None:
        if not preemption:
            errs.append(required(child(path, "preemptionPolicy")))
        elif preemption not in ("PreemptLowerPriority", "Never"):
            errs.append(not_supported_values(child(path, "preemptionPolicy"), preemption,
                                             ("PreemptLowerPriority", "Never")))
    if isinstance(spec.get("overhead"), dict):
        errs.extend(validate_resource_requirements({"limits": spec["overhead"]}, child(path, "overhead")))
    errs.extend(_validate_os(spec, path, containers + init_containers))
    return errs


def _validate_os(spec: JSON, path: str, containers: Sequence[JSON]) -> list[FieldError]:
    """``validateOS`` and the Linux half of ``validateLinux``/``validateWindows``."""
    os_spec = spec.get("os")
    if not isinstance(os_spec, dict):
        return []
    name = as_str(os_spec.get("name"))
    if not name:
        return [required(child(path, "os", "name"), "cannot be empty")]
    if name not in ("linux", "windows"):
        return [not_supported_values(child(path, "os"), name, ("linux", "windows"))]
    errs: list[FieldError] = []
    if name == "linux":
        if as_dict(spec.get("securityContext")).get("windowsOptions") is not None:
            errs.append(forbidden(child(path, "securityContext", "windowsOptions"),
                                  "windows options cannot be set for a linux pod"))
        for i, container in enumerate(containers):
            if as_dict(container.get("securityContext")).get("windowsOptions") is not None:
                errs.append(forbidden(child(index(child(path, "containers"), i), "securityContext", "windowsOptions"),
                                      "windows options cannot be set for a linux pod"))
    return errs


# --- pod-specific annotations, templates and pods -----------------------------------------------------

def _validate_seccomp_annotation(value: str, path: str) -> list[FieldError]:
    """``ValidateSeccompProfile`` of the deprecated annotations."""
    if value in ("runtime/default", "docker/default", "unconfined"):
        return []
    if value.startswith("localhost/"):
        return _validate_local_descending_path(value.removeprefix("localhost/"), path)
    return [invalid_value(path, value, "must be a valid seccomp profile")]


def _container_names(spec: JSON) -> set[str]:
    return {as_str(as_dict(c).get("name")) for field_name in ("containers", "initContainers", "ephemeralContainers")
            for c in as_list(spec.get(field_name))}


def validate_pod_specific_annotations(annotations: Any, spec: JSON, path: str) -> list[FieldError]:
    """``ValidatePodSpecificAnnotations``."""
    values = as_dict(annotations)
    errs: list[FieldError] = []
    if _MIRROR_POD_ANNOTATION in values and not as_str(spec.get("nodeName")):
        errs.append(invalid_value(key(path, _MIRROR_POD_ANNOTATION), as_str(values[_MIRROR_POD_ANNOTATION]),
                                  "must set spec.nodeName if mirror pod annotation is set"))
    cost = values.get(_POD_DELETION_COST)
    if cost is not None:
        try:
            valid_cost = -(2 ** 31) <= int(as_str(cost).strip()) < 2 ** 31 and as_str(cost).strip() == as_str(cost)
        except ValueError:
            valid_cost = False
        if not valid_cost:
            errs.append(invalid_value(key(path, _POD_DELETION_COST), as_str(cost), "must be a 32bit integer"))
    if _SECCOMP_POD_ANNOTATION in values:
        errs.extend(_validate_seccomp_annotation(as_str(values[_SECCOMP_POD_ANNOTATION]),
                                                 child(path, _SECCOMP_POD_ANNOTATION)))
    for annotation_key in sorted(values):
        if annotation_key.startswith(_SECCOMP_CONTAINER_PREFIX):
            errs.extend(_validate_seccomp_annotation(as_str(values[annotation_key]), child(path, annotation_key)))
    names = _container_names(spec)
    for annotation_key in sorted(values):
        if not annotation_key.startswith(_APPARMOR_CONTAINER_PREFIX):
            continue
        container = annotation_key.removeprefix(_APPARMOR_CONTAINER_PREFIX)
        if container not in names:
            errs.append(invalid_value(key(path, annotation_key), container, "container not found"))
        profile = as_str(values[annotation_key])
        if profile not in ("", "runtime/default", "unconfined") and not profile.startswith("localhost/"):
            errs.append(invalid_value(key(path, annotation_key), profile,
                                      f"invalid AppArmor profile name: {go_quote(profile)}"))
    return errs


def validate_pod_template_spec(template: JSON, path: str, opts: PodOptions) -> list[FieldError]:
    """``ValidatePodTemplateSpec``: labels, annotations and the embedded pod spec."""
    meta = as_dict(template.get("metadata"))
    spec = as_dict(template.get("spec"))
    errs = validate_labels(meta.get("labels"), child(path, "labels"))
    errs.extend(validate_annotations(meta.get("annotations"), child(path, "annotations")))
    errs.extend(validate_pod_specific_annotations(meta.get("annotations"), spec, child(path, "annotations")))
    errs.extend(validate_pod_spec(spec, "", child(path, "spec"), opts))
    if as_list(spec.get("ephemeralContainers")):
        errs.append(forbidden(child(path, "spec", "ephemeralContainers"), "ephemeral containers not allowed in pod "
                                                                            "template"))
    return errs


def _validate_pod_metadata_and_spec(pod: JSON) -> list[FieldError]:
    """``validatePodMetadataAndSpec``."""
    meta, spec = as_dict(pod.get("metadata")), as_dict(pod.get("spec"))
    errs = validate_kube_object_meta(meta, True, name_is_dns_subdomain)
    errs.extend(validate_pod_specific_annotations(meta.get("annotations"), spec, child("metadata", "annotations")))
    errs.extend(validate_pod_spec(spec, as_str(meta.get("name")), "spec", PodOptions(resource_is_pod=True)))
    if not as_str(spec.get("serviceAccountName")):
        for vi, volume in enumerate(as_dict(v) for v in as_list(spec.get("volumes"))):
            projected = volume.get("projected")
            if not isinstance(projected, dict):
                continue
            for si, source in enumerate(as_dict(s) for s in as_list(projected.get("sources"))):
                if source.get("serviceAccountToken") is not None:
                    errs.append(forbidden(child(index(child(index(child("spec", "volumes"), vi), "projected", "sources"),
                                                      si), "serviceAccountToken"),
                                          "must not be specified when serviceAccountName is not set"))
    for field_name in ("containers", "initContainers"):
        for i, container in enumerate(as_dict(c) for c in as_list(spec.get(field_name))):
            image = as_str(container.get("image"))
            if image != image.strip():
                errs.append(invalid_value(child(index(child("spec", field_name), i), "image"), image,
                                          "must not have leading or trailing whitespace"))
    return errs


def validate_pod_create(pod: JSON) -> list[FieldError]:
    """``ValidatePodCreate``."""
    errs = _validate_pod_metadata_and_spec(pod)
    spec = as_dict(pod.get("spec"))
    if as_list(spec.get("ephemeralContainers")):
        errs.append(forbidden(child("spec", "ephemeralContainers"), "cannot be set on create"))
    if as_str(spec.get("nodeName")) and as_list(spec.get("schedulingGates")):
        errs.append(forbidden(child("spec", "nodeName"), "cannot be set until all schedulingGates have been cleared"))
    return errs


_UPDATABLE_POD_FIELDS = ("`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                         "`spec.tolerations` (only additions to existing tolerations),"
                         "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")


def _validate_pod_annotation_updates(new_meta: JSON, old_meta: JSON) -> list[FieldError]:
    """The update half of ``ValidatePodSpecificAnnotationUpdates``: mirror and AppArmor annotations are fixed."""
    errs: list[FieldError] = []
    new_annotations, old_annotations = as_dict(new_meta.get("annotations")), as_dict(old_meta.get("annotations"))
    path = child("metadata", "annotations")
    for annotation_key, old_value in sorted(old_annotations.items()):
        if annotation_key in new_annotations and new_annotations[annotation_key] == old_value:
            continue
        if annotation_key.startswith(_APPARMOR_CONTAINER_PREFIX):
            errs.append(forbidden(key(path, annotation_key), "may not remove or update AppArmor annotations"))
        if annotation_key == _MIRROR_POD_ANNOTATION:
            errs.append(forbidden(key(path, annotation_key), "may not remove or update mirror pod annotation"))
    for annotation_key in sorted(new_annotations):
        if annotation_key in old_annotations:
            continue
        if annotation_key.startswith(_APPARMOR_CONTAINER_PREFIX):
            errs.append(forbidden(key(path, annotation_key), "may not add AppArmor annotations"))
        if annotation_key == _MIRROR_POD_ANNOTATION:
            errs.append(forbidden(key(path, annotation_key), "may not add mirror pod annotation"))
    return errs


def _validate_container_updates(new: list[Any], old: list[Any], path: str) -> tuple[list[FieldError], bool]:
    """``ValidateContainerUpdates``: the same containers, each with an image."""
    if len(new) != len(old):
        return [forbidden(path, "pod updates may not add or remove containers")], True
    errs: list[FieldError] = []
    for i, container in enumerate(as_dict(c) for c in new):
        image = as_str(container.get("image"))
        if not image:
            errs.append(required(child(index(path, i), "image")))
        if image.strip() != image:
            errs.append(invalid_value(child(index(path, i), "image"), image,
                                      "must not have leading or trailing whitespace"))
    return errs, False


def _toleration_matches(old: JSON, new: JSON) -> bool:
    strip = {k: v for k, v in old.items() if k != "tolerationSeconds"}
    return strip == {k: v for k, v in new.items() if k != "tolerationSeconds"}


def validate_pod_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidatePodUpdate``: a pod's spec is fixed except images, deadlines, tolerations and gates."""
    new_meta, old_meta = as_dict(new.get("metadata")), as_dict(old.get("metadata"))
    new_spec, old_spec = as_dict(new.get("spec")), as_dict(old.get("spec"))
    errs = validate_kube_object_meta_update(new_meta, old_meta)
    errs.extend(_validate_pod_metadata_and_spec(new))
    errs.extend(_validate_pod_annotation_updates(new_meta, old_meta))
    for field_name in ("containers", "initContainers"):
        container_errs, stop = _validate_container_updates(as_list(new_spec.get(field_name)),
                                                           as_list(old_spec.get(field_name)), child("spec", field_name))
        errs.extend(container_errs)
        if stop:
            return errs

    new_deadline, old_deadline = new_spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    deadline_path = child("spec", "activeDeadlineSeconds")
    if new_deadline is not None:
        if as_int(new_deadline) < 0 or as_int(new_deadline) > _MAX_INT32:
            errs.append(invalid_value(deadline_path, as_int(new_deadline), inclusive_range_error(0, _MAX_INT32)))
            return errs
        if old_deadline is not None and as_int(old_deadline) < as_int(new_deadline):
            errs.append(invalid_value(deadline_path, as_int(new_deadline), "must be less than or equal to previous value"))
            return errs
    elif old_deadline is not None:
        errs.append(invalid_value(deadline_path, None, "must not update from a positive integer to nil value",
                                  value_text=NULL_TEXT))

    new_tolerations = [as_dict(t) for t in as_list(new_spec.get("tolerations"))]
    for old_toleration in (as_dict(t) for t in as_list(old_spec.get("tolerations"))):
        if not any(_toleration_matches(old_toleration, t) for t in new_tolerations):
            errs.append(forbidden(child("spec", "tolerations"),
                                  "existing toleration can not be modified except its tolerationSeconds"))
            break
    else:
        errs.extend(validate_tolerations(new_tolerations, child("spec", "tolerations")))

    new_gates = [as_str(as_dict(g).get("name")) for g in as_list(new_spec.get("schedulingGates"))]
    old_gates = {as_str(as_dict(g).get("name")) for g in as_list(old_spec.get("schedulingGates"))}
    for i, gate in enumerate(new_gates):
        if gate not in old_gates:
            errs.append(forbidden(child(index(child("spec", "schedulingGates"), i), "name"),
                                  f"only deletion is allowed, but found new scheduling gate '{gate}'"))

    if semantic(new_spec) == semantic(old_spec):
        return errs
    munged = dict(new_spec)
    for field_name in ("containers", "initContainers"):
        old_containers = as_list(old_spec.get(field_name))
        if field_name in munged:
            munged[field_name] = [{**as_dict(c), "image": as_dict(old_containers[i]).get("image")}
                                  for i, c in enumerate(as_list(munged[field_name]))]
    munged["activeDeadlineSeconds"] = old_deadline
    munged["schedulingGates"] = old_spec.get("schedulingGates")
    munged["tolerations"] = old_spec.get("tolerations")
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if old_grace is not None and as_int(old_grace) < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if old_gates and semantic(munged.get("nodeSelector")) != semantic(old_spec.get("nodeSelector")):
        # A gated pod may gain node-selector terms before it is scheduled.
        old_selector = as_dict(old_spec.get("nodeSelector"))
        new_selector = as_dict(munged.get("nodeSelector"))
        for selector_key, value in sorted(old_selector.items()):
            if new_selector.get(selector_key) != value:
                errs.append(invalid_value(child("spec", "nodeSelector"), None, "only additions to spec.nodeSelector "
                                                                               "are allowed (no mutations or deletions)",
                                          value_text=go_string_map(new_selector)))
                break
        munged["nodeSelector"] = old_spec.get("nodeSelector")
    if semantic(munged) != semantic(old_spec):
        errs.append(forbidden("spec", f"pod updates may not change fields other than {_UPDATABLE_POD_FIELDS}\n"
                                      + spec_diff("core.PodSpec", old_spec, munged)))
    return errs


def _validate_state_transitions(new_statuses: Any, old_statuses: Any, path: str, restart_policy: str,
                                restartable: set[str]) -> list[FieldError]:
    """``ValidateContainerStateTransition``: a container that ended may not run again unless restarted."""
    if restart_policy == "Always":
        return []
    errs: list[FieldError] = []
    new_list = [as_dict(s) for s in as_list(new_statuses)]
    for i, old_status in enumerate(as_dict(s) for s in as_list(old_statuses)):
        terminated = as_dict(old_status.get("state")).get("terminated")
        if not isinstance(terminated, dict):
            continue
        if as_int(terminated.get("exitCode")) != 0 and restart_policy == "OnFailure":
            continue
        if as_str(old_status.get("name")) in restartable:
            continue
        for new_status in new_list:
            if new_status.get("name") == old_status.get("name") and \
                    not isinstance(as_dict(new_status.get("state")).get("terminated"), dict):
                errs.append(forbidden(child(index(path, i), "state"), "may not be transitioned to non-terminated state"))
    return errs


def _validate_ips(status: JSON, field_name: str, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    ips = [as_str(as_dict(entry).get("ip")) for entry in as_list(status.get(field_name))]
    for i, ip in enumerate(ips):
        errs.extend(invalid_value(index(path, i), ip, msg) for msg in is_valid_ip(ip))
    if len(ips) > 1:
        seen: set[str] = set()
        for i, ip in enumerate(ips):
            if ip in seen:
                errs.append(duplicate_value(index(path, i), go_struct("core.PodIP" if field_name == "podIPs"
                                                                      else "core.HostIP", [("IP", go_quote(ip))])))
            seen.add(ip)
        families = {":" in ip for ip in ips}
        if len(families) != 2 or len(ips) > 2:
            errs.append(invalid_value(path, None, "may specify no more than one IP for each IP family",
                                      value_text="[]core." + ("PodIP" if field_name == "podIPs" else "HostIP") + "{"
                                      + ", ".join(go_struct("core." + ("PodIP" if field_name == "podIPs" else "HostIP"),
                                                            [("IP", go_quote(ip))]) for ip in ips) + "}"))
    return errs


def validate_pod_status_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidatePodStatusUpdate``."""
    new_meta, old_meta = as_dict(new.get("metadata")), as_dict(old.get("metadata"))
    errs = validate_kube_object_meta_update(new_meta, old_meta)
    errs.extend(_validate_pod_annotation_updates(new_meta, old_meta))
    errs.extend(validate_pod_specific_annotations(new_meta.get("annotations"), as_dict(new.get("spec")),
                                                  child("metadata", "annotations")))
    new_status, old_status = as_dict(new.get("status")), as_dict(old.get("status"))
    for i, condition in enumerate(as_dict(c) for c in as_list(new_status.get("conditions"))):
        condition_type = as_str(condition.get("type"))
        if condition_type not in ("PodScheduled", "Ready", "Initialized"):
            # Upstream builds this path from "metadata", so it reads metadata.conditions[i].Type.
            errs.extend(validate_qualified_name(condition_type, child(index(child("metadata", "conditions"), i), "Type")))
    if as_str(as_dict(new.get("spec")).get("nodeName")) != as_str(as_dict(old.get("spec")).get("nodeName")):
        errs.append(forbidden(child("status", "nodeName"), "may not be changed directly"))
    nominated = as_str(new_status.get("nominatedNodeName"))
    if nominated and nominated != as_str(old_status.get("nominatedNodeName")):
        errs.extend(invalid_value(child("status", "nominatedNodeName"), nominated, msg)
                    for msg in name_is_dns_subdomain(nominated, False))
    if as_str(new_status.get("qosClass")) != as_str(old_status.get("qosClass")):
        errs.append(invalid_value(child("status", "qosClass"), as_str(new_status.get("qosClass")), FIELD_IMMUTABLE))
    old_spec = as_dict(old.get("spec"))
    restart_policy = as_str(old_spec.get("restartPolicy"))
    restartable = {as_str(as_dict(c).get("name")) for c in as_list(old_spec.get("initContainers"))
                   if as_dict(c).get("restartPolicy") == "Always"}
    errs.extend(_validate_state_transitions(new_status.get("containerStatuses"), old_status.get("containerStatuses"),
                                            child("status", "containerStatuses"), restart_policy, set()))
    errs.extend(_validate_state_transitions(new_status.get("initContainerStatuses"),
                                            old_status.get("initContainerStatuses"),
                                            child("status", "initContainerStatuses"), restart_policy, restartable))
    errs.extend(_validate_state_transitions(new_status.get("ephemeralContainerStatuses"),
                                            old_status.get("ephemeralContainerStatuses"),
                                            child("status", "ephemeralContainerStatuses"), "Never", set()))
    errs.extend(_validate_ips(new_status, "podIPs", child("status", "podIPs")))
    host_ips = [as_str(as_dict(entry).get("ip")) for entry in as_list(new_status.get("hostIPs"))]
    if host_ips and as_str(new_status.get("hostIP")) != host_ips[0]:
        errs.append(invalid_value(child(index(child("status", "hostIPs"), 0), "ip"), host_ips[0],
                                  "must be equal to `hostIP`"))
    errs.extend(_validate_ips(new_status, "hostIPs", child("status", "hostIPs")))
    return errs

