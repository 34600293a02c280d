"""Tests for petset.api.protobuf: real kubectl bodies, and hand-built ones for the corner cases.

The captured bodies (protobuf_fixtures/, see its README) must decode to exactly the JSON kubectl
prints for the same command with ``--dry-run=client -o json``, which is what it would have sent as
JSON. The hand-built bodies use a plain wire encoder, independent of the module's tables, with
field numbers taken from upstream's generated.proto files.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from petset.api import protobuf
from petset.api.errors import StatusError
from tests.support.kubectl import kubectl_binaries
from tests.unit.api.protobuf_fixtures import capture

FIXTURES = Path(__file__).resolve().parent / "protobuf_fixtures"
CAPTURES = {path.stem: json.loads(path.read_text()) for path in sorted(FIXTURES.glob("kubectl-*.json"))}
PROTOBUF = "application/vnd.kubernetes.protobuf"


def _captured(name: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(kubectl version, capture, request) for each request of the named capture."""
    return [(data["kubectl"], entry, request) for data in CAPTURES.values() for entry in data["captures"]
            if entry["name"] == name for request in entry["requests"]]


def _protobuf_bodies(name: str) -> list[bytes]:
    return [base64.b64decode(request["body"]) for _, _, request in _captured(name)
            if request["contentType"] == PROTOBUF]


def _without_null_creation_timestamp(obj: dict[str, Any]) -> dict[str, Any]:
    # kubectl >= 1.33 leaves the zero creationTimestamp out of its JSON (omitzero); its protobuf,
    # like 1.32's, carries the zero time, which a 1.32 server writes as null.
    obj = copy.deepcopy(obj)
    if obj.get("metadata", {}).get("creationTimestamp", "") is None:
        del obj["metadata"]["creationTimestamp"]
    return obj


DRY_RUN_CASES = [
    pytest.param(data["kubectl"], request, entry["dryRun"], id=f"{data['kubectl']}-{entry['name']}")
    for data in CAPTURES.values() for entry in data["captures"] if entry["dryRun"] is not None
    for request in entry["requests"] if request["contentType"] == PROTOBUF
]


def test_fixtures_cover_both_kubectl_versions() -> None:
    assert {"kubectl-v1.32.4", "kubectl-v1.36.3"} <= set(CAPTURES)
    assert len(DRY_RUN_CASES) == 2 * 13


@pytest.mark.parametrize(("version", "request_", "dry_run"), DRY_RUN_CASES)
def test_kubectl_create_bodies_decode_to_the_json_kubectl_would_send(
        version: str, request_: dict[str, Any], dry_run: dict[str, Any]) -> None:
    decoded = protobuf.decode(base64.b64decode(request_["body"]))
    if not version.startswith("v1.32."):
        decoded = _without_null_creation_timestamp(decoded)
        dry_run = _without_null_creation_timestamp(dry_run)
    # json.dumps also compares key order: Go writes struct fields in declaration order.
    assert json.dumps(decoded) == json.dumps(dry_run)


def test_secret_and_configmap_bytes_are_base64_as_in_json() -> None:
    for body in _protobuf_bodies("configmap-binary"):
        blob = base64.b64encode(b"\x00\xff\xfebinary").decode()
        assert protobuf.decode(body)["binaryData"] == {"blob": blob}
    for body in _protobuf_bodies("secret-docker-registry"):
        config = json.loads(base64.b64decode(protobuf.decode(body)["data"][".dockerconfigjson"]))
        assert config["auths"]["r.example"]["username"] == "u"


