"""API defaulting: the fields kube-apiserver 1.32 fills in when it decodes an object.

Upstream, every request body and every object read back from etcd is decoded into Go structs and
passed through ``SetObjectDefaults_<Kind>`` (pkg/apis/*/v1/zz_generated.defaults.go, which calls the
hand-written ``SetDefaults_*`` in defaults.go), then converted, and finally encoded as JSON again.
petset keeps objects as JSON dicts, so this module reproduces the *visible* result of that
round trip:

* the defaults proper (``restartPolicy: Always``, ``updateStrategy``, ``volumeMode: Filesystem`` ...);
* conversion side effects that change what a client reads (``stringData`` folded into ``data``,
  ``serviceAccount`` mirroring ``serviceAccountName``, ``podIP``/``podIPs``, the ``apiVersion``/``kind``
  stamped on StatefulSet claim templates);
* quantities re-encoded in canonical form, resource lists rounded up to the milli;
* Go serialisation artefacts of the types that matter for byte comparisons: ``creationTimestamp:
  null`` in embedded metadata, ``resources: {}`` in containers, ``serviceName: ""`` and so on.

Defaulting follows Go's notion of "unset": a missing or ``null`` field is unset, and so is ``""`` or
``0`` where the Go field is a plain string or number (``timeoutSeconds: 0`` becomes 1, as upstream).
Values of the wrong JSON type are left exactly as they are; validation reports them. Applying the
defaults twice changes nothing.

Admission plugins and registry strategies are not defaulting, so they live in separate functions:
:func:`admit_pod` (ServiceAccount, Priority and DefaultTolerationSeconds admission),
:func:`drop_disabled_fields` (fields of feature gates that are off in 1.32),
:func:`prepare_namespace_for_create`, :func:`normalize_cluster_ips` and
:func:`init_service_ip_families` (the Service registry's IP bookkeeping).
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

from petset.api.errors import FieldError, invalid_value
from petset.api.quantity import MILLI, Quantity, QuantityError

__all__ = [
    "admit_pod",
    "apply_defaults",
    "convert_event_core_to_events_v1",
    "convert_event_events_v1_to_core",
    "convert_statefulset_v1_to_v1beta1",
    "convert_statefulset_v1beta1_to_v1",
    "drop_disabled_fields",
    "image_tag",
    "init_service_ip_families",
    "normalize_cluster_ips",
    "prepare_namespace_for_create",
]

JSON = dict[str, Any]

# Constants of k8s.io/api/core/v1 (types.go) that defaulting writes.
_DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: Final = 30
_DEFAULT_VOLUME_MODE: Final = 0o644  # 420: Secret, ConfigMap, DownwardAPI and Projected defaultMode
_DEFAULT_CLIENT_IP_AFFINITY_SECONDS: Final = 10800
_DEFAULT_NOT_READY_TOLERATION_SECONDS: Final = 300
_SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS: Final = 3600
_MIRROR_POD_ANNOTATION: Final = "kubernetes.io/config.mirror"

# Every member of core/v1 VolumeSource: a volume naming none of them gets an emptyDir.
_VOLUME_SOURCES: Final = (
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
)


# --------------------------------------------------------------------------------------------------
# Small tools for defaulting JSON with Go's idea of "unset"


def _unset(value: Any) -> bool:
    """A nil pointer, map or slice: the field is missing or null."""
    return value is None


def _unset_str(value: Any) -> bool:
    """A Go ``string`` field that holds its zero value."""
    return value is None or value == ""


def _unset_int(value: Any) -> bool:
    """A Go integer field that holds its zero value (bools are JSON's, not numbers)."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value == 0)


def _default(parent: JSON, key: str, value: Any) -> None:
    if _unset(parent.get(key)):
        parent[key] = value


def _default_str(parent: JSON, key: str, value: str) -> None:
    if _unset_str(parent.get(key)):
        parent[key] = value


def _default_int(parent: JSON, key: str, value: int) -> None:
    if _unset_int(parent.get(key)):
        parent[key] = value


def _struct(parent: JSON, key: str) -> JSON | None:
    """The object at ``key``, created when absent or null (a Go struct always exists).

    Returns None when the field holds something other than an object: malformed input is left for
    validation to report.
    """
    value = parent.get(key)
    if value is None:
        value = parent[key] = {}
    return value if isinstance(value, dict) else None


def _present(parent: JSON, key: str) -> JSON | None:
    """The object at ``key`` when there is one (a non-nil Go pointer), else None."""
    value = parent.get(key)
    return value if isinstance(value, dict) else None


def _items(parent: JSON, key: str) -> Iterator[JSON]:
    """The objects of the list at ``key``; other items and non-lists are skipped."""
    value = parent.get(key)
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _embedded_metadata(parent: JSON, key: str = "metadata") -> None:
    """An embedded ObjectMeta: Go always encodes its zero ``creationTimestamp`` as null."""
    meta = _struct(parent, key)
    if meta is not None and "creationTimestamp" not in meta:
        meta["creationTimestamp"] = None


def _resource_list(parent: JSON, key: str) -> None:
    """``SetDefaults_ResourceList``: every quantity rounded up to the milli, in canonical form.

    An empty or null list is dropped, as Go's ``omitempty`` drops an empty map.
    """
    resources = parent.get(key)
    if resources is None or resources == {}:
        parent.pop(key, None)
        return
    if not isinstance(resources, dict):
        return
    for name, raw in list(resources.items()):
        try:
            resources[name] = str(Quantity.from_json(raw).round_up(MILLI))
        except QuantityError:
            continue


def _quantity(parent: JSON, key: str, *, always: bool = False) -> None:
    """A lone Quantity field, re-encoded canonically (no rounding).

    ``always`` marks a non-pointer Quantity, which Go encodes as ``"0"`` when it is unset.
    """
    raw = parent.get(key)
    if raw is None:
        if always:
            parent[key] = "0"
        else:
            parent.pop(key, None)
        return
    try:
        parent[key] = str(Quantity.from_json(raw))
    except QuantityError:
        return


# --------------------------------------------------------------------------------------------------
# Container images: the tag decides the pull policy


_PATH_COMPONENT: Final = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN_COMPONENT: Final = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN: Final = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[(?:[a-fA-F0-9:]+)\])(?::[0-9]+)?"
_REFERENCE_RE: Final = re.compile(
    rf"({_DOMAIN}/)?({_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    r"(?::([\w][\w.-]{0,127}))?"
    r"(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?",
    re.ASCII,
)
_DIGEST_LENGTHS: Final = {"sha256": 64, "sha384": 96, "sha512": 128}
_IDENTIFIER_RE: Final = re.compile(r"[a-f0-9]{64}")


