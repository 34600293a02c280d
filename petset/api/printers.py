"""Server-side printing: the ``meta.k8s.io/v1`` Tables that ``kubectl get`` prints.

kubectl asks for ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io`` and prints the cells it gets,
verbatim, under the upper-cased column names; the columns and every cell (ages, ``Init:1/2``,
``80:30080/TCP``, ``<none>``) are decided by the server. This module is a port of
kubernetes/pkg/printers/internalversion/printers.go (v1.32) for the kinds petset serves, plus the
apiserver's default table convertor (``Name`` and ``Created At``) for everything else.

Upstream prints internal types that were decoded from storage, converted and defaulted. Here the
objects are v1 JSON dicts as the registry stores them (already defaulted); a field that is missing
reads as Go's zero value, which is what the conversion would have produced. The apiserver always
prints with ``Wide: true`` (kubectl hides ``priority: 1`` columns itself unless ``-o wide``), so every
row carries the wide cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

__all__ = [
    "column_definitions",
    "human_duration",
    "row_cells",
    "table",
    "translate_timestamp_since",
]

Object = Mapping[str, Any]
Cell = str | int | bool

_TABLE_API_VERSION = "meta.k8s.io/v1"
_INCLUDE_OBJECT_VALUES = ("None", "Metadata", "Object")

# Column descriptions are the Go types' SwaggerDoc() strings, which are generated from the same
# comments as the OpenAPI descriptions of v1.32 (taken from there).
_NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
_CREATION_TIMESTAMP_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
    "value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null "
    "for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)
_CONTAINERS_DOC = "Names of each container in the template."
_IMAGES_DOC = "Images referenced by each container in the template."
_NODE_ADDRESSES_DOC = (
    "List of addresses reachable to the node. Queried from cloud provider, if available. More info: "
    "https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as "
    "mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is "
    "merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an "
    "example. Consumers should assume that addresses can change during the lifetime of a Node. However, "
    "there are some exceptions where this may not be possible, such as Pods that inherit a Node's address "
    "in its own status or consumers of the downward API (status.hostIP)."
)
_ACCESS_MODES_PVC_DOC = (
    "accessModes contains the actual access modes the volume backing the PVC has. More info: "
    "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"
)


def _column(
    name: str, description: str, *, type: str = "string", format: str = "", priority: int = 0
) -> dict[str, Any]:
    """One metav1.TableColumnDefinition; none of its JSON fields is omitempty."""
    return {"name": name, "type": type, "format": format, "description": description, "priority": priority}


def _name_column() -> dict[str, Any]:
    return _column("Name", _NAME_DOC, format="name")


def _age_column() -> dict[str, Any]:
    return _column("Age", _CREATION_TIMESTAMP_DOC)


# ---------------------------------------------------------------------------------------------------------
# Field access with Go zero values.


def _dict(obj: Any, key: str) -> Mapping[str, Any]:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _list(obj: Any, key: str) -> list[Any]:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, list) else []


def _str(obj: Any, key: str) -> str:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, str) else ""


def _int(obj: Any, key: str) -> int:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _has(obj: Any, key: str) -> bool:
    """Whether a pointer field is non-nil (present and not JSON null)."""
    return isinstance(obj, Mapping) and obj.get(key) is not None


def _name(obj: Object) -> str:
    return _str(_dict(obj, "metadata"), "name")


# ---------------------------------------------------------------------------------------------------------
# Time.

_MICROSECOND = timedelta(microseconds=1)
_GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


def _parse_time(value: Any) -> datetime | None:
    """A metav1.Time or MicroTime from JSON; None stands for Go's zero time (null, "" or year 1)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return None if parsed == _GO_ZERO_TIME else parsed


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def human_duration(d: timedelta) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration: ~2-3 significant figures of a duration.

    Up to two seconds in the future counts as now (clock skew between machines); beyond that the
    duration is ``<invalid>``.
    """
    micros = d // _MICROSECOND
    # Go's int(d.Seconds()) truncates toward zero; floor division would turn -0.5s into -1.
    seconds = -((-micros) // 1_000_000) if micros < 0 else micros // 1_000_000
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def _since(timestamp: datetime | None, now: datetime) -> str:
    if timestamp is None:
        return "<unknown>"
    return human_duration(_aware(now) - timestamp)


def translate_timestamp_since(timestamp: str | None, now: datetime) -> str:
    """printers.go translateTimestampSince (and translateMicroTimestampSince): the age of an RFC3339
    timestamp, ``<unknown>`` when it is unset."""
    return _since(_parse_time(timestamp), now)


def _age(obj: Object, now: datetime) -> str:
    return translate_timestamp_since(_dict(obj, "metadata").get("creationTimestamp"), now)


def _rfc3339_utc(timestamp: datetime | None) -> str:
    """Go's ``t.UTC().Format(time.RFC3339)``; the zero time prints as year 0001, never as unset."""
    t = (timestamp or _GO_ZERO_TIME).astimezone(UTC)
    # strftime does not zero-pad years below 1000 on every platform.
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


# ---------------------------------------------------------------------------------------------------------
# resource.Quantity.String(): capacities print in canonical form ("1024Mi" prints as "1Gi").

_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_BY_EXPONENT = {v: k for k, v in _BINARY_SUFFIXES.items()}
_DECIMAL_BY_EXPONENT = {v: k for k, v in _DECIMAL_SUFFIXES.items()}
_QUANTITY = re.compile(r"([+-]?)0*(\d*)(?:\.(\d*))?([eEinumkKMGTP]*[+-]?\d*)")
_MAX_INT64 = 2**63 - 1
_NANO = 10**9


