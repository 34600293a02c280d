"""Where a volume's data lives, and which paths petset refuses (pure rules, no filesystem)."""

from __future__ import annotations

import pytest

from petset.api.volumepaths import (
    HostDirectory,
    Refusal,
    host_directory,
    provisioned_directory,
    symlink_escape,
)

DATA = "/var/lib/petset"


def _host(path: str, **extra: str) -> dict:
    return {"hostPath": {"path": path, **extra}}


def test_host_path_is_the_path_itself_or_below_the_host_root() -> None:
    assert host_directory(_host("/tmp/pv-a"), DATA) == HostDirectory("/tmp/pv-a", "/", "hostPath")
    assert host_directory(_host("/tmp//pv-a/./"), DATA) == HostDirectory("/tmp/pv-a", "/", "hostPath")
    moved = host_directory(_host("/tmp/pv-a"), DATA, host_root="/test/root")
    assert moved == HostDirectory("/test/root/tmp/pv-a", "/test/root", "hostPath")


@pytest.mark.parametrize(("path", "why"), [
    ("/tmp/../etc", 'hostPath path "/tmp/../etc" has a ".." component'),
    ("../etc", 'hostPath path "../etc" is not absolute'),
    ("tmp/pv-a", 'hostPath path "tmp/pv-a" is not absolute'),
    ("/", 'hostPath path "/" is the host\'s root directory'),
    ("/tmp/..", 'hostPath path "/tmp/.." has a ".." component'),
    ("", "hostPath path is empty"),
])
def test_lexical_escapes_are_refused(path: str, why: str) -> None:
    assert host_directory(_host(path), DATA) == Refusal("UnsafePath", why)


def test_petsets_own_state_is_out_of_reach() -> None:
    for path in (DATA, DATA + "/state.db", "/var/lib", DATA + "/volumes/gce-pd/pv-a"):
        refused = host_directory(_host(path), DATA)
        assert isinstance(refused, Refusal) and "overlaps petset's data directory" in refused.message, path
    # ...except the provisioner's own directories, which keep their real path under any host root.
    mine = provisioned_directory(DATA, "pvc-1")
    assert mine == DATA + "/volumes/local-path/pvc-1"
    assert host_directory(_host(mine, type="DirectoryOrCreate"), DATA, host_root="/elsewhere") == HostDirectory(
        mine, DATA + "/volumes/local-path", "hostPath")


def test_host_path_types() -> None:
    assert host_directory(_host("/srv/d", type="Directory"), DATA) == HostDirectory("/srv/d", "/", "hostPath",
                                                                                   create=False)
    refused = host_directory(_host("/srv/f", type="FileOrCreate"), DATA)
    assert isinstance(refused, Refusal) and refused.reason == "UnsupportedVolumeSource"


def test_local_and_gce_disks() -> None:
    assert host_directory({"local": {"path": "/mnt/disk"}}, DATA) == HostDirectory("/mnt/disk", "/", "local")
    assert host_directory({"gcePersistentDisk": {"pdName": "pv-a", "fsType": "ext4"}}, DATA) == HostDirectory(
        DATA + "/volumes/gce-pd/pv-a", DATA + "/volumes/gce-pd", "gcePersistentDisk")
    read_only = host_directory({"gcePersistentDisk": {"pdName": "pv-a", "readOnly": True}}, DATA)
    assert isinstance(read_only, HostDirectory) and read_only.read_only
    for name in ("..", ".", "a/b", ""):
        refused = host_directory({"gcePersistentDisk": {"pdName": name}}, DATA)
        assert isinstance(refused, Refusal) and refused.reason == "UnsafePath", name


def test_unsupported_sources() -> None:
    refused = host_directory({"nfs": {"server": "s", "path": "/x"}}, DATA)
    assert refused == Refusal("UnsupportedVolumeSource", "petset cannot provide nfs volumes: only hostPath, local "
                                                         "and gcePersistentDisk (emulated as a directory) are supported")
    assert host_directory({}, DATA) == Refusal("UnsupportedVolumeSource", "the volume has no volume source")


def test_symlink_escape_compares_against_the_resolved_base() -> None:
    directory = HostDirectory("/root/tmp/pv-a", "/root", "hostPath")
    # The base itself may be a symlink (trusted); what lies below it may not.
    assert symlink_escape(directory, "/real/root/tmp/pv-a", "/real/root") is None
    refused = symlink_escape(directory, "/etc", "/real/root")
    assert refused == Refusal("UnsafePath", 'hostPath path "/root/tmp/pv-a" resolves through a symlink (to "/etc")')
