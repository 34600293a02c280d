"""Core kinds other than pods and volumes: Service, Endpoints, Node, Namespace, ConfigMap, Secret,
ServiceAccount and Event.

Port of the matching functions of pkg/apis/core/validation/validation.go and events.go (v1.32).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
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
    immutable,
    index,
    key,
    not_supported_values,
)
from petset.api.validation.content import (
    is_config_map_key,
    is_dns1123_subdomain,
    is_valid_ip,
    is_valid_label_value,
    is_valid_port_name,
    is_valid_port_num,
    name_is_dns1035_label,
    name_is_dns_label,
    name_is_dns_subdomain,
    parse_ip_sloppy,
)
from petset.api.validation.gofmt import go_int_or_string_struct, go_ptr, go_quote, go_string_slice, go_struct
from petset.api.validation.meta import (
    NULL_TEXT,
    validate_dns1123_label,
    validate_finalizer_name,
    validate_kube_object_meta,
    validate_kube_object_meta_update,
    validate_label_name,
    validate_labels,
    validate_object_meta,
    validate_qualified_name,
)
from petset.api.validation.quantities import parse_quantity, validate_resource_quantity_value

__all__ = [
    "validate_config_map",
    "validate_config_map_update",
    "validate_endpoints",
    "validate_endpoints_update",
    "validate_event",
    "validate_event_update",
    "validate_namespace",
    "validate_namespace_status_update",
    "validate_namespace_update",
    "validate_node",
    "validate_node_update",
    "validate_non_special_ip",
    "validate_secret",
    "validate_secret_update",
    "validate_service",
    "validate_service_account",
    "validate_service_account_update",
    "validate_service_status_update",
    "validate_service_update",
]

_PROTOCOLS = ("SCTP", "TCP", "UDP")
_MAX_SECRET_SIZE = 1024 * 1024
_MAX_CLIENT_IP_AFFINITY_SECONDS = 86400
_INVALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
_STANDARD_FINALIZERS = {"kubernetes", "orphan", "foregroundDeletion"}


def _validate_ip(value: str, path: str) -> list[FieldError]:
    return [invalid_value(path, value, msg) for msg in is_valid_ip(value)]


def _validate_cidr(value: str, path: str) -> list[FieldError]:
    """``IsValidCIDR`` (sloppy, as in v1.32: host bits may be set, IPv4 may have leading zeros)."""
    address, _, prefix = value.partition("/")
    ip = parse_ip_sloppy(address)
    if ip is None or not prefix.isdigit():
        return [invalid_value(path, value, _INVALID_CIDR)]
    try:
        ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    except ValueError:
        return [invalid_value(path, value, _INVALID_CIDR)]
    return []


def _is_link_local_multicast(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv4Address):
        return ip in ipaddress.ip_network("224.0.0.0/24")
    return ip.packed[0] == 0xFF and ip.packed[1] & 0x0F == 0x02


def validate_non_special_ip(value: str, path: str) -> list[FieldError]:
    """``ValidateNonSpecialIP``: endpoints may not be unspecified, loopback or link-local addresses."""
    ip = parse_ip_sloppy(value)
    if ip is None:
        return [invalid_value(path, value, "must be a valid IP address")]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    errs: list[FieldError] = []
    if ip.is_unspecified:
        errs.append(invalid_value(path, value, f"may not be unspecified ({value})"))
    if ip.is_loopback:
        errs.append(invalid_value(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
    if ip.is_link_local:
        errs.append(invalid_value(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    if _is_link_local_multicast(ip):
        errs.append(invalid_value(path, value,
                                  "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
    return errs


def _port_num_or_name(port: Any, path: str) -> list[FieldError]:
    if isinstance(port, int) and not isinstance(port, bool):
        return [invalid_value(path, port, msg) for msg in is_valid_port_num(port)]
    return [invalid_value(path, as_str(port), msg) for msg in is_valid_port_name(as_str(port))]


# --- Service ------------------------------------------------------------------------------------------

def _is_headless(spec: JSON) -> bool:
    ips = as_list(spec.get("clusterIPs"))
    return len(ips) == 1 and ips[0] == "None"


def _service_port_text(protocol: str, port: int) -> str:
    return go_struct("core.ServicePort", [
        ("Name", '""'), ("Protocol", go_quote(protocol)), ("AppProtocol", go_ptr("string", False)),
        ("Port", str(port)), ("TargetPort", go_int_or_string_struct(0)), ("NodePort", "0")])


def _validate_service_port(port: JSON, require_name: bool, names: set[str], path: str) -> list[FieldError]:
    """``validateServicePort``."""
    errs: list[FieldError] = []
    name = as_str(port.get("name"))
    if require_name and not name:
        errs.append(required(child(path, "name")))
    elif name:
        errs.extend(validate_dns1123_label(name, child(path, "name")))
        if name in names:
            errs.append(duplicate(child(path, "name"), name))
        else:
            names.add(name)
    number = as_int(port.get("port"))
    errs.extend(invalid_value(child(path, "port"), number, msg) for msg in is_valid_port_num(number))
    protocol = as_str(port.get("protocol"))
    if not protocol:
        errs.append(required(child(path, "protocol")))
    elif protocol not in _PROTOCOLS:
        errs.append(not_supported_values(child(path, "protocol"), protocol, _PROTOCOLS))
    target = port.get("targetPort")
    errs.extend(_port_num_or_name(0 if target is None else target, child(path, "targetPort")))
    if port.get("appProtocol") is not None:
        errs.extend(validate_qualified_name(as_str(port["appProtocol"]), child(path, "appProtocol")))
    return errs


def _validate_cluster_ips(spec: JSON) -> list[FieldError]:
    """``ValidateServiceClusterIPsRelatedFields``."""
    if spec.get("type") == "ExternalName":
        return []
    errs: list[FieldError] = []
    ips_path = child("spec", "clusterIPs")
    cluster_ip = as_str(spec.get("clusterIP"))
    cluster_ips = [as_str(ip) for ip in as_list(spec.get("clusterIPs"))]
    if cluster_ip:
        if not cluster_ips:
            errs.append(required(ips_path))
        elif cluster_ips[0] != cluster_ip:
            errs.append(invalid_value(ips_path, cluster_ips, "first value must match `clusterIP`"))
    elif cluster_ips:
        errs.append(invalid_value(ips_path, cluster_ips, "must be empty when `clusterIP` is not specified"))
    seen_families: set[str] = set()
    for i, family in enumerate(as_list(spec.get("ipFamilies"))):
        family_path = index(child("spec", "ipFamilies"), i)
        if family not in ("IPv4", "IPv6"):
            errs.append(not_supported_values(family_path, family, ("IPv4", "IPv6")))
        if family in seen_families:
            errs.append(duplicate(family_path, family))
        seen_families.add(as_str(family))
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in ("PreferDualStack", "RequireDualStack", "SingleStack"):
        errs.append(not_supported_values(child("spec", "ipFamilyPolicy"), policy,
                                         ("PreferDualStack", "RequireDualStack", "SingleStack")))
    has_invalid = False
    for i, ip in enumerate(cluster_ips):
        if i == 0 and ip == "None":
            if len(cluster_ips) > 1:
                has_invalid = True
                errs.append(invalid_value(ips_path, cluster_ips, "'None' must be the first and only value"))
            continue
        ip_errs = _validate_ip(ip, index(ips_path, i))
        has_invalid = has_invalid or bool(ip_errs)
        errs.extend(ip_errs)
    if len(cluster_ips) > 2:
        errs.append(invalid_value(ips_path, cluster_ips, "may only hold up to 2 values"))
    if has_invalid:
        return errs
    if len(cluster_ips) > 1 and len({":" in ip for ip in cluster_ips}) != len(cluster_ips):
        errs.append(invalid_value(ips_path, cluster_ips, "may specify no more than one IP for each IP family"))
    families = as_list(spec.get("ipFamilies"))
    if not _is_headless(spec) and cluster_ips and families:
        for i, ip in enumerate(cluster_ips[:len(families)]):
            if families[i] == "IPv4" and ":" in ip:
                errs.append(invalid_value(index(ips_path, i), ip,
                                          f"expected an IPv4 value as indicated by `ipFamilies[{i}]`"))
            if families[i] == "IPv6" and ":" not in ip:
                errs.append(invalid_value(index(ips_path, i), ip,
                                          f"expected an IPv6 value as indicated by `ipFamilies[{i}]`"))
    return errs


def _externally_accessible(spec: JSON) -> bool:
    service_type = spec.get("type")
    return service_type in ("LoadBalancer", "NodePort") or (
        service_type == "ClusterIP" and bool(as_list(spec.get("externalIPs"))))


def validate_service(service: JSON) -> list[FieldError]:
    """``ValidateService``."""
    meta = as_dict(service.get("metadata"))
    spec = as_dict(service.get("spec"))
    errs = validate_kube_object_meta(meta, True, name_is_dns1035_label)
    annotations = as_dict(meta.get("annotations"))
    hints, mode = annotations.get("service.kubernetes.io/topology-aware-hints"), annotations.get(
        "service.kubernetes.io/topology-mode")
    if hints is not None and mode is not None and hints != mode:
        errs.append(invalid_value(key(child("metadata", "annotations"), "service.kubernetes.io/topology-mode"), mode,
                                  "must match annotations[service.kubernetes.io/topology-aware-hints] when both "
                                  "are specified"))
    ports = [as_dict(p) for p in as_list(spec.get("ports"))]
    service_type = as_str(spec.get("type"))
    headless = _is_headless(spec)
    if not ports and not headless and service_type != "ExternalName":
        errs.append(required(child("spec", "ports")))
    if service_type in ("LoadBalancer", "NodePort") and headless:
        errs.append(invalid_value(index(child("spec", "clusterIPs"), 0), "None",
                                  f"may not be set to 'None' for {service_type} services"))
    elif service_type == "ExternalName":
        if as_list(spec.get("clusterIPs")):
            errs.append(forbidden(child("spec", "clusterIPs"), "may not be set for ExternalName services"))
        if as_list(spec.get("ipFamilies")):
            errs.append(forbidden(child("spec", "ipFamilies"), "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy") is not None:
            errs.append(forbidden(child("spec", "ipFamilyPolicy"), "may not be set for ExternalName services"))
        cname = as_str(spec.get("externalName")).removesuffix(".")
        if cname:
            errs.extend(invalid_value(child("spec", "externalName"), cname, msg) for msg in is_dns1123_subdomain(cname))
        else:
            errs.append(required(child("spec", "externalName")))
    names: set[str] = set()
    for i, port in enumerate(ports):
        errs.extend(_validate_service_port(port, len(ports) > 1, names, index(child("spec", "ports"), i)))
    if spec.get("selector") is not None:
        errs.extend(validate_labels(spec.get("selector"), child("spec", "selector")))
    affinity = as_str(spec.get("sessionAffinity"))
    if not affinity:
        errs.append(required(child("spec", "sessionAffinity")))
    elif affinity not in ("ClientIP", "None"):
        errs.append(not_supported_values(child("spec", "sessionAffinity"), affinity, ("ClientIP", "None")))
    config_path = child("spec", "sessionAffinityConfig")
    if affinity == "ClientIP":
        config = spec.get("sessionAffinityConfig")
        detail = "when session affinity type is ClientIP"
        client_ip = as_dict(config).get("clientIP")
        if not isinstance(config, dict):
            errs.append(required(config_path, detail))
        elif not isinstance(client_ip, dict):
            errs.append(required(child(config_path, "clientIP"), detail))
        elif client_ip.get("timeoutSeconds") is None:
            errs.append(required(child(config_path, "clientIP", "timeoutSeconds"), detail))
        else:
            timeout = as_int(client_ip["timeoutSeconds"])
            if timeout <= 0 or timeout > _MAX_CLIENT_IP_AFFINITY_SECONDS:
                errs.append(invalid_value(child(config_path, "clientIP", "timeoutSeconds"), timeout,
                                          f"must be greater than 0 and less than {_MAX_CLIENT_IP_AFFINITY_SECONDS}"))
    elif affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.append(forbidden(config_path, "must not be set when session affinity is None"))
    errs.extend(_validate_cluster_ips(spec))
    for i, ip in enumerate(as_str(v) for v in as_list(spec.get("externalIPs"))):
        ip_path = index(child("spec", "externalIPs"), i)
        ip_errs = _validate_ip(ip, ip_path)
        errs.extend(ip_errs or validate_non_special_ip(ip, ip_path))
    if not service_type:
        errs.append(required(child("spec", "type")))
    elif service_type not in ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort"):
        errs.append(not_supported_values(child("spec", "type"), service_type,
                                         ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")))
    if service_type == "ClusterIP":
        for i, port in enumerate(ports):
            if as_int(port.get("nodePort")) != 0:
                errs.append(forbidden(child(index(child("spec", "ports"), i), "nodePort"),
                                      "may not be used when `type` is 'ClusterIP'"))
    node_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        node_port = as_int(port.get("nodePort"))
        if node_port == 0:
            continue
        pair = (as_str(port.get("protocol")), node_port)
        if pair in node_ports:
            errs.append(duplicate(child(index(child("spec", "ports"), i), "nodePort"), node_port))
        node_ports.add(pair)
    seen_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        pair = (as_str(port.get("protocol")), as_int(port.get("port")))
        if pair in seen_ports:
            errs.append(duplicate_value(index(child("spec", "ports"), i), _service_port_text(*pair)))
        seen_ports.add(pair)
    source_ranges = [as_str(r) for r in as_list(spec.get("loadBalancerSourceRanges"))]
    ranges_annotation = annotations.get("service.beta.kubernetes.io/load-balancer-source-ranges")
    if source_ranges:
        ranges_path = child("spec", "LoadBalancerSourceRanges")
        if service_type != "LoadBalancer":
            errs.append(forbidden(ranges_path, "may only be used when `type` is 'LoadBalancer'"))
        for i, value in enumerate(source_ranges):
            errs.extend(_validate_cidr(value.strip(), index(ranges_path, i)))
    elif ranges_annotation is not None:
        annotation_path = key(child("metadata", "annotations"), "service.beta.kubernetes.io/load-balancer-source-ranges")
        if service_type != "LoadBalancer":
            errs.append(forbidden(annotation_path, "may only be used when `type` is 'LoadBalancer'"))
        text = as_str(ranges_annotation).strip()
        if text:
            for value in text.split(","):
                errs.extend(_validate_cidr(value.strip(), annotation_path))
    if spec.get("allocateLoadBalancerNodePorts") is not None and service_type != "LoadBalancer":
        errs.append(forbidden(child("spec", "allocateLoadBalancerNodePorts"),
                              "may only be used when `type` is 'LoadBalancer'"))
    if service_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errs.append(required("allocateLoadBalancerNodePorts"))
    lb_class = spec.get("loadBalancerClass")
    if lb_class is not None:
        if service_type != "LoadBalancer":
            errs.append(invalid_value(child("spec", "loadBalancerClass"), as_str(lb_class),
                                      "may only be used when `type` is 'LoadBalancer'"))
        else:
            errs.extend(validate_qualified_name(as_str(lb_class), child("spec", "loadBalancerClass")))
    traffic_policy = as_str(spec.get("externalTrafficPolicy"))
    if not _externally_accessible(spec):
        if traffic_policy:
            errs.append(invalid_value(child("spec", "externalTrafficPolicy"), traffic_policy,
                                      "may only be set for externally-accessible services"))
    elif not traffic_policy:
        errs.append(required(child("spec", "externalTrafficPolicy")))
    elif traffic_policy not in ("Cluster", "Local"):
        errs.append(not_supported_values(child("spec", "externalTrafficPolicy"), traffic_policy, ("Cluster", "Local")))
    health_port = as_int(spec.get("healthCheckNodePort"))
    if not (service_type == "LoadBalancer" and traffic_policy == "Local"):
        if health_port != 0:
            errs.append(invalid_value(child("spec", "healthCheckNodePort"), health_port,
                                      "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` "
                                      "is 'Local'"))
    elif health_port == 0:
        errs.append(required(child("spec", "healthCheckNodePort")))
    else:
        errs.extend(invalid_value(child("spec", "healthCheckNodePort"), health_port, msg)
                    for msg in is_valid_port_num(health_port))
    internal_policy = spec.get("internalTrafficPolicy")
    if internal_policy is None:
        if service_type in ("NodePort", "LoadBalancer", "ClusterIP"):
            errs.append(required(child("spec", "internalTrafficPolicy")))
    elif internal_policy not in ("Cluster", "Local"):
        errs.append(not_supported_values(child("spec", "internalTrafficPolicy"), internal_policy, ("Cluster", "Local")))
    distribution = spec.get("trafficDistribution")
    if distribution is not None and distribution != "PreferClose":
        errs.append(not_supported_values(child("spec", "trafficDistribution"), distribution, ("PreferClose",)))
    return errs


def _validate_cluster_ips_update(new_spec: JSON, old_spec: JSON) -> list[FieldError]:
    """``validateUpgradeDowngradeClusterIPs``: the primary cluster IP never changes once allocated."""
    if "ExternalName" in (new_spec.get("type"), old_spec.get("type")):
        return []
    if _is_headless(new_spec) and _is_headless(old_spec):
        return []
    new_ips = [as_str(ip) for ip in as_list(new_spec.get("clusterIPs"))]
    old_ips = [as_str(ip) for ip in as_list(old_spec.get("clusterIPs"))]
    ips_path = child("spec", "clusterIPs")
    errs: list[FieldError] = []
    if len(old_ips) == len(new_ips):
        for i, ip in enumerate(old_ips):
            if ip != new_ips[i]:
                errs.append(invalid_value(index(ips_path, i), new_ips, "may not change once set"))
    elif len(old_ips) > len(new_ips):
        if not new_ips:
            errs.append(invalid_value(index(ips_path, 0), new_ips, "primary clusterIP can not be unset",
                                      value_text=go_string_slice(new_ips)))
        if old_ips and new_ips and new_ips[0] != old_ips[0]:
            errs.append(invalid_value(index(ips_path, 0), new_ips, "may not change once set"))
        if len(new_ips) == 1 and new_spec.get("ipFamilyPolicy") != "SingleStack":
            policy = new_spec.get("ipFamilyPolicy")
            errs.append(invalid_value(child("spec", "ipFamilyPolicy"), policy,
                                      "must be set to 'SingleStack' when releasing the secondary clusterIP",
                                      value_text=NULL_TEXT if policy is None else None))
    elif old_ips and new_ips[0] != old_ips[0]:
        errs.append(invalid_value(index(ips_path, 0), new_ips, "may not change once set"))
    return errs


def _validate_ip_families_update(new_spec: JSON, old_spec: JSON) -> list[FieldError]:
    """``validateUpgradeDowngradeIPFamilies``."""
    if "ExternalName" in (new_spec.get("type"), old_spec.get("type")):
        return []
    if _is_headless(new_spec) or _is_headless(old_spec):
        return []
    new_families = [as_str(f) for f in as_list(new_spec.get("ipFamilies"))]
    old_families = [as_str(f) for f in as_list(old_spec.get("ipFamilies"))]
    families_path = index(child("spec", "ipFamilies"), 0)
    errs: list[FieldError] = []
    if len(old_families) == len(new_families):
        for i, family in enumerate(old_families):
            if family != new_families[i]:
                errs.append(invalid_value(families_path, new_families, "may not change once set",
                                          value_text=go_string_slice(new_families, "[]core.IPFamily")))
    elif len(old_families) > len(new_families):
        if not as_list(new_spec.get("clusterIPs")):
            errs.append(invalid_value(families_path, None, "primary ipFamily can not be unset",
                                      value_text=go_string_slice(new_families, "[]core.IPFamily")))
        if new_families and new_families[0] != old_families[0]:
            errs.append(invalid_value(families_path, as_list(new_spec.get("clusterIPs")), "may not change once set"))
        if len(new_families) == 1 and new_spec.get("ipFamilyPolicy") != "SingleStack":
            policy = new_spec.get("ipFamilyPolicy")
            errs.append(invalid_value(child("spec", "ipFamilyPolicy"), policy,
                                      "must be set to 'SingleStack' when releasing the secondary ipFamily",
                                      value_text=NULL_TEXT if policy is None else None))
    elif old_families and new_families and new_families[0] != old_families[0]:
        errs.append(invalid_value(families_path, as_list(new_spec.get("clusterIPs")), "may not change once set"))
    return errs


def validate_service_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateServiceUpdate``."""
    new_spec, old_spec = as_dict(new.get("spec")), as_dict(old.get("spec"))
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    errs.extend(_validate_cluster_ips_update(new_spec, old_spec))
    errs.extend(_validate_ip_families_update(new_spec, old_spec))
    if old_spec.get("type") == "LoadBalancer" and new_spec.get("type") == "LoadBalancer" and \
            new_spec.get("loadBalancerClass") != old_spec.get("loadBalancerClass"):
        errs.append(invalid_value(child("spec", "loadBalancerClass"), new_spec.get("loadBalancerClass"),
                                  "may not change once set",
                                  value_text=NULL_TEXT if new_spec.get("loadBalancerClass") is None else None))
    needs_check = [spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"
                   for spec in (old_spec, new_spec)]
    if all(needs_check) and as_int(new_spec.get("healthCheckNodePort")) != as_int(old_spec.get("healthCheckNodePort")):
        errs.append(forbidden(child("spec", "healthCheckNodePort"), FIELD_IMMUTABLE))
    errs.extend(validate_service(new))
    return errs


