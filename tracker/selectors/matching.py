"""Suggestions computed from report texts (task -> problem links, follow-ups across
years), cached under a digest of everything they are computed from.

The key is the content, not a revision number: the passages of the reports
(code, kind, text), the options and the thesaurus' words. A re-import, an edited
text or a new thesaurus entry gives a new key, so no write has to remember to
invalidate anything; an entry no longer asked for expires."""

import hashlib

from django.core.cache import cache

from ..importing.thesaurus import Thesaurus

# A day: entries are never stale (see above), only unused after a change.
MATCHING_CACHE_SECONDS = 24 * 60 * 60


def cached_matching(name: str, *, parts, thesaurus: Thesaurus, compute):
    """``compute()``'s result, cached under ``name`` and the digest of ``parts``
    (plain data: lists, tuples, strings, numbers, None) and ``thesaurus``."""
    digest = hashlib.sha256()
    for part in (*parts, sorted(thesaurus.concept.items())):
        digest.update(repr(part).encode())
        digest.update(b"\0")
    key = f"matching:{name}:{digest.hexdigest()}"
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, MATCHING_CACHE_SECONDS)
    return result
