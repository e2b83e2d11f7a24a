"""A small fixed-window rate limiter on the shared cache, for endpoints that invite guessing."""

import time

from django.core.cache import cache


def allow(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit for ``key``; False once more than ``limit`` hits fall in the current window."""
    window = int(time.time() // seconds)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, seconds)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, seconds)
        hits = 1
    return hits <= limit
