"""Running one probe (exec, httpGet, tcpSocket) or lifecycle hook, as the kubelet's prober does."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

__all__ = ["ProbeResult", "resolve_port", "run_exec", "run_handler"]

Obj = dict[str, Any]
ProbeResult = tuple[bool, str]


def resolve_port(port: Any, container: Obj) -> int | None:
    """A probe's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    if isinstance(port, str):
        if port.isdigit():
            return int(port)
        for declared in container.get("ports") or []:
            if declared.get("name") == port:
                return int(declared.get("containerPort", 0))
    return None


async def run_exec(argv: list[str], timeout: float) -> tuple[int, bytes]:
    process = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, output or b""


async def run_handler(handler: Obj, container: Obj, *, host: str, timeout: float, exec_argv: Any,
                      session: aiohttp.ClientSession | None = None) -> ProbeResult:
    """Run a probe or hook ``handler``; ``exec_argv(command)`` gives the host argv for an exec."""
    try:
        if "exec" in handler:
            command = list((handler["exec"] or {}).get("command") or [])
            code, output = await run_exec(exec_argv(command), timeout)
            if code == 0:
                return True, ""
            text = output.decode(errors="replace").strip()
            return False, f"command {command!r} exited with {code}: {text}" if text else \
                f"command {command!r} exited with {code}"
        if "httpGet" in handler:
            get = handler["httpGet"]
            port = resolve_port(get.get("port"), container)
            scheme = str(get.get("scheme", "HTTP")).lower()
            path = get.get("path", "/") or "/"
            if not path.startswith("/"):
                path = "/" + path
            target = get.get("host") or host
            url = f"{scheme}://{target}:{port}{path}"
            headers = {h.get("name", ""): h.get("value", "") for h in get.get("httpHeaders") or []}
            headers.setdefault("User-Agent", "kube-probe/1.32")
            own = session is None
            client = session or aiohttp.ClientSession()
            try:
                async with client.get(url, headers=headers, ssl=False, allow_redirects=True,
                                      timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                    await response.read()
                    if 200 <= response.status < 400:
                        return True, ""
                    return False, f"HTTP probe failed with statuscode: {response.status}"
            finally:
                if own:
                    await client.close()
        if "tcpSocket" in handler:
            sock = handler["tcpSocket"]
            port = resolve_port(sock.get("port"), container)
            target = sock.get("host") or host
            _, writer = await asyncio.wait_for(asyncio.open_connection(target, port), timeout)
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return True, ""
        if "sleep" in handler:
            await asyncio.sleep(float((handler["sleep"] or {}).get("seconds", 0)))
            return True, ""
    except TimeoutError:
        return False, f"probe timed out after {timeout:g}s"
    except aiohttp.ClientError as exc:
        return False, f'Get "{handler.get("httpGet", {}).get("path", "/")}": {exc}'
    except OSError as exc:
        return False, f"dial tcp {host}: connect: {exc.strerror or exc}"
    return False, "probe has no handler"