def validate_service_status_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateServiceStatusUpdate``: load-balancer ingress only for LoadBalancer services."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    ingress_path = child("status", "loadBalancer", "ingress")
    ingress = [as_dict(i) for i in as_list(as_dict(as_dict(new.get("status")).get("loadBalancer")).get("ingress"))]
    if as_dict(new.get("spec")).get("type") != "LoadBalancer" and ingress:
        errs.append(forbidden(ingress_path, "may only be used when `spec.type` is 'LoadBalancer'"))
        return errs
    for i, entry in enumerate(ingress):
        item_path = index(ingress_path, i)
        ip, hostname = as_str(entry.get("ip")), as_str(entry.get("hostname"))
        if ip:
            errs.extend(_validate_ip(ip, child(item_path, "ip")))
        if entry.get("ipMode") is None:
            if ip:
                errs.append(required(child(item_path, "ipMode"), "must be specified when `ip` is set"))
        elif not ip:
            errs.append(forbidden(child(item_path, "ipMode"), "may not be specified when `ip` is not set"))
        elif entry["ipMode"] not in ("Proxy", "VIP"):
            errs.append(not_supported_values(child(item_path, "ipMode"), entry["ipMode"], ("Proxy", "VIP")))
        if hostname:
            errs.extend(invalid_value(child(item_path, "hostname"), hostname, msg)
                        for msg in is_dns1123_subdomain(hostname))
            if parse_ip_sloppy(hostname) is not None:
                errs.append(invalid_value(child(item_path, "hostname"), hostname,
                                          "must be a DNS name, not an IP address"))
    return errs