def _split_docker_domain(name: str) -> tuple[str, str]:
    """distribution/reference ``splitDockerDomain``: Docker Hub is the default registry."""
    slash = name.find("/")
    head = name[:slash]
    if slash == -1 or (not any(c in head for c in ".:") and head != "localhost" and head.lower() == head):
        domain, remainder = "docker.io", name
    else:
        domain, remainder = head, name[slash + 1 :]
    if domain == "index.docker.io":
        domain = "docker.io"
    if domain == "docker.io" and "/" not in remainder:
        remainder = "library/" + remainder
    return domain, remainder


def image_tag(image: str) -> str:
    """The tag of an image reference as ``parsers.ParseImageName`` sees it.

    Untagged, undigested references mean ``latest``; a digest without a tag means no tag; an
    unparsable reference (uppercase repository, bad digest ...) gives ``""``. The registry's port is
    not a tag: ``localhost:5000/app`` is ``latest``.
    """
    if _IDENTIFIER_RE.fullmatch(image):
        return ""
    domain, remainder = _split_docker_domain(image)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        return ""
    match = _REFERENCE_RE.fullmatch(f"{domain}/{remainder}")
    if match is None:
        return ""
    domain_part, path, tag, digest = match.groups()
    if len((domain_part or "") + path) > 255:
        return ""
    if digest:
        algorithm, _, encoded = digest.partition(":")
        expected = _DIGEST_LENGTHS.get(algorithm)
        if expected is None or len(encoded) != expected or encoded != encoded.lower():
            return ""
    if not tag and not digest:
        return "latest"
    return tag or ""


# --------------------------------------------------------------------------------------------------
# core/v1: pod specs


def _http_get(handler: JSON | None) -> None:
    """``SetDefaults_HTTPGetAction``."""
    if handler is None:
        return
    action = _present(handler, "httpGet")
    if action is not None:
        _default_str(action, "path", "/")
        _default_str(action, "scheme", "HTTP")


def _probe(container: JSON, key: str) -> None:
    """``SetDefaults_Probe`` plus its handler's HTTP defaults."""
    probe = _present(container, key)
    if probe is None:
        return
    _default_int(probe, "timeoutSeconds", 1)
    _default_int(probe, "periodSeconds", 10)
    _default_int(probe, "successThreshold", 1)
    _default_int(probe, "failureThreshold", 3)
    _http_get(probe)


def _field_ref(holder: JSON) -> None:
    """``SetDefaults_ObjectFieldSelector`` on ``fieldRef``, and the ``divisor`` of ``resourceFieldRef``."""
    field_ref = _present(holder, "fieldRef")
    if field_ref is not None:
        _default_str(field_ref, "apiVersion", "v1")
    resource_ref = _present(holder, "resourceFieldRef")
    if resource_ref is not None:
        _quantity(resource_ref, "divisor", always=True)


def _container(container: JSON) -> None:
    """``SetDefaults_Container`` and the generated defaulting of a container's members."""
    if _unset_str(container.get("imagePullPolicy")):
        image = container.get("image")
        tag = image_tag(image) if isinstance(image, str) else ""
        container["imagePullPolicy"] = "Always" if tag == "latest" else "IfNotPresent"
    _default_str(container, "terminationMessagePath", "/dev/termination-log")
    _default_str(container, "terminationMessagePolicy", "File")
    for port in _items(container, "ports"):
        _default_str(port, "protocol", "TCP")
    for env in _items(container, "env"):
        value_from = _present(env, "valueFrom")
        if value_from is not None:
            _field_ref(value_from)
    resources = _struct(container, "resources")
    if resources is not None:
        _resource_list(resources, "limits")
        _resource_list(resources, "requests")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(container, key)
    lifecycle = _present(container, "lifecycle")
    if lifecycle is not None:
        _http_get(_present(lifecycle, "postStart"))
        _http_get(_present(lifecycle, "preStop"))


def _rbd(source: JSON) -> None:
    """``SetDefaults_RBDVolumeSource`` / ``SetDefaults_RBDPersistentVolumeSource``."""
    _default_str(source, "pool", "rbd")
    _default_str(source, "user", "admin")
    _default_str(source, "keyring", "/etc/ceph/keyring")


def _azure_disk(source: JSON) -> None:
    """``SetDefaults_AzureDiskVolumeSource``."""
    _default(source, "cachingMode", "ReadWrite")
    _default(source, "kind", "Shared")
    _default(source, "fsType", "ext4")
    _default(source, "readOnly", False)


def _scale_io(source: JSON) -> None:
    """``SetDefaults_ScaleIOVolumeSource`` / ``SetDefaults_ScaleIOPersistentVolumeSource``."""
    _default_str(source, "storageMode", "ThinProvisioned")
    _default_str(source, "fsType", "xfs")


def _persistent_volume_sources(holder: JSON) -> None:
    """Defaults shared by pod volumes and PersistentVolume sources."""
    if (source := _present(holder, "hostPath")) is not None:
        _default(source, "type", "")
    if (source := _present(holder, "iscsi")) is not None:
        _default_str(source, "iscsiInterface", "default")
    if (source := _present(holder, "rbd")) is not None:
        _rbd(source)
    if (source := _present(holder, "azureDisk")) is not None:
        _azure_disk(source)
    if (source := _present(holder, "scaleIO")) is not None:
        _scale_io(source)


def _claim_spec(spec: JSON) -> None:
    """``SetDefaults_PersistentVolumeClaimSpec`` and its resource lists."""
    _default(spec, "volumeMode", "Filesystem")
    resources = _struct(spec, "resources")
    if resources is not None:
        _resource_list(resources, "limits")
        _resource_list(resources, "requests")


