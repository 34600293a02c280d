"""The write tracker: a cache that has not seen our own writes is stale until it has."""

from __future__ import annotations

from petset.controllers.endpoints.tracker import EXPIRY, WriteTracker


def obj(name: str, rv: int) -> dict[str, dict[str, str]]:
    return {"metadata": {"name": name, "resourceVersion": str(rv)}}


def test_created_object_missing_from_the_cache_is_stale_until_seen() -> None:
    tracker = WriteTracker()
    tracker.wrote("default/kubia", obj("kubia-abc", 5))
    assert tracker.stale("default/kubia", [])
    assert tracker.stale("default/kubia", [obj("kubia-abc", 4)])
    assert not tracker.stale("default/kubia", [obj("kubia-abc", 5)])
    assert not tracker.stale("default/kubia", [])  # met expectations are forgotten


def test_deleted_object_still_cached_is_stale_until_gone() -> None:
    tracker = WriteTracker()
    tracker.deleted("default/kubia", "kubia-abc")
    assert tracker.stale("default/kubia", [obj("kubia-abc", 5)])
    assert not tracker.stale("default/kubia", [])


def test_someone_elses_deletion_or_time_ends_the_wait() -> None:
    now = [100.0]
    tracker = WriteTracker(clock=lambda: now[0])
    tracker.wrote("default/kubia", obj("kubia-abc", 5))
    tracker.observed_deletion("default/kubia", "kubia-abc")
    assert not tracker.stale("default/kubia", [])
    tracker.wrote("default/kubia", obj("kubia-def", 7))
    now[0] += EXPIRY + 1
    assert not tracker.stale("default/kubia", [])
