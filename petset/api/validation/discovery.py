"""EndpointSlice validation: port of pkg/apis/discovery/validation/validation.go (v1.32)."""

from __future__ import annotations

from typing import Any

from petset.api.errors import FieldError, duplicate, invalid_value, required, too_many
from petset.api.validation.common import (
    JSON,
    as_dict,
    as_list,
    as_str,
    child,
    immutable,
    index,
    not_supported_values,
)
from petset.api.validation.content import (
    is_fully_qualified_domain_name,
    is_valid_ipv4,
    is_valid_ipv6,
    name_is_dns_subdomain,
)
from petset.api.validation.core import validate_non_special_ip
from petset.api.validation.meta import (
    validate_dns1123_label,
    validate_kube_object_meta,
    validate_kube_object_meta_update,
    validate_labels,
    validate_qualified_name,
)

__all__ = ["validate_endpoint_slice", "validate_endpoint_slice_update"]

_ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_MAX_ENDPOINTS = 1000
_MAX_ADDRESSES = 100
_MAX_PORTS = 20000
_MAX_TOPOLOGY_LABELS = 16
_MAX_ZONE_HINTS = 8


def _validate_address(address: str, address_type: str, path: str) -> list[FieldError]:
    if address_type in ("IPv4", "IPv6"):
        messages = is_valid_ipv4(address) if address_type == "IPv4" else is_valid_ipv6(address)
        if messages:
            return [invalid_value(path, address, msg) for msg in messages]
        return validate_non_special_ip(address, path)
    if address_type == "FQDN":
        if not address:
            return [required(path)]
        shown, messages = is_fully_qualified_domain_name(address)
        return [invalid_value(path, shown, msg) for msg in messages]
    return []


def _validate_hints(hints: JSON, path: str) -> list[FieldError]:
    zones_path = child(path, "forZones")
    zones = [as_dict(z) for z in as_list(hints.get("forZones"))]
    if len(zones) > _MAX_ZONE_HINTS:
        return [too_many(zones_path, len(zones), _MAX_ZONE_HINTS)]
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, zone in enumerate(zones):
        name = as_str(zone.get("name"))
        if name in seen:
            errs.append(duplicate(child(index(zones_path, i), "name"), name))
        seen.add(name)
    return errs


def _validate_endpoints(endpoints: list[Any], address_type: str, path: str) -> list[FieldError]:
    if len(endpoints) > _MAX_ENDPOINTS:
        return [too_many(path, len(endpoints), _MAX_ENDPOINTS)]
    errs: list[FieldError] = []
    for i, endpoint in enumerate(as_dict(e) for e in endpoints):
        item_path = index(path, i)
        addresses_path = child(item_path, "addresses")
        addresses = as_list(endpoint.get("addresses"))
        if not addresses:
            errs.append(required(addresses_path, "must contain at least 1 address"))
        elif len(addresses) > _MAX_ADDRESSES:
            errs.append(too_many(addresses_path, len(addresses), _MAX_ADDRESSES))
        for j, address in enumerate(addresses):
            errs.extend(_validate_address(as_str(address), address_type, index(addresses_path, j)))
        node_name = endpoint.get("nodeName")
        if node_name is not None:
            errs.extend(invalid_value(child(item_path, "nodeName"), as_str(node_name), msg)
                        for msg in name_is_dns_subdomain(as_str(node_name), False))
        topology_path = child(item_path, "deprecatedTopology")
        topology = as_dict(endpoint.get("deprecatedTopology"))
        if len(topology) > _MAX_TOPOLOGY_LABELS:
            errs.append(too_many(topology_path, len(topology), _MAX_TOPOLOGY_LABELS))
        errs.extend(validate_labels(topology, topology_path))
        if endpoint.get("hostname") is not None:
            errs.extend(validate_dns1123_label(as_str(endpoint["hostname"]), child(item_path, "hostname")))
        if isinstance(endpoint.get("hints"), dict):
            errs.extend(_validate_hints(endpoint["hints"], child(item_path, "hints")))
    return errs


def _validate_ports(ports: list[Any], path: str) -> list[FieldError]:
    if len(ports) > _MAX_PORTS:
        return [too_many(path, len(ports), _MAX_PORTS)]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(as_dict(p) for p in ports):
        item_path = index(path, i)
        name = as_str(port.get("name"))
        if name:
            errs.extend(validate_dns1123_label(name, child(item_path, "name")))
        if name in names:
            errs.append(duplicate(child(item_path, "name"), name))
        else:
            names.add(name)
        protocol = port.get("protocol")
        if protocol is None:
            errs.append(required(child(item_path, "protocol")))
        elif protocol not in _PROTOCOLS:
            errs.append(not_supported_values(child(item_path, "protocol"), protocol, _PROTOCOLS))
        if port.get("appProtocol") is not None:
            errs.extend(validate_qualified_name(as_str(port["appProtocol"]), child(item_path, "appProtocol")))
    return errs


def validate_endpoint_slice(endpoint_slice: JSON) -> list[FieldError]:
    """``ValidateEndpointSlice``."""
    errs = validate_kube_object_meta(as_dict(endpoint_slice.get("metadata")), True, name_is_dns_subdomain)
    address_type = as_str(endpoint_slice.get("addressType"))
    if not address_type:
        errs.append(required("addressType"))
    elif address_type not in _ADDRESS_TYPES:
        errs.append(not_supported_values("addressType", address_type, _ADDRESS_TYPES))
    errs.extend(_validate_endpoints(as_list(endpoint_slice.get("endpoints")), address_type, "endpoints"))
    errs.extend(_validate_ports(as_list(endpoint_slice.get("ports")), "ports"))
    return errs


def validate_endpoint_slice_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateEndpointSliceUpdate``: the address type is fixed."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    errs.extend(validate_endpoint_slice(new))
    errs.extend(immutable(as_str(new.get("addressType")), as_str(old.get("addressType")), "addressType"))
    return errs