def _quantity_string(raw: Any) -> str:
    """resource.Quantity String() of a quantity as it appears in JSON (ParseQuantity, then
    CanonicalizeBytes).

    ParseQuantity keeps the original string when it is already canonical-looking, so String() can
    return it unchanged; otherwise the value is rounded up to nano precision and re-printed in its
    format (BinarySI, DecimalSI or DecimalExponent). A string Go would refuse prints unchanged.
    """
    if raw is None:
        return "0"
    text = str(raw).strip()
    match = _QUANTITY.fullmatch(text)
    if not text or match is None:
        return text
    sign, num, denom, suffix = match.group(1), match.group(2) or "0", match.group(3) or "", match.group(4)
    if suffix in _BINARY_SUFFIXES:
        fmt, base, exponent = "BinarySI", 2, _BINARY_SUFFIXES[suffix]
    elif suffix in _DECIMAL_SUFFIXES:
        fmt, base, exponent = "DecimalSI", 10, _DECIMAL_SUFFIXES[suffix]
    elif len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[+-]?\d+", suffix[1:]):
        fmt, base, exponent = "DecimalExponent", 10, int(suffix[1:])
    else:
        return text
    if _quantity_is_cached(fmt, exponent, num, denom):
        return text

    magnitude = Fraction(int(num + denom), 10 ** len(denom)) * Fraction(base) ** exponent
    # ParseQuantity rounds non-zero values up to the smallest representable amount (1n).
    magnitude = Fraction(-((-magnitude * _NANO) // 1), _NANO)
    if fmt == "BinarySI":
        magnitude = min(magnitude, Fraction(_MAX_INT64))
    value = -magnitude if sign == "-" else magnitude
    return _canonical_quantity(value, fmt)


def _quantity_is_cached(fmt: str, exponent: int, num: str, denom: str) -> bool:
    """ParseQuantity's fast path, which keeps the input string when it is in canonical form."""
    if fmt == "BinarySI":
        if denom:
            return False
        precision = 15 - len(num) - exponent * 3 // 10 - 1
        value = int(num)
        return precision >= 0 and value << exponent <= _MAX_INT64 and value & 0x07 != 0
    precision = 18 - (len(num) + len(denom))
    scale = exponent - len(denom)
    shifted = num + denom
    return (
        precision >= 0
        and scale >= -9
        and scale % 3 == 0
        and not shifted.endswith("000")
        and shifted[0] != "0"
    )


def _canonical_quantity(value: Fraction, fmt: str) -> str:
    """Quantity.CanonicalizeBytes."""
    if value == 0:
        return "0"
    if fmt == "BinarySI":
        if -1024 < value < 1024 or value.denominator != 1:
            fmt = "DecimalSI"
        else:
            amount, power = abs(int(value)), 0
            while amount >= 1024 and amount % 1024 == 0:
                amount //= 1024
                power += 1
            sign = "-" if value < 0 else ""
            return f"{sign}{amount}{_BINARY_BY_EXPONENT[power * 10]}"
    mantissa, exponent = abs(int(value * _NANO)), -9
    while mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    # Exponents are printed in multiples of three; the remainder moves into the mantissa.
    remainder = exponent % 3
    mantissa *= 10**remainder
    exponent -= remainder
    sign = "-" if value < 0 else ""
    if fmt == "DecimalExponent":
        return f"{sign}{mantissa}" + (f"e{exponent}" if exponent else "")
    return f"{sign}{mantissa}{_DECIMAL_BY_EXPONENT.get(exponent, '')}"


# ---------------------------------------------------------------------------------------------------------
# Shared formatting helpers.


def _format_labels(labels: Any) -> str:
    """labels.FormatLabels: sorted ``k=v`` pairs, ``<none>`` when empty."""
    if not isinstance(labels, Mapping) or not labels:
        return "<none>"
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def _layout_container_cells(containers: Sequence[Any]) -> tuple[str, str]:
    """printers.go layoutContainerCells."""
    return ",".join(_str(c, "name") for c in containers), ",".join(_str(c, "image") for c in containers)


def _join_host_port(host: str, port: str) -> str:
    """net.JoinHostPort: IPv6 literals get brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _list_with_more_string(items: list[str], more: bool, count: int, limit: int) -> str:
    """printers.go listWithMoreString."""
    ret = ",".join(items)
    if more:
        return f"{ret} + {count - limit} more..."
    return ret or "<unset>"


def _access_modes_as_string(modes: Sequence[Any]) -> str:
    """pkg/apis/core/helper GetAccessModesAsString: a fixed order, duplicates dropped."""
    abbreviations = (
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    )
    return ",".join(short for mode, short in abbreviations if mode in modes)


# Go's unicode.IsSpace set, which strings.TrimSpace strips; str.strip() would also strip \x1c-\x1f.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


# ---------------------------------------------------------------------------------------------------------
# Pods.

_POD_COLUMNS = (
    _name_column(),
    _column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    _column("Status", "The aggregate status of the containers in this pod."),
    _column(
        "Restarts",
        "The number of times the containers in this pod have been restarted and when the last container in "
        "this pod has restarted.",
    ),
    _age_column(),
    _column(
        "IP",
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
        "allocated.",
        priority=1,
    ),
    _column(
        "Node",
        "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for "
        "scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this "
        "node becomes responsible for the lifecycle of this pod. This field should not be used to express a "
        "desire for the pod to be scheduled on a specific node. "
        "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
        priority=1,
    ),
    _column(
        "Nominated Node",
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be "
        "scheduled right away as preemption victims receive their graceful termination periods. This field "
        "does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the "
        "pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the "
        "resources on this node to a higher priority pod that is created after preemption. As a result, "
        "this field may be different than PodSpec.nodeName when the pod is scheduled.",
        priority=1,
    ),
    _column(
        "Readiness Gates",
        "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its "
        "containers are ready AND all conditions specified in the readiness gates have status equal to "
        '"True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
        priority=1,
    ),
)


def _is_restartable_init_container(container: Any) -> bool:
    """pkg/api/pod IsRestartableInitContainer: a sidecar (restartPolicy Always)."""
    return _str(container, "restartPolicy") == "Always"


def _later(current: datetime | None, candidate: datetime | None) -> datetime | None:
    """``if current.Before(&candidate) { current = candidate }`` with None as the zero time."""
    if candidate is not None and (current is None or current < candidate):
        return candidate
    return current


def _finished_at_of_last_termination(container_status: Any) -> datetime | None:
    """FinishedAt of lastState.terminated; None when there is no last termination (or no time)."""
    terminated = _dict(container_status, "lastState").get("terminated")
    return _parse_time(terminated.get("finishedAt")) if isinstance(terminated, Mapping) else None


def _condition_true(conditions: Sequence[Any], condition_type: str) -> bool:
    return any(_str(c, "type") == condition_type and _str(c, "status") == "True" for c in conditions)


def _is_pod_initialized_condition_true(conditions: Sequence[Any]) -> bool:
    """printers.go isPodInitializedConditionTrue: the first Initialized condition decides."""
    for condition in conditions:
        if _str(condition, "type") == "Initialized":
            return _str(condition, "status") == "True"
    return False


def _print_pod(pod: Object, now: datetime) -> list[Cell]:
    """printers.go printPod."""
    spec, status = _dict(pod, "spec"), _dict(pod, "status")
    conditions = _list(status, "conditions")
    init_specs = _list(spec, "initContainers")
    restarts = 0
    restartable_init_restarts = 0
    total_containers = len(_list(spec, "containers"))
    ready_containers = 0
    last_restart: datetime | None = None
    last_restartable_init_restart: datetime | None = None

    phase = _str(status, "phase")
    reason = _str(status, "reason") or phase
    # A pod held back by scheduling gates says so, whatever its phase.
    for condition in conditions:
        if _str(condition, "type") == "PodScheduled" and _str(condition, "reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_containers = {_str(c, "name"): c for c in init_specs}
    total_containers += sum(1 for c in init_specs if _is_restartable_init_container(c))

    initializing = False
    for i, container in enumerate(_list(status, "initContainerStatuses")):
        restarts += _int(container, "restartCount")
        last_restart = _later(last_restart, _finished_at_of_last_termination(container))
        sidecar = _is_restartable_init_container(init_containers.get(_str(container, "name")))
        if sidecar:
            restartable_init_restarts += _int(container, "restartCount")
            last_restartable_init_restart = _later(
                last_restartable_init_restart, _finished_at_of_last_termination(container)
            )
        state = _dict(container, "state")
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and _int(terminated, "exitCode") == 0:
            continue
        if sidecar and container.get("started") is True:
            if container.get("ready") is True:
                ready_containers += 1
            continue
        if terminated is not None:
            # initialization failed
            if _str(terminated, "reason"):
                reason = "Init:" + _str(terminated, "reason")
            elif _int(terminated, "signal") != 0:
                reason = f"Init:Signal:{_int(terminated, 'signal')}"
            else:
                reason = f"Init:ExitCode:{_int(terminated, 'exitCode')}"
        elif waiting is not None and _str(waiting, "reason") and _str(waiting, "reason") != "PodInitializing":
            reason = "Init:" + _str(waiting, "reason")
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _is_pod_initialized_condition_true(conditions):
        restarts = restartable_init_restarts
        last_restart = last_restartable_init_restart
        has_running = False
        for container in reversed(_list(status, "containerStatuses")):
            restarts += _int(container, "restartCount")
            last_restart = _later(last_restart, _finished_at_of_last_termination(container))
            state = _dict(container, "state")
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if waiting is not None and _str(waiting, "reason"):
                reason = _str(waiting, "reason")
            elif terminated is not None and _str(terminated, "reason"):
                reason = _str(terminated, "reason")
            elif terminated is not None:
                if _int(terminated, "signal") != 0:
                    reason = f"Signal:{_int(terminated, 'signal')}"
                else:
                    reason = f"ExitCode:{_int(terminated, 'exitCode')}"
            elif container.get("ready") is True and state.get("running") is not None:
                has_running = True
                ready_containers += 1

        # A pod whose last-listed container completed while another still runs is not Completed.
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(conditions, "Ready") else "NotReady"

    if _has(_dict(pod, "metadata"), "deletionTimestamp"):
        if _str(status, "reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Failed", "Succeeded"):
            reason = "Terminating"

    restarts_cell = str(restarts)
    if restarts != 0 and last_restart is not None:
        restarts_cell = f"{restarts} ({_since(last_restart, now)} ago)"

    pod_ips = _list(status, "podIPs")
    pod_ip = _str(status, "podIP") or (_str(pod_ips[0], "ip") if pod_ips else "")
    readiness_gates = "<none>"
    gates = _list(spec, "readinessGates")
    if gates:
        true_conditions = 0
        for gate in gates:
            for condition in conditions:
                if _str(condition, "type") == _str(gate, "conditionType"):
                    if _str(condition, "status") == "True":
                        true_conditions += 1
                    break
        readiness_gates = f"{true_conditions}/{len(gates)}"

    return [
        _name(pod),
        f"{ready_containers}/{total_containers}",
        reason,
        restarts_cell,
        _age(pod, now),
        pod_ip or "<none>",
        _str(spec, "nodeName") or "<none>",
        _str(status, "nominatedNodeName") or "<none>",
        readiness_gates,
    ]


def _pod_conditions(pod: Object) -> list[dict[str, str]]:
    """printers.go podSuccessConditions / podFailedConditions: finished pods are marked Completed."""
    phase = _str(_dict(pod, "status"), "phase")
    if phase == "Succeeded":
        return [
            {
                "type": "Completed",
                "status": "True",
                "reason": "Succeeded",
                "message": "The pod has completed successfully.",
            }
        ]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return []


# ---------------------------------------------------------------------------------------------------------
# Services, Endpoints, EndpointSlices.

_SERVICE_COLUMNS = (
    _name_column(),
    _column(
        "Type",
        "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, "
        'ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for '
        "load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, "
        'by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no '
        "virtual IP is allocated and the endpoints are published as a set of endpoints rather than a "
        'virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the '
        'same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external '
        "load-balancer (if supported in the current cloud) which routes to the same endpoints as the "
        'clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields '
        "do not apply to ExternalName services. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
    ),
    _column(
        "Cluster-IP",
        "clusterIP is the IP address of the service and is usually assigned randomly. If an address is "
        "specified manually, is in-range (as per system configuration), and is not in use, it will be "
        "allocated to the service; otherwise creation of the service will fail. This field may not be "
        "changed through updates unless the type field is also being changed to ExternalName (which "
        "requires this field to be blank) or the type field is being changed from ExternalName (in which "
        'case this field may optionally be specified, as describe above).  Valid values are "None", empty '
        'string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual '
        "IP), which is useful when direct endpoint connections are preferred and proxying is not required.  "
        "Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when "
        "creating a Service of type ExternalName, creation will fail. This field will be wiped when "
        "updating a Service to type ExternalName. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
    ),
    _column(
        "External-IP",
        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for "
        "this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that "
        "traffic arrives at a node with this IP.  A common example is external load-balancers that are not "
        "part of the Kubernetes system.",
    ),
    _column(
        "Port(s)",
        "The list of ports that are exposed by this service. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
    ),
    _age_column(),
    _column(
        "Selector",
        "Route service traffic to pods with label keys and values matching this selector. If empty or not "
        "present, the service is assumed to have an external process managing its endpoints, which "
        "Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored "
        "if type is ExternalName. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/",
        priority=1,
    ),
)


def _load_balancer_status_stringer(load_balancer: Any) -> str:
    """printers.go loadBalancerStatusStringer, wide (never clipped): sorted, de-duplicated IPs or
    hostnames."""
    addresses = {_str(i, "ip") or _str(i, "hostname") for i in _list(load_balancer, "ingress")}
    return ",".join(sorted(addresses - {""}))


def _service_external_ip(service: Object) -> str:
    """printers.go getServiceExternalIP."""
    spec = _dict(service, "spec")
    external_ips = [ip for ip in _list(spec, "externalIPs") if isinstance(ip, str)]
    service_type = _str(spec, "type")
    if service_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else "<none>"
    if service_type == "LoadBalancer":
        lb_ips = _load_balancer_status_stringer(_dict(_dict(service, "status"), "loadBalancer"))
        if external_ips:
            return ",".join((lb_ips.split(",") if lb_ips else []) + external_ips)
        return lb_ips or "<pending>"
    if service_type == "ExternalName":
        return _str(spec, "externalName")
    return "<unknown>"


def _make_port_string(ports: Sequence[Any]) -> str:
    """printers.go makePortString."""
    pieces = []
    for port in ports:
        if _int(port, "nodePort") > 0:
            pieces.append(f"{_int(port, 'port')}:{_int(port, 'nodePort')}/{_str(port, 'protocol')}")
        else:
            pieces.append(f"{_int(port, 'port')}/{_str(port, 'protocol')}")
    return ",".join(pieces)


def _print_service(service: Object, now: datetime) -> list[Cell]:
    """printers.go printService."""
    spec = _dict(service, "spec")
    # v1 defaulting fills clusterIPs from clusterIP, so the first of clusterIPs is what upstream sees.
    cluster_ips = _list(spec, "clusterIPs") or ([_str(spec, "clusterIP")] if _str(spec, "clusterIP") else [])
    internal_ip = cluster_ips[0] if cluster_ips and isinstance(cluster_ips[0], str) else "<none>"
    return [
        _name(service),
        _str(spec, "type"),
        internal_ip,
        _service_external_ip(service),
        _make_port_string(_list(spec, "ports")) or "<none>",
        _age(service, now),
        _format_labels(spec.get("selector")),
    ]


_ENDPOINTS_COLUMNS = (
    _name_column(),
    _column(
        "Endpoints",
        "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according "
        "to the IPs they share. A single address with multiple ports, some of which are ready and some of "
        "which are not (because they come from different containers) will result in the address being "
        "displayed in different subsets for the different ports. No address will appear in both Addresses "
        "and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
    ),
    _age_column(),
)


def _format_endpoints(endpoints: Object) -> str:
    """printers.go formatEndpoints with ports=nil: the first three ready addresses, then a count."""
    subsets = _list(endpoints, "subsets")
    if not subsets:
        return "<none>"
    items: list[str] = []
    limit, more, count = 3, False, 0
    for subset in subsets:
        addresses = _list(subset, "addresses")
        ports = _list(subset, "ports")
        if not ports:
            # It's possible to have headless services with no ports.
            count += len(addresses)
            for address in addresses:
                if len(items) == limit:
                    more = True
                    break
                items.append(_str(address, "ip"))
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(items) == limit:
                    more = True
                    break
                items.append(_join_host_port(_str(address, "ip"), str(_int(port, "port"))))
    ret = ",".join(items)
    return f"{ret} + {count - limit} more..." if more else ret


def _print_endpoints(endpoints: Object, now: datetime) -> list[Cell]:
    """printers.go printEndpoints."""
    return [_name(endpoints), _format_endpoints(endpoints), _age(endpoints, now)]


_ENDPOINT_SLICE_COLUMNS = (
    _name_column(),
    _column(
        "AddressType",
        "addressType specifies the type of address carried by this EndpointSlice. All addresses in this "
        "slice must be the same type. This field is immutable after creation. The following address types "
        "are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * "
        "FQDN: Represents a Fully Qualified Domain Name.",
    ),
    _column(
        "Ports",
        "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must "
        "have a unique name. When ports is empty, it indicates that there are no defined ports. When a port "
        'is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of '
        "100 ports.",
    ),
    _column(
        "Endpoints",
        "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 "
        "endpoints.",
    ),
    _age_column(),
)


def _format_discovery_ports(ports: Sequence[Any]) -> str:
    """printers.go formatDiscoveryPorts: the port number, else its name, else ``*`` (all ports)."""
    items: list[str] = []
    limit, more, count = 3, False, 0
    for port in ports:
        if len(items) < limit:
            if _has(port, "port"):
                items.append(str(_int(port, "port")))
            elif _has(port, "name"):
                items.append(_str(port, "name"))
            else:
                items.append("*")
        elif len(items) == limit:
            more = True
        count += 1
    return _list_with_more_string(items, more, count, limit)


def _format_discovery_endpoints(endpoints: Sequence[Any]) -> str:
    """printers.go formatDiscoveryEndpoints."""
    items: list[str] = []
    limit, more, count = 3, False, 0
    for endpoint in endpoints:
        for address in _list(endpoint, "addresses"):
            if len(items) < limit:
                items.append(address if isinstance(address, str) else "")
            elif len(items) == limit:
                more = True
            count += 1
    return _list_with_more_string(items, more, count, limit)


def _print_endpoint_slice(endpoint_slice: Object, now: datetime) -> list[Cell]:
    """printers.go printEndpointSlice."""
    return [
        _name(endpoint_slice),
        _str(endpoint_slice, "addressType"),
        _format_discovery_ports(_list(endpoint_slice, "ports")),
        _format_discovery_endpoints(_list(endpoint_slice, "endpoints")),
        _age(endpoint_slice, now),
    ]


# ---------------------------------------------------------------------------------------------------------
# Nodes and Namespaces.

_NODE_COLUMNS = (
    _name_column(),
    _column("Status", "The status of the node"),
    _column("Roles", "The roles of the node"),
    _age_column(),
    _column("Version", "Kubelet Version reported by the node."),
    _column("Internal-IP", _NODE_ADDRESSES_DOC, priority=1),
    _column("External-IP", _NODE_ADDRESSES_DOC, priority=1),
    _column(
        "OS-Image",
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        priority=1,
    ),
    _column(
        "Kernel-Version",
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        priority=1,
    ),
    _column(
        "Container-Runtime",
        "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
        priority=1,
    ),
)

_LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
_NODE_LABEL_ROLE = "kubernetes.io/role"


def _find_node_roles(node: Object) -> list[str]:
    """printers.go findNodeRoles: ``node-role.kubernetes.io/<role>`` keys and ``kubernetes.io/role``
    values, sorted."""
    roles: set[str] = set()
    for key, value in _dict(_dict(node, "metadata"), "labels").items():
        if key.startswith(_LABEL_NODE_ROLE_PREFIX):
            role = key[len(_LABEL_NODE_ROLE_PREFIX) :]
            if role:
                roles.add(role)
        elif key == _NODE_LABEL_ROLE and value:
            roles.add(value)
    return sorted(roles)


def _node_address(node: Object, address_type: str) -> str:
    """printers.go getNodeInternalIP / getNodeExternalIP: the first address of the type."""
    for address in _list(_dict(node, "status"), "addresses"):
        if _str(address, "type") == address_type:
            return _str(address, "address")
    return "<none>"


def _print_node(node: Object, now: datetime) -> list[Cell]:
    """printers.go printNode."""
    status = _dict(node, "status")
    # Upstream builds a map by type, so the last Ready condition listed wins.
    ready: Mapping[str, Any] | None = None
    for condition in _list(status, "conditions"):
        if _str(condition, "type") == "Ready":
            ready = condition
    if ready is None:
        states = ["Unknown"]
    else:
        states = ["Ready" if _str(ready, "status") == "True" else "NotReady"]
    if _dict(node, "spec").get("unschedulable") is True:
        states.append("SchedulingDisabled")
    info = _dict(status, "nodeInfo")
    return [
        _name(node),
        ",".join(states),
        ",".join(_find_node_roles(node)) or "<none>",
        _age(node, now),
        _str(info, "kubeletVersion"),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        _str(info, "osImage") or "<unknown>",
        _str(info, "kernelVersion") or "<unknown>",
        _str(info, "containerRuntimeVersion") or "<unknown>",
    ]


_NAMESPACE_COLUMNS = (_name_column(), _column("Status", "The status of the namespace"), _age_column())


def _print_namespace(namespace: Object, now: datetime) -> list[Cell]:
    """printers.go printNamespace."""
    return [_name(namespace), _str(_dict(namespace, "status"), "phase"), _age(namespace, now)]


# ---------------------------------------------------------------------------------------------------------
# Storage: PersistentVolumes, PersistentVolumeClaims, StorageClasses.

_BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"

_PERSISTENT_VOLUME_COLUMNS = (
    _name_column(),
    _column(
        "Capacity",
        "capacity is the description of the persistent volume's resources and capacity. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity",
    ),
    _column(
        "Access Modes",
        "accessModes contains all ways the volume can be mounted. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes",
    ),
    _column(
        "Reclaim Policy",
        "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its "
        "claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default "
        "for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be "
        "supported by the volume plugin underlying this PersistentVolume. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming",
    ),
    _column(
        "Status",
        "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase",
    ),
    _column(
        "Claim",
        "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. "
        "Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. "
        "More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding",
    ),
    _column("StorageClass", "StorageClass of the pv"),
    _column("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    _column(
        "Reason",
        "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and "
        "tidy display in the CLI.",
    ),
    _age_column(),
    _column(
        "VolumeMode",
        "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in "
        "raw block state. Value of Filesystem is implied when not included in spec.",
        priority=1,
    ),
)


def _print_persistent_volume(volume: Object, now: datetime) -> list[Cell]:
    """printers.go printPersistentVolume."""
    metadata, spec, status = _dict(volume, "metadata"), _dict(volume, "spec"), _dict(volume, "status")
    claim_ref = ""
    if _has(spec, "claimRef"):
        claim = _dict(spec, "claimRef")
        claim_ref = f"{_str(claim, 'namespace')}/{_str(claim, 'name')}"
    phase = "Terminating" if _has(metadata, "deletionTimestamp") else _str(status, "phase")
    annotations = _dict(metadata, "annotations")
    # helper.GetPersistentVolumeClass: the beta annotation wins over the field.
    if _BETA_STORAGE_CLASS_ANNOTATION in annotations:
        storage_class = _str(annotations, _BETA_STORAGE_CLASS_ANNOTATION)
    else:
        storage_class = _str(spec, "storageClassName")
    return [
        _name(volume),
        _quantity_string(_dict(spec, "capacity").get("storage")),
        _access_modes_as_string(_list(spec, "accessModes")),
        _str(spec, "persistentVolumeReclaimPolicy"),
        phase,
        claim_ref,
        storage_class,
        _str(spec, "volumeAttributesClassName") if _has(spec, "volumeAttributesClassName") else "<unset>",
        _str(status, "reason"),
        _age(volume, now),
        _str(spec, "volumeMode") if _has(spec, "volumeMode") else "<unset>",
    ]


_PERSISTENT_VOLUME_CLAIM_COLUMNS = (
    _name_column(),
    _column("Status", "phase represents the current phase of PersistentVolumeClaim."),
    _column("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
    _column("Capacity", "capacity represents the actual resources of the underlying volume."),
    _column("Access Modes", _ACCESS_MODES_PVC_DOC),
    _column("StorageClass", "StorageClass of the pvc"),
    _column("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    _age_column(),
    _column(
        "VolumeMode",
        "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied "
        "when not included in claim spec.",
        priority=1,
    ),
)


def _print_persistent_volume_claim(claim: Object, now: datetime) -> list[Cell]:
    """printers.go printPersistentVolumeClaim; capacity and access modes only once bound to a volume."""
    metadata, spec, status = _dict(claim, "metadata"), _dict(claim, "spec"), _dict(claim, "status")
    phase = "Terminating" if _has(metadata, "deletionTimestamp") else _str(status, "phase")
    capacity = access_modes = ""
    if _str(spec, "volumeName"):
        access_modes = _access_modes_as_string(_list(status, "accessModes"))
        capacity = _quantity_string(_dict(status, "capacity").get("storage"))
    annotations = _dict(metadata, "annotations")
    # helper.GetPersistentVolumeClaimClass: the beta annotation, else the field, else "".
    if _BETA_STORAGE_CLASS_ANNOTATION in annotations:
        storage_class = _str(annotations, _BETA_STORAGE_CLASS_ANNOTATION)
    else:
        storage_class = _str(spec, "storageClassName")
    return [
        _name(claim),
        phase,
        _str(spec, "volumeName"),
        capacity,
        access_modes,
        storage_class,
        _str(spec, "volumeAttributesClassName") if _has(spec, "volumeAttributesClassName") else "<unset>",
        _age(claim, now),
        _str(spec, "volumeMode") if _has(spec, "volumeMode") else "<unset>",
    ]


_STORAGE_CLASS_COLUMNS = (
    _name_column(),
    _column("Provisioner", "provisioner indicates the type of the provisioner."),
    _column(
        "ReclaimPolicy",
        "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this "
        "storage class. Defaults to Delete.",
    ),
    _column(
        "VolumeBindingMode",
        "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When "
        "unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the "
        "VolumeScheduling feature.",
    ),
    _column(
        "AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."
    ),
    _age_column(),
)

_DEFAULT_STORAGE_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def _print_storage_class(storage_class: Object, now: datetime) -> list[Cell]:
    """printers.go printStorageClass; AllowVolumeExpansion is a JSON boolean cell."""
    annotations = _dict(_dict(storage_class, "metadata"), "annotations")
    name = _name(storage_class)
    if any(annotations.get(key) == "true" for key in _DEFAULT_STORAGE_CLASS_ANNOTATIONS):
        name += " (default)"
    return [
        name,
        _str(storage_class, "provisioner"),
        _str(storage_class, "reclaimPolicy") if _has(storage_class, "reclaimPolicy") else "Delete",
        _str(storage_class, "volumeBindingMode") if _has(storage_class, "volumeBindingMode") else "Immediate",
        storage_class.get("allowVolumeExpansion") is True,
        _age(storage_class, now),
    ]


# ---------------------------------------------------------------------------------------------------------
# ConfigMaps, Secrets, ServiceAccounts.

_CONFIG_MAP_COLUMNS = (
    _name_column(),
    _column(
        "Data",
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' "
        "or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in "
        "Data must not overlap with the keys in the BinaryData field, this is enforced during validation "
        "process.",
    ),
    _age_column(),
)


def _print_config_map(config_map: Object, now: datetime) -> list[Cell]:
    """printers.go printConfigMap: the number of keys in data and binaryData."""
    count = len(_dict(config_map, "data")) + len(_dict(config_map, "binaryData"))
    return [_name(config_map), count, _age(config_map, now)]


_SECRET_COLUMNS = (
    _name_column(),
    _column(
        "Type",
        "Used to facilitate programmatic handling of secret data. More info: "
        "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
    ),
    _column(
        "Data",
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. "
        "The serialized form of the secret data is a base64 encoded string, representing the arbitrary "
        "(possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    _age_column(),
)


def _print_secret(secret: Object, now: datetime) -> list[Cell]:
    """printers.go printSecret."""
    return [_name(secret), _str(secret, "type"), len(_dict(secret, "data")), _age(secret, now)]


_SERVICE_ACCOUNT_COLUMNS = (
    _name_column(),
    _column(
        "Secrets",
        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount "
        "are allowed to use. Pods are only limited to this list if this service account has a "
        '"kubernetes.io/enforce-mountable-secrets" annotation set to "true". The '
        '"kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate '
        "namespaces to isolate access to mounted secrets. This field should not be used to find "
        "auto-generated service account token secrets for use outside of pods. Instead, tokens can be "
        "requested directly using the TokenRequest API, or service account token secrets can be manually "
        "created. More info: https://kubernetes.io/docs/concepts/configuration/secret",
    ),
    _age_column(),
)


def _print_service_account(service_account: Object, now: datetime) -> list[Cell]:
    """printers.go printServiceAccount."""
    return [_name(service_account), len(_list(service_account, "secrets")), _age(service_account, now)]


# ---------------------------------------------------------------------------------------------------------
# Events (core/v1 and events.k8s.io/v1 share the internal type, hence the printer).

_EVENT_COLUMNS = (
    _column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
    _column("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
    _column(
        "Reason",
        "This should be a short, machine understandable string that gives the reason for the transition "
        "into the object's current status.",
    ),
    _column("Object", "The object that this event is about."),
    _column(
        "Subobject",
        "If referring to a piece of an object instead of an entire object, this string should contain a "
        "valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if "
        "the object reference is to a container within a pod, this would take on a value like: "
        '"spec.containers{name}" (where "name" refers to the name of the container that triggered the '
        'event) or if no container name is specified "spec.containers[2]" (container with index 2 in this '
        "pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.",
        priority=1,
    ),
    _column(
        "Source",
        "The component reporting this event. Should be a short machine understandable string.",
        priority=1,
    ),
    _column("Message", "A human-readable description of the status of this operation."),
    _column(
        "First Seen",
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
        priority=1,
    ),
    _column("Count", "The number of times this event has occurred.", priority=1),
    _column("Name", _NAME_DOC, format="name", priority=1),
)


def _format_event_source(source: Any, reporting_controller: str, reporting_instance: str) -> str:
    """printers.go formatEventSource: component (or reporting controller), then host (or reporting
    instance) when there is one."""
    component = _str(source, "component") or reporting_controller
    instance = _str(source, "host") or reporting_instance
    return f"{component}, {instance}" if instance else component


def _print_event(event: Object, now: datetime) -> list[Cell]:
    """printers.go printEvent (wide), for a core/v1 Event."""
    first_seen = _parse_time(event.get("firstTimestamp")) or _parse_time(event.get("eventTime"))
    first_timestamp = _since(first_seen, now)
    last_seen = _parse_time(event.get("lastTimestamp"))
    last_timestamp = _since(last_seen, now) if last_seen is not None else first_timestamp
    count = _int(event, "count")
    if _has(event, "series"):
        series = _dict(event, "series")
        last_timestamp = _since(_parse_time(series.get("lastObservedTime")), now)
        count = _int(series, "count")
    elif count == 0:
        # Singleton events don't have a count set in the new API.
        count = 1
    involved = _dict(event, "involvedObject")
    kind = _str(involved, "kind").lower()
    target = f"{kind}/{_str(involved, 'name')}" if _str(involved, "name") else kind
    return [
        last_timestamp,
        _str(event, "type"),
        _str(event, "reason"),
        target,
        _str(involved, "fieldPath"),
        _format_event_source(
            event.get("source"), _str(event, "reportingComponent"), _str(event, "reportingInstance")
        ),
        _str(event, "message").strip(_GO_SPACE),
        first_timestamp,
        count,
        _name(event),
    ]


def _core_event(event: Object) -> dict[str, Any]:
    """pkg/apis/events/v1 Convert_v1_Event_To_core_Event, to the core/v1 field names: regarding,
    note and the deprecated* fields become involvedObject, message, source and the timestamps."""
    return {
        "metadata": event.get("metadata"),
        "involvedObject": event.get("regarding"),
        "reason": event.get("reason"),
        "message": event.get("note"),
        "source": event.get("deprecatedSource"),
        "firstTimestamp": event.get("deprecatedFirstTimestamp"),
        "lastTimestamp": event.get("deprecatedLastTimestamp"),
        "count": event.get("deprecatedCount"),
        "type": event.get("type"),
        "eventTime": event.get("eventTime"),
        "series": event.get("series"),
        "reportingComponent": event.get("reportingController"),
        "reportingInstance": event.get("reportingInstance"),
    }


def _print_events_v1_event(event: Object, now: datetime) -> list[Cell]:
    """printEvent for an events.k8s.io/v1 Event; a core/v1-shaped object is printed as it is."""
    return _print_event(event if event.get("apiVersion") == "v1" else _core_event(event), now)


# ---------------------------------------------------------------------------------------------------------
# apps: StatefulSets and ControllerRevisions; policy: PodDisruptionBudgets; coordination: Leases.

_STATEFUL_SET_COLUMNS = (
    _name_column(),
    _column("Ready", "Number of the pod with ready state"),
    _age_column(),
    _column("Containers", _CONTAINERS_DOC, priority=1),
    _column("Images", _IMAGES_DOC, priority=1),
)


def _print_stateful_set(stateful_set: Object, now: datetime) -> list[Cell]:
    """printers.go printStatefulSet: READY is status.readyReplicas/spec.replicas."""
    spec = _dict(stateful_set, "spec")
    ready = _int(_dict(stateful_set, "status"), "readyReplicas")
    names, images = _layout_container_cells(_list(_dict(_dict(spec, "template"), "spec"), "containers"))
    return [_name(stateful_set), f"{ready}/{_int(spec, 'replicas')}", _age(stateful_set, now), names, images]


_CONTROLLER_REVISION_COLUMNS = (
    _name_column(),
    _column("Controller", "Controller of the object"),
    _column("Revision", "Revision indicates the revision of the state represented by Data."),
    _age_column(),
)


def _parse_group(api_version: str) -> str:
    """The group of schema.ParseGroupVersion."""
    if api_version in ("", "/"):
        return ""
    slashes = api_version.count("/")
    if slashes == 0:
        return ""
    if slashes == 1:
        return api_version.split("/", 1)[0]
    raise ValueError(f"unexpected GroupVersion string: {api_version}")


def _print_controller_revision(revision: Object, now: datetime) -> list[Cell]:
    """printers.go printControllerRevision: the controller as ``kind.group/name`` (formatResourceName);
    the revision is an int64 cell.

    An owner reference with an unparseable apiVersion fails the whole conversion upstream; so it
    does here (ValueError).
    """
    controller_name = "<none>"
    for owner in _list(_dict(revision, "metadata"), "ownerReferences"):
        if isinstance(owner, Mapping) and owner.get("controller") is True:
            group, kind = _parse_group(_str(owner, "apiVersion")), _str(owner, "kind")
            group_kind = f"{kind}.{group}" if group else kind
            controller_name = (
                f"{group_kind.lower()}/{_str(owner, 'name')}" if group or kind else _str(owner, "name")
            )
            break
    return [_name(revision), controller_name, _int(revision, "revision"), _age(revision, now)]


_POD_DISRUPTION_BUDGET_COLUMNS = (
    _name_column(),
    _column("Min Available", "The minimum number of pods that must be available."),
    _column("Max Unavailable", "The maximum number of pods that may be unavailable."),
    _column(
        "Allowed Disruptions", "Calculated number of pods that may be disrupted at this time.", type="integer"
    ),
    _age_column(),
)


def _int_or_string(value: Any) -> str:
    """intstr.IntOrString String(); ``N/A`` stands in for an unset pointer."""
    if value is None:
        return "N/A"
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def _print_pod_disruption_budget(budget: Object, now: datetime) -> list[Cell]:
    """printers.go printPodDisruptionBudget."""
    spec = _dict(budget, "spec")
    return [
        _name(budget),
        _int_or_string(spec.get("minAvailable")),
        _int_or_string(spec.get("maxUnavailable")),
        _int(_dict(budget, "status"), "disruptionsAllowed"),
        _age(budget, now),
    ]


_LEASE_COLUMNS = (
    _name_column(),
    _column(
        "Holder",
        "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader "
        "Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name "
        "field.",
    ),
    _age_column(),
)


def _print_lease(lease: Object, now: datetime) -> list[Cell]:
    """printers.go printLease."""
    return [_name(lease), _str(_dict(lease, "spec"), "holderIdentity"), _age(lease, now)]


# ---------------------------------------------------------------------------------------------------------
# The default table convertor, for resources without a printer.

_DEFAULT_COLUMNS = (_name_column(), _column("Created At", _CREATION_TIMESTAMP_DOC, type="date"))


def _print_default(obj: Object, now: datetime) -> list[Cell]:
    """k8s.io/apiserver/pkg/registry/rest defaultTableConvertor: the name and the creation time in
    RFC3339 (UTC), not an age."""
    return [_name(obj), _rfc3339_utc(_parse_time(_dict(obj, "metadata").get("creationTimestamp")))]


# ---------------------------------------------------------------------------------------------------------
# The registry of printers, by (group, plural resource), as AddHandlers registers them by type.


def _no_conditions(obj: Object) -> list[dict[str, str]]:
    return []


@dataclass(frozen=True)
class _Printer:
    columns: tuple[dict[str, Any], ...]
    cells: Callable[[Object, datetime], list[Cell]]
    conditions: Callable[[Object], list[dict[str, str]]] = _no_conditions


_PRINTERS: dict[tuple[str, str], _Printer] = {
    ("", "pods"): _Printer(_POD_COLUMNS, _print_pod, _pod_conditions),
    ("", "services"): _Printer(_SERVICE_COLUMNS, _print_service),
    ("", "endpoints"): _Printer(_ENDPOINTS_COLUMNS, _print_endpoints),
    ("", "nodes"): _Printer(_NODE_COLUMNS, _print_node),
    ("", "namespaces"): _Printer(_NAMESPACE_COLUMNS, _print_namespace),
    ("", "persistentvolumes"): _Printer(_PERSISTENT_VOLUME_COLUMNS, _print_persistent_volume),
    ("", "persistentvolumeclaims"): _Printer(
        _PERSISTENT_VOLUME_CLAIM_COLUMNS, _print_persistent_volume_claim
    ),
    ("", "configmaps"): _Printer(_CONFIG_MAP_COLUMNS, _print_config_map),
    ("", "secrets"): _Printer(_SECRET_COLUMNS, _print_secret),
    ("", "serviceaccounts"): _Printer(_SERVICE_ACCOUNT_COLUMNS, _print_service_account),
    ("", "events"): _Printer(_EVENT_COLUMNS, _print_event),
    ("events.k8s.io", "events"): _Printer(_EVENT_COLUMNS, _print_events_v1_event),
    ("apps", "statefulsets"): _Printer(_STATEFUL_SET_COLUMNS, _print_stateful_set),
    ("apps", "controllerrevisions"): _Printer(_CONTROLLER_REVISION_COLUMNS, _print_controller_revision),
    ("discovery.k8s.io", "endpointslices"): _Printer(_ENDPOINT_SLICE_COLUMNS, _print_endpoint_slice),
    ("coordination.k8s.io", "leases"): _Printer(_LEASE_COLUMNS, _print_lease),
    ("storage.k8s.io", "storageclasses"): _Printer(_STORAGE_CLASS_COLUMNS, _print_storage_class),
    ("policy", "poddisruptionbudgets"): _Printer(
        _POD_DISRUPTION_BUDGET_COLUMNS, _print_pod_disruption_budget
    ),
}

_DEFAULT_PRINTER = _Printer(_DEFAULT_COLUMNS, _print_default)


def _printer(group: str, resource: str) -> _Printer:
    return _PRINTERS.get((group, resource), _DEFAULT_PRINTER)


# ---------------------------------------------------------------------------------------------------------
# Public API.


def column_definitions(group: str, resource: str) -> list[dict[str, Any]]:
    """The Table columnDefinitions for a resource (AddHandlers' TableColumnDefinitions, or the default
    convertor's Name and Created At); fresh dicts, with every key present."""
    return [dict(column) for column in _printer(group, resource).columns]


def row_cells(group: str, resource: str, obj: Object, now: datetime) -> list[Cell]:
    """The cells of one object's row, as JSON values (strings, ints and bools where upstream puts
    int64 and bool cells), with ages measured at ``now``."""
    return _printer(group, resource).cells(obj, now)


def table(
    group: str,
    resource: str,
    objects: Sequence[Object],
    *,
    now: datetime,
    include_object: str = "Metadata",
    resource_version: str = "",
    continue_token: str | None = None,
    remaining_item_count: int | None = None,
    with_columns: bool = True,
) -> dict[str, Any]:
    """The ``meta.k8s.io/v1`` Table for objects of one resource: the TableConvertor's output after the
    handler's asTable step has replaced each row's object per ``includeObject``.

    ``include_object`` is ``None`` (rows carry no object), ``Metadata`` (a PartialObjectMetadata, the
    default) or ``Object`` (the object itself). ``with_columns=False`` leaves ``columnDefinitions`` null,
    as watch events after the first carry it. Raises ValueError for any other ``include_object``.
    """
    if include_object not in _INCLUDE_OBJECT_VALUES:
        raise ValueError(f'unrecognized includeObject value: "{include_object}"')
    printer = _printer(group, resource)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": printer.cells(obj, now)}
        conditions = printer.conditions(obj)
        if conditions:
            row["conditions"] = conditions
        if include_object == "Metadata":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": _TABLE_API_VERSION,
                "metadata": dict(_dict(obj, "metadata")),
            }
        elif include_object == "Object":
            row["object"] = obj
        rows.append(row)
    metadata: dict[str, Any] = {}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    if continue_token:
        metadata["continue"] = continue_token
    if remaining_item_count is not None:
        metadata["remainingItemCount"] = remaining_item_count
    return {
        "kind": "Table",
        "apiVersion": _TABLE_API_VERSION,
        "metadata": metadata,
        "columnDefinitions": [dict(c) for c in printer.columns] if with_columns else None,
        "rows": rows,
    }
