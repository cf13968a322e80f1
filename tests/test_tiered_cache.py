"""A shared cache read through each process's memory (tracker.cache): what one
process computed, another reads from the shared tier once and from its memory
after; a miss in both is a miss."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from tracker.cache import TieredCache

SHARED = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "tiered-test-shared",
}


@pytest.fixture
def shared(settings):
    settings.CACHES = {**settings.CACHES, "shared-test": SHARED}
    shared = caches["shared-test"]
    shared.clear()
    yield shared
    shared.clear()


def _process(name):
    """The cache as one gunicorn process has it: its own memory in front of the
    shared tier."""
    cache = TieredCache("shared-test", {"OPTIONS": {"MAX_ENTRIES": 300}})
    # Processes have memories of their own; in this one test process, a name
    # of its own for each.
    cache._local = LocMemCache(f"tiered-test-process-{name}", {})
    cache._local.clear()
    return cache


class CountingShared(LocMemCache):
    reads = 0

    def get(self, *args, **kwargs):
        CountingShared.reads += 1
        return super().get(*args, **kwargs)


def test_what_one_process_computed_another_reads(shared):
    first, second = _process("a"), _process("b")

    first.set("dashboard:1:7", "<figures>", 60)

    assert shared.get("dashboard:1:7") == "<figures>"
    assert second.get("dashboard:1:7") == "<figures>"


def test_a_second_read_comes_from_the_process_memory(settings, shared):
    settings.CACHES = {
        **settings.CACHES,
        "shared-test": {**SHARED, "BACKEND": "tests.test_tiered_cache.CountingShared"},
    }
    caches["shared-test"].set("page:3:1", "<content>", 60)
    reader = _process("b")
    CountingShared.reads = 0

    assert reader.get("page:3:1") == "<content>"
    assert reader.get("page:3:1") == "<content>"
    assert reader.get("page:3:1") == "<content>"

    assert CountingShared.reads == 1


def test_a_key_in_neither_tier_is_a_miss(shared):
    reader = _process("a")

    assert reader.get("page:4:1") is None
    assert reader.get("page:4:1", "default") == "default"
    assert not reader.has_key("page:4:1")


def test_add_keeps_the_first_value_and_clear_empties_both_tiers(shared):
    first, second = _process("a"), _process("b")
    assert first.add("job:1", "first", 60)
    assert not second.add("job:1", "second", 60)
    assert second.get("job:1") == "first"

    first.clear()

    assert shared.get("job:1") is None
    assert first.get("job:1") is None
