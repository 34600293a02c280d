"""One pod's worker: level-triggered, it brings the pod's containers to what the API asks for.

Each sync compares the pod object with what runs: it prepares volumes, creates the sandbox, runs init
containers in order, starts and restarts containers (with CrashLoopBackOff), runs probes, and writes
the pod's status when it changed. A deleted pod is stopped gracefully (preStop hooks, the stop signal,
SIGKILL after the grace period), its sandbox removed, and its deletion confirmed to the API server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from petset.api.errors import StatusError
from petset.images import catalog
from petset.kubelet import probes
from petset.kubelet.env import EnvError, container_env, expand
from petset.kubelet.logs import ContainerLog
from petset.kubelet.runtime.base import ContainerConfig, Mount, RunningContainer, RuntimeError_, Sandbox
from petset.kubelet.status import ContainerView, now, pod_phase, pod_status
from petset.kubelet.volumes import PreparedVolume, VolumeError, prepare_volumes, remove_pod_volumes

if TYPE_CHECKING:
    from petset.kubelet.agent import Kubelet

__all__ = ["PodWorker"]

Obj = dict[str, Any]
log = logging.getLogger(__name__)

#: Container restart back-off: 10 s doubling to 5 minutes, reset after 10 minutes of good running.
BACKOFF_START = 10.0
BACKOFF_MAX = 300.0
BACKOFF_RESET = 600.0


@dataclass
class Container:
    spec: Obj
    view: ContainerView
    init: bool = False
    running: RunningContainer | None = None
    log: ContainerLog | None = None
    started_at: float = 0.0
    backoff: float = 0.0
    next_start: float = 0.0
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    probe_task: asyncio.Task[Any] | None = None
    config: ContainerConfig | None = None
    #: The process exited; the worker has not handled it yet.
    exited: bool = False
    stopping: bool = False

    @property
    def name(self) -> str:
        return str(self.spec.get("name"))


def _stamp(moment: float | None = None) -> str:
    return datetime.fromtimestamp(moment if moment is not None else time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signal(name: str | None) -> int:
    try:
        return int(getattr(signal, name or "SIGTERM"))
    except (AttributeError, TypeError, ValueError):
        return signal.SIGTERM


class PodWorker:
    def __init__(self, kubelet: Kubelet, pod: Obj) -> None:
        self.kubelet = kubelet
        self.uid: str = pod["metadata"]["uid"]
        self.pod: Obj | None = pod
        self.changed = asyncio.Event()
        self.sandbox: Sandbox | None = None
        self.volumes: dict[str, PreparedVolume] = {}
        self.containers: dict[str, Container] = {}
        self.init_containers: list[Container] = []
        self.start_time = now()
        self.reason: str | None = None
        self.message: str | None = None
        self.rejected = False
        self.last_status: Obj | None = None
        self.task: asyncio.Task[None] | None = None
        self.directory = kubelet.pods_dir / self.uid
        self._mount_event_at = 0.0
        self._restored = False

    # interface for the kubelet

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"pod-{self.uid[:8]}")

    def update(self, pod: Obj | None) -> None:
        self.pod = pod
        self.changed.set()

    def container_for(self, name: str) -> Container | None:
        if name in self.containers:
            return self.containers[name]
        return next((c for c in self.init_containers if c.name == name), None)

    async def shutdown(self) -> None:
        """petset stops: end the containers without touching the API (the pod object stays)."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self._kill_all(grace=1.0, record=False)
        # The pod stays: its emptyDir and other volumes wait for the next start, as on a node reboot.
        await self._remove_sandbox(keep_volumes=True)

    # the loop

    async def _run(self) -> None:
        try:
            while True:
                if self.kubelet.dark:
                    # Cut off: the containers run on, but nothing reaches or leaves the node.
                    self.changed.clear()
                    await self.changed.wait()
                    continue
                pod = self.pod
                if pod is None:
                    await self._kill_all(grace=2.0, record=True)
                    await self._remove_sandbox()
                    break
                if pod["metadata"].get("deletionTimestamp"):
                    await self._terminate(pod)
                    break
                self.changed.clear()
                wait = await self._sync(pod)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), wait)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("pod worker %s failed", self.uid)
        finally:
            self.kubelet.worker_done(self)

    async def _sync(self, pod: Obj) -> float:
        """One reconciliation; returns how long until the next one is needed at the latest."""
        if not self._restored:
            self._restore_counts(pod)
        if self.rejected:
            return 30.0
        refusal = self.kubelet.admit(pod, self)
        if refusal is not None:
            self.rejected = True
            self.reason, self.message = refusal
            await self._write_status(pod, phase="Failed")
            return 30.0
        spec = pod.get("spec") or {}
        self._align_specs(spec)
        wait = 5.0
        if self.sandbox is None:
            try:
                self.volumes = await asyncio.to_thread(prepare_volumes, pod, self.kubelet.sources, self.directory,
                                                       self.kubelet.data_dir)
            except (VolumeError, OSError) as exc:
                self._mount_failed(pod, str(exc))
                await self._write_status(pod)
                return 1.0
            try:
                self.sandbox = await self.kubelet.runtime.create_sandbox(pod, self.directory)
            except RuntimeError_ as exc:
                self.kubelet.recorder.event(pod, "Warning", exc.reason, exc.message)
                await self._write_status(pod)
                return 2.0
        else:
            # configMap, secret and downwardAPI files follow their sources while the pod runs.
            with contextlib.suppress(VolumeError, OSError):
                self.volumes = await asyncio.to_thread(prepare_volumes, pod, self.kubelet.sources, self.directory,
                                                       self.kubelet.data_dir)
        restart_policy = spec.get("restartPolicy", "Always")
        loop_now = time.monotonic()
        init_done = True
        for container in self.init_containers:
            self._handle_exit(pod, container, "OnFailure" if restart_policy == "Always" else restart_policy)
            if container.view.finished and container.view.exit_code == 0:
                continue
            init_done = False
            if container.view.finished:
                break  # failed for good (restartPolicy Never): the pod fails
            if container.running is None:
                if loop_now >= container.next_start:
                    await self._start(pod, container)
                else:
                    wait = min(wait, container.next_start - loop_now)
            break
        if init_done:
            for container in self.containers.values():
                self._handle_exit(pod, container, restart_policy)
                if container.running is None and not container.view.finished:
                    if loop_now >= container.next_start:
                        await self._start(pod, container)
                    else:
                        wait = min(wait, container.next_start - loop_now)
        await self._write_status(pod)
        return max(wait, 0.01)

    def _restore_counts(self, pod: Obj) -> None:
        """After a restart of petset, containers that ran before count as restarted, as after a reboot."""
        self._restored = True
        status = pod.get("status") or {}
        self.start_time = status.get("startTime") or self.start_time
        for entry in status.get("containerStatuses") or []:
            view = self._view_for(pod, entry.get("name", ""), False)
            if view is not None and (entry.get("state", {}).get("running") or entry.get("restartCount")):
                view.restart_count = int(entry.get("restartCount", 0)) + 1

    def _view_for(self, pod: Obj, name: str, init: bool) -> ContainerView | None:
        self._align_specs(pod.get("spec") or {})
        found = self.container_for(name)
        return found.view if found is not None else None

    def _align_specs(self, spec: Obj) -> None:
        for c in spec.get("containers") or []:
            existing = self.containers.get(c.get("name", ""))
            if existing is None:
                self.containers[c["name"]] = Container(c, ContainerView(c["name"], c.get("image", "")))
            else:
                if existing.spec.get("image") != c.get("image") and existing.running is not None:
                    # An image change (the only container change a pod update may make) restarts it.
                    existing.stopping = True
                    asyncio.get_running_loop().create_task(self._stop(existing, 30.0, "Container definition changed"))
                existing.spec = c
                existing.view.image = c.get("image", "")
        if not self.init_containers:
            self.init_containers = [Container(c, ContainerView(c["name"], c.get("image", ""), init=True), init=True)
                                    for c in spec.get("initContainers") or []]

    def _mount_failed(self, pod: Obj, message: str) -> None:
        if time.monotonic() - self._mount_event_at > 10:
            self._mount_event_at = time.monotonic()
            self.kubelet.recorder.event(pod, "Warning", "FailedMount", f"MountVolume.SetUp failed: {message}")
        for container in self.containers.values():
            container.view.state = {"waiting": {"reason": "ContainerCreating"}}

    # containers

    async def _start(self, pod: Obj, container: Container) -> None:
        assert self.sandbox is not None
        spec = container.spec
        image = spec.get("image", "")
        resolved = catalog.resolve(image, spec.get("command"), spec.get("args"), user_catalog=self.kubelet.user_catalog)
        if isinstance(resolved, catalog.ImageError):
            back_off = container.view.state.get("waiting", {}).get("reason") in ("ErrImagePull", "ImagePullBackOff")
            reason = "ImagePullBackOff" if back_off else "ErrImagePull"
            message = f'Back-off pulling image "{image}"' if back_off else resolved.message
            container.view.state = {"waiting": {"reason": reason if resolved.reason == "ErrImagePull"
                                                else resolved.reason, "message": message}}
            self.kubelet.recorder.event(pod, "Warning", "Failed", resolved.message)
            self._back_off(container)
            return
        try:
            env = container_env(pod, spec, self.kubelet.sources, pod_ip=self.sandbox.ip, host_ip=self.kubelet.host_ip,
                                image_env=resolved.env)
        except EnvError as exc:
            container.view.state = {"waiting": {"reason": "CreateContainerConfigError", "message": str(exc)}}
            self.kubelet.recorder.event(pod, "Warning", "Failed", f"Error: {exc}")
            self._back_off(container)
            return
        mounts, by_path = self._mounts(spec)
        if getattr(self.kubelet.runtime, "shares_host_network", False) and resolved.builtin:
            overrides = catalog.unprivileged_env(resolved, pod_name=self.sandbox.hostname, pod_ip=self.sandbox.ip,
                                                 mounts=by_path, dns_server=self.kubelet.dns_address)
            if getattr(self.kubelet.runtime, "isolates_filesystem", False):
                # Mounts and hostname are real in the container: only the shared network needs telling.
                overrides = {k: v for k, v in overrides.items() if k in (
                    "POD_IP", "PETSET_LISTEN_ON_POD_IP", "PETSET_DNS_SERVER")}
            env.update(overrides)
        argv = [expand(a, env) for a in resolved.argv]
        config = ContainerConfig(name=container.name, argv=argv, env=env,
                                 working_dir=spec.get("workingDir") or resolved.working_dir or None, mounts=mounts,
                                 stop_signal=_signal(resolved.stop_signal))
        self.kubelet.recorder.event(pod, "Normal", "Pulled", f'Container image "{image}" already present on machine')
        try:
            running = await self.kubelet.runtime.start_container(self.sandbox, config)
        except RuntimeError_ as exc:
            container.view.state = {"waiting": {"reason": "RunContainerError", "message": exc.message}}
            self.kubelet.recorder.event(pod, "Warning", "Failed", f"Error: {exc.message}")
            self._back_off(container)
            return
        container.running = running
        container.exited = False
        container.stopping = False
        container.started_at = time.monotonic()
        container.view.container_id = f"petset://{uuid.uuid4().hex}"
        container.view.image_id = f"petset://{resolved.name}"
        container.view.state = {"running": {"startedAt": _stamp()}}
        container.view.started = not spec.get("startupProbe")
        container.view.ready = False
        container.config = config
        log_path = self.directory / "logs" / container.name / f"{container.view.restart_count}.log"
        container.log = ContainerLog(log_path)
        self.kubelet.recorder.event(pod, "Normal", "Created", f"Created container {container.name}")
        self.kubelet.recorder.event(pod, "Normal", "Started", f"Started container {container.name}")
        container.tasks = [
            asyncio.create_task(container.log.pump(running.stdout, "stdout")),
            asyncio.create_task(container.log.pump(running.stderr, "stderr")),
            asyncio.create_task(self._wait_exit(container)),
        ]
        if not container.init:
            container.probe_task = asyncio.create_task(self._probe_all(pod, container))
            post_start = (spec.get("lifecycle") or {}).get("postStart")
            if post_start:
                container.tasks.append(asyncio.create_task(self._hook(pod, container, post_start, "PostStart")))
        if not spec.get("readinessProbe") and not spec.get("startupProbe") and not container.init:
            container.view.ready = True

    def _mounts(self, spec: Obj) -> tuple[list[Mount], dict[str, str]]:
        mounts: list[Mount] = []
        by_path: dict[str, str] = {}
        for mount in spec.get("volumeMounts") or []:
            prepared = self.volumes.get(mount.get("name", ""))
            if prepared is None:
                continue
            host = prepared.host_path
            sub = mount.get("subPath")
            if sub:
                host = os.path.join(host, sub)
                os.makedirs(host, exist_ok=True)
            path = mount.get("mountPath", "")
            mounts.append(Mount(host, path, bool(mount.get("readOnly")) or prepared.read_only))
            by_path[path] = host
        return mounts, by_path

    def _back_off(self, container: Container) -> None:
        container.backoff = BACKOFF_START if container.backoff == 0 else min(container.backoff * 2, BACKOFF_MAX)
        container.next_start = time.monotonic() + container.backoff

    async def _wait_exit(self, container: Container) -> None:
        assert container.running is not None
        code = await container.running.wait()
        finished = time.time()
        terminated: Obj = {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                           "startedAt": container.view.state.get("running", {}).get("startedAt"),
                           "finishedAt": _stamp(finished), "containerID": container.view.container_id}
        if container.stopping and code in (137, 143):
            terminated["reason"] = "Error" if code else "Completed"
        if container.log is not None and code != 0 and container.log.last_line:
            terminated["message"] = container.log.last_line
        container.view.state = {"terminated": terminated}
        container.view.ready = False
        container.exited = True
        self.changed.set()

    def _handle_exit(self, pod: Obj, container: Container, restart_policy: str) -> None:
        """Decide what an exited container does next, per restartPolicy, with back-off."""
        if not container.exited:
            return
        container.exited = False
        if container.probe_task is not None and container.probe_task is not asyncio.current_task():
            container.probe_task.cancel()
        container.probe_task = None
        container.running = None
        code = container.view.exit_code
        restart = restart_policy == "Always" or (restart_policy == "OnFailure" and code != 0)
        if not restart:
            container.view.finished = True
            return
        if time.monotonic() - container.started_at > BACKOFF_RESET:
            container.backoff = 0.0
        container.view.last_state = {"terminated": container.view.state.get("terminated", {})}
        container.view.restart_count += 1
        if code == 0 and container.init:
            container.view.finished = True
            return
        self._back_off(container)
        message = (f"back-off {container.backoff:.0f}s restarting failed container={container.name} "
                   f"pod={pod['metadata']['name']}_{pod['metadata'].get('namespace')}({self.uid})")
        container.view.state = {"waiting": {"reason": "CrashLoopBackOff", "message": message}}
        self.kubelet.recorder.event(pod, "Warning", "BackOff", f"Back-off restarting failed container "
                                    f"{container.name} in pod {pod['metadata']['name']}_"
                                    f"{pod['metadata'].get('namespace')}({self.uid})")

    # probes and hooks

    def _exec_argv(self, container: Container) -> Any:
        def argv(command: list[str]) -> list[str]:
            assert self.sandbox is not None and container.running is not None
            env = container.config.env if container.config is not None else {}
            return self.kubelet.runtime.exec_argv(self.sandbox, container.running, command, env)

        return argv

    async def _probe_all(self, pod: Obj, container: Container) -> None:
        spec = container.spec
        startup = spec.get("startupProbe")
        if startup:
            if not await self._probe_loop(pod, container, "Startup", startup):
                return
            container.view.started = True
            self.changed.set()
        loops = []
        if spec.get("livenessProbe"):
            loops.append(self._probe_loop(pod, container, "Liveness", spec["livenessProbe"]))
        if spec.get("readinessProbe"):
            loops.append(self._probe_loop(pod, container, "Readiness", spec["readinessProbe"]))
        elif startup:
            container.view.ready = True
            self.changed.set()
        if loops:
            await asyncio.gather(*loops)

    async def _probe_loop(self, pod: Obj, container: Container, kind: str, probe: Obj) -> bool:
        """Probe until the container stops; a Startup loop returns True once it succeeded."""
        assert self.sandbox is not None
        running = container.running
        period = max(int(probe.get("periodSeconds", 10)), 1)
        timeout = max(int(probe.get("timeoutSeconds", 1)), 1)
        success_needed = max(int(probe.get("successThreshold", 1)), 1)
        failure_needed = max(int(probe.get("failureThreshold", 3)), 1)
        await asyncio.sleep(int(probe.get("initialDelaySeconds", 0)))
        successes = failures = 0
        host = self.kubelet.runtime.reachable_address(self.sandbox)
        while container.running is running and running is not None and running.running:
            ok, why = await probes.run_handler(probe, container.spec, host=host, timeout=timeout,
                                               exec_argv=self._exec_argv(container), session=self.kubelet.http)
            if container.running is not running:
                return False
            if ok:
                successes, failures = successes + 1, 0
                if kind == "Startup":
                    return True
                if kind == "Readiness" and successes >= success_needed and not container.view.ready:
                    container.view.ready = True
                    self.changed.set()
            else:
                successes, failures = 0, failures + 1
                if failures == 1 or failures >= failure_needed:
                    self.kubelet.recorder.event(pod, "Warning", "Unhealthy", f"{kind} probe failed: {why}")
                if kind == "Readiness" and container.view.ready:
                    container.view.ready = False
                    self.changed.set()
                if kind in ("Liveness", "Startup") and failures >= failure_needed:
                    self.kubelet.recorder.event(pod, "Normal", "Killing",
                                                f"Container {container.name} failed {kind.lower()} probe, will be "
                                                "restarted")
                    grace = float((pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30))
                    await self._stop(container, grace, None)
                    return False
            await asyncio.sleep(period)
        return False

    async def _hook(self, pod: Obj, container: Container, handler: Obj, name: str) -> None:
        assert self.sandbox is not None
        ok, why = await probes.run_handler(handler, container.spec,
                                           host=self.kubelet.runtime.reachable_address(self.sandbox), timeout=30,
                                           exec_argv=self._exec_argv(container), session=self.kubelet.http)
        if not ok:
            self.kubelet.recorder.event(pod, "Warning", f"Failed{name}Hook", f"{name} hook failed: {why}")

    # stopping

    async def _stop(self, container: Container, grace: float, reason: str | None,
                    pod: Obj | None = None) -> None:
        running = container.running
        if running is None or not running.running:
            return
        container.stopping = True
        deadline = time.monotonic() + grace
        pre_stop = (container.spec.get("lifecycle") or {}).get("preStop")
        if pre_stop and pod is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hook(pod, container, pre_stop, "PreStop"), max(grace, 0.1))
        config = container.config
        stop_signal = config.stop_signal if config is not None else signal.SIGTERM
        # The program is PID 1 of its PID namespace, where a signal it has no handler for yet (it may
        # still be starting) is dropped: the stop signal is repeated until the grace period ends.
        while True:
            running.send_signal(stop_signal)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(asyncio.shield(running.wait()), min(remaining, 1.0))
                return
            except TimeoutError:
                continue
        running.send_signal(signal.SIGKILL)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(running.wait(), 5)

    async def _kill_all(self, *, grace: float, record: bool, pod: Obj | None = None) -> None:
        everything = [c for c in [*self.init_containers, *self.containers.values()] if c.running is not None]
        if record and pod is not None:
            for container in everything:
                self.kubelet.recorder.event(pod, "Normal", "Killing", f"Stopping container {container.name}")
        await asyncio.gather(*(self._stop(c, grace, None, pod) for c in everything))
        for container in everything:
            if container.probe_task is not None and container.probe_task is not asyncio.current_task():
                container.probe_task.cancel()
            # The log pumps end on their own once the pipes close; wait for them so no line is lost.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*container.tasks, return_exceptions=True), 2)

    async def _remove_sandbox(self, *, keep_volumes: bool = False) -> None:
        if self.sandbox is not None:
            with contextlib.suppress(Exception):
                await self.kubelet.runtime.remove_sandbox(self.sandbox)
            self.sandbox = None
        if not keep_volumes:
            await asyncio.to_thread(remove_pod_volumes, self.directory)

    async def _terminate(self, pod: Obj) -> None:
        meta = pod["metadata"]
        grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
        await self._kill_all(grace=float(grace), record=True, pod=pod)
        await self._remove_sandbox()
        for container in self.containers.values():
            if "terminated" not in container.view.state:
                container.view.state = {"terminated": {"exitCode": 137, "reason": "Error", "finishedAt": now()}}
            container.view.ready = False
        shutil.rmtree(self.directory, ignore_errors=True)
        try:
            await self.kubelet.client.delete(self.kubelet.pods_rt, meta.get("namespace"), meta["name"],
                                             grace_period_seconds=0, preconditions={"uid": self.uid})
        except StatusError as exc:
            if exc.code not in (404, 409):
                log.warning("confirming the deletion of %s failed: %s", meta["name"], exc)

    # status

    async def _write_status(self, pod: Obj, phase: str | None = None) -> None:
        spec = pod.get("spec") or {}
        init_views = [c.view for c in self.init_containers]
        views = [self.containers[c["name"]].view for c in spec.get("containers") or [] if c.get("name") in
                 self.containers]
        sandbox_ready = self.sandbox is not None
        phase = phase or pod_phase(spec.get("restartPolicy", "Always"), init_views, views, sandbox_ready)
        status = pod_status(pod, phase=phase, host_ip=self.kubelet.host_ip,
                            pod_ip=self.sandbox.ip if self.sandbox else None, start_time=self.start_time,
                            init=init_views, containers=views, sandbox_ready=sandbox_ready,
                            reason=self.reason, message=self.message)
        stored = pod.get("status") or {}
        if status == self.last_status and all(
                stored.get(k) == v if v is not None else k not in stored for k, v in status.items()):
            return
        try:
            await self.kubelet.client.patch(self.kubelet.pods_rt, pod["metadata"].get("namespace"),
                                            pod["metadata"]["name"], {"status": status}, patch_type="merge",
                                            subresource="status")
            self.last_status = status
        except StatusError as exc:
            if exc.code != 404:
                log.debug("status of %s not written: %s", pod["metadata"]["name"], exc)
