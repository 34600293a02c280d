"""Decode Kubernetes protobuf request bodies into the JSON-shaped objects the JSON API receives.

kubectl's typed clients send their request bodies as ``application/vnd.kubernetes.protobuf``:
``kubectl create namespace|configmap|secret|serviceaccount|service|poddisruptionbudget|token``,
``kubectl debug`` (its pod) and ``kubectl drain --disable-eviction`` (its DeleteOptions) do, while
``run``, ``expose``, ``create -f``, ``delete``, ``apply`` and evictions send JSON. The server
accepts either, so it turns protobuf into the very dict a JSON client would have sent, and
everything after decoding (defaulting, validation, storage) stays JSON-only.

The envelope is the 4-byte magic ``k8s\\x00`` followed by a ``runtime.Unknown`` message: TypeMeta
(apiVersion, kind), the object's own message as raw bytes, and a content encoding and type that the
Go server ignores, as this module does.

Why zero values are sometimes dropped: the Go server unmarshals protobuf into Go structs and then
serves, stores and validates those structs, that is their JSON. gogo-protobuf writes every
non-pointer field, zero or not, so a ``0`` or ``""`` on the wire only says "unset" for such a field.
This module therefore emits what ``encoding/json`` emits for the decoded struct: a zero non-pointer
field tagged ``omitempty`` is left out, a pointer field that is present keeps its zero value
(``replicas: 0``, ``automountServiceAccountToken: false``), a field without ``omitempty`` always
appears (``null`` for an empty list), and a non-pointer struct always appears (``{}``, and a zero
``metav1.Time`` as ``null``, exactly like kubectl's own ``creationTimestamp: null``).

The field tables below are derived from the Kubernetes v1.32 ``generated.proto`` files (k8s.io/api
core/v1, apps/v1, apps/v1beta1, policy/v1, coordination/v1, discovery/v1, autoscaling/v1, storage/v1,
events/v1 and authentication/v1; k8s.io/apimachinery pkg/apis/meta/v1, pkg/api/resource,
pkg/util/intstr and pkg/runtime) and from the ``json`` and ``protobuf`` struct tags and pointer-ness
of the matching Go types in types.go, both as compiled into kubectl v1.32.4, which agree field for
field. The names are the Go types' JSON names, which go-to-protobuf also uses as the proto field
names.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from petset.api import errors

__all__ = ["CONTENT_TYPE", "MAGIC", "decode", "supported_kinds"]

#: The media type kubectl's typed clients send request bodies in.
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
#: Every Kubernetes protobuf body starts with these bytes (k8s.io/apimachinery's protoEncodingPrefix).
MAGIC = b"k8s\x00"

# One table per message: proto field number -> "json[:type][mode]", in Go struct order (the order
# encoding/json writes the fields in).
#   json   the JSON name; empty for a Go struct embedded with `json:",inline"`, whose fields are
#          merged into the parent's object.
#   type   s (string, the default), b (bytes, base64 in JSON), bool, i32, i64, or a message name;
#          [T] is a list of T, {T} a map from string to T (proto: repeated {1: key, 2: value} entries).
#          Time, MicroTime, Quantity, IntOrString, RawExtension and FieldsV1 have their own JSON forms.
#   mode   none: a Go value field tagged omitempty, left out when zero;
#          "*": a Go pointer field, kept whenever present;
#          "!": a Go value field without omitempty, always written (zero, or null for lists and maps).
# Messages of other API groups whose Go type names clash with core/v1 ones carry a group prefix.
_TABLES: dict[str, dict[int, str]] = {
    "Namespace": {1: "metadata:ObjectMeta", 2: "spec:NamespaceSpec", 3: "status:NamespaceStatus"},
    "ConfigMap": {1: "metadata:ObjectMeta", 4: "immutable:bool*", 2: "data:{s}", 3: "binaryData:{b}"},
    "Secret": {1: "metadata:ObjectMeta", 5: "immutable:bool*", 2: "data:{b}", 4: "stringData:{s}",
        3: "type"},
    "ServiceAccount": {1: "metadata:ObjectMeta", 2: "secrets:[ObjectReference]",
        3: "imagePullSecrets:[LocalObjectReference]", 4: "automountServiceAccountToken:bool*"},
    "Service": {1: "metadata:ObjectMeta", 2: "spec:ServiceSpec", 3: "status:ServiceStatus"},
    "Pod": {1: "metadata:ObjectMeta", 2: "spec:PodSpec", 3: "status:PodStatus"},
    "Endpoints": {1: "metadata:ObjectMeta", 2: "subsets:[EndpointSubset]"},
    "Event": {1: "metadata:ObjectMeta", 2: "involvedObject:ObjectReference", 3: "reason", 4: "message",
        5: "source:EventSource", 6: "firstTimestamp:Time", 7: "lastTimestamp:Time", 8: "count:i32",
        9: "type", 10: "eventTime:MicroTime", 11: "series:EventSeries*", 12: "action",
        13: "related:ObjectReference*", 14: "reportingComponent!", 15: "reportingInstance!"},
    "PersistentVolume": {1: "metadata:ObjectMeta", 2: "spec:PersistentVolumeSpec",
        3: "status:PersistentVolumeStatus"},
    "PersistentVolumeClaim": {1: "metadata:ObjectMeta", 2: "spec:PersistentVolumeClaimSpec",
        3: "status:PersistentVolumeClaimStatus"},
    "Node": {1: "metadata:ObjectMeta", 2: "spec:NodeSpec", 3: "status:NodeStatus"},
    "Binding": {1: "metadata:ObjectMeta", 2: "target:ObjectReference"},
    "PodDisruptionBudget": {1: "metadata:ObjectMeta", 2: "spec:PodDisruptionBudgetSpec",
        3: "status:PodDisruptionBudgetStatus"},
    "Eviction": {1: "metadata:ObjectMeta", 2: "deleteOptions:DeleteOptions*"},
    "DeleteOptions": {1: "gracePeriodSeconds:i64*", 2: "preconditions:Preconditions*",
        3: "orphanDependents:bool*", 4: "propagationPolicy*", 5: "dryRun:[s]",
        6: "ignoreStoreReadErrorWithClusterBreakingPotential:bool*"},
    "StatefulSet": {1: "metadata:ObjectMeta", 2: "spec:StatefulSetSpec", 3: "status:StatefulSetStatus"},
    "ControllerRevision": {1: "metadata:ObjectMeta", 2: "data:RawExtension", 3: "revision:i64!"},
    "v1beta1.StatefulSet": {1: "metadata:ObjectMeta", 2: "spec:v1beta1.StatefulSetSpec",
        3: "status:v1beta1.StatefulSetStatus"},
    "Lease": {1: "metadata:ObjectMeta", 2: "spec:LeaseSpec"},
    "discovery.EndpointSlice": {1: "metadata:ObjectMeta", 4: "addressType!",
        2: "endpoints:[discovery.Endpoint]!", 3: "ports:[discovery.EndpointPort]!"},
    "Scale": {1: "metadata:ObjectMeta", 2: "spec:ScaleSpec", 3: "status:ScaleStatus"},
    "StorageClass": {1: "metadata:ObjectMeta", 2: "provisioner!", 3: "parameters:{s}", 4: "reclaimPolicy*",
        5: "mountOptions:[s]", 6: "allowVolumeExpansion:bool*", 7: "volumeBindingMode*",
        8: "allowedTopologies:[TopologySelectorTerm]"},
    "events.Event": {1: "metadata:ObjectMeta", 2: "eventTime:MicroTime", 3: "series:events.EventSeries*",
        4: "reportingController", 5: "reportingInstance", 6: "action", 7: "reason",
        8: "regarding:ObjectReference", 9: "related:ObjectReference*", 10: "note", 11: "type",
        12: "deprecatedSource:EventSource", 13: "deprecatedFirstTimestamp:Time",
        14: "deprecatedLastTimestamp:Time", 15: "deprecatedCount:i32"},
    "TokenRequest": {1: "metadata:ObjectMeta", 2: "spec:TokenRequestSpec", 3: "status:TokenRequestStatus"},
    "ObjectMeta": {1: "name", 2: "generateName", 3: "namespace", 4: "selfLink", 5: "uid",
        6: "resourceVersion", 7: "generation:i64", 8: "creationTimestamp:Time",
        9: "deletionTimestamp:Time*", 10: "deletionGracePeriodSeconds:i64*", 11: "labels:{s}",
        12: "annotations:{s}", 13: "ownerReferences:[OwnerReference]", 14: "finalizers:[s]",
        17: "managedFields:[ManagedFieldsEntry]"},
    "NamespaceSpec": {1: "finalizers:[s]"},
    "NamespaceStatus": {1: "phase", 2: "conditions:[NamespaceCondition]"},
    "ObjectReference": {1: "kind", 2: "namespace", 3: "name", 4: "uid", 5: "apiVersion",
        6: "resourceVersion", 7: "fieldPath"},
    "LocalObjectReference": {1: "name"},
    "ServiceSpec": {1: "ports:[ServicePort]", 2: "selector:{s}", 3: "clusterIP", 18: "clusterIPs:[s]",
        4: "type", 5: "externalIPs:[s]", 7: "sessionAffinity", 8: "loadBalancerIP",
        9: "loadBalancerSourceRanges:[s]", 10: "externalName", 11: "externalTrafficPolicy",
        12: "healthCheckNodePort:i32", 13: "publishNotReadyAddresses:bool",
        14: "sessionAffinityConfig:SessionAffinityConfig*", 19: "ipFamilies:[s]", 17: "ipFamilyPolicy*",
        20: "allocateLoadBalancerNodePorts:bool*", 21: "loadBalancerClass*", 22: "internalTrafficPolicy*",
        23: "trafficDistribution*"},
    "ServiceStatus": {1: "loadBalancer:LoadBalancerStatus", 2: "conditions:[Condition]"},
    "PodSpec": {1: "volumes:[Volume]", 20: "initContainers:[Container]", 2: "containers:[Container]!",
        34: "ephemeralContainers:[EphemeralContainer]", 3: "restartPolicy",
        4: "terminationGracePeriodSeconds:i64*", 5: "activeDeadlineSeconds:i64*", 6: "dnsPolicy",
        7: "nodeSelector:{s}", 8: "serviceAccountName", 9: "serviceAccount",
        21: "automountServiceAccountToken:bool*", 10: "nodeName", 11: "hostNetwork:bool",
        12: "hostPID:bool", 13: "hostIPC:bool", 27: "shareProcessNamespace:bool*",
        14: "securityContext:PodSecurityContext*", 15: "imagePullSecrets:[LocalObjectReference]",
        16: "hostname", 17: "subdomain", 18: "affinity:Affinity*", 19: "schedulerName",
        22: "tolerations:[Toleration]", 23: "hostAliases:[HostAlias]", 24: "priorityClassName",
        25: "priority:i32*", 26: "dnsConfig:PodDNSConfig*", 28: "readinessGates:[PodReadinessGate]",
        29: "runtimeClassName*", 30: "enableServiceLinks:bool*", 31: "preemptionPolicy*",
        32: "overhead:{Quantity}", 33: "topologySpreadConstraints:[TopologySpreadConstraint]",
        35: "setHostnameAsFQDN:bool*", 36: "os:PodOS*", 37: "hostUsers:bool*",
        38: "schedulingGates:[PodSchedulingGate]", 39: "resourceClaims:[PodResourceClaim]",
        40: "resources:ResourceRequirements*"},
    "PodStatus": {1: "phase", 2: "conditions:[PodCondition]", 3: "message", 4: "reason",
        11: "nominatedNodeName", 5: "hostIP", 16: "hostIPs:[HostIP]", 6: "podIP", 12: "podIPs:[PodIP]",
        7: "startTime:Time*", 10: "initContainerStatuses:[ContainerStatus]",
        8: "containerStatuses:[ContainerStatus]", 9: "qosClass",
        13: "ephemeralContainerStatuses:[ContainerStatus]", 14: "resize",
        15: "resourceClaimStatuses:[PodResourceClaimStatus]"},
    "EndpointSubset": {1: "addresses:[EndpointAddress]", 2: "notReadyAddresses:[EndpointAddress]",
        3: "ports:[EndpointPort]"},
    "EventSource": {1: "component", 2: "host"},
    "EventSeries": {1: "count:i32", 2: "lastObservedTime:MicroTime"},
    "PersistentVolumeSpec": {1: "capacity:{Quantity}", 2: ":PersistentVolumeSource", 3: "accessModes:[s]",
        4: "claimRef:ObjectReference*", 5: "persistentVolumeReclaimPolicy", 6: "storageClassName",
        7: "mountOptions:[s]", 8: "volumeMode*", 9: "nodeAffinity:VolumeNodeAffinity*",
        10: "volumeAttributesClassName*"},
    "PersistentVolumeStatus": {1: "phase", 2: "message", 3: "reason", 4: "lastPhaseTransitionTime:Time*"},
    "PersistentVolumeClaimSpec": {1: "accessModes:[s]", 4: "selector:LabelSelector*",
        2: "resources:VolumeResourceRequirements", 3: "volumeName", 5: "storageClassName*",
        6: "volumeMode*", 7: "dataSource:TypedLocalObjectReference*",
        8: "dataSourceRef:TypedObjectReference*", 9: "volumeAttributesClassName*"},
    "PersistentVolumeClaimStatus": {1: "phase", 2: "accessModes:[s]", 3: "capacity:{Quantity}",
        4: "conditions:[PersistentVolumeClaimCondition]", 5: "allocatedResources:{Quantity}",
        7: "allocatedResourceStatuses:{s}", 8: "currentVolumeAttributesClassName*",
        9: "modifyVolumeStatus:ModifyVolumeStatus*"},
    "NodeSpec": {1: "podCIDR", 7: "podCIDRs:[s]", 3: "providerID", 4: "unschedulable:bool",
        5: "taints:[Taint]", 6: "configSource:NodeConfigSource*", 2: "externalID"},
    "NodeStatus": {1: "capacity:{Quantity}", 2: "allocatable:{Quantity}", 3: "phase",
        4: "conditions:[NodeCondition]", 5: "addresses:[NodeAddress]",
        6: "daemonEndpoints:NodeDaemonEndpoints", 7: "nodeInfo:NodeSystemInfo",
        8: "images:[ContainerImage]", 9: "volumesInUse:[s]", 10: "volumesAttached:[AttachedVolume]",
        11: "config:NodeConfigStatus*", 12: "runtimeHandlers:[NodeRuntimeHandler]",
        13: "features:NodeFeatures*"},
    "PodDisruptionBudgetSpec": {1: "minAvailable:IntOrString*", 2: "selector:LabelSelector*",
        3: "maxUnavailable:IntOrString*", 4: "unhealthyPodEvictionPolicy*"},
    "PodDisruptionBudgetStatus": {1: "observedGeneration:i64", 2: "disruptedPods:{Time}",
        3: "disruptionsAllowed:i32!", 4: "currentHealthy:i32!", 5: "desiredHealthy:i32!",
        6: "expectedPods:i32!", 7: "conditions:[Condition]"},
    "Preconditions": {1: "uid*", 2: "resourceVersion*"},
    "StatefulSetSpec": {1: "replicas:i32*", 2: "selector:LabelSelector*", 3: "template:PodTemplateSpec",
        4: "volumeClaimTemplates:[PersistentVolumeClaim]", 5: "serviceName!", 6: "podManagementPolicy",
        7: "updateStrategy:StatefulSetUpdateStrategy", 8: "revisionHistoryLimit:i32*",
        9: "minReadySeconds:i32",
        10: "persistentVolumeClaimRetentionPolicy:StatefulSetPersistentVolumeClaimRetentionPolicy*",
        11: "ordinals:StatefulSetOrdinals*"},
    "StatefulSetStatus": {1: "observedGeneration:i64", 2: "replicas:i32!", 3: "readyReplicas:i32",
        4: "currentReplicas:i32", 5: "updatedReplicas:i32", 6: "currentRevision", 7: "updateRevision",
        9: "collisionCount:i32*", 10: "conditions:[StatefulSetCondition]", 11: "availableReplicas:i32!"},
    "v1beta1.StatefulSetSpec": {1: "replicas:i32*", 2: "selector:LabelSelector*",
        3: "template:PodTemplateSpec", 4: "volumeClaimTemplates:[PersistentVolumeClaim]",
        5: "serviceName!", 6: "podManagementPolicy", 7: "updateStrategy:v1beta1.StatefulSetUpdateStrategy",
        8: "revisionHistoryLimit:i32*", 9: "minReadySeconds:i32",
        10: "persistentVolumeClaimRetentionPolicy:v1beta1.StatefulSetPersistentVolumeClaimRetentionPolicy*",
        11: "ordinals:v1beta1.StatefulSetOrdinals*"},
    "v1beta1.StatefulSetStatus": {1: "observedGeneration:i64*", 2: "replicas:i32!", 3: "readyReplicas:i32",
        4: "currentReplicas:i32", 5: "updatedReplicas:i32", 6: "currentRevision", 7: "updateRevision",
        9: "collisionCount:i32*", 10: "conditions:[v1beta1.StatefulSetCondition]",
        11: "availableReplicas:i32!"},
    "LeaseSpec": {1: "holderIdentity*", 2: "leaseDurationSeconds:i32*", 3: "acquireTime:MicroTime*",
        4: "renewTime:MicroTime*", 5: "leaseTransitions:i32*", 6: "strategy*", 7: "preferredHolder*"},
    "discovery.Endpoint": {1: "addresses:[s]!", 2: "conditions:discovery.EndpointConditions",
        3: "hostname*", 4: "targetRef:ObjectReference*", 5: "deprecatedTopology:{s}", 6: "nodeName*",
        7: "zone*", 8: "hints:discovery.EndpointHints*"},
    "discovery.EndpointPort": {1: "name*", 2: "protocol*", 3: "port:i32*", 4: "appProtocol*"},
    "ScaleSpec": {1: "replicas:i32"},
    "ScaleStatus": {1: "replicas:i32!", 2: "selector"},
    "TopologySelectorTerm": {1: "matchLabelExpressions:[TopologySelectorLabelRequirement]"},
    "events.EventSeries": {1: "count:i32!", 2: "lastObservedTime:MicroTime"},
    "TokenRequestSpec": {1: "audiences:[s]!", 4: "expirationSeconds:i64*",
        3: "boundObjectRef:BoundObjectReference*"},
    "TokenRequestStatus": {1: "token!", 2: "expirationTimestamp:Time"},
    "OwnerReference": {5: "apiVersion!", 1: "kind!", 3: "name!", 4: "uid!", 6: "controller:bool*",
        7: "blockOwnerDeletion:bool*"},
    "ManagedFieldsEntry": {1: "manager", 2: "operation", 3: "apiVersion", 4: "time:Time*", 6: "fieldsType",
        7: "fieldsV1:FieldsV1*", 8: "subresource"},
    "NamespaceCondition": {1: "type!", 2: "status!", 4: "lastTransitionTime:Time", 5: "reason",
        6: "message"},
    "ServicePort": {1: "name", 2: "protocol", 6: "appProtocol*", 3: "port:i32!",
        4: "targetPort:IntOrString", 5: "nodePort:i32"},
    "SessionAffinityConfig": {1: "clientIP:ClientIPConfig*"},
    "LoadBalancerStatus": {1: "ingress:[LoadBalancerIngress]"},
    "Condition": {1: "type!", 2: "status!", 3: "observedGeneration:i64", 4: "lastTransitionTime:Time",
        5: "reason!", 6: "message!"},
    "Volume": {1: "name!", 2: ":VolumeSource"},
    "Container": {1: "name!", 2: "image", 3: "command:[s]", 4: "args:[s]", 5: "workingDir",
        6: "ports:[ContainerPort]", 19: "envFrom:[EnvFromSource]", 7: "env:[EnvVar]",
        8: "resources:ResourceRequirements", 23: "resizePolicy:[ContainerResizePolicy]",
        24: "restartPolicy*", 9: "volumeMounts:[VolumeMount]", 21: "volumeDevices:[VolumeDevice]",
        10: "livenessProbe:Probe*", 11: "readinessProbe:Probe*", 22: "startupProbe:Probe*",
        12: "lifecycle:Lifecycle*", 13: "terminationMessagePath", 20: "terminationMessagePolicy",
        14: "imagePullPolicy", 15: "securityContext:SecurityContext*", 16: "stdin:bool",
        17: "stdinOnce:bool", 18: "tty:bool"},
    "EphemeralContainer": {1: ":EphemeralContainerCommon", 2: "targetContainerName"},
    "PodSecurityContext": {1: "seLinuxOptions:SELinuxOptions*",
        8: "windowsOptions:WindowsSecurityContextOptions*", 2: "runAsUser:i64*", 6: "runAsGroup:i64*",
        3: "runAsNonRoot:bool*", 4: "supplementalGroups:[i64]", 12: "supplementalGroupsPolicy*",
        5: "fsGroup:i64*", 7: "sysctls:[Sysctl]", 9: "fsGroupChangePolicy*",
        10: "seccompProfile:SeccompProfile*", 11: "appArmorProfile:AppArmorProfile*",
        13: "seLinuxChangePolicy*"},
    "Affinity": {1: "nodeAffinity:NodeAffinity*", 2: "podAffinity:PodAffinity*",
        3: "podAntiAffinity:PodAntiAffinity*"},
    "Toleration": {1: "key", 2: "operator", 3: "value", 4: "effect", 5: "tolerationSeconds:i64*"},
    "HostAlias": {1: "ip!", 2: "hostnames:[s]"},
    "PodDNSConfig": {1: "nameservers:[s]", 2: "searches:[s]", 3: "options:[PodDNSConfigOption]"},
    "PodReadinessGate": {1: "conditionType!"},
    "TopologySpreadConstraint": {1: "maxSkew:i32!", 2: "topologyKey!", 3: "whenUnsatisfiable!",
        4: "labelSelector:LabelSelector*", 5: "minDomains:i32*", 6: "nodeAffinityPolicy*",
        7: "nodeTaintsPolicy*", 8: "matchLabelKeys:[s]"},
    "PodOS": {1: "name!"},
    "PodSchedulingGate": {1: "name!"},
    "PodResourceClaim": {1: "name!", 3: "resourceClaimName*", 4: "resourceClaimTemplateName*"},
    "ResourceRequirements": {1: "limits:{Quantity}", 2: "requests:{Quantity}", 3: "claims:[ResourceClaim]"},
    "PodCondition": {1: "type!", 2: "status!", 3: "lastProbeTime:Time", 4: "lastTransitionTime:Time",
        5: "reason", 6: "message"},
    "HostIP": {1: "ip!"},
    "PodIP": {1: "ip!"},
    "ContainerStatus": {1: "name!", 2: "state:ContainerState", 3: "lastState:ContainerState",
        4: "ready:bool!", 5: "restartCount:i32!", 6: "image!", 7: "imageID!", 8: "containerID",
        9: "started:bool*", 10: "allocatedResources:{Quantity}", 11: "resources:ResourceRequirements*",
        12: "volumeMounts:[VolumeMountStatus]", 13: "user:ContainerUser*",
        14: "allocatedResourcesStatus:[ResourceStatus]"},
    "PodResourceClaimStatus": {1: "name!", 2: "resourceClaimName*"},
    "EndpointAddress": {1: "ip!", 3: "hostname", 4: "nodeName*", 2: "targetRef:ObjectReference*"},
    "EndpointPort": {1: "name", 2: "port:i32!", 3: "protocol", 4: "appProtocol*"},
    "PersistentVolumeSource": {1: "gcePersistentDisk:GCEPersistentDiskVolumeSource*",
        2: "awsElasticBlockStore:AWSElasticBlockStoreVolumeSource*", 3: "hostPath:HostPathVolumeSource*",
        4: "glusterfs:GlusterfsPersistentVolumeSource*", 5: "nfs:NFSVolumeSource*",
        6: "rbd:RBDPersistentVolumeSource*", 7: "iscsi:ISCSIPersistentVolumeSource*",
        8: "cinder:CinderPersistentVolumeSource*", 9: "cephfs:CephFSPersistentVolumeSource*",
        10: "fc:FCVolumeSource*", 11: "flocker:FlockerVolumeSource*",
        12: "flexVolume:FlexPersistentVolumeSource*", 13: "azureFile:AzureFilePersistentVolumeSource*",
        14: "vsphereVolume:VsphereVirtualDiskVolumeSource*", 15: "quobyte:QuobyteVolumeSource*",
        16: "azureDisk:AzureDiskVolumeSource*",
        17: "photonPersistentDisk:PhotonPersistentDiskVolumeSource*",
        18: "portworxVolume:PortworxVolumeSource*", 19: "scaleIO:ScaleIOPersistentVolumeSource*",
        20: "local:LocalVolumeSource*", 21: "storageos:StorageOSPersistentVolumeSource*",
        22: "csi:CSIPersistentVolumeSource*"},
    "VolumeNodeAffinity": {1: "required:NodeSelector*"},
    "LabelSelector": {1: "matchLabels:{s}", 2: "matchExpressions:[LabelSelectorRequirement]"},
    "VolumeResourceRequirements": {1: "limits:{Quantity}", 2: "requests:{Quantity}"},
    "TypedLocalObjectReference": {1: "apiGroup*", 2: "kind!", 3: "name!"},
    "TypedObjectReference": {1: "apiGroup*", 2: "kind!", 3: "name!", 4: "namespace*"},
    "PersistentVolumeClaimCondition": {1: "type!", 2: "status!", 3: "lastProbeTime:Time",
        4: "lastTransitionTime:Time", 5: "reason", 6: "message"},
    "ModifyVolumeStatus": {1: "targetVolumeAttributesClassName", 2: "status!"},
    "Taint": {1: "key!", 2: "value", 3: "effect!", 4: "timeAdded:Time*"},
    "NodeConfigSource": {2: "configMap:ConfigMapNodeConfigSource*"},
    "NodeCondition": {1: "type!", 2: "status!", 3: "lastHeartbeatTime:Time", 4: "lastTransitionTime:Time",
        5: "reason", 6: "message"},
    "NodeAddress": {1: "type!", 2: "address!"},
    "NodeDaemonEndpoints": {1: "kubeletEndpoint:DaemonEndpoint"},
    "NodeSystemInfo": {1: "machineID!", 2: "systemUUID!", 3: "bootID!", 4: "kernelVersion!", 5: "osImage!",
        6: "containerRuntimeVersion!", 7: "kubeletVersion!", 8: "kubeProxyVersion!", 9: "operatingSystem!",
        10: "architecture!"},
    "ContainerImage": {1: "names:[s]!", 2: "sizeBytes:i64"},
    "AttachedVolume": {1: "name!", 2: "devicePath!"},
    "NodeConfigStatus": {1: "assigned:NodeConfigSource*", 2: "active:NodeConfigSource*",
        3: "lastKnownGood:NodeConfigSource*", 4: "error"},
    "NodeRuntimeHandler": {1: "name!", 2: "features:NodeRuntimeHandlerFeatures*"},
    "NodeFeatures": {1: "supplementalGroupsPolicy:bool*"},
    "PodTemplateSpec": {1: "metadata:ObjectMeta", 2: "spec:PodSpec"},
    "StatefulSetUpdateStrategy": {1: "type", 2: "rollingUpdate:RollingUpdateStatefulSetStrategy*"},
    "StatefulSetPersistentVolumeClaimRetentionPolicy": {1: "whenDeleted", 2: "whenScaled"},
    "StatefulSetOrdinals": {1: "start:i32!"},
    "StatefulSetCondition": {1: "type!", 2: "status!", 3: "lastTransitionTime:Time", 4: "reason",
        5: "message"},
    "v1beta1.StatefulSetUpdateStrategy": {1: "type",
        2: "rollingUpdate:v1beta1.RollingUpdateStatefulSetStrategy*"},
    "v1beta1.StatefulSetPersistentVolumeClaimRetentionPolicy": {1: "whenDeleted", 2: "whenScaled"},
    "v1beta1.StatefulSetOrdinals": {1: "start:i32!"},
    "v1beta1.StatefulSetCondition": {1: "type!", 2: "status!", 3: "lastTransitionTime:Time", 4: "reason",
        5: "message"},
    "discovery.EndpointConditions": {1: "ready:bool*", 2: "serving:bool*", 3: "terminating:bool*"},
    "discovery.EndpointHints": {1: "forZones:[discovery.ForZone]"},
    "TopologySelectorLabelRequirement": {1: "key!", 2: "values:[s]!"},
    "BoundObjectReference": {1: "kind", 2: "apiVersion", 3: "name", 4: "uid"},
    "ClientIPConfig": {1: "timeoutSeconds:i32*"},
    "LoadBalancerIngress": {1: "ip", 2: "hostname", 3: "ipMode*", 4: "ports:[PortStatus]"},
    "VolumeSource": {1: "hostPath:HostPathVolumeSource*", 2: "emptyDir:EmptyDirVolumeSource*",
        3: "gcePersistentDisk:GCEPersistentDiskVolumeSource*",
        4: "awsElasticBlockStore:AWSElasticBlockStoreVolumeSource*", 5: "gitRepo:GitRepoVolumeSource*",
        6: "secret:SecretVolumeSource*", 7: "nfs:NFSVolumeSource*", 8: "iscsi:ISCSIVolumeSource*",
        9: "glusterfs:GlusterfsVolumeSource*",
        10: "persistentVolumeClaim:PersistentVolumeClaimVolumeSource*", 11: "rbd:RBDVolumeSource*",
        12: "flexVolume:FlexVolumeSource*", 13: "cinder:CinderVolumeSource*",
        14: "cephfs:CephFSVolumeSource*", 15: "flocker:FlockerVolumeSource*",
        16: "downwardAPI:DownwardAPIVolumeSource*", 17: "fc:FCVolumeSource*",
        18: "azureFile:AzureFileVolumeSource*", 19: "configMap:ConfigMapVolumeSource*",
        20: "vsphereVolume:VsphereVirtualDiskVolumeSource*", 21: "quobyte:QuobyteVolumeSource*",
        22: "azureDisk:AzureDiskVolumeSource*",
        23: "photonPersistentDisk:PhotonPersistentDiskVolumeSource*",
        26: "projected:ProjectedVolumeSource*", 24: "portworxVolume:PortworxVolumeSource*",
        25: "scaleIO:ScaleIOVolumeSource*", 27: "storageos:StorageOSVolumeSource*",
        28: "csi:CSIVolumeSource*", 29: "ephemeral:EphemeralVolumeSource*", 30: "image:ImageVolumeSource*"},
    "ContainerPort": {1: "name", 2: "hostPort:i32", 3: "containerPort:i32!", 4: "protocol", 5: "hostIP"},
    "EnvFromSource": {1: "prefix", 2: "configMapRef:ConfigMapEnvSource*", 3: "secretRef:SecretEnvSource*"},
    "EnvVar": {1: "name!", 2: "value", 3: "valueFrom:EnvVarSource*"},
    "ContainerResizePolicy": {1: "resourceName!", 2: "restartPolicy!"},
    "VolumeMount": {1: "name!", 2: "readOnly:bool", 7: "recursiveReadOnly*", 3: "mountPath!", 4: "subPath",
        5: "mountPropagation*", 6: "subPathExpr"},
    "VolumeDevice": {1: "name!", 2: "devicePath!"},
    "Probe": {1: ":ProbeHandler", 2: "initialDelaySeconds:i32", 3: "timeoutSeconds:i32",
        4: "periodSeconds:i32", 5: "successThreshold:i32", 6: "failureThreshold:i32",
        7: "terminationGracePeriodSeconds:i64*"},
    "Lifecycle": {1: "postStart:LifecycleHandler*", 2: "preStop:LifecycleHandler*"},
    "SecurityContext": {1: "capabilities:Capabilities*", 2: "privileged:bool*",
        3: "seLinuxOptions:SELinuxOptions*", 10: "windowsOptions:WindowsSecurityContextOptions*",
        4: "runAsUser:i64*", 8: "runAsGroup:i64*", 5: "runAsNonRoot:bool*",
        6: "readOnlyRootFilesystem:bool*", 7: "allowPrivilegeEscalation:bool*", 9: "procMount*",
        11: "seccompProfile:SeccompProfile*", 12: "appArmorProfile:AppArmorProfile*"},
    "EphemeralContainerCommon": {1: "name!", 2: "image", 3: "command:[s]", 4: "args:[s]", 5: "workingDir",
        6: "ports:[ContainerPort]", 19: "envFrom:[EnvFromSource]", 7: "env:[EnvVar]",
        8: "resources:ResourceRequirements", 23: "resizePolicy:[ContainerResizePolicy]",
        24: "restartPolicy*", 9: "volumeMounts:[VolumeMount]", 21: "volumeDevices:[VolumeDevice]",
        10: "livenessProbe:Probe*", 11: "readinessProbe:Probe*", 22: "startupProbe:Probe*",
        12: "lifecycle:Lifecycle*", 13: "terminationMessagePath", 20: "terminationMessagePolicy",
        14: "imagePullPolicy", 15: "securityContext:SecurityContext*", 16: "stdin:bool",
        17: "stdinOnce:bool", 18: "tty:bool"},
    "SELinuxOptions": {1: "user", 2: "role", 3: "type", 4: "level"},
    "WindowsSecurityContextOptions": {1: "gmsaCredentialSpecName*", 2: "gmsaCredentialSpec*",
        3: "runAsUserName*", 4: "hostProcess:bool*"},
    "Sysctl": {1: "name!", 2: "value!"},
    "SeccompProfile": {1: "type!", 2: "localhostProfile*"},
    "AppArmorProfile": {1: "type!", 2: "localhostProfile*"},
    "NodeAffinity": {1: "requiredDuringSchedulingIgnoredDuringExecution:NodeSelector*",
        2: "preferredDuringSchedulingIgnoredDuringExecution:[PreferredSchedulingTerm]"},
    "PodAffinity": {1: "requiredDuringSchedulingIgnoredDuringExecution:[PodAffinityTerm]",
        2: "preferredDuringSchedulingIgnoredDuringExecution:[WeightedPodAffinityTerm]"},
    "PodAntiAffinity": {1: "requiredDuringSchedulingIgnoredDuringExecution:[PodAffinityTerm]",
        2: "preferredDuringSchedulingIgnoredDuringExecution:[WeightedPodAffinityTerm]"},
    "PodDNSConfigOption": {1: "name", 2: "value*"},
    "ResourceClaim": {1: "name!", 2: "request"},
    "ContainerState": {1: "waiting:ContainerStateWaiting*", 2: "running:ContainerStateRunning*",
        3: "terminated:ContainerStateTerminated*"},
    "VolumeMountStatus": {1: "name!", 2: "mountPath!", 3: "readOnly:bool", 4: "recursiveReadOnly*"},
    "ContainerUser": {1: "linux:LinuxContainerUser*"},
    "ResourceStatus": {1: "name!", 2: "resources:[ResourceHealth]"},
    "GCEPersistentDiskVolumeSource": {1: "pdName!", 2: "fsType", 3: "partition:i32", 4: "readOnly:bool"},
    "AWSElasticBlockStoreVolumeSource": {1: "volumeID!", 2: "fsType", 3: "partition:i32",
        4: "readOnly:bool"},
    "HostPathVolumeSource": {1: "path!", 2: "type*"},
    "GlusterfsPersistentVolumeSource": {1: "endpoints!", 2: "path!", 3: "readOnly:bool",
        4: "endpointsNamespace*"},
    "NFSVolumeSource": {1: "server!", 2: "path!", 3: "readOnly:bool"},
    "RBDPersistentVolumeSource": {1: "monitors:[s]!", 2: "image!", 3: "fsType", 4: "pool", 5: "user",
        6: "keyring", 7: "secretRef:SecretReference*", 8: "readOnly:bool"},
    "ISCSIPersistentVolumeSource": {1: "targetPortal!", 2: "iqn!", 3: "lun:i32!", 4: "iscsiInterface",
        5: "fsType", 6: "readOnly:bool", 7: "portals:[s]", 8: "chapAuthDiscovery:bool",
        11: "chapAuthSession:bool", 10: "secretRef:SecretReference*", 12: "initiatorName*"},
    "CinderPersistentVolumeSource": {1: "volumeID!", 2: "fsType", 3: "readOnly:bool",
        4: "secretRef:SecretReference*"},
    "CephFSPersistentVolumeSource": {1: "monitors:[s]!", 2: "path", 3: "user", 4: "secretFile",
        5: "secretRef:SecretReference*", 6: "readOnly:bool"},
    "FCVolumeSource": {1: "targetWWNs:[s]", 2: "lun:i32*", 3: "fsType", 4: "readOnly:bool", 5: "wwids:[s]"},
    "FlockerVolumeSource": {1: "datasetName", 2: "datasetUUID"},
    "FlexPersistentVolumeSource": {1: "driver!", 2: "fsType", 3: "secretRef:SecretReference*",
        4: "readOnly:bool", 5: "options:{s}"},
    "AzureFilePersistentVolumeSource": {1: "secretName!", 2: "shareName!", 3: "readOnly:bool",
        4: "secretNamespace*"},
    "VsphereVirtualDiskVolumeSource": {1: "volumePath!", 2: "fsType", 3: "storagePolicyName",
        4: "storagePolicyID"},
    "QuobyteVolumeSource": {1: "registry!", 2: "volume!", 3: "readOnly:bool", 4: "user", 5: "group",
        6: "tenant"},
    "AzureDiskVolumeSource": {1: "diskName!", 2: "diskURI!", 3: "cachingMode*", 4: "fsType*",
        5: "readOnly:bool*", 6: "kind*"},
    "PhotonPersistentDiskVolumeSource": {1: "pdID!", 2: "fsType"},
    "PortworxVolumeSource": {1: "volumeID!", 2: "fsType", 3: "readOnly:bool"},
    "ScaleIOPersistentVolumeSource": {1: "gateway!", 2: "system!", 3: "secretRef:SecretReference*",
        4: "sslEnabled:bool", 5: "protectionDomain", 6: "storagePool", 7: "storageMode", 8: "volumeName",
        9: "fsType", 10: "readOnly:bool"},
    "LocalVolumeSource": {1: "path!", 2: "fsType*"},
    "StorageOSPersistentVolumeSource": {1: "volumeName", 2: "volumeNamespace", 3: "fsType",
        4: "readOnly:bool", 5: "secretRef:ObjectReference*"},
    "CSIPersistentVolumeSource": {1: "driver!", 2: "volumeHandle!", 3: "readOnly:bool", 4: "fsType",
        5: "volumeAttributes:{s}", 6: "controllerPublishSecretRef:SecretReference*",
        7: "nodeStageSecretRef:SecretReference*", 8: "nodePublishSecretRef:SecretReference*",
        9: "controllerExpandSecretRef:SecretReference*", 10: "nodeExpandSecretRef:SecretReference*"},
    "NodeSelector": {1: "nodeSelectorTerms:[NodeSelectorTerm]!"},
    "LabelSelectorRequirement": {1: "key!", 2: "operator!", 3: "values:[s]"},
    "ConfigMapNodeConfigSource": {1: "namespace!", 2: "name!", 3: "uid", 4: "resourceVersion",
        5: "kubeletConfigKey!"},
    "DaemonEndpoint": {1: "Port:i32!"},
    "NodeRuntimeHandlerFeatures": {1: "recursiveReadOnlyMounts:bool*", 2: "userNamespaces:bool*"},
    "RollingUpdateStatefulSetStrategy": {1: "partition:i32*", 2: "maxUnavailable:IntOrString*"},
    "v1beta1.RollingUpdateStatefulSetStrategy": {1: "partition:i32*", 2: "maxUnavailable:IntOrString*"},
    "discovery.ForZone": {1: "name!"},
    "PortStatus": {1: "port:i32!", 2: "protocol!", 3: "error*"},
    "EmptyDirVolumeSource": {1: "medium", 2: "sizeLimit:Quantity*"},
    "GitRepoVolumeSource": {1: "repository!", 2: "revision", 3: "directory"},
    "SecretVolumeSource": {1: "secretName", 2: "items:[KeyToPath]", 3: "defaultMode:i32*",
        4: "optional:bool*"},
    "ISCSIVolumeSource": {1: "targetPortal!", 2: "iqn!", 3: "lun:i32!", 4: "iscsiInterface", 5: "fsType",
        6: "readOnly:bool", 7: "portals:[s]", 8: "chapAuthDiscovery:bool", 11: "chapAuthSession:bool",
        10: "secretRef:LocalObjectReference*", 12: "initiatorName*"},
    "GlusterfsVolumeSource": {1: "endpoints!", 2: "path!", 3: "readOnly:bool"},
    "PersistentVolumeClaimVolumeSource": {1: "claimName!", 2: "readOnly:bool"},
    "RBDVolumeSource": {1: "monitors:[s]!", 2: "image!", 3: "fsType", 4: "pool", 5: "user", 6: "keyring",
        7: "secretRef:LocalObjectReference*", 8: "readOnly:bool"},
    "FlexVolumeSource": {1: "driver!", 2: "fsType", 3: "secretRef:LocalObjectReference*",
        4: "readOnly:bool", 5: "options:{s}"},
    "CinderVolumeSource": {1: "volumeID!", 2: "fsType", 3: "readOnly:bool",
        4: "secretRef:LocalObjectReference*"},
    "CephFSVolumeSource": {1: "monitors:[s]!", 2: "path", 3: "user", 4: "secretFile",
        5: "secretRef:LocalObjectReference*", 6: "readOnly:bool"},
    "DownwardAPIVolumeSource": {1: "items:[DownwardAPIVolumeFile]", 2: "defaultMode:i32*"},
    "AzureFileVolumeSource": {1: "secretName!", 2: "shareName!", 3: "readOnly:bool"},
    "ConfigMapVolumeSource": {1: ":LocalObjectReference", 2: "items:[KeyToPath]", 3: "defaultMode:i32*",
        4: "optional:bool*"},
    "ProjectedVolumeSource": {1: "sources:[VolumeProjection]!", 2: "defaultMode:i32*"},
    "ScaleIOVolumeSource": {1: "gateway!", 2: "system!", 3: "secretRef:LocalObjectReference*",
        4: "sslEnabled:bool", 5: "protectionDomain", 6: "storagePool", 7: "storageMode", 8: "volumeName",
        9: "fsType", 10: "readOnly:bool"},
    "StorageOSVolumeSource": {1: "volumeName", 2: "volumeNamespace", 3: "fsType", 4: "readOnly:bool",
        5: "secretRef:LocalObjectReference*"},
    "CSIVolumeSource": {1: "driver!", 2: "readOnly:bool*", 3: "fsType*", 4: "volumeAttributes:{s}",
        5: "nodePublishSecretRef:LocalObjectReference*"},
    "EphemeralVolumeSource": {1: "volumeClaimTemplate:PersistentVolumeClaimTemplate*"},
    "ImageVolumeSource": {1: "reference", 2: "pullPolicy"},
    "ConfigMapEnvSource": {1: ":LocalObjectReference", 2: "optional:bool*"},
    "SecretEnvSource": {1: ":LocalObjectReference", 2: "optional:bool*"},
    "EnvVarSource": {1: "fieldRef:ObjectFieldSelector*", 2: "resourceFieldRef:ResourceFieldSelector*",
        3: "configMapKeyRef:ConfigMapKeySelector*", 4: "secretKeyRef:SecretKeySelector*"},
    "ProbeHandler": {1: "exec:ExecAction*", 2: "httpGet:HTTPGetAction*", 3: "tcpSocket:TCPSocketAction*",
        4: "grpc:GRPCAction*"},
    "LifecycleHandler": {1: "exec:ExecAction*", 2: "httpGet:HTTPGetAction*",
        3: "tcpSocket:TCPSocketAction*", 4: "sleep:SleepAction*"},
    "Capabilities": {1: "add:[s]", 2: "drop:[s]"},
    "PreferredSchedulingTerm": {1: "weight:i32!", 2: "preference:NodeSelectorTerm"},
    "PodAffinityTerm": {1: "labelSelector:LabelSelector*", 2: "namespaces:[s]", 3: "topologyKey!",
        4: "namespaceSelector:LabelSelector*", 5: "matchLabelKeys:[s]", 6: "mismatchLabelKeys:[s]"},
    "WeightedPodAffinityTerm": {1: "weight:i32!", 2: "podAffinityTerm:PodAffinityTerm"},
    "ContainerStateWaiting": {1: "reason", 2: "message"},
    "ContainerStateRunning": {1: "startedAt:Time"},
    "ContainerStateTerminated": {1: "exitCode:i32!", 2: "signal:i32", 3: "reason", 4: "message",
        5: "startedAt:Time", 6: "finishedAt:Time", 7: "containerID"},
    "LinuxContainerUser": {1: "uid:i64!", 2: "gid:i64!", 3: "supplementalGroups:[i64]"},
    "ResourceHealth": {1: "resourceID!", 2: "health"},
    "SecretReference": {1: "name", 2: "namespace"},
    "NodeSelectorTerm": {1: "matchExpressions:[NodeSelectorRequirement]",
        2: "matchFields:[NodeSelectorRequirement]"},
    "KeyToPath": {1: "key!", 2: "path!", 3: "mode:i32*"},
    "DownwardAPIVolumeFile": {1: "path!", 2: "fieldRef:ObjectFieldSelector*",
        3: "resourceFieldRef:ResourceFieldSelector*", 4: "mode:i32*"},
    "VolumeProjection": {1: "secret:SecretProjection*", 2: "downwardAPI:DownwardAPIProjection*",
        3: "configMap:ConfigMapProjection*", 4: "serviceAccountToken:ServiceAccountTokenProjection*",
        5: "clusterTrustBundle:ClusterTrustBundleProjection*"},
    "PersistentVolumeClaimTemplate": {1: "metadata:ObjectMeta", 2: "spec:PersistentVolumeClaimSpec"},
    "ObjectFieldSelector": {1: "apiVersion", 2: "fieldPath!"},
    "ResourceFieldSelector": {1: "containerName", 2: "resource!", 3: "divisor:Quantity"},
    "ConfigMapKeySelector": {1: ":LocalObjectReference", 2: "key!", 3: "optional:bool*"},
    "SecretKeySelector": {1: ":LocalObjectReference", 2: "key!", 3: "optional:bool*"},
    "ExecAction": {1: "command:[s]"},
    "HTTPGetAction": {1: "path", 2: "port:IntOrString", 3: "host", 4: "scheme",
        5: "httpHeaders:[HTTPHeader]"},
    "TCPSocketAction": {1: "port:IntOrString", 2: "host"},
    "GRPCAction": {1: "port:i32!", 2: "service*"},
    "SleepAction": {1: "seconds:i64!"},
    "NodeSelectorRequirement": {1: "key!", 2: "operator!", 3: "values:[s]"},
    "SecretProjection": {1: ":LocalObjectReference", 2: "items:[KeyToPath]", 4: "optional:bool*"},
    "DownwardAPIProjection": {1: "items:[DownwardAPIVolumeFile]"},
    "ConfigMapProjection": {1: ":LocalObjectReference", 2: "items:[KeyToPath]", 4: "optional:bool*"},
    "ServiceAccountTokenProjection": {1: "audience", 2: "expirationSeconds:i64*", 3: "path!"},
    "ClusterTrustBundleProjection": {1: "name*", 2: "signerName*", 3: "labelSelector:LabelSelector*",
        5: "optional:bool*", 4: "path!"},
    "HTTPHeader": {1: "name!", 2: "value!"},
}

# The wire forms of the types whose JSON is not an object, and of the envelope. They are read by
# field number only, never emitted as they stand.
_WIRE_FORMS: dict[str, dict[int, str]] = {
    "Unknown": {1: "typeMeta:TypeMeta", 2: "raw:b", 3: "contentEncoding", 4: "contentType"},
    "TypeMeta": {1: "apiVersion", 2: "kind"},
    "Time": {1: "seconds:i64", 2: "nanos:i32"},
    "MicroTime": {1: "seconds:i64", 2: "nanos:i32"},
    "Quantity": {1: "string"},
    "IntOrString": {1: "type:i64", 2: "intVal:i32", 3: "strVal"},
    "RawExtension": {1: "raw:b"},
    "FieldsV1": {1: "Raw:b"},
}

_OBJECT_KINDS: dict[tuple[str, str], str] = {
    ("v1", "Namespace"): "Namespace",
    ("v1", "ConfigMap"): "ConfigMap",
    ("v1", "Secret"): "Secret",
    ("v1", "ServiceAccount"): "ServiceAccount",
    ("v1", "Service"): "Service",
    ("v1", "Pod"): "Pod",
    ("v1", "Endpoints"): "Endpoints",
    ("v1", "Event"): "Event",
    ("v1", "PersistentVolume"): "PersistentVolume",
    ("v1", "PersistentVolumeClaim"): "PersistentVolumeClaim",
    ("v1", "Node"): "Node",
    ("v1", "Binding"): "Binding",
    ("policy/v1", "PodDisruptionBudget"): "PodDisruptionBudget",
    ("policy/v1", "Eviction"): "Eviction",
    ("apps/v1", "StatefulSet"): "StatefulSet",
    ("apps/v1", "ControllerRevision"): "ControllerRevision",
    ("apps/v1beta1", "StatefulSet"): "v1beta1.StatefulSet",
    ("coordination.k8s.io/v1", "Lease"): "Lease",
    ("discovery.k8s.io/v1", "EndpointSlice"): "discovery.EndpointSlice",
    ("autoscaling/v1", "Scale"): "Scale",
    ("storage.k8s.io/v1", "StorageClass"): "StorageClass",
    ("events.k8s.io/v1", "Event"): "events.Event",
    ("authentication.k8s.io/v1", "TokenRequest"): "TokenRequest",
}
# metav1.AddToGroupVersion registers DeleteOptions in every group version, and clients send it in
# the version of the resource they delete (kubectl drain --disable-eviction sends "v1").
_KINDS = _OBJECT_KINDS | {
    (group_version, "DeleteOptions"): "DeleteOptions"
    for group_version in {version for version, _ in _OBJECT_KINDS} | {"meta.k8s.io/v1"}
}

_VARINT, _FIXED64, _BYTES, _START_GROUP, _END_GROUP, _FIXED32 = range(6)
_SCALARS = frozenset({"s", "b", "bool", "i32", "i64"})
_NUMBERS = frozenset({"bool", "i32", "i64"})
_SPEC = re.compile(r"(?P<json>\w*)(?::(?P<type>[^*!]+))?(?P<mode>[*!]?)")
#: Go's zero time.Time (0001-01-01T00:00:00Z), which metav1.Time and MicroTime write as JSON null.
_GO_ZERO_TIME = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True, slots=True)
class _Field:
    number: int
    json: str
    type: str
    #: "" for one value, "[]" for a list, "{}" for a map.
    shape: str
    mode: str

    @property
    def wire_types(self) -> tuple[int, ...]:
        if self.type not in _NUMBERS:
            return (_BYTES,)
        # Lists of numbers may come packed into one length-delimited field or one field per item.
        return (_VARINT, _BYTES) if self.shape == "[]" else (_VARINT,)


def _compile(number: int, spec: str) -> _Field:
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise ValueError(f"bad field spec {spec!r}")
    type_, shape = match["type"] or "s", ""
    if type_[0] in "[{":
        type_, shape = type_[1:-1], type_[0] + type_[-1]
    return _Field(number, match["json"], type_, shape, match["mode"])


_FIELDS: dict[str, tuple[_Field, ...]] = {
    name: tuple(_compile(number, spec) for number, spec in table.items())
    for name, table in (_TABLES | _WIRE_FORMS).items()
}
_BY_NUMBER: dict[str, dict[int, _Field]] = {
    name: {field.number: field for field in fields} for name, fields in _FIELDS.items()
}

_Raw = dict[int, list[int | bytes]]


class _Malformed(Exception):
    """A body that does not decode; the text is the one Go's generated unmarshalers give."""


