"""The catalogue of resources petset serves: names, scope, verbs and subresources.

Discovery, routing, the registry and the printers all read this one table, so a resource exists
everywhere or nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "RESOURCES",
    "STANDARD_VERBS",
    "ResourceType",
    "Subresource",
    "by_group_version",
    "group_versions",
    "lookup",
    "lookup_kind",
]

STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Subresource:
    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str | None = None  # None: the parent's group and version
    version: str | None = None


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    subresources: tuple[Subresource, ...] = ()
    #: The (group, plural) whose storage holds this resource, when it is another version's view.
    storage: tuple[str, str] | None = None
    #: Served for compatibility only; hidden from the preferred-version choice.
    legacy: bool = False
    field_selectors: tuple[str, ...] = ()

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def storage_key(self) -> tuple[str, str]:
        """(group, plural) of the storage this resource lives in."""
        return self.storage or (self.group, self.plural)

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


_GUS = ("get", "patch", "update")


def _status(kind: str) -> Subresource:
    return Subresource("status", kind, _GUS)


_POD_SUBRESOURCES = (
    Subresource("attach", "PodAttachOptions", ("create", "get")),
    Subresource("binding", "Binding", ("create",)),
    Subresource("ephemeralcontainers", "Pod", _GUS),
    Subresource("eviction", "Eviction", ("create",), "policy", "v1"),
    Subresource("exec", "PodExecOptions", ("create", "get")),
    Subresource("log", "Pod", ("get",)),
    Subresource("portforward", "PodPortForwardOptions", ("create", "get")),
    Subresource("proxy", "PodProxyOptions", ("create", "delete", "get", "patch", "update")),
    _status("Pod"),
)

_STS_SUBRESOURCES = (
    Subresource("scale", "Scale", _GUS, "autoscaling", "v1"),
    _status("StatefulSet"),
)

_META_FIELDS = ("metadata.name", "metadata.namespace")

RESOURCES: tuple[ResourceType, ...] = (
    # core/v1
    ResourceType("", "v1", "Namespace", "namespaces", namespaced=False, short_names=("ns",),
                 verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
                 subresources=(Subresource("finalize", "Namespace", ("update",)), _status("Namespace")),
                 field_selectors=(*_META_FIELDS, "status.phase")),
    ResourceType("", "v1", "Pod", "pods", short_names=("po",), categories=("all",),
                 subresources=_POD_SUBRESOURCES,
                 field_selectors=(*_META_FIELDS, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                                  "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
                                  "status.podIPs", "status.nominatedNodeName")),
    ResourceType("", "v1", "Service", "services", short_names=("svc",), categories=("all",),
                 verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
                 subresources=(Subresource("proxy", "ServiceProxyOptions",
                                           ("create", "delete", "get", "patch", "update")), _status("Service")),
                 field_selectors=(*_META_FIELDS, "spec.clusterIP", "spec.type")),
    ResourceType("", "v1", "Endpoints", "endpoints", short_names=("ep",), field_selectors=_META_FIELDS),
    ResourceType("", "v1", "Node", "nodes", namespaced=False, short_names=("no",),
                 subresources=(Subresource("proxy", "NodeProxyOptions",
                                           ("create", "delete", "get", "patch", "update")), _status("Node")),
                 field_selectors=(*_META_FIELDS, "spec.unschedulable")),
    ResourceType("", "v1", "PersistentVolume", "persistentvolumes", namespaced=False, short_names=("pv",),
                 subresources=(_status("PersistentVolume"),), field_selectors=(*_META_FIELDS, "status.phase")),
    ResourceType("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short_names=("pvc",),
                 subresources=(_status("PersistentVolumeClaim"),), field_selectors=_META_FIELDS),
    ResourceType("", "v1", "ConfigMap", "configmaps", short_names=("cm",), field_selectors=_META_FIELDS),
    ResourceType("", "v1", "Secret", "secrets", field_selectors=(*_META_FIELDS, "type")),
    ResourceType("", "v1", "ServiceAccount", "serviceaccounts", short_names=("sa",),
                 field_selectors=_META_FIELDS),
    ResourceType("", "v1", "Event", "events", short_names=("ev",),
                 field_selectors=(*_META_FIELDS, "involvedObject.kind", "involvedObject.namespace",
                                  "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                                  "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                                  "reportingComponent", "source", "type")),
    # apps
    ResourceType("apps", "v1", "StatefulSet", "statefulsets", short_names=("sts",), categories=("all",),
                 subresources=_STS_SUBRESOURCES, field_selectors=_META_FIELDS),
    ResourceType("apps", "v1", "ControllerRevision", "controllerrevisions", field_selectors=_META_FIELDS),
    ResourceType("apps", "v1beta1", "StatefulSet", "statefulsets", short_names=("sts",),
                 subresources=_STS_SUBRESOURCES, legacy=True, field_selectors=_META_FIELDS),
    # other groups
    ResourceType("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices",
                 field_selectors=(*_META_FIELDS, "addressType")),
    ResourceType("coordination.k8s.io", "v1", "Lease", "leases", field_selectors=_META_FIELDS),
    ResourceType("storage.k8s.io", "v1", "StorageClass", "storageclasses", namespaced=False, short_names=("sc",),
                 field_selectors=_META_FIELDS),
    ResourceType("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short_names=("pdb",),
                 subresources=(_status("PodDisruptionBudget"),), field_selectors=_META_FIELDS),
    ResourceType("events.k8s.io", "v1", "Event", "events", short_names=("ev",), storage=("", "events"),
                 field_selectors=(*_META_FIELDS, "regarding.kind", "regarding.namespace", "regarding.name",
                                  "regarding.uid", "reason", "reportingController", "type")),
)

_BY_PATH: dict[tuple[str, str, str], ResourceType] = {(r.group, r.version, r.plural): r for r in RESOURCES}
_BY_KIND: dict[tuple[str, str, str], ResourceType] = {(r.group, r.version, r.kind): r for r in RESOURCES}


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    return _BY_PATH.get((group, version, plural))


def lookup_kind(group: str, version: str, kind: str) -> ResourceType | None:
    return _BY_KIND.get((group, version, kind))


def group_versions() -> list[tuple[str, list[str]]]:
    """Groups in discovery order, each with its versions, preferred first."""
    order: dict[str, list[str]] = {}
    for r in RESOURCES:
        versions = order.setdefault(r.group, [])
        if r.version not in versions:
            if r.legacy:
                versions.append(r.version)
            else:
                versions.insert(0, r.version)
    return list(order.items())


def by_group_version(group: str, version: str) -> list[ResourceType]:
    return [r for r in RESOURCES if r.group == group and r.version == version]

