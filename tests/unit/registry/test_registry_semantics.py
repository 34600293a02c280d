"""The generic registry through the LocalClient: the Kubernetes semantics every resource shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from petset.api.errors import StatusError
from tests.support.inproc import PODS, STATEFULSETS, control_plane


def _pod(name: str, **spec: object) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "x"}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}], **spec}}


async def test_create_sets_server_fields_and_defaults(tmp_path: Path) -> None:
    async with control_plane(tmp_path) as client:
        pod = await client.create(PODS, "default", _pod("a"))
        meta = pod["metadata"]
        assert meta["namespace"] == "default" and len(meta["uid"]) == 36
        assert meta["creationTimestamp"].endswith("Z") and int(meta["resourceVersion"]) > 0
        assert pod["status"]["phase"] == "Pending"
        assert pod["spec"]["restartPolicy"] == "Always"
        with pytest.raises(StatusError) as exc:
            await client.create(PODS, "default", _pod("a"))
        assert exc.value.code == 409 and exc.value.reason == "AlreadyExists"


async def test_generate_name_and_missing_namespace(tmp_path: Path) -> None:
    async with control_plane(tmp_path) as client:
        body = _pod("")
        body["metadata"] = {"generateName": "web-"}
        pod = await client.create(PODS, "default", body)
        assert pod["metadata"]["name"].startswith("web-") and len(pod["metadata"]["name"]) == 9
        with pytest.raises(StatusError) as exc:
            await client.create(PODS, "nowhere", _pod("b"))
        assert exc.value.code == 404 and exc.value.message == 'namespaces "nowhere" not found'


async def test_stale_update_conflicts_and_noop_keeps_version(tmp_path: Path) -> None:
    async with control_plane(tmp_path) as client:
        pod = await client.create(PODS, "default", _pod("a"))
        same = await client.update(PODS, "default", pod)
        assert same["metadata"]["resourceVersion"] == pod["metadata"]["resourceVersion"]
        pod["metadata"]["labels"]["v"] = "2"
        newer = await client.update(PODS, "default", pod)
        assert newer["metadata"]["resourceVersion"] != pod["metadata"]["resourceVersion"]
        pod["metadata"]["labels"]["v"] = "3"
        with pytest.raises(StatusError) as exc:
            await client.update(PODS, "default", pod)
        assert exc.value.code == 409
        assert "the object has been modified" in exc.value.message


async def test_generation_follows_spec_and_status_is_separate(tmp_path: Path) -> None:
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
           "spec": {"serviceName": "s", "selector": {"matchLabels": {"app": "s"}},
                    "template": {"metadata": {"labels": {"app": "s"}},
                                 "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    async with control_plane(tmp_path) as client:
        created = await client.create(STATEFULSETS, "default", sts)
        assert created["metadata"]["generation"] == 1
        created["metadata"]["labels"] = {"a": "b"}
        relabelled = await client.update(STATEFULSETS, "default", created)
        assert relabelled["metadata"]["generation"] == 1
        relabelled["spec"]["replicas"] = 3
        relabelled["status"] = {"replicas": 7}
        scaled = await client.update(STATEFULSETS, "default", relabelled)
        assert scaled["metadata"]["generation"] == 2 and scaled["status"]["replicas"] == 0
        scaled["status"] = {"replicas": 2, "observedGeneration": 2, "availableReplicas": 0}
        scaled["spec"]["replicas"] = 9
        status = await client.update(STATEFULSETS, "default", scaled, subresource="status")
        assert status["status"]["replicas"] == 2 and status["spec"]["replicas"] == 3


async def test_graceful_pod_deletion_waits_for_the_node(tmp_path: Path) -> None:
    async with control_plane(tmp_path) as client:
        await client.create(PODS, "default", _pod("bound", nodeName="node-1"))
        first = await client.delete(PODS, "default", "bound")
        assert first["metadata"]["deletionGracePeriodSeconds"] == 30
        assert (await client.get(PODS, "default", "bound"))["metadata"]["deletionTimestamp"]
        await client.delete(PODS, "default", "bound", grace_period_seconds=0)
        with pytest.raises(StatusError):
            await client.get(PODS, "default", "bound")
        await client.create(PODS, "default", _pod("unbound"))
        await client.delete(PODS, "default", "unbound")
        with pytest.raises(StatusError):
            await client.get(PODS, "default", "unbound")


async def test_finalizers_hold_deletion_until_removed(tmp_path: Path) -> None:
    async with control_plane(tmp_path) as client:
        body = _pod("held")
        body["metadata"]["finalizers"] = ["example.com/hold"]
        await client.create(PODS, "default", body)
        await client.delete(PODS, "default", "held")
        held = await client.get(PODS, "default", "held")
        assert held["metadata"]["deletionTimestamp"]
        held["metadata"]["finalizers"].append("example.com/more")
        with pytest.raises(StatusError) as exc:
            await client.update(PODS, "default", held)
        assert exc.value.code == 422
        held = await client.get(PODS, "default", "held")
        held["metadata"]["finalizers"] = []
        await client.update(PODS, "default", held)
        with pytest.raises(StatusError):
            await client.get(PODS, "default", "held")


async def test_watch_from_a_revision_does_not_replay(tmp_path: Path) -> None:
    async with control_plane(tmp_path) as client:
        await client.create(PODS, "default", _pod("old"))
        listed = await client.list(PODS, "default")
        events = []

        async def watch() -> None:
            async for kind, obj in client.watch(PODS, "default", resource_version=listed["metadata"]["resourceVersion"],
                                                timeout_seconds=1):
                events.append((kind, obj["metadata"]["name"]))
                if len(events) == 2:
                    return

        import asyncio

        task = asyncio.create_task(watch())
        await asyncio.sleep(0.05)
        await client.create(PODS, "default", _pod("new"))
        await client.delete(PODS, "default", "new")
        await asyncio.wait_for(task, 3)
        assert events == [("ADDED", "new"), ("DELETED", "new")]


async def test_label_and_field_selectors_and_paging(tmp_path: Path) -> None:
    async with control_plane(tmp_path) as client:
        for i in range(5):
            body = _pod(f"p{i}")
            body["metadata"]["labels"] = {"app": "x", "n": str(i % 2)}
            await client.create(PODS, "default", body)
        odd = await client.list(PODS, "default", label_selector="n=1")
        assert [p["metadata"]["name"] for p in odd["items"]] == ["p1", "p3"]
        named = await client.list(PODS, "default", field_selector="metadata.name=p2")
        assert [p["metadata"]["name"] for p in named["items"]] == ["p2"]
        page = await client.list(PODS, "default", limit=2)
        assert len(page["items"]) == 2 and page["metadata"]["remainingItemCount"] == 3
        rest = await client.list(PODS, "default", continue_token=page["metadata"]["continue"])
        assert [p["metadata"]["name"] for p in rest["items"]] == ["p2", "p3", "p4"]