def supported_kinds() -> set[tuple[str, str]]:
    """The (apiVersion, kind) pairs :func:`decode` understands."""
    return set(_KINDS)


def decode(body: bytes) -> dict[str, Any]:
    """Decode a Kubernetes protobuf body into the object a JSON client would have sent.

    Raises a 400 BadRequest StatusError for a malformed body, and a 415 UnsupportedMediaType one
    for a kind this module has no tables for (the client can send that kind as JSON instead).
    """
    # The messages up to "empty body" are k8s.io/apimachinery's protobuf serializer's own.
    if not body:
        raise errors.bad_request("empty data")
    if not body.startswith(MAGIC):
        raise errors.bad_request("provided data does not appear to be a protobuf message, "
                                 "expected prefix [107 56 115 0]")
    if len(body) == len(MAGIC):
        raise errors.bad_request("empty body")
    try:
        envelope = _scan(body[len(MAGIC):], "Unknown")
        type_meta = _scan(_joined(envelope, 1), "TypeMeta")
    except _Malformed as exc:
        raise errors.bad_request(str(exc)) from None
    api_version, kind = _text(type_meta, 1), _text(type_meta, 2)
    if not kind or not api_version:
        seen = f"runtime.TypeMeta{{APIVersion:{json.dumps(api_version)}, Kind:{json.dumps(kind)}}}"
        missing = "Kind" if not kind else "apiVersion"
        raise errors.bad_request(f"Object '{missing}' is missing in '{seen}'")
    message = _KINDS.get((api_version, kind))
    if message is None:
        raise errors.StatusError(
            415, "UnsupportedMediaType",
            f'the body of the request was a {kind} in version "{api_version}", which cannot be decoded from '
            f"{CONTENT_TYPE}; send it as application/json")
    try:
        obj = _message(_bytes(envelope, 2), message)
    except _Malformed as exc:
        version = api_version.rpartition("/")[2]
        raise errors.bad_request(
            f'{kind} in version "{version}" cannot be handled as a {kind}: {exc}') from None
    return {"kind": kind, "apiVersion": api_version, **obj}


