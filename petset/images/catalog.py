"""The image catalog: which process a container's image, command and args stand for.

petset pulls no images. An image reference names either a *built-in* image, played by one of petset's
own programs or by the host's shell and coreutils, or an entry of the user's image catalog file. Each
catalog entry describes an image as Docker does: an ENTRYPOINT and a CMD (written ``command`` and
``args``, Kubernetes' words for what replaces them), an ENV, a WORKDIR and a STOPSIGNAL. A container's
own ``command`` and ``args`` then combine with them exactly as in Kubernetes:

* neither: ENTRYPOINT + CMD;  ``command`` only: command (CMD dropped);
* ``args`` only: ENTRYPOINT + args;  both: command + args.  An empty list counts as unset.

Built-in images whose program is ours (kubia, nginx, httpd, pause) recognise their own program in the
resulting argv (``node app.js``, ``nginx -g 'daemon off;'``, ``httpd-foreground``, ``/pause``, past a
``docker-entrypoint.sh`` wrapper) and run ours instead; any other argv (``sh -c ...``) runs from the
host's filesystem, as for busybox, alpine, ubuntu and the like. Resolving is pure: no process is
started, only the user catalog file is read (and cached by modification time).

References are parsed and normalised as the kubelet does (docker/distribution's grammar): a missing
registry is Docker Hub (``nginx`` is ``docker.io/library/nginx``), a missing tag is ``latest``, a digest
may follow, and the old Kubernetes registries (``k8s.gcr.io``, ``gcr.io/google_containers``) are
``registry.k8s.io``. Any tag or digest of a built-in image is that image.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from petset.images import kubia, overrides

__all__ = [
    "USER_CATALOG_ENV",
    "CatalogError",
    "ImageError",
    "ImageProcess",
    "ImageReference",
    "ImageSpec",
    "builtin_images",
    "is_known",
    "load_user_catalog",
    "parse_reference",
    "resolve",
    "unprivileged_env",
]

USER_CATALOG_ENV = "PETSET_IMAGE_CATALOG"
"""The environment variable conventionally naming the user catalog file (the caller reads it)."""

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)


# -- references ------------------------------------------------------------------------------------------

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"((?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    r"(?::([\w][\w.-]{0,127}))?"
    r"(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?")

_DOMAIN_ALIASES = {
    "index.docker.io": "docker.io",
    "registry-1.docker.io": "docker.io",
    "mirror.gcr.io": "docker.io",
    "k8s.gcr.io": "registry.k8s.io",
}
_PATH_ALIASES = (  # (domain, path prefix) -> (domain, path prefix)
    (("gcr.io", "google_containers/"), ("registry.k8s.io", "")),
    (("gcr.io", "google-containers/"), ("registry.k8s.io", "")),
    (("public.ecr.aws", "docker/library/"), ("docker.io", "library/")),
)


@dataclass(frozen=True)
class ImageReference:
    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The canonical repository name: ``docker.io/library/nginx``."""
        return f"{self.domain}/{self.path}"

    @property
    def familiar(self) -> str:
        """The short name people write: ``nginx``, ``luksa/kubia-pet``, ``registry.k8s.io/pause``."""
        if self.domain == "docker.io":
            return self.path.removeprefix("library/")
        return self.name


def parse_reference(image: str) -> ImageReference:
    """Parse and normalise an image reference; ``ValueError`` with the kubelet's wording if invalid."""
    match = _REFERENCE.fullmatch(image)
    if match is None:
        if image and _REFERENCE.fullmatch(image.lower()) is not None:
            raise ValueError(f"invalid reference format: repository name ({image}) must be lowercase")
        raise ValueError("invalid reference format")
    name, tag, digest = match.groups()
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        domain, path = first, rest
    else:
        domain, path = "docker.io", name
    if len(name) > 255:
        raise ValueError("invalid reference format: repository name must not be more than 255 characters")
    domain = _DOMAIN_ALIASES.get(domain, domain)
    for (from_domain, from_prefix), (to_domain, to_prefix) in _PATH_ALIASES:
        if domain == from_domain and path.startswith(from_prefix):
            domain, path = to_domain, to_prefix + path[len(from_prefix):]
    if domain == "docker.io" and "/" not in path:
        path = "library/" + path
    if tag is None and digest is None:
        tag = "latest"
    return ImageReference(domain, path, tag, digest)


