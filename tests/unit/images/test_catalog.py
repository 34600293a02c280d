"""The image catalog: reference parsing, command/args semantics, user catalog files, runtime overrides."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from petset.images import catalog
from petset.images.catalog import ImageError, ImageProcess, parse_reference, resolve

PY = [sys.executable, "-m"]


@pytest.mark.parametrize(("image", "name", "familiar", "tag", "digest"), [
    ("luksa/kubia-pet", "docker.io/luksa/kubia-pet", "luksa/kubia-pet", "latest", None),
    ("docker.io/luksa/kubia-pet:latest", "docker.io/luksa/kubia-pet", "luksa/kubia-pet", "latest", None),
    ("index.docker.io/luksa/kubia-pet-peers:v1", "docker.io/luksa/kubia-pet-peers", "luksa/kubia-pet-peers",
     "v1", None),
    ("nginx:1.25", "docker.io/library/nginx", "nginx", "1.25", None),
    ("docker.io/library/nginx", "docker.io/library/nginx", "nginx", "latest", None),
    ("busybox@sha256:" + "a" * 64, "docker.io/library/busybox", "busybox", None, "sha256:" + "a" * 64),
    ("alpine:3@sha256:" + "b" * 64, "docker.io/library/alpine", "alpine", "3", "sha256:" + "b" * 64),
    ("registry.k8s.io/nginx-slim:0.8", "registry.k8s.io/nginx-slim", "registry.k8s.io/nginx-slim", "0.8", None),
    ("k8s.gcr.io/pause:3.9", "registry.k8s.io/pause", "registry.k8s.io/pause", "3.9", None),
    ("gcr.io/google_containers/busybox", "registry.k8s.io/busybox", "registry.k8s.io/busybox", "latest", None),
    ("localhost:5000/team/app:dev", "localhost:5000/team/app", "localhost:5000/team/app", "dev", None),
    ("quay.io/prometheus/busybox", "quay.io/prometheus/busybox", "quay.io/prometheus/busybox", "latest", None),
    ("public.ecr.aws/docker/library/httpd:2.4", "docker.io/library/httpd", "httpd", "2.4", None),
])
def test_parse_reference(image: str, name: str, familiar: str, tag: str | None, digest: str | None) -> None:
    ref = parse_reference(image)
    assert (ref.name, ref.familiar, ref.tag, ref.digest) == (name, familiar, tag, digest)


@pytest.mark.parametrize(("image", "message"), [
    ("Nginx", "invalid reference format: repository name (Nginx) must be lowercase"),
    ("nginx:", "invalid reference format"),
    ("", "invalid reference format"),
    ("nginx@sha256:abc", "invalid reference format"),
    ("-nginx", "invalid reference format"),
])
def test_invalid_references(image: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse_reference(image)
    error = resolve(image, None, None)
    assert isinstance(error, ImageError) and error.reason == "InvalidImageName"
    assert error.message.startswith(f'Failed to apply default image tag "{image}": couldn\'t parse image')


def ok(result: ImageProcess | ImageError) -> ImageProcess:
    assert isinstance(result, ImageProcess), result
    return result


@pytest.mark.parametrize(("image", "command", "args", "argv", "builtin"), [
    # the book's images, whatever the registry/tag spelling; their own program is ours
    ("luksa/kubia-pet", None, None, [*PY, "petset.images.kubia_pet"], True),
    ("docker.io/luksa/kubia-pet:latest", None, ["--ignored"], [*PY, "petset.images.kubia_pet"], True),
    ("luksa/kubia-pet-peers", ["node", "app.js"], None, [*PY, "petset.images.kubia_pet_peers"], True),
    ("luksa/kubia-pet", ["sh", "-c", "cat /var/data/kubia.txt"], None, ["sh", "-c", "cat /var/data/kubia.txt"],
     False),
    # nginx: ENTRYPOINT /docker-entrypoint.sh, CMD nginx -g 'daemon off;'
    ("nginx", None, None, [*PY, "petset.images.webserver", "nginx"], True),
    ("nginx:1.25", None, ["nginx-debug", "-g", "daemon off;"], [*PY, "petset.images.webserver", "nginx"], True),
    ("nginx", ["nginx", "-g", "daemon off;"], None, [*PY, "petset.images.webserver", "nginx"], True),
    ("nginx", None, ["sh", "-c", "echo hi"], ["sh", "-c", "echo hi"], False),
    ("nginx", ["/bin/sh"], ["-c", "sleep 1"], ["/bin/sh", "-c", "sleep 1"], False),
    ("registry.k8s.io/nginx-slim:0.8", None, None, [*PY, "petset.images.webserver", "nginx"], True),
    ("k8s.gcr.io/nginx-slim:0.8", None, None, [*PY, "petset.images.webserver", "nginx"], True),
    ("httpd:2.4", None, None, [*PY, "petset.images.webserver", "httpd"], True),
    ("httpd", ["httpd-foreground"], [], [*PY, "petset.images.webserver", "httpd"], True),
    ("k8s.gcr.io/pause:3.9", None, None, [*PY, "petset.images.pause"], True),
    ("registry.k8s.io/pause", ["/pause"], None, [*PY, "petset.images.pause"], True),
    # shell images: ENTRYPOINT empty, CMD the shell; commands come from the host
    ("busybox", None, None, ["sh"], False),
    ("busybox", ["sh", "-c", "touch /tmp/ready; sleep infinity"], None,
     ["sh", "-c", "touch /tmp/ready; sleep infinity"], False),
    ("busybox:1.36", None, ["sleep", "infinity"], ["sleep", "infinity"], False),
    ("busybox", ["sleep"], ["3600"], ["sleep", "3600"], False),
    ("busybox", [], [], ["sh"], False),
    ("alpine:3", None, None, ["/bin/sh"], False),
    ("ubuntu:22.04", ["bash", "-c", "true"], None, ["bash", "-c", "true"], False),
    ("debian", None, None, ["bash"], False),
])
def test_command_and_args_semantics(image: str, command: list[str] | None, args: list[str] | None,
                                    argv: list[str], builtin: bool) -> None:
    process = ok(resolve(image, command, args))
    assert (process.argv, process.builtin) == (argv, builtin)
    assert process.image == image
    assert process.env["PATH"] == catalog.DEFAULT_PATH
    if builtin:
        assert Path(process.env["PYTHONPATH"], "petset", "images", "catalog.py").is_file()


def test_image_metadata() -> None:
    pet = ok(resolve("luksa/kubia-pet", None, None))
    assert (pet.name, pet.working_dir, pet.stop_signal) == ("luksa/kubia-pet", "/", "SIGTERM")
    assert pet.path_env == {"/var/data": "PETSET_DATA_DIR_OVERRIDE"}
    nginx = ok(resolve("docker.io/library/nginx:1.25", None, None))
    assert (nginx.name, nginx.stop_signal) == ("nginx", "SIGQUIT")
    assert nginx.path_env == {"/usr/share/nginx/html": "PETSET_DOCROOT_OVERRIDE"}
    httpd = ok(resolve("httpd", None, None))
    assert (httpd.stop_signal, httpd.env["HTTPD_PREFIX"]) == ("SIGWINCH", "/usr/local/apache2")
    assert ok(resolve("k8s.gcr.io/nginx-slim:0.8", None, None)).name == "registry.k8s.io/nginx-slim"
    assert ok(resolve("busybox", None, None)).path_env == {}


def test_unknown_image_says_how_to_add_it(tmp_path: Path) -> None:
    error = resolve("mongo:7", ["mongod", "--bind_ip", "0.0.0.0"], None)
    assert isinstance(error, ImageError) and error.reason == "ErrImagePull"
    assert error.message.startswith('Failed to pull image "mongo:7": petset pulls no images, and "mongo" is '
                                    "neither a built-in image (luksa/kubia-pet, luksa/kubia-pet-peers, nginx")
    assert "nor in a user image catalog (none is configured)" in error.message
    assert "`images: {mongo: {command: [/path/to/program, --some-flag]}}`" in error.message
    assert "docs/images.md" in error.message
    user = tmp_path / "images.yaml"
    error = resolve("myorg/app", None, None, user_catalog=user)
    assert isinstance(error, ImageError) and f"nor in the user image catalog {user}." in error.message
    assert not catalog.is_known("mongo:7") and not catalog.is_known("Bad Name")
    assert catalog.is_known("nginx@sha256:" + "c" * 64) and catalog.is_known("gcr.io/google_containers/pause")


def test_user_catalog(tmp_path: Path) -> None:
    user = tmp_path / "images.yaml"
    user.write_text("""