def _message(data: bytes, name: str) -> dict[str, Any]:
    raw = _scan(data, name)
    out: dict[str, Any] = {}
    for field in _FIELDS[name]:
        values = raw.get(field.number)
        if not field.json:
            out.update(_message(_joined(raw, field.number), field.type))
        elif values:
            value = _value(field, values)
            # encoding/json's omitempty drops zero scalars and empty lists and maps, never structs.
            if value or field.mode or (field.type not in _SCALARS and not field.shape):
                out[field.json] = value
        elif field.mode == "!":
            out[field.json] = None if field.shape else _zero(field.type)
        elif not field.mode and not field.shape and field.type not in _SCALARS:
            out[field.json] = _zero(field.type)
    return out


def _value(field: _Field, values: list[int | bytes]) -> Any:
    if field.shape == "[]":
        if field.type in _NUMBERS:
            return [_number(field.type, item) for value in values for item in _unpacked(value)]
        return [_single(field.type, value) for value in values]
    if field.shape == "{}":
        entries = {}
        for value in (value for value in values if isinstance(value, bytes)):
            entry = _scan(value, "map entry", _entry_fields(field.type))
            if 2 in entry:
                entries[_text(entry, 1)] = _value(_entry_fields(field.type)[2], entry[2])
            else:
                # gogo starts a map entry's bytes value as []byte{}, not nil: "" rather than null.
                entries[_text(entry, 1)] = "" if field.type == "b" else _zero(field.type)
        # encoding/json writes map keys sorted.
        return dict(sorted(entries.items()))
    if field.type in _SCALARS:
        return _single(field.type, values[-1])
    return _single(field.type, b"".join(value for value in values if isinstance(value, bytes)))