# --- Endpoints ----------------------------------------------------------------------------------------

def _validate_endpoint_address(address: JSON, path: str) -> list[FieldError]:
    ip = as_str(address.get("ip"))
    errs = _validate_ip(ip, child(path, "ip"))
    hostname = as_str(address.get("hostname"))
    if hostname:
        errs.extend(validate_dns1123_label(hostname, child(path, "hostname")))
    node_name = address.get("nodeName")
    if node_name is not None:
        errs.extend(invalid_value(child(path, "nodeName"), as_str(node_name), msg)
                    for msg in name_is_dns_subdomain(as_str(node_name), False))
    errs.extend(validate_non_special_ip(ip, child(path, "ip")))
    return errs


def _validate_endpoint_port(port: JSON, require_name: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = as_str(port.get("name"))
    if require_name and not name:
        errs.append(required(child(path, "name")))
    elif name:
        errs.extend(validate_dns1123_label(name, child(path, "name")))
    number = as_int(port.get("port"))
    errs.extend(invalid_value(child(path, "port"), number, msg) for msg in is_valid_port_num(number))
    protocol = as_str(port.get("protocol"))
    if not protocol:
        errs.append(required(child(path, "protocol")))
    elif protocol not in _PROTOCOLS:
        errs.append(not_supported_values(child(path, "protocol"), protocol, _PROTOCOLS))
    if port.get("appProtocol") is not None:
        errs.extend(validate_qualified_name(as_str(port["appProtocol"]), child(path, "appProtocol")))
    return errs


def validate_endpoints(endpoints: JSON) -> list[FieldError]:
    """``ValidateEndpoints``."""
    errs = validate_kube_object_meta(as_dict(endpoints.get("metadata")), True, name_is_dns_subdomain)
    for i, subset in enumerate(as_dict(s) for s in as_list(endpoints.get("subsets"))):
        subset_path = index("subsets", i)
        addresses, not_ready = as_list(subset.get("addresses")), as_list(subset.get("notReadyAddresses"))
        if not addresses and not not_ready:
            errs.append(required(subset_path, "must specify `addresses` or `notReadyAddresses`"))
        for field_name, items in (("addresses", addresses), ("notReadyAddresses", not_ready)):
            for j, address in enumerate(items):
                errs.extend(_validate_endpoint_address(as_dict(address), index(child(subset_path, field_name), j)))
        ports = as_list(subset.get("ports"))
        for j, port in enumerate(ports):
            errs.extend(_validate_endpoint_port(as_dict(port), len(ports) > 1, index(child(subset_path, "ports"), j)))
    return errs


def validate_endpoints_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateEndpointsUpdate``."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    errs.extend(validate_endpoints(new))
    return errs


# --- Node ---------------------------------------------------------------------------------------------

def _validate_taints(taints: Any, path: str) -> list[FieldError]:
    """``validateNodeTaints``: taints are unique by (key, effect)."""
    errs: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    effects = ("NoSchedule", "PreferNoSchedule", "NoExecute")
    for i, taint in enumerate(as_dict(t) for t in as_list(taints)):
        item_path = index(path, i)
        taint_key, value, effect = as_str(taint.get("key")), as_str(taint.get("value")), as_str(taint.get("effect"))
        errs.extend(validate_label_name(taint_key, child(item_path, "key")))
        messages = is_valid_label_value(value)
        if messages:
            errs.append(invalid_value(child(item_path, "value"), value, ";".join(messages)))
        if not effect:
            errs.append(required(child(item_path, "effect")))
        elif effect not in effects:
            errs.append(not_supported_values(child(item_path, "effect"), effect, effects))
        if (taint_key, effect) in seen:
            text = go_struct("core.Taint", [("Key", go_quote(taint_key)), ("Value", go_quote(value)),
                                            ("Effect", go_quote(effect)),
                                            ("TimeAdded", go_ptr("v1.Time", taint.get("timeAdded") is not None))])
            errs.append(FieldError("Duplicate value", item_path, None, "taints must be unique by key and effect pair",
                                   text))
            continue
        seen.add((taint_key, effect))
    return errs


def _validate_node_resources(status: JSON) -> list[FieldError]:
    """``ValidateNodeResources``: paths read status.capacity.<name>, as upstream builds them."""
    errs: list[FieldError] = []
    for field_name in ("capacity", "allocatable"):
        for name, raw in sorted(as_dict(status.get(field_name)).items()):
            item_path = child("status", field_name, name)
            q, parse_errs = parse_quantity(raw, item_path)
            errs.extend(parse_errs)
            if q is not None:
                errs.extend(validate_resource_quantity_value(name, q, item_path))
    return errs


def validate_node(node: JSON) -> list[FieldError]:
    """``ValidateNode``."""
    spec = as_dict(node.get("spec"))
    errs = validate_kube_object_meta(as_dict(node.get("metadata")), False, name_is_dns_subdomain)
    if as_list(spec.get("taints")):
        # Upstream hangs spec.taints errors off the metadata path.
        errs.extend(_validate_taints(spec.get("taints"), child("metadata", "taints")))
    errs.extend(_validate_node_resources(as_dict(node.get("status"))))
    cidrs = [as_str(c) for c in as_list(spec.get("podCIDRs"))]
    cidrs_path = child("spec", "podCIDRs")
    for i, cidr in enumerate(cidrs):
        errs.extend(_validate_cidr(cidr, index(cidrs_path, i)))
    if len(cidrs) > 1:
        if len({":" in c for c in cidrs}) != 2 or len(cidrs) > 2:
            errs.append(invalid_value(cidrs_path, cidrs, "may specify no more than one CIDR for each IP family"))
        seen: set[str] = set()
        for i, cidr in enumerate(cidrs):
            if cidr in seen:
                errs.append(duplicate(index(cidrs_path, i), cidr))
            seen.add(cidr)
    return errs


def validate_node_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateNodeUpdate`` (also the rule for node status updates)."""
    new_spec, old_spec = as_dict(new.get("spec")), as_dict(old.get("spec"))
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    status = as_dict(new.get("status"))
    errs.extend(_validate_node_resources(status))
    seen_addresses: set[tuple[str, str]] = set()
    for i, address in enumerate(as_dict(a) for a in as_list(status.get("addresses"))):
        pair = (as_str(address.get("type")), as_str(address.get("address")))
        if pair in seen_addresses:
            errs.append(duplicate_value(index(child("status", "addresses"), i), go_struct(
                "core.NodeAddress", [("Type", go_quote(pair[0])), ("Address", go_quote(pair[1]))])))
        seen_addresses.add(pair)
    old_cidrs, new_cidrs = as_list(old_spec.get("podCIDRs")), as_list(new_spec.get("podCIDRs"))
    cidr_message = 'node updates may not change podCIDR except from "" to valid'
    if old_cidrs:
        if len(old_cidrs) != len(new_cidrs):
            errs.append(forbidden(child("spec", "podCIDRs"), cidr_message))
        else:
            errs.extend(forbidden(child("spec", "podCIDRs"), cidr_message)
                        for old_cidr, new_cidr in zip(old_cidrs, new_cidrs, strict=True) if old_cidr != new_cidr)
    old_provider = as_str(old_spec.get("providerID"))
    if old_provider and old_provider != as_str(new_spec.get("providerID")):
        errs.append(forbidden(child("spec", "providerID"),
                              'node updates may not change providerID except from "" to valid'))
    if as_list(new_spec.get("taints")):
        errs.extend(_validate_taints(new_spec.get("taints"), child("metadata", "taints")))
    if as_str(new_spec.get("externalID")) != as_str(old_spec.get("externalID")):
        errs.append(forbidden(child("spec", "externalID"), "may not be updated"))
    return errs


# --- Namespace ----------------------------------------------------------------------------------------

def _validate_namespace_finalizer(name: str, path: str) -> list[FieldError]:
    """``validateFinalizerName``: qualified, and a bare name must be a standard one."""
    errs = validate_finalizer_name(name, path)
    if "/" not in name and name not in _STANDARD_FINALIZERS:
        errs.append(invalid_value(path, name, "name is neither a standard finalizer name nor is it fully qualified"))
    return errs


def validate_namespace(namespace: JSON) -> list[FieldError]:
    """``ValidateNamespace``: a DNS label, since it becomes part of DNS names."""
    errs = validate_kube_object_meta(as_dict(namespace.get("metadata")), False, name_is_dns_label)
    for name in as_list(as_dict(namespace.get("spec")).get("finalizers")):
        errs.extend(_validate_namespace_finalizer(as_str(name), child("spec", "finalizers")))
    return errs


def validate_namespace_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateNamespaceUpdate``."""
    return validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))