# -- what an image is ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Program:
    """One of petset's image programs, and the argv names under which the image runs its own program."""

    module: str
    module_args: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()
    wrappers: frozenset[str] = frozenset()
    path_env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImageSpec:
    """An image as Docker describes it, plus the petset program (if any) that plays its own program."""

    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    working_dir: str = "/"
    stop_signal: str = "SIGTERM"
    program: _Program | None = None


_KUBIA_PATHS = {kubia.DATA_DIR: overrides.DATA_DIR_OVERRIDE}
_KUBIA_PET = ImageSpec(("node", "app.js"), (), program=_Program(
    "petset.images.kubia_pet", names=frozenset({"node", "nodejs"}), path_env=_KUBIA_PATHS))
_KUBIA_PET_PEERS = ImageSpec(("node", "app.js"), (), program=_Program(
    "petset.images.kubia_pet_peers", names=frozenset({"node", "nodejs"}), path_env=_KUBIA_PATHS))
_NGINX = ImageSpec(("/docker-entrypoint.sh",), ("nginx", "-g", "daemon off;"), stop_signal="SIGQUIT",
                program=_Program("petset.images.webserver", ("nginx",), names=frozenset({"nginx", "nginx-debug"}),
                                 wrappers=frozenset({"docker-entrypoint.sh"}),
                                 path_env={"/usr/share/nginx/html": overrides.DOCROOT_OVERRIDE}))
_NGINX_SLIM = ImageSpec((), ("nginx", "-g", "daemon off;"), stop_signal="SIGQUIT", program=_NGINX.program)
_HTTPD = ImageSpec((), ("httpd-foreground",), env={"HTTPD_PREFIX": "/usr/local/apache2"}, stop_signal="SIGWINCH",
                program=_Program("petset.images.webserver", ("httpd",),
                                 names=frozenset({"httpd-foreground", "httpd", "apachectl"}),
                                 path_env={"/usr/local/apache2/htdocs": overrides.DOCROOT_OVERRIDE}))
_PAUSE = ImageSpec(("/pause",), (), program=_Program("petset.images.pause", names=frozenset({"pause"})))


def _shell(*cmd: str) -> ImageSpec:
    return ImageSpec((), cmd)


_BUILTINS: dict[str, ImageSpec] = {
    "docker.io/luksa/kubia-pet": _KUBIA_PET,
    "docker.io/luksa/kubia-pet-peers": _KUBIA_PET_PEERS,
    "docker.io/library/nginx": _NGINX,
    "registry.k8s.io/nginx-slim": _NGINX_SLIM,
    "docker.io/library/httpd": _HTTPD,
    "registry.k8s.io/pause": _PAUSE,
    "registry.k8s.io/pause-amd64": _PAUSE,
    "registry.k8s.io/pause-arm64": _PAUSE,
    "docker.io/library/busybox": _shell("sh"),
    "registry.k8s.io/busybox": _shell("sh"),
    "docker.io/library/alpine": _shell("/bin/sh"),
    "docker.io/library/bash": _shell("bash"),
    "docker.io/library/ubuntu": _shell("/bin/bash"),
    "docker.io/library/debian": _shell("bash"),
    "docker.io/library/centos": _shell("/bin/bash"),
    "docker.io/library/fedora": _shell("/bin/bash"),
    "docker.io/library/rockylinux": _shell("/bin/bash"),
    "docker.io/library/almalinux": _shell("/bin/bash"),
    "docker.io/library/amazonlinux": _shell("/bin/bash"),
}


def builtin_images() -> list[str]:
    """The built-in images' familiar names, for messages and docs."""
    return [parse_reference(name).familiar for name in _BUILTINS]


# -- the user catalog ------------------------------------------------------------------------------------

class CatalogError(ValueError):
    """The user catalog file cannot be read or says something invalid; the message says where and why."""


_ENTRY_KEYS = {"command", "args", "env", "workingDir", "stopSignal", "image"}
_cache: dict[Path, tuple[tuple[int, int], dict[str, ImageSpec]]] = {}