@functools.cache
def _entry_fields(type_: str) -> dict[int, _Field]:
    """A map's entries are messages of their own: {1: key, 2: value}."""
    return {1: _Field(1, "key", "s", "", "!"), 2: _Field(2, "value", type_, "", "!")}


def _single(type_: str, value: int | bytes) -> Any:
    if isinstance(value, int):
        return _number(type_, value)
    if type_ == "s":
        # encoding/json writes invalid UTF-8 as U+FFFD.
        return value.decode("utf-8", "replace")
    if type_ == "b":
        return base64.b64encode(value).decode("ascii")
    if type_ in ("Time", "MicroTime"):
        return _time(value, micro=type_ == "MicroTime")
    if type_ == "Quantity":
        # The string as the client wrote it, as a JSON client would have sent it; the server
        # parses and canonicalizes it as it does for JSON.
        raw = _scan(value, type_)
        return _text(raw, 1) if 1 in raw else "0"
    if type_ == "IntOrString":
        return _int_or_string(_scan(value, type_))
    if type_ in ("RawExtension", "FieldsV1"):
        return _raw_json(_scan(value, type_), type_)
    return _message(value, type_)


def _zero(type_: str) -> Any:
    """The JSON Go writes for the zero value of a type that is absent from the wire."""
    if type_ in ("s", "b"):
        return "" if type_ == "s" else None
    if type_ == "bool":
        return False
    if type_ in ("i32", "i64"):
        return 0
    if type_ in ("Time", "MicroTime", "RawExtension", "FieldsV1"):
        return None
    if type_ == "Quantity":
        return "0"
    if type_ == "IntOrString":
        return 0
    return _message(b"", type_)