def _volume(volume: JSON) -> None:
    """``SetDefaults_Volume`` and the generated defaulting of each volume source."""
    if all(volume.get(source) is None for source in _VOLUME_SOURCES):
        volume["emptyDir"] = {}
    _persistent_volume_sources(volume)
    if (source := _present(volume, "emptyDir")) is not None:
        _quantity(source, "sizeLimit")
    for key in ("secret", "configMap"):
        if (source := _present(volume, key)) is not None:
            _default(source, "defaultMode", _DEFAULT_VOLUME_MODE)
    if (source := _present(volume, "downwardAPI")) is not None:
        _default(source, "defaultMode", _DEFAULT_VOLUME_MODE)
        for item in _items(source, "items"):
            _field_ref(item)
    if (source := _present(volume, "projected")) is not None:
        _default(source, "defaultMode", _DEFAULT_VOLUME_MODE)
        for projection in _items(source, "sources"):
            if (downward := _present(projection, "downwardAPI")) is not None:
                for item in _items(downward, "items"):
                    _field_ref(item)
            if (token := _present(projection, "serviceAccountToken")) is not None:
                _default(token, "expirationSeconds", _SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS)
    if (source := _present(volume, "ephemeral")) is not None and (
        template := _present(source, "volumeClaimTemplate")
    ) is not None:
        _embedded_metadata(template)
        if (spec := _struct(template, "spec")) is not None:
            _claim_spec(spec)


def _service_account_alias(spec: JSON) -> None:
    """PodSpec conversion: ``serviceAccount`` is the deprecated alias of ``serviceAccountName``.

    Decoding takes the alias when the name is empty; encoding always writes the name into the alias.
    """
    name = spec.get("serviceAccountName")
    alias = spec.get("serviceAccount")
    if _unset_str(name) and isinstance(alias, str):
        name = alias
    if not isinstance(name, str):
        return
    if name:
        spec["serviceAccountName"] = spec["serviceAccount"] = name
    else:
        for key in ("serviceAccountName", "serviceAccount"):
            if spec.get(key) in ("", None):
                spec.pop(key, None)


def _pod_spec(spec: JSON) -> None:
    """``SetDefaults_PodSpec`` and the defaulting generated for a PodSpec's members.

    This is what PodTemplateSpecs (in StatefulSets) get; pods additionally get :func:`_pod`.
    """
    _default_str(spec, "dnsPolicy", "ClusterFirst")
    _default_str(spec, "restartPolicy", "Always")
    _default(spec, "securityContext", {})
    _default(spec, "terminationGracePeriodSeconds", _DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS)
    _default_str(spec, "schedulerName", "default-scheduler")
    _service_account_alias(spec)
    for volume in _items(spec, "volumes"):
        _volume(volume)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in _items(spec, key):
            _container(container)
    _resource_list(spec, "overhead")
    if (resources := _present(spec, "resources")) is not None:
        _resource_list(resources, "limits")
        _resource_list(resources, "requests")


def _pod_template(holder: JSON, key: str = "template") -> None:
    """A PodTemplateSpec: pod-spec defaults plus the encoded zero ``creationTimestamp``."""
    template = _struct(holder, key)
    if template is None:
        return
    _embedded_metadata(template)
    if (spec := _struct(template, "spec")) is not None:
        _pod_spec(spec)


def _requests_from_limits(container: JSON) -> None:
    """Pods only: a resource with a limit and no request requests its limit."""
    resources = _present(container, "resources")
    if resources is None:
        return
    limits = resources.get("limits")
    if not isinstance(limits, dict):
        return
    requests = resources.get("requests")
    if requests is None:
        requests = resources["requests"] = {}
    if isinstance(requests, dict):
        for name, value in limits.items():
            requests.setdefault(name, copy.deepcopy(value))


def _host_network_ports(spec: JSON, key: str) -> None:
    for container in _items(spec, key):
        for port in _items(container, "ports"):
            container_port = port.get("containerPort")
            if _unset_int(port.get("hostPort")) and isinstance(container_port, int) and container_port:
                port["hostPort"] = port["containerPort"]


def _dual_ip_fields(status: JSON, single: str, plural: str) -> None:
    """PodStatus conversion: ``podIP`` is authoritative when it disagrees with ``podIPs[0]``, and is
    rewritten from ``podIPs[0]`` on the way out (same for hostIP/hostIPs)."""
    ip = status.get(single)
    ips = status.get(plural)
    if ips is not None and not isinstance(ips, list):
        return
    if isinstance(ip, str) and ip:
        first = ips[0] if ips else None
        if not ips or (isinstance(first, dict) and first.get("ip") != ip):
            status[plural] = ips = [{"ip": ip}]
    if ips and isinstance(ips[0], dict) and isinstance(ips[0].get("ip"), str):
        status[single] = ips[0]["ip"]


def _pod(obj: JSON) -> None:
    """``SetObjectDefaults_Pod``: ``SetDefaults_Pod`` then the pod spec and status."""
    spec = _struct(obj, "spec")
    if spec is not None:
        for key in ("containers", "initContainers"):
            for container in _items(spec, key):
                _requests_from_limits(container)
        _default(spec, "enableServiceLinks", True)
        if spec.get("hostNetwork") is True:
            _host_network_ports(spec, "containers")
            _host_network_ports(spec, "initContainers")
        _pod_spec(spec)
    status = _struct(obj, "status")
    if status is not None:
        for key in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"):
            for container_status in _items(status, key):
                _resource_list(container_status, "allocatedResources")
                if (resources := _present(container_status, "resources")) is not None:
                    _resource_list(resources, "limits")
                    _resource_list(resources, "requests")
        _dual_ip_fields(status, "podIP", "podIPs")
        _dual_ip_fields(status, "hostIP", "hostIPs")


# --------------------------------------------------------------------------------------------------
# core/v1: the other kinds


def _service(obj: JSON) -> None:
    """``SetObjectDefaults_Service`` / ``SetDefaults_Service``."""
    spec = _struct(obj, "spec")
    if spec is not None:
        _default_str(spec, "sessionAffinity", "None")
        affinity = spec.get("sessionAffinity")
        if affinity == "None":
            spec.pop("sessionAffinityConfig", None)
        elif affinity == "ClientIP":
            config = spec.get("sessionAffinityConfig")
            client_ip = config.get("clientIP") if isinstance(config, dict) else None
            if not isinstance(client_ip, dict) or client_ip.get("timeoutSeconds") is None:
                spec["sessionAffinityConfig"] = {
                    "clientIP": {"timeoutSeconds": _DEFAULT_CLIENT_IP_AFFINITY_SECONDS}
                }
        _default_str(spec, "type", "ClusterIP")
        for port in _items(spec, "ports"):
            _default_str(port, "protocol", "TCP")
            target = port.get("targetPort")
            if (target is None or target == 0 or target == "") and not isinstance(target, bool):
                number = port.get("port", 0)
                if isinstance(number, int) and not isinstance(number, bool):
                    port["targetPort"] = number
        service_type = spec.get("type")
        external_ips = spec.get("externalIPs")
        externally_accessible = service_type in ("LoadBalancer", "NodePort") or (
            service_type == "ClusterIP" and isinstance(external_ips, list) and len(external_ips) > 0
        )
        if externally_accessible:
            _default_str(spec, "externalTrafficPolicy", "Cluster")
        if service_type in ("NodePort", "LoadBalancer", "ClusterIP"):
            _default(spec, "internalTrafficPolicy", "Cluster")
        if service_type == "LoadBalancer":
            _default(spec, "allocateLoadBalancerNodePorts", True)
    status = _struct(obj, "status")
    if status is not None:
        load_balancer = _struct(status, "loadBalancer")
        if load_balancer is not None and spec is not None and spec.get("type") == "LoadBalancer":
            for ingress in _items(load_balancer, "ingress"):
                if not _unset_str(ingress.get("ip")):
                    _default(ingress, "ipMode", "VIP")