def validate_namespace_status_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateNamespaceStatusUpdate``: the phase follows the deletion timestamp."""
    meta = as_dict(new.get("metadata"))
    errs = validate_kube_object_meta_update(meta, as_dict(old.get("metadata")))
    phase = as_str(as_dict(new.get("status")).get("phase"))
    if not meta.get("deletionTimestamp"):
        if phase != "Active":
            errs.append(invalid_value(child("status", "Phase"), phase, "may only be 'Active' if `deletionTimestamp` "
                                                                        "is empty"))
    elif phase != "Terminating":
        errs.append(invalid_value(child("status", "Phase"), phase, "may only be 'Terminating' if `deletionTimestamp` "
                                                                    "is not empty"))
    return errs


# --- ConfigMap, Secret, ServiceAccount ------------------------------------------------------------------

def _decoded_length(value: Any) -> int:
    try:
        return len(base64.b64decode(as_str(value), validate=False))
    except (binascii.Error, ValueError):
        return len(as_str(value))


def validate_config_map(config_map: JSON) -> list[FieldError]:
    """``ValidateConfigMap``: keys become file names; the whole payload is at most 1 MiB."""
    errs = validate_kube_object_meta(as_dict(config_map.get("metadata")), True, name_is_dns_subdomain)
    data, binary = as_dict(config_map.get("data")), as_dict(config_map.get("binaryData"))
    total = 0
    for data_key, value in sorted(data.items()):
        errs.extend(invalid_value(key("data", data_key), data_key, msg) for msg in is_config_map_key(data_key))
        if data_key in binary:
            errs.append(invalid_value(key("data", data_key), data_key, "duplicate of key present in binaryData"))
        total += len(as_str(value).encode())
    for data_key, value in sorted(binary.items()):
        errs.extend(invalid_value(key("binaryData", data_key), data_key, msg) for msg in is_config_map_key(data_key))
        total += _decoded_length(value)
    if total > _MAX_SECRET_SIZE:
        errs.append(too_long("", _MAX_SECRET_SIZE))
    return errs


def _immutable_payload(new: JSON, old: JSON, fields: tuple[str, ...]) -> list[FieldError]:
    if old.get("immutable") is not True:
        return []
    errs: list[FieldError] = []
    if new.get("immutable") is not True:
        errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
    for field_name in fields:
        if as_dict(new.get(field_name)) != as_dict(old.get(field_name)):
            errs.append(forbidden(field_name, "field is immutable when `immutable` is set"))
    return errs


def validate_config_map_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateConfigMapUpdate``."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    errs.extend(_immutable_payload(new, old, ("data", "binaryData")))
    errs.extend(validate_config_map(new))
    return errs


def _secret_data(secret: JSON) -> dict[str, bytes]:
    """The internal Secret's data: base64 ``data`` plus ``stringData``, which conversion merges in."""
    data: dict[str, bytes] = {}
    for data_key, value in as_dict(secret.get("data")).items():
        try:
            data[data_key] = base64.b64decode(as_str(value), validate=False)
        except (binascii.Error, ValueError):
            data[data_key] = as_str(value).encode()
    for data_key, value in as_dict(secret.get("stringData")).items():
        data[data_key] = as_str(value).encode()
    return data