def load_user_catalog(path: Path) -> dict[str, ImageSpec]:
    """Entries of the user catalog, keyed ``<canonical name>``, ``<name>:<tag>`` or ``<name>@<digest>``.

    A missing file is an empty catalog. Cached until the file's modification time or size changes.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise CatalogError(f"image catalog {path}: {e.strerror}") from e
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise CatalogError(f"image catalog {path}: cannot read it: {e}") from e
    entries = _parse_catalog(document, path)
    _cache[path] = (stamp, entries)
    return entries


def _parse_catalog(document: Any, path: Path) -> dict[str, ImageSpec]:
    if document is None:
        return {}
    if not isinstance(document, dict) or set(document) - {"images"}:
        raise CatalogError(f"image catalog {path}: expected a mapping with the single key 'images'")
    images = document.get("images") or {}
    if not isinstance(images, dict):
        raise CatalogError(f"image catalog {path}: 'images' must map image names to entries")
    entries: dict[str, ImageSpec] = {}
    for key, value in images.items():
        where = f"image catalog {path}: images[{key!r}]"
        try:
            ref = parse_reference(str(key))
        except ValueError as e:
            raise CatalogError(f"{where}: {e}") from e
        explicit_tag = ref.tag if (ref.digest is None and _has_tag(str(key))) else None
        suffix = f"@{ref.digest}" if ref.digest else (f":{explicit_tag}" if explicit_tag else "")
        entries[ref.name + suffix] = _parse_entry(value, where)
    return entries


def _has_tag(key: str) -> bool:
    return ":" in key.rpartition("/")[2]


def _strings(value: Any, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise CatalogError(f"{where}.{what}: must be a list of strings")
    return tuple(str(v) for v in value)


def _parse_entry(value: Any, where: str) -> ImageSpec:
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: must be a mapping with keys among {sorted(_ENTRY_KEYS)}")
    if unknown := set(value) - _ENTRY_KEYS:
        raise CatalogError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_ENTRY_KEYS)}")
    base = ImageSpec((), ())
    if "image" in value:
        try:
            base_ref = parse_reference(str(value["image"]))
        except ValueError as e:
            raise CatalogError(f"{where}.image: {e}") from e
        if base_ref.name not in _BUILTINS:
            raise CatalogError(f"{where}.image: {value['image']!r} is not a built-in image; built-in images: "
                               + ", ".join(builtin_images()))
        base = _BUILTINS[base_ref.name]
    elif "command" not in value and "args" not in value:
        raise CatalogError(f"{where}: needs a 'command' (and/or 'args'), or an 'image' to stand for")
    env = value.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(k, str) for k in env):
        raise CatalogError(f"{where}.env: must map variable names to values")
    working_dir = value.get("workingDir", base.working_dir)
    stop_signal = value.get("stopSignal", base.stop_signal)
    if not isinstance(working_dir, str) or not working_dir.startswith("/"):
        raise CatalogError(f"{where}.workingDir: must be an absolute path")
    if not isinstance(stop_signal, str) or not stop_signal.startswith("SIG"):
        raise CatalogError(f"{where}.stopSignal: must be a signal name such as SIGTERM")
    return ImageSpec(
        entrypoint=_strings(value["command"], where, "command") if "command" in value else base.entrypoint,
        cmd=_strings(value["args"], where, "args") if "args" in value else base.cmd,
        env={**base.env, **{k: "" if v is None else str(v) for k, v in env.items()}},
        working_dir=working_dir, stop_signal=stop_signal, program=base.program)


# -- resolving -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageProcess:
    """What to exec for a container. ``argv[0]`` is absolute, or a name to look up in ``PATH`` of the
    container's final environment (``env`` overlaid by the container's own env), as runc does."""

    image: str
    """The reference as the pod spec wrote it."""
    name: str
    """The image's familiar name: ``luksa/kubia-pet``, ``nginx``, ``registry.k8s.io/nginx-slim``."""
    argv: list[str]
    env: dict[str, str]
    """The image's ENV: defaults, each overridden by the container's env of the same name."""
    working_dir: str
    """The image's WORKDIR, used when the container sets no ``workingDir``."""
    builtin: bool
    """True: argv runs one of petset's image programs. False: a program from the host's filesystem."""
    stop_signal: str
    """The image's STOPSIGNAL, sent first on stop (nginx: SIGQUIT, httpd: SIGWINCH, else SIGTERM)."""
    path_env: dict[str, str] = field(default_factory=dict)
    """Paths the program reads or writes, each with the variable that relocates it when no mount can
    be made (unprivileged runtime): ``{"/var/data": "PETSET_DATA_DIR_OVERRIDE"}``."""


@dataclass(frozen=True)
class ImageError:
    """Why an image cannot run. ``reason`` is the container's waiting reason as the kubelet sets it."""

    image: str
    reason: str
    """``InvalidImageName``, ``ErrImagePull`` (not in any catalog), ``CreateContainerError``."""
    message: str


