"""A Redis cache that falls back to the database when Redis cannot be reached.

Sign-in rate limits, the failed sign-in counts behind the owner's alert and TOTP replay
protection all live in the cache. With plain RedisCache an unreachable Redis raised on every
sign-in and password reset, so nobody could sign in (issue 15). This backend answers from
a table in our own database instead (Django's database cache, table `cache_fallback`, made
by accounts' migrations), so sign-in keeps working and its limits keep being enforced.

Trade-offs, on purpose:
- Values written to the database during an outage are not copied back to Redis: a rate
  limit restarts when Redis returns, which errs on the side of letting staff sign in.
- After a failure the process skips Redis for FALLBACK_SECONDS (a circuit breaker), so an
  outage costs one connection timeout per process per window, not one per cache call.
"""

import logging
import threading
import time

import redis.exceptions
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

FALLBACK_TABLE = "cache_fallback"
FALLBACK_SECONDS = 30

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

# Shared by every thread of the process (Django builds one cache object per thread).
_breaker_lock = threading.Lock()
_redis_down_until = 0.0


def _redis_is_down() -> bool:
    return time.monotonic() < _redis_down_until


def _trip_breaker(exc: Exception) -> None:
    global _redis_down_until
    with _breaker_lock:
        first = not _redis_is_down()
        _redis_down_until = time.monotonic() + FALLBACK_SECONDS
    if first:
        logger.warning("Redis cache unreachable (%s); using the database cache table.", type(exc).__name__)


def reset_breaker() -> None:
    """Try Redis again on the next call (tests, and a health check that saw Redis back)."""
    global _redis_down_until
    with _breaker_lock:
        _redis_down_until = 0.0


def _resilient(name: str):
    def method(self, *args, **kwargs):
        if not _redis_is_down():
            try:
                return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
            except REDIS_DOWN as exc:
                _trip_breaker(exc)
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        fallback_params = {key: value for key, value in params.items() if key != "OPTIONS"}
        self._fallback = DatabaseCache(FALLBACK_TABLE, fallback_params)

    # Every synchronous operation the rest of the cache API is built on; BaseCache derives
    # get_or_set, decr and the async variants from these.
    add = _resilient("add")
    get = _resilient("get")
    set = _resilient("set")
    touch = _resilient("touch")
    delete = _resilient("delete")
    get_many = _resilient("get_many")
    has_key = _resilient("has_key")
    incr = _resilient("incr")
    set_many = _resilient("set_many")
    delete_many = _resilient("delete_many")
    clear = _resilient("clear")
