"""The controllers' filesystem side: symlink checks on a real directory tree, recycle and delete."""

from __future__ import annotations

import os
from pathlib import Path

from petset.api.volumepaths import HostDirectory, Refusal
from petset.controllers.volumes.host import VolumeHost


def _volume(path: str, **extra: str) -> dict:
    return {"spec": {"hostPath": {"path": path, **extra}}}


def test_symlinks_below_the_host_root_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "srv").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "srv" / "link")
    os.symlink(tmp_path / "nowhere", root / "srv" / "dangling")
    host = VolumeHost(tmp_path / "data", root)
    assert isinstance(host.directory(_volume("/srv/plain/new")), HostDirectory)
    for path in ("/srv/link", "/srv/link/deeper", "/srv/dangling"):
        refused = host.directory(_volume(path))
        assert isinstance(refused, Refusal) and "resolves through a symlink" in refused.message, path
    missing = host.directory(_volume("/srv/absent", type="Directory"))
    assert isinstance(missing, Refusal) and "is not a directory" in missing.message


def test_a_symlinked_host_root_is_trusted(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "alias")
    host = VolumeHost(tmp_path / "data", tmp_path / "alias")
    found = host.directory(_volume("/tmp/pv-a"))
    assert isinstance(found, HostDirectory) and found.path == str(tmp_path / "real" / "tmp" / "pv-a")


async def test_ensure_empty_and_remove(tmp_path: Path) -> None:
    host = VolumeHost(tmp_path / "data", tmp_path)
    found = host.directory(_volume("/vol"))
    assert isinstance(found, HostDirectory)
    await host.ensure(found)
    vol = Path(found.path)
    assert vol.is_dir() and (vol.stat().st_mode & 0o777) == 0o777
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "precious").write_text("x")
    (vol / "a").write_text("a")
    (vol / "d").mkdir()
    os.symlink(tmp_path / "keep", vol / "d" / "escape")
    os.symlink(tmp_path / "keep", vol / "top-link")
    await host.empty(found)
    assert vol.is_dir() and list(vol.iterdir()) == []
    assert (tmp_path / "keep" / "precious").exists()  # symlinks are removed, never followed
    await host.remove(found)
    assert not vol.exists()