def _lookup(ref: ImageReference, user: Mapping[str, ImageSpec]) -> ImageSpec | None:
    keys = [ref.name + f"@{ref.digest}"] if ref.digest else []
    if ref.tag:
        keys.append(ref.name + f":{ref.tag}")
    keys.append(ref.name)
    for key in keys:
        if key in user:
            return user[key]
    return _BUILTINS.get(ref.name)


def _catalogs(user_catalog: Path | None) -> Mapping[str, ImageSpec]:
    return load_user_catalog(user_catalog) if user_catalog is not None else {}


def is_known(image: str, *, user_catalog: Path | None = None) -> bool:
    """Whether the image is built in or in the user catalog (a bad reference or catalog: False)."""
    try:
        return _lookup(parse_reference(image), _catalogs(user_catalog)) is not None
    except ValueError:
        return False


def _unknown(image: str, ref: ImageReference, user_catalog: Path | None) -> str:
    where = f"the user image catalog {user_catalog}" if user_catalog is not None else \
        "a user image catalog (none is configured)"
    example = f"images: {{{ref.familiar}: {{command: [/path/to/program, --some-flag]}}}}"
    return (f'Failed to pull image "{image}": petset pulls no images, and "{ref.familiar}" is neither a '
            f"built-in image ({', '.join(builtin_images())}) nor in {where}. To run it, map it to a command "
            f"of this machine in that YAML file, e.g. `{example}` (see docs/images.md).")


def resolve(image: str, command: Sequence[str] | None, args: Sequence[str] | None, *,
            user_catalog: Path | None = None) -> ImageProcess | ImageError:
    """The process a container of ``image`` with these ``command``/``args`` runs, or why it cannot."""
    try:
        ref = parse_reference(image)
    except ValueError as e:
        return ImageError(image, "InvalidImageName",
                          f'Failed to apply default image tag "{image}": couldn\'t parse image reference '
                          f'"{image}": {e}')
    try:
        spec = _lookup(ref, _catalogs(user_catalog))
    except CatalogError as e:
        return ImageError(image, "ErrImagePull", f'Failed to pull image "{image}": {e}')
    if spec is None:
        return ImageError(image, "ErrImagePull", _unknown(image, ref, user_catalog))
    argv = list(command) if command else list(spec.entrypoint)
    argv += list(args) if args else ([] if command else list(spec.cmd))
    env = {"PATH": DEFAULT_PATH, **spec.env}
    program = spec.program
    if program is not None:
        if argv and posixpath.basename(argv[0]) in program.wrappers:
            argv = argv[1:]
        if argv and posixpath.basename(argv[0]) in program.names:
            return ImageProcess(
                image, ref.familiar, [sys.executable, "-m", program.module, *program.module_args],
                {**env, "PYTHONPATH": _PACKAGE_ROOT, "PYTHONUNBUFFERED": "1"}, spec.working_dir, True,
                spec.stop_signal, dict(program.path_env))
    if not argv:
        return ImageError(image, "CreateContainerError",
                          f'failed to create container for image "{image}": no command specified')
    return ImageProcess(image, ref.familiar, argv, env, spec.working_dir, False, spec.stop_signal)


def unprivileged_env(process: ImageProcess, *, pod_name: str, pod_ip: str, mounts: Mapping[str, str | Path],
                     dns_server: str | None = None, resolv_conf: Path | None = None) -> dict[str, str]:
    """The overrides a runtime without namespaces gives a pod's process (see
    :mod:`petset.images.overrides`): its hostname, its address to listen on, its DNS server, and for
    each path the program uses, the host directory of the mount covering it. ``mounts`` maps mount
    paths to host directories; map ``/`` to a per-container directory to stand for the image's own
    filesystem. The result goes over ``process.env`` and under the container's own env."""
    env = {overrides.HOSTNAME_OVERRIDE: pod_name, overrides.POD_IP: pod_ip, overrides.LISTEN_ON_POD_IP: "1"}
    if dns_server is not None:
        env[overrides.DNS_SERVER] = dns_server
    if resolv_conf is not None:
        env[overrides.RESOLV_CONF] = str(resolv_conf)
    for path, variable in process.path_env.items():
        covering = [m for m in mounts if path == m or path.startswith(m.rstrip("/") + "/")]
        if covering:
            mount = max(covering, key=len)
            relative = posixpath.relpath(path, mount)
            env[variable] = str(Path(mounts[mount]) / relative) if relative != "." else str(mounts[mount])
    return env
