"""StatefulSet and ControllerRevision validation: every rule of STATEFULSET-SPEC.md section 2, plus the
improvements petset documents (section 9: pain points 2, 8, 9, 10)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from petset.api.errors import invalid
from petset.api.validation import validate_create, validate_status_update, validate_update
from tests.unit.api.test_validation_objects import container, messages, statefulset

JSON = dict[str, Any]

DNS_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
               "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
               "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
FORBIDDEN_UPDATE = ("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                    "'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' "
                    "and 'minReadySeconds' are forbidden")


def create_errors(obj: JSON) -> list[str]:
    return messages(validate_create("apps", "StatefulSet", obj))


def spec_with(**changes: Any) -> JSON:
    return statefulset(**changes)


def stored(obj: JSON) -> JSON:
    """The object as the store holds it after a create."""
    obj = copy.deepcopy(obj)
    obj["metadata"].update(uid="6f1c0d3a-0000-4000-8000-000000000001", resourceVersion="42", generation=1,
                           creationTimestamp="2024-05-01T10:00:00Z")
    obj["status"] = {"replicas": 0, "availableReplicas": 0}
    return obj


def updated(old: JSON, change: Any) -> JSON:
    new = copy.deepcopy(old)
    change(new)
    return new


def update_errors(old: JSON, change: Any) -> list[str]:
    return messages(validate_update("apps", "StatefulSet", updated(old, change), old))


# --- 2.1 create: metadata ---------------------------------------------------------------------------

def test_the_books_statefulset_is_valid() -> None:
    assert create_errors(statefulset()) == []


@pytest.mark.parametrize("name", ["Kubia", "kubia.v1", "kubia_pets"])
def test_name_must_be_a_dns_label(name: str) -> None:
    assert create_errors(statefulset(name)) == [f'metadata.name: Invalid value: "{name}": {DNS_LABEL}']


def test_name_is_required_unless_generated() -> None:
    obj = statefulset()
    obj["metadata"]["name"] = ""
    assert create_errors(obj) == ["metadata.name: Required value: name or generateName is required"]


def test_names_longer_than_52_characters_are_rejected() -> None:
    # petset: the controller-revision-hash label (<name>-<10-char hash>) must fit in 63 characters.
    assert create_errors(statefulset("a" * 52)) == []
    name = "a" * 53
    assert create_errors(statefulset(name)) == [
        f'metadata.name: Invalid value: "{name}": must be no more than 52 characters']
    name = "a" * 64
    assert create_errors(statefulset(name)) == [
        f'metadata.name: Invalid value: "{name}": must be no more than 52 characters']


def test_generate_name_is_checked_as_a_prefix() -> None:
    obj = statefulset("web-x7k2p")
    obj["metadata"]["generateName"] = "web-"
    assert create_errors(obj) == []
    obj["metadata"]["generateName"] = "Web-"
    assert create_errors(obj) == [f'metadata.generateName: Invalid value: "Web-": {DNS_LABEL}']


def test_namespace_is_required() -> None:
    obj = statefulset()
    del obj["metadata"]["namespace"]
    assert create_errors(obj) == ["metadata.namespace: Required value"]


# --- 2.1 create: spec -------------------------------------------------------------------------------

def test_pod_management_policy_is_required() -> None:
    assert create_errors(spec_with(podManagementPolicy="")) == ["spec.podManagementPolicy: Required value"]


def test_pod_management_policy_values() -> None:
    assert create_errors(spec_with(podManagementPolicy="Burst")) == [
        "spec.podManagementPolicy: Invalid value: \"Burst\": must be 'OrderedReady' or 'Parallel'"]
    assert create_errors(spec_with(podManagementPolicy="Parallel")) == []


def test_update_strategy_type_is_required() -> None:
    obj = statefulset()
    obj["spec"]["updateStrategy"] = {}
    assert create_errors(obj) == ["spec.updateStrategy: Required value"]


def test_unknown_update_strategy_type() -> None:
    assert create_errors(spec_with(updateStrategy={"type": "Canary"})) == [
        'spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Canary", '
        "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'"]


def test_on_delete_may_not_carry_a_rolling_update_block() -> None:
    assert create_errors(spec_with(updateStrategy={"type": "OnDelete"})) == []
    assert create_errors(spec_with(updateStrategy={"type": "OnDelete", "rollingUpdate": {"partition": 2}})) == [
        "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:2, "
        "MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'"]


def test_rolling_update_without_a_block_is_valid() -> None:
    assert create_errors(spec_with(updateStrategy={"type": "RollingUpdate"})) == []


def test_partition_must_not_be_negative() -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": -1}}
    assert create_errors(spec_with(updateStrategy=strategy)) == [
        "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"]


@pytest.mark.parametrize(("value", "expected"), [
    (2, []),
    ("50%", []),
    (0, ["Invalid value: 0: cannot be 0"]),
    ("0%", ["Invalid value: 0%: cannot be 0"]),
    (-1, ["Invalid value: -1: must be greater than or equal to 0"]),
    ("150%", ["Invalid value: 150%: must not be greater than 100%"]),
    ("half", ["Invalid value: half: a valid percent string must be a numeric string followed by an ending '%' "
              "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
              "Invalid value: half: cannot be 0"]),
])
def test_max_unavailable(value: Any, expected: list[str]) -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": value}}
    prefix = "spec.updateStrategy.rollingUpdate.maxUnavailable: "
    assert create_errors(spec_with(updateStrategy=strategy)) == [prefix + e for e in expected]


@pytest.mark.parametrize("member", ["whenDeleted", "whenScaled"])
def test_claim_retention_policy_values(member: str) -> None:
    policy = {"whenDeleted": "Retain", "whenScaled": "Delete", member: "Keep"}
    assert create_errors(spec_with(persistentVolumeClaimRetentionPolicy=policy)) == [
        f'spec.persistentVolumeClaimRetentionPolicy.{member}: Unsupported value: "Keep": supported values: '
        '"Retain", "Delete"']


@pytest.mark.parametrize(("field", "value", "path"), [
    ("replicas", -1, "spec.replicas"),
    ("minReadySeconds", -5, "spec.minReadySeconds"),
    ("ordinals", {"start": -1}, "spec.ordinals.start"),
])
def test_counts_must_not_be_negative(field: str, value: Any, path: str) -> None:
    shown = value["start"] if isinstance(value, dict) else value
    assert create_errors(spec_with(**{field: value})) == [
        f"{path}: Invalid value: {shown}: must be greater than or equal to 0"]


def test_start_ordinal_and_zero_replicas_are_valid() -> None:
    assert create_errors(spec_with(ordinals={"start": 5}, replicas=0)) == []


def test_negative_revision_history_limit_is_rejected() -> None:
    # petset (upstream v1.33): v1.32 accepted it and the controller could crash on it.
    assert create_errors(spec_with(revisionHistoryLimit=-1)) == [
        "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"]
    assert create_errors(spec_with(revisionHistoryLimit=0)) == []


def test_selector_is_required() -> None:
    obj = statefulset()
    del obj["spec"]["selector"]
    assert create_errors(obj) == [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: '
        "`selector` does not match template `labels`"]


def test_empty_selector_is_invalid() -> None:
    assert create_errors(spec_with(selector={})) == [
        "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},"
        "MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for statefulset"]


def test_selector_must_match_the_template_labels() -> None:
    assert create_errors(spec_with(selector={"matchLabels": {"app": "kubia-pets"}})) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: '
        "`selector` does not match template `labels`"]


def test_a_template_without_labels_shows_a_nil_map() -> None:
    obj = statefulset()
    del obj["spec"]["template"]["metadata"]["labels"]
    assert create_errors(obj) == [
        "spec.template.metadata.labels: Invalid value: map[string]string(nil): "
        "`selector` does not match template `labels`"]


def test_set_based_selectors_match_too() -> None:
    selector = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["kubia", "quiz"]}]}
    assert create_errors(spec_with(selector=selector)) == []


def test_selector_label_values_are_checked_strictly() -> None:
    selector = {"matchLabels": {"app": "kubia pets"}}
    assert create_errors(spec_with(selector=selector)) == [
        f'spec.selector.matchLabels: Invalid value: "kubia pets": {LABEL_VALUE}',
        "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{app: kubia pets,},"
        "MatchExpressions:[]LabelSelectorRequirement{},}"]


def test_unparsable_selector_is_reported_without_detail() -> None:
    selector = {"matchExpressions": [{"key": "app", "operator": "Matches", "values": ["kubia"]}]}
    assert create_errors(spec_with(selector=selector)) == [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Matches": not a valid selector operator',
        "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:"
        "[]LabelSelectorRequirement{LabelSelectorRequirement{Key:app,Operator:Matches,Values:[kubia],},},}"]


def test_selector_requirement_rules() -> None:
    selector = {"matchLabels": {"app": "kubia"},
                "matchExpressions": [{"key": "tier", "operator": "In"},
                                     {"key": "tier", "operator": "Exists", "values": ["x"]}]}
    errors = create_errors(spec_with(selector=selector))
    assert errors[:2] == [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or "
        "'NotIn'",
        "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' "
        "or 'DoesNotExist'"]
    assert errors[2].startswith("spec.selector: Invalid value: &LabelSelector{")


def test_template_labels_and_annotations_are_validated() -> None:
    obj = statefulset()
    meta = obj["spec"]["template"]["metadata"]
    meta["labels"]["version"] = "-1"
    meta["annotations"] = {"bad key!": "x"}
    assert create_errors(obj) == [
        f'spec.template.labels: Invalid value: "-1": {LABEL_VALUE}',
        'spec.template.annotations: Invalid value: "bad key!": name part must consist of alphanumeric characters, '
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
        "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]


def test_pod_specific_annotations_are_checked() -> None:
    obj = statefulset()
    obj["spec"]["template"]["metadata"]["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": "high"}
    assert create_errors(obj) == [
        'spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "high": '
        "must be a 32bit integer"]


def test_restart_policy_must_be_always() -> None:
    obj = statefulset()
    obj["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert create_errors(obj) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']


def test_active_deadline_seconds_is_forbidden() -> None:
    obj = statefulset()
    obj["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 300
    assert create_errors(obj) == [
        "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported"]


def test_several_errors_make_one_status_message() -> None:
    obj = statefulset("Kubia", replicas=-1)
    errors = validate_create("apps", "StatefulSet", obj)
    status = invalid("StatefulSet", "apps", "Kubia", errors)
    assert status.code == 422
    assert status.reason == "Invalid"
    assert status.message == (
        f'StatefulSet.apps "Kubia" is invalid: [metadata.name: Invalid value: "Kubia": {DNS_LABEL}, '
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0]")


def test_one_error_is_printed_as_is() -> None:
    errors = validate_create("apps", "StatefulSet", spec_with(podManagementPolicy="Burst"))
    assert invalid("StatefulSet", "apps", "kubia", errors).message == (
        "StatefulSet.apps \"kubia\" is invalid: spec.podManagementPolicy: Invalid value: \"Burst\": "
        "must be 'OrderedReady' or 'Parallel'")


# --- petset: the pod template and the claim templates are validated at create ---------------------------

def test_pod_template_is_validated_as_a_pod_spec() -> None:
    obj = statefulset()
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    assert create_errors(obj) == ["spec.template.spec.containers[0].image: Required value"]


def test_template_needs_containers() -> None:
    obj = statefulset()
    obj["spec"]["template"]["spec"]["containers"] = []
    assert create_errors(obj) == ["spec.template.spec.containers: Required value"]


def test_a_mount_may_name_a_claim_template() -> None:
    # "data" is no pod volume: the controller adds it from volumeClaimTemplates.
    assert statefulset()["spec"]["template"]["spec"].get("volumes") is None
    assert create_errors(statefulset()) == []


def test_a_mount_of_an_unknown_volume_is_not_found() -> None:
    obj = statefulset()
    obj["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["name"] = "logs"
    assert create_errors(obj) == ['spec.template.spec.containers[0].volumeMounts[0].name: Not found: "logs"']


def test_claim_templates_are_validated_as_claims() -> None:
    obj = statefulset()
    claim = obj["spec"]["volumeClaimTemplates"][0]["spec"]
    del claim["accessModes"]
    claim["resources"]["requests"]["storage"] = "0"
    assert create_errors(obj) == [
        "spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required",
        'spec.volumeClaimTemplates[0].spec.resources[storage]: Invalid value: "0": must be greater than zero']


def test_claim_template_names_are_required_unique_labels() -> None:
    obj = statefulset()
    templates = obj["spec"]["volumeClaimTemplates"]
    templates.append(copy.deepcopy(templates[0]))
    templates.append(copy.deepcopy(templates[0]))
    templates[2]["metadata"]["name"] = ""
    assert create_errors(obj) == [
        'spec.volumeClaimTemplates[1].metadata.name: Duplicate value: "data"',
        "spec.volumeClaimTemplates[2].metadata.name: Required value"]


def test_service_name_must_be_a_dns_label() -> None:
    # petset (upstream v1.33): it becomes every pod's spec.subdomain.
    assert create_errors(spec_with(serviceName="Kubia")) == [
        f'spec.serviceName: Invalid value: "Kubia": {DNS_LABEL}']
    assert create_errors(spec_with(serviceName="")) == []


def test_two_containers_and_a_template_volume_named_like_a_claim() -> None:
    # The second edition's quiz set: the claim template replaces the template volume of the same name.
    obj = statefulset(name="quiz")
    pod_spec = obj["spec"]["template"]["spec"]
    pod_spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    pod_spec["containers"].append(container("mongo", "mongo:7", terminationMessagePolicy="File",
                                            imagePullPolicy="IfNotPresent"))
    assert create_errors(obj) == []


# --- 2.2 update ---------------------------------------------------------------------------------------

@pytest.fixture
def old() -> JSON:
    return stored(statefulset())


def test_unchanged_update_is_valid(old: JSON) -> None:
    assert update_errors(old, lambda new: None) == []


@pytest.mark.parametrize(("field", "value"), [
    ("replicas", 5),
    ("minReadySeconds", 10),
    ("ordinals", {"start": 1}),
    ("updateStrategy", {"type": "OnDelete"}),
    ("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Delete", "whenScaled": "Retain"}),
    ("revisionHistoryLimit", 3),
])
def test_mutable_spec_fields(old: JSON, field: str, value: Any) -> None:
    assert update_errors(old, lambda new: new["spec"].__setitem__(field, value)) == []


def test_the_template_may_change(old: JSON) -> None:
    def change(new: JSON) -> None:
        new["spec"]["template"]["spec"]["containers"][0]["image"] = "luksa/kubia-pet:v2"
    assert update_errors(old, change) == []


@pytest.mark.parametrize(("field", "value"), [
    ("serviceName", "kubia-pets"),
    ("podManagementPolicy", "Parallel"),
    ("selector", {"matchLabels": {"app": "kubia"}, "matchExpressions": [{"key": "app", "operator": "Exists"}]}),
])
def test_immutable_spec_fields(old: JSON, field: str, value: Any) -> None:
    assert update_errors(old, lambda new: new["spec"].__setitem__(field, value)) == [FORBIDDEN_UPDATE]


def test_claim_templates_may_not_change_shape(old: JSON) -> None:
    def change(new: JSON) -> None:
        new["spec"]["volumeClaimTemplates"][0]["spec"]["accessModes"] = ["ReadWriteMany"]
    assert update_errors(old, change) == [FORBIDDEN_UPDATE]

    def add(new: JSON) -> None:
        extra = copy.deepcopy(new["spec"]["volumeClaimTemplates"][0])
        extra["metadata"]["name"] = "logs"
        new["spec"]["volumeClaimTemplates"].append(extra)
    assert update_errors(old, add) == [FORBIDDEN_UPDATE]


def test_claim_template_storage_may_grow(old: JSON) -> None:
    # petset (pain point 2): growing a claim template is allowed; existing claims are expanded separately.
    def grow(new: JSON) -> None:
        new["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = "1Gi"
    assert update_errors(old, grow) == []


def test_claim_template_storage_may_not_shrink(old: JSON) -> None:
    def shrink(new: JSON) -> None:
        new["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = "512Ki"
    assert update_errors(old, shrink) == [
        "spec.volumeClaimTemplates[0].spec.resources.requests.storage: Forbidden: field can not be less than "
        "previous value"]


def test_equal_quantities_are_no_change(old: JSON) -> None:
    def respell(new: JSON) -> None:
        new["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = "1024Ki"
    assert update_errors(old, respell) == []


def test_the_spec_is_revalidated_on_update(old: JSON) -> None:
    assert update_errors(old, lambda new: new["spec"].__setitem__("replicas", -1)) == [
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0"]


def test_the_name_is_not_revalidated_on_update() -> None:
    # Names used to be DNS subdomains; such sets must stay updatable (e.g. to drop a finalizer).
    old = stored(statefulset())
    old["metadata"]["name"] = "kubia.v1"
    assert update_errors(old, lambda new: new["spec"].__setitem__("replicas", 3)) == []


def test_metadata_update_rules_apply(old: JSON) -> None:
    assert update_errors(old, lambda new: new["metadata"].__setitem__("namespace", "other")) == [
        'metadata.namespace: Invalid value: "other": field is immutable']
    assert update_errors(old, lambda new: new["metadata"].__setitem__("resourceVersion", "")) == [
        'metadata.resourceVersion: Invalid value: "": must be specified for an update']


def test_update_message_through_errors_invalid(old: JSON) -> None:
    new = updated(old, lambda n: n["spec"].__setitem__("serviceName", "other"))
    status = invalid("StatefulSet", "apps", "kubia", validate_update("apps", "StatefulSet", new, old))
    assert status.message == f'StatefulSet.apps "kubia" is invalid: {FORBIDDEN_UPDATE}'


# --- 2.3 status update --------------------------------------------------------------------------------

def status_errors(old: JSON, status: JSON) -> list[str]:
    new = copy.deepcopy(old)
    new["status"] = status
    return messages(validate_status_update("apps", "StatefulSet", new, old))


def test_a_sane_status_is_valid(old: JSON) -> None:
    assert status_errors(old, {"replicas": 2, "readyReplicas": 2, "currentReplicas": 2, "updatedReplicas": 2,
                               "availableReplicas": 1, "observedGeneration": 1, "collisionCount": 0,
                               "currentRevision": "kubia-7b4f8d", "updateRevision": "kubia-7b4f8d"}) == []


@pytest.mark.parametrize("field", ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                                   "availableReplicas", "observedGeneration", "collisionCount"])
def test_status_counters_are_not_negative(old: JSON, field: str) -> None:
    status = {"replicas": 0, field: -1}
    errors = status_errors(old, status)
    assert errors[0] == f"status.{field}: Invalid value: -1: must be greater than or equal to 0"


def test_ready_and_available_bounds(old: JSON) -> None:
    assert status_errors(old, {"replicas": 1, "readyReplicas": 2}) == [
        "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas"]
    assert status_errors(old, {"replicas": 1, "currentReplicas": 2}) == [
        "status.currentReplicas: Invalid value: 2: cannot be greater than status.replicas"]
    assert status_errors(old, {"replicas": 1, "updatedReplicas": 2}) == [
        "status.updatedReplicas: Invalid value: 2: cannot be greater than status.replicas"]
    assert status_errors(old, {"replicas": 3, "readyReplicas": 1, "availableReplicas": 2}) == [
        "status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas"]
    assert status_errors(old, {"replicas": 1, "readyReplicas": 1, "availableReplicas": 2}) == [
        "status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas",
        "status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas"]


def test_collision_count_may_not_decrease(old: JSON) -> None:
    old["status"]["collisionCount"] = 2
    assert status_errors(old, {"replicas": 0, "collisionCount": 1}) == [
        "status.collisionCount: Invalid value: 1: cannot be decremented"]
    assert status_errors(old, {"replicas": 0}) == ["status.collisionCount: Invalid value: 0: cannot be decremented"]
    assert status_errors(old, {"replicas": 0, "collisionCount": 3}) == []


# --- 2.4 ControllerRevision ---------------------------------------------------------------------------

def revision(name: str = "kubia-7b4f8d5c9", number: int = 1, data: Any = None) -> JSON:
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": name, "namespace": "default",
                         "labels": {"app": "kubia", "controller.kubernetes.io/hash": "7b4f8d5c9"}},
            "data": {"spec": {"template": {"$patch": "replace"}}} if data is None else data,
            "revision": number}


def test_controller_revision_create() -> None:
    assert messages(validate_create("apps", "ControllerRevision", revision())) == []
    bad = revision(name="Kubia_1", number=-1)
    del bad["data"]
    assert messages(validate_create("apps", "ControllerRevision", bad)) == [
        'metadata.name: Invalid value: "Kubia_1": a lowercase RFC 1123 subdomain must consist of lower case '
        "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
        "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
        "[a-z0-9])?)*')",
        "data: Required value: data is mandatory",
        "revision: Invalid value: -1: must be greater than or equal to 0"]


def test_controller_revision_update_allows_renumbering_only() -> None:
    old = stored(revision())
    renumbered = copy.deepcopy(old)
    renumbered["revision"] = 3
    assert messages(validate_update("apps", "ControllerRevision", renumbered, old)) == []
    changed = copy.deepcopy(old)
    changed["data"] = {"spec": {}}
    assert messages(validate_update("apps", "ControllerRevision", changed, old)) == [
        'data: Invalid value: {"spec":{}}: field is immutable']