def test_debug_copy_round_trips_nearly_every_pod_field() -> None:
    """kubectl debug --copy-to GETs rich-pod.json as JSON and POSTs its copy back in protobuf."""
    rich = json.loads((FIXTURES / "rich-pod.json").read_text())
    expected = copy.deepcopy(rich)
    # The copy is a new object: kubectl builds fresh metadata and no status.
    expected["metadata"] = {"name": "rich-copy", "namespace": "default", "creationTimestamp": None,
                            "labels": rich["metadata"]["labels"],
                            "annotations": rich["metadata"]["annotations"]}
    expected["status"] = {}
    # hostNetwork is a plain bool with omitempty: false is not written, as in Go's JSON.
    del expected["spec"]["hostNetwork"]
    # The ephemeral volume's claim template has a non-pointer ObjectMeta, whose zero time is null.
    expected["spec"]["volumes"][7]["ephemeral"]["volumeClaimTemplate"]["metadata"]["creationTimestamp"] = None
    bodies = _protobuf_bodies("debug-copy")
    assert len(bodies) == len(CAPTURES)
    for body in bodies:
        decoded = protobuf.decode(body)
        assert decoded == expected
        spec = decoded["spec"]
        # Pointer fields keep their zero values, which mean something.
        assert spec["terminationGracePeriodSeconds"] == 0
        assert spec["priority"] == 0
        assert spec["automountServiceAccountToken"] is False
        assert spec["containers"][0]["securityContext"]["runAsUser"] == 0
        assert spec["securityContext"]["supplementalGroups"] == [3000, 4000]
        assert spec["containers"][0]["readinessProbe"]["tcpSocket"]["port"] == "http"
        assert spec["containers"][0]["resources"]["limits"] == {"cpu": "500m", "memory": "128Mi"}


def test_debug_node_pod() -> None:
    bodies = _protobuf_bodies("debug-node")
    assert len(bodies) == len(CAPTURES)
    for body in bodies:
        pod = protobuf.decode(body)
        assert pod["metadata"]["name"].startswith("node-debugger-n1-")
        spec = pod["spec"]
        assert spec["nodeName"] == "n1"
        assert (spec["hostNetwork"], spec["hostPID"], spec["hostIPC"]) == (True, True, True)
        assert spec["volumes"] == [{"name": "host-root", "hostPath": {"path": "/"}}]
        assert spec["containers"][0]["volumeMounts"] == [{"name": "host-root", "mountPath": "/host"}]
        assert spec["tolerations"] == [{"operator": "Exists"}]
        assert pod["status"] == {}


def test_drain_disable_eviction_delete_options() -> None:
    bodies = _protobuf_bodies("drain-disable-eviction")
    assert len(bodies) == len(CAPTURES)
    for body in bodies:
        assert protobuf.decode(body) == {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 5}


def test_create_token_request() -> None:
    for body in _protobuf_bodies("create-token"):
        assert protobuf.decode(body) == {
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"creationTimestamp": None},
            "spec": {"audiences": ["api"], "expirationSeconds": 600},
            "status": {"token": "", "expirationTimestamp": None}}


@pytest.mark.parametrize("name", ["run", "drain", "delete"])
def test_commands_that_send_json_are_not_taken_for_protobuf(name: str) -> None:
    for _, _, request in _captured(name):
        if request["method"] in ("POST", "DELETE"):
            assert request["contentType"] == "application/json"
            with pytest.raises(StatusError) as info:
                protobuf.decode(base64.b64decode(request["body"]))
            assert info.value.code == 400
            assert info.value.message == ("provided data does not appear to be a protobuf message, "
                                          "expected prefix [107 56 115 0]")


@pytest.mark.parametrize("binary", kubectl_binaries())
def test_installed_kubectl_still_sends_decodable_protobuf(binary: str) -> None:
    """A fresh capture, so that a newer kubectl's bodies are checked too."""
    commands = [command for command in capture.COMMANDS
                if command[0] in ("namespace", "service-nodeport", "pdb-max-unavailable", "secret-generic")]
    result = capture.capture(binary, commands)
    for entry in result["captures"]:
        [request] = entry["requests"]
        assert request["contentType"] == PROTOBUF
        decoded = protobuf.decode(base64.b64decode(request["body"]))
        assert _without_null_creation_timestamp(decoded) == _without_null_creation_timestamp(entry["dryRun"])


