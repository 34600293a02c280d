"""Raw HTTPS requests to a petset server, with the kubeconfig's CA and token: no client library
in between, so a test sees exactly the status, headers and body the server sent."""

from __future__ import annotations

import http.client
import json
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = ["RawAPI", "Reply"]

#: Use the token from the kubeconfig (the default for ``token=``).
KUBECONFIG_TOKEN = object()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    #: Every Warning header, in order (there may be several).
    warnings: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def message(self) -> str:
        return str(self.json().get("message", ""))

    @property
    def reason(self) -> str:
        return str(self.json().get("reason", ""))


class RawAPI:
    def __init__(self, url: str, token: str, context: ssl.SSLContext) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 443
        self.token = token
        self.context = context

    def request(self, method: str, path: str, body: Any = None, *, content_type: str | None = "application/json",
                token: Any = KUBECONFIG_TOKEN, headers: dict[str, str] | None = None,
                chunked: bool = False, timeout: float = 30) -> Reply:
        """One request on its own connection; a dict or list body is sent as JSON, bytes as they are
        (``chunked``: in 64 KiB chunks, with no Content-Length)."""
        data = body if isinstance(body, bytes | None) else json.dumps(body).encode()
        sent = dict(headers or {})
        if data is not None and content_type is not None:
            sent["Content-Type"] = content_type
        if token is KUBECONFIG_TOKEN:
            token = self.token
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=timeout)
        try:
            if chunked and data is not None:
                pieces = (data[i:i + 65536] for i in range(0, len(data), 65536))
                conn.request(method, path, body=pieces, headers=sent, encode_chunked=True)
            else:
                conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            payload = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, payload,
                         response.headers.get_all("Warning") or [])
        finally:
            conn.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def create(self, path: str, obj: Any, **kwargs: Any) -> Reply:
        return self.request("POST", path, obj, **kwargs)

    def snapshot(self, path: str) -> dict[str, tuple[str, str]]:
        """name -> (uid, resourceVersion) of every object a list path returns: what 'unchanged' compares."""
        reply = self.get(path)
        assert reply.status == 200, reply.body
        return {item["metadata"]["name"]: (item["metadata"]["uid"], item["metadata"]["resourceVersion"])
                for item in reply.json()["items"]}

    def settled(self, path: str, *, quiet: float = 0.2, checks: int = 2, timeout: float = 10.0) -> dict[str, Any]:
        """The object at ``path`` once its resourceVersion has stopped moving (``checks`` quiet periods).

        Controllers may still be writing status just after a create; a test that checks a refused
        write left the object alone compares against this settled version.
        """
        deadline = time.monotonic() + timeout
        reply = self.get(path)
        assert reply.status == 200, reply.body
        obj: dict[str, Any] = reply.json()
        unchanged = 0
        while unchanged < checks and time.monotonic() < deadline:
            time.sleep(quiet)
            again = self.get(path).json()
            same = again["metadata"]["resourceVersion"] == obj["metadata"]["resourceVersion"]
            unchanged = unchanged + 1 if same else 0
            obj = again
        return obj