def _json_error(payload: bytes) -> str | None:
    """A Go-shaped ``json.Unmarshal`` error for a payload that is not a JSON object, else None."""
    try:
        parsed = json.loads(payload.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        if not payload.strip():
            return "unexpected end of JSON input"
        char = payload.decode("utf-8", errors="replace")[exc.pos:exc.pos + 1]
        return f"invalid character '{char}' looking for beginning of value" if char else "unexpected end of JSON input"
    if not isinstance(parsed, dict):
        return f"json: cannot unmarshal {type(parsed).__name__} into Go value of type map[string]interface {{}}"
    return None


def validate_secret(secret: JSON) -> list[FieldError]:
    """``ValidateSecret``: valid keys, at most 1 MiB, and the keys each secret type needs."""
    meta = as_dict(secret.get("metadata"))
    errs = validate_kube_object_meta(meta, True, name_is_dns_subdomain)
    data = _secret_data(secret)
    for data_key in sorted(data):
        errs.extend(invalid_value(key("data", data_key), data_key, msg) for msg in is_config_map_key(data_key))
    if sum(len(v) for v in data.values()) > _MAX_SECRET_SIZE:
        errs.append(too_long("data", _MAX_SECRET_SIZE))
    secret_type = as_str(secret.get("type"))
    if secret_type == "kubernetes.io/service-account-token":
        if not as_str(as_dict(meta.get("annotations")).get("kubernetes.io/service-account.name")):
            errs.append(required(key(child("metadata", "annotations"), "kubernetes.io/service-account.name")))
    elif secret_type in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        data_key = ".dockercfg" if secret_type == "kubernetes.io/dockercfg" else ".dockerconfigjson"
        if data_key not in data:
            errs.append(required(key("data", data_key)))
        else:
            message = _json_error(data[data_key])
            if message:
                errs.append(invalid_value(key("data", data_key), "<secret contents redacted>", message))
    elif secret_type == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs.extend([required(key("data", "username")), required(key("data", "password"))])
    elif secret_type == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            errs.append(required(key("data", "ssh-privatekey")))
    elif secret_type == "kubernetes.io/tls":
        errs.extend(required(key("data", data_key)) for data_key in ("tls.crt", "tls.key") if data_key not in data)
    return errs


def validate_secret_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateSecretUpdate``."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    errs.extend(immutable(as_str(new.get("type")), as_str(old.get("type")), "type"))
    if old.get("immutable") is True:
        if new.get("immutable") is not True:
            errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
        if _secret_data(new) != _secret_data(old):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))
    errs.extend(validate_secret(new))
    return errs