# A plain protobuf wire encoder for hand-built bodies: (field number, value) pairs, where an int is
# a varint, str and bytes are length-delimited, and ("fixed32"|"fixed64"|"group", payload) tuples
# are the other wire types.
Field = tuple[int, Any]


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def pb(*fields: Field) -> bytes:
    out = bytearray()
    for number, value in fields:
        if isinstance(value, tuple) and value[0] == "fixed32":
            out += _varint(number << 3 | 5) + value[1].to_bytes(4, "little")
        elif isinstance(value, tuple) and value[0] == "fixed64":
            out += _varint(number << 3 | 1) + value[1].to_bytes(8, "little")
        elif isinstance(value, tuple) and value[0] == "group":
            out += _varint(number << 3 | 3) + pb(*value[1]) + _varint(number << 3 | 4)
        elif isinstance(value, int):
            out += _varint(number << 3) + _varint(value)
        else:
            data = value.encode() if isinstance(value, str) else value
            out += _varint(number << 3 | 2) + _varint(len(data)) + data
    return bytes(out)


def body(api_version: str, kind: str, raw: bytes) -> bytes:
    return protobuf.MAGIC + pb((1, pb((1, api_version), (2, kind))), (2, raw), (3, ""), (4, ""))


def meta(name: str = "x", *extra: Field) -> bytes:
    # ObjectMeta as gogo-protobuf writes it: every non-pointer field, zero or not.
    return pb((1, name), (2, ""), (3, ""), (4, ""), (5, ""), (6, ""), (7, 0), (8, b""), *extra)


def time(seconds: int, nanos: int = 0) -> bytes:
    return pb((1, seconds), (2, nanos))


def decode_error(data: bytes) -> StatusError:
    with pytest.raises(StatusError) as info:
        protobuf.decode(data)
    return info.value


def test_statefulset_pointer_zero_kept_value_zero_dropped() -> None:
    spec = pb((1, 0), (5, ""), (6, ""), (7, pb((1, "RollingUpdate"), (2, pb((1, 0))))), (9, 0))
    sts = protobuf.decode(body("apps/v1", "StatefulSet", pb((1, meta("web")), (2, spec))))
    assert sts["metadata"] == {"name": "web", "creationTimestamp": None}
    assert sts["spec"] == {
        "replicas": 0,  # *int32: a present zero is a real zero
        "template": {"metadata": {"creationTimestamp": None}, "spec": {"containers": None}},
        "serviceName": "",  # no omitempty: Go always writes it
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
    }  # minReadySeconds 0 and podManagementPolicy "" are omitempty values: left out
    assert sts["status"] == {"replicas": 0, "availableReplicas": 0}


def test_missing_value_structs_appear_as_go_zero_values() -> None:
    assert protobuf.decode(body("v1", "Namespace", b"")) == {
        "kind": "Namespace", "apiVersion": "v1", "metadata": {"creationTimestamp": None},
        "spec": {}, "status": {}}
    slice_ = protobuf.decode(body("discovery.k8s.io/v1", "EndpointSlice", pb((1, meta("s")))))
    assert slice_ == {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
                      "metadata": {"name": "s", "creationTimestamp": None},
                      "addressType": "", "endpoints": None, "ports": None}


def test_times() -> None:
    conditions = [
        pb((1, "Ready"), (2, "True"), (4, time(1795880721, 999_999_999))),  # Time keeps whole seconds
        pb((1, "Old"), (2, "False"), (4, b"")),  # an empty Time is the zero time: null
        pb((1, "Epoch"), (2, "False"), (4, time(0))),
        pb((1, "Zero"), (2, "False"), (4, time(-62135596800))),  # Go's zero time, written out
    ]
    ns = protobuf.decode(body("v1", "Namespace", pb((1, meta("n")), (3, pb(*((2, c) for c in conditions))))))
    assert [c.get("lastTransitionTime") for c in ns["status"]["conditions"]] == [
        "2026-11-28T15:45:21Z", None, "1970-01-01T00:00:00Z", None]