images:
  myorg/app:
    command: [python3, /opt/app.py]
    args: [--port, 8080]
    env: {APP_MODE: demo, WORKERS: 2}
    workingDir: /opt
  myorg/app:2.0:
    command: [/opt/app2]
  docker.io/myorg/web:
    image: nginx:1.25
    env: {EXTRA: "1"}
  luksa/quiz-api:
    command: [/usr/local/bin/quiz-api]
    stopSignal: SIGINT
  busybox:
    command: [/opt/busybox/bin/sh]
""")
    app = ok(resolve("myorg/app", None, None, user_catalog=user))
    assert app.argv == ["python3", "/opt/app.py", "--port", "8080"] and not app.builtin
    assert (app.env["APP_MODE"], app.env["WORKERS"], app.working_dir) == ("demo", "2", "/opt")
    assert ok(resolve("myorg/app:1.0", None, ["--debug"], user_catalog=user)).argv == \
        ["python3", "/opt/app.py", "--debug"]
    assert ok(resolve("myorg/app:2.0", None, None, user_catalog=user)).argv == ["/opt/app2"]
    assert ok(resolve("docker.io/myorg/app:latest", ["/bin/true"], None, user_catalog=user)).argv == ["/bin/true"]
    web = ok(resolve("myorg/web:3", None, None, user_catalog=user))
    assert (web.argv, web.builtin, web.env["EXTRA"], web.stop_signal) == \
        ([*PY, "petset.images.webserver", "nginx"], True, "1", "SIGQUIT")
    assert ok(resolve("luksa/quiz-api:0.1", None, None, user_catalog=user)).stop_signal == "SIGINT"
    assert ok(resolve("busybox", None, None, user_catalog=user)).argv == ["/opt/busybox/bin/sh"]  # user wins
    assert catalog.is_known("myorg/app:9", user_catalog=user)
    assert ok(resolve("nginx", None, None, user_catalog=tmp_path / "absent.yaml")).builtin

    user.write_text("images:\n  myorg/app:\n    command: [/opt/v3]\n")  # edits are picked up
    os.utime(user, ns=(1, 2))
    assert ok(resolve("myorg/app", None, None, user_catalog=user)).argv == ["/opt/v3"]


@pytest.mark.parametrize(("text", "problem"), [
    ("images: [a]", "'images' must map image names to entries"),
    ("imagez: {}", "expected a mapping with the single key 'images'"),
    ("images:\n  Bad: {command: [x]}", "images['Bad']: invalid reference format"),
    ("images:\n  a: {cmd: [x]}", "images['a']: unknown key(s) ['cmd']"),
    ("images:\n  a: {env: {A: b}}", "images['a']: needs a 'command' (and/or 'args'), or an 'image'"),
    ("images:\n  a: {command: x}", "images['a'].command: must be a list of strings"),
    ("images:\n  a: {image: mongo}", "images['a'].image: 'mongo' is not a built-in image"),
    ("images:\n  a: {command: [x], workingDir: rel}", "images['a'].workingDir: must be an absolute path"),
    ("images: {a: [", "cannot read it"),
])
def test_user_catalog_errors(tmp_path: Path, text: str, problem: str) -> None:
    user = tmp_path / "images.yaml"
    user.write_text(text)
    with pytest.raises(catalog.CatalogError) as caught:
        catalog.load_user_catalog(user)
    assert str(caught.value).startswith(f"image catalog {user}: ")
    assert problem in str(caught.value)
    error = resolve("nginx", None, None, user_catalog=user)
    assert isinstance(error, ImageError) and error.reason == "ErrImagePull"
    assert error.message == f'Failed to pull image "nginx": {caught.value}'


def test_no_command_at_all(tmp_path: Path) -> None:
    user = tmp_path / "images.yaml"
    user.write_text("images:\n  scratch-app:\n    args: []\n")
    error = resolve("scratch-app", None, None, user_catalog=user)
    assert isinstance(error, ImageError) and error.reason == "CreateContainerError"
    assert ok(resolve("scratch-app", ["/bin/app"], None, user_catalog=user)).argv == ["/bin/app"]


def test_unprivileged_env() -> None:
    pet = ok(resolve("luksa/kubia-pet", None, None))
    env = catalog.unprivileged_env(pet, pod_name="kubia-0", pod_ip="127.0.1.2",
                                   mounts={"/var/data": "/srv/pv-a", "/": "/srv/rootfs/kubia-0"},
                                   dns_server="127.0.0.1:5353")
    assert env == {"PETSET_HOSTNAME_OVERRIDE": "kubia-0", "POD_IP": "127.0.1.2", "PETSET_LISTEN_ON_POD_IP": "1",
                   "PETSET_DNS_SERVER": "127.0.0.1:5353", "PETSET_DATA_DIR_OVERRIDE": "/srv/pv-a"}
    env = catalog.unprivileged_env(pet, pod_name="kubia-0", pod_ip="127.0.1.2", mounts={"/var": "/srv/v"})
    assert env["PETSET_DATA_DIR_OVERRIDE"] == "/srv/v/data"
    env = catalog.unprivileged_env(pet, pod_name="kubia-0", pod_ip="127.0.1.2", mounts={"/": "/srv/root"})
    assert env["PETSET_DATA_DIR_OVERRIDE"] == "/srv/root/var/data"
    env = catalog.unprivileged_env(pet, pod_name="kubia-0", pod_ip="127.0.1.2", mounts={"/var/database": "/x"})
    assert "PETSET_DATA_DIR_OVERRIDE" not in env
    web = ok(resolve("registry.k8s.io/nginx-slim:0.8", None, None))
    env = catalog.unprivileged_env(web, pod_name="web-0", pod_ip="127.0.1.3",
                                   mounts={"/usr/share/nginx/html": Path("/srv/www-web-0")},
                                   resolv_conf=Path("/run/petset/resolv.conf"))
    assert env["PETSET_DOCROOT_OVERRIDE"] == "/srv/www-web-0"
    assert env["PETSET_RESOLV_CONF"] == "/run/petset/resolv.conf"