def _persistent_volume(obj: JSON) -> None:
    """``SetObjectDefaults_PersistentVolume``."""
    if (status := _struct(obj, "status")) is not None:
        _default_str(status, "phase", "Pending")
    spec = _struct(obj, "spec")
    if spec is None:
        return
    _default_str(spec, "persistentVolumeReclaimPolicy", "Retain")
    _default(spec, "volumeMode", "Filesystem")
    _resource_list(spec, "capacity")
    _persistent_volume_sources(spec)


def _persistent_volume_claim(obj: JSON) -> None:
    """``SetObjectDefaults_PersistentVolumeClaim``: phase, volume mode and resource lists."""
    if (status := _struct(obj, "status")) is not None:
        _default_str(status, "phase", "Pending")
        _resource_list(status, "capacity")
        _resource_list(status, "allocatedResources")
    if (spec := _struct(obj, "spec")) is not None:
        _claim_spec(spec)


def _namespace(obj: JSON) -> None:
    """``SetObjectDefaults_Namespace``: the name label (always rewritten) and the Active phase."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        name = meta.get("name")
        if isinstance(name, str) and name:
            labels = meta.get("labels")
            if labels is None:
                labels = meta["labels"] = {}
            if isinstance(labels, dict):
                labels["kubernetes.io/metadata.name"] = name
    _struct(obj, "spec")
    if (status := _struct(obj, "status")) is not None:
        _default_str(status, "phase", "Active")


_NODE_INFO_FIELDS: Final = (
    "architecture",
    "bootID",
    "containerRuntimeVersion",
    "kernelVersion",
    "kubeProxyVersion",
    "kubeletVersion",
    "machineID",
    "operatingSystem",
    "osImage",
    "systemUUID",
)


def _node(obj: JSON) -> None:
    """``SetObjectDefaults_Node``: allocatable defaults to capacity; Go always encodes ``nodeInfo``
    and the kubelet endpoint, and the Python client insists on them."""
    spec = _struct(obj, "spec")
    if spec is not None:
        # NodeSpec conversion: podCIDRs is the source of truth; old clients only send podCIDR.
        cidr = spec.get("podCIDR")
        cidrs = spec.get("podCIDRs")
        if isinstance(cidr, str) and cidr and not cidrs:
            spec["podCIDRs"] = cidrs = [cidr]
        if isinstance(cidrs, list) and cidrs and isinstance(cidrs[0], str):
            spec["podCIDR"] = cidrs[0]
    status = _struct(obj, "status")
    if status is None:
        return
    if status.get("allocatable") is None and isinstance(status.get("capacity"), dict):
        status["allocatable"] = copy.deepcopy(status["capacity"])
    _resource_list(status, "capacity")
    _resource_list(status, "allocatable")
    if (endpoints := _struct(status, "daemonEndpoints")) is not None and (
        kubelet := _struct(endpoints, "kubeletEndpoint")
    ) is not None:
        _default(kubelet, "Port", 0)
    if (info := _struct(status, "nodeInfo")) is not None:
        for key in _NODE_INFO_FIELDS:
            _default(info, key, "")


def _secret(obj: JSON) -> None:
    """``SetDefaults_Secret``, and the v1 conversion that folds write-only ``stringData`` into ``data``."""
    _default_str(obj, "type", "Opaque")
    string_data = obj.get("stringData")
    if not isinstance(string_data, dict) or not all(isinstance(v, str) for v in string_data.values()):
        return
    if string_data:
        data = obj.get("data")
        if data is None:
            data = obj["data"] = {}
        if not isinstance(data, dict):
            return
        for key, value in string_data.items():
            data[key] = base64.b64encode(value.encode()).decode("ascii")
    del obj["stringData"]


def _endpoints(obj: JSON) -> None:
    """``SetDefaults_Endpoints``."""
    for subset in _items(obj, "subsets"):
        for port in _items(subset, "ports"):
            _default_str(port, "protocol", "TCP")


def _core_event(obj: JSON) -> None:
    """core/v1 Event has no defaults; Go still encodes its zero timestamps and reporting fields."""
    for key in ("involvedObject", "source"):
        _struct(obj, key)
    for key in ("firstTimestamp", "lastTimestamp", "eventTime"):
        obj.setdefault(key, None)
    for key in ("reportingComponent", "reportingInstance"):
        _default(obj, key, "")


def _events_v1_event(obj: JSON) -> None:
    """events.k8s.io/v1 Event has no defaults; these are the encoded zero values of its struct fields."""
    for key in ("regarding", "deprecatedSource"):
        _struct(obj, key)
    for key in ("eventTime", "deprecatedFirstTimestamp", "deprecatedLastTimestamp"):
        obj.setdefault(key, None)


# --------------------------------------------------------------------------------------------------
# apps


def _claim_template(claim: JSON) -> None:
    """A StatefulSet volumeClaimTemplate: PVC defaults, plus the apiVersion/kind the apps/v1
    conversion stamps on every claim template (kubernetes/kubernetes#87583)."""
    claim["apiVersion"] = "v1"
    claim["kind"] = "PersistentVolumeClaim"
    _embedded_metadata(claim)
    _persistent_volume_claim(claim)


def _statefulset_spec_members(obj: JSON, spec: JSON) -> None:
    """What apps/v1 and apps/v1beta1 StatefulSets share: template, claim templates, encoding."""
    _pod_template(spec)
    for claim in _items(spec, "volumeClaimTemplates"):
        _claim_template(claim)
    _default(spec, "serviceName", "")
    if "minReadySeconds" in spec and _unset_int(spec["minReadySeconds"]):
        # A plain int32 with omitempty: zero is never encoded.
        del spec["minReadySeconds"]
    if (status := _struct(obj, "status")) is not None:
        _default(status, "replicas", 0)
        _default(status, "availableReplicas", 0)


def _retention_policy(spec: JSON) -> None:
    # StatefulSetAutoDeletePVC is GA in 1.32: the policy always exists.
    if (policy := _struct(spec, "persistentVolumeClaimRetentionPolicy")) is not None:
        _default_str(policy, "whenDeleted", "Retain")
        _default_str(policy, "whenScaled", "Retain")


def _statefulset(obj: JSON) -> None:
    """apps/v1 ``SetObjectDefaults_StatefulSet`` (pkg/apis/apps/v1/defaults.go).

    The update strategy quirk is upstream's: only an *omitted* type gets a ``rollingUpdate`` object
    (and so ``partition: 0``); an explicit ``type: RollingUpdate`` without it stays without it.
    """
    spec = _struct(obj, "spec")
    if spec is None:
        return
    _default_str(spec, "podManagementPolicy", "OrderedReady")
    if (strategy := _struct(spec, "updateStrategy")) is not None:
        if _unset_str(strategy.get("type")):
            strategy["type"] = "RollingUpdate"
            _default(strategy, "rollingUpdate", {})
        rolling = strategy.get("rollingUpdate")
        if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
            _default(rolling, "partition", 0)
    _retention_policy(spec)
    _default(spec, "replicas", 1)
    _default(spec, "revisionHistoryLimit", 10)
    _statefulset_spec_members(obj, spec)


def _statefulset_v1beta1(obj: JSON) -> None:
    """apps/v1beta1 ``SetDefaults_StatefulSet``: OnDelete by default, and the selector and the
    object's labels are taken from the template's labels when absent."""
    spec = _struct(obj, "spec")
    if spec is None:
        return
    _default_str(spec, "podManagementPolicy", "OrderedReady")
    if (strategy := _struct(spec, "updateStrategy")) is not None:
        _default_str(strategy, "type", "OnDelete")
        rolling = strategy.get("rollingUpdate")
        if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
            _default(rolling, "partition", 0)
    template_meta = _spec_at(spec, "template", "metadata")
    labels = template_meta.get("labels") if template_meta is not None else None
    if isinstance(labels, dict):
        if spec.get("selector") is None:
            # An empty matchLabels map is dropped by omitempty, leaving an empty selector.
            spec["selector"] = {"matchLabels": copy.deepcopy(labels)} if labels else {}
        meta = _struct(obj, "metadata")
        if meta is not None and not meta.get("labels"):
            meta["labels"] = copy.deepcopy(labels)
    _default(spec, "replicas", 1)
    _default(spec, "revisionHistoryLimit", 10)
    _retention_policy(spec)
    _statefulset_spec_members(obj, spec)


def _controller_revision(obj: JSON) -> None:
    """ControllerRevision has no defaults; ``revision`` is always encoded."""
    _default(obj, "revision", 0)


# --------------------------------------------------------------------------------------------------
# other groups


def _endpoint_slice(obj: JSON) -> None:
    """discovery/v1 ``SetDefaults_EndpointPort``; each endpoint's ``conditions`` struct is always encoded."""
    for port in _items(obj, "ports"):
        _default(port, "name", "")
        _default(port, "protocol", "TCP")
    for endpoint in _items(obj, "endpoints"):
        _struct(endpoint, "conditions")


def _storage_class(obj: JSON) -> None:
    """storage/v1 ``SetDefaults_StorageClass``."""
    _default(obj, "reclaimPolicy", "Delete")
    _default(obj, "volumeBindingMode", "Immediate")


def _pod_disruption_budget(obj: JSON) -> None:
    """policy/v1 has no PDB defaults; the status counters are always encoded (and required by clients)."""
    _struct(obj, "spec")
    if (status := _struct(obj, "status")) is not None:
        for key in ("currentHealthy", "desiredHealthy", "disruptionsAllowed", "expectedPods"):
            _default(status, key, 0)


def _lease(obj: JSON) -> None:
    """coordination/v1 Lease has no defaults; its spec struct is always encoded."""
    _struct(obj, "spec")


def _nothing(obj: JSON) -> None:
    """Kinds with no defaults and no visible encoding artefacts.

    ConfigMap's ``SetDefaults_ConfigMap`` makes ``data`` an empty map, which ``omitempty`` then drops.
    """


_DEFAULTERS: Final[dict[tuple[str, str, str], Callable[[JSON], None]]] = {
    ("", "v1", "Pod"): _pod,
    ("", "v1", "Service"): _service,
    ("", "v1", "PersistentVolume"): _persistent_volume,
    ("", "v1", "PersistentVolumeClaim"): _persistent_volume_claim,
    ("", "v1", "Namespace"): _namespace,
    ("", "v1", "Node"): _node,
    ("", "v1", "Secret"): _secret,
    ("", "v1", "Endpoints"): _endpoints,
    ("", "v1", "Event"): _core_event,
    ("", "v1", "ConfigMap"): _nothing,
    ("", "v1", "ServiceAccount"): _nothing,
    ("apps", "v1", "StatefulSet"): _statefulset,
    ("apps", "v1beta1", "StatefulSet"): _statefulset_v1beta1,
    ("apps", "v1", "ControllerRevision"): _controller_revision,
    ("discovery.k8s.io", "v1", "EndpointSlice"): _endpoint_slice,
    ("events.k8s.io", "v1", "Event"): _events_v1_event,
    ("storage.k8s.io", "v1", "StorageClass"): _storage_class,
    ("policy", "v1", "PodDisruptionBudget"): _pod_disruption_budget,
    ("coordination.k8s.io", "v1", "Lease"): _lease,
}


def apply_defaults(group: str, version: str, kind: str, obj: JSON) -> None:
    """Default ``obj`` in place as kube-apiserver 1.32 does when it decodes a ``group/version`` ``kind``.

    ``<Kind>List`` objects default each of their items (``SetObjectDefaults_<Kind>List``). Unknown
    kinds and non-object input are left alone.
    """
    if not isinstance(obj, dict):
        return
    defaulter = _DEFAULTERS.get((group, version, kind))
    if defaulter is not None:
        defaulter(obj)
        return
    if kind.endswith("List") and (item_defaulter := _DEFAULTERS.get((group, version, kind[:-4]))):
        for item in _items(obj, "items"):
            item_defaulter(item)


# --------------------------------------------------------------------------------------------------
# Admission and registry strategy steps that look like defaulting but are not


_SYSTEM_PRIORITY_CLASSES: Final = {"system-cluster-critical": 2000000000, "system-node-critical": 2000001000}


def _tolerates(tolerations: list[Any], key: str) -> bool:
    return any(
        isinstance(t, dict) and t.get("key") in (key, "", None) and t.get("effect") in ("NoExecute", "", None)
        for t in tolerations
    )


def admit_pod(obj: JSON, old: JSON | None = None, *,
              not_ready_seconds: int = _DEFAULT_NOT_READY_TOLERATION_SECONDS,
              unreachable_seconds: int = _DEFAULT_NOT_READY_TOLERATION_SECONDS) -> list[str]:
    """The mutating admission plugins petset runs on pods; ``old`` is None on create.

    * ServiceAccount (plugin/pkg/admission/serviceaccount): on create, a pod without a service
      account runs as ``default`` (mirror pods excepted). The token volume the real plugin also
      mounts is not added.
    * Priority (plugin/pkg/admission/priority): on create, a pod without a priority class gets
      ``priority: 0`` and ``preemptionPolicy: PreemptLowerPriority`` (no cluster default class
      exists in petset); the two built-in system classes resolve to their values. On update the old
      values are carried over.
    * DefaultTolerationSeconds: pods that do not tolerate ``node.kubernetes.io/not-ready`` or
      ``unreachable`` NoExecute taints get a toleration for each, 300 seconds unless configured
      (kube-apiserver's --default-not-ready-toleration-seconds and
      --default-unreachable-toleration-seconds).

    Returns the reasons to forbid the request (upstream's messages), empty when admitted.
    """
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    if old is None:
        annotations = (
            obj.get("metadata", {}).get("annotations") if isinstance(obj.get("metadata"), dict) else None
        )
        mirror = isinstance(annotations, dict) and _MIRROR_POD_ANNOTATION in annotations
        if not mirror and _unset_str(spec.get("serviceAccountName")):
            spec["serviceAccountName"] = "default"
        _service_account_alias(spec)
        reasons = _admit_priority(spec)
        if reasons:
            return reasons
    else:
        old_spec = old.get("spec")
        if isinstance(old_spec, dict):
            for key in ("priority", "preemptionPolicy"):
                if spec.get(key) is None and old_spec.get(key) is not None:
                    spec[key] = old_spec[key]

    tolerations = spec.get("tolerations")
    if tolerations is None:
        tolerations = []
    if not isinstance(tolerations, list):
        return []
    for key, seconds in (("node.kubernetes.io/not-ready", not_ready_seconds),
                         ("node.kubernetes.io/unreachable", unreachable_seconds)):
        if not _tolerates(tolerations, key):
            tolerations.append(
                {
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": seconds,
                }
            )
    if tolerations:
        spec["tolerations"] = tolerations
    return []


def _admit_priority(spec: JSON) -> list[str]:
    class_name = spec.get("priorityClassName")
    if _unset_str(class_name):
        spec.pop("priorityClassName", None)
        priority = 0
    elif isinstance(class_name, str) and class_name in _SYSTEM_PRIORITY_CLASSES:
        priority = _SYSTEM_PRIORITY_CLASSES[class_name]
    else:
        return [f"no PriorityClass with name {class_name} was found"]
    given = spec.get("priority")
    if given is not None and given != priority:
        return [
            f"the integer value of priority ({given}) must not be provided in pod spec; "
            f"priority admission controller computed {priority} from the given PriorityClass name"
        ]
    spec["priority"] = priority
    policy = spec.get("preemptionPolicy")
    if policy is not None and policy != "PreemptLowerPriority":
        return [
            f"the string value of PreemptionPolicy ({policy}) must not be provided in pod spec; "
            "priority admission controller computed PreemptLowerPriority from the given PriorityClass name"
        ]
    spec["preemptionPolicy"] = "PreemptLowerPriority"
    return []


def _containers(spec: JSON) -> Iterator[JSON]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from _items(spec, key)


def _pod_spec_uses(spec: JSON | None, used: Callable[[JSON], bool]) -> bool:
    return spec is not None and used(spec)


def _drop_disabled_pod_spec_fields(spec: JSON, old_spec: JSON | None) -> None:
    """``dropDisabledFields`` (pkg/api/pod/util.go) for the gates that are off in 1.32.

    A field stays when the old object already used it, so updates never lose data.
    """

    def pod_resources(s: JSON) -> bool:
        return s.get("resources") is not None

    def image_volumes(s: JSON) -> bool:
        return any(v.get("image") is not None for v in _items(s, "volumes"))

    def resize_policy(s: JSON) -> bool:
        return any(c.get("resizePolicy") is not None for c in _containers(s))

    def resource_claims(s: JSON) -> bool:
        return s.get("resourceClaims") is not None or any(
            isinstance(c.get("resources"), dict) and c["resources"].get("claims") is not None
            for c in _containers(s)
        )

    def supplemental_groups_policy(s: JSON) -> bool:
        context = s.get("securityContext")
        return isinstance(context, dict) and context.get("supplementalGroupsPolicy") is not None

    def host_users(s: JSON) -> bool:
        return s.get("hostUsers") is not None

    def cluster_trust_bundles(s: JSON) -> bool:
        return any(
            p.get("clusterTrustBundle") is not None
            for v in _items(s, "volumes")
            if isinstance(v.get("projected"), dict)
            for p in _items(v["projected"], "sources")
        )

    if not _pod_spec_uses(old_spec, pod_resources):  # PodLevelResources: alpha
        spec.pop("resources", None)
    if not _pod_spec_uses(old_spec, image_volumes):  # ImageVolume: alpha
        for volume in _items(spec, "volumes"):
            volume.pop("image", None)
    if not _pod_spec_uses(old_spec, resize_policy):  # InPlacePodVerticalScaling: alpha
        for container in _containers(spec):
            container.pop("resizePolicy", None)
    if not _pod_spec_uses(old_spec, resource_claims):  # DynamicResourceAllocation: beta, off
        spec.pop("resourceClaims", None)
        for container in _containers(spec):
            if isinstance(container.get("resources"), dict):
                container["resources"].pop("claims", None)
    context = spec.get("securityContext")
    if not _pod_spec_uses(old_spec, supplemental_groups_policy) and isinstance(context, dict):
        context.pop("supplementalGroupsPolicy", None)  # SupplementalGroupsPolicy: alpha
    if not _pod_spec_uses(old_spec, host_users):  # UserNamespacesSupport: beta, off
        spec.pop("hostUsers", None)
    if not _pod_spec_uses(old_spec, cluster_trust_bundles):  # ClusterTrustBundleProjection: alpha
        for volume in _items(spec, "volumes"):
            if isinstance(volume.get("projected"), dict):
                for projection in _items(volume["projected"], "sources"):
                    projection.pop("clusterTrustBundle", None)


def _spec_at(obj: JSON | None, *path: str) -> JSON | None:
    node: Any = obj
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node if isinstance(node, dict) else None


def drop_disabled_fields(new: JSON, old: JSON | None) -> None:
    """Registry strategy: clear fields of feature gates that are off in 1.32 (``old`` is None on create).

    Pods and StatefulSet pod templates lose the fields listed in ``_drop_disabled_pod_spec_fields``.
    Unlike upstream 1.32, a StatefulSet keeps ``updateStrategy.rollingUpdate.maxUnavailable``:
    petset serves MaxUnavailableStatefulSet as on (it was alpha for years, a known user pain), so
    the controller's support for it is reachable. The kind is read from ``new``.
    """
    kind = new.get("kind")
    if kind == "StatefulSet":
        if (spec := _spec_at(new, "spec", "template", "spec")) is not None:
            _drop_disabled_pod_spec_fields(spec, _spec_at(old, "spec", "template", "spec"))
    elif kind == "Pod" and (spec := _spec_at(new, "spec")) is not None:
        _drop_disabled_pod_spec_fields(spec, _spec_at(old, "spec"))


def prepare_namespace_for_create(obj: JSON) -> None:
    """The namespace strategy's ``PrepareForCreate``: phase Active and the ``kubernetes`` finalizer.

    Upstream keeps the finalizer out of defaulting on purpose: the namespace controller removes it
    during deletion, and defaulting (which also runs on updates) must not put it back.
    """
    obj["status"] = {"phase": "Active"}
    spec = _struct(obj, "spec")
    if spec is None:
        return
    finalizers = spec.get("finalizers")
    if finalizers is None:
        finalizers = []
    if isinstance(finalizers, list):
        if "kubernetes" not in finalizers:
            finalizers.append("kubernetes")
        spec["finalizers"] = finalizers


def _same(old: JSON, new: JSON, key: str) -> bool:
    return old.get(key) == new.get(key)


def normalize_cluster_ips(new: JSON, old: JSON | None = None) -> None:
    """``NormalizeClusterIPs`` (pkg/registry/core/service/strategy.go): keep ``clusterIP`` and
    ``clusterIPs`` consistent for clients that only know the singular field."""
    spec = _spec_at(new, "spec")
    if spec is None:
        return
    cluster_ip = spec.get("clusterIP") or ""
    cluster_ips = spec.get("clusterIPs") or []
    if old is None:
        if cluster_ip and not cluster_ips:
            spec["clusterIPs"] = [cluster_ip]
        return
    old_spec = _spec_at(old, "spec") or {}
    old_ip = old_spec.get("clusterIP") or ""
    old_ips = old_spec.get("clusterIPs") or []
    if old_ips and not cluster_ips and old_ip == cluster_ip:
        # An old client that patched something else and never sent clusterIPs.
        spec["clusterIPs"] = cluster_ips = copy.deepcopy(old_ips)
    if old_ip != cluster_ip:
        same_ips = old_ips == cluster_ips
        if old_ip and not cluster_ip and same_ips:
            spec.pop("clusterIPs", None)
        if cluster_ip and same_ips:
            spec["clusterIPs"] = [cluster_ip]


def init_service_ip_families(new: JSON, old: JSON | None = None) -> list[FieldError]:
    """``initIPFamilyFields`` (pkg/registry/core/service/storage/alloc.go) on petset's cluster, which
    is single-stack IPv4: default ``ipFamilyPolicy`` and ``ipFamilies`` before clusterIPs are allocated.

    * no policy: the old object's on update; ``RequireDualStack`` for a headless service without a
      selector; otherwise ``SingleStack``;
    * families are inferred from given clusterIPs, default to ``[IPv4]``; a headless selectorless
      service that is not SingleStack also lists IPv6 (allowed even on a single-stack cluster);
    * asking for IPv6 or dual-stack anywhere else is an error, returned with upstream's text.
    """
    spec = _spec_at(new, "spec")
    if spec is None or spec.get("type") == "ExternalName":
        return []
    old_spec = _spec_at(old, "spec")
    policy = spec.get("ipFamilyPolicy")
    if (
        old_spec is not None
        and policy == "PreferDualStack"
        and old_spec.get("ipFamilyPolicy") == "PreferDualStack"
        and _same(old_spec, spec, "clusterIPs")
        and _same(old_spec, spec, "ipFamilies")
    ):
        return []
    headless_selectorless = spec.get("clusterIP") == "None" and not spec.get("selector")
    if policy is None:
        if old_spec is not None and old_spec.get("ipFamilyPolicy") is not None:
            policy = old_spec["ipFamilyPolicy"]
        elif headless_selectorless:
            policy = "RequireDualStack"
        else:
            policy = "SingleStack"
        spec["ipFamilyPolicy"] = policy

    families = spec.get("ipFamilies")
    cluster_ips = spec.get("clusterIPs")
    if families is None:
        families = []
    if not isinstance(families, list) or (cluster_ips is not None and not isinstance(cluster_ips, list)):
        return []
    cluster_ips = cluster_ips or []
    errors: list[FieldError] = []

    if old_spec is not None:
        if policy == "SingleStack":
            if old_spec.get("clusterIPs") == cluster_ips and len(cluster_ips) > 1:
                spec["clusterIPs"] = cluster_ips = cluster_ips[:1]
            if old_spec.get("ipFamilies") == families and len(families) > 1:
                families = families[:1]
        else:
            if cluster_ips and len(cluster_ips) < len(old_spec.get("clusterIPs") or []):
                errors.append(
                    invalid_value(
                        "spec.ipFamilyPolicy",
                        policy,
                        "must be 'SingleStack' to release the secondary cluster IP",
                    )
                )
            if families and len(families) < len(old_spec.get("ipFamilies") or []):
                errors.append(
                    invalid_value(
                        "spec.ipFamilyPolicy",
                        policy,
                        "must be 'SingleStack' to release the secondary IP family",
                    )
                )

    if policy == "SingleStack":
        if len(cluster_ips) == 2:
            errors.append(
                invalid_value(
                    "spec.ipFamilyPolicy",
                    policy,
                    "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
                )
            )
        if len(families) == 2:
            errors.append(
                invalid_value(
                    "spec.ipFamilyPolicy",
                    policy,
                    "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
                )
            )

    families = list(families)
    for index, ip in enumerate(cluster_ips):
        if ip == "None" or not isinstance(ip, str):
            break
        family = "IPv6" if ":" in ip else "IPv4"
        if index >= len(families):
            if family != "IPv4":
                errors.append(
                    invalid_value(
                        f"spec.clusterIPs[{index}]",
                        cluster_ips,
                        f"{family} is not configured on this cluster",
                    )
                )
            else:
                families.append(family)
    if errors:
        return errors

    if headless_selectorless:
        if not families:
            families = ["IPv4"]
        if len(families) < 2 and policy != "SingleStack":
            families.append("IPv6" if families[0] == "IPv4" else "IPv4")
        spec["ipFamilies"] = families
        return []

    if policy == "RequireDualStack":
        errors.append(
            invalid_value(
                "spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services"
            )
        )
    for index, family in enumerate(families):
        if family != "IPv4":
            errors.append(
                invalid_value(f"spec.ipFamilies[{index}]", family, "not configured on this cluster")
            )
    if errors:
        return errors
    spec["ipFamilies"] = families or ["IPv4"]
    return []


# --------------------------------------------------------------------------------------------------
# Conversions between served versions


def convert_statefulset_v1beta1_to_v1(obj: JSON) -> JSON:
    """An apps/v1beta1 StatefulSet as apps/v1, the way the API server stores it.

    The input is not modified. apps/v1beta1 defaults are applied first (a v1beta1 request is decoded
    and defaulted as v1beta1), then the object goes through the internal version, and the result is
    defaulted as apps/v1, as every read from storage is. Status ``observedGeneration``, a pointer in
    v1beta1, becomes a plain integer that is omitted when zero.
    """
    out = copy.deepcopy(obj)
    _statefulset_v1beta1(out)
    out["apiVersion"] = "apps/v1"
    _through_internal_statefulset(out)
    status = _spec_at(out, "status")
    if status is not None and status.get("observedGeneration") in (None, 0):
        status.pop("observedGeneration", None)
    _statefulset(out)
    return out


def convert_statefulset_v1_to_v1beta1(obj: JSON) -> JSON:
    """An apps/v1 StatefulSet as apps/v1beta1 (no defaults are applied on the way out).

    ``status.observedGeneration`` is a pointer in v1beta1 that conversion always sets, so it is
    encoded even when zero.
    """
    out = copy.deepcopy(obj)
    out["apiVersion"] = "apps/v1beta1"
    _through_internal_statefulset(out)
    if (status := _struct(out, "status")) is not None:
        for key in ("observedGeneration", "replicas", "availableReplicas"):
            _default(status, key, 0)
    return out


def _through_internal_statefulset(obj: JSON) -> None:
    """What the trip through the internal StatefulSet does to the shared fields: a rolling update
    always carries a partition (an int32 internally), and claim templates are stamped v1 PVCs."""
    spec = _spec_at(obj, "spec")
    if spec is None:
        return
    rolling = _spec_at(spec, "updateStrategy", "rollingUpdate")
    if rolling is not None:
        _default(rolling, "partition", 0)
    for claim in _items(spec, "volumeClaimTemplates"):
        claim["apiVersion"] = "v1"
        claim["kind"] = "PersistentVolumeClaim"


def _copy_if_set(src: JSON, src_key: str, dst: JSON, dst_key: str, *, keep_empty: bool = False) -> None:
    value = src.get(src_key)
    if value is None or (not keep_empty and value in ("", 0) and not isinstance(value, bool)):
        return
    dst[dst_key] = copy.deepcopy(value)


def convert_event_core_to_events_v1(obj: JSON) -> JSON:
    """A core/v1 Event as events.k8s.io/v1 (``Convert_core_Event_To_v1_Event``, via the internal Event).

    involvedObject -> regarding, message -> note, source -> deprecatedSource, count ->
    deprecatedCount, first/lastTimestamp -> deprecatedFirst/LastTimestamp, reportingComponent ->
    reportingController; the rest keeps its name. Zero values are encoded as Go encodes them.
    """
    out: JSON = {"apiVersion": "events.k8s.io/v1", "kind": "Event"}
    _copy_if_set(obj, "metadata", out, "metadata", keep_empty=True)
    for same in ("action", "reason", "type", "related", "series", "reportingInstance"):
        _copy_if_set(obj, same, out, same)
    _copy_if_set(obj, "reportingComponent", out, "reportingController")
    _copy_if_set(obj, "message", out, "note")
    _copy_if_set(obj, "count", out, "deprecatedCount")
    out["regarding"] = copy.deepcopy(obj.get("involvedObject") or {})
    out["deprecatedSource"] = copy.deepcopy(obj.get("source") or {})
    out["eventTime"] = obj.get("eventTime")
    out["deprecatedFirstTimestamp"] = obj.get("firstTimestamp")
    out["deprecatedLastTimestamp"] = obj.get("lastTimestamp")
    return out


def convert_event_events_v1_to_core(obj: JSON) -> JSON:
    """An events.k8s.io/v1 Event as core/v1 (``Convert_v1_Event_To_core_Event``), the inverse of
    :func:`convert_event_core_to_events_v1`."""
    out: JSON = {"apiVersion": "v1", "kind": "Event"}
    _copy_if_set(obj, "metadata", out, "metadata", keep_empty=True)
    for same in ("action", "reason", "type", "related", "series"):
        _copy_if_set(obj, same, out, same)
    _copy_if_set(obj, "note", out, "message")
    _copy_if_set(obj, "deprecatedCount", out, "count")
    out["involvedObject"] = copy.deepcopy(obj.get("regarding") or {})
    out["source"] = copy.deepcopy(obj.get("deprecatedSource") or {})
    out["eventTime"] = obj.get("eventTime")
    out["firstTimestamp"] = obj.get("deprecatedFirstTimestamp")
    out["lastTimestamp"] = obj.get("deprecatedLastTimestamp")
    out["reportingComponent"] = obj.get("reportingController") or ""
    out["reportingInstance"] = obj.get("reportingInstance") or ""
    return out