def test_lease_micro_times() -> None:
    spec = pb((1, "node-1"), (2, 40), (3, time(1795880721, 123_456_789)), (4, time(1795880722)), (5, 0))
    lease = protobuf.decode(body("coordination.k8s.io/v1", "Lease", pb((1, meta("node-1")), (2, spec))))
    assert lease["spec"] == {"holderIdentity": "node-1", "leaseDurationSeconds": 40,
                             "acquireTime": "2026-11-28T15:45:21.123456Z",
                             "renewTime": "2026-11-28T15:45:22.000000Z", "leaseTransitions": 0}


def test_events_v1_event() -> None:
    event = pb((1, meta("e")), (2, time(1795880721, 5000)), (4, "kubelet"), (5, "node-1"), (7, "Started"),
               (8, pb((1, "Pod"), (3, "web-0"))), (10, "Started container"), (11, "Normal"), (15, 0))
    decoded = protobuf.decode(body("events.k8s.io/v1", "Event", event))
    assert decoded["eventTime"] == "2026-11-28T15:45:21.000005Z"
    assert decoded["regarding"] == {"kind": "Pod", "name": "web-0"}
    assert decoded["deprecatedSource"] == {}
    assert decoded["deprecatedFirstTimestamp"] is None
    assert "deprecatedCount" not in decoded


def test_int_or_string_and_quantities() -> None:
    pdb = pb((1, meta("p")), (2, pb((1, pb((1, 1), (3, "50%"))), (3, pb((1, 0), (2, 2))))))
    spec = protobuf.decode(body("policy/v1", "PodDisruptionBudget", pdb))["spec"]
    assert spec == {"minAvailable": "50%", "maxUnavailable": 2}
    claim_spec = pb((1, "ReadWriteOnce"), (2, pb((2, pb((1, "storage"), (2, pb((1, "1Gi"))))),
                                                  (2, pb((1, "cpu"), (2, b""))))), (5, ""))
    pvc = protobuf.decode(body("v1", "PersistentVolumeClaim", pb((1, meta("data-web-0")), (2, claim_spec))))
    assert pvc["spec"] == {"accessModes": ["ReadWriteOnce"],
                           "resources": {"requests": {"cpu": "0", "storage": "1Gi"}},
                           "storageClassName": ""}  # *string: "" means "no class", so it is kept
    impossible = pb((1, meta("p")), (2, pb((1, pb((1, 7))))))
    error = decode_error(body("policy/v1", "PodDisruptionBudget", impossible))
    assert error.code == 400
    assert error.message.endswith("cannot be handled as a PodDisruptionBudget: impossible IntOrString.Type")


def test_maps_and_bytes() -> None:
    secret = pb((1, meta("s")), (2, pb((1, "b"), (2, b"\x00\x01"))), (2, pb((1, "a"), (2, b"v"))),
                (2, pb((1, "empty"))), (4, pb((1, "plain"), (2, "text"))), (3, "Opaque"), (5, 0))
    decoded = protobuf.decode(body("v1", "Secret", secret))
    assert decoded["data"] == {"a": "dg==", "b": "AAE=", "empty": ""}
    assert list(decoded["data"]) == ["a", "b", "empty"]  # encoding/json sorts map keys
    assert decoded["stringData"] == {"plain": "text"}
    assert decoded["type"] == "Opaque"
    assert decoded["immutable"] is False
    status = pb((2, pb((1, "web-1"), (2, time(1795880721)))), (3, 1), (4, 2), (5, 2), (6, 3))
    pdb = protobuf.decode(body("policy/v1", "PodDisruptionBudget", pb((1, meta("p")), (3, status))))
    assert pdb["status"] == {"disruptedPods": {"web-1": "2026-11-28T15:45:21Z"}, "disruptionsAllowed": 1,
                             "currentHealthy": 2, "desiredHealthy": 2, "expectedPods": 3}


