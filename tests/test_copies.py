"""Each process's own copies of visitors' pages (core/copies.py), with the shared cache in Redis: a page asked for
again is given from memory, and a new generation announced by any process makes the copies stale at once.

These need Redis (127.0.0.1:6379, as on the project's machines and in CI); without it they are skipped."""

import time
import uuid
from unittest import mock

import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings

from core import caching, copies, versions

from .factories import MeetingFactory

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_answers(), reason="needs Redis at 127.0.0.1:6379 (see README)")


@pytest.fixture
def shared_cache(db):
    """The page cache in Redis, under a prefix of this test's own."""
    cache = {
        "default": {
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-copies-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=cache, PAGE_CACHE=True, PAGE_CACHE_COPIES=50):
        yield
        caches["default"].clear()


def eventually(check):
    """Whether `check()` comes true within two seconds."""
    for _ in range(200):
        if check():
            return True
        time.sleep(0.01)
    return False


def listening():
    """Whether this process hears the generation announced within two seconds."""
    return eventually(lambda: copies.current() is not None)


def test_a_page_asked_for_again_is_given_from_the_process_s_copy_without_asking_redis(shared_cache):
    meeting = MeetingFactory(subject="Where trust starts")
    url = meeting.get_absolute_url()
    assert listening()
    made = Client().get(url)
    with mock.patch.object(caches["default"], "get_many", wraps=caches["default"].get_many) as asked:
        again = Client().get(url)
    assert asked.call_count == 0
    assert again.content == made.content and again["ETag"] == made["ETag"]
    assert again["Content-Security-Policy"] == made["Content-Security-Policy"]


def test_a_change_in_this_process_shows_at_once(shared_cache):
    meeting = MeetingFactory(subject="Where trust starts")
    url = meeting.get_absolute_url()
    assert listening()
    Client().get(url)
    with versions.saving(meeting, user=None, comment="Edited in a test"):
        meeting.subject = "Where trust grows"
        meeting.save()  # the content apps' signals: a new generation, announced
    assert "Where trust grows" in Client().get(url).content.decode()


def test_a_generation_announced_by_another_process_makes_the_copies_stale(shared_cache):
    """Another app server publishes a change: this process's copy goes as soon as the announcement arrives."""
    meeting = MeetingFactory(subject="Where trust starts")
    url = meeting.get_absolute_url()
    assert listening()
    Client().get(url)
    type(meeting).objects.filter(pk=meeting.pk).update(subject="Where trust grows")  # no signal: as if elsewhere
    assert "Where trust starts" in Client().get(url).content.decode()  # this process heard of no change yet
    other = redis.Redis.from_url(REDIS_URL)  # the other process: a new generation, announced
    generation = other.incr(caches["default"].make_key(caching.GENERATION_KEY))
    other.publish(copies.channel(), generation)
    assert eventually(lambda: "Where trust grows" in Client().get(url).content.decode())


def test_without_redis_there_are_no_copies(db):
    with override_settings(PAGE_CACHE=True):  # the tests' local memory cache
        assert copies.current() is None


def test_a_generation_started_afresh_reaches_every_process(shared_cache):
    """Redis flushed (or restarted with nothing kept): the first process to ask starts a generation from the clock
    and announces it, so the others move on to it instead of asking Redis for every page from then on."""
    meeting = MeetingFactory(subject="Where trust starts")
    assert listening()
    before = copies.current()
    caches["default"].delete(caching.GENERATION_KEY)
    started = caching.generation()
    assert started > before
    assert eventually(lambda: copies.current() == started)
    Client().get(meeting.get_absolute_url())
    with mock.patch.object(caches["default"], "get_many", wraps=caches["default"].get_many) as asked:
        Client().get(meeting.get_absolute_url())
    assert asked.call_count == 0
