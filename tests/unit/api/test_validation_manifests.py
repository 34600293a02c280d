"""The shared example manifests (the book's chapter 10, the kubernetes.io tutorials, the second edition's
chapter 16) validate with no errors once defaulted, as they do on a v1.32 API server."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from petset.api.validation import validate_create
from tests.unit.api.test_validation_objects import apply_defaults, messages

JSON = dict[str, Any]

EXAMPLES = Path(__file__).resolve().parents[4] / "shared" / "examples"
CHAPTER10 = EXAMPLES / "kubernetes-in-action" / "Chapter10"
MANIFEST_DIRS = [CHAPTER10, CHAPTER10 / "first-commit-d28a237", EXAMPLES / "kubernetes-docs",
                 EXAMPLES / "kubernetes-docs" / "later-variants",
                 EXAMPLES / "kubernetes-in-action-2nd-edition" / "Chapter16"]


def _group(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def _v1beta1_to_v1(obj: JSON) -> JSON:
    """What the lead's conversion does for apps/v1beta1 sets: the selector defaults to the template labels."""
    obj = copy.deepcopy(obj)
    obj["apiVersion"] = "apps/v1"
    spec = obj["spec"]
    spec.setdefault("selector", {"matchLabels": dict(spec["template"]["metadata"]["labels"])})
    # v1beta1 defaulted the update strategy to OnDelete.
    spec.setdefault("updateStrategy", {"type": "OnDelete"})
    return obj


def _documents() -> list[tuple[str, JSON]]:
    found: list[tuple[str, JSON]] = []
    for directory in MANIFEST_DIRS:
        for path in sorted(directory.glob("*.yaml")):
            for i, doc in enumerate(yaml.safe_load_all(path.read_text())):
                if not doc:
                    continue
                items = doc["items"] if doc.get("kind") == "List" else [doc]
                for j, item in enumerate(items):
                    label = f"{directory.name}/{path.name}#{i}.{j}:{item['kind']}/{item['metadata']['name']}"
                    found.append((label, item))
    return found


DOCUMENTS = _documents()


def test_the_examples_are_all_found() -> None:
    labels = [label for label, _ in DOCUMENTS]
    assert "Chapter10/kubia-statefulset.yaml#0.0:StatefulSet/kubia" in labels
    assert "Chapter10/persistent-volumes-hostpath.yaml#0.2:PersistentVolume/pv-c" in labels
    assert len(labels) > 40


@pytest.mark.parametrize(("label", "manifest"), DOCUMENTS, ids=[label for label, _ in DOCUMENTS])
def test_manifest_is_valid_once_defaulted(label: str, manifest: JSON) -> None:
    if manifest["apiVersion"] == "apps/v1beta1":
        manifest = _v1beta1_to_v1(manifest)
    obj = apply_defaults(manifest)
    assert messages(validate_create(_group(obj["apiVersion"]), obj["kind"], obj)) == []


def test_the_books_statefulset_with_a_typo_fails_like_upstream() -> None:
    manifest = yaml.safe_load((CHAPTER10 / "kubia-statefulset.yaml").read_text())
    manifest["spec"]["selector"]["matchLabels"]["app"] = "kubia-pet"
    obj = apply_defaults(manifest)
    assert messages(validate_create("apps", "StatefulSet", obj)) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: '
        "`selector` does not match template `labels`"]