def test_raw_extension_and_managed_fields() -> None:
    managed = pb((1, "kubectl"), (2, "Update"), (3, "apps/v1"), (4, time(1795880721)), (6, "FieldsV1"),
                 (7, pb((1, b'{"f:spec":{"f:replicas":{}}}'))))
    revision = pb((1, meta("web-abc", (17, managed))), (2, pb((1, b'{"spec":{"template":{"x":1}}}'))))
    decoded = protobuf.decode(body("apps/v1", "ControllerRevision", revision))
    assert decoded["metadata"]["managedFields"] == [{
        "manager": "kubectl", "operation": "Update", "apiVersion": "apps/v1", "time": "2026-11-28T15:45:21Z",
        "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]
    assert decoded["data"] == {"spec": {"template": {"x": 1}}}
    assert decoded["revision"] == 0  # int64 without omitempty
    bad = pb((1, meta("r")), (2, pb((1, b"{nope"))))
    error = decode_error(body("apps/v1", "ControllerRevision", bad))
    assert "RawExtension does not hold JSON" in error.message


def test_numbers() -> None:
    context = pb((4, 1000), (4, _varint(2000) + _varint(3000)), (5, -1))
    decoded = protobuf.decode(body("v1", "Pod", pb((1, meta("p")), (2, pb((14, context))))))
    # supplementalGroups arrives unpacked and packed; fsGroup -1 is a ten-byte varint.
    assert decoded["spec"]["securityContext"] == {"supplementalGroups": [1000, 2000, 3000], "fsGroup": -1}
    # An int32 takes the low 32 bits of the varint, as Go's conversion does.
    port = pb((1, meta("s")), (2, pb((1, pb((3, (1 << 32) + 80))))))
    assert protobuf.decode(body("v1", "Service", port))["spec"]["ports"] == [{"port": 80, "targetPort": 0}]


def test_unknown_fields_are_skipped() -> None:
    unknown: list[Field] = [(99, 5), (98, "x"), (97, ("fixed32", 7)), (96, ("fixed64", 8)),
                            (95, ("group", [(1, 1), (2, ("group", [(3, "deep")]))]))]
    ns = protobuf.decode(body("v1", "Namespace", pb(*unknown, (1, meta("n", *unknown)), *unknown)))
    assert ns["metadata"] == {"name": "n", "creationTimestamp": None}


def test_repeated_occurrences_of_a_message_merge() -> None:
    split = pb((1, pb((1, "n"))), (1, pb((11, pb((1, "a"), (2, "b"))))), (2, pb((1, "kubernetes"))))
    ns = protobuf.decode(body("v1", "Namespace", split))
    assert ns["metadata"] == {"name": "n", "creationTimestamp": None, "labels": {"a": "b"}}
    assert ns["spec"] == {"finalizers": ["kubernetes"]}


def test_invalid_utf8_becomes_the_replacement_character() -> None:
    assert protobuf.decode(body("v1", "ConfigMap", pb((1, meta("c")), (2, pb((1, "k"), (2, b"a\xffb"))))))[
        "data"] == {"k": "a\ufffdb"}


def test_delete_options_in_any_group_version_and_inside_eviction() -> None:
    options = pb((1, 30), (2, pb((1, "uid-1"), (2, ""))), (4, "Foreground"), (5, "All"), (3, 0))
    for api_version in ("v1", "apps/v1", "policy/v1", "meta.k8s.io/v1"):
        assert protobuf.decode(body(api_version, "DeleteOptions", options)) == {
            "kind": "DeleteOptions", "apiVersion": api_version, "gracePeriodSeconds": 30,
            "preconditions": {"uid": "uid-1", "resourceVersion": ""}, "orphanDependents": False,
            "propagationPolicy": "Foreground", "dryRun": ["All"]}
    eviction = protobuf.decode(body("policy/v1", "Eviction", pb((1, meta("web-0")), (2, pb((1, 0))))))
    assert eviction["deleteOptions"] == {"gracePeriodSeconds": 0}


def test_supported_kinds() -> None:
    kinds = protobuf.supported_kinds()
    for pair in [("v1", "Namespace"), ("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "ServiceAccount"),
                 ("v1", "Service"), ("v1", "Pod"), ("v1", "Endpoints"), ("v1", "Event"),
                 ("v1", "PersistentVolume"), ("v1", "PersistentVolumeClaim"), ("v1", "Node"),
                 ("v1", "Binding"),
                 ("policy/v1", "PodDisruptionBudget"), ("policy/v1", "Eviction"), ("v1", "DeleteOptions"),
                 ("meta.k8s.io/v1", "DeleteOptions"), ("apps/v1", "StatefulSet"),
                 ("apps/v1", "ControllerRevision"), ("coordination.k8s.io/v1", "Lease"),
                 ("discovery.k8s.io/v1", "EndpointSlice"), ("autoscaling/v1", "Scale"),
                 ("storage.k8s.io/v1", "StorageClass"), ("authentication.k8s.io/v1", "TokenRequest")]:
        assert pair in kinds
    for api_version, kind in kinds:
        # Every kind decodes from an empty message, which walks all its value structs.
        assert protobuf.decode(body(api_version, kind, b""))["kind"] == kind


def test_every_field_type_is_known() -> None:
    special = {"Time", "MicroTime", "Quantity", "IntOrString", "RawExtension", "FieldsV1"}
    for name in protobuf._TABLES:
        for field in protobuf._FIELDS[name]:
            assert field.type in protobuf._SCALARS | special | set(protobuf._TABLES), (name, field)
            assert field.json or (field.type in protobuf._TABLES and not field.shape and not field.mode)


def test_unknown_kind_is_unsupported_media_type() -> None:
    error = decode_error(body("apps/v1", "Deployment", pb((1, meta("d")))))
    assert (error.code, error.reason) == (415, "UnsupportedMediaType")
    assert 'Deployment in version "apps/v1"' in error.message
    assert "application/json" in error.message


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty data"),
    (b'{"kind":"Namespace"}',
     "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"),
    (b"k8s\x00", "empty body"),
    (protobuf.MAGIC + pb((1, pb((1, "v1")))),
     "Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:\"v1\", Kind:\"\"}'"),
    (protobuf.MAGIC + pb((1, pb((2, "Namespace")))),
     "Object 'apiVersion' is missing in 'runtime.TypeMeta{APIVersion:\"\", Kind:\"Namespace\"}'"),
    (protobuf.MAGIC + b"\x0a\x05\x0a", "unexpected EOF"),
    (protobuf.MAGIC + b"\x08\x01", "proto: wrong wireType = 0 for field typeMeta"),
])
def test_malformed_envelopes(data: bytes, message: str) -> None:
    error = decode_error(data)
    assert (error.code, error.reason, error.message) == (400, "BadRequest", message)


@pytest.mark.parametrize(("raw", "message"), [
    (pb((1, meta("n")))[:-3], "unexpected EOF"),
    (pb((1, 5)), "proto: wrong wireType = 0 for field metadata"),
    (b"\x0a" + b"\xff" * 10 + b"\x01", "proto: integer overflow"),
    (b"\x0a" + b"\xff" * 9 + b"\x01", "proto: negative length found during unmarshaling"),
    (b"\x00\x01", "proto: Namespace: illegal tag 0 (wire type 0)"),
    (b"\x0c", "proto: Namespace: wiretype end group for non-group"),
    (b"\xfe\x01", "proto: illegal wireType 6"),
    (b"\x0a\x02\x02\x00", "proto: ObjectMeta: illegal tag 0 (wire type 2)"),
    (pb((1, meta("n", (8, time(10**12))))), "Time.MarshalJSON: year outside of range [0,9999]"),
])
def test_malformed_objects(raw: bytes, message: str) -> None:
    error = decode_error(body("v1", "Namespace", raw))
    assert (error.code, error.reason) == (400, "BadRequest")
    assert error.message == f'Namespace in version "v1" cannot be handled as a Namespace: {message}'
