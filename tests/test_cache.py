"""core.cache.FileCache: a write counts the directory's files only now and then."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import core.cache
from core.cache import FileCache


def make(tmp_path: Path) -> FileCache:
    return FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}})


def entries(tmp_path: Path) -> int:
    return len(list(tmp_path.glob("*.djcache")))


def test_writes_between_counts_do_not_list_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = make(tmp_path)
    listed: list[int] = []
    real = FileCache._list_cache_files

    def counting(self: FileCache) -> Any:
        listed.append(1)
        return real(self)

    monkeypatch.setattr(FileCache, "_list_cache_files", counting)
    monkeypatch.setattr(core.cache.random, "randrange", lambda n: 1)  # not drawn
    for n in range(30):
        cache.set(f"key-{n}", n)
    assert listed == []
    assert entries(tmp_path) == 30  # above MAX_ENTRIES until the next count
    assert cache.get("key-29") == 29

    monkeypatch.setattr(core.cache.random, "randrange", lambda n: 0)  # drawn
    cache.set("one-more", 1)
    assert listed == [1]
    assert entries(tmp_path) == 16  # half culled (CULL_FREQUENCY 2), then the new one
    assert cache.get("one-more") == 1


def test_the_draw_is_one_write_in_cull_every(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    monkeypatch.setattr(core.cache.random, "randrange", lambda n: asked.append(n) or 1)
    make(tmp_path)._cull()
    assert asked == [core.cache.CULL_EVERY] == [50]


def test_a_cache_directory_that_cannot_be_written_answers_as_a_miss(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A full, read-only or missing disk: every call answers as a miss, one
    warning is logged, and cache_down() says so for the pages that show it."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache's directory should be")
    core.cache._states.clear()
    with caplog.at_level("WARNING", logger="core.cache"):
        cache = FileCache(str(blocked), {})  # no directory: no error either
        cache.set("key", "value")
        assert cache.get("key", "default") == "default"
        assert cache.add("key", "value") is False
        assert cache.get_many(["key", "other"]) == {}
        assert cache.delete("key") is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.down()
    assert len([r for r in caplog.records if r.name == "core.cache"]) == 1
    core.cache._states.clear()


def test_a_working_directory_is_not_down(tmp_path: Path) -> None:
    cache = make(tmp_path)
    core.cache._states.clear()
    assert cache.add("key", "value") is True
    assert cache.get("key") == "value"
    assert not cache.down()
