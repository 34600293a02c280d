"""The official Python client (kubernetes) against a real `petset up`."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from tests.support.server import PetsetProcess


@pytest.fixture
def api(petset: PetsetProcess) -> Iterator[client.ApiClient]:
    api_client = config.new_client_from_config(str(petset.kubeconfig))
    yield api_client
    api_client.close()


@pytest.fixture
def ns(api: client.ApiClient) -> Iterator[str]:
    name = "py-" + uuid.uuid4().hex[:8]
    core = client.CoreV1Api(api)
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


def _statefulset(name: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"serviceName": name, "replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "luksa/kubia-pet"}]}}}}


def test_crud_and_scale_subresource(api: client.ApiClient, ns: str) -> None:
    apps = client.AppsV1Api(api)
    created = apps.create_namespaced_stateful_set(ns, _statefulset("pysts"))
    assert isinstance(created, client.V1StatefulSet)
    assert created.spec.update_strategy.rolling_update.partition == 0
    assert created.status.replicas == 0
    read = apps.read_namespaced_stateful_set("pysts", ns)
    assert read.metadata.uid == created.metadata.uid
    listed = apps.list_namespaced_stateful_set(ns)
    assert [s.metadata.name for s in listed.items] == ["pysts"]
    scale = apps.patch_namespaced_stateful_set_scale("pysts", ns, {"spec": {"replicas": 3}})
    assert isinstance(scale, client.V1Scale) and scale.spec.replicas == 3
    assert scale.status.selector == "app=pysts"
    assert apps.read_namespaced_stateful_set("pysts", ns).spec.replicas == 3
    patched = apps.patch_namespaced_stateful_set("pysts", ns, {"metadata": {"labels": {"x": "y"}}})
    assert patched.metadata.labels == {"x": "y"}
    patched = apps.patch_namespaced_stateful_set(
        "pysts", ns, [{"op": "replace", "path": "/spec/replicas", "value": 2}])
    assert patched.spec.replicas == 2
    # The controller writes the status meanwhile: a replace is read-modify-write, retried on 409.
    for attempt in range(10):
        read = apps.read_namespaced_stateful_set("pysts", ns)
        read.spec.replicas = 5
        try:
            replaced = apps.replace_namespaced_stateful_set("pysts", ns, read)
            break
        except ApiException as e:
            assert e.status == 409 and attempt < 9
    assert replaced.spec.replicas == 5
    # A PUT based on an old resourceVersion is refused with 409.
    stale = apps.read_namespaced_stateful_set("pysts", ns)
    stale.metadata.resource_version = created.metadata.resource_version
    with pytest.raises(ApiException) as exc:
        apps.replace_namespaced_stateful_set("pysts", ns, stale)
    assert exc.value.status == 409
    apps.delete_namespaced_stateful_set("pysts", ns, propagation_policy="Foreground")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            apps.read_namespaced_stateful_set("pysts", ns)
        except ApiException as e:
            assert e.status == 404
            break
        time.sleep(0.1)
    else:
        pytest.fail("the statefulset was not deleted")


def test_not_found_is_an_api_exception(api: client.ApiClient, ns: str) -> None:
    with pytest.raises(ApiException) as exc:
        client.CoreV1Api(api).read_namespaced_pod("nope", ns)
    assert exc.value.status == 404
    assert '"reason":"NotFound"' in exc.value.body.replace(" ", "")


def test_watch_stream_replays_then_follows(api: client.ApiClient, ns: str) -> None:
    core = client.CoreV1Api(api)
    core.create_namespaced_config_map(ns, {"metadata": {"name": "before", "labels": {"app": "w"}}})

    def later() -> None:
        time.sleep(0.5)
        core.create_namespaced_config_map(ns, {"metadata": {"name": "after", "labels": {"app": "w"}}})
        core.delete_namespaced_config_map("after", ns)

    thread = threading.Thread(target=later)
    thread.start()
    seen = []
    for event in watch.Watch().stream(core.list_namespaced_config_map, ns, label_selector="app=w",
                                      timeout_seconds=3):
        seen.append((event["type"], event["object"].metadata.name))
        assert isinstance(event["object"], client.V1ConfigMap)
        if len(seen) == 3:
            break
    thread.join()
    assert seen == [("ADDED", "before"), ("ADDED", "after"), ("DELETED", "after")]
