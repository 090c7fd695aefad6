"""One Redis connection pool per process for Django's Redis cache.

Django's ``RedisCache`` keeps a connection pool per cache object, and caches are per request
context: under ASGI every request gets a cache object of its own, so every request opened (and
dropped) a new connection to Redis for its session and rate-limit reads. ``pool_class`` is the
cache's documented option for choosing the pool; this one hands every cache object of the process
the same pool for the same address (docs/architecture.md "Video visits")."""

from __future__ import annotations

import threading

import redis


class SharedConnectionPool(redis.ConnectionPool):
    _shared: dict[tuple, redis.ConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs) -> redis.ConnectionPool:
        key = (url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
        return pool