def _number(type_: str, value: int) -> int | bool:
    if type_ == "bool":
        return value != 0
    # Go converts the 64-bit varint to the field's width, dropping the high bits.
    bits = 32 if type_ == "i32" else 64
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _unpacked(value: int | bytes) -> list[int]:
    if isinstance(value, int):
        return [value]
    items, pos = [], 0
    while pos < len(value):
        item, pos = _varint(value, pos)
        items.append(item)
    return items


def _time(data: bytes, *, micro: bool) -> str | None:
    # metav1.Time's Unmarshal keeps whole seconds only; MicroTime truncates to microseconds.
    if not data:
        return None
    raw = _scan(data, "MicroTime" if micro else "Time")
    seconds = _int(raw, 1, "i64")
    nanos = _int(raw, 2, "i32") if micro else 0
    try:
        moment = _EPOCH + datetime.timedelta(microseconds=(seconds * 1_000_000_000 + nanos) // 1000)
    except OverflowError:
        raise _Malformed("Time.MarshalJSON: year outside of range [0,9999]") from None
    if moment == _GO_ZERO_TIME:
        return None
    text = (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")
    return f"{text}.{moment.microsecond:06d}Z" if micro else f"{text}Z"


def _int_or_string(raw: _Raw) -> int | str:
    kind = _int(raw, 1, "i64")
    if kind == 0:
        return _int(raw, 2, "i32")
    if kind == 1:
        return _text(raw, 3)
    raise _Malformed("impossible IntOrString.Type")


def _raw_json(raw: _Raw, name: str) -> Any:
    data = _bytes(raw, 1)
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _Malformed(f"{name} does not hold JSON: {exc}") from None


# The last occurrence of a scalar field wins; _scan has checked that its wire type fits.
def _int(raw: _Raw, number: int, type_: str) -> int:
    value = raw[number][-1] if number in raw else 0
    return int(_number(type_, value)) if isinstance(value, int) else 0


def _bytes(raw: _Raw, number: int) -> bytes:
    value = raw[number][-1] if number in raw else b""
    return value if isinstance(value, bytes) else b""


def _text(raw: _Raw, number: int) -> str:
    return _bytes(raw, number).decode("utf-8", "replace")


# Occurrences of a message field merge, which is what decoding their concatenation gives.
def _joined(raw: _Raw, number: int) -> bytes:
    return b"".join(value for value in raw.get(number, ()) if isinstance(value, bytes))


def _scan(data: bytes, name: str, fields: dict[int, _Field] | None = None) -> _Raw:
    """Split a message into its known fields' values, checking wire types and skipping the rest."""
    known = _BY_NUMBER[name] if fields is None else fields
    raw: _Raw = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        wire_type = key & 7
        # Go reads the field number into an int32.
        number = key >> 3 & 0xFFFF_FFFF
        number = number - (1 << 32) if number >> 31 else number
        if wire_type == _END_GROUP:
            raise _Malformed(f"proto: {name}: wiretype end group for non-group")
        if number <= 0:
            # Go prints the whole key here, not the wire type.
            raise _Malformed(f"proto: {name}: illegal tag {number} (wire type {key})")
        field = known.get(number)
        if field is None:
            pos = _skip(data, pos, wire_type)
            continue
        if wire_type not in field.wire_types:
            raise _Malformed(f"proto: wrong wireType = {wire_type} for field {field.json or field.type}")
        value, pos = _read(data, pos, wire_type)
        raw.setdefault(number, []).append(value)
    return raw


def _read(data: bytes, pos: int, wire_type: int) -> tuple[int | bytes, int]:
    if wire_type == _VARINT:
        return _varint(data, pos)
    if wire_type == _BYTES:
        length, pos = _varint(data, pos)
        if length >> 63:
            raise _Malformed("proto: negative length found during unmarshaling")
        size = length
    else:
        size = 8 if wire_type == _FIXED64 else 4
    if pos + size > len(data):
        raise _Malformed("unexpected EOF")
    return data[pos:pos + size], pos + size


def _skip(data: bytes, pos: int, wire_type: int) -> int:
    """Step over an unknown field (and a whole group, should a proto2 client send one)."""
    depth = 0
    while True:
        if wire_type == _START_GROUP:
            depth += 1
        elif wire_type == _END_GROUP:
            if depth == 0:
                raise _Malformed("proto: unexpected end of group")
            depth -= 1
        elif wire_type in (_VARINT, _FIXED64, _BYTES, _FIXED32):
            _, pos = _read(data, pos, wire_type)
        else:
            raise _Malformed(f"proto: illegal wireType {wire_type}")
        if depth == 0:
            return pos
        if pos >= len(data):
            raise _Malformed("unexpected EOF")
        key, pos = _varint(data, pos)
        wire_type = key & 7


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if shift >= 64:
            raise _Malformed("proto: integer overflow")
        if pos >= len(data):
            raise _Malformed("unexpected EOF")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value & 0xFFFF_FFFF_FFFF_FFFF, pos
        shift += 7
