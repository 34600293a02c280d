"""The controller-ref manager's decisions: adoption and release of pods (spec §4.2 step 4)."""

from __future__ import annotations

from petset.api import labels
from petset.controllers.statefulset.controller import ADOPT, CLAIM, IGNORE, RELEASE, claim_decision
from tests.unit.controllers.statefulset.fake import statefulset

SELECTOR = labels.from_label_selector({"matchLabels": {"app": "web"}})


def pod(name: str = "web-0", *, app: str = "web", owner: str | None = None, **meta: object) -> dict:
    body: dict = {"metadata": {"name": name, "namespace": "default", "uid": f"pod-{name}", "labels": {"app": app},
                               **meta}}
    if owner is not None:
        body["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                                                "uid": owner, "controller": True}]
    return body


def test_owned_and_wanted_pods_are_claimed() -> None:
    assert claim_decision(statefulset(), SELECTOR, pod(owner="uid-web")) == CLAIM


def test_wanted_orphans_are_adopted() -> None:
    assert claim_decision(statefulset(), SELECTOR, pod()) == ADOPT


def test_orphans_that_do_not_match_or_are_not_named_for_the_set_are_ignored() -> None:
    assert claim_decision(statefulset(), SELECTOR, pod(app="other")) == IGNORE
    assert claim_decision(statefulset(), SELECTOR, pod("db-0")) == IGNORE
    assert claim_decision(statefulset(), SELECTOR, pod("web")) == IGNORE
    assert claim_decision(statefulset(), SELECTOR, pod(deletionTimestamp="2024-01-01T00:00:00Z")) == IGNORE
    assert claim_decision(statefulset(), SELECTOR, pod(namespace="other")) == IGNORE


def test_owned_pods_no_longer_wanted_are_released() -> None:
    assert claim_decision(statefulset(), SELECTOR, pod(app="other", owner="uid-web")) == RELEASE
    assert claim_decision(statefulset(), SELECTOR, pod("other-0", owner="uid-web")) == RELEASE


def test_pods_of_other_controllers_are_ignored() -> None:
    assert claim_decision(statefulset(), SELECTOR, pod(owner="someone-else")) == IGNORE


def test_a_set_being_deleted_neither_adopts_nor_releases_but_keeps_its_pods() -> None:
    deleting = statefulset()
    deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    assert claim_decision(deleting, SELECTOR, pod()) == IGNORE
    assert claim_decision(deleting, SELECTOR, pod(app="other", owner="uid-web")) == IGNORE
    assert claim_decision(deleting, SELECTOR, pod(owner="uid-web")) == CLAIM
