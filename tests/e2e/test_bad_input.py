"""Bad input against a real `petset up`: each refusal carries Kubernetes' status code and words,
and leaves the store exactly as it was (the object absent, or at the resourceVersion it had).

The kubectl tests run with every kubectl binary the machine has; the raw tests send what kubectl
never would (malformed and duplicate JSON, oversized bodies, no token) straight over HTTPS.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.kubectl import Kubectl
from tests.support.raw import RawAPI
from tests.support.server import PetsetProcess

LIMIT = 3 * 1024 * 1024
NOT_FOUND = "the server could not find the requested resource"
CONFLICT = ("Operation cannot be fulfilled on configmaps \"{name}\": the object has been modified; please apply "
            "your changes to the latest version and try again")
FORBIDDEN_UPDATE = ("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                    "'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' "
                    "and 'minReadySeconds' are forbidden")
LABEL_RULE = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
              "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
              "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
SUBDOMAIN_RULE = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                  "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                  "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


def _statefulset(name: str, *, labels: dict[str, str] | None = None, replicas: int = 0,
                 service: str = "svc", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"serviceName": service, "replicas": replicas, "selector": {"matchLabels": {"app": "x"}},
                     "template": {"metadata": {"labels": labels or {"app": "x"}},
                                  "spec": {"containers": [{"name": "c", "image": "luksa/kubia-pet"}]}},
                     **spec}}


def _configmap(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def _sts_path(ns: str, name: str = "") -> str:
    return f"/apis/apps/v1/namespaces/{ns}/statefulsets" + (f"/{name}" if name else "")


def _cm_path(ns: str, name: str = "") -> str:
    return f"/api/v1/namespaces/{ns}/configmaps" + (f"/{name}" if name else "")


def _refused(result: Any, text: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert text in result.stderr, result.stderr


@pytest.fixture(scope="module")
def raw(petset: PetsetProcess) -> RawAPI:
    return petset.raw()


@pytest.fixture
def ns(raw: RawAPI) -> Iterator[str]:
    """A namespace for the raw tests."""
    name = "bad-" + uuid.uuid4().hex[:8]
    assert raw.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": name}}).status == 201
    yield name
    raw.request("DELETE", f"/api/v1/namespaces/{name}")


# kubectl


def test_malformed_yaml_is_kubectls_own_error(kubectl: Kubectl, raw: RawAPI, namespace: str,
                                              tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   bad: [\n")
    for verb in ("create", "apply"):
        result = kubectl.run(verb, "-f", str(bad), check=False)
        _refused(result, f"error: error parsing {bad}: error converting YAML to JSON: yaml: line 5: "
                         "mapping values are not allowed in this context")
    assert raw.snapshot(_cm_path(namespace)) == {}


def test_unknown_field_is_refused_under_default_strict_validation(kubectl: Kubectl, raw: RawAPI, namespace: str,
                                                                 tmp_path: Path) -> None:
    manifest = tmp_path / "sts.yaml"
    manifest.write_text(yaml.safe_dump(_statefulset("x", foo="bar")))
    for verb in ("create", "apply"):
        result = kubectl.run(verb, "-f", str(manifest), check=False)
        _refused(result, f'Error from server (BadRequest): error when creating "{manifest}": StatefulSet in version '
                         '"v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.foo"')
    assert raw.snapshot(_sts_path(namespace)) == {}


def test_validate_warn_creates_the_object_without_the_unknown_field(kubectl: Kubectl, raw: RawAPI,
                                                                    namespace: str, tmp_path: Path) -> None:
    manifest = tmp_path / "sts.yaml"
    manifest.write_text(yaml.safe_dump(_statefulset("x", foo="bar")))
    result = kubectl.run("create", "-f", str(manifest), "--validate=warn")
    assert 'Warning: unknown field "spec.foo"' in result.stderr
    assert result.stdout.strip() == "statefulset.apps/x created"
    stored = raw.get(_sts_path(namespace, "x")).json()
    assert "foo" not in stored["spec"] and stored["spec"]["serviceName"] == "svc"


@pytest.mark.parametrize(("obj", "message"), [
    (_statefulset("Kubia_0"),
     f'The StatefulSet "Kubia_0" is invalid: metadata.name: Invalid value: "Kubia_0": {LABEL_RULE}'),
    # petset refuses the names Kubernetes accepts but can never make pods for (#64023).
    (_statefulset("s" * 53),
     f'The StatefulSet "{"s" * 53}" is invalid: metadata.name: Invalid value: "{"s" * 53}": must be no more '
     "than 52 characters"),
    (_statefulset("s" * 64),
     f'The StatefulSet "{"s" * 64}" is invalid: metadata.name: Invalid value: "{"s" * 64}": must be no more '
     "than 52 characters"),
    (_configmap("Kubia_0"),
     f'The ConfigMap "Kubia_0" is invalid: metadata.name: Invalid value: "Kubia_0": {SUBDOMAIN_RULE}'),
    ({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "v" * 64}, "spec": {"ports": [{"port": 80}]}},
     f'The Service "{"v" * 64}" is invalid: metadata.name: Invalid value: "{"v" * 64}": must be no more than 63 '
     "characters"),
], ids=["underscore", "sts-53", "sts-64", "configmap-underscore", "service-64"])
def test_invalid_names(kubectl: Kubectl, raw: RawAPI, namespace: str, obj: dict[str, Any], message: str) -> None:
    result = kubectl.run("create", "-f", "-", input=json.dumps(obj), check=False)
    _refused(result, message)
    plural = {"StatefulSet": "statefulsets", "ConfigMap": "configmaps", "Service": "services"}[obj["kind"]]
    prefix = "/apis/apps/v1" if obj["kind"] == "StatefulSet" else "/api/v1"
    assert raw.snapshot(f"{prefix}/namespaces/{namespace}/{plural}") == {}


def test_selector_that_does_not_match_the_template(kubectl: Kubectl, raw: RawAPI, namespace: str) -> None:
    result = kubectl.run("create", "-f", "-", input=json.dumps(_statefulset("x", labels={"app": "y"})), check=False)
    _refused(result, 'The StatefulSet "x" is invalid: spec.template.metadata.labels: Invalid value: '
                     'map[string]string{"app":"y"}: `selector` does not match template `labels`')
    assert raw.snapshot(_sts_path(namespace)) == {}


def test_forbidden_statefulset_spec_updates(kubectl: Kubectl, raw: RawAPI, namespace: str, tmp_path: Path) -> None:
    manifest = tmp_path / "sts.yaml"
    manifest.write_text(yaml.safe_dump(_statefulset("x")))
    kubectl.run("apply", "-f", str(manifest))
    before = raw.settled(_sts_path(namespace, "x"))
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(_statefulset("x", service="other")))
    attempts = [
        kubectl.run("apply", "-f", str(changed), check=False),
        kubectl.run("patch", "sts", "x", "-p", '{"spec":{"podManagementPolicy":"Parallel"}}', check=False),
        kubectl.run("patch", "sts", "x", "--type=merge", "-p", '{"spec":{"serviceName":"other"}}', check=False),
        kubectl.run("patch", "sts", "x", "--type=json", "-p", json.dumps([
            {"op": "add", "path": "/spec/volumeClaimTemplates", "value": [
                {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                        "resources": {"requests": {"storage": "1Mi"}}}}]}]),
            check=False),
    ]
    for result in attempts:
        _refused(result, f'The StatefulSet "x" is invalid: {FORBIDDEN_UPDATE}')
    # Two causes are listed one per line.
    selector = kubectl.run("patch", "sts", "x", "--type=json", "-p",
                           '[{"op":"replace","path":"/spec/selector/matchLabels","value":{"app":"z"}}]', check=False)
    _refused(selector, 'The StatefulSet "x" is invalid: \n'
                       '* spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does '
                       f"not match template `labels`\n* {FORBIDDEN_UPDATE}\n")
    after = raw.get(_sts_path(namespace, "x")).json()
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert after["spec"] == before["spec"]


def test_negative_replicas(kubectl: Kubectl, raw: RawAPI, namespace: str) -> None:
    message = 'The StatefulSet "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    _refused(kubectl.run("create", "-f", "-", input=json.dumps(_statefulset("x", replicas=-1)), check=False),
             message)
    assert raw.snapshot(_sts_path(namespace)) == {}
    # No pods (replicas 0): the statefulset controller settles at once and leaves the object alone.
    kubectl.run("create", "-f", "-", input=json.dumps(_statefulset("x", replicas=0)))
    before = raw.settled(_sts_path(namespace, "x"))
    _refused(kubectl.run("patch", "sts", "x", "-p", '{"spec":{"replicas":-1}}', check=False), message)
    _refused(kubectl.run("scale", "sts", "x", "--replicas=-1", check=False),
             "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    after = raw.get(_sts_path(namespace, "x")).json()
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert after["spec"]["replicas"] == 0


def test_replace_with_a_stale_resource_version_conflicts(kubectl: Kubectl, raw: RawAPI, namespace: str) -> None:
    kubectl.run("create", "-f", "-", input=json.dumps(_configmap("c", a="1")))
    stale = kubectl.json("get", "cm", "c")
    kubectl.run("patch", "cm", "c", "-p", '{"data":{"a":"2"}}')
    current = raw.get(_cm_path(namespace, "c")).json()
    stale["data"] = {"a": "3"}
    result = kubectl.run("replace", "-f", "-", input=json.dumps(stale), check=False)
    _refused(result, 'Error from server (Conflict): error when replacing "STDIN": ' + CONFLICT.format(name="c"))
    after = raw.get(_cm_path(namespace, "c")).json()
    assert after["metadata"]["resourceVersion"] == current["metadata"]["resourceVersion"]
    assert after["data"] == {"a": "2"}


def test_oversized_manifest(kubectl: Kubectl, raw: RawAPI, namespace: str, tmp_path: Path) -> None:
    manifest = tmp_path / "big.json"
    manifest.write_text(json.dumps(_configmap("big", a="x" * LIMIT)))
    result = kubectl.run("create", "-f", str(manifest), check=False)
    _refused(result, f'Error from server (RequestEntityTooLarge): error when creating "{manifest}": '
                     f"Request entity too large: limit is {LIMIT}")
    assert raw.snapshot(_cm_path(namespace)) == {}


def test_wrong_token(kubectl: Kubectl, raw: RawAPI, namespace: str, tmp_path: Path) -> None:
    config = yaml.safe_load(kubectl.kubeconfig.read_text())
    config["users"][0]["user"]["token"] = "not-the-token"
    wrong = tmp_path / "kubeconfig"
    wrong.write_text(yaml.safe_dump(config))
    _refused(kubectl.run("--kubeconfig", str(wrong), "get", "pods", check=False),
             "error: You must be logged in to the server (Unauthorized)")
    result = kubectl.run("--kubeconfig", str(wrong), "create", "--validate=false", "-f", "-",
                         input=json.dumps(_configmap("c")), check=False)
    _refused(result, 'error: You must be logged in to the server (error when creating "STDIN": Unauthorized)')
    assert raw.snapshot(_cm_path(namespace)) == {}


def test_namespace_that_does_not_exist(kubectl: Kubectl, raw: RawAPI) -> None:
    missing = "missing-" + uuid.uuid4().hex[:8]
    result = kubectl.run("create", "-n", missing, "-f", "-", input=json.dumps(_configmap("c")), check=False)
    _refused(result, f'Error from server (NotFound): error when creating "STDIN": namespaces "{missing}" not found')
    assert raw.get(f"/api/v1/namespaces/{missing}").status == 404
    assert raw.snapshot(_cm_path(missing)) == {}


def test_path_that_does_not_exist(kubectl: Kubectl) -> None:
    for path in ("/api/v1/nothing", "/apis/apps/v1/namespaces/default/nothing", "/nothing"):
        _refused(kubectl.run("get", "--raw", path, check=False), f"Error from server (NotFound): {NOT_FOUND}")


# raw requests


@pytest.mark.parametrize(("body", "why"), [
    (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}',
     "couldn't get version/kind; json parse error: unexpected end of JSON input "
     '({"apiVersion":"v1","kind":"Con ...)'),
    (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c",}}',
     "couldn't get version/kind; json parse error: invalid character '}' looking for beginning of object key "
     'string ({"apiVersion":"v1","kind":"Con ...)'),
    (b"{'kind':'ConfigMap'}",
     "couldn't get version/kind; json parse error: invalid character '\\'' looking for beginning of object key "
     "string ({'kind':'ConfigMap'})"),
    (b'{"kind":"ConfigMap"} trailing',
     "couldn't get version/kind; json parse error: invalid character 't' after top-level value "
     '({"kind":"ConfigMap"} trailing)'),
    (b'[{"kind":"ConfigMap"}]',
     "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { "
     'APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } '
     "(5b7b226b696e64223a22436f6e6669674d6170227d5d)"),
    (b"", "couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)"),
], ids=["truncated", "trailing-comma", "single-quotes", "trailing-garbage", "array", "empty"])
def test_malformed_json_body(raw: RawAPI, ns: str, body: bytes, why: str) -> None:
    reply = raw.create(_cm_path(ns), body)
    assert (reply.status, reply.reason) == (400, "BadRequest")
    assert reply.message == f"the object provided is unrecognized (must be of type ConfigMap): {why}"
    assert raw.snapshot(_cm_path(ns)) == {}


def test_malformed_yaml_body(raw: RawAPI, ns: str) -> None:
    reply = raw.create(_cm_path(ns), b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n   bad: [\n",
                       content_type="application/yaml")
    assert (reply.status, reply.reason) == (400, "BadRequest")
    assert reply.message.startswith("the object provided is unrecognized (must be of type ConfigMap): error "
                                    "converting YAML to JSON: yaml: line 5: mapping values are not allowed in "
                                    "this context (")
    assert raw.snapshot(_cm_path(ns)) == {}


def test_malformed_bodies_on_existing_objects(raw: RawAPI, ns: str) -> None:
    assert raw.create(_cm_path(ns), _configmap("c", a="1")).status == 201
    before = raw.snapshot(_cm_path(ns))
    put = raw.request("PUT", _cm_path(ns, "c"), b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"')
    assert (put.status, put.reason) == (400, "BadRequest")
    assert put.message.startswith("the object provided is unrecognized (must be of type ConfigMap): couldn't get "
                                  "version/kind; json parse error: unexpected end of JSON input")
    for ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json",
                  "application/json-patch+json"):
        patch = raw.request("PATCH", _cm_path(ns, "c"), b'{"data":', content_type=ctype)
        assert (patch.status, patch.reason, patch.message) == (400, "BadRequest", "unexpected end of JSON input")
    assert raw.snapshot(_cm_path(ns)) == before


def test_wrong_types_are_refused_in_go_words(raw: RawAPI, ns: str) -> None:
    reply = raw.create(_cm_path(ns), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                                      "data": {"a": 1}})
    assert (reply.status, reply.reason) == (400, "BadRequest")
    assert reply.message.startswith('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot '
                                    "unmarshal number into Go struct field ConfigMap.data")
    assert reply.message.endswith(" of type string")
    assert raw.snapshot(_cm_path(ns)) == {}


def test_duplicate_fields(raw: RawAPI, ns: str) -> None:
    body = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b"},"data":{"k":"1","k":"2"}}'
    strict = raw.create(_cm_path(ns) + "?fieldValidation=Strict", body)
    assert (strict.status, strict.reason) == (400, "BadRequest")
    assert strict.message == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
                              'duplicate field "metadata.name", duplicate field "data.k"')
    assert raw.snapshot(_cm_path(ns)) == {}
    # Warn (the server's default) reports them and keeps the last value, as Go's decoder does.
    warned = raw.create(_cm_path(ns), body)
    assert warned.status == 201
    assert ", ".join(warned.warnings) == ('299 - "duplicate field \\"metadata.name\\"", '
                                         '299 - "duplicate field \\"data.k\\""')
    stored = raw.get(_cm_path(ns, "b")).json()
    assert stored["data"] == {"k": "2"}
    before = raw.snapshot(_cm_path(ns))
    put = raw.request("PUT", _cm_path(ns, "b") + "?fieldValidation=Strict",
                      b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"},"data":{"k":"3","k":"4"}}')
    assert (put.status, put.message) == (400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict '
                                               'decoding error: duplicate field "data.k"')
    assert raw.snapshot(_cm_path(ns)) == before


def test_stale_resource_version(raw: RawAPI, ns: str) -> None:
    created = raw.create(_cm_path(ns), _configmap("c", a="1")).json()
    stale_rv = created["metadata"]["resourceVersion"]
    assert raw.request("PATCH", _cm_path(ns, "c"), {"data": {"a": "2"}},
                       content_type="application/merge-patch+json").status == 200
    before = raw.snapshot(_cm_path(ns))
    expected = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": CONFLICT.format(name="c"), "reason": "Conflict",
                "details": {"name": "c", "kind": "configmaps"}, "code": 409}
    put = raw.request("PUT", _cm_path(ns, "c"), {**created, "data": {"a": "3"}})
    assert (put.status, put.json()) == (409, expected)
    patch = raw.request("PATCH", _cm_path(ns, "c"), {"metadata": {"resourceVersion": stale_rv}, "data": {"a": "4"}},
                        content_type="application/merge-patch+json")
    assert (patch.status, patch.json()) == (409, expected)
    delete = raw.request("DELETE", _cm_path(ns, "c"), {"preconditions": {"resourceVersion": stale_rv}})
    assert delete.status == 409 and delete.reason == "Conflict"
    assert raw.snapshot(_cm_path(ns)) == before


def test_oversized_bodies(raw: RawAPI, ns: str) -> None:
    assert raw.create(_cm_path(ns), _configmap("c", a="1")).status == 201
    before = raw.snapshot(_cm_path(ns))
    big = json.dumps(_configmap("big", a="x" * LIMIT)).encode()
    expected = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": f"Request entity too large: limit is {LIMIT}", "reason": "RequestEntityTooLarge",
                "code": 413}
    for method, path, ctype in (("POST", _cm_path(ns), "application/json"),
                                ("PUT", _cm_path(ns, "c"), "application/json"),
                                ("PATCH", _cm_path(ns, "c"), "application/merge-patch+json")):
        reply = raw.request(method, path, big, content_type=ctype)
        assert (reply.status, reply.json()) == (413, expected), method
    # Chunked, with no Content-Length to refuse it by: the limit holds while reading.
    chunked = raw.request("POST", _cm_path(ns), big, chunked=True)
    assert (chunked.status, chunked.json()) == (413, expected)
    assert raw.snapshot(_cm_path(ns)) == before


@pytest.mark.parametrize("token", [None, "wrong", ""], ids=["missing", "wrong", "empty"])
def test_missing_or_wrong_token(raw: RawAPI, ns: str, token: str | None) -> None:
    expected = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "Unauthorized",
                "reason": "Unauthorized", "code": 401}
    for method, path, body in (("GET", _cm_path(ns), None), ("POST", _cm_path(ns), _configmap("c")),
                               ("DELETE", f"/api/v1/namespaces/{ns}", None), ("GET", "/metrics", None),
                               ("GET", "/nothing", None)):
        reply = raw.request(method, path, body, token=token)
        assert (reply.status, reply.json()) == (401, expected), (method, path)
    basic = raw.request("GET", _cm_path(ns), token=None, headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert basic.status == 401
    assert raw.snapshot(_cm_path(ns)) == {}
    assert raw.get(f"/api/v1/namespaces/{ns}").json()["status"]["phase"] == "Active"


def test_namespace_that_does_not_exist_raw(raw: RawAPI) -> None:
    missing = "missing-" + uuid.uuid4().hex[:8]
    reply = raw.create(_cm_path(missing), _configmap("c"))
    assert (reply.status, reply.json()) == (404, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'namespaces "{missing}" not found', "reason": "NotFound",
        "details": {"name": missing, "kind": "namespaces"}, "code": 404})
    assert raw.get(f"/api/v1/namespaces/{missing}").status == 404
    assert raw.snapshot(_cm_path(missing)) == {}


@pytest.mark.parametrize("path", [
    "/nothing", "/api/v2/pods", "/api/v1/nothing", "/apis/nope", "/apis/nope/v1/things",
    "/apis/apps/v1/namespaces/default/nothing", "/api/v1/namespaces/default/configmaps/c/nothing",
    "/api/v1/pods/some-pod",
])
def test_path_that_does_not_exist_raw(raw: RawAPI, path: str) -> None:
    before = raw.snapshot(_cm_path("default")), raw.snapshot(_sts_path("default"))
    for method in ("GET", "POST", "PUT", "DELETE"):
        reply = raw.request(method, path, _configmap("c") if method in ("POST", "PUT") else None)
        assert (reply.status, reply.json()) == (404, {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": NOT_FOUND,
            "reason": "NotFound", "code": 404}), (method, path)
    assert (raw.snapshot(_cm_path("default")), raw.snapshot(_sts_path("default"))) == before


@pytest.mark.parametrize("ctype", ["application/json", "text/plain", "application/yaml",
                                   "application/apply-patch+cbor"])
def test_unsupported_patch_content_type(raw: RawAPI, ns: str, ctype: str) -> None:
    assert raw.create(_cm_path(ns), _configmap("c", a="1")).status == 201
    before = raw.snapshot(_cm_path(ns))
    reply = raw.request("PATCH", _cm_path(ns, "c"), {"data": {"a": "2"}}, content_type=ctype)
    assert (reply.status, reply.reason) == (415, "UnsupportedMediaType")
    assert reply.message == ("the body of the request was in an unknown format - accepted media types include: "
                             "application/json-patch+json, application/merge-patch+json, "
                             "application/apply-patch+yaml, application/strategic-merge-patch+json")
    assert raw.snapshot(_cm_path(ns)) == before
