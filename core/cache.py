"""The shared cache (Redis) as a cache that may be away: settings.CACHES uses ForgivingRedisCache when
REDIS_URL is set.

A Redis that does not answer (stopped, restarting, unreachable within a second) is treated as an empty cache
that keeps nothing, instead of an error on every page: visitors get pages made for them (uncached), and the
rate limits kept in the cache (allauth's, discussion/throttle.py) count nothing until it is back — the site
keeps serving rather than refusing everyone. Each failure is logged, at most once every LOG_EVERY seconds.
/healthz (core/health.py) says when the cache is unavailable.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
LOG_EVERY = 10  # seconds
_last_logged = 0.0


def _unavailable(error):
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY:
        _last_logged = now
        logger.warning("The cache (Redis) does not answer; serving uncached: %s", error)


def _forgiving(name, when_away):
    """The client's method `name`, answering `when_away(*args)` when Redis fails."""
    method = getattr(RedisCacheClient, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            _unavailable(error)
            return when_away(*args, **kwargs)

    call.__name__ = name
    return call


def _no_number(key, delta):
    raise ValueError("the cache is unavailable")  # as for a missing key: callers set it afresh (also forgiven)


class ForgivingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        """One redis client per connection pool, made once: Django makes one for every call, and making one
        costs redis-py more than a kept page's round trip (it fills a table of 170 reply handlers): ~20 % of a
        visitor's kept page. A client is safe to share between threads (each command takes a connection from
        the pool)."""
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]

    add = _forgiving("add", lambda key, value, timeout: True)  # as if kept: "the first time" checks let it through
    get = _forgiving("get", lambda key, default: default)
    set = _forgiving("set", lambda key, value, timeout: None)
    touch = _forgiving("touch", lambda key, timeout: False)
    delete = _forgiving("delete", lambda key: False)
    get_many = _forgiving("get_many", lambda keys: {})
    has_key = _forgiving("has_key", lambda key: False)
    incr = _forgiving("incr", _no_number)
    set_many = _forgiving("set_many", lambda data, timeout: [])
    delete_many = _forgiving("delete_many", lambda keys: None)
    clear = _forgiving("clear", lambda: False)


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
