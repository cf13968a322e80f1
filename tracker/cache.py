"""The cache in two tiers when it is shared: each process's memory in front of
the shared cache (Redis or the database table, ``CACHE_URL``).

Every key the app caches under holds what its value was computed from (the
report's revision, the item's version, the day, the language…): a write makes a
new key, never a new value under an old one. So a copy kept in a process's
memory is as right as the shared one, and reading it costs no round trip: with
Redis alone every page paid one per cached part (the dashboard fell from 53 % to
44 % of /healthz/ in the city load run), and with memory alone every process
computed every part once (six processes: the obligation page's first reads were
half of its reads). Here a part is computed once for all servers and then read
from memory.

Only for such keys: a value replaced under the same key would stay old in the
other processes' memory until its timeout.
"""

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache

_MISSING = object()


class TieredCache(BaseCache):
    """``LOCATION`` names the shared cache's alias in ``CACHES``; ``OPTIONS``
    bound the memory tier (``MAX_ENTRIES``). Keys go to both tiers as given:
    each applies its own prefix and version."""

    def __init__(self, location, params):
        super().__init__(params)
        self._shared_alias = location
        self._local = LocMemCache(f"tiered:{location}", params)

    @property
    def _shared(self):
        return caches[self._shared_alias]

    def get(self, key, default=None, version=None):
        value = self._local.get(key, _MISSING, version=version)
        if value is not _MISSING:
            return value
        value = self._shared.get(key, _MISSING, version=version)
        if value is _MISSING:
            return default
        self._local.set(key, value, version=version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._shared.set(key, value, timeout, version=version)
        self._local.set(key, value, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if not self._shared.add(key, value, timeout, version=version):
            return False
        self._local.set(key, value, timeout, version=version)
        return True

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        self._local.touch(key, timeout, version=version)
        return self._shared.touch(key, timeout, version=version)

    def delete(self, key, version=None):
        self._local.delete(key, version=version)
        return self._shared.delete(key, version=version)

    def has_key(self, key, version=None):
        return self._local.has_key(key, version=version) or self._shared.has_key(
            key, version=version
        )

    def clear(self):
        """This process's memory and the shared cache; the other processes'
        memory empties when they restart."""
        self._local.clear()
        self._shared.clear()
