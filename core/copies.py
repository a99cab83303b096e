"""Each app server process's own copies of the visitors' pages it has given, so that a page asked for again is
answered from memory, without a round trip to Redis (core/caching.py keeps the pages themselves in Redis).

A copy is good only while the site's content generation has not moved on, and only Redis knows the
generation: each process listens to the generation being announced (Redis pub/sub, channel `CHANNEL` under the
cache's key prefix) on a thread of its own, started in the process the first time a page is asked for (so each
gunicorn worker, made by fork, starts its own). `caching.bump` announces every new generation; the listener
takes it and forgets its copies. While it is not listening — not yet subscribed, Redis away, the connection lost —
`current()` is None and every visit asks Redis as before: a copy is never given unless the process has heard the
generation it was made in. A change made in one process is seen by the others as soon as the announcement
arrives (a millisecond on one machine); in the process that made it, at once.

Only with Redis (settings.CACHES is core.cache.ForgivingRedisCache) and the page cache on; PAGE_CACHE_COPIES
copies at most per process (0: none), each for PAGE_CACHE_SECONDS at most, as in Redis.
"""

import os
import threading
import time
from collections import OrderedDict

import redis
from django.conf import settings
from django.core.cache import caches

from .cache import ForgivingRedisCache

CHANNEL = "content-generation-announced"
RETRY_SECONDS = 1
QUIET_SECONDS = 5  # a PING after this long without a message; three times this without an answer: lost


class Copies:
    def __init__(self):
        self._lock = threading.Lock()
        self._where = None  # (process, Redis, channel) the listener started for; a listener for another stops
        self._listening = False
        self._generation = None
        self._pages = OrderedDict()

    def current(self):
        """The generation this process has heard announced, or None when it is not listening (ask Redis)."""
        if not _wanted():
            return None
        if self._where != _where():
            self._start()
        return self._generation if self._listening else None

    def page(self, key, generation):
        """The copy of the page under `key` made in `generation`, or None."""
        with self._lock:
            found = self._pages.get(key)
            if found is None or found[0] != generation or found[1] < time.monotonic():
                return None
            self._pages.move_to_end(key)
            return found[2]

    def keep(self, key, generation, page):
        """Keep `page` (what caching keeps in Redis) as made in `generation`, if that is the one heard."""
        if not _wanted():
            return
        with self._lock:
            if not (self._listening and generation == self._generation):
                return
            self._pages[key] = (generation, time.monotonic() + settings.PAGE_CACHE_SECONDS, page)
            self._pages.move_to_end(key)
            while len(self._pages) > settings.PAGE_CACHE_COPIES:
                self._pages.popitem(last=False)

    def heard(self, generation, where=None):
        """A generation announced (or made in this process): a newer one makes every copy stale."""
        with self._lock:
            if where not in (None, self._where):
                return
            if self._listening and (self._generation is None or generation > self._generation):
                self._generation = generation
                self._pages.clear()

    def _set(self, where, listening, generation):
        with self._lock:
            if where == self._where:
                self._listening, self._generation = listening, generation
                self._pages.clear()

    def _start(self):
        where = _where()
        with self._lock:
            if self._where == where:
                return
            self._where, self._listening, self._generation = where, False, None
            self._pages.clear()
        threading.Thread(target=self._listen, args=(where,), name="page-copies", daemon=True).start()

    def _listen(self, where):
        """Subscribe, then read the generation (so that none announced in between is missed), then take each one
        announced, asking Redis for a PING when it has been quiet; on any failure, or no answer to a PING, stop
        trusting the copies and try again. Stops when the process listens elsewhere (another Redis or prefix)."""
        from . import caching

        _pid, location, name = where
        while self._where == where:
            try:
                client = redis.Redis.from_url(location, socket_connect_timeout=1)
                listening = client.pubsub(ignore_subscribe_messages=True)
                listening.subscribe(name)
                kept = client.get(caches["default"].make_key(caching.GENERATION_KEY))  # raises if Redis is away
                self._set(where, True, int(kept) if kept is not None else caching.generation())
                answered = time.monotonic()
                while self._where == where and time.monotonic() - answered < 3 * QUIET_SECONDS:
                    message = listening.get_message(timeout=QUIET_SECONDS)
                    if message is None:
                        listening.ping()
                        continue
                    answered = time.monotonic()
                    if message["type"] == "message":
                        self.heard(int(message["data"]), where)
                listening.close()
            except (redis.RedisError, OSError, ValueError):
                pass
            self._set(where, False, None)
            time.sleep(RETRY_SECONDS)


def channel():
    return caches["default"].make_key(CHANNEL)


def _where():
    return (os.getpid(), settings.CACHES["default"]["LOCATION"], channel())


def announce(generation):
    """Tell every process (this one at once) of a new generation."""
    if not _wanted():
        return
    _copies.heard(generation)
    try:
        caches["default"]._cache.get_client(write=True).publish(channel(), generation)
    except redis.RedisError:
        pass  # Redis away: nobody is listening either (they ask Redis, which answers as an empty cache)


def _wanted():
    return settings.PAGE_CACHE and settings.PAGE_CACHE_COPIES > 0 and isinstance(caches["default"], ForgivingRedisCache)


_copies = Copies()  # this process's
current, page, keep = _copies.current, _copies.page, _copies.keep