def validate_service_account(account: JSON) -> list[FieldError]:
    """``ValidateServiceAccount``."""
    return validate_kube_object_meta(as_dict(account.get("metadata")), True, name_is_dns_subdomain)


def validate_service_account_update(new: JSON, old: JSON) -> list[FieldError]:
    """``ValidateServiceAccountUpdate``."""
    errs = validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata")))
    errs.extend(validate_service_account(new))
    return errs


# --- Event --------------------------------------------------------------------------------------------

_REPORTING_INSTANCE_LIMIT = 128
_ACTION_LIMIT = 128
_REASON_LIMIT = 128
_NOTE_LIMIT = 1024


def validate_event(event: JSON, *, events_api: bool = False) -> list[FieldError]:
    """``legacyValidateEvent`` (core/v1 Events get nothing else, for compatibility with old clients).

    ``events_api`` marks an object in the events.k8s.io/v1 shape (``regarding``, ``note``), which also
    gets the strict rules of ``ValidateEventCreate``.
    """
    meta = as_dict(event.get("metadata"))
    namespace = as_str(meta.get("namespace"))
    involved = as_dict(event.get("regarding" if events_api else "involvedObject"))
    involved_namespace = as_str(involved.get("namespace"))
    errs: list[FieldError] = []
    controller_field = "reportingController" if events_api else "reportingComponent"
    if not event.get("eventTime"):
        if not involved_namespace:
            if namespace not in ("", "default"):
                errs.append(invalid_value(child("involvedObject", "namespace"), involved_namespace,
                                          "does not match event.namespace"))
        elif namespace != involved_namespace:
            errs.append(invalid_value(child("involvedObject", "namespace"), involved_namespace,
                                      "does not match event.namespace"))
    else:
        if not involved_namespace and namespace not in ("default", "kube-system"):
            errs.append(invalid_value(child("involvedObject", "namespace"), involved_namespace,
                                      "does not match event.namespace"))
        controller = as_str(event.get(controller_field))
        if not controller:
            errs.append(required(controller_field))
        errs.extend(validate_qualified_name(controller, controller_field))
        for field_name, limit in (("reportingInstance", _REPORTING_INSTANCE_LIMIT), ("action", _ACTION_LIMIT),
                                  ("reason", _REASON_LIMIT)):
            value = as_str(event.get(field_name))
            if not value:
                errs.append(required(field_name))
            if len(value) > limit:
                errs.append(invalid_value(field_name, "", f"can have at most {limit} characters"))
        message = as_str(event.get("note" if events_api else "message"))
        if len(message) > _NOTE_LIMIT:
            errs.append(invalid_value("message", "", f"can have at most {_NOTE_LIMIT} characters"))
    errs.extend(invalid_value("namespace", namespace, msg) for msg in is_dns1123_subdomain(namespace))
    if events_api:
        errs.extend(validate_object_meta(meta, True, name_is_dns_subdomain))
        if not event.get("eventTime"):
            errs.append(required("eventTime"))
        event_type = as_str(event.get("type"))
        if event_type not in ("Normal", "Warning"):
            errs.append(invalid_value("type", "", f"has invalid value: {event_type}"))
    return errs


def validate_event_update(new: JSON, old: JSON, *, events_api: bool = False) -> list[FieldError]:
    """``ValidateEventUpdate``: the new event must still pass the create rules."""
    errs = validate_event(new, events_api=events_api)
    if events_api:
        errs.extend(validate_kube_object_meta_update(as_dict(new.get("metadata")), as_dict(old.get("metadata"))))
    return errs
