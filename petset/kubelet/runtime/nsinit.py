"""The first process of a container: builds its filesystem, then becomes the container's program.

Started by util-linux ``unshare --uts --mount --pid --fork`` inside the pod's network namespace, so
it runs as PID 1 of fresh UTS, mount and PID namespaces. It sets the hostname, lays an overlay over
the host's root (writes land in a per-container tmpfs, as in a container's writable layer), hides
petset's own state, mounts /proc, /dev, /sys and a private /tmp, bind-mounts the pod's volumes and its
/etc/hosts and /etc/resolv.conf, chroots, and execs the program: nothing of this file stays in memory.

The spec (JSON, argv[1]): hostname, root, scratch, hide, mounts [{host, path, readOnly}], files
{"/etc/hosts": host path, ...}, layers, argv, env, workingDir.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import sys
from typing import Any

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

def _load_libc() -> ctypes.CDLL:
    # ctypes.util is slow to import (subprocess, shutil...); every container start pays for this file.
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        from ctypes import util

        return ctypes.CDLL(util.find_library("c"), use_errno=True)


_libc = _load_libc()


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    result = _libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                         ctypes.c_ulong(flags), data.encode() if data else None)
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _sethostname(name: str) -> None:
    raw = name.encode()
    if _libc.sethostname(raw, len(raw)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"sethostname: {os.strerror(err)}")


def _inside(root: str, path: str) -> str:
    return os.path.join(root, path.lstrip("/"))


def _ensure(target: str, *, file: bool) -> None:
    if os.path.lexists(target):
        return
    if file:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a"):
            pass
    else:
        os.makedirs(target, exist_ok=True)


def _bind(source: str, target: str, read_only: bool) -> None:
    _ensure(target, file=not os.path.isdir(source))
    _mount(source, target, None, MS_BIND | MS_REC)
    if read_only:
        _mount(source, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY)


#: Host directories a root built from bind mounts shows (read-only); the rest starts empty.
_SYSTEM_DIRS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "opt", "srv")


def _bind_root(root: str, scratch: str) -> None:
    base = os.path.join(scratch, "root")
    os.makedirs(base)
    _mount(base, root, None, MS_BIND)
    for name in os.listdir("/"):
        source = os.path.join("/", name)
        target = os.path.join(root, name)
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        elif not os.path.isdir(source):
            continue
        elif name in _SYSTEM_DIRS:
            os.makedirs(target)
            # An overlay per system directory (allowed in a user namespace, unlike one over /) lets
            # the container write there, e.g. create a mount point like /etc/app, without touching
            # the host; where even that is refused, a read-only bind.
            upper, work = os.path.join(scratch, f"upper-{name}"), os.path.join(scratch, f"work-{name}")
            os.makedirs(upper)
            os.makedirs(work)
            try:
                _mount("overlay", target, "overlay", 0, f"lowerdir={source},upperdir={upper},workdir={work}")
            except OSError:
                _mount(source, target, None, MS_BIND | MS_REC)
                # A locked mount keeps its flags: it then stays as the host has it.
                with contextlib.suppress(OSError):
                    _mount(source, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
        else:
            os.makedirs(target)


def build(spec: dict[str, Any]) -> None:
    root = spec["root"]
    scratch = spec["scratch"]
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _sethostname(spec["hostname"])
    os.makedirs(scratch, exist_ok=True)
    _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=256m")
    upper, work = os.path.join(scratch, "upper"), os.path.join(scratch, "work")
    os.makedirs(upper)
    os.makedirs(work)
    os.makedirs(root, exist_ok=True)
    lower = ":".join([*spec.get("layers", []), "/"])
    try:
        _mount("overlay", root, "overlay", 0, f"lowerdir={lower},upperdir={upper},workdir={work}")
    except OSError:
        # Without real root (a user namespace), an overlay over / is refused: build the root
        # from the host's system directories instead, with empty private ones beside them.
        _bind_root(root, scratch)
    for hidden in spec.get("hide", []):
        target = _inside(root, hidden)
        if os.path.isdir(target):
            _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    _mount("proc", _inside(root, "/proc"), "proc", MS_NOSUID | MS_NODEV)
    _mount("/dev", _inside(root, "/dev"), None, MS_BIND | MS_REC)
    _mount("/sys", _inside(root, "/sys"), None, MS_BIND | MS_REC)
    _mount("sysfs", _inside(root, "/sys"), None, MS_BIND | MS_REMOUNT | MS_RDONLY)
    _mount("tmpfs", _inside(root, "/tmp"), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m")
    for mount in spec.get("mounts", []):
        _bind(mount["host"], _inside(root, mount["path"]), bool(mount.get("readOnly")))
    for path, source in spec.get("files", {}).items():
        _bind(source, _inside(root, path), False)
    os.chroot(root)
    os.chdir(spec.get("workingDir") or "/")


def main() -> None:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    try:
        build(spec)
    except OSError as exc:
        print(f"petset: cannot start the container: {exc}", file=sys.stderr, flush=True)
        os._exit(128)
    argv = spec["argv"]
    env = spec["env"]
    try:
        os.execvpe(argv[0], argv, env)
    except OSError as exc:
        # The kubelet reads this line as the container's failure message.
        print(f'exec: "{argv[0]}": {exc.strerror}', file=sys.stderr, flush=True)
        os._exit(127)


if __name__ == "__main__":
    main()
