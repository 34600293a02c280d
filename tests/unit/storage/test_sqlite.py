"""The SQLite store: revisions, conditional writes, history, compaction, durability."""

from __future__ import annotations

from pathlib import Path

import pytest

from petset.storage.interface import Compacted, KeyExists, KeyNotFound, RevisionMismatch, StoreEvent
from petset.storage.sqlite import SqliteStore


@pytest.fixture
async def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "state.db")
    yield s
    await s.close()


async def test_each_write_takes_the_next_revision(store: SqliteStore) -> None:
    start = store.revision
    a = await store.create("/registry/pods/default/a", b"1")
    b = await store.create("/registry/pods/default/b", b"2")
    assert (a.mod_revision, b.mod_revision) == (start + 1, start + 2)
    a2 = await store.update("/registry/pods/default/a", b"3", expected_revision=a.mod_revision)
    assert a2.mod_revision == start + 3 and a2.create_revision == a.mod_revision
    assert store.revision == start + 3


async def test_conditional_update_and_delete(store: SqliteStore) -> None:
    kv = await store.create("/k", b"v")
    with pytest.raises(KeyExists):
        await store.create("/k", b"again")
    with pytest.raises(RevisionMismatch) as exc:
        await store.update("/k", b"x", expected_revision=kv.mod_revision - 1)
    assert exc.value.current is not None and exc.value.current.value == b"v"
    with pytest.raises(KeyNotFound):
        await store.update("/missing", b"x", expected_revision=None)
    gone = await store.delete("/k", expected_revision=kv.mod_revision)
    assert gone.value == b"v" and gone.mod_revision == kv.mod_revision + 1
    assert await store.get("/k") is None


async def test_list_is_by_prefix_in_key_order(store: SqliteStore) -> None:
    for key in ("/registry/pods/ns/b", "/registry/pods/ns/a", "/registry/podsx/ns/c", "/registry/pod"):
        await store.create(key, b"{}")
    items, rev = await store.list("/registry/pods/")
    assert [kv.key for kv in items] == ["/registry/pods/ns/a", "/registry/pods/ns/b"]
    assert rev == store.revision


async def test_subscribers_see_every_event_in_order(store: SqliteStore) -> None:
    seen: list[StoreEvent] = []
    unsubscribe = store.subscribe(seen.append)
    kv = await store.create("/a", b"1")
    await store.update("/a", b"2", expected_revision=kv.mod_revision)
    await store.delete("/a", expected_revision=None)
    unsubscribe()
    await store.create("/b", b"1")
    assert [(e.type, e.kv.value) for e in seen] == [("PUT", b"1"), ("PUT", b"2"), ("DELETE", b"2")]
    assert seen[1].prev is not None and seen[1].prev.value == b"1"
    assert [e.revision for e in seen] == sorted(e.revision for e in seen)


async def test_history_replays_and_compaction_bounds_it(store: SqliteStore) -> None:
    base = store.revision
    kv = await store.create("/x/a", b"1")
    for i in range(20):
        kv = await store.update("/x/a", str(i).encode(), expected_revision=kv.mod_revision)
    events = await store.history("/x/", base)
    assert len(events) == 21 and events[-1].kv.value == b"19"
    assert events[1].prev is not None and events[1].prev.value == b"1"
    oldest = await store.compact(keep=5)
    assert oldest == store.revision - 5
    with pytest.raises(Compacted):
        await store.history("/x/", base)
    assert len(await store.history("/x/", oldest - 1)) == 6


async def test_state_and_revision_survive_reopen(tmp_path: Path) -> None:
    first = SqliteStore(tmp_path / "db")
    await first.create("/a", b"1")
    kv = await first.create("/b", b"2")
    await first.close()
    second = SqliteStore(tmp_path / "db")
    assert second.revision == kv.mod_revision
    got = await second.get("/b")
    assert got is not None and got.value == b"2"
    await second.close()
