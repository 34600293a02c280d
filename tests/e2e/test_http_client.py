"""petset's own HTTP client and informers against a real `petset up` (components in other processes)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from petset.api.errors import StatusError
from petset.client.http import HttpClient
from petset.client.informer import Informer
from petset.client.interface import resource
from tests.support.server import PetsetProcess

CONFIGMAPS = resource("v1", "configmaps")
NAMESPACES = resource("v1", "namespaces")


async def test_http_client_crud_and_an_informer(petset: PetsetProcess) -> None:
    client = HttpClient(petset.url, token=petset.token, ssl_context=petset.ssl_context())
    ns = "http-" + uuid.uuid4().hex[:8]
    await client.create(NAMESPACES, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    seen: list[tuple[str, str]] = []
    informer = Informer(client, CONFIGMAPS, namespace=ns)
    informer.add_handlers(on_add=lambda o: seen.append(("add", o["metadata"]["name"])),
                          on_update=lambda _, o: seen.append(("update", o["metadata"]["name"])),
                          on_delete=lambda o: seen.append(("delete", o["metadata"]["name"])))
    try:
        await client.create(CONFIGMAPS, ns, {"apiVersion": "v1", "kind": "ConfigMap",
                                             "metadata": {"name": "before"}, "data": {"a": "1"}})
        informer.start()
        await asyncio.wait_for(informer.wait_synced(), 5)
        created = await client.create(CONFIGMAPS, ns, {"apiVersion": "v1", "kind": "ConfigMap",
                                                       "metadata": {"name": "after"}, "data": {"a": "1"}})
        patched = await client.patch(CONFIGMAPS, ns, "after", {"data": {"a": "2"}}, patch_type="merge")
        assert patched["data"] == {"a": "2"}
        assert int(patched["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
        stale = dict(created, data={"a": "3"})
        with pytest.raises(StatusError) as conflict:
            await client.update(CONFIGMAPS, ns, stale)
        assert conflict.value.code == 409 and conflict.value.reason == "Conflict"
        await client.delete(CONFIGMAPS, ns, "after")
        with pytest.raises(StatusError) as missing:
            await client.get(CONFIGMAPS, ns, "after")
        assert missing.value.code == 404
        for _ in range(100):
            if ("delete", "after") in seen:
                break
            await asyncio.sleep(0.02)
        assert seen == [("add", "before"), ("add", "after"), ("update", "after"), ("delete", "after")]
        assert informer.get(ns, "before") is not None and informer.get(ns, "after") is None
        listed = await client.list(CONFIGMAPS, ns)
        assert [c["metadata"]["name"] for c in listed["items"]] == ["before"]
    finally:
        await informer.stop()
        await client.delete(NAMESPACES, None, ns)
        await client.close()
