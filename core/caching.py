"""Work kept in Django's cache for a while (Redis when several processes share it)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache


def remember(namespace: str, asked: str, compute: Callable[[], Any]) -> Any:
    """What `compute` gives for the question `asked`, from the cache when it was asked before
    in this `namespace` within settings.SEARCH_CACHE_SECONDS (0: computed every time).
    Callers put into `namespace` whatever makes an old answer wrong (a data version)."""
    seconds = settings.SEARCH_CACHE_SECONDS
    if not seconds:
        return compute()
    digest = hashlib.blake2b(asked.encode("utf-8"), digest_size=16).hexdigest()
    key = f"{namespace}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
