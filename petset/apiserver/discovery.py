"""Discovery documents: aggregated (apidiscovery.k8s.io/v2) and the legacy per-group lists.

kubectl learns short names (po, sts, pvc) and the ``all`` category only from here, so every
resource in the catalogue is described with them.
"""

from __future__ import annotations

from typing import Any

from petset.api.resources import RESOURCES, ResourceType, by_group_version, group_versions

__all__ = [
    "AGGREGATED_CONTENT_TYPE",
    "aggregated",
    "api_group",
    "api_group_list",
    "api_resource_list",
    "api_versions",
]

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

Obj = dict[str, Any]


def _sub_kind(rt: ResourceType, sub_group: str | None, sub_version: str | None, kind: str) -> Obj:
    return {"group": sub_group if sub_group is not None else rt.group,
            "version": sub_version if sub_version is not None else rt.version,
            "kind": kind}


def _aggregated_resource(rt: ResourceType) -> Obj:
    doc: Obj = {
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": sorted(rt.verbs),
    }
    if rt.short_names:
        doc["shortNames"] = list(rt.short_names)
    if rt.categories:
        doc["categories"] = list(rt.categories)
    if rt.subresources:
        doc["subresources"] = [
            {"subresource": s.name, "responseKind": _sub_kind(rt, s.group, s.version, s.kind),
             "verbs": sorted(s.verbs)}
            for s in rt.subresources
        ]
    return doc


def aggregated(core: bool) -> Obj:
    """``GET /api`` (core=True) or ``GET /apis`` in the aggregated v2 form."""
    items = []
    for group, versions in group_versions():
        if (group == "") != core:
            continue
        items.append({
            "metadata": {"name": group, "creationTimestamp": None},
            "versions": [
                {"version": v, "resources": [_aggregated_resource(rt) for rt in by_group_version(group, v)],
                 "freshness": "Current"}
                for v in versions
            ],
        })
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
            "items": items}


def api_versions(server_address: str) -> Obj:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group(group: str) -> Obj | None:
    for name, versions in group_versions():
        if name == group and group:
            listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
            return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": listed,
                    "preferredVersion": listed[0]}
    return None


def api_group_list() -> Obj:
    groups = []
    for name, _ in group_versions():
        if name:
            doc = api_group(name)
            assert doc is not None
            doc.pop("kind")
            doc.pop("apiVersion")
            groups.append(doc)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_resource_list(group: str, version: str) -> Obj | None:
    resources = by_group_version(group, version)
    if not resources:
        return None
    listed: list[Obj] = []
    for rt in resources:
        entry: Obj = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced, "kind": rt.kind,
                      "verbs": sorted(rt.verbs)}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        listed.append(entry)
        for sub in rt.subresources:
            sub_entry: Obj = {"name": f"{rt.plural}/{sub.name}", "singularName": "", "namespaced": rt.namespaced,
                              "kind": sub.kind, "verbs": sorted(sub.verbs)}
            if sub.group is not None:
                sub_entry["group"] = sub.group
                sub_entry["version"] = sub.version
            listed.append(sub_entry)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": listed}


def known_group_versions() -> list[str]:
    return sorted({rt.group_version for rt in RESOURCES})
